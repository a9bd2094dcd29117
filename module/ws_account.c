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
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/percpu.h>
#include <linux/sched/signal.h>
#include <linux/string.h>
#include "ws_account.h"
#include "ws_classify.h"
#include "ws_slow.h"
#include "ws_task.h"

int ws_account_init(struct ws_state *ws)
{
	struct ws_settings *set = &ws->set;
	int err;

	ws->cpu = alloc_percpu(struct ws_cpu_stats);
	if (!ws->cpu)
		return -ENOMEM;
	err = ws_table_init(&ws->threads, set->capacity, set->tid_slots);
	if (err) {
		pr_err("cannot allocate the thread table (capacity=%u, %zu KiB)\n", set->capacity,
		       (size_t)set->capacity * sizeof(struct ws_thread_entry) / 1024);
		goto err_cpu;
	}
	err = ws_futex_init(&ws->futexes, set->futex_capacity);
	if (err) {
		pr_err("cannot allocate the futex table (futex_capacity=%u)\n",
		       set->futex_capacity);
		goto err_threads;
	}
	err = ws_rec_init(&ws->rec, set->slow_capacity);
	if (err) {
		pr_err("cannot allocate the event rings (slow_capacity=%u)\n", set->slow_capacity);
		goto err_futex;
	}
	ws_rec_set_min_us(&ws->rec, set->slow_min_us);
	ws->rec.exits = set->exit_events;
	return 0;

err_futex:
	ws_futex_destroy(&ws->futexes);
err_threads:
	ws_table_destroy(&ws->threads);
err_cpu:
	free_percpu(ws->cpu);
	ws->cpu = NULL;
	return err;
}

void ws_account_destroy(struct ws_state *ws)
{
	ws_rec_destroy(&ws->rec);
	ws_futex_destroy(&ws->futexes);
	ws_table_destroy(&ws->threads);
	free_percpu(ws->cpu);
	ws->cpu = NULL;
}

/* Forget everything counted.  Only with no probe attached. */
void ws_account_clear(struct ws_state *ws)
{
	int cpu;

	ws_table_clear(&ws->threads);
	ws_futex_clear(&ws->futexes);
	ws_rec_clear(&ws->rec);
	for_each_possible_cpu(cpu)
		memset(per_cpu_ptr(ws->cpu, cpu), 0, sizeof(struct ws_cpu_stats));
}

/* All of it is allocated at load, so this is also the most it uses. */
size_t ws_account_memory(struct ws_state *ws)
{
	return ws_table_memory(&ws->threads) + ws_futex_memory(&ws->futexes) +
	       ws_rec_memory(&ws->rec) + nr_cpu_ids * sizeof(struct ws_cpu_stats);
}

/* The per-CPU counters summed over every CPU. */
void ws_account_totals(struct ws_state *ws, struct ws_cpu_stats *sum)
{
	const u64 *src;
	u64 *dst = (u64 *)sum;
	unsigned int i;
	int cpu;

	memset(sum, 0, sizeof(*sum));
	for_each_possible_cpu(cpu) {
		src = (const u64 *)per_cpu_ptr(ws->cpu, cpu);
		for (i = 0; i < sizeof(*sum) / sizeof(u64); i++)
			dst[i] += READ_ONCE(src[i]);
	}
}

void ws_entry_init_of(struct ws_entry_init *b, struct task_struct *p)
{
	memset(b, 0, sizeof(*b));
	ws_key_of(&b->key, p);
	b->tgid = p->tgid;
	b->syscall = -1;
	b->flags = p->flags & PF_KTHREAD ? WS_F_KTHREAD : 0;
}

/*
 * p's entry: one load from its tid's slot, checked against p's key inside
 * the entry's seqcount (see "Lock-free lookups" at the top of ws_table.c).
 */
static struct ws_thread_entry *ws_find_entry(struct ws_state *ws, struct task_struct *p)
{
	struct ws_key k;

