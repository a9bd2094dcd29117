// SPDX-License-Identifier: GPL-2.0
/*
 * The thread table: one entry per tracked thread, preallocated at load.
 *
 * Concurrency
 * -----------
 * Keys.  An entry belongs to one task: its key is (tid, start time, task
 * address), see struct ws_key.  tid and start time alone are not unique for
 * a moment during exec: de_thread() gives a non-leader that execs its old
 * leader's start time, then its pid (exchange_tids()), while the old leader,
 * already a zombie, may still be on its way to its last switch on another
 * CPU.  With the address in the key the two never match each other's entry,
 * so the old leader's last switch can free only its own entry and the
 * exec'ing thread can write only its own.
 *
 * Finding an entry: the hash chains are changed and walked only under the
 * bucket's stripe lock (a raw spinlock, interrupts off), so a lookup never
 * follows a link into an element being recycled.
 *
 * Writing an entry: only the probes of the entry's own task write its
 * numbers, inside the entry's seqcount.  The scheduler serialises them under
 * that task's run-queue lock: its switch out, its switch in and its wakeup
 * (sched_wakeup and sched_wakeup_new fire with the rq lock held, also for
 * the wakeup of a task that has not finished switching out, and migration
 * holds both rq locks) are never concurrent with each other, and each sees
 * the previous one's writes.  A task waking itself fires sched_wakeup
 * without the rq lock; the probe ignores any task that is on a CPU, so that
 * path writes nothing.  sched_process_exec runs in the task itself, which
 * then has no switch or wakeup in progress.  Two writes are single aligned
 * words outside the seqcount: sched_waking (the waker, under the task's
 * pi_lock) stores pending_waker, and the wakeup that ends a block moves it
 * to waker_tid.  New entries are filled before they are linked.
 *
 * Freeing an entry: only whoever unlinks it frees it.
 * - A probe unlinks an entry at its own task's last switch (TASK_DEAD).
 *   Nothing else holds that entry then: nobody wakes or switches a dead task,
 *   and no other task's key matches it.
 * - The collector (ws_table_collect) unlinks entries whose key names no live
 *   task (no task has that tid, or it is another task_struct, or another
 *   start), and waits for an RCU grace period, which covers every probe that
 *   found them before the unlink (probes run with preemption off), before
 *   freeing them.  That covers the old leader's entry when its last switch
 *   read its new pid, threads the load-time sweep gave an entry just as they
 *   exited, and an exec'ing thread's old entry if the collector reaches it
 *   before sched_process_exec re-keys it (the thread then starts afresh).
 *
 * Re-keying on exec (ws_table_rekey): sched_process_exec passes the old
 * tid.  The exec'ing thread unlinks its entry from the old tid's chain,
 * writes the new key inside its seqcount and links it into the new chain.
 * If its probes made a new entry between de_thread() and the tracepoint
 * (they no longer found the old one), that one's counts are folded in and
 * it is freed, as at a last switch: only the task's own probes use it, and
 * it is the task that runs the tracepoint.
 *
 * Lock-free lookups (ws_table_try_ref, from a per-CPU hint): a probe may
 * also reach an entry without the stripe lock, checking inside the entry's
 * seqcount that it still holds the probe's key.  That is safe for a task
 * that is not exiting (PF_EXITING clear), because then nobody frees its
 * entry while the probe runs: it has no last switch pending, its other
 * probes are serialised with each other as above, and the collector frees
 * only entries whose key names no live task, while a live task's pid always
 * finds that task (exchange_tids() swaps the pids of both tasks at once,
 * under tasklist_lock, while the exec'ing one runs).  Exiting tasks take the
 * locked path.
 *
 * Reading: readers copy an entry inside the seqcount read section and retry
 * while a writer is active, so a copy is never torn; a copy whose tid is 0
 * is a free entry.  Writers never sleep or get preempted inside their
 * section (probes run with preemption off, the collector disables it), so a
 * retry is short; still, a reader gives up after WS_READ_TRIES and counts
 * it (read_busy in stats) rather than trust that forever.
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

/* A seqcount reader's retries before it gives up on an entry. */
#define WS_READ_TRIES	1000

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
	atomic64_set(&t->read_busy, 0);
}

static bool ws_key_match(const struct ws_thread *e, const struct ws_key *k)
{
	return e->tid == k->tid && e->start == k->start && e->owner == k->owner;
}

static struct ws_thread *ws_chain_find(struct ws_table *t, u32 b, const struct ws_key *k)
{
	u32 ref;

	for (ref = ws_index_first(&t->index, b); ref; ref = ws_pool_next(&t->pool, ref)) {
		struct ws_thread *e = ws_ent(t, ref);

		if (ws_key_match(e, k))
			return e;
	}
	return NULL;
}

