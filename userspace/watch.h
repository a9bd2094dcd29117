/* SPDX-License-Identifier: GPL-2.0 */
/*
 * waitscope watch: run a command (or watch a process that runs) with every
 * thread of its process tree, say at once when one is stuck, deadlocked or
 * frozen, and at the end what leaked or went over a budget; exit with a
 * status a CI job can use.
 *
 *   watch.c       the command: options, the child, signals, exit status
 *   watch_tree.c  which processes are the tree: a cgroup v2 of its own, or
 *                 the ppid chain (as a child subreaper, or below -p PID)
 *   watch_poll.c  each poll: the snapshot cut down to the tree, the checks
 *                 told at once, what is kept of threads, locks and exits;
 *                 the checks judged at the end
 *   watch_out.c   the summary (stderr), --json, --junit
 */
#ifndef WS_WATCH_H
#define WS_WATCH_H

#include "render.h"
#include "slow.h"

int ws_cmd_watch(int argc, char **argv, const struct ws_source *src);

/* ---- the tree (watch_tree.c) ---- */

enum ws_tree_mode { WS_TREE_CGROUP, WS_TREE_SUBREAPER, WS_TREE_PID };

/* A process of the tree, seen at least once. */
struct ws_tree_proc {
	uint32_t pid;
	uint64_t start;		/* /proc/PID/stat starttime: the same pid is the same process */
	bool live;		/* at the last scan */
	int status;		/* its wait status when watch reaped it, else -1 */
	char comm[80];
};

struct ws_tree {
	enum ws_tree_mode mode;
	const char *proc;	/* "/proc", or $WAITSCOPE_PROC in tests */
	uint32_t top;		/* subreaper: watch itself; pid: the process watched */
	char dir[4096];		/* cgroup: its directory */
	char path[4096];	/* cgroup: its path in the hierarchy, as /proc/PID/cgroup has it */
	uint64_t *ids;		/* cgroup: ids of dir and the cgroups under it, ever seen, sorted */
	size_t nids, cap_ids;
	struct ws_tree_proc *p;	/* by pid */
	size_t np, cap_p;
};

void ws_tree_init(struct ws_tree *t, const char *proc);
void ws_tree_free(struct ws_tree *t);
/* A cgroup of its own under watch's: 0, or -1 with why (the caller falls back). */
int ws_tree_make_cgroup(struct ws_tree *t, char *why, size_t n);
/* In the child, before exec: move itself into the cgroup.  0 or an errno. */
int ws_tree_enter(const struct ws_tree *t);
/* The ppid chain instead: below watch itself (subreaper) or below -p PID, which is in it. */
void ws_tree_follow(struct ws_tree *t, enum ws_tree_mode mode, uint32_t top);
/* Find new processes and which are still alive. */
void ws_tree_scan(struct ws_tree *t);
struct ws_tree_proc *ws_tree_find(const struct ws_tree *t, uint32_t pid);
/* pid is of the tree (added if not yet known); comm may be NULL. */
struct ws_tree_proc *ws_tree_add(struct ws_tree *t, uint32_t pid, const char *comm);
/* pid is a process of the tree that still runs (not a zombie, not its pid reused). */
bool ws_tree_alive(struct ws_tree *t, uint32_t pid);
/* A thread or event of the tree: its process is, or (cgroup) its cgroup. */
bool ws_tree_member(const struct ws_tree *t, uint32_t tgid, uint64_t cgroup);
size_t ws_tree_nlive(const struct ws_tree *t);
/* SIGKILL every live process (through cgroup.kill where there is one). */
void ws_tree_kill(struct ws_tree *t);
/* rmdir the cgroup and those under it when empty: true when gone (or none was made). */
bool ws_tree_remove(struct ws_tree *t);

/* ---- the checks (watch_poll.c) ---- */

enum ws_check_id { WC_STUCK, WC_DEADLOCK, WC_FROZEN, WC_LEAKED, WC_CONTENTION, WC_STARVATION,
		   WS_NCHECKS };
extern const char *const ws_check_names[WS_NCHECKS];

