// SPDX-License-Identifier: GPL-2.0
/*
 * Per-thread accounting: the state machine the probes drive.
 *
 *   switch out, preempted  -> off CPU, reason runq
 *   switch out, blocking   -> off CPU, reason futex/io/uninterruptible/sleep
 *   wakeup of a blocked    -> the blocked interval ends; off CPU, reason runq
 *   switch in              -> the off-CPU interval ends; on CPU
 *
 * An interval is classified when it starts and recorded when it ends, into
 * exactly one reason.  A blocked episode therefore adds its sleep to one
 * blocking reason, then its wakeup-to-run delay to runq.  Who writes an
 * entry, when and under what is explained at the top of ws_table.c.
 */
#include <linux/hash.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/string.h>
#include "ws_account.h"
#include "ws_classify.h"
#include "ws_compat.h"

/*
 * The load-time sweep of all threads (ws_account_sweep) reschedules after
 * every WS_SWEEP_BATCH threads, and walks at most WS_SWEEP_WALKS times.
 */
#define WS_SWEEP_BATCH	1024
#define WS_SWEEP_WALKS	3

DEFINE_PER_CPU(struct ws_cpu_stats, ws_cpu_stats);

static void ws_birth_init(struct ws_birth *b, struct task_struct *p)
{
	memset(b, 0, sizeof(*b));
	ws_key_of(&b->key, p);
	b->tgid = p->tgid;
	b->cgroup_id = ws_task_cgroup_id(p);
	b->syscall = -1;
	b->flags = p->flags & PF_KTHREAD ? WS_F_KTHREAD : 0;
}

/*
 * p's entry: one load from its tid's slot, checked against p's key inside
 * the entry's seqcount (see "Lock-free lookups" at the top of ws_table.c).
 */
static struct ws_thread *ws_entry(struct task_struct *p)
{
	struct ws_key k;

	ws_key_of(&k, p);
	return ws_table_find(&ws_threads, &k);
}

/*
 * Filtered out, or dropped because the table was full when it first came:
 * a thread that will find no entry, so it does not look for one.
 */
static bool ws_untraced(struct task_struct *p)
{
	u32 filter = READ_ONCE(ws_filter_tgid);

	return (filter && p->tgid != filter) || ws_table_is_dropped(&ws_threads, p->pid);
}

/* Should p get an entry now?  Not once it is exiting. */
static bool ws_wants(struct task_struct *p)
{
	return !(p->flags & PF_EXITING) && !ws_untraced(p);
}

static struct ws_thread *ws_entry_or_new(struct task_struct *p)
{
	struct ws_thread *e;
	struct ws_birth b;

	if (ws_untraced(p))
		return NULL;
	e = ws_entry(p);
	if (e || p->flags & PF_EXITING)
		return e;
	ws_birth_init(&b, p);
	return ws_table_add(&ws_threads, &b);
}

static u64 ws_elapsed(u64 since, u64 now)
{
	return now > since ? now - since : 0;
}

/*
 * End e's off-CPU interval at now: add it to its reason's histogram.
 * Returns that reason and the length in *ns (the caller records a futex
 * wait in the futex table outside the write section), or WS_NR_REASONS
 * when nothing was recorded (a partial interval).
 */
static unsigned int ws_close_off(struct ws_thread *e, u64 now, u64 *ns)
{
	unsigned int reason = e->state - WS_ST_OFF;

	*ns = 0;
	if (e->flags & WS_F_PARTIAL || !e->since)
		return WS_NR_REASONS;
	*ns = ws_elapsed(e->since, now);
	ws_hist_add(&e->hist[reason], *ns);
	/* Machine-wide totals, which outlive the thread (monotonic counters). */
	this_cpu_inc(ws_cpu_stats.reason_n[reason]);
	this_cpu_add(ws_cpu_stats.reason_ns[reason], *ns);
	return reason;
}

/* A completed futex wait of p, into the per-process futex table. */
static void ws_record_futex(struct ws_thread *e, struct task_struct *p, unsigned int reason,
			    u64 ns)
{
	struct ws_futex_wait w;

	if (reason != WS_R_FUTEX)
		return;
	w.tgid = e->tgid;
	w.pstart = ws_process_start(p);
	w.uaddr = e->futex_uaddr;
	w.op = e->futex_op;
	w.lock = ws_futex_is_lock_wait(e->futex_op, e->futex_val);
	ws_futex_add(&ws_futexes, &w, ns);
}