struct ws_thread *ws_table_find(struct ws_table *t, const struct ws_key *k)
{
	u32 b = ws_bucket(t, k->tid);
	raw_spinlock_t *lock = ws_index_lock(&t->index, b);
	struct ws_thread *e;
	unsigned long flags;

	raw_spin_lock_irqsave(lock, flags);
	e = ws_chain_find(t, b, k);
	raw_spin_unlock_irqrestore(lock, flags);
	return e;
}

/*
 * The entry ref if it holds thread k right now, else NULL.  Lock-free, for
 * a hint that may be stale; only for a thread that is not exiting (see
 * "Lock-free lookups" above).  An entry being written counts as a miss.
 */
struct ws_thread *ws_table_try_ref(struct ws_table *t, u32 ref, const struct ws_key *k)
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
	same = READ_ONCE(e->tid) == k->tid && READ_ONCE(e->start) == k->start &&
	       READ_ONCE(e->owner) == k->owner;
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
	e->tid = b->key.tid;
	e->start = b->key.start;
	e->owner = b->key.owner;
	e->tgid = b->tgid;
	e->cgroup_id = b->cgroup_id;
	e->since = b->since;
	e->futex_uaddr = b->futex_uaddr;
	e->futex_val = b->futex_val;
	e->futex_op = b->futex_op;
	e->syscall = b->syscall;
	e->state = b->state;
	e->flags = b->flags;
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
	u32 bucket = ws_bucket(t, b->key.tid), ref;
	raw_spinlock_t *lock = ws_index_lock(&t->index, bucket);
	struct ws_thread *e;
	unsigned long flags;

	raw_spin_lock_irqsave(lock, flags);
	e = ws_chain_find(t, bucket, &b->key);
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
		ws_count_drop(t, b->key.tid);
	return e;
}

static void ws_thread_wipe(struct ws_thread *e)
{
	ws_thread_write_begin(e);
	memset((char *)e + sizeof(e->seq), 0, sizeof(*e) - sizeof(e->seq));
	ws_thread_write_end(e);
}

/*
 * Unlink e if it still belongs to thread k: an entry read without the lock
 * may have been freed and reused by another thread since.
 */
static bool ws_table_unlink(struct ws_table *t, struct ws_thread *e, const struct ws_key *k)
{
	u32 b = ws_bucket(t, k->tid);
	raw_spinlock_t *lock = ws_index_lock(&t->index, b);
	unsigned long flags;
	bool gone = false;

	raw_spin_lock_irqsave(lock, flags);
	if (ws_key_match(e, k))
		gone = ws_index_unlink(&t->index, &t->pool, b, ws_ref(t, e));
	raw_spin_unlock_irqrestore(lock, flags);
	return gone;
}

static void ws_key_read(struct ws_key *k, const struct ws_thread *e)
{
	k->tid = e->tid;
	k->start = e->start;
	k->owner = e->owner;
}

/*
 * Unlink and free e now; false if someone else already unlinked it.  Only
 * from e's own task (its last switch), or with no probe attached.
 */
