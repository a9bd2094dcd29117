/* SPDX-License-Identifier: GPL-2.0 */
/*
 * waitscope CLI: the data model shared by the parsers (parse.c), the
 * snapshot reader (snapshot.c), the diagnosis (diagnose.c) and the views
 * (render.c, main.c).
 */
#ifndef WS_H
#define WS_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define WS_VERSION "0.1.0"
/* The module's debugfs directory. */
#define WS_DEFAULT_DIR "/sys/kernel/debug/waitscope"

enum ws_reason { R_RUNQ, R_FUTEX, R_IO, R_UNINT, R_SLEEP, NR_REASONS };
#define NR_SLOTS 28
/* Thread states beside the five reasons. */
#define ST_RUNNING (-1)
#define ST_UNKNOWN (-2)

extern const char *const ws_reason_names[NR_REASONS];

struct ws_rstat {
	uint64_t n, ns, max_ns;
};

/* One histogram bucket: slot in the top byte, count in the low 56 bits. */
typedef uint64_t ws_bucket;
#define WS_BUCKET(slot, n) (((uint64_t)(slot) << 56) | (n))
#define WS_BUCKET_SLOT(b) ((unsigned)((b) >> 56))
#define WS_BUCKET_N(b) ((b) & ((1ULL << 56) - 1))

/*
 * One thread: 256 bytes on x86_64, a snapshot may hold 100,000 of them.
 * The fields go widest first so that none leaves padding.
 */
struct ws_thread {
	uint32_t tid, tgid;
	uint32_t comm;		/* offset in the snapshot's string pool */
	int state;		/* ST_* or a reason */
	uint64_t oncpu_ns, nvcsw, nivcsw;
	struct ws_rstat r[NR_REASONS];
	uint32_t waker, preemptor;
	uint32_t waker_comm, preemptor_comm;
	uint64_t cgroup, off_ns;
	uint64_t start_ns;	/* ns since boot; 0 when the files do not say */
	uint64_t futex_addr;
	int syscall;
	uint32_t futex_op;	/* string pool */
	/* The expected value (arg2) of the futex wait: optional column futex_val. */
	uint32_t futex_val;
	/* A reason's histogram: hist_len[r] buckets from snapshot buckets[hist_first[r]]. */
	uint32_t hist_first[NR_REASONS];
	/* From the blocked file: the stack, string pool offsets in snapshot frames. */
	uint32_t stack_first;
	uint16_t stack_len;
	uint8_t hist_len[NR_REASONS];
	bool partial, has_futex, kthread, has_futex_val;
	bool blocked;		/* listed in the blocked file */
};

struct ws_futex {
	uint32_t tgid, waiting;
	uint32_t op;		/* string pool: how the word is waited on */
	uint64_t uaddr, count, total_ns, max_ns, longest_now_ns;
	/* Of count, the lock waits (optional column lock_n; has_lock_n if present). */
	bool has_lock_n;
	uint64_t lock_n;
};

struct ws_stats {
	bool present;
	char version[32];
	int enabled;
	unsigned attached, nprobes;
	uint64_t capacity, used, dropped, dropped_total;
	uint64_t futex_capacity, futex_used, futex_dropped;
	uint64_t read_busy;		/* rows the module skipped: entry stayed mid-write */
	uint64_t blocks_unwoken;	/* module self-check: blocks that ended unwoken */
	uint64_t filter_tgid, blocked_min_ms, entry_bytes, memory_bytes;
	uint64_t events[8];
	char event_names[8][32];
	unsigned nevents;
	unsigned ncpus;
	uint64_t (*runq)[NR_SLOTS];	/* per CPU */
	/*
	 * Totals since tracing began, kept across thread exits (reset only by
	 * reset or a reload); optional: an older module has none.
	 */
	bool have_totals;
	uint64_t total_oncpu_ns, total_n[NR_REASONS], total_ns[NR_REASONS];
	/*
	 * The flight recorder's events recorded since load or a reset
	 * (slow_<reason>_n, slow_exit_n): counters; slow_keys has bit r for
	 * each slow_<reason>_n present, WS_SLOW_EXIT for slow_exit_n (an
	 * older module has none).
	 */
	unsigned slow_keys;
	uint64_t slow_n[NR_REASONS], slow_exit_n;
};
#define WS_SLOW_EXIT (1u << NR_REASONS)

