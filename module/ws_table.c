// SPDX-License-Identifier: GPL-2.0
/*
 * The thread table: one entry per tracked thread, preallocated at load.
 *
 * Concurrency
 * -----------
 * Finding an entry: the hash chains are changed and walked only under the
 * bucket's stripe lock (a raw spinlock, interrupts off), so a lookup never
 * follows a link into an element being recycled.
 *
 * Writing an entry: the scheduler serialises everything that happens to one
 * task under that task's run-queue lock.  Its switch out, its switch in and
 * its wakeup (sched_wakeup and sched_wakeup_new fire with the rq lock held,
 * also for the wakeup of a task that has not finished switching out, and
 * migration holds both rq locks) are therefore never concurrent with each
 * other, and each sees the previous one's writes.  (A task waking itself
 * fires sched_wakeup without the rq lock; the probe ignores any task that
 * is on a CPU, so that path writes nothing.)  Those probes are the only
 * writers of an entry's numbers, and they write inside the entry's
 * seqcount.  The two exceptions write one aligned word each, outside it:
 * sched_waking (the waker, under the task's pi_lock) stores waker_tid, and
 * nothing else.  New entries are filled before they are linked.
 *
 * Freeing an entry: only whoever unlinks it frees it.  A probe unlinks an
 * entry at its task's last switch (TASK_DEAD): nothing else can hold that
 * entry then, as nobody wakes or switches a dead task.  The collector
 * (ws_table_collect) unlinks entries whose task no longer exists and waits
 * for an RCU grace period, which covers every probe that found them before
 * the unlink (probes run with preemption off), before freeing them.
 *
 * Lock-free lookups (ws_table_try_ref, from a per-CPU hint): a probe may
 * also reach an entry without the stripe lock, checking inside the entry's
 * seqcount that it still holds the probe's (tid, start).  That is safe only
 * for a task that is not exiting (PF_EXITING clear), because then nobody
 * frees its entry while the probe runs:
 * - it has no last switch pending, and its other probes are serialised with
 *   each other as above;
 * - the collector frees only entries whose (tid, start) names no live task.
 *   A task's pid is unhashed only in release_task(), after exit_signals()
 *   set PF_EXITING, and a probe that starts after the collector's unlink
 *   sees that flag (the grace period orders it), so it takes the locked
 *   path.  The one live task whose old key the collector may free is a
 *   non-leader that exec'd: de_thread() gives it the leader's pid and start
 *   time under tasklist_lock with interrupts off, while it runs, so no
 *   probe is looking it up by its old key then.
 *
 * Reading: readers copy an entry inside the seqcount read section and retry
 * while a writer is active, so a copy is never torn; a copy whose tid is 0
 * is a free entry.  Counters only grow, so a copy is never negative.  Writers
 * never sleep or get preempted inside their section (probes run with
 * preemption off, the collector disables it), so readers never spin long.
 */
#include <linux/bitmap.h>
#include <linux/hash.h>
#include <linux/pid.h>
#include <linux/pid_namespace.h>
#include <linux/rcupdate.h>
#include <linux/string.h>
#include <linux/threads.h>
#include <linux/vmalloc.h>
#include "ws_compat.h"
#include "ws_table.h"

#ifndef CONFIG_DEBUG_LOCK_ALLOC
static_assert(sizeof(struct ws_thread) <= 1024);
#endif

static u32 ws_bucket(struct ws_table *t, u32 tid)
{
	return hash_32(tid, 32) & t->index.mask;
}

static struct ws_thread *ws_ent(struct ws_table *t, u32 ref)
{
	return &t->ent[ref - 1];
}

static u32 ws_ref(struct ws_table *t, struct ws_thread *e)
{
	return e - t->ent + 1;
}