struct ws_watch_opts {
	uint64_t interval_ns, stuck_ns, leaked_min_ns, grace_ns, max_lock_ns, max_runq_p99_ns;
	uint64_t for_ns;		/* -p: how long (0: until it exits) */
	bool on[WS_NCHECKS];
	bool baseline, kill_leftovers, no_cgroup;
	const char *json_path, *junit_path;
	struct ws_opts diag;		/* --stuck, the ignore rules, /proc */
};

/* Beside each finding of a check. */
struct ws_kept {
	char *json;		/* its JSON members, rendered while its edges existed */
	char *detail;		/* lines under it (a leaked thread's stack), or NULL */
};

/* What a check found over the run: findings copied out of the poll they came from. */
struct ws_check {
	struct ws_findings fs;
	struct ws_kept *kept;	/* fs.n of them */
	size_t cap_kept;
	uint32_t *told;		/* tids already told on stderr */
	size_t ntold, cap_told;
};

/* One process of the tree in the summary: what its threads did during the run. */
struct ws_wproc {
	uint32_t pid;		/* first: the summary is searched by pid */
	char comm[80];
	unsigned nthreads;
	bool live, main;
	int status;		/* wait status when known, else -1 */
	struct ws_exit_totals sum;	/* what its threads did during the run */
};

struct ws_wthread;
struct ws_wlock;

struct ws_watch {
	const struct ws_watch_opts *o;
	const struct ws_source *src;	/* the module's files */
	struct ws_tree *tree;
	struct ws_check check[WS_NCHECKS];
	struct ws_wthread *th;		/* every thread of the tree seen */
	size_t nth, cap_th;
	uint32_t *th_index;		/* tid hash -> th index + 1 */
	size_t th_mask;
	struct ws_wlock *locks;		/* by (tgid, address) */
	size_t nlocks, cap_locks;
	struct ws_snapshot last;	/* the last poll's tree (and its holders) */
	bool have_last;
	uint64_t clock0_ns;		/* the module clock at the first poll */
	uint64_t mono0_ns;		/* CLOCK_MONOTONIC then */
	unsigned polls;
	uint64_t after;			/* the last event seq seen */
	bool events_noted;
	uint64_t missed;		/* events overwritten before watch read them */
	char **notes;
	size_t nnotes, cap_notes;
	char broken[512];		/* why polling stopped; "" while it works */
	uint32_t main_pid;		/* CMD's process, or -p PID */
	struct ws_wproc *procs;		/* at the end (ws_watch_finish) */
	size_t nprocs;
};

void ws_watch_init(struct ws_watch *w, const struct ws_watch_opts *o,
		   const struct ws_source *src, struct ws_tree *tree);
void ws_watch_free(struct ws_watch *w);
/* One poll: 0, or -1 when the module's files could not be read (w->broken says why). */
int ws_watch_poll(struct ws_watch *w);
/*
 * After the last poll: the processes left running (when the main process
 * ended: main_ended), the budgets, the processes' summary.
 */
void ws_watch_finish(struct ws_watch *w, bool main_ended);
/* A note on stderr at once ("waitscope watch: note: ..."), kept for the summary and JSON. */
void ws_watch_note(struct ws_watch *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
uint64_t ws_watch_mono_ns(void);
/* A threshold as written: "30s", "500ms", "1.5s". */
void ws_watch_fmt_threshold(char *buf, size_t n, const struct ws_watch_opts *o,
			    enum ws_check_id c);
/* How many checks failed: switched on, with a finding. */
unsigned ws_watch_failed(const struct ws_watch *w);

/* ---- the output (watch_out.c) ---- */

struct ws_watch_run {
	char *const *cmd;		/* NULL with -p */
	uint32_t pid;			/* CMD's pid, or -p PID */
	int status;			/* CMD's wait status; -1: none (-p) */
	const char *ended;		/* -p: why watching ended */
	uint64_t duration_ns;
	int exit_status;
};

void ws_watch_summary(FILE *f, const struct ws_watch *w, const struct ws_watch_run *r);
/* 0, or -1 with errno. */
int ws_watch_write_json(FILE *f, const struct ws_watch *w, const struct ws_watch_run *r);
int ws_watch_write_junit(FILE *f, const struct ws_watch *w, const struct ws_watch_run *r);

#endif
