/* SPDX-License-Identifier: GPL-2.0 */
#ifndef WS_DIAGNOSE_H
#define WS_DIAGNOSE_H

#include "ws.h"

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
};

enum ws_kind { K_STUCK, K_CONTENTION, K_HIDDEN, K_STARVING, K_PRESSURE, K_HEALTH };

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
};

struct ws_findings {
	struct ws_finding *f;
	size_t n, cap;
	char **notes;			/* information, not findings (no effect on exit) */
	size_t nnotes;
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
void ws_snapshot_delta(struct ws_snapshot *b, const struct ws_snapshot *a);

#endif