	ws_key_of(&k, p);
	return ws_table_find(&ws->threads, &k);
}

/*
 * Filtered out, or dropped because the table was full when it first came:
 * a thread that will find no entry, so it does not look for one.
 */
static bool ws_untraced(struct ws_state *ws, struct task_struct *p)
{
	u32 filter = READ_ONCE(ws->set.filter_tgid);

	return (filter && p->tgid != filter) || ws_table_is_dropped(&ws->threads, p->pid);
}

/* Should p get an entry now?  Not once it is exiting. */
bool ws_should_track(struct ws_state *ws, struct task_struct *p)
{
	return !(p->flags & PF_EXITING) && !ws_untraced(ws, p);
}

static struct ws_thread_entry *ws_find_or_add_entry(struct ws_state *ws,
						    struct task_struct *p)
{
	struct ws_thread_entry *e;
	struct ws_entry_init b;

	if (ws_untraced(ws, p))
		return NULL;
	e = ws_find_entry(ws, p);
	if (e || p->flags & PF_EXITING)
		return e;
	ws_entry_init_of(&b, p);
	return ws_table_add(&ws->threads, &b);
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
static unsigned int ws_close_off(struct ws_state *ws, struct ws_thread_entry *e, u64 now,
				 u64 *ns)
{
	unsigned int reason = e->state - WS_ST_OFF;

	*ns = 0;
	if (e->flags & WS_F_PARTIAL || !e->since)
		return WS_NR_REASONS;
	*ns = ws_elapsed(e->since, now);
	ws_hist_add(&e->hist[reason], *ns);
	/* Machine-wide totals, which outlive the thread (monotonic counters). */
	this_cpu_inc(ws->cpu->reason_n[reason]);
	this_cpu_add(ws->cpu->reason_ns[reason], *ns);
	return reason;
}

/* A completed futex wait of p, into the per-process futex table. */
static void ws_record_futex(struct ws_state *ws, struct ws_thread_entry *e,
			    struct task_struct *p, unsigned int reason, u64 ns)
{
	struct ws_futex_wait w;