/* Where a blocking task waits: its reason, syscall and futex word. */
struct ws_wait_site {
	long nr;
	unsigned long uaddr;
	u32 futex_val;
	unsigned int futex_op;
};

static unsigned int ws_block_reason(struct task_struct *p, struct pt_regs *regs,
				    unsigned int state, struct ws_wait_site *w)
{
	struct ws_switch_info si = {
		.prev_state = state,
		.iowait = p->in_iowait,
	};
	struct ws_syscall sc;
	unsigned int reason;

	ws_task_syscall(p, regs, &sc);
	si.syscall = sc.nr;
	si.compat = sc.compat;
	si.futex_op = sc.arg[1];
	w->nr = sc.nr;
	w->uaddr = sc.arg[0];
	reason = ws_classify(&si);
	w->futex_op = reason == WS_R_FUTEX ? ws_futex_op(sc.nr, sc.arg[1]) : 0;
	/* futex_waitv() and futex_wait() pass no single expected value. */
	w->futex_val = w->futex_op < WS_FUTEX_OP_WAITV ? (u32)sc.arg[2] : 0;
	return reason;
}

static void ws_switch_out(struct task_struct *prev, struct task_struct *next,
			  bool preempt, unsigned int prev_state, u64 now)
{
	struct ws_wait_site w = { .nr = -1 };
	unsigned int reason;
	struct ws_thread *e;

	if (ws_switch_is_exit(prev_state)) {
		e = ws_entry(prev);
		if (e)
			ws_table_del(&ws_threads, e);
		else
			ws_table_forget_dropped(&ws_threads, prev->pid);
		return;
	}
	e = ws_entry_or_new(prev);
	if (!e)
		return;
	if (ws_switch_blocks(preempt, prev_state, READ_ONCE(prev->__state)))
		reason = ws_block_reason(prev, ws_current_regs(prev), prev_state, &w);
	else
		reason = WS_R_RUNQ;

	ws_thread_write_begin(e);
	if (e->state == WS_ST_ONCPU && e->since) {
		u64 ran = ws_elapsed(e->since, now);

		e->oncpu_ns += ran;
		this_cpu_add(ws_cpu_stats.oncpu_ns, ran);
	}
	if (reason == WS_R_RUNQ) {
		e->nivcsw++;
		if (!is_idle_task(next))
			e->preempt_tid = next->pid;
	} else {
		e->nvcsw++;
		e->syscall = w.nr;
		/*
		 * Re-read at each block, not each preemption: a thread moved
		 * to another cgroup shows it from its next sleep on.
		 */
		e->cgroup_id = ws_task_cgroup_id(prev);
		if (reason == WS_R_FUTEX) {
			e->futex_uaddr = w.uaddr;
			e->futex_op = w.futex_op;
			e->futex_val = w.futex_val;
		}
	}
	e->state = ws_state_off(reason);
	e->since = now;
	e->flags &= ~WS_F_PARTIAL;
	ws_thread_write_end(e);
}

static void ws_switch_in(struct task_struct *next, u64 now)
{
	struct ws_thread *e = ws_entry_or_new(next);
	unsigned int reason = WS_NR_REASONS;
	u64 ns = 0;

	if (!e)
		return;
	ws_thread_write_begin(e);
	if (e->state >= WS_ST_OFF)
		reason = ws_close_off(e, now, &ns);
	/* Every real block ends in a wakeup first: a self-check. */
	if (reason != WS_R_RUNQ && reason < WS_NR_REASONS)
		e->unwoken++;
	e->state = WS_ST_ONCPU;
	e->since = now;
	e->flags &= ~WS_F_PARTIAL;
	ws_thread_write_end(e);

	if (reason == WS_R_RUNQ)
		this_cpu_inc(ws_cpu_stats.runq[ws_slot(ns)]);
	else if (reason < WS_NR_REASONS)
		this_cpu_inc(ws_cpu_stats.blocks_unwoken);
	ws_record_futex(e, next, reason, ns);
}

void ws_account_switch(bool preempt, struct task_struct *prev,
		       struct task_struct *next, unsigned int prev_state)
{
	u64 now = ws_now();

	if (!is_idle_task(prev))
		ws_switch_out(prev, next, preempt, prev_state, now);
	if (!is_idle_task(next))
		ws_switch_in(next, now);
}

