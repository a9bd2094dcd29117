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
 * Finding an entry: slots[tid] holds the ref of the entry filed under tid.
 * A lookup reads it once and checks the entry's key inside its seqcount:
 * one dependent load, no lock.  The overflow hash (tids past the slots, and
 * a thread whose slot another thread's entry still holds) is walked only
 * under its stripe lock, and only while it holds anything.  Every change to
 * tid's slot or chain is made under the stripe of tid (a raw spinlock,
 * interrupts off): filing a new entry (once per thread), unfiling one (its
 * last switch, the collector), re-keying one (exec).  So a key check and the
 * change it allows are one step, and a stale ref read without the lock is a
 * key mismatch, never another thread's entry.
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
 * Lock-free lookups (ws_table_find, ws_table_try_ref): a probe that finds
 * its own task's entry through the slot may use it until it returns,
 * because nothing frees it meanwhile: the task's own last switch is not
 * concurrent with its other probes, and the collector frees an entry only
 * after unfiling it and waiting for an RCU grace period, which covers every
 * probe (they run with preemption off) that found it before.  That holds
 * for an exiting task too.  sched_waking finds another task's entry the
 * same way and stores one word in it (pending_waker); if that task's last
 * switch frees the entry at that moment, the word lands in a free or
 * reused entry, which is overwritten by the next sched_waking of whoever
 * owns it before anything reads it.  The memory is the table's own, never
 * returned while the module is loaded.
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
#include "ws_table.h"

#ifndef CONFIG_DEBUG_LOCK_ALLOC
static_assert(sizeof(struct ws_thread_entry) <= 1024);
#endif

/* A seqcount reader's retries before it gives up on an entry. */
#define WS_READ_TRIES	1000

static u32 ws_bucket(struct ws_table *t, u32 tid)
{
	return hash_32(tid, 32) & t->overflow.mask;
}

/* The stripe that guards every change to tid's slot and overflow chain. */
static raw_spinlock_t *ws_tid_lock(struct ws_table *t, u32 tid)
{
	return ws_index_lock(&t->overflow, ws_bucket(t, tid));
}

static struct ws_thread_entry *ws_entry_at(struct ws_table *t, u32 ref)
{
	return &t->ent[ref - 1];
}

static u32 ws_entry_ref(struct ws_table *t, struct ws_thread_entry *e)
{
	return e - t->ent + 1;
}

int ws_table_init(struct ws_table *t, u32 capacity, u32 nr_slots)
{
	int err;

	memset(t, 0, sizeof(*t));
	/* A capacity too large for this host fails here, quietly. */
	t->ent = __vmalloc(array_size(capacity, sizeof(*t->ent)),
			   GFP_KERNEL | __GFP_ZERO | __GFP_NOWARN);
	if (!t->ent)
		return -ENOMEM;
	t->nr_slots = nr_slots;
	t->slots = vzalloc(array_size(nr_slots, sizeof(*t->slots)));
	if (!t->slots) {
		err = -ENOMEM;
		goto err_ent;
	}
	t->dropped_map = vzalloc(BITS_TO_LONGS(PID_MAX_LIMIT) * sizeof(long));
	if (!t->dropped_map) {
		err = -ENOMEM;
		goto err_slots;
	}
	err = ws_pool_init(&t->pool, capacity);
	if (err)
		goto err_map;
	/* Few threads ever overflow: a small hash is enough. */
	err = ws_index_init(&t->overflow, WS_OVERFLOW_BUCKETS);
	if (err)
		goto err_pool;
	ws_table_clear(t);
	return 0;

err_pool:
	ws_pool_destroy(&t->pool);
err_map:
	vfree(t->dropped_map);
err_slots:
	vfree(t->slots);
err_ent:
	vfree(t->ent);
	t->ent = NULL;
	return err;
}

void ws_table_destroy(struct ws_table *t)
{
	ws_index_destroy(&t->overflow);
	ws_pool_destroy(&t->pool);
	vfree(t->dropped_map);
	vfree(t->slots);
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
	memset(t->slots, 0, array_size(t->nr_slots, sizeof(*t->slots)));
	ws_pool_reset(&t->pool);
	ws_index_reset(&t->overflow);
	atomic_set(&t->nr_overflow, 0);
	bitmap_zero(t->dropped_map, PID_MAX_LIMIT);
	atomic_set(&t->dropped_now, 0);
	atomic64_set(&t->dropped_total, 0);
	atomic64_set(&t->read_busy, 0);
}

static bool ws_key_match(const struct ws_thread_entry *e, const struct ws_key *k)
{
	return e->tid == k->tid && e->start == k->start && e->owner == k->owner;
}

/* Stripe held: thread k's entry in the overflow chains. */
static struct ws_thread_entry *ws_overflow_find(struct ws_table *t, const struct ws_key *k)
{
	u32 ref;