int ws_table_init(struct ws_table *t, u32 capacity)
{
	int err;

	memset(t, 0, sizeof(*t));
	/* A capacity too large for this host fails here, quietly. */
	t->ent = __vmalloc(array_size(capacity, sizeof(*t->ent)),
			   GFP_KERNEL | __GFP_ZERO | __GFP_NOWARN);
	if (!t->ent)
		return -ENOMEM;
	t->dropped_map = vzalloc(BITS_TO_LONGS(PID_MAX_LIMIT) * sizeof(long));
	if (!t->dropped_map) {
		err = -ENOMEM;
		goto err_ent;
	}
	err = ws_pool_init(&t->pool, capacity);
	if (err)
		goto err_map;
	err = ws_index_init(&t->index, capacity);
	if (err)
		goto err_pool;
	ws_table_clear(t);
	return 0;

err_pool:
	ws_pool_destroy(&t->pool);
err_map:
	vfree(t->dropped_map);
err_ent:
	vfree(t->ent);
	t->ent = NULL;
	return err;
}

void ws_table_destroy(struct ws_table *t)
{
	ws_index_destroy(&t->index);
	ws_pool_destroy(&t->pool);
	vfree(t->dropped_map);
	vfree(t->ent);
	t->ent = NULL;
}

/* Forget every thread.  Only with no probe attached and no reader active. */
void ws_table_clear(struct ws_table *t)
{
	u32 i;

	for (i = 0; i < ws_table_capacity(t); i++) {
		memset(&t->ent[i], 0, sizeof(t->ent[i]));
		seqcount_init(&t->ent[i].seq);
	}
	ws_pool_reset(&t->pool);
	ws_index_reset(&t->index);
	bitmap_zero(t->dropped_map, PID_MAX_LIMIT);
	atomic_set(&t->dropped_now, 0);
	atomic64_set(&t->dropped_total, 0);
}

static struct ws_thread *ws_chain_find(struct ws_table *t, u32 b, u32 tid, u64 start)
{
	u32 ref;

	for (ref = ws_index_first(&t->index, b); ref; ref = ws_pool_next(&t->pool, ref)) {
		struct ws_thread *e = ws_ent(t, ref);

		if (e->tid == tid && e->start == start)
			return e;
	}
	return NULL;
}

struct ws_thread *ws_table_find(struct ws_table *t, u32 tid, u64 start)
{
	u32 b = ws_bucket(t, tid);
	raw_spinlock_t *lock = ws_index_lock(&t->index, b);
	struct ws_thread *e;
	unsigned long flags;

	raw_spin_lock_irqsave(lock, flags);
	e = ws_chain_find(t, b, tid, start);
	raw_spin_unlock_irqrestore(lock, flags);
	return e;
}

/*
 * The entry ref if it holds thread (tid, start) right now, else NULL.
 * Lock-free, for a hint that may be stale; only for a thread that is not
 * exiting (see "Lock-free lookups" above).  An entry being written counts
 * as a miss.
 */
struct ws_thread *ws_table_try_ref(struct ws_table *t, u32 ref, u32 tid, u64 start)
{
	struct ws_thread *e;
	unsigned int seq;
	bool same;

	if (!ref || ref > ws_table_capacity(t))
		return NULL;
	e = ws_ent(t, ref);
	seq = raw_read_seqcount(&e->seq);
	if (seq & 1)
		return NULL;
	same = READ_ONCE(e->tid) == tid && READ_ONCE(e->start) == start;
	if (read_seqcount_retry(&e->seq, seq))
		return NULL;
	return same ? e : NULL;
}

u32 ws_table_ref(struct ws_table *t, struct ws_thread *e)
{
	return ws_ref(t, e);
}

static void ws_thread_fill(struct ws_thread *e, const struct ws_birth *b)
{
	e->tid = b->tid;
	e->tgid = b->tgid;
	e->start = b->start;
	e->cgroup_id = b->cgroup_id;
	e->since = b->since;
	e->futex_uaddr = b->futex_uaddr;
	e->futex_op = b->futex_op;
	e->syscall = b->syscall;
	e->state = b->state;
	e->flags = b->flags;
	memcpy(e->comm, b->comm, sizeof(e->comm));
}