struct ws_snapshot {
	uint64_t now_ns;		/* the threads file's clock */
	uint64_t blocked_min_ms;
	bool have_stacks;
	struct ws_thread *threads;
	size_t nthreads, cap_threads;
	struct ws_futex *futex;
	size_t nfutex, cap_futex;
	ws_bucket *buckets;
	size_t nbuckets, cap_buckets;
	uint32_t *frames;		/* string pool offsets */
	size_t nframes, cap_frames;
	char *pool;			/* NUL-separated strings, each once */
	size_t npool, cap_pool;
	uint32_t *strs;			/* while parsing: the pool's offsets by hash */
	size_t strs_mask, nstrs;
	struct ws_stats stats;
	/*
	 * Threads are keyed on (tid, start_ns) when the threads file has a
	 * start_ns column (have_start): a tid reused, or listed twice for a
	 * moment during exec, is two threads or one row ignored, not an error.
	 */
	bool have_start;
	size_t dup_rows;		/* rows ignored: same thread listed again */
	uint64_t futex_lost;		/* futex rows that did not fit the module's snapshot */
	/* tid -> thread index + 1 (a tid may have several entries) */
	uint32_t *index;
	size_t index_mask;
};

/* An error message for the user: "waitscope: <msg>", exit status 2. */
struct ws_err {
	char msg[512];
};

int ws_fail(struct ws_err *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* parse.c: each returns 0, or -1 with err filled. */
int ws_parse_threads(struct ws_snapshot *s, const char *buf, size_t len, struct ws_err *err);
int ws_parse_histograms(struct ws_snapshot *s, const char *buf, size_t len, struct ws_err *err);
int ws_parse_blocked(struct ws_snapshot *s, const char *buf, size_t len, struct ws_err *err);
int ws_parse_futex(struct ws_snapshot *s, const char *buf, size_t len, struct ws_err *err);
int ws_parse_stats(struct ws_snapshot *s, const char *buf, size_t len, struct ws_err *err);
int ws_parse_fd(struct ws_snapshot *s, int which, int fd, struct ws_err *err);

/* snapshot.c */
void ws_snapshot_init(struct ws_snapshot *s);
void ws_snapshot_free(struct ws_snapshot *s);
void ws_snapshot_copy(struct ws_snapshot *dst, const struct ws_snapshot *src);
int ws_snapshot_load(struct ws_snapshot *s, const char *dir, struct ws_err *err);
int ws_snapshot_parse_all(struct ws_snapshot *s, char *const bufs[5], const size_t lens[5],
			  struct ws_err *err);
struct ws_thread *ws_find_thread(const struct ws_snapshot *s, uint32_t tid);
struct ws_thread *ws_find_thread_at(const struct ws_snapshot *s, uint32_t tid, uint64_t start_ns);
struct ws_thread *ws_find_same(const struct ws_snapshot *s, const struct ws_snapshot *from,
			       const struct ws_thread *t);
unsigned ws_count_tid(const struct ws_snapshot *s, uint32_t tid);
void ws_snapshot_reindex(struct ws_snapshot *s);
const char *ws_str(const struct ws_snapshot *s, uint32_t off);
void *ws_grow(void *p, size_t *cap, size_t need, size_t size);
void *ws_xcalloc(size_t n, size_t size);
/* open_memstream(), or exit 2 with one line (the CLI's out-of-memory policy). */
FILE *ws_xmemstream(char **buf, size_t *len);
/* vasprintf() and asprintf() that exit 2 with one line when out of memory. */
char *ws_xvasprintf(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));
char *ws_xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int ws_u32_cmp(const void *a, const void *b);
int ws_u64_cmp(const void *a, const void *b);
uint32_t ws_intern(struct ws_snapshot *s, const char *str, size_t len);
void ws_intern_done(struct ws_snapshot *s);
int ws_read_file(const char *path, char **buf, size_t *len, struct ws_err *err);
/* The same from an open fd (its path for messages); the fd stays open. */
int ws_read_fd(int fd, const char *path, char **buf, size_t *len, struct ws_err *err);

/* A text read line by line, strictly (the waits and events files). */
struct ws_line_reader {
	const char *p, *end;
	const char *file;	/* its name in messages: "waits", "events" */
	unsigned no;		/* the line just read, from 1 */
};

