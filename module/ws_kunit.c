// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suites for waitscope's pure logic: bucketing, classification, the
 * thread table, control parsing.  Built as waitscope_kunit.ko, never
 * installed with the product.  It links the module's own objects (Kbuild,
 * WS_TEST=kunit), so the tests use the same interfaces the module does.
 */
#include <kunit/test.h>
#include <linux/futex.h>
#include <linux/module.h>
#include <linux/smp.h>
#include <linux/vmalloc.h>
#include "ws_classify.h"
#include "ws_control.h"
#include "ws_futex.h"
#include "ws_recorder.h"
#include "ws_table.h"

/* ---- buckets ---- */

static void ws_test_slots(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, ws_slot(0), 0U);
	KUNIT_EXPECT_EQ(test, ws_slot(1999), 0U);	/* 1 us */
	KUNIT_EXPECT_EQ(test, ws_slot(2000), 1U);	/* 2 us */
	KUNIT_EXPECT_EQ(test, ws_slot(3999), 1U);
	KUNIT_EXPECT_EQ(test, ws_slot(4000), 2U);
	KUNIT_EXPECT_EQ(test, ws_slot(50 * NSEC_PER_MSEC), 15U);	/* 32768..65535 us */
	KUNIT_EXPECT_EQ(test, ws_slot(32768000), 15U);
	KUNIT_EXPECT_EQ(test, ws_slot(32767999), 14U);
	KUNIT_EXPECT_EQ(test, ws_slot((1ULL << 26) * 1000), 26U);
	KUNIT_EXPECT_EQ(test, ws_slot((1ULL << 27) * 1000), WS_NR_SLOTS - 1);
	KUNIT_EXPECT_EQ(test, ws_slot(U64_MAX), WS_NR_SLOTS - 1);
	KUNIT_EXPECT_EQ(test, ws_slot_low_us(0), 0ULL);
	KUNIT_EXPECT_EQ(test, ws_slot_low_us(15), 32768ULL);
}

static void ws_test_hist(struct kunit *test)
{
	struct ws_hist h = {};
	int i;

	for (i = 0; i < 20; i++)
		ws_hist_add(&h, 50 * NSEC_PER_MSEC);
	ws_hist_add(&h, 5000);
	KUNIT_EXPECT_EQ(test, ws_hist_bucket(&h, 15), 20ULL);
	KUNIT_EXPECT_EQ(test, ws_hist_bucket(&h, 2), 1ULL);
	KUNIT_EXPECT_EQ(test, ws_hist_count(&h), 21ULL);
	KUNIT_EXPECT_EQ(test, h.total_ns, 20 * 50 * NSEC_PER_MSEC + 5000);
	KUNIT_EXPECT_EQ(test, h.max_ns, 50 * NSEC_PER_MSEC);
	/* The 32-bit low word carries into the high word: 48-bit counters. */
	h.lo[3] = U32_MAX;
	ws_hist_add(&h, 8000);
	KUNIT_EXPECT_EQ(test, ws_hist_bucket(&h, 3), 1ULL << 32);
	ws_hist_add(&h, 8000);
	KUNIT_EXPECT_EQ(test, ws_hist_bucket(&h, 3), (1ULL << 32) + 1);
}

/* ---- classification ---- */

static unsigned int ws_cls(unsigned int state, bool preempt, bool iowait, long nr,
			   bool compat, unsigned long op)
{
	struct ws_switch_info si = {
		.prev_state = state, .preempt = preempt, .iowait = iowait,
		.syscall = nr, .compat = compat, .futex_op = op,
	};

	return ws_classify(&si);
}

static void ws_test_classify_states(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, ws_cls(TASK_RUNNING, false, false, -1, false, 0), WS_R_RUNQ);
	KUNIT_EXPECT_EQ(test, ws_cls(TASK_INTERRUPTIBLE, true, false, 0, false, 0), WS_R_RUNQ);
	KUNIT_EXPECT_EQ(test, ws_cls(TASK_UNINTERRUPTIBLE, true, true, 0, false, 0), WS_R_RUNQ);
	KUNIT_EXPECT_EQ(test, ws_cls(TASK_INTERRUPTIBLE, false, false, 0, false, 0), WS_R_SLEEP);
	KUNIT_EXPECT_EQ(test, ws_cls(TASK_UNINTERRUPTIBLE, false, false, -1, false, 0), WS_R_UNINT);
	KUNIT_EXPECT_EQ(test, ws_cls(TASK_UNINTERRUPTIBLE, false, true, -1, false, 0), WS_R_IO);
	KUNIT_EXPECT_EQ(test, ws_cls(TASK_KILLABLE, false, false, 58, false, 0), WS_R_UNINT);
	KUNIT_EXPECT_EQ(test, ws_cls(TASK_IDLE, false, false, -1, false, 0), WS_R_SLEEP);
	KUNIT_EXPECT_EQ(test, ws_cls(TASK_IDLE, false, true, -1, false, 0), WS_R_SLEEP);
	KUNIT_EXPECT_EQ(test, ws_cls(TASK_RTLOCK_WAIT, false, false, 0, false, 0), WS_R_UNINT);
	KUNIT_EXPECT_EQ(test, ws_cls(TASK_INTERRUPTIBLE | TASK_FREEZABLE, false, false, 7,
				     false, 0), WS_R_SLEEP);
	KUNIT_EXPECT_EQ(test, ws_cls(__TASK_STOPPED, false, false, -1, false, 0), WS_R_SLEEP);
	/* A D-state sleep inside a futex call is still D state. */
	KUNIT_EXPECT_EQ(test, ws_cls(TASK_UNINTERRUPTIBLE, false, false, WS_NR_FUTEX, false,
				     FUTEX_WAIT), WS_R_UNINT);
	KUNIT_EXPECT_TRUE(test, ws_switch_is_exit(TASK_DEAD));
	/* A sleep that a pending signal aborted: runnable (6.1 passes the old state). */
	KUNIT_EXPECT_FALSE(test, ws_switch_blocks(false, TASK_INTERRUPTIBLE, TASK_RUNNING));
	KUNIT_EXPECT_FALSE(test, ws_switch_blocks(false, TASK_RUNNING, TASK_RUNNING));
	KUNIT_EXPECT_FALSE(test, ws_switch_blocks(true, TASK_INTERRUPTIBLE, TASK_INTERRUPTIBLE));
	KUNIT_EXPECT_TRUE(test, ws_switch_blocks(false, TASK_INTERRUPTIBLE, TASK_INTERRUPTIBLE));
	/* A waker got there first: still a block, it ends at the wakeup. */
	KUNIT_EXPECT_TRUE(test, ws_switch_blocks(false, TASK_UNINTERRUPTIBLE, TASK_WAKING));
	KUNIT_EXPECT_FALSE(test, ws_switch_is_exit(TASK_INTERRUPTIBLE));
}

