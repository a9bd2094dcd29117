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
	uint64_t contention_ns;		/* --contention: futex time that counts */
	double contention_share;	/* share of the process's off-CPU time */
	uint32_t pid;			/* --pid: only this process */
	const char *allow[32];		/* --allow KEY=GLOB */
	int nallow;
	uint64_t window_ns;		/* 0: since tracing began */
	const char *cgroup_root;	/* for cpu.stat of a starving worker */
};

enum ws_kind { K_STUCK, K_CONTENTION, K_HIDDEN, K_STARVING, K_PRESSURE, K_HEALTH };

struct ws_finding {
	enum ws_kind kind;
	uint32_t pid;
	uint64_t impact_ns;		/* ranking: thread-time affected */
	int nthreads;
	char *what;			/* the sentence, with its evidence */
	char *threshold;
	char *cause;
	char *next;
};

struct ws_findings {
	struct ws_finding *f;
	size_t n, cap;
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
