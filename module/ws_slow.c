// SPDX-License-Identifier: GPL-2.0
/*
 * What the recorder keeps of a slow wait or of an exit, built from the
 * thread's entry and task when a probe sees the wait end or the thread go.
 * The accounting calls in only past the threshold (or for an exit), so
 * nothing here is on the path of a short wait.  Probe context: interrupts
 * off, a run-queue lock held; nothing here sleeps or allocates.
 */
#include <linux/pid.h>
#include <linux/rcupdate.h>
#include <linux/string.h>
#include "ws_compat.h"
#include "ws_recorder.h"
#include "ws_slow.h"
#include "ws_task.h"

static void ws_copy_comm(char *dst, const struct task_struct *p)
{
	/* The task may rename itself meanwhile: a torn name is still a name. */
	memcpy(dst, p->comm, TASK_COMM_LEN);
	dst[TASK_COMM_LEN - 1] = '\0';
}

static void ws_event_of(struct ws_event *ev, const struct ws_thread_entry *e,
			struct task_struct *p, u64 now, u8 kind)
{
	memset(ev, 0, sizeof(*ev));
	ev->kind = kind;
	ev->time_ns = now;
	ev->tid = e->tid;
	ev->tgid = e->tgid;
	ev->syscall = -1;
	ev->reason = WS_NR_REASONS;
	ev->cgroup_id = ws_task_cgroup_id(p);
	ws_copy_comm(ev->comm, p);
}

/* The syscall and futex word of a blocking wait (none for runq). */
static void ws_event_site(struct ws_event *ev, const struct ws_thread_entry *e,
			  unsigned int reason)
{
	ev->reason = reason;
	if (reason == WS_R_RUNQ)
		return;
	ev->syscall = e->syscall;
	if (reason == WS_R_FUTEX) {
		ev->futex_uaddr = e->futex_uaddr;
		ev->futex_op = e->futex_op;
	}
}

static void ws_event_wait(struct ws_event *ev, const struct ws_thread_entry *e,
			  struct task_struct *p, const struct ws_wait_end *end)
{
	ws_event_of(ev, e, p, end->now, WS_EV_WAIT);
	ws_event_site(ev, e, end->reason);
	ev->duration_ns = end->ns;
	if (end->partial)
		ev->flags |= WS_EV_PARTIAL;
}

/*
 * The off-CPU interval of p ended as it got the CPU: a run-queue wait
 * (or a block no wakeup was seen to end).  runqslower -P's "prev": the task
 * that had the CPU until now is who it waited behind.
 */
void ws_slow_switched_in(struct ws_state *ws, const struct ws_thread_entry *e,
			 struct task_struct *p, struct task_struct *prev,
			 const struct ws_wait_end *end)
{
	struct ws_event ev;

	ws_event_wait(&ev, e, p, end);
	if (end->reason == WS_R_RUNQ) {
		ev.other_tid = prev->pid;
		ws_copy_comm(ev.other_comm, prev);
	}
	ws_rec_write(&ws->rec, &ev);
}

/* The waker's comm: the current task's, or looked up by its tid. */
static void ws_waker_comm(char *dst, u32 waker)
{
	struct task_struct *t;

	if (!waker) {
		strscpy(dst, "[irq]", TASK_COMM_LEN);
		return;
	}
	if (in_task() && current->pid == waker) {
		ws_copy_comm(dst, current);
		return;
	}
	rcu_read_lock();
	t = pid_task(find_pid_ns(waker, &init_pid_ns), PIDTYPE_PID);
	if (t)
		ws_copy_comm(dst, t);
	rcu_read_unlock();
}

/*
 * A block of p ended in its wakeup: the waker, and p's kernel stack as it
 * slept.  p cannot run before this wakeup is done (its run-queue lock is
 * held), so the stack is still the sleeping one.
 */
void ws_slow_woken(struct ws_state *ws, const struct ws_thread_entry *e, struct task_struct *p,
		   const struct ws_wait_end *end)
{
	struct ws_event ev;

	ws_event_wait(&ev, e, p, end);
	ev.other_tid = READ_ONCE(e->pending_waker);
	ws_waker_comm(ev.other_comm, ev.other_tid);
	ev.nr_frames = ws_task_stack(p, ev.stack, WS_REC_STACK_DEPTH);
	ws_rec_write(&ws->rec, &ev);
}

/* p's last switch: what it counted, and the wait a fatal signal ended. */
void ws_slow_exit(struct ws_state *ws, const struct ws_thread_entry *e, struct task_struct *p,
		  u64 now)
{
	struct ws_event_totals *t;
	struct ws_event ev;
	unsigned int r;

	ws_event_of(&ev, e, p, now, WS_EV_EXIT);
	if (e->flags & WS_F_KILLED) {
		ev.flags |= WS_EV_KILLED;
		ws_event_site(&ev, e, e->killed_reason);
		ev.duration_ns = (u64)e->killed_wait_ms * NSEC_PER_MSEC;
	}
	t = &ev.totals;
	for (r = 0; r < WS_NR_REASONS; r++) {
		t->n[r] = ws_hist_count(&e->hist[r]);
		t->ns[r] = e->hist[r].total_ns;
	}
	t->nvcsw = e->nvcsw;
	t->nivcsw = e->nivcsw;
	/* Its last run, which no later switch will close. */
	t->oncpu_ns = e->oncpu_ns;
	if (e->state == WS_ST_ONCPU && e->since && now > e->since)
		t->oncpu_ns += now - e->since;
	ws_rec_write(&ws->rec, &ev);
}