/* The blocked interval ends here; the run-queue wait begins. */
void ws_account_wakeup(struct task_struct *p)
{
	unsigned int reason = WS_NR_REASONS;
	struct ws_thread *e;
	u64 now, ns = 0;

	/*
	 * A task that is still on a CPU (woken before it got to switch out,
	 * or waking itself, the one case that runs without the rq lock) has
	 * no blocked interval to end.
	 */
	if (ws_task_on_cpu(p))
		return;
	e = ws_entry_or_new(p);
	if (!e || e->state == WS_ST_ONCPU || e->state == ws_state_off(WS_R_RUNQ))
		return;
	now = ws_now();
	ws_thread_write_begin(e);
	if (e->state >= WS_ST_OFF)
		reason = ws_close_off(e, now, &ns);
	e->state = ws_state_off(WS_R_RUNQ);
	e->since = now;
	e->flags &= ~WS_F_PARTIAL;
	ws_thread_write_end(e);
	/* This wakeup ends a block: its sched_waking named the waker. */
	WRITE_ONCE(e->waker_tid, READ_ONCE(e->pending_waker));
	ws_record_futex(e, p, reason, ns);
}

/*
 * "Who is waking me": runs in the waker's context, also for wakeups that
 * end no block (a task woken before it got off its CPU, or waking itself),
 * so the waker is only noted here and becomes the last waker at the
 * sched_wakeup that ends a block.
 */
void ws_account_waking(struct task_struct *p)
{
	struct ws_thread *e = ws_entry(p);

	if (e)
		WRITE_ONCE(e->pending_waker, in_task() ? current->pid : 0);
}

/*
 * After an exec from a non-leader the task has its old leader's pid and
 * start time: file its entry under them, so it keeps its own history and
 * never shares the leader's entry (see "Re-keying on exec" in ws_table.c).
 * Runs in the task itself.
 */
void ws_account_exec(struct task_struct *p, pid_t old_pid)
{
	struct ws_key k;

	if (old_pid == p->pid)
		return;
	ws_key_of(&k, p);
	ws_table_rekey(&ws_threads, old_pid, &k);
}

/* Give @t an entry if it is asleep right now (see ws_account_sweep). */
static void ws_sweep_thread(struct task_struct *t)
{
	unsigned int state = READ_ONCE(t->__state);
	struct ws_wait_site w = { .nr = -1 };
	struct ws_birth b;

	/* Running, or on its way into schedule(): not blocked yet. */
	if (state == TASK_RUNNING || ws_task_on_cpu(t) || !ws_wants(t))
		return;
	ws_birth_init(&b, t);
	/* t may exit meanwhile: its stack is read only while it has one. */
	b.state = ws_state_off(ws_block_reason(t, ws_other_regs(t), state, &w));
	b.syscall = w.nr;
	b.futex_uaddr = w.uaddr;
	b.futex_val = w.futex_val;
	b.futex_op = w.futex_op;
	/* Taken per thread: the walk can take a while, and may reschedule. */
	b.since = ws_now();
	b.flags |= WS_F_PARTIAL;
	ws_table_add(&ws_threads, &b);
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
static bool ws_sweep_walk(void)
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
		ws_sweep_thread(t);
	}
unlock:
	rcu_read_unlock();
	return whole;
}

/*
 * Give every thread that is asleep right now an entry, so a thread blocked
 * since before tracing began is visible at once.  Its interval is marked
 * partial: its length so far is a lower bound and it is not added to the
 * histograms when it ends.  Runs with the probes attached; a thread the
 * probes reach first keeps their entry (ws_table_add never overwrites).
 *
 * The walk stops to reschedule every WS_SWEEP_BATCH threads: 50,000
 * threads took 0.4-0.9 s under TCG in one stretch.  A walk that loses its
 * place starts again from the top (the threads it already gave an entry
 * keep it), at most WS_SWEEP_WALKS times in all; a thread it never reaches
 * gets its entry at its next context switch, like any thread.
 */
void ws_account_sweep(void)
{
	unsigned int walks = 0;

	while (++walks <= WS_SWEEP_WALKS && !ws_sweep_walk())
		;
}

/* Forget everything counted.  Only with no probe attached. */
void ws_account_clear(void)
{
	int cpu;

	ws_table_clear(&ws_threads);
	ws_futex_clear(&ws_futexes);
	for_each_possible_cpu(cpu)
		memset(per_cpu_ptr(&ws_cpu_stats, cpu), 0, sizeof(struct ws_cpu_stats));
}

/* The per-CPU counters, per CPU. */
size_t ws_account_percpu_bytes(void)
{
	return sizeof(struct ws_cpu_stats);
}