static void ws_test_classify_futex(struct kunit *test)
{
	static const unsigned long waits[] = {
		FUTEX_WAIT, FUTEX_WAIT_PRIVATE, FUTEX_WAIT_BITSET_PRIVATE,
		FUTEX_WAIT_BITSET | FUTEX_CLOCK_REALTIME, FUTEX_WAIT_REQUEUE_PI_PRIVATE,
		FUTEX_LOCK_PI, FUTEX_LOCK_PI_PRIVATE, FUTEX_LOCK_PI2,
	};
	static const unsigned long others[] = {
		FUTEX_WAKE, FUTEX_WAKE_PRIVATE, FUTEX_REQUEUE, FUTEX_CMP_REQUEUE,
		FUTEX_UNLOCK_PI, FUTEX_TRYLOCK_PI, FUTEX_WAKE_OP,
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(waits); i++) {
		KUNIT_EXPECT_EQ(test, ws_cls(TASK_INTERRUPTIBLE, false, false, WS_NR_FUTEX,
					     false, waits[i]), WS_R_FUTEX);
		KUNIT_EXPECT_EQ(test, ws_cls(TASK_INTERRUPTIBLE, false, false,
					     WS_NR_IA32_FUTEX, true, waits[i]), WS_R_FUTEX);
		KUNIT_EXPECT_EQ(test, ws_cls(TASK_INTERRUPTIBLE, false, false,
					     WS_NR_IA32_FUTEX_TIME64, true, waits[i]), WS_R_FUTEX);
		KUNIT_EXPECT_EQ(test, ws_cls(TASK_INTERRUPTIBLE, false, false,
					     WS_X32_SYSCALL_BIT | WS_NR_FUTEX, false, waits[i]),
				WS_R_FUTEX);
	}
	for (i = 0; i < ARRAY_SIZE(others); i++)
		KUNIT_EXPECT_EQ(test, ws_cls(TASK_INTERRUPTIBLE, false, false, WS_NR_FUTEX,
					     false, others[i]), WS_R_SLEEP);
	KUNIT_EXPECT_EQ(test, ws_cls(TASK_INTERRUPTIBLE, false, false, WS_NR_FUTEX_WAITV,
				     false, 0), WS_R_FUTEX);
	KUNIT_EXPECT_EQ(test, ws_cls(TASK_INTERRUPTIBLE, false, false, WS_NR_FUTEX_WAIT,
				     false, 0), WS_R_FUTEX);
	/* 202 is futex only in the 64-bit table; 240 only in the ia32 one. */
	KUNIT_EXPECT_EQ(test, ws_cls(TASK_INTERRUPTIBLE, false, false, WS_NR_FUTEX, true,
				     FUTEX_WAIT), WS_R_SLEEP);
	KUNIT_EXPECT_EQ(test, ws_cls(TASK_INTERRUPTIBLE, false, false, WS_NR_IA32_FUTEX,
				     false, FUTEX_WAIT), WS_R_SLEEP);
	/* restart_syscall after a signal: the futex is no longer visible. */
	KUNIT_EXPECT_EQ(test, ws_cls(TASK_INTERRUPTIBLE, false, false, 219, false, 0),
			WS_R_SLEEP);
	KUNIT_EXPECT_EQ(test, ws_cls(TASK_INTERRUPTIBLE, false, false, -1, false, 0),
			WS_R_SLEEP);
	KUNIT_EXPECT_EQ(test, ws_futex_op(WS_NR_FUTEX, FUTEX_WAIT_BITSET_PRIVATE),
			(unsigned int)FUTEX_WAIT_BITSET);
	KUNIT_EXPECT_STREQ(test, ws_futex_op_name(ws_futex_op(WS_NR_FUTEX, FUTEX_WAIT_PRIVATE)),
			   "wait");
	KUNIT_EXPECT_STREQ(test, ws_futex_op_name(ws_futex_op(WS_NR_FUTEX_WAITV, 0)), "waitv");
	KUNIT_EXPECT_STREQ(test, ws_futex_op_name(ws_futex_op(WS_NR_FUTEX_WAIT, 0)),
			   "futex_wait");
	KUNIT_EXPECT_STREQ(test, ws_futex_op_name(FUTEX_LOCK_PI2), "lock_pi2");
	/* Lock waits: glibc's "locked, with waiters" value, or a PI lock. */
	KUNIT_EXPECT_TRUE(test, ws_futex_is_lock_wait(FUTEX_WAIT, 2));
	KUNIT_EXPECT_TRUE(test, ws_futex_is_lock_wait(FUTEX_WAIT_BITSET, 2));
	KUNIT_EXPECT_TRUE(test, ws_futex_is_lock_wait(FUTEX_LOCK_PI, 0x80000e96));
	KUNIT_EXPECT_TRUE(test, ws_futex_is_lock_wait(FUTEX_LOCK_PI2, 0));
	/* A Go runtime park (expects 0), a join (expects the tid), a semaphore. */
	KUNIT_EXPECT_FALSE(test, ws_futex_is_lock_wait(FUTEX_WAIT, 0));
	KUNIT_EXPECT_FALSE(test, ws_futex_is_lock_wait(FUTEX_WAIT_BITSET, 4711));
	KUNIT_EXPECT_FALSE(test, ws_futex_is_lock_wait(WS_FUTEX_OP_WAITV, 2));
	KUNIT_EXPECT_STREQ(test, ws_reason_name(WS_R_UNINT), "uninterruptible");
	KUNIT_EXPECT_STREQ(test, ws_reason_name(WS_NR_REASONS), "?");
}

/* ---- thread table ---- */

#define WS_TEST_CAP	64
/* Tids from 4096 on overflow: the tests reach both paths. */
#define WS_TEST_SLOTS	4096
/* The task_struct address of the tests' threads: compared, never followed. */
#define WS_TEST_OWNER	0x1000UL

static struct ws_entry_init ws_bo(u32 tid, u64 start, unsigned long owner)
{
	struct ws_entry_init b = { .key = { .tid = tid, .start = start, .owner = owner },
				   .tgid = tid, .syscall = -1 };