	if (reason != WS_R_FUTEX)
		return;
	w.tgid = p->tgid;
	w.pstart = ws_process_start(p);
	w.uaddr = e->futex_uaddr;
	w.op = e->futex_op;
	w.lock = ws_futex_is_lock_wait(e->futex_op, e->futex_val);
	ws_futex_add(&ws->futexes, &w, ns);
}

/* Where a blocking task waits: its reason, syscall and futex word. */
unsigned int ws_block_reason(struct task_struct *p, struct pt_regs *regs,
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

/*
 * prev's last switch: its exit event, then its entry goes (or its
 * "dropped" mark, if it had none).
 */
static void ws_switch_exit(struct ws_state *ws, struct task_struct *prev, u64 now)
{
	struct ws_thread_entry *e = ws_find_entry(ws, prev);

	if (e && ws_rec_exits(&ws->rec))
		ws_slow_exit(ws, e, prev, now);
	if (e)
		ws_table_del(&ws->threads, e);
	else
		ws_table_forget_dropped(&ws->threads, prev->pid);
}

/* Close e's run on the CPU at now. */
static void ws_close_run(struct ws_state *ws, struct ws_thread_entry *e, u64 now)
{
	u64 ran;

	if (e->state != WS_ST_ONCPU || !e->since)
		return;
	ran = ws_elapsed(e->since, now);
	e->oncpu_ns += ran;
	this_cpu_add(ws->cpu->oncpu_ns, ran);
}

/* prev leaves the CPU, preempted or blocking: its off-CPU interval begins. */
static void ws_switch_out(struct ws_state *ws, struct task_struct *prev,
			  struct task_struct *next, bool preempt, unsigned int prev_state,
			  u64 now)
{
	struct ws_wait_site w = { .nr = -1 };
	struct ws_thread_entry *e;
	unsigned int reason;

	e = ws_find_or_add_entry(ws, prev);
	if (!e)
		return;
	if (ws_switch_blocks(preempt, prev_state, READ_ONCE(prev->__state)))
		reason = ws_block_reason(prev, ws_current_regs(prev), prev_state, &w);
	else
		reason = WS_R_RUNQ;

	ws_entry_write_begin(e);
	ws_close_run(ws, e, now);
	if (reason == WS_R_RUNQ) {
		e->nivcsw++;
		if (!is_idle_task(next))
			e->preempt_tid = next->pid;
	} else {
		e->nvcsw++;
		e->syscall = w.nr;
		if (reason == WS_R_FUTEX) {
			e->futex_uaddr = w.uaddr;
			e->futex_op = w.futex_op;
			e->futex_val = w.futex_val;
		}
	}
	e->state = ws_state_off(reason);
	e->since = now;
	e->flags &= ~WS_F_PARTIAL;
	ws_entry_write_end(e);
}

/*
 * An interval of e that ended at now with no length recorded (partial:
 * begun before tracing saw it), as long as it is known to be: its floor.
 */
static void ws_partial_end(const struct ws_thread_entry *e, u64 now, struct ws_wait_end *end)
{
	end->reason = e->state - WS_ST_OFF;
	end->ns = e->since ? ws_elapsed(e->since, now) : 0;
	end->partial = true;
}

/*
 * Is the wait that just ended, of ns (or a partial one: reason
 * WS_NR_REASONS), an event?  A recorded wait shorter than the threshold
 * costs the one comparison.
 */
static bool ws_slow_end(struct ws_state *ws, const struct ws_thread_entry *e, unsigned int reason,
			u64 ns, u64 now, struct ws_wait_end *end)
{
	if (likely(reason < WS_NR_REASONS)) {
		if (likely(!ws_rec_wants(&ws->rec, ns)))
			return false;
		end->reason = reason;
		end->ns = ns;
		end->partial = false;
	} else {
		if (e->state < WS_ST_OFF)
			return false;
		ws_partial_end(e, now, end);
		if (!ws_rec_wants(&ws->rec, end->ns))
			return false;
	}
	end->now = now;
	return true;
}

/* next gets the CPU from prev: its off-CPU interval ends. */
static void ws_switch_in(struct ws_state *ws, struct task_struct *prev, struct task_struct *next,
			 u64 now)
{
	struct ws_thread_entry *e = ws_find_or_add_entry(ws, next);
	unsigned int reason = WS_NR_REASONS;
	struct ws_wait_end end;
	bool unwoken, slow;
	u64 ns = 0;

	if (!e)
		return;
	ws_entry_write_begin(e);
	if (e->state >= WS_ST_OFF)
		reason = ws_close_off(ws, e, now, &ns);
	slow = ws_slow_end(ws, e, reason, ns, now, &end);
	/* Every real block ends in a wakeup first: a self-check. */
	unwoken = reason != WS_R_RUNQ && reason < WS_NR_REASONS;
	e->unwoken += unwoken;
	e->state = WS_ST_ONCPU;
	e->since = now;
	e->flags &= ~WS_F_PARTIAL;
	ws_entry_write_end(e);

	if (reason == WS_R_RUNQ)
		this_cpu_inc(ws->cpu->runq[ws_slot(ns)]);
	else if (unwoken)
		this_cpu_inc(ws->cpu->blocks_unwoken);
	ws_record_futex(ws, e, next, reason, ns);
	if (unlikely(slow))
		ws_slow_switched_in(ws, e, next, prev, &end);
}

void ws_account_switch(struct ws_state *ws, bool preempt, struct task_struct *prev,
		       struct task_struct *next, unsigned int prev_state)
{
	u64 now = ws_now();

	if (ws_switch_is_exit(prev_state))
		ws_switch_exit(ws, prev, now);
	else if (!is_idle_task(prev))
		ws_switch_out(ws, prev, next, preempt, prev_state, now);
	if (!is_idle_task(next))
		ws_switch_in(ws, prev, next, now);
}

/*
 * A block that a fatal signal (a kill, or another thread's exit_group())
 * ends is where the thread was when its process went away: kept for its
 * exit event.  Blocks on the exit path itself (PF_EXITING) do not count.
 */
static void ws_note_kill(struct ws_state *ws, struct ws_thread_entry *e, struct task_struct *p,
			 unsigned int reason, u64 ns, u64 now)
{
	struct ws_wait_end end = { .reason = reason, .ns = ns };

	if (!ws_rec_exits(&ws->rec) || p->flags & PF_EXITING)
		return;
	if (likely(!__fatal_signal_pending(p)) || e->state < WS_ST_OFF) {
		e->flags &= ~WS_F_KILLED;
		return;
	}
	if (reason >= WS_NR_REASONS)
		ws_partial_end(e, now, &end);
	e->flags |= WS_F_KILLED;
	e->killed_reason = end.reason;
	e->killed_wait_ms = (u32)min_t(u64, end.ns / NSEC_PER_MSEC, U32_MAX);
}

/* The blocked interval ends here; the run-queue wait begins. */
void ws_account_wakeup(struct ws_state *ws, struct task_struct *p)
{
	unsigned int reason = WS_NR_REASONS;
	struct ws_thread_entry *e;
	struct ws_wait_end end;
	u64 now, ns = 0;
	bool slow;

	/*
	 * A task that is still on a CPU (woken before it got to switch out,
	 * or waking itself, the one case that runs without the rq lock) has
	 * no blocked interval to end.
	 */
	if (ws_task_on_cpu(p))
		return;
	e = ws_find_or_add_entry(ws, p);
	if (!e || e->state == WS_ST_ONCPU || e->state == ws_state_off(WS_R_RUNQ))
		return;
	now = ws_now();
	ws_entry_write_begin(e);
	if (e->state >= WS_ST_OFF)
		reason = ws_close_off(ws, e, now, &ns);
	slow = ws_slow_end(ws, e, reason, ns, now, &end);
	ws_note_kill(ws, e, p, reason, ns, now);
	e->state = ws_state_off(WS_R_RUNQ);
	e->since = now;
	e->flags &= ~WS_F_PARTIAL;
	ws_entry_write_end(e);
	/* This wakeup ends a block: its sched_waking named the waker. */
	WRITE_ONCE(e->waker_tid, READ_ONCE(e->pending_waker));
	ws_record_futex(ws, e, p, reason, ns);
	if (unlikely(slow))
		ws_slow_woken(ws, e, p, &end);
}

/*
 * "Who is waking me": runs in the waker's context, also for wakeups that
 * end no block (a task woken before it got off its CPU, or waking itself),
 * so the waker is only noted here and becomes the last waker at the
 * sched_wakeup that ends a block.  It is noted in the wakee's entry, not
 * in a per-CPU slot for the wakeup to take: a queued remote wakeup
 * (ttwu_queue_wakelist()) fires sched_wakeup on the wakee's CPU, from the
 * IPI, not on the waker's.  The lookup takes no lock.
 */
void ws_account_waking(struct ws_state *ws, struct task_struct *p)
{
	struct ws_thread_entry *e;

	if (ws_untraced(ws, p))
		return;
	e = ws_find_entry(ws, p);
	if (e)
		WRITE_ONCE(e->pending_waker, in_task() ? current->pid : 0);
}

/*
 * After an exec from a non-leader the task has its old leader's pid and
 * start time: file its entry under them, so it keeps its own history and
 * never shares the leader's entry (see "Re-keying on exec" in ws_table.c).
 * Runs in the task itself.
 */
void ws_account_exec(struct ws_state *ws, struct task_struct *p, pid_t old_pid)
{
	struct ws_key k;

	if (old_pid == p->pid)
		return;
	ws_key_of(&k, p);
	ws_table_rekey(&ws->threads, old_pid, &k);
}
