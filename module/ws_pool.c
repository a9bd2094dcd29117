// SPDX-License-Identifier: GPL-2.0
/*
 * Element pools and hash indexes.
 *
 * A pool hands out element refs from per-CPU free lists.  The free lists and
 * the hash chains share one "next" array: an element is on exactly one of
 * them, or (briefly, between get and link) on neither.  Every free-list
 * change happens under that CPU's shard lock; every chain change under the
 * bucket's stripe lock.  Both are raw spinlocks taken with interrupts off,
 * so they are legal in scheduler tracepoints on PREEMPT_RT too.  The order
 * is always run-queue lock, then stripe, then shard (an insert takes a free
 * element while holding its bucket); never the other way round.
 */
#include <linux/log2.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>
#include "ws_pool.h"

static void ws_shard_fill(struct ws_pool *pl, struct ws_shard *sh, u32 lo, u32 hi)
{
	u32 i;

	sh->free = 0;
	sh->nr_free = hi - lo;
	for (i = hi; i > lo; i--) {
		pl->next[i - 1] = sh->free;
		sh->free = i;
	}
}

/* Every element free, split evenly across the CPUs.  No concurrent users. */
void ws_pool_reset(struct ws_pool *pl)
{
	unsigned int n = num_possible_cpus(), k = 0;
	int cpu;

	for_each_possible_cpu(cpu) {
		struct ws_shard *sh = per_cpu_ptr(pl->shards, cpu);
		u32 lo = div_u64((u64)pl->capacity * k, n);
		u32 hi = div_u64((u64)pl->capacity * (k + 1), n);

		ws_shard_fill(pl, sh, lo, hi);
		k++;
	}
}

/* Elements handed out now: a sum of per-CPU counts, for readers only. */
u32 ws_pool_used(struct ws_pool *pl)
{
	u32 free = 0;
	int cpu;

	for_each_possible_cpu(cpu)
		free += READ_ONCE(per_cpu_ptr(pl->shards, cpu)->nr_free);
	return free < pl->capacity ? pl->capacity - free : 0;
}

int ws_pool_init(struct ws_pool *pl, u32 capacity)
{
	int cpu;

	pl->capacity = capacity;
	pl->next = vmalloc_array(capacity, sizeof(*pl->next));
	if (!pl->next)
		return -ENOMEM;
	pl->shards = alloc_percpu(struct ws_shard);
	if (!pl->shards) {
		vfree(pl->next);
		pl->next = NULL;
		return -ENOMEM;
	}
	for_each_possible_cpu(cpu)
		raw_spin_lock_init(&per_cpu_ptr(pl->shards, cpu)->lock);
	ws_pool_reset(pl);
	return 0;
}

void ws_pool_destroy(struct ws_pool *pl)
{
	free_percpu(pl->shards);
	vfree(pl->next);
	pl->shards = NULL;
	pl->next = NULL;
}

static u32 ws_shard_pop(struct ws_pool *pl, struct ws_shard *sh)
{
	unsigned long flags;
	u32 ref;

	if (!READ_ONCE(sh->nr_free))
		return 0;
	raw_spin_lock_irqsave(&sh->lock, flags);
	ref = sh->free;
	if (ref) {
		sh->free = pl->next[ref - 1];
		WRITE_ONCE(sh->nr_free, sh->nr_free - 1);
	}
	raw_spin_unlock_irqrestore(&sh->lock, flags);
	return ref;
}

/* A free element's ref, or 0 when the pool is exhausted. */
u32 ws_pool_get(struct ws_pool *pl)
{
	int self = raw_smp_processor_id(), cpu;
	u32 ref;

	ref = ws_shard_pop(pl, per_cpu_ptr(pl->shards, self));
	if (!ref) {
		/* Local list empty: take from another CPU's before failing. */
		for_each_possible_cpu(cpu) {
			if (cpu == self)
				continue;
			ref = ws_shard_pop(pl, per_cpu_ptr(pl->shards, cpu));
			if (ref)
				break;
		}
	}
	if (ref)
		pl->next[ref - 1] = 0;
	return ref;
}

/* Return an element, unlinked from any chain, to this CPU's free list. */
void ws_pool_put(struct ws_pool *pl, u32 ref)
{
	struct ws_shard *sh = per_cpu_ptr(pl->shards, raw_smp_processor_id());
	unsigned long flags;

	raw_spin_lock_irqsave(&sh->lock, flags);
	pl->next[ref - 1] = sh->free;
	sh->free = ref;
	WRITE_ONCE(sh->nr_free, sh->nr_free + 1);
	raw_spin_unlock_irqrestore(&sh->lock, flags);
}

int ws_index_init(struct ws_index *ix, u32 capacity)
{
	u32 nr = roundup_pow_of_two(max_t(u32, capacity, WS_NR_STRIPES));
	int i;

	ix->heads = vzalloc(array_size(nr, sizeof(*ix->heads)));
	ix->stripes = kmalloc_array(WS_NR_STRIPES, sizeof(*ix->stripes), GFP_KERNEL);
	if (!ix->heads || !ix->stripes) {
		ws_index_destroy(ix);
		return -ENOMEM;
	}
	ix->mask = nr - 1;
	for (i = 0; i < WS_NR_STRIPES; i++)
		raw_spin_lock_init(&ix->stripes[i]);
	return 0;
}

void ws_index_reset(struct ws_index *ix)
{
	memset(ix->heads, 0, array_size(ix->mask + 1, sizeof(*ix->heads)));
}

void ws_index_destroy(struct ws_index *ix)
{
	vfree(ix->heads);
	kfree(ix->stripes);
	ix->heads = NULL;
	ix->stripes = NULL;
}

/* Remove ref from bucket's chain; false if it was not there.  Stripe held. */
bool ws_index_unlink(struct ws_index *ix, struct ws_pool *pl, u32 bucket, u32 ref)
{
	u32 *link = &ix->heads[bucket];

	while (*link && *link != ref)
		link = &pl->next[*link - 1];
	if (!*link)
		return false;
	WRITE_ONCE(*link, pl->next[ref - 1]);
	pl->next[ref - 1] = 0;
	return true;
}

/* Bytes allocated for the pool: links, and a free-list head per CPU. */
size_t ws_pool_memory(const struct ws_pool *pl)
{
	return (size_t)pl->capacity * sizeof(*pl->next) + nr_cpu_ids * sizeof(struct ws_shard);
}

size_t ws_index_memory(const struct ws_index *ix)
{
	return ((size_t)ix->mask + 1) * sizeof(*ix->heads) + WS_NR_STRIPES * sizeof(*ix->stripes);
}