	return b;
}

static struct ws_entry_init ws_b(u32 tid, u64 start)
{
	return ws_bo(tid, start, WS_TEST_OWNER);
}

static struct ws_key ws_k(u32 tid, u64 start)
{
	return (struct ws_key){ .tid = tid, .start = start, .owner = WS_TEST_OWNER };
}

static struct ws_thread_entry *ws_find(struct ws_table *t, u32 tid, u64 start)
{
	struct ws_key k = ws_k(tid, start);

	return ws_table_find(t, &k);
}

static struct ws_thread_entry *ws_try(struct ws_table *t, u32 ref, u32 tid, u64 start)
{
	struct ws_key k = ws_k(tid, start);

	return ws_table_try_ref(t, ref, &k);
}

/* An entry's ref, as the slots hold it: its index + 1. */
static u32 ws_ref_of(struct ws_table *t, struct ws_thread_entry *e)
{
	return e - t->ent + 1;
}

static struct ws_table *ws_test_table(struct kunit *test)
{
	struct ws_table *t = kunit_kzalloc(test, sizeof(*t), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, t);
	KUNIT_ASSERT_EQ(test, ws_table_init(t, WS_TEST_CAP, WS_TEST_SLOTS), 0);
	return t;
}

/* Per-test scratch: entry pointers and a copy buffer, too big for the stack. */
struct ws_test_scratch {
	struct ws_thread_entry *e[WS_TEST_CAP];
	struct ws_thread_entry copy;
};

static struct ws_test_scratch *ws_test_scratch(struct kunit *test)
{
	struct ws_test_scratch *sc = kunit_kzalloc(test, sizeof(*sc), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, sc);
	return sc;
}

static void ws_test_table_insert_lookup(struct kunit *test)
{
	struct ws_table *t = ws_test_table(test);
	struct ws_test_scratch *sc = ws_test_scratch(test);
	struct ws_thread_entry **e = sc->e;
	struct ws_entry_init b;
	u32 i;

	for (i = 0; i < WS_TEST_CAP; i++) {
		/* Multiples of 1024 collide in small tables: chains get long. */
		b = ws_b(1 + i * 1024, 7);
		e[i] = ws_table_add(t, &b);
		KUNIT_ASSERT_NOT_NULL(test, e[i]);
	}
	KUNIT_EXPECT_EQ(test, ws_table_used(t), WS_TEST_CAP);
	for (i = 0; i < WS_TEST_CAP; i++) {
		KUNIT_EXPECT_PTR_EQ(test, ws_find(t, 1 + i * 1024, 7), e[i]);
		KUNIT_EXPECT_EQ(test, e[i]->tgid, 1 + i * 1024);
	}
	/* Adding an existing thread returns its entry, unchanged. */
	b = ws_b(1, 7);
	b.state = WS_ST_ONCPU;
	KUNIT_EXPECT_PTR_EQ(test, ws_table_add(t, &b), e[0]);
	KUNIT_EXPECT_EQ(test, e[0]->state, (u8)WS_ST_UNKNOWN);
	KUNIT_EXPECT_TRUE(test, ws_table_read(t, e[5] - t->ent, &sc->copy));
	KUNIT_EXPECT_EQ(test, sc->copy.tid, 1 + 5 * 1024U);
	KUNIT_EXPECT_NULL(test, ws_find(t, 2, 7));
	ws_table_destroy(t);
}

static void ws_test_table_pid_reuse(struct kunit *test)
{
	struct ws_table *t = ws_test_table(test);
	struct ws_entry_init old = ws_b(100, 1000), young = ws_b(100, 2000);
	struct ws_thread_entry *a, *b;

	a = ws_table_add(t, &old);
	KUNIT_ASSERT_NOT_NULL(test, a);
	ws_hist_add(&a->hist[WS_R_SLEEP], 50 * NSEC_PER_MSEC);
	a->oncpu_ns = 12345;
	/* Same tid, later start: a different thread, which inherits nothing. */
	KUNIT_EXPECT_NULL(test, ws_find(t, 100, 2000));
	b = ws_table_add(t, &young);
	KUNIT_ASSERT_NOT_NULL(test, b);
	KUNIT_EXPECT_PTR_NE(test, a, b);
	KUNIT_EXPECT_EQ(test, ws_hist_count(&b->hist[WS_R_SLEEP]), 0ULL);
	KUNIT_EXPECT_EQ(test, b->oncpu_ns, 0ULL);
	/* The old one dies; its entry is reused clean by a third thread. */
	KUNIT_EXPECT_TRUE(test, ws_table_del(t, a));
	KUNIT_EXPECT_FALSE(test, ws_table_del(t, a));
	KUNIT_EXPECT_NULL(test, ws_find(t, 100, 1000));
	KUNIT_EXPECT_PTR_EQ(test, ws_find(t, 100, 2000), b);
	old = ws_b(100, 3000);
	a = ws_table_add(t, &old);
	KUNIT_ASSERT_NOT_NULL(test, a);
	KUNIT_EXPECT_EQ(test, ws_hist_count(&a->hist[WS_R_SLEEP]), 0ULL);
	KUNIT_EXPECT_EQ(test, a->oncpu_ns, 0ULL);
	ws_table_destroy(t);
}

/*
 * The lock-free lookup of a hinted entry: a stale hint is a miss, never
 * another thread's entry.
 */
static void ws_test_table_try_ref(struct kunit *test)
{
	struct ws_table *t = ws_test_table(test);
	struct ws_entry_init b = ws_b(300, 1000), next = ws_b(301, 1000);
	struct ws_thread_entry *e, *f;
	u32 ref;

	e = ws_table_add(t, &b);
	KUNIT_ASSERT_NOT_NULL(test, e);
	ref = ws_ref_of(t, e);
	KUNIT_EXPECT_PTR_EQ(test, ws_try(t, ref, 300, 1000), e);
	KUNIT_EXPECT_NULL(test, ws_try(t, ref, 300, 2000));
	KUNIT_EXPECT_NULL(test, ws_try(t, ref, 301, 1000));
	KUNIT_EXPECT_NULL(test, ws_try(t, 0, 300, 1000));
	KUNIT_EXPECT_NULL(test, ws_try(t, WS_TEST_CAP + 1, 300, 1000));
	/* Being written: a miss. */
	ws_entry_write_begin(e);
	KUNIT_EXPECT_NULL(test, ws_try(t, ref, 300, 1000));
	ws_entry_write_end(e);
	/* Freed, then reused by another thread: a miss for the old one. */
	KUNIT_EXPECT_TRUE(test, ws_table_del(t, e));
	KUNIT_EXPECT_NULL(test, ws_try(t, ref, 300, 1000));
	f = ws_table_add(t, &next);
	KUNIT_ASSERT_NOT_NULL(test, f);
	if (f == e)
		KUNIT_EXPECT_PTR_EQ(test, ws_try(t, ref, 301, 1000), f);
	KUNIT_EXPECT_NULL(test, ws_try(t, ref, 300, 1000));
	ws_table_destroy(t);
}