bool ws_table_del(struct ws_table *t, struct ws_thread *e)
{
	struct ws_key k;

	ws_key_read(&k, e);
	if (!ws_table_unlink(t, e, &k))
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

/* The entry of owner filed under tid, whatever its start time.  Stripe held. */
static struct ws_thread *ws_chain_find_owner(struct ws_table *t, u32 b, u32 tid,
					     unsigned long owner)
{
	u32 ref;

	for (ref = ws_index_first(&t->index, b); ref; ref = ws_pool_next(&t->pool, ref)) {
		struct ws_thread *e = ws_ent(t, ref);

		if (e->tid == tid && e->owner == owner)
			return e;
	}
	return NULL;
}

/*
 * Take the stripes of two buckets, the lower one first (no one else holds
 * two), as double_rq_lock() does, sparse annotations included.
 */
static void ws_lock_two(raw_spinlock_t *l1, raw_spinlock_t *l2)
	__acquires(l1) __acquires(l2)
{
	if (l1 == l2) {
		raw_spin_lock(l1);
		__acquire(l2);	/* one lock, both names */
		return;
	}
	if (l1 > l2)
		swap(l1, l2);
	raw_spin_lock(l1);
	raw_spin_lock_nested(l2, SINGLE_DEPTH_NESTING);
}

static void ws_unlock_two(raw_spinlock_t *l1, raw_spinlock_t *l2)
	__releases(l1) __releases(l2)
{
	raw_spin_unlock(l1);
	if (l1 != l2)
		raw_spin_unlock(l2);
	else
		__release(l2);
}

/*
 * Fold into e what the same task's newer entry n counted: the task slept or
 * was preempted between de_thread() and sched_process_exec (a PREEMPT_RT
 * exec usually does) and its probes, which no longer found e, made n.  The
 * counts add up; where the task is now is n's to tell.  (The interval e had
 * open when the pid changed, usually a short run on the CPU, is lost.)
 */
static void ws_thread_merge(struct ws_thread *e, const struct ws_thread *n)
{
	unsigned int r;

	e->oncpu_ns += n->oncpu_ns;
	e->nvcsw += n->nvcsw;
	e->nivcsw += n->nivcsw;
	e->unwoken += n->unwoken;
	for (r = 0; r < WS_NR_REASONS; r++)
		ws_hist_merge(&e->hist[r], &n->hist[r]);
	e->state = n->state;
	e->since = n->since;
	e->flags = n->flags;
	e->syscall = n->syscall;
	e->futex_uaddr = n->futex_uaddr;
	e->futex_val = n->futex_val;
	e->futex_op = n->futex_op;
	e->cgroup_id = n->cgroup_id;
	e->preempt_tid = n->preempt_tid;
	WRITE_ONCE(e->waker_tid, READ_ONCE(n->waker_tid));
	WRITE_ONCE(e->pending_waker, READ_ONCE(n->pending_waker));
}

/*
 * File the calling task's entry, made under old_tid, under its new key k
 * (after an exec from a non-leader), under both buckets' stripes at once.
 * An entry its probes made under k since de_thread() is folded into it and
 * freed.  Only from the task itself, so no probe of its own runs meanwhile.
 * False if it had no entry under old_tid (the collector may have taken it
 * first): then its entry under k, if any, goes on alone.
 */
bool ws_table_rekey(struct ws_table *t, u32 old_tid, const struct ws_key *k)
{
	u32 ob = ws_bucket(t, old_tid), nb = ws_bucket(t, k->tid);
	raw_spinlock_t *lo = ws_index_lock(&t->index, ob), *ln = ws_index_lock(&t->index, nb);
	struct ws_thread *e, *n = NULL;
	unsigned long flags;

	local_irq_save(flags);
	ws_lock_two(lo, ln);
	e = ws_chain_find_owner(t, ob, old_tid, k->owner);
	if (e) {
		n = ws_chain_find(t, nb, k);
		ws_index_unlink(&t->index, &t->pool, ob, ws_ref(t, e));
		if (n)
			ws_index_unlink(&t->index, &t->pool, nb, ws_ref(t, n));
		ws_thread_write_begin(e);
		e->tid = k->tid;
		e->start = k->start;
		if (n)
			ws_thread_merge(e, n);
		ws_thread_write_end(e);
		ws_index_link(&t->index, &t->pool, nb, ws_ref(t, e));
	}
	ws_unlock_two(lo, ln);
	local_irq_restore(flags);
	if (n) {
		/* As at a last switch: no other task's probe uses n. */
		ws_thread_wipe(n);
		ws_pool_put(&t->pool, ws_ref(t, n));
	}
	return e;
}

/*
 * Copy entry i; false when it is free, or still being written after
 * WS_READ_TRIES tries (counted in read_busy).  Its tid is read first: a
 * free entry costs one load, not a copy.
 */
bool ws_table_read(struct ws_table *t, u32 i, struct ws_thread *copy)
{
	struct ws_thread *e = &t->ent[i];
	unsigned int seq, tries;

	if (!READ_ONCE(e->tid))
		return false;
	for (tries = 0; tries < WS_READ_TRIES; tries++) {
		/* Not raw_read_seqcount_begin(): that one spins while odd. */
		seq = raw_read_seqcount(&e->seq);
		if (!(seq & 1)) {
			memcpy(copy, e, sizeof(*copy));
			if (!read_seqcount_retry(&e->seq, seq)) {
				copy->waker_tid = READ_ONCE(e->waker_tid);
				return copy->tid != 0;
			}
		}
		cpu_relax();
	}
	atomic64_inc(&t->read_busy);
	return false;
}

/* Does the task that made this entry still exist, under that key? */
static bool ws_thread_alive(const struct ws_key *k)
{
	struct task_struct *p;
	bool alive;

	rcu_read_lock();
	p = pid_task(find_pid_ns(k->tid, &init_pid_ns), PIDTYPE_PID);
	alive = p && (unsigned long)p == k->owner && ws_task_start(p) == k->start;
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
	unsigned int seq;
	struct ws_key k;

	/* Being written, or torn: it is looked at again on the next lap. */
	seq = raw_read_seqcount(&e->seq);
	if (seq & 1)
		return false;
	ws_key_read(&k, e);
	if (read_seqcount_retry(&e->seq, seq))
		return false;
	return k.tid && !ws_thread_alive(&k) && ws_table_unlink(t, e, &k);
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
