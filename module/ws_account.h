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
	WS_NR_PROBES
};

/* Per-CPU counters: written only by probes on that CPU. */
struct ws_cpu_stats {
	u64 events[WS_NR_PROBES];
	u64 runq[WS_NR_SLOTS];	/* run-queue waits that ended on this CPU */
};

DECLARE_PER_CPU(struct ws_cpu_stats, ws_cpu_stats);

extern struct ws_table ws_threads;
extern struct ws_futex_table ws_futexes;
extern u32 ws_filter_tgid;

void ws_account_switch(bool preempt, struct task_struct *prev,
		       struct task_struct *next, unsigned int prev_state);
void ws_account_waking(struct task_struct *p);
void ws_account_wakeup(struct task_struct *p);
void ws_account_sweep(void);
void ws_account_clear(void);
size_t ws_account_percpu_bytes(void);

static inline void ws_count_event(enum ws_probe_id id)
{
	this_cpu_inc(ws_cpu_stats.events[id]);
}

#endif /* WS_ACCOUNT_H */
