/* SPDX-License-Identifier: GPL-2.0 */
#ifndef WS_DIAGNOSE_H
#define WS_DIAGNOSE_H

#include "graph.h"

struct ws_uwalker;
struct ws_ustack;

/* Thresholds, with the defaults documented in --help and the man page. */
struct ws_opts {
	uint64_t stuck_ns;		/* --stuck: blocked at least this long */
	uint64_t runq_p99_ns;		/* --runq-p99 */
	double starve_ratio;		/* --starve-ratio: x siblings' median runq share */
	double runq_share;		/* --runq-share: runq share that is starving */
	double blocked_share;		/* --blocked-share: D/io share of wall time */
	uint64_t contention_ns;		/* --contention: lock wait time that counts */
	double contention_rate;		/* --contention-rate: waiters' seconds per wall second */
	double contention_waits;	/* --contention-waits: lock waits per wall second */
	uint32_t pid;			/* --pid: only this process */
	const char *allow[32];		/* --allow KEY=GLOB */
	int nallow;
	uint64_t window_ns;		/* 0: since tracing began */
	const char *cgroup_root;	/* for cpu.stat of a starving worker */
	const char *proc_root;		/* live threads' /proc ("/proc"), or NULL offline */
	/*
	 * The waits-for edges (waits.h), or NULL: findings about blocked
	 * threads then name holders and roots, and deadlock and frozen can be
	 * found.  Findings point into it: keep it until they are freed.
	 */
	const struct ws_waits *waits;
	/*
	 * Live only: the walker that reads blocked threads' user stacks
	 * (ustack.h) for uframe= rules and findings' "where:" lines; NULL:
	 * no user stacks.
	 */
	struct ws_uwalker *uw;
	/*
	 * Or, when a thread's stack cannot be read now (its wait ended since
	 * the module's numbers were read), the stack read earlier in the same
	 * wait (watch keeps one a wait): true with *st filled.  NULL: none.
	 */
	bool (*known_ustack)(void *arg, uint32_t tid, struct ws_ustack *st);
	void *known_arg;
};

enum ws_kind { K_STUCK, K_CONTENTION, K_HIDDEN, K_STARVING, K_PRESSURE, K_HEALTH, K_DEADLOCK,
	       K_FROZEN, K_LEAKED };

/* Where a finding's chain ends: a ws_root with its text allocated to size (findings are many). */
struct ws_finding_root {
	enum ws_root_kind kind;
	uint32_t pid, tid;
	unsigned other_roots;
	char state[16];
	char comm[64];
	char *why;
};

/* One thread of a deadlock's cycle: what it holds (what the one before waits for) and waits for. */
struct ws_finding_hop {
	uint32_t tid, pid;
	char holds[64], waits_for[64];	/* the edges' objects */
};

/*
 * The flight recorder's events behind a starving or hidden-blocking
 * finding (evidence.c): its threads' waits of the reasons it is about that
 * lasted at least the recorder's threshold, when they happened and who
 * caused most of them.  Shown by render.c as the finding's "recorded:"
 * sentence and its JSON "slow_events".
 */
struct ws_finding_events {
	unsigned reasons;		/* bit 1 << reason: the reasons counted */
	unsigned seen;			/* of those, the reasons of the events found */
	uint64_t count, min_ns;		/* events, and the recorder's threshold */
	uint64_t first_ns, last_ns;	/* wall clock (ns since the epoch); count > 0 */
	uint64_t overwritten;		/* events the rings lost before this read */
	/* The cause: the preemptor (runq) or waker most of them name. */
	bool cause_known;		/* a thread or interrupts; else none is known */
	bool cause_irq;			/* woken from interrupt context (tid 0, "[irq]") */
	bool by_preemptor;		/* the cause is who had the CPU, not a waker */
	uint32_t cause_tid, cause_pid;	/* cause_pid 0: the snapshot does not have it */
	uint64_t cause_count;		/* of count, the events it caused */
	char cause_comm[65];		/* as the events name it */
};

struct ws_finding {
	enum ws_kind kind;
	uint32_t pid;
	uint64_t impact_ns;		/* ranking: thread-time affected */
	int nthreads;
	uint32_t *pids;			/* more than one process: all of them (npids) */
	int npids;
	char *what;			/* the sentence, with its evidence */
	char *threshold;
	char *cause;
	char *next;
	uint32_t *tids;			/* the threads it is about, sorted (ntids) */
	int ntids;
	bool about_blocked;		/* stuck, contention, deadlock, frozen: waits_for and root */
	const struct ws_edge **waits_for;	/* the edges of its threads (into ws_opts.waits) */
	size_t nwaits_for;
	struct ws_finding_root *root;	/* where the chain of its first thread ends; NULL: none */
	struct ws_finding_hop *cycle;	/* deadlock: around the cycle once */
	size_t ncycle;
	struct ws_finding_events *events;	/* NULL: no recorder's events (evidence.c) */
	/* Where in its code one of its threads waits ("where:"); NULL: not known. */
	struct ws_ustack *ustack;
	uint32_t ustack_tid;
};

struct ws_findings {
	struct ws_finding *f;
	size_t n, cap;
	char **notes;			/* information, not findings (no effect on exit) */
	size_t nnotes, cap_notes;
};

void ws_opts_default(struct ws_opts *o);
void ws_diagnose(const struct ws_snapshot *s, const struct ws_opts *o, struct ws_findings *out);
void ws_findings_free(struct ws_findings *fs);
const char *ws_kind_name(enum ws_kind k);
bool ws_is_idle_wait(const struct ws_snapshot *s, const struct ws_thread *t,
		     const struct ws_opts *o);
void ws_pool_name(const char *comm, char *out, size_t n);
const char *ws_top_frame(const struct ws_snapshot *s, const struct ws_thread *t, char *buf,
			 size_t n);
const char *ws_top_frames(const struct ws_snapshot *s, const struct ws_thread *t, unsigned max,
			  char *buf, size_t n);
void ws_snapshot_delta(struct ws_snapshot *b, const struct ws_snapshot *a);

/*
 * For findings made outside ws_diagnose (watch.c): a new finding, its text
 * (appended, made fit for a terminal), and a copy that outlives the
 * snapshot and the waits it came from (its waits_for edges are dropped).
 */
struct ws_finding *ws_finding_add(struct ws_findings *fs, enum ws_kind kind, uint32_t pid,
				  uint64_t impact_ns);
void ws_finding_printf(char **field, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void ws_finding_copy(struct ws_findings *dst, const struct ws_finding *src);
/* The user stack of the first of f's threads blocked in a syscall now, into f->ustack. */
void ws_finding_where(struct ws_finding *f, const struct ws_opts *o);
/* A futex row's lock waits (*nlock, if given) and their share of its total_ns. */
uint64_t ws_futex_lock_wait_ns(const struct ws_snapshot *s, const struct ws_futex *x,
			       uint64_t *nlock);

/*
 * ws_is_idle_wait for a wait known only from the flight recorder (an exit
 * row's killed-in wait: reason, syscall, futex op; no stack, no expected
 * value, no live thread to look at), by the same rule and allow list.
 */
struct ws_event;
bool ws_is_idle_event(const struct ws_event *ev, const struct ws_opts *o);

#endif
