// SPDX-License-Identifier: GPL-2.0
/*
 * The futex table: completed waits grouped by process (tgid and its leader's
 * start time) and futex word address.
 *
 * Concurrency: many threads wait on one futex word, and their waits end on
 * many CPUs at once, under the run-queue lock, exactly when the word is
 * contended.  So a probe adds a wait to its own CPU's slots (struct
 * ws_futex_cpu: a raw lock no other CPU takes but to flush), and only a
 * word that displaces another from its slot goes to the shared table.
 * Readers and the collector flush every CPU's slots into the shared table
 * first (ws_futex_flush()), so they see every wait.  Every access to a
 * shared entry, reads included, is under its bucket's stripe lock, taken
 * after a CPU's lock when both are held; there is no lockless path.
 * Entries of processes that have exited are freed by the collector
 * (process context), also under the stripe lock.
 *
 * The view of the table is a snapshot (ws_futex_snap_take), merged with the
 * futex waits in progress, which only the thread table knows.
 */
#include <linux/hash.h>
#include <linux/pid.h>
#include <linux/pid_namespace.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/vmalloc.h>
#include "ws_futex.h"
#include "ws_table.h"

/* The start time is left out: one process at a time holds a tgid. */
static u32 ws_futex_bucket(struct ws_futex_table *ft, u32 tgid, u64 uaddr)
{
	return hash_64(uaddr ^ ((u64)tgid << 40), 32) & ft->index.mask;
}

static struct ws_futex *ws_futex_at(struct ws_futex_table *ft, u32 ref)
{
	return &ft->ent[ref - 1];
}

static int ws_futex_cpu_init(struct ws_futex_table *ft)
{
	int cpu;

	ft->cpu = alloc_percpu(struct ws_futex_cpu);
	if (!ft->cpu)
		return -ENOMEM;
	for_each_possible_cpu(cpu)
		raw_spin_lock_init(&per_cpu_ptr(ft->cpu, cpu)->lock);
	return 0;
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
	err = ws_futex_cpu_init(ft);
	if (err)
		goto err_index;
	return 0;

err_index:
	ws_index_destroy(&ft->index);
err_pool:
	ws_pool_destroy(&ft->pool);
err_ent:
	vfree(ft->ent);
	ft->ent = NULL;
	return err;
}

void ws_futex_destroy(struct ws_futex_table *ft)
{
	free_percpu(ft->cpu);
	ft->cpu = NULL;
	ws_index_destroy(&ft->index);
	ws_pool_destroy(&ft->pool);
	vfree(ft->ent);
	ft->ent = NULL;
}

/* Only with no probe attached and no reader active. */
void ws_futex_clear(struct ws_futex_table *ft)
{
	int cpu;

	for_each_possible_cpu(cpu) {
		struct ws_futex_cpu *fc = per_cpu_ptr(ft->cpu, cpu);

		memset(fc->slot, 0, sizeof(fc->slot));
	}
	memset(ft->ent, 0, array_size(ft->pool.capacity, sizeof(*ft->ent)));
	ws_pool_reset(&ft->pool);
	ws_index_reset(&ft->index);
	atomic64_set(&ft->dropped, 0);
}

static bool ws_futex_same(const struct ws_futex *f, u32 tgid, u64 pstart, u64 uaddr)
{
	return f->tgid == tgid && f->uaddr == uaddr && f->pstart == pstart;
}

static struct ws_futex *ws_futex_find(struct ws_futex_table *ft, u32 b,
				      const struct ws_futex *src)
{
	u32 ref;

	for (ref = ws_index_first(&ft->index, b); ref; ref = ws_pool_next(&ft->pool, ref)) {
		struct ws_futex *f = ws_futex_at(ft, ref);

		if (ws_futex_same(f, src->tgid, src->pstart, src->uaddr))
			return f;
	}
	return NULL;
}

static struct ws_futex *ws_futex_new(struct ws_futex_table *ft, u32 b,
				     const struct ws_futex *src)
{
	u32 ref = ws_pool_get(&ft->pool);
	struct ws_futex *f;

	if (!ref)
		return NULL;
	f = ws_futex_at(ft, ref);
	f->tgid = src->tgid;
	f->pstart = src->pstart;
	f->uaddr = src->uaddr;
	ws_index_link(&ft->index, &ft->pool, b, ref);
	return f;
}

