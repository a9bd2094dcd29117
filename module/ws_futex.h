/* SPDX-License-Identifier: GPL-2.0 */
#ifndef WS_FUTEX_H
#define WS_FUTEX_H

#include "ws_pool.h"

/*
 * Completed futex waits of one process on one futex word.  The process is
 * (tgid, start time of its leader): a reused tgid is another process.
 */
struct ws_futex {
	u32 tgid;		/* 0 while free */
	u32 op;			/* ws_futex_op() of the last wait */
	u64 pstart;
	u64 uaddr;
	u64 count;
	u64 lock_n;		/* of count, lock waits (ws_futex_is_lock_wait) */
	u64 total_ns;
	u64 max_ns;
};

/* One completed wait, as the probes hand it over. */
struct ws_futex_wait {
	u32 tgid;
	u32 op;
	u64 pstart;
	u64 uaddr;
	bool lock;
};

/*
 * Per CPU, the futex words its probes saw last, their waits added up in
 * place (see ws_futex_add()).  64 words of 56 bytes: 3.5 KiB a CPU.
 */
#define WS_FUTEX_CPU_SLOTS	64

struct ws_futex_cpu {
	raw_spinlock_t lock;	/* this CPU's probes; a flush from any CPU */
	struct ws_futex slot[WS_FUTEX_CPU_SLOTS];
};

struct ws_futex_table {
	struct ws_futex *ent;
	struct ws_pool pool;
	struct ws_index index;
	struct ws_futex_cpu __percpu *cpu;
	atomic64_t dropped;	/* waits not recorded: table full */
};

int ws_futex_init(struct ws_futex_table *ft, u32 capacity);
void ws_futex_destroy(struct ws_futex_table *ft);
void ws_futex_clear(struct ws_futex_table *ft);
void ws_futex_add(struct ws_futex_table *ft, const struct ws_futex_wait *w, u64 ns);
void ws_futex_flush(struct ws_futex_table *ft);
bool ws_futex_read(struct ws_futex_table *ft, u32 i, struct ws_futex *copy);
bool ws_futex_live(const struct ws_futex *f);
unsigned int ws_futex_collect(struct ws_futex_table *ft);
size_t ws_futex_memory(const struct ws_futex_table *ft);

static inline s64 ws_futex_dropped(struct ws_futex_table *ft)
{
	return atomic64_read(&ft->dropped);
}

static inline u32 ws_futex_capacity(struct ws_futex_table *ft)
{
	return ft->pool.capacity;
}

static inline u32 ws_futex_used(struct ws_futex_table *ft)
{
	return ws_pool_used(&ft->pool);
}

/* One row of the futex view: completed waits and waits in progress. */
struct ws_futex_row {
	u32 tgid;
	u32 waiting;
	u32 op;
	u64 pstart;
	u64 uaddr;
	u64 count;
	u64 lock_n;
	u64 total_ns;
	u64 max_ns;
	u64 longest_now_ns;
};

struct ws_futex_snap {
	u32 n, cap;
	u64 lost;		/* rows that found the snapshot full */
	struct ws_futex_row rows[];
};

struct ws_table;

struct ws_futex_snap *ws_futex_snap_take(struct ws_futex_table *ft, struct ws_table *threads);
void ws_futex_snap_free(struct ws_futex_snap *snap);

#endif /* WS_FUTEX_H */
