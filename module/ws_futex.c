// SPDX-License-Identifier: GPL-2.0
/*
 * The futex table: completed waits grouped by process (tgid and its leader's
 * start time) and futex word address.
 *
 * Concurrency: many threads wait on one futex word, so an entry has many
 * writers (the probes that end those waits, on any CPU).  Every access to
 * an entry, reads included, is under its bucket's stripe lock; there is no
 * lockless path.  Entries of processes that have exited are freed by the
 * collector (process context), also under the stripe lock.
 */
#include <linux/hash.h>
#include <linux/pid.h>
#include <linux/pid_namespace.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/vmalloc.h>
#include "ws_futex.h"

/* The start time is left out: one process at a time holds a tgid. */
static u32 ws_futex_bucket(struct ws_futex_table *ft, u32 tgid, u64 uaddr)
{
	return hash_64(uaddr ^ ((u64)tgid << 40), 32) & ft->index.mask;
}

static struct ws_futex *ws_futex_ent(struct ws_futex_table *ft, u32 ref)
{
	return &ft->ent[ref - 1];
}

int ws_futex_init(struct ws_futex_table *ft, u32 capacity)
{
	int err;

	memset(ft, 0, sizeof(*ft));
	ft->ent = vzalloc(array_size(capacity, sizeof(*ft->ent)));
	if (!ft->ent)
		return -ENOMEM;
	err = ws_pool_init(&ft->pool, capacity);
	if (err)
		goto err_ent;
	err = ws_index_init(&ft->index, capacity);
	if (err)
		goto err_pool;
	return 0;

err_pool:
	ws_pool_destroy(&ft->pool);
err_ent:
	vfree(ft->ent);
	ft->ent = NULL;
	return err;
}

void ws_futex_destroy(struct ws_futex_table *ft)
{
	ws_index_destroy(&ft->index);
	ws_pool_destroy(&ft->pool);
	vfree(ft->ent);
	ft->ent = NULL;
}

/* Only with no probe attached and no reader active. */
void ws_futex_clear(struct ws_futex_table *ft)
{
	memset(ft->ent, 0, array_size(ft->pool.capacity, sizeof(*ft->ent)));
	ws_pool_reset(&ft->pool);
	ws_index_reset(&ft->index);
	atomic64_set(&ft->dropped, 0);
}

static struct ws_futex *ws_futex_find(struct ws_futex_table *ft, u32 b,
				      const struct ws_futex_wait *w)
{
	u32 ref;

	for (ref = ws_index_first(&ft->index, b); ref; ref = ws_pool_next(&ft->pool, ref)) {
		struct ws_futex *f = ws_futex_ent(ft, ref);

		if (f->tgid == w->tgid && f->uaddr == w->uaddr && f->pstart == w->pstart)
			return f;
	}
	return NULL;
}

static struct ws_futex *ws_futex_new(struct ws_futex_table *ft, u32 b,
				     const struct ws_futex_wait *w)
{
	u32 ref = ws_pool_get(&ft->pool);
	struct ws_futex *f;

	if (!ref)
		return NULL;
	f = ws_futex_ent(ft, ref);
	f->tgid = w->tgid;
	f->pstart = w->pstart;
	f->uaddr = w->uaddr;
	ws_index_link(&ft->index, &ft->pool, b, ref);
	return f;
}

/* Record one completed wait w of ns.  Any context. */
void ws_futex_add(struct ws_futex_table *ft, const struct ws_futex_wait *w, u64 ns)
{
	u32 b = ws_futex_bucket(ft, w->tgid, w->uaddr);
	raw_spinlock_t *lock = ws_index_lock(&ft->index, b);
	struct ws_futex *f;
	unsigned long flags;

	raw_spin_lock_irqsave(lock, flags);
	f = ws_futex_find(ft, b, w);
	if (!f)
		f = ws_futex_new(ft, b, w);
	if (f) {
		f->count++;
		f->lock_n += w->lock;
		f->op = w->op;
		f->total_ns += ns;
		if (ns > f->max_ns)
			f->max_ns = ns;
	}
	raw_spin_unlock_irqrestore(lock, flags);
	if (!f)
		atomic64_inc(&ft->dropped);
}

/*
 * Copy entry i; false when it is free.  The key is read once to find the
 * stripe, then checked again under it: a recycled entry is skipped.
 */
bool ws_futex_read(struct ws_futex_table *ft, u32 i, struct ws_futex *copy)
{
	struct ws_futex *f = &ft->ent[i];
	u32 tgid = READ_ONCE(f->tgid);
	u64 uaddr = READ_ONCE(f->uaddr);
	raw_spinlock_t *lock;
	unsigned long flags;

	if (!tgid)
		return false;
	lock = ws_index_lock(&ft->index, ws_futex_bucket(ft, tgid, uaddr));
	raw_spin_lock_irqsave(lock, flags);
	*copy = *f;
	raw_spin_unlock_irqrestore(lock, flags);
	return copy->tgid == tgid && copy->uaddr == uaddr;
}

/* Is process (tgid, pstart) still there?  A reused tgid is another process. */
static bool ws_process_alive(u32 tgid, u64 pstart)
{
	struct task_struct *p;
	bool alive;

	rcu_read_lock();
	p = pid_task(find_pid_ns(tgid, &init_pid_ns), PIDTYPE_TGID);
	alive = p && p->start_time == pstart;
	rcu_read_unlock();
	return alive;
}

/* Does f belong to a process that is still there? */
bool ws_futex_live(const struct ws_futex *f)
{
	return ws_process_alive(f->tgid, f->pstart);
}

/* Free the entries of processes that have exited.  Process context. */
unsigned int ws_futex_collect(struct ws_futex_table *ft)
{
	unsigned int freed = 0;
	u32 i;

	for (i = 0; i < ft->pool.capacity; i++) {
		struct ws_futex *f = &ft->ent[i];
		u32 tgid = READ_ONCE(f->tgid), b;
		u64 pstart = READ_ONCE(f->pstart);
		raw_spinlock_t *lock;
		unsigned long flags;
		bool gone = false;

		cond_resched();
		if (!tgid || ws_process_alive(tgid, pstart))
			continue;
		b = ws_futex_bucket(ft, tgid, READ_ONCE(f->uaddr));
		lock = ws_index_lock(&ft->index, b);
		raw_spin_lock_irqsave(lock, flags);
		/* Checked again under the lock: the entry may have been reused. */
		if (f->tgid == tgid && f->pstart == pstart &&
		    ws_index_unlink(&ft->index, &ft->pool, b, i + 1)) {
			memset(f, 0, sizeof(*f));
			gone = true;
		}
		raw_spin_unlock_irqrestore(lock, flags);
		if (gone) {
			ws_pool_put(&ft->pool, i + 1);
			freed++;
		}
	}
	return freed;
}

size_t ws_futex_memory(const struct ws_futex_table *ft)
{
	return (size_t)ft->pool.capacity * sizeof(*ft->ent) + ws_pool_memory(&ft->pool) +
	       ws_index_memory(&ft->index);
}