	for (ref = ws_index_first(&t->overflow, ws_bucket(t, k->tid)); ref;
	     ref = ws_pool_next(&t->pool, ref)) {
		struct ws_thread_entry *e = ws_entry_at(t, ref);

		if (ws_key_match(e, k))
			return e;
	}
	return NULL;
}

/* Stripe held: thread k's entry, in its slot or overflowed. */
static struct ws_thread_entry *ws_locked_find(struct ws_table *t, const struct ws_key *k)
{
	u32 ref = k->tid < t->nr_slots ? t->slots[k->tid] : 0;

	if (ref && ws_key_match(ws_entry_at(t, ref), k))
		return ws_entry_at(t, ref);
	return atomic_read(&t->nr_overflow) ? ws_overflow_find(t, k) : NULL;
}

/*
 * The entry ref if it holds thread k right now, else NULL.  Lock-free, for a
 * ref read from a slot that may have changed since; an entry being written
 * counts as a miss (see "Lock-free lookups" above).
 */
struct ws_thread_entry *ws_table_try_ref(struct ws_table *t, u32 ref, const struct ws_key *k)
{
	struct ws_thread_entry *e;
	unsigned int seq;
	bool same;

	if (!ref || ref > ws_table_capacity(t))
		return NULL;
	e = ws_entry_at(t, ref);
	seq = raw_read_seqcount(&e->seq);
	if (seq & 1)
		return NULL;
	same = READ_ONCE(e->tid) == k->tid && READ_ONCE(e->start) == k->start &&
	       READ_ONCE(e->owner) == k->owner;
	if (read_seqcount_retry(&e->seq, seq))
		return NULL;
	return same ? e : NULL;
}

/*
 * Thread k's entry: one load from its slot, checked against k.  Only a
 * thread whose tid is past the slots, or whose slot another thread's entry
 * holds, is looked up in the overflow chains, under their stripe.
 */
struct ws_thread_entry *ws_table_find(struct ws_table *t, const struct ws_key *k)
{
	raw_spinlock_t *lock;
	struct ws_thread_entry *e;
	unsigned long flags;

	if (k->tid < t->nr_slots) {
		e = ws_table_try_ref(t, READ_ONCE(t->slots[k->tid]), k);
		if (e)
			return e;
	}
	if (!atomic_read(&t->nr_overflow))
		return NULL;
	lock = ws_tid_lock(t, k->tid);
	raw_spin_lock_irqsave(lock, flags);
	e = ws_overflow_find(t, k);
	raw_spin_unlock_irqrestore(lock, flags);
	return e;
}