static void ws_test_table_reclaim(struct kunit *test)
{
	struct ws_table *t = ws_test_table(test);
	struct ws_test_scratch *sc = ws_test_scratch(test);
	struct ws_thread_entry **e = sc->e;
	struct ws_entry_init b;
	int round, i;

	/* Many generations through a small table: nothing leaks. */
	for (round = 0; round < 50; round++) {
		for (i = 0; i < WS_TEST_CAP; i++) {
			b = ws_b(5 + i * 3, round);
			e[i] = ws_table_add(t, &b);
			KUNIT_ASSERT_NOT_NULL(test, e[i]);
		}
		KUNIT_EXPECT_EQ(test, ws_table_used(t), WS_TEST_CAP);
		/* Free from the middle of chains, in another order. */
		for (i = WS_TEST_CAP - 1; i >= 0; i -= 2)
			KUNIT_EXPECT_TRUE(test, ws_table_del(t, e[i]));
		for (i = 0; i < WS_TEST_CAP; i += 2)
			KUNIT_EXPECT_PTR_EQ(test, ws_find(t, 5 + i * 3, round), e[i]);
		for (i = 0; i < WS_TEST_CAP; i += 2)
			KUNIT_EXPECT_TRUE(test, ws_table_del(t, e[i]));
		KUNIT_EXPECT_EQ(test, ws_table_used(t), 0U);
	}
	for (i = 0; i < WS_TEST_CAP; i++)
		KUNIT_EXPECT_FALSE(test, ws_table_read(t, i, &sc->copy));
	ws_table_destroy(t);
}

/* The collector frees entries of vanished threads, a bounded slice a call. */
static void ws_test_table_collect(struct kunit *test)
{
	struct ws_table *t = ws_test_table(test);
	u32 me = task_pid_nr(current);
	u64 start = ws_task_start(current);
	/* This thread; an older generation of its tid; a tid nobody holds. */
	unsigned long self = (unsigned long)current;
	struct ws_entry_init live = ws_bo(me, start, self), old = ws_bo(me, start + 1, self);
	struct ws_entry_init gone = ws_b(PID_MAX_LIMIT - 1, 1);
	/* This tid and start, made by another task_struct: not this thread. */
	struct ws_entry_init other = ws_bo(me, start, self + 64);
	struct ws_key live_key = live.key;
	unsigned int freed = 0, n;
	int i;

	KUNIT_ASSERT_NOT_NULL(test, ws_table_add(t, &live));
	KUNIT_ASSERT_NOT_NULL(test, ws_table_add(t, &old));
	KUNIT_ASSERT_NOT_NULL(test, ws_table_add(t, &gone));
	KUNIT_ASSERT_NOT_NULL(test, ws_table_add(t, &other));
	KUNIT_EXPECT_EQ(test, ws_table_collect(t, 0), 0U);
	KUNIT_EXPECT_EQ(test, ws_table_used(t), 4U);
	/* One entry looked at a call: at most one freed each, both within a lap. */
	for (i = 0; i < WS_TEST_CAP; i++) {
		n = ws_table_collect(t, 1);
		KUNIT_EXPECT_LE(test, n, 1U);
		freed += n;
	}
	KUNIT_EXPECT_EQ(test, freed, 3U);
	KUNIT_EXPECT_EQ(test, ws_table_used(t), 1U);
	KUNIT_EXPECT_NOT_NULL(test, ws_table_find(t, &live_key));
	KUNIT_EXPECT_NULL(test, ws_table_find(t, &old.key));
	KUNIT_EXPECT_EQ(test, ws_table_collect(t, U32_MAX), 0U);
	ws_table_destroy(t);
}

/*
 * exec from a non-leader: the exec'ing thread B (old tid 200) takes its
 * leader A's tid 100 and start time while A's entry still exists.  Each keeps
 * its own entry, A's last switch frees only A's, and B keeps its history.
 */
static void ws_test_table_exec_rekey(struct kunit *test)
{
	struct ws_table *t = ws_test_table(test);
	unsigned long a = 0x2000, b = 0x3000;
	struct ws_entry_init leader = ws_bo(100, 1000, a), thread = ws_bo(200, 1500, b);
	struct ws_key after = { .tid = 100, .start = 1000, .owner = b };
	struct ws_key leader_key = leader.key;
	struct ws_thread_entry *ea, *eb;

	ea = ws_table_add(t, &leader);
	eb = ws_table_add(t, &thread);
	KUNIT_ASSERT_NOT_NULL(test, ea);
	KUNIT_ASSERT_NOT_NULL(test, eb);
	ws_hist_add(&eb->hist[WS_R_SLEEP], 7000);
	/* Same tid and start, another task: never the leader's entry. */
	KUNIT_EXPECT_NULL(test, ws_table_find(t, &after));
	KUNIT_EXPECT_TRUE(test, ws_table_rekey(t, 200, &after));
	KUNIT_EXPECT_PTR_EQ(test, ws_table_find(t, &after), eb);
	KUNIT_EXPECT_PTR_EQ(test, ws_table_find(t, &leader_key), ea);
	KUNIT_EXPECT_EQ(test, eb->tid, 100U);
	KUNIT_EXPECT_EQ(test, ws_hist_count(&eb->hist[WS_R_SLEEP]), 1ULL);
	KUNIT_EXPECT_NULL(test, ws_find(t, 200, 1500));
	/* The old leader's last switch frees its own entry only. */
	KUNIT_EXPECT_TRUE(test, ws_table_del(t, ea));
	KUNIT_EXPECT_PTR_EQ(test, ws_table_find(t, &after), eb);
	KUNIT_EXPECT_EQ(test, ws_table_used(t), 1U);
	/* Nothing filed under the old tid any more: nothing moves. */
	KUNIT_EXPECT_FALSE(test, ws_table_rekey(t, 200, &after));
	ws_table_destroy(t);
}