/*
 * The next line into buf, NUL-terminated: 1, 0 at the end, or -1 with err
 * "FILE:LINE: ..." if it has no newline (truncated), holds a NUL byte, or
 * does not fit in cap.
 */
int ws_read_line(struct ws_line_reader *r, char *buf, size_t cap, struct ws_err *err);
extern const char *const ws_files[5];

/*
 * Quantiles over log2 histograms, interpolated within a bucket: the true
 * value lies somewhere in [low_ns, high_ns], the bucket's bounds.
 */
struct ws_qbounds {
	uint64_t low_ns, high_ns;
};
uint64_t ws_log2_quantile_ns(const uint64_t counts[NR_SLOTS], uint64_t max_ns, double q,
			     struct ws_qbounds *b);
void ws_hist_counts(const struct ws_snapshot *s, const struct ws_thread *t, int reason,
		    uint64_t counts[NR_SLOTS]);
uint64_t ws_hist_quantile_ns(const struct ws_snapshot *s, const struct ws_thread *t, int reason,
			     double q);
uint64_t ws_hist_quantile_at(const struct ws_snapshot *s, const struct ws_thread *t, int reason,
			     double q, struct ws_qbounds *b);
uint64_t ws_slot_low_us(unsigned slot);

/* cgroup.c */
bool ws_cgroup_path(const char *root, uint64_t id, char *buf, size_t n);
struct ws_cgroup_ent {
	uint64_t id;
	size_t off;		/* in paths */
};
struct ws_cgroup_map {
	const char *root;
	struct ws_cgroup_ent *e;	/* sorted by id */
	size_t n, cap;
	char *paths;
	size_t npaths, cap_paths;
	bool built, fresh;	/* fresh: (re)built since the last refresh */
};
void ws_cgroup_map_init(struct ws_cgroup_map *m, const char *root);
void ws_cgroup_map_refresh(struct ws_cgroup_map *m);
bool ws_cgroup_map_path(struct ws_cgroup_map *m, uint64_t id, char *buf, size_t n);
void ws_cgroup_map_free(struct ws_cgroup_map *m);
extern unsigned long ws_cgroup_walks;	/* walks of a cgroup tree, for tests */
void ws_cgroup_throttling(const char *path, uint64_t *nr, uint64_t *usec);
bool ws_cgroup_cpu_max(const char *path, char *buf, size_t n);

/* procfs.c: read-only looks at a live thread (root: "/proc" or a fake tree) */
enum ws_proc_rc { WS_PROC_OK, WS_PROC_GONE, WS_PROC_UNKNOWN };
enum ws_fd_kind { WS_FD_GONE, WS_FD_UNKNOWN, WS_FD_SOCKET, WS_FD_TTY, WS_FD_PIPE, WS_FD_EVENT,
		  WS_FD_OTHER };
enum ws_proc_rc ws_proc_syscall(const char *root, uint32_t pid, uint32_t tid, long *nr,
				uint64_t args[6]);
/* The same syscall number, with the user sp and pc it entered with (0, 0: none shown). */
enum ws_proc_rc ws_proc_user_regs(const char *root, uint32_t pid, uint32_t tid, long *nr,
				  uint64_t *sp, uint64_t *pc);
enum ws_fd_kind ws_proc_fd_kind(const char *root, uint32_t pid, uint64_t fd, char *link,
				size_t n);

/* fmt.c */
void ws_fmt_dur(char *buf, size_t n, uint64_t ns);
void ws_fmt_wall(char *buf, size_t n, uint64_t wall_ns, bool date, bool ms);
bool ws_parse_duration(const char *s, uint64_t *ns);
/* Decimal digits only, no sign, no overflow (parse.c): the module's numbers. */
bool ws_parse_u64(const char *s, uint64_t *v);
bool ws_parse_u32(const char *s, uint32_t *v);
void ws_fmt_approx(char *buf, size_t n, uint64_t ns);
void ws_unescape_comm(const char *in, char *out, size_t n);
/* Its inverse, as the module writes comm: bytes outside '!'..'~' and '\\' as \xNN. */
void ws_escape_comm(const char *in, char *out, size_t n);
char *ws_sanitize(char *s);
void ws_json_str(FILE *f, const char *s);
const char *ws_syscall_name(int nr);

#endif
