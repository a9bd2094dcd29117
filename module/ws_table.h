/* SPDX-License-Identifier: GPL-2.0 */
#ifndef WS_TABLE_H
#define WS_TABLE_H

#include <linux/seqlock.h>
#include <linux/sched.h>
#include "ws_hist.h"
#include "ws_pool.h"
#include "ws_task.h"

/* Where a thread is now. */
enum ws_thread_state {
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
/* Its last block before it began to exit was ended by a fatal signal. */
#define WS_F_KILLED	0x04

/*
 * Names one thread.  tid and start time survive pid reuse.  For a moment
 * during a non-leader's exec two tasks share both (de_thread() gives the
 * exec'ing thread its old leader's pid and start time while the leader is
 * still on its way to its last switch), so the key also holds the task_struct
 * address, which is compared and never dereferenced: an entry belongs to
 * exactly one task, and only that task's probes write it.
 */
struct ws_key {
	u32 tid;
	u64 start;
	unsigned long owner;
};

static inline void ws_key_of(struct ws_key *k, struct task_struct *p)
{
	k->tid = p->pid;
	k->start = ws_task_start(p);
	k->owner = (unsigned long)p;
}

/*
 * One tracked thread.  Kept at 1 KiB: histograms are 920 bytes of it.  What
 * a switch or a wakeup reads and writes, but for the histogram it adds to,
 * is in the first 64 bytes.  Comm and cgroup are not stored: the views read
 * them from the live task, so no probe copies them and a rename, an exec or
 * a move to another cgroup shows at once.
 */
struct ws_thread_entry {
	seqcount_t seq;
	u32 tid;		/* 0 while the entry is free */
	u64 start;		/* task start time: tid + start survive pid reuse */
	unsigned long owner;	/* the task_struct, never dereferenced: see ws_key */
	u64 since;		/* when the current state began (ws_now()) */
	u64 oncpu_ns;
	u8 state;		/* enum ws_thread_state */
	u8 flags;
	u16 futex_op;		/* how it waits on it: ws_futex_op() */
	s32 syscall;		/* syscall of the current or last block, -1 none */
	u64 nvcsw;		/* switches out by blocking */
	u64 nivcsw;		/* switches out by preemption */
	/* Written once per block or preemption, or by another task. */
	u64 futex_uaddr;	/* futex word of the current or last futex wait */
	u32 futex_val;		/* expected value of the current or last futex wait */
	u32 tgid;
	u32 preempt_tid;	/* last task that took its CPU */
	u32 waker_tid;		/* who ended its last block, 0 = interrupt */
	u32 pending_waker;	/* sched_waking's waker, for the wakeup to take */
	u32 unwoken;		/* blocks that ended with no wakeup seen */
	/* The block a fatal signal ended, for the exit event (WS_F_KILLED). */
	u32 killed_wait_ms;
	u8 killed_reason;
	struct ws_hist hist[WS_NR_REASONS];
} ____cacheline_aligned;	/* each entry's first line is its own */

/* What a new entry starts with; everything else starts at zero. */
struct ws_entry_init {
	struct ws_key key;
	u32 tgid;
	u64 since;
	u64 futex_uaddr;
	u32 futex_val;
	s32 syscall;
	u16 futex_op;
	u8 state;
	u8 flags;
};

/* How long e has been off CPU at now; 0 if it is on one. */
static inline u64 ws_entry_off_ns(const struct ws_thread_entry *e, u64 now)
{
	if (e->state < WS_ST_OFF || !e->since || now < e->since)
		return 0;
	return now - e->since;
}

/* Buckets of the overflow index: few threads ever land there. */
#define WS_OVERFLOW_BUCKETS	4096

/*
 * The thread table: entries, found by tid.  slots[tid] holds the ref of the
 * entry filed under tid; a thread whose tid is past the slots (pid_max
 * raised after load), or whose slot still holds another thread's entry
 * (an old leader's, for a moment after an exec), is filed in the overflow
 * hash instead.
 */
struct ws_table {
	/* What every probe reads, together: rarely written. */
	struct ws_thread_entry *ent;
	u32 *slots;
	u32 nr_slots;
	atomic_t nr_overflow;		/* entries filed in overflow */
	atomic_t dropped_now;		/* live threads not tracked */
	unsigned long *dropped_map;	/* tids that found the table full */
	struct ws_pool pool;
	struct ws_index overflow;
	atomic64_t dropped_total;	/* threads ever refused */
	atomic64_t read_busy;		/* reads that gave up on a busy entry */
	u32 collect_next;		/* where ws_table_collect() resumes */
};

int ws_table_init(struct ws_table *t, u32 capacity, u32 nr_slots);
void ws_table_destroy(struct ws_table *t);
void ws_table_clear(struct ws_table *t);

struct ws_thread_entry *ws_table_find(struct ws_table *t, const struct ws_key *k);
struct ws_thread_entry *ws_table_try_ref(struct ws_table *t, u32 ref, const struct ws_key *k);
struct ws_thread_entry *ws_table_add(struct ws_table *t, const struct ws_entry_init *b);
bool ws_table_del(struct ws_table *t, struct ws_thread_entry *e);
bool ws_table_rekey(struct ws_table *t, u32 old_tid, const struct ws_key *k);
void ws_table_forget_dropped(struct ws_table *t, u32 tid);
bool ws_table_read(struct ws_table *t, u32 i, struct ws_thread_entry *copy);
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

/* Did tid find the table full?  With nothing dropped, the map is not read. */
static inline bool ws_table_is_dropped(struct ws_table *t, u32 tid)
{
	return atomic_read(&t->dropped_now) && test_bit(tid, t->dropped_map);
}

/* Live threads not tracked because the table was full. */
static inline int ws_table_dropped_now(struct ws_table *t)
{
	return atomic_read(&t->dropped_now);
}

/* Threads ever refused since load or reset. */
static inline s64 ws_table_dropped_total(struct ws_table *t)
{
	return atomic64_read(&t->dropped_total);
}

/* Reads that gave up on an entry that stayed busy. */
static inline s64 ws_table_read_busy(struct ws_table *t)
{
	return atomic64_read(&t->read_busy);
}

/* A writer's section on an entry; see the rules at the top of ws_table.c. */
static inline void ws_entry_write_begin(struct ws_thread_entry *e)
{
	raw_write_seqcount_begin(&e->seq);
}

static inline void ws_entry_write_end(struct ws_thread_entry *e)
{
	raw_write_seqcount_end(&e->seq);
}

#endif /* WS_TABLE_H */
