/* SPDX-License-Identifier: GPL-2.0 */
#ifndef WS_SLOW_H
#define WS_SLOW_H

#include <linux/sched.h>
#include "waitscope.h"

/* How an off-CPU interval of a thread ended, for its event. */
struct ws_wait_end {
	u64 now;
	u64 ns;			/* its length (a floor when partial) */
	unsigned int reason;
	bool partial;
};

void ws_slow_switched_in(struct ws_state *ws, const struct ws_thread_entry *e,
			 struct task_struct *p, struct task_struct *prev,
			 const struct ws_wait_end *end);
void ws_slow_woken(struct ws_state *ws, const struct ws_thread_entry *e, struct task_struct *p,
		   const struct ws_wait_end *end);
void ws_slow_exit(struct ws_state *ws, const struct ws_thread_entry *e, struct task_struct *p,
		  u64 now);

#endif /* WS_SLOW_H */