static void ws_entry_fill(struct ws_thread_entry *e, const struct ws_entry_init *b)
{
	e->tid = b->key.tid;
	e->start = b->key.start;
	e->owner = b->key.owner;
	e->tgid = b->tgid;
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

/* Stripe held: file e under its tid, in its slot if that is free. */
static void ws_file(struct ws_table *t, struct ws_thread_entry *e)
{
	u32 tid = e->tid;

	if (tid < t->nr_slots && !t->slots[tid]) {
		/* The filled entry is seen before its ref. */
		smp_store_release(&t->slots[tid], ws_entry_ref(t, e));
		return;
	}
	ws_index_link(&t->overflow, &t->pool, ws_bucket(t, tid), ws_entry_ref(t, e));
	atomic_inc(&t->nr_overflow);
}

/* Stripe held: take e out of its slot or overflow chain; false if not there. */
static bool ws_unfile(struct ws_table *t, struct ws_thread_entry *e)
{
	u32 tid = e->tid, ref = ws_entry_ref(t, e);

	if (tid < t->nr_slots && t->slots[tid] == ref) {
		WRITE_ONCE(t->slots[tid], 0);
		return true;
	}
	if (!ws_index_unlink(&t->overflow, &t->pool, ws_bucket(t, tid), ref))
		return false;
	atomic_dec(&t->nr_overflow);
	return true;
}

/*
 * The entry for b's thread, created from b if it has none.  NULL when the
 * table is full: the thread is then counted as dropped, once.
 */
struct ws_thread_entry *ws_table_add(struct ws_table *t, const struct ws_entry_init *b)
{
	raw_spinlock_t *lock = ws_tid_lock(t, b->key.tid);
	struct ws_thread_entry *e;
	unsigned long flags;
	u32 ref;

	raw_spin_lock_irqsave(lock, flags);
	e = ws_locked_find(t, &b->key);
	if (!e) {
		ref = ws_pool_get(&t->pool);
		if (ref) {
			e = ws_entry_at(t, ref);
			/* Free entries are zero but for seq: no reader sees this fill. */
			ws_entry_write_begin(e);
			ws_entry_fill(e, b);
			ws_entry_write_end(e);
			ws_file(t, e);
		}
	}
	raw_spin_unlock_irqrestore(lock, flags);
	if (!e)
		ws_count_drop(t, b->key.tid);
	return e;
}

static void ws_entry_wipe(struct ws_thread_entry *e)
{
	ws_entry_write_begin(e);
	memset((char *)e + sizeof(e->seq), 0, sizeof(*e) - sizeof(e->seq));
	ws_entry_write_end(e);
}

/*
 * Unlink e if it still belongs to thread k: an entry read without the lock
 * may have been freed and reused by another thread since.
 */
static bool ws_table_unlink(struct ws_table *t, struct ws_thread_entry *e, const struct ws_key *k)
{
	raw_spinlock_t *lock = ws_tid_lock(t, k->tid);
	unsigned long flags;
	bool gone = false;

	raw_spin_lock_irqsave(lock, flags);
	if (ws_key_match(e, k))
		gone = ws_unfile(t, e);
	raw_spin_unlock_irqrestore(lock, flags);
	return gone;
}

static void ws_key_read(struct ws_key *k, const struct ws_thread_entry *e)
{
	k->tid = e->tid;
	k->start = e->start;
	k->owner = e->owner;
}

/*
 * Unlink and free e now; false if someone else already unlinked it.  Only
 * from e's own task (its last switch), or with no probe attached.
 */
bool ws_table_del(struct ws_table *t, struct ws_thread_entry *e)
{
	struct ws_key k;

	ws_key_read(&k, e);
	if (!ws_table_unlink(t, e, &k))
		return false;
	ws_entry_wipe(e);
	ws_pool_put(&t->pool, ws_entry_ref(t, e));
	return true;
}

void ws_table_forget_dropped(struct ws_table *t, u32 tid)
{
	if (test_and_clear_bit(tid, t->dropped_map))
		atomic_dec(&t->dropped_now);
}

/* Stripe held: the entry of owner filed under tid, whatever its start time. */
static struct ws_thread_entry *ws_find_owner(struct ws_table *t, u32 tid, unsigned long owner)
{
	u32 ref = tid < t->nr_slots ? t->slots[tid] : 0;

	if (ref && ws_entry_at(t, ref)->tid == tid && ws_entry_at(t, ref)->owner == owner)
		return ws_entry_at(t, ref);
	if (!atomic_read(&t->nr_overflow))
		return NULL;
	for (ref = ws_index_first(&t->overflow, ws_bucket(t, tid)); ref;
	     ref = ws_pool_next(&t->pool, ref)) {
		struct ws_thread_entry *e = ws_entry_at(t, ref);

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
static void ws_entry_merge(struct ws_thread_entry *e, const struct ws_thread_entry *n)
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
	raw_spinlock_t *lo = ws_tid_lock(t, old_tid), *ln = ws_tid_lock(t, k->tid);
	struct ws_thread_entry *e, *n = NULL;
	unsigned long flags;

	local_irq_save(flags);
	ws_lock_two(lo, ln);
	e = ws_find_owner(t, old_tid, k->owner);
	if (e) {
		n = ws_locked_find(t, k);
		ws_unfile(t, e);
		if (n)
			ws_unfile(t, n);
		ws_entry_write_begin(e);
		e->tid = k->tid;
		e->start = k->start;
		if (n)
			ws_entry_merge(e, n);
		ws_entry_write_end(e);
		ws_file(t, e);
	}
	ws_unlock_two(lo, ln);
	local_irq_restore(flags);
	if (n) {
		/* As at a last switch: no other task's probe uses n. */
		ws_entry_wipe(n);
		ws_pool_put(&t->pool, ws_entry_ref(t, n));
	}
	return e;
}

/*
 * Copy entry i; false when it is free, or still being written after
 * WS_READ_TRIES tries (counted in read_busy).  Its tid is read first: a
 * free entry costs one load, not a copy.
 */
bool ws_table_read(struct ws_table *t, u32 i, struct ws_thread_entry *copy)
{
	struct ws_thread_entry *e = &t->ent[i];
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
static bool ws_key_alive(const struct ws_key *k)
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
		ws_entry_wipe(ws_entry_at(t, refs[i]));
		ws_pool_put(&t->pool, refs[i]);
	}
	preempt_enable();
}

/* Unlink entry i if the thread it names no longer exists; true if it did. */
static bool ws_unlink_if_gone(struct ws_table *t, u32 i)
{
	struct ws_thread_entry *e = &t->ent[i];
	unsigned int seq;
	struct ws_key k;

	/* Being written, or torn: it is looked at again on the next lap. */
	seq = raw_read_seqcount(&e->seq);
	if (seq & 1)
		return false;
	ws_key_read(&k, e);
	if (read_seqcount_retry(&e->seq, seq))
		return false;
	return k.tid && !ws_key_alive(&k) && ws_table_unlink(t, e, &k);
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
 * slots, overflow index, dropped-tid map.
 */
size_t ws_table_memory(const struct ws_table *t)
{
	return (size_t)t->pool.capacity * sizeof(*t->ent) + ws_pool_memory(&t->pool) +
	       (size_t)t->nr_slots * sizeof(*t->slots) + ws_index_memory(&t->overflow) +
	       BITS_TO_LONGS(PID_MAX_LIMIT) * sizeof(long);
}