/*
 * The thread slept between de_thread() and the tracepoint: its probes made a
 * second entry under the new key.  The re-key folds it into the old one.
 */
static void ws_test_table_exec_rekey_merge(struct kunit *test)
{
	struct ws_table *t = ws_test_table(test);
	struct ws_entry_init old = ws_bo(200, 1500, 0x3000), fresh = ws_bo(100, 1000, 0x3000);
	struct ws_key after = fresh.key;
	struct ws_thread_entry *eo, *ef;

	eo = ws_table_add(t, &old);
	ef = ws_table_add(t, &fresh);
	KUNIT_ASSERT_NOT_NULL(test, eo);
	KUNIT_ASSERT_NOT_NULL(test, ef);
	ws_hist_add(&eo->hist[WS_R_SLEEP], 20 * NSEC_PER_MSEC);
	ws_hist_add(&ef->hist[WS_R_SLEEP], 30 * NSEC_PER_MSEC);
	ws_hist_add(&ef->hist[WS_R_RUNQ], 3000);
	eo->nvcsw = 10;
	ef->nvcsw = 2;
	ef->state = WS_ST_ONCPU;
	KUNIT_EXPECT_TRUE(test, ws_table_rekey(t, 200, &after));
	KUNIT_EXPECT_PTR_EQ(test, ws_table_find(t, &after), eo);
	KUNIT_EXPECT_EQ(test, ws_table_used(t), 1U);
	KUNIT_EXPECT_EQ(test, eo->tid, 100U);
	KUNIT_EXPECT_EQ(test, eo->nvcsw, 12ULL);
	KUNIT_EXPECT_EQ(test, ws_hist_count(&eo->hist[WS_R_SLEEP]), 2ULL);
	/* 20 ms and 30 ms: both in the 16384-32767 us bucket. */
	KUNIT_EXPECT_EQ(test, ws_hist_bucket(&eo->hist[WS_R_SLEEP], 14), 2ULL);
	KUNIT_EXPECT_EQ(test, eo->hist[WS_R_SLEEP].total_ns, 50 * NSEC_PER_MSEC);
	KUNIT_EXPECT_EQ(test, eo->hist[WS_R_SLEEP].max_ns, 30 * NSEC_PER_MSEC);
	KUNIT_EXPECT_EQ(test, ws_hist_count(&eo->hist[WS_R_RUNQ]), 1ULL);
	/* Where the thread is now: the newer entry's word. */
	KUNIT_EXPECT_EQ(test, eo->state, (u8)WS_ST_ONCPU);
	/* The folded entry is free again. */
	KUNIT_EXPECT_EQ(test, ef->tid, 0U);
	ws_table_destroy(t);
}

/* The merge of two histograms carries into the high 16 bits. */
static void ws_test_hist_merge(struct kunit *test)
{
	struct ws_hist a = {}, b = {};

	a.lo[5] = U32_MAX;
	b.lo[5] = 2;
	b.hi[5] = 1;
	ws_hist_merge(&a, &b);
	KUNIT_EXPECT_EQ(test, ws_hist_bucket(&a, 5), (1ULL << 33) + 1);
}

/* A reader never spins forever on an entry whose writer is stuck. */
static void ws_test_table_read_bounded(struct kunit *test)
{
	struct ws_table *t = ws_test_table(test);
	struct ws_test_scratch *sc = ws_test_scratch(test);
	struct ws_entry_init b = ws_b(42, 1);
	struct ws_thread_entry *e = ws_table_add(t, &b);

	KUNIT_ASSERT_NOT_NULL(test, e);
	ws_entry_write_begin(e);
	KUNIT_EXPECT_FALSE(test, ws_table_read(t, e - t->ent, &sc->copy));
	KUNIT_EXPECT_EQ(test, atomic64_read(&t->read_busy), 1LL);
	ws_entry_write_end(e);
	KUNIT_EXPECT_TRUE(test, ws_table_read(t, e - t->ent, &sc->copy));
	KUNIT_EXPECT_EQ(test, sc->copy.tid, 42U);
	ws_table_destroy(t);
}

/*
 * The overflow hash: a tid past the slots, and a second thread whose tid's
 * slot an older thread's entry still holds.  Both are found, freed, and the
 * slot path is used again once the slot is free.
 */
static void ws_test_table_overflow(struct kunit *test)
{
	struct ws_table *t = ws_test_table(test);
	struct ws_entry_init high = ws_b(WS_TEST_SLOTS + 7, 1), old = ws_bo(50, 1, 0x2000);
	struct ws_entry_init young = ws_bo(50, 2, 0x3000), later = ws_bo(50, 3, 0x4000);
	struct ws_thread_entry *eh, *eo, *ey, *el;

	eh = ws_table_add(t, &high);
	KUNIT_ASSERT_NOT_NULL(test, eh);
	KUNIT_EXPECT_EQ(test, atomic_read(&t->nr_overflow), 1);
	KUNIT_EXPECT_PTR_EQ(test, ws_find(t, WS_TEST_SLOTS + 7, 1), eh);
	eo = ws_table_add(t, &old);
	ey = ws_table_add(t, &young);
	KUNIT_ASSERT_NOT_NULL(test, eo);
	KUNIT_ASSERT_NOT_NULL(test, ey);
	KUNIT_EXPECT_EQ(test, t->slots[50], ws_ref_of(t, eo));
	KUNIT_EXPECT_EQ(test, atomic_read(&t->nr_overflow), 2);
	KUNIT_EXPECT_PTR_EQ(test, ws_table_find(t, &young.key), ey);
	KUNIT_EXPECT_PTR_EQ(test, ws_table_find(t, &old.key), eo);
	/* The old one goes: the slot is free for the next thread of tid 50. */
	KUNIT_EXPECT_TRUE(test, ws_table_del(t, eo));
	KUNIT_EXPECT_EQ(test, t->slots[50], 0U);
	KUNIT_EXPECT_PTR_EQ(test, ws_table_find(t, &young.key), ey);
	el = ws_table_add(t, &later);
	KUNIT_ASSERT_NOT_NULL(test, el);
	KUNIT_EXPECT_EQ(test, t->slots[50], ws_ref_of(t, el));
	KUNIT_EXPECT_TRUE(test, ws_table_del(t, ey));
	KUNIT_EXPECT_TRUE(test, ws_table_del(t, eh));
	KUNIT_EXPECT_FALSE(test, ws_table_del(t, eh));
	KUNIT_EXPECT_EQ(test, atomic_read(&t->nr_overflow), 0);
	KUNIT_EXPECT_NULL(test, ws_table_find(t, &young.key));
	KUNIT_EXPECT_EQ(test, ws_table_used(t), 1U);
	ws_table_destroy(t);
}

