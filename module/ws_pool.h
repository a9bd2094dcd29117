/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Fixed-capacity element pools with a chained hash index, shared by the
 * thread table and the futex table.  Elements are named by "refs": index + 1,
 * so 0 can mean "none".  Nothing here allocates after init.
 */
#ifndef WS_POOL_H
#define WS_POOL_H

#include <linux/percpu.h>
#include <linux/spinlock.h>
#include <linux/types.h>

/* One free list per CPU: allocation and free touch only the local CPU's lock. */
struct ws_shard {
	raw_spinlock_t lock;
	u32 free;		/* ref of the first free element */
	u32 nr_free;
};

/*
 * No shared counter of elements in use: every probe reads capacity, and a
 * count on its cache line would bounce at every thread birth.  Readers sum
 * the shards' free counts instead (ws_pool_used()).
 */
struct ws_pool {
	u32 capacity;
	u32 *next;		/* per element: free-list or hash-chain link */
	struct ws_shard __percpu *shards;
};

/* Hash buckets over a pool, locked in stripes (never a single global lock). */
#define WS_NR_STRIPES	256

struct ws_index {
	u32 *heads;		/* per bucket: ref of the first element */
	u32 mask;
	raw_spinlock_t *stripes;
};

int ws_pool_init(struct ws_pool *pl, u32 capacity);
void ws_pool_reset(struct ws_pool *pl);
void ws_pool_destroy(struct ws_pool *pl);
u32 ws_pool_get(struct ws_pool *pl);
void ws_pool_put(struct ws_pool *pl, u32 ref);

u32 ws_pool_used(struct ws_pool *pl);

size_t ws_pool_memory(const struct ws_pool *pl);

int ws_index_init(struct ws_index *ix, u32 capacity);
size_t ws_index_memory(const struct ws_index *ix);
void ws_index_reset(struct ws_index *ix);
void ws_index_destroy(struct ws_index *ix);

static inline raw_spinlock_t *ws_index_lock(struct ws_index *ix, u32 bucket)
{
	return &ix->stripes[bucket % WS_NR_STRIPES];
}

/* Link ref at the head of bucket; the bucket's stripe must be held. */
static inline void ws_index_link(struct ws_index *ix, struct ws_pool *pl,
				 u32 bucket, u32 ref)
{
	pl->next[ref - 1] = ix->heads[bucket];
	WRITE_ONCE(ix->heads[bucket], ref);
}

bool ws_index_unlink(struct ws_index *ix, struct ws_pool *pl, u32 bucket, u32 ref);

static inline u32 ws_index_first(struct ws_index *ix, u32 bucket)
{
	return ix->heads[bucket];
}

static inline u32 ws_pool_next(struct ws_pool *pl, u32 ref)
{
	return pl->next[ref - 1];
}

#endif /* WS_POOL_H */
