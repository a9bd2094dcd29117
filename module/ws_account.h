/* SPDX-License-Identifier: GPL-2.0 */
#ifndef WS_ACCOUNT_H
#define WS_ACCOUNT_H

#include <linux/sched.h>
#include "waitscope.h"

/* The accounting state: tables and per-CPU counters, sized by ws->set. */
int ws_account_init(struct ws_state *ws);
void ws_account_destroy(struct ws_state *ws);
void ws_account_clear(struct ws_state *ws);
size_t ws_account_memory(struct ws_state *ws);
void ws_account_totals(struct ws_state *ws, struct ws_cpu_stats *sum);

/* The state machine the probes drive (ws_account.c). */
void ws_account_switch(struct ws_state *ws, bool preempt, struct task_struct *prev,
		       struct task_struct *next, unsigned int prev_state);
void ws_account_waking(struct ws_state *ws, struct task_struct *p);
void ws_account_wakeup(struct ws_state *ws, struct task_struct *p);
void ws_account_exec(struct ws_state *ws, struct task_struct *p, pid_t old_pid);

/* Shared with the load-time sweep (ws_sweep.c). */
struct ws_wait_site {
	long nr;		/* syscall, -1 none */
	unsigned long uaddr;	/* futex word */
	u32 futex_val;
	unsigned int futex_op;
};

bool ws_should_track(struct ws_state *ws, struct task_struct *p);
void ws_entry_init_of(struct ws_entry_init *b, struct task_struct *p);
unsigned int ws_block_reason(struct task_struct *p, struct pt_regs *regs,
			     unsigned int state, struct ws_wait_site *w);

/* Give every thread asleep right now an entry (ws_sweep.c). */
void ws_sweep(struct ws_state *ws);

#endif /* WS_ACCOUNT_H */
