/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The flight recorder: every off-CPU interval at least slow_min_us long,
 * and every thread's exit, kept as an event in a fixed ring per CPU.
 */
#ifndef WS_RECORDER_H
#define WS_RECORDER_H

#include <linux/atomic.h>
#include <linux/cache.h>
#include <linux/sched.h>
#include <linux/seqlock.h>
#include <linux/types.h>
#include "ws_classify.h"

#define WS_REC_DEFAULT_MIN_US	10000		/* runqslower's 10 ms */
#define WS_REC_MAX_MIN_US	3600000000U	/* an hour */
#define WS_REC_DEFAULT_CAP	1024		/* events per CPU */
#define WS_REC_MIN_CAP		16
#define WS_REC_MAX_CAP		65536
#define WS_REC_STACK_DEPTH	12
/* Events counted per kind: one count per wait reason, then the exits. */
#define WS_REC_EXIT_COUNT	WS_NR_REASONS
#define WS_REC_NR_COUNTS	(WS_NR_REASONS + 1)

enum ws_event_kind {
	WS_EV_WAIT,		/* a slow off-CPU interval ended */
	WS_EV_EXIT,		/* a thread exited */
};

/* The wait began before tracing saw it: its length is a floor. */
#define WS_EV_PARTIAL	0x01
/* Exit: the thread was in a wait when a fatal signal ended it. */
#define WS_EV_KILLED	0x02

/* An exiting thread's counts since tracing saw it. */
struct ws_event_totals {
	u64 n[WS_NR_REASONS];
	u64 ns[WS_NR_REASONS];
	u64 nvcsw;
	u64 nivcsw;
	u64 oncpu_ns;
};

struct ws_event {
	u64 seq;		/* global, from 1: set by ws_rec_write() */
	u64 time_ns;		/* ws_now() at the end of the wait, or at the exit */
	u64 duration_ns;
	u64 futex_uaddr;
	u64 cgroup_id;
	u32 tid;
	u32 tgid;
	u32 other_tid;		/* runq: who ran before it got the CPU; else the waker */
	s32 syscall;
	u16 futex_op;		/* ws_futex_op(), 0 for none */
	u16 cpu;		/* set by ws_rec_write() */
	u8 kind;		/* enum ws_event_kind */
	u8 reason;		/* WS_R_*; exit: the wait it was killed in, or WS_NR_REASONS */
	u8 flags;		/* WS_EV_* */
	u8 nr_frames;
	char comm[TASK_COMM_LEN];
	char other_comm[TASK_COMM_LEN];
	union {
		unsigned long stack[WS_REC_STACK_DEPTH];	/* WS_EV_WAIT */
		struct ws_event_totals totals;			/* WS_EV_EXIT */
	};
};

struct ws_ring_slot {
	seqcount_t seq;
	u64 pos;		/* which write of its ring filled it */
	struct ws_event ev;
};

/*
 * One CPU's ring.  Only that CPU writes it, with interrupts off, so a write
 * needs no lock; readers copy slots under their seqcount.
 */
struct ws_ring {
	u64 head;		/* writes ever made */
	u64 overwritten;	/* of them, pushed out by newer ones */
	int busy;		/* a write is between taking its seq and finishing */
	struct ws_ring_slot *slot;
	u64 recorded[WS_REC_NR_COUNTS];	/* writes by reason, exits last */
} ____cacheline_aligned;

struct ws_recorder {
	/* What the probes read. */
	u64 min_ns;		/* the threshold; U64_MAX when the recorder is off */
	bool exits;		/* exit events on */
	u32 capacity;		/* events per ring, fixed at load */
	struct ws_ring *rings;	/* nr_cpu_ids of them */
	atomic64_t seq;		/* the last seq handed out */
	/* What readers use. */
	u64 floor;		/* slow_reset: events up to this seq are forgotten */
	u64 overwritten_base;	/* overwritten as of the last slow_reset */
	u64 recorded_base[WS_REC_NR_COUNTS];	/* recorded as of the last slow_reset */
	struct ws_ring_slot *slots;
};

int ws_rec_init(struct ws_recorder *r, u32 capacity);
void ws_rec_destroy(struct ws_recorder *r);
void ws_rec_clear(struct ws_recorder *r);
void ws_rec_forget(struct ws_recorder *r);
size_t ws_rec_memory(const struct ws_recorder *r);
void ws_rec_set_min_us(struct ws_recorder *r, u32 min_us);
void ws_rec_write(struct ws_recorder *r, struct ws_event *ev);
u64 ws_rec_overwritten(const struct ws_recorder *r);
u64 ws_rec_written(const struct ws_recorder *r);
u64 ws_rec_recorded(const struct ws_recorder *r, unsigned int which);

/*
 * Is an interval of ns long enough to record?  The one comparison every
 * interval pays: min_ns is U64_MAX while the recorder is off.
 */
static inline bool ws_rec_wants(const struct ws_recorder *r, u64 ns)
{
	return ns >= READ_ONCE(r->min_ns);
}

static inline bool ws_rec_exits(const struct ws_recorder *r)
{
	return READ_ONCE(r->exits);
}

/* What a reader gets: the events after its resume point, in seq order. */
struct ws_rec_snap {
	u64 after;		/* the resume point asked for */
	u64 last;		/* the last seq handed out when the read began */
	u64 missed;		/* events in (after, last] not kept */
	u64 overwritten;
	u32 n;
	struct ws_event *ev;
};

int ws_rec_snap_take(struct ws_recorder *r, u64 after, struct ws_rec_snap *snap);
void ws_rec_snap_free(struct ws_rec_snap *snap);

#endif /* WS_RECORDER_H */
