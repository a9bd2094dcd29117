/* SPDX-License-Identifier: GPL-2.0 */
#ifndef WS_TABLE_H
#define WS_TABLE_H

#include <linux/seqlock.h>
#include <linux/sched.h>
#include "ws_pool.h"
#include "ws_hist.h"

/* Where a thread is now. */
enum ws_state {
	WS_ST_UNKNOWN,		/* not seen leaving or entering a CPU yet */
	WS_ST_ONCPU,		/* running */
	WS_ST_OFF,		/* off CPU: WS_ST_OFF + enum ws_reason */
};

static inline unsigned int ws_state_off(unsigned int reason)
{
	return WS_ST_OFF + reason;
}

/* The current interval began before tracing saw it: its length is a floor. */
#define WS_F_PARTIAL	0x01
/* A kernel thread (PF_KTHREAD), set at birth. */
#define WS_F_KTHREAD	0x02

/*
 * One tracked thread.  Kept at 1 KiB: histograms are 920 bytes of it, and
 * the comm of a waker or preemptor is looked up by tid when read, not
 * stored per thread.
 */
struct ws_thread {
	seqcount_t seq;
	u32 tid;		/* 0 while the entry is free */
	u32 tgid;
	u32 pad;
	u64 start;		/* task start time: tid + start survive pid reuse */
	u64 since;		/* when the current state began (ws_now()) */
	u64 oncpu_ns;
	u64 nvcsw;		/* switches out by blocking */
	u64 nivcsw;		/* switches out by preemption */
	u64 futex_uaddr;	/* futex word of the current or last futex wait */
	u64 cgroup_id;
	s32 syscall;		/* syscall of the current or last block, -1 none */
	u8 state;		/* enum ws_state */
	u8 flags;
	u16 futex_op;		/* how it waits on it: ws_futex_op() */
	u32 waker_tid;		/* last waker, 0 = interrupt */
	u32 preempt_tid;	/* last task that took its CPU */
	char comm[TASK_COMM_LEN];
	struct ws_hist hist[WS_NR_REASONS];
};

/* What a new entry starts with; everything else starts at zero. */
struct ws_birth {
	u32 tid;
	u32 tgid;
	u64 start;
	u64 cgroup_id;
	u64 since;
	u64 futex_uaddr;
	s32 syscall;
	u16 futex_op;
	u8 state;
	u8 flags;
	char comm[TASK_COMM_LEN];
};

struct ws_table {
	struct ws_thread *ent;
	struct ws_pool pool;
	struct ws_index index;
	unsigned long *dropped_map;	/* tids that found the table full */
	atomic_t dropped_now;		/* live threads not tracked */
	atomic64_t dropped_total;	/* threads ever refused */
	u32 collect_next;		/* where ws_table_collect() resumes */
};

int ws_table_init(struct ws_table *t, u32 capacity);
void ws_table_destroy(struct ws_table *t);
void ws_table_clear(struct ws_table *t);

struct ws_thread *ws_table_find(struct ws_table *t, u32 tid, u64 start);
struct ws_thread *ws_table_try_ref(struct ws_table *t, u32 ref, u32 tid, u64 start);
u32 ws_table_ref(struct ws_table *t, struct ws_thread *e);
struct ws_thread *ws_table_add(struct ws_table *t, const struct ws_birth *b);
bool ws_table_del(struct ws_table *t, struct ws_thread *e);
void ws_table_forget_dropped(struct ws_table *t, u32 tid);
bool ws_table_read(struct ws_table *t, u32 i, struct ws_thread *copy);
bool ws_table_comm(struct ws_table *t, u32 tid, char *comm);
unsigned int ws_table_collect(struct ws_table *t, u32 budget);
size_t ws_table_memory(const struct ws_table *t);

static inline u32 ws_table_capacity(struct ws_table *t)
{
	return t->pool.capacity;
}

static inline u32 ws_table_used(struct ws_table *t)
{
	return ws_pool_used(&t->pool);
}

static inline bool ws_table_is_dropped(struct ws_table *t, u32 tid)
{
	return test_bit(tid, t->dropped_map);
}

/* A writer's section on an entry; see the rules at the top of ws_table.c. */
static inline void ws_thread_write_begin(struct ws_thread *e)
{
	raw_write_seqcount_begin(&e->seq);
}

static inline void ws_thread_write_end(struct ws_thread *e)
{
	raw_write_seqcount_end(&e->seq);
}

#endif /* WS_TABLE_H */