static void ws_count_drop(struct ws_table *t, u32 tid)
{
	if (!test_and_set_bit(tid, t->dropped_map)) {
		atomic_inc(&t->dropped_now);
		atomic64_inc(&t->dropped_total);
	}
}

/*
 * The entry for b's thread, created from b if it has none.  NULL when the
 * table is full: the thread is then counted as dropped, once.
 */
struct ws_thread *ws_table_add(struct ws_table *t, const struct ws_birth *b)
{
	u32 bucket = ws_bucket(t, b->tid), ref;
	raw_spinlock_t *lock = ws_index_lock(&t->index, bucket);
	struct ws_thread *e;
	unsigned long flags;

	raw_spin_lock_irqsave(lock, flags);
	e = ws_chain_find(t, bucket, b->tid, b->start);
	if (!e) {
		ref = ws_pool_get(&t->pool);
		if (ref) {
			e = ws_ent(t, ref);
			/* Free entries are zero but for seq: no reader sees this fill. */
			ws_thread_write_begin(e);
			ws_thread_fill(e, b);
			ws_thread_write_end(e);
			ws_index_link(&t->index, &t->pool, bucket, ref);
		}
	}
	raw_spin_unlock_irqrestore(lock, flags);
	if (!e)
		ws_count_drop(t, b->tid);
	return e;
}

static void ws_thread_wipe(struct ws_thread *e)
{
	ws_thread_write_begin(e);
	memset((char *)e + sizeof(e->seq), 0, sizeof(*e) - sizeof(e->seq));
	ws_thread_write_end(e);
}

/*
 * Unlink e if it still belongs to thread (tid, start): an entry read without
 * the lock may have been freed and reused by another thread since.
 */
static bool ws_table_unlink(struct ws_table *t, struct ws_thread *e, u32 tid, u64 start)
{
	u32 b = ws_bucket(t, tid);
	raw_spinlock_t *lock = ws_index_lock(&t->index, b);
	unsigned long flags;
	bool gone = false;

	raw_spin_lock_irqsave(lock, flags);
	if (e->tid == tid && e->start == start)
		gone = ws_index_unlink(&t->index, &t->pool, b, ws_ref(t, e));
	raw_spin_unlock_irqrestore(lock, flags);
	return gone;
}

/* Unlink and free e now; false if someone else already unlinked it. */
bool ws_table_del(struct ws_table *t, struct ws_thread *e)
{
	if (!ws_table_unlink(t, e, e->tid, e->start))
		return false;
	ws_thread_wipe(e);
	ws_pool_put(&t->pool, ws_ref(t, e));
	return true;
}

void ws_table_forget_dropped(struct ws_table *t, u32 tid)
{
	if (test_and_clear_bit(tid, t->dropped_map))
		atomic_dec(&t->dropped_now);
}

/* Copy entry i; false when it is free. */
bool ws_table_read(struct ws_table *t, u32 i, struct ws_thread *copy)
{
	struct ws_thread *e = &t->ent[i];
	unsigned int seq;

	do {
		seq = raw_read_seqcount_begin(&e->seq);
		memcpy(copy, e, sizeof(*copy));
	} while (read_seqcount_retry(&e->seq, seq));
	copy->waker_tid = READ_ONCE(e->waker_tid);
	return copy->tid != 0;
}

/* The comm of the tracked thread tid (any generation), if there is one. */
bool ws_table_comm(struct ws_table *t, u32 tid, char *comm)
{
	u32 b = ws_bucket(t, tid), ref;
	raw_spinlock_t *lock = ws_index_lock(&t->index, b);
	unsigned long flags;
	bool found = false;

	raw_spin_lock_irqsave(lock, flags);
	for (ref = ws_index_first(&t->index, b); ref; ref = ws_pool_next(&t->pool, ref)) {
		struct ws_thread *e = ws_ent(t, ref);

		if (e->tid == tid) {
			memcpy(comm, e->comm, TASK_COMM_LEN);
			comm[TASK_COMM_LEN - 1] = '\0';
			found = true;
			break;
		}
	}
	raw_spin_unlock_irqrestore(lock, flags);
	return found;
}