/* Add src's waits to f, both of one process and word. */
static void ws_futex_sum(struct ws_futex *f, const struct ws_futex *src)
{
	f->count += src->count;
	f->lock_n += src->lock_n;
	f->op = src->op;
	f->total_ns += src->total_ns;
	if (src->max_ns > f->max_ns)
		f->max_ns = src->max_ns;
}

/* Add src's waits to the shared table; interrupts off. */
static void ws_futex_merge_shared(struct ws_futex_table *ft, const struct ws_futex *src)
{
	u32 b = ws_futex_bucket(ft, src->tgid, src->uaddr);
	raw_spinlock_t *lock = ws_index_lock(&ft->index, b);
	struct ws_futex *f;

	raw_spin_lock(lock);
	f = ws_futex_find(ft, b, src);
	if (!f)
		f = ws_futex_new(ft, b, src);
	if (f)
		ws_futex_sum(f, src);
	raw_spin_unlock(lock);
	if (!f)
		atomic64_add(src->count, &ft->dropped);
}

/* A CPU's slot for a word: direct-mapped, as a cache is. */
static struct ws_futex *ws_futex_cpu_slot(struct ws_futex_cpu *fc, u32 tgid, u64 uaddr)
{
	u32 h = hash_64(uaddr ^ ((u64)tgid << 40), 32);

	return &fc->slot[h % WS_FUTEX_CPU_SLOTS];
}

/*
 * Record one completed wait w of ns, in this CPU's slot for its word.  A
 * slot that holds another word first hands that word's waits to the shared
 * table.  Any context.
 */
void ws_futex_add(struct ws_futex_table *ft, const struct ws_futex_wait *w, u64 ns)
{
	struct ws_futex one = {
		.tgid = w->tgid, .op = w->op, .pstart = w->pstart, .uaddr = w->uaddr,
		.count = 1, .lock_n = w->lock, .total_ns = ns, .max_ns = ns,
	};
	struct ws_futex_cpu *fc;
	struct ws_futex *f;
	unsigned long flags;

	local_irq_save(flags);
	fc = this_cpu_ptr(ft->cpu);
	raw_spin_lock(&fc->lock);
	f = ws_futex_cpu_slot(fc, w->tgid, w->uaddr);
	if (f->tgid && ws_futex_same(f, w->tgid, w->pstart, w->uaddr)) {
		ws_futex_sum(f, &one);
	} else {
		if (f->tgid)
			ws_futex_merge_shared(ft, f);
		*f = one;
	}
	raw_spin_unlock(&fc->lock);
	local_irq_restore(flags);
}

/* Hand every CPU's slots to the shared table.  Process context. */
void ws_futex_flush(struct ws_futex_table *ft)
{
	unsigned long flags;
	unsigned int i;
	int cpu;

	for_each_possible_cpu(cpu) {
		struct ws_futex_cpu *fc = per_cpu_ptr(ft->cpu, cpu);

		raw_spin_lock_irqsave(&fc->lock, flags);
		for (i = 0; i < WS_FUTEX_CPU_SLOTS; i++) {
			if (!fc->slot[i].tgid)
				continue;
			ws_futex_merge_shared(ft, &fc->slot[i]);
			memset(&fc->slot[i], 0, sizeof(fc->slot[i]));
		}
		raw_spin_unlock_irqrestore(&fc->lock, flags);
		cond_resched();
	}
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

	ws_futex_flush(ft);
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
	       ws_index_memory(&ft->index) + nr_cpu_ids * sizeof(struct ws_futex_cpu);
}

/* ---- the snapshot the futex view shows ---- */

static int ws_row_cmp(const void *a, const void *b)
{
	const struct ws_futex_row *x = a, *y = b;

	if (x->tgid != y->tgid)
		return x->tgid < y->tgid ? -1 : 1;
	if (x->pstart != y->pstart)
		return x->pstart < y->pstart ? -1 : 1;
	if (x->uaddr != y->uaddr)
		return x->uaddr < y->uaddr ? -1 : 1;
	return 0;
}

/* Room for one more row, or count it as lost. */
static struct ws_futex_row *ws_snap_slot(struct ws_futex_snap *snap)
{
	if (snap->n == snap->cap) {
		snap->lost++;
		return NULL;
	}
	return &snap->rows[snap->n++];
}