static void ws_test_table_full(struct kunit *test)
{
	struct ws_table *t = ws_test_table(test);
	struct ws_thread_entry *first = NULL;
	struct ws_entry_init b;
	u32 i;

	for (i = 0; i < WS_TEST_CAP; i++) {
		struct ws_thread_entry *e;

		b = ws_b(10 + i, 1);
		e = ws_table_add(t, &b);
		KUNIT_ASSERT_NOT_NULL(test, e);
		if (!first)
			first = e;
	}
	ws_hist_add(&first->hist[WS_R_RUNQ], 3000);
	/* Full: new threads are dropped, each counted once. */
	b = ws_b(5000, 1);
	KUNIT_EXPECT_NULL(test, ws_table_add(t, &b));
	KUNIT_EXPECT_NULL(test, ws_table_add(t, &b));
	b = ws_b(5001, 1);
	KUNIT_EXPECT_NULL(test, ws_table_add(t, &b));
	KUNIT_EXPECT_EQ(test, atomic_read(&t->dropped_now), 2);
	KUNIT_EXPECT_EQ(test, atomic64_read(&t->dropped_total), 2LL);
	KUNIT_EXPECT_TRUE(test, ws_table_is_dropped(t, 5000));
	/* Tracked threads are undisturbed. */
	KUNIT_EXPECT_PTR_EQ(test, ws_find(t, 10, 1), first);
	KUNIT_EXPECT_EQ(test, ws_hist_count(&first->hist[WS_R_RUNQ]), 1ULL);
	/* A dropped thread that exits is no longer "dropped now". */
	ws_table_forget_dropped(t, 5000);
	ws_table_forget_dropped(t, 5000);
	KUNIT_EXPECT_EQ(test, atomic_read(&t->dropped_now), 1);
	KUNIT_EXPECT_EQ(test, atomic64_read(&t->dropped_total), 2LL);
	ws_table_clear(t);
	KUNIT_EXPECT_EQ(test, ws_table_used(t), 0U);
	KUNIT_EXPECT_EQ(test, atomic_read(&t->dropped_now), 0);
	KUNIT_EXPECT_FALSE(test, ws_table_is_dropped(t, 5001));
	ws_table_destroy(t);
}

static void ws_test_table_entry_size(struct kunit *test)
{
	/* Lockdep grows the seqcount; the bound holds for production builds. */
	if (IS_ENABLED(CONFIG_DEBUG_LOCK_ALLOC))
		kunit_skip(test, "seqcount carries a lockdep map in this build");
	KUNIT_EXPECT_LE(test, sizeof(struct ws_thread_entry), (size_t)1024);
}

/* ---- futex table ---- */

/* The count of (tgid, pstart, uaddr) in the shared table, 0 if absent. */
static u64 ws_futex_count_of(struct ws_futex_table *ft, u32 tgid, u64 pstart, u64 uaddr)
{
	struct ws_futex f;
	u32 i;

	for (i = 0; i < ft->pool.capacity; i++)
		if (ws_futex_read(ft, i, &f) && f.tgid == tgid && f.pstart == pstart &&
		    f.uaddr == uaddr)
			return f.count;
	return 0;
}

/*
 * Waits go to the CPU's slots first; a flush hands them all to the shared
 * table, and a full table counts the waits it could not take as dropped:
 * every wait is in one or the other, none lost.
 */
static void ws_test_futex_cpu_slots(struct kunit *test)
{
	struct ws_futex_table *ft = kunit_kzalloc(test, sizeof(*ft), GFP_KERNEL);
	struct ws_futex_wait w = { .tgid = 42, .pstart = 7 };
	u64 recorded = 0;
	struct ws_futex f;
	u32 i;

	KUNIT_ASSERT_NOT_NULL(test, ft);
	KUNIT_ASSERT_EQ(test, ws_futex_init(ft, 64), 0);
	/* One hot word, in the shared table before it fills up... */
	w.uaddr = 0x100000;
	w.lock = true;
	ws_futex_add(ft, &w, 5000);
	ws_futex_flush(ft);
	/* ...then between 200 others that displace it from its slot. */
	for (i = 1; i < 400; i++) {
		w.uaddr = 0x1000 + (i % 200) * 8;
		w.lock = false;
		ws_futex_add(ft, &w, 1000);
		w.uaddr = 0x100000;
		w.lock = true;
		ws_futex_add(ft, &w, 5000);
	}
	ws_futex_flush(ft);
	KUNIT_EXPECT_EQ(test, ws_futex_count_of(ft, 42, 7, 0x100000), 400ULL);
	for (i = 0; i < ft->pool.capacity; i++)
		if (ws_futex_read(ft, i, &f))
			recorded += f.count;
	KUNIT_EXPECT_EQ(test, recorded + ws_futex_dropped(ft), 799ULL);
	KUNIT_EXPECT_GT(test, ws_futex_dropped(ft), 0LL);
	/* Another process under the same tgid is another row. */
	w.pstart = 8;
	ws_futex_add(ft, &w, 5000);
	ws_futex_flush(ft);
	KUNIT_EXPECT_EQ(test, ws_futex_count_of(ft, 42, 7, 0x100000), 400ULL);
	ws_futex_destroy(ft);
}

/* ---- control parsing ---- */

static void ws_test_control_accepts(struct kunit *test)
{
	static const struct {
		const char *in;
		enum ws_cmd_op op;
		u32 value;
	} good[] = {
		{ "reset", WS_CMD_RESET, 0 }, { "reset\n", WS_CMD_RESET, 0 },
		{ "enable\n", WS_CMD_ENABLE, 0 }, { "disable", WS_CMD_DISABLE, 0 },
		{ "filter tgid=1", WS_CMD_FILTER, 1 },
		{ "filter tgid=4321\n", WS_CMD_FILTER, 4321 },
		{ "filter off", WS_CMD_FILTER_OFF, 0 },
		{ "blocked_min_ms=0", WS_CMD_BLOCKED_MIN, 0 },
		{ "blocked_min_ms=86400000\n", WS_CMD_BLOCKED_MIN, 86400000 },
		{ "slow_min_us=0", WS_CMD_SLOW_MIN, 0 },
		{ "slow_min_us=3600000000\n", WS_CMD_SLOW_MIN, 3600000000U },
		{ "slow_reset", WS_CMD_SLOW_RESET, 0 },
		{ "exit_events=0", WS_CMD_EXIT_EVENTS, 0 },
		{ "exit_events=1\n", WS_CMD_EXIT_EVENTS, 1 },
	};
	struct ws_cmd cmd;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(good); i++) {
		KUNIT_EXPECT_EQ_MSG(test, ws_control_parse(good[i].in, strlen(good[i].in), &cmd),
				    0, "input '%s'", good[i].in);
		KUNIT_EXPECT_EQ(test, cmd.op, good[i].op);
		KUNIT_EXPECT_EQ(test, cmd.value, good[i].value);
	}
}

