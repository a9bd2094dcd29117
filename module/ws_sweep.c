// SPDX-License-Identifier: GPL-2.0
/*
 * The sweep: when tracing starts, every thread that is asleep right now
 * gets an entry, so a thread blocked since before tracing began is visible
 * at once instead of at its next switch.  Its interval is marked partial:
 * its length so far is a lower bound and it is not added to the histograms
 * when it ends.  Runs with the probes attached; a thread the probes reach
 * first keeps their entry (ws_table_add never overwrites).
 */
#include <linux/rcupdate.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include "ws_account.h"
#include "ws_task.h"

/*
 * The walk reschedules after every WS_SWEEP_BATCH threads (50,000 threads
 * took 0.4-0.9 s under TCG in one stretch), and walks at most
 * WS_SWEEP_WALKS times.
 */
#define WS_SWEEP_BATCH	1024
#define WS_SWEEP_WALKS	3

/* Give @t an entry if it is asleep right now. */
static void ws_sweep_thread(struct ws_state *ws, struct task_struct *t)
{
	unsigned int state = READ_ONCE(t->__state);
	struct ws_wait_site w = { .nr = -1 };
	struct ws_entry_init b;

	/* Running, or on its way into schedule(): not blocked yet. */
	if (state == TASK_RUNNING || ws_task_on_cpu(t) || !ws_should_track(ws, t))
		return;
	ws_entry_init_of(&b, t);
	/* t may exit meanwhile: its stack is read only while it has one. */
	b.state = ws_state_off(ws_block_reason(t, ws_other_regs(t), state, &w));
	b.syscall = w.nr;
	b.futex_uaddr = w.uaddr;
	b.futex_val = w.futex_val;
	b.futex_op = w.futex_op;
	/* Taken per thread: the walk can take a while, and may reschedule. */
	b.since = ws_now();
	b.flags |= WS_F_PARTIAL;
	ws_table_add(&ws->threads, &b);
}

/*
 * Leave the RCU read section so this CPU can reschedule, holding g and t so
 * the walk can go on from them; false if either left the task lists
 * meanwhile, which loses the walk's place.  The pattern of
 * kernel/hung_task.c's rcu_lock_break().
 */
static bool ws_sweep_break(struct task_struct *g, struct task_struct *t)
{
	bool still_listed;

	get_task_struct(g);
	get_task_struct(t);
	rcu_read_unlock();
	cond_resched();
	rcu_read_lock();
	still_listed = pid_alive(g) && pid_alive(t);
	put_task_struct(t);
	put_task_struct(g);
	return still_listed;
}

/* One walk over every thread; false if it lost its place on the way. */
static bool ws_sweep_walk(struct ws_state *ws)
{
	struct task_struct *g, *t;
	unsigned int n = 0;
	bool whole = true;

	rcu_read_lock();
	for_each_process_thread(g, t) {
		if (++n % WS_SWEEP_BATCH == 0 && !ws_sweep_break(g, t)) {
			whole = false;
			goto unlock;
		}
		ws_sweep_thread(ws, t);
	}
unlock:
	rcu_read_unlock();
	return whole;
}

/*
 * A walk that loses its place starts again from the top (the threads it
 * already gave an entry keep it), at most WS_SWEEP_WALKS times in all; a
 * thread it never reaches gets its entry at its next context switch, like
 * any thread.
 */
void ws_sweep(struct ws_state *ws)
{
	unsigned int walks = 0;

	while (++walks <= WS_SWEEP_WALKS && !ws_sweep_walk(ws))
		;
}
