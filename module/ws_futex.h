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

struct ws_futex_table {
	struct ws_futex *ent;
	struct ws_pool pool;
	struct ws_index index;
	atomic64_t dropped;	/* waits not recorded: table full */
};

int ws_futex_init(struct ws_futex_table *ft, u32 capacity);
void ws_futex_destroy(struct ws_futex_table *ft);
void ws_futex_clear(struct ws_futex_table *ft);
void ws_futex_add(struct ws_futex_table *ft, const struct ws_futex_wait *w, u64 ns);
bool ws_futex_read(struct ws_futex_table *ft, u32 i, struct ws_futex *copy);
bool ws_futex_live(const struct ws_futex *f);
unsigned int ws_futex_collect(struct ws_futex_table *ft);
size_t ws_futex_memory(const struct ws_futex_table *ft);

#endif /* WS_FUTEX_H */
