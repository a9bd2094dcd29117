/* SPDX-License-Identifier: GPL-2.0 */
#ifndef WS_FUTEX_H
#define WS_FUTEX_H

#include "ws_pool.h"

/* Completed futex waits of one process on one futex word. */
struct ws_futex {
	u32 tgid;		/* 0 while free */
	u32 op;			/* ws_futex_op() of the last wait */
	u64 uaddr;
	u64 count;
	u64 total_ns;
	u64 max_ns;
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
void ws_futex_add(struct ws_futex_table *ft, u32 tgid, u64 uaddr, u32 op, u64 ns);
bool ws_futex_read(struct ws_futex_table *ft, u32 i, struct ws_futex *copy);
unsigned int ws_futex_collect(struct ws_futex_table *ft);
size_t ws_futex_memory(const struct ws_futex_table *ft);

#endif /* WS_FUTEX_H */