static void ws_test_control_refuses(struct kunit *test)
{
	static const char * const bad[] = {
		"", "\n", "\n\n", "reset\n\n", " reset", "reset ", "RESET", "resetx",
		"filter", "filter tgid=", "filter tgid=0", "filter tgid=-1", "filter tgid=+5",
		"filter tgid=0x10", "filter tgid=99999999", "filter  off", "filter tgid= 5",
		"blocked_min_ms=86400001", "blocked_min_ms=-1", "blocked_min_ms=1 ",
		"blocked_min_ms=4294967296", "blocked_min_ms=1\n\n", "enable\r\n",
		"slow_min_us=3600000001", "slow_min_us=", "slow_min_us=-1", "slow_min_us=1ms",
		"exit_events=2", "exit_events=on", "exit_events=", "slow_reset=1", "slow_reset ",
	};
	struct ws_cmd cmd = { .op = WS_CMD_BLOCKED_MIN, .value = 77 };
	char big[WS_CTL_MAX + 2];
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(bad); i++)
		KUNIT_EXPECT_EQ_MSG(test, ws_control_parse(bad[i], strlen(bad[i]), &cmd),
				    -EINVAL, "input '%s'", bad[i]);
	/* An embedded NUL and an over-long line. */
	KUNIT_EXPECT_EQ(test, ws_control_parse("reset\0x", 7, &cmd), -EINVAL);
	memset(big, '1', sizeof(big));
	memcpy(big, "blocked_min_ms=", 15);
	KUNIT_EXPECT_EQ(test, ws_control_parse(big, sizeof(big), &cmd), -EINVAL);
	/* A refused command leaves the output untouched. */
	KUNIT_EXPECT_EQ(test, cmd.op, WS_CMD_BLOCKED_MIN);
	KUNIT_EXPECT_EQ(test, cmd.value, 77U);
}

/* ---- the recorder's rings ---- */

#define WS_TEST_RING	16

static struct ws_recorder *ws_test_rec(struct kunit *test)
{
	struct ws_recorder *r = kunit_kzalloc(test, sizeof(*r), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, r);
	KUNIT_ASSERT_EQ(test, ws_rec_init(r, WS_TEST_RING), 0);
	ws_rec_set_min_us(r, 1);
	return r;
}

/* n events of tid on this CPU (the caller keeps it on one). */
static void ws_test_rec_write(struct ws_recorder *r, u32 tid, unsigned int n)
{
	struct ws_event ev = { .tid = tid, .kind = WS_EV_WAIT };

	while (n--) {
		ev.duration_ns++;
		ws_rec_write(r, &ev);
	}
}

static void ws_test_ring_wrap(struct kunit *test)
{
	struct ws_recorder *r = ws_test_rec(test);
	struct ws_rec_snap snap;
	u32 i;

	preempt_disable();
	ws_test_rec_write(r, 7, 40);
	preempt_enable();
	KUNIT_ASSERT_EQ(test, ws_rec_snap_take(r, 0, &snap), 0);
	/* The newest 16 kept, numbered 25..40 without a gap; 24 overwritten and missed. */
	KUNIT_EXPECT_EQ(test, snap.n, (u32)WS_TEST_RING);
	KUNIT_EXPECT_EQ(test, snap.last, 40ULL);
	KUNIT_EXPECT_EQ(test, snap.missed, 24ULL);
	KUNIT_EXPECT_EQ(test, snap.overwritten, 24ULL);
	KUNIT_EXPECT_EQ(test, ws_rec_overwritten(r), 24ULL);
	/* The per-reason counts keep what the ring let go. */
	KUNIT_EXPECT_EQ(test, ws_rec_recorded(r, WS_R_RUNQ), 40ULL);
	KUNIT_EXPECT_EQ(test, ws_rec_recorded(r, WS_R_IO), 0ULL);
	for (i = 0; i < snap.n; i++) {
		KUNIT_EXPECT_EQ(test, snap.ev[i].seq, 25ULL + i);
		KUNIT_EXPECT_EQ(test, snap.ev[i].duration_ns, 25ULL + i);
		KUNIT_EXPECT_EQ(test, snap.ev[i].tid, 7U);
	}
	ws_rec_snap_free(&snap);
	ws_rec_destroy(r);
}

static void ws_test_ring_resume(struct kunit *test)
{
	struct ws_recorder *r = ws_test_rec(test);
	struct ws_rec_snap snap;

	preempt_disable();
	ws_test_rec_write(r, 7, 40);
	preempt_enable();
	/* Caught up to 30: the 10 newer ones, nothing missed. */
	KUNIT_ASSERT_EQ(test, ws_rec_snap_take(r, 30, &snap), 0);
	KUNIT_EXPECT_EQ(test, snap.n, 10U);
	KUNIT_EXPECT_EQ(test, snap.ev[0].seq, 31ULL);
	KUNIT_EXPECT_EQ(test, snap.missed, 0ULL);
	ws_rec_snap_free(&snap);
	/* Resuming after 20: 21..24 were overwritten meanwhile. */
	KUNIT_ASSERT_EQ(test, ws_rec_snap_take(r, 20, &snap), 0);
	KUNIT_EXPECT_EQ(test, snap.n, 16U);
	KUNIT_EXPECT_EQ(test, snap.missed, 4ULL);
	ws_rec_snap_free(&snap);
	/* Past the end: nothing, nothing missed. */
	KUNIT_ASSERT_EQ(test, ws_rec_snap_take(r, 40, &snap), 0);
	KUNIT_EXPECT_EQ(test, snap.n, 0U);
	KUNIT_EXPECT_EQ(test, snap.missed, 0ULL);
	ws_rec_snap_free(&snap);
	/* Two readers at once see the same events: reading does not consume. */
	KUNIT_ASSERT_EQ(test, ws_rec_snap_take(r, 0, &snap), 0);
	KUNIT_EXPECT_EQ(test, snap.n, 16U);
	ws_rec_snap_free(&snap);
	ws_rec_destroy(r);
}