static bool ws_thread_alive(u32 tid, u64 start)
{
	struct task_struct *p;
	bool alive;

	rcu_read_lock();
	p = pid_task(find_pid_ns(tid, &init_pid_ns), PIDTYPE_PID);
	alive = p && ws_task_start(p) == start;
	rcu_read_unlock();
	return alive;
}

#define WS_COLLECT_BATCH	64

/*
 * Forget "dropped" marks of tids with no live thread: a thread that exec'd
 * from a non-leader changed tid, and a tid can be reused between a thread's
 * release and its last switch; either would leave a later thread untracked.
 */
static void ws_collect_dropped(struct ws_table *t)
{
	unsigned long tid;
	bool alive;

	/* Nothing marked: skip the scan of the 512 KiB map. */
	if (!atomic_read(&t->dropped_now))
		return;
	for_each_set_bit(tid, t->dropped_map, PID_MAX_LIMIT) {
		rcu_read_lock();
		alive = !!pid_task(find_pid_ns(tid, &init_pid_ns), PIDTYPE_PID);
		rcu_read_unlock();
		if (!alive)
			ws_table_forget_dropped(t, tid);
		cond_resched();
	}
}

static void ws_free_batch(struct ws_table *t, u32 *refs, unsigned int n)
{
	unsigned int i;

	/* Probes that found these entries before the unlink have finished. */
	synchronize_rcu();
	/* A seqcount writer must not be preempted while readers may spin. */
	preempt_disable();
	for (i = 0; i < n; i++) {
		ws_thread_wipe(ws_ent(t, refs[i]));
		ws_pool_put(&t->pool, refs[i]);
	}
	preempt_enable();
}

/* Unlink entry i if the thread it names no longer exists; true if it did. */
static bool ws_unlink_if_gone(struct ws_table *t, u32 i)
{
	struct ws_thread *e = &t->ent[i];
	u32 tid = READ_ONCE(e->tid);
	u64 start;

	/* Read tid before start: ws_thread_fill() writes both under seq. */
	smp_rmb();
	start = READ_ONCE(e->start);
	return tid && !ws_thread_alive(tid, start) && ws_table_unlink(t, e, tid, start);
}

/*
 * Free the entries of threads that no longer exist but never had a last
 * switch seen: a thread that called execve() from a non-leader thread takes
 * over the leader's tid, and its old tid's entry is never switched again.
 * Such entries are rare, so each call looks at no more than budget entries,
 * resuming where the last call stopped: a pass costs the same at any
 * capacity (a whole pass over 51,200 entries took 0.4-1.1 s under TCG).
 * Process context, one caller at a time; returns how many were freed.
 */
unsigned int ws_table_collect(struct ws_table *t, u32 budget)
{
	u32 refs[WS_COLLECT_BATCH], cap = ws_table_capacity(t);
	unsigned int n = 0, freed = 0;

	for (budget = min(budget, cap); budget; budget--) {
		u32 i = t->collect_next;

		t->collect_next = i + 1 < cap ? i + 1 : 0;
		cond_resched();
		if (!ws_unlink_if_gone(t, i))
			continue;
		refs[n++] = i + 1;
		if (n == WS_COLLECT_BATCH) {
			ws_free_batch(t, refs, n);
			freed += n;
			n = 0;
		}
	}
	if (n)
		ws_free_batch(t, refs, n);
	ws_collect_dropped(t);
	return freed + n;
}

/*
 * What the table allocated (before allocator rounding): entries, links,
 * index, dropped-tid map.
 */
size_t ws_table_memory(const struct ws_table *t)
{
	return (size_t)t->pool.capacity * sizeof(*t->ent) + ws_pool_memory(&t->pool) +
	       ws_index_memory(&t->index) + BITS_TO_LONGS(PID_MAX_LIMIT) * sizeof(long);
}