static void ws_snap_completed(struct ws_futex_snap *snap, struct ws_futex_table *ft)
{
	struct ws_futex_row *r;
	struct ws_futex f;
	u32 i;

	for (i = 0; i < ft->pool.capacity; i++) {
		cond_resched();
		/* A process that is gone is not shown, though not yet collected. */
		if (!ws_futex_read(ft, i, &f) || !ws_futex_live(&f))
			continue;
		r = ws_snap_slot(snap);
		if (r)
			*r = (struct ws_futex_row){ .tgid = f.tgid, .pstart = f.pstart,
				.uaddr = f.uaddr, .op = f.op, .count = f.count,
				.lock_n = f.lock_n, .total_ns = f.total_ns, .max_ns = f.max_ns };
	}
}

/* The start time of live process tgid, 0 if it is gone. */
static u64 ws_live_process_start(u32 tgid)
{
	struct task_struct *p;
	u64 start = 0;

	rcu_read_lock();
	p = pid_task(find_pid_ns(tgid, &init_pid_ns), PIDTYPE_TGID);
	if (p)
		start = p->start_time;
	rcu_read_unlock();
	return start;
}

static void ws_snap_waiting(struct ws_futex_snap *snap, struct ws_table *threads,
			    struct ws_thread_entry *e, u64 now)
{
	struct ws_futex_row *r;
	u32 i;

	for (i = 0; i < ws_table_capacity(threads); i++) {
		cond_resched();
		if (!ws_table_read(threads, i, e) || e->state != ws_state_off(WS_R_FUTEX))
			continue;
		r = ws_snap_slot(snap);
		if (r)
			*r = (struct ws_futex_row){ .tgid = e->tgid, .uaddr = e->futex_uaddr,
				.pstart = ws_live_process_start(e->tgid), .op = e->futex_op,
				.waiting = 1, .longest_now_ns = ws_entry_off_ns(e, now) };
	}
}

/* Fold rows with the same (tgid, pstart, uaddr) into the first of them. */
static u32 ws_rows_merge(struct ws_futex_row *rows, u32 n)
{
	u32 i, out = 0;

	sort(rows, n, sizeof(*rows), ws_row_cmp, NULL);
	for (i = 0; i < n; i++) {
		struct ws_futex_row *d = &rows[out - 1];

		if (out && !ws_row_cmp(d, &rows[i])) {
			d->waiting += rows[i].waiting;
			d->count += rows[i].count;
			d->lock_n += rows[i].lock_n;
			d->total_ns += rows[i].total_ns;
			d->max_ns = max(d->max_ns, rows[i].max_ns);
			d->longest_now_ns = max(d->longest_now_ns, rows[i].longest_now_ns);
		} else {
			rows[out++] = rows[i];
		}
	}
	return out;
}

/* Rows for what is there now and some slack, not for the tables' capacity. */
static struct ws_futex_snap *ws_futex_snap_alloc(u32 cap)
{
	struct ws_futex_snap *snap = kvzalloc(struct_size(snap, rows, cap), GFP_KERNEL);

	if (snap)
		snap->cap = cap;
	return snap;
}

/*
 * A snapshot of the futex view: completed waits merged with the waits in
 * progress, one row per (tgid, pstart, uaddr), sorted.  Caller holds the
 * data lock shared.  The counts that size it are read without a lock, so
 * it may come out short: then it is taken once more at twice the size, and
 * whatever still does not fit is counted in lost.
 */
struct ws_futex_snap *ws_futex_snap_take(struct ws_futex_table *ft, struct ws_table *threads)
{
	struct ws_futex_snap *snap = NULL;
	struct ws_thread_entry *scratch;
	int tries;
	u32 cap;

	scratch = kmalloc(sizeof(*scratch), GFP_KERNEL);
	if (!scratch)
		return NULL;
	ws_futex_flush(ft);
	cap = ws_pool_used(&ft->pool) + ws_table_used(threads);
	cap += cap / 8 + 64;
	for (tries = 0; tries < 2; tries++, cap *= 2) {
		kvfree(snap);
		snap = ws_futex_snap_alloc(cap);
		if (!snap)
			break;
		ws_snap_completed(snap, ft);
		ws_snap_waiting(snap, threads, scratch, ws_now());
		if (!snap->lost)
			break;
	}
	kfree(scratch);
	if (snap)
		snap->n = ws_rows_merge(snap->rows, snap->n);
	return snap;
}

void ws_futex_snap_free(struct ws_futex_snap *snap)
{
	kvfree(snap);
}