static void ws_test_ring_write_on(void *arg)
{
	ws_test_rec_write(arg, 100 + smp_processor_id(), 3);
}

/* Events of several CPUs come out in one order, by their numbers. */
static void ws_test_ring_order(struct kunit *test)
{
	struct ws_recorder *r = ws_test_rec(test);
	struct ws_rec_snap snap;
	unsigned int cpu, n = 0, round;
	u32 i;

	for (round = 0; round < 3; round++) {
		for_each_online_cpu(cpu) {
			KUNIT_ASSERT_EQ(test, smp_call_function_single(cpu, ws_test_ring_write_on,
								       r, 1), 0);
			n += 3;
		}
	}
	KUNIT_ASSERT_EQ(test, ws_rec_snap_take(r, 0, &snap), 0);
	KUNIT_EXPECT_EQ(test, snap.n, n);
	KUNIT_EXPECT_EQ(test, snap.missed, 0ULL);
	for (i = 0; i < snap.n; i++) {
		KUNIT_EXPECT_EQ(test, snap.ev[i].seq, 1ULL + i);
		KUNIT_EXPECT_EQ(test, snap.ev[i].tid, 100U + snap.ev[i].cpu);
	}
	ws_rec_snap_free(&snap);
	ws_rec_destroy(r);
}

/* slow_reset: the events so far are forgotten, numbering goes on. */
static void ws_test_ring_forget(struct kunit *test)
{
	struct ws_recorder *r = ws_test_rec(test);
	struct ws_event exit_ev = { .tid = 8, .kind = WS_EV_EXIT, .reason = WS_NR_REASONS };
	struct ws_rec_snap snap;

	preempt_disable();
	ws_test_rec_write(r, 7, 20);
	preempt_enable();
	ws_rec_forget(r);
	KUNIT_EXPECT_EQ(test, ws_rec_written(r), 0ULL);
	KUNIT_EXPECT_EQ(test, ws_rec_overwritten(r), 0ULL);
	KUNIT_EXPECT_EQ(test, ws_rec_recorded(r, WS_R_RUNQ), 0ULL);
	KUNIT_ASSERT_EQ(test, ws_rec_snap_take(r, 0, &snap), 0);
	KUNIT_EXPECT_EQ(test, snap.n, 0U);
	KUNIT_EXPECT_EQ(test, snap.missed, 0ULL);
	ws_rec_snap_free(&snap);
	preempt_disable();
	ws_test_rec_write(r, 8, 2);
	ws_rec_write(r, &exit_ev);
	preempt_enable();
	KUNIT_EXPECT_EQ(test, ws_rec_recorded(r, WS_R_RUNQ), 2ULL);
	KUNIT_EXPECT_EQ(test, ws_rec_recorded(r, WS_REC_EXIT_COUNT), 1ULL);
	KUNIT_ASSERT_EQ(test, ws_rec_snap_take(r, 0, &snap), 0);
	KUNIT_EXPECT_EQ(test, snap.n, 3U);
	KUNIT_EXPECT_EQ(test, snap.ev[0].seq, 21ULL);
	KUNIT_EXPECT_EQ(test, snap.missed, 0ULL);
	ws_rec_snap_free(&snap);
	ws_rec_destroy(r);
}

/* The threshold: one comparison, and off is off. */
static void ws_test_ring_threshold(struct kunit *test)
{
	struct ws_recorder *r = ws_test_rec(test);

	ws_rec_set_min_us(r, 10000);
	KUNIT_EXPECT_FALSE(test, ws_rec_wants(r, 9999999));
	KUNIT_EXPECT_TRUE(test, ws_rec_wants(r, 10000000));
	ws_rec_set_min_us(r, 0);
	KUNIT_EXPECT_FALSE(test, ws_rec_wants(r, U64_MAX - 1));
	ws_rec_destroy(r);
}

static struct kunit_case ws_classify_cases[] = {
	KUNIT_CASE(ws_test_slots),
	KUNIT_CASE(ws_test_hist),
	KUNIT_CASE(ws_test_hist_merge),
	KUNIT_CASE(ws_test_classify_states),
	KUNIT_CASE(ws_test_classify_futex),
	{}
};

static struct kunit_case ws_table_cases[] = {
	KUNIT_CASE(ws_test_table_insert_lookup),
	KUNIT_CASE(ws_test_table_pid_reuse),
	KUNIT_CASE(ws_test_table_try_ref),
	KUNIT_CASE(ws_test_table_reclaim),
	KUNIT_CASE(ws_test_table_collect),
	KUNIT_CASE(ws_test_table_exec_rekey),
	KUNIT_CASE(ws_test_table_exec_rekey_merge),
	KUNIT_CASE(ws_test_table_read_bounded),
	KUNIT_CASE(ws_test_table_overflow),
	KUNIT_CASE(ws_test_table_full),
	KUNIT_CASE(ws_test_table_entry_size),
	KUNIT_CASE(ws_test_futex_cpu_slots),
	{}
};

static struct kunit_case ws_control_cases[] = {
	KUNIT_CASE(ws_test_control_accepts),
	KUNIT_CASE(ws_test_control_refuses),
	{}
};

static struct kunit_case ws_recorder_cases[] = {
	KUNIT_CASE(ws_test_ring_wrap),
	KUNIT_CASE(ws_test_ring_resume),
	KUNIT_CASE(ws_test_ring_order),
	KUNIT_CASE(ws_test_ring_forget),
	KUNIT_CASE(ws_test_ring_threshold),
	{}
};

static struct kunit_suite ws_classify_suite = {
	.name = "waitscope_classify",
	.test_cases = ws_classify_cases,
};

static struct kunit_suite ws_table_suite = {
	.name = "waitscope_table",
	.test_cases = ws_table_cases,
};

static struct kunit_suite ws_control_suite = {
	.name = "waitscope_control",
	.test_cases = ws_control_cases,
};

static struct kunit_suite ws_recorder_suite = {
	.name = "waitscope_recorder",
	.test_cases = ws_recorder_cases,
};

kunit_test_suites(&ws_classify_suite, &ws_table_suite, &ws_control_suite, &ws_recorder_suite);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("KUnit tests for waitscope");
