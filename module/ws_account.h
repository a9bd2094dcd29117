/* SPDX-License-Identifier: GPL-2.0 */
#ifndef WS_ACCOUNT_H
#define WS_ACCOUNT_H

#include <linux/percpu.h>
#include <linux/sched.h>
#include "ws_futex.h"
#include "ws_table.h"

enum ws_probe_id {
	WS_P_SWITCH,
	WS_P_WAKING,
	WS_P_WAKEUP,
	WS_P_WAKEUP_NEW,
	WS_P_EXIT,
	WS_P_EXEC,
	WS_NR_PROBES
};

/*
 * Per-CPU counters: written only by probes on that CPU, summed by readers.
 * Each only grows until a reset, and so do the sums: the totals outlive the
 * threads they came from, for counters that never fall (Prometheus).
 */
struct ws_cpu_stats {
	u64 events[WS_NR_PROBES];
	u64 runq[WS_NR_SLOTS];	/* run-queue waits that ended on this CPU */
	u64 oncpu_ns;		/* on-CPU time of tracked threads */
	u64 reason_n[WS_NR_REASONS];	/* intervals recorded, per reason */
	u64 reason_ns[WS_NR_REASONS];	/* their time */
	u64 blocks_unwoken;	/* blocks that ended with no wakeup seen */
};

DECLARE_PER_CPU(struct ws_cpu_stats, ws_cpu_stats);

extern struct ws_table ws_threads;
extern struct ws_futex_table ws_futexes;
extern u32 ws_filter_tgid;

void ws_account_switch(bool preempt, struct task_struct *prev,
		       struct task_struct *next, unsigned int prev_state);
void ws_account_waking(struct task_struct *p);
void ws_account_wakeup(struct task_struct *p);
void ws_account_exec(struct task_struct *p, pid_t old_pid);
void ws_account_sweep(void);
void ws_account_clear(void);
size_t ws_account_percpu_bytes(void);

static inline void ws_count_event(enum ws_probe_id id)
{
	this_cpu_inc(ws_cpu_stats.events[id]);
}

#endif /* WS_ACCOUNT_H */
