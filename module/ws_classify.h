/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Pure decisions, no state: which reason an off-CPU interval belongs to and
 * which log2 bucket a duration falls in.  Kept free of kernel objects so the
 * KUnit suite can test every case directly.
 */
#ifndef WS_CLASSIFY_H
#define WS_CLASSIFY_H

#include <linux/types.h>

enum ws_reason {
	WS_R_RUNQ,	/* runnable, waiting for a CPU */
	WS_R_FUTEX,	/* asleep in a futex wait */
	WS_R_IO,	/* uninterruptible with iowait */
	WS_R_UNINT,	/* other uninterruptible (D state) */
	WS_R_SLEEP,	/* other sleep */
	WS_NR_REASONS
};

/*
 * Log2 buckets in microseconds, the layout bcc's tools print: bucket 0 holds
 * [0, 2) us, bucket k holds [2^k, 2^(k+1)) us, the last one is open-ended.
 * 28 buckets resolve intervals up to 2^27 us (134 s), past 2^36 ns.
 */
#define WS_NR_SLOTS	28

/* x86-64 syscall numbers (ABI, never renumbered) of the futex family. */
#define WS_NR_FUTEX		202
#define WS_NR_FUTEX_WAITV	449	/* 5.16+, same number for ia32 */
#define WS_NR_FUTEX_WAIT	455	/* 6.7+, same number for ia32 */
#define WS_NR_IA32_FUTEX	240
#define WS_NR_IA32_FUTEX_TIME64	422
#define WS_X32_SYSCALL_BIT	0x40000000L

/* What the scheduler told us about the task leaving the CPU. */
struct ws_switch_info {
	unsigned int prev_state;	/* the tracepoint's prev_state */
	bool preempt;			/* switched out by preemption */
	bool iowait;			/* task->in_iowait */
	long syscall;			/* -1 when not in a syscall */
	bool compat;			/* ia32 syscall */
	unsigned long futex_op;		/* second syscall argument */
};

/* How a futex wait was made: the futex() command, or one of these syscalls. */
#define WS_FUTEX_OP_WAITV	0x100	/* futex_waitv() */
#define WS_FUTEX_OP_WAIT2	0x101	/* futex_wait() */

/*
 * The value a glibc mutex (and rwlock, and internal lock) waits for: locked
 * with waiters.  A FUTEX_WAIT expecting anything else is not a lock wait:
 * a condition variable, a semaphore, a join, or a runtime's park (the Go
 * runtime parks idle threads on notes, expecting 0).
 */
#define WS_LOCK_WAIT_VAL	2

const char *ws_reason_name(unsigned int reason);
unsigned int ws_futex_op(long nr, unsigned long op);
const char *ws_futex_op_name(unsigned int op);
bool ws_futex_is_lock_wait(unsigned int op, u32 val);
unsigned int ws_slot(u64 ns);
u64 ws_slot_low_us(unsigned int slot);
bool ws_is_futex_wait(long nr, bool compat, unsigned long op);
bool ws_switch_blocks(bool preempt, unsigned int prev_state, unsigned int state_now);
bool ws_switch_is_exit(unsigned int prev_state);
unsigned int ws_classify(const struct ws_switch_info *si);

#endif /* WS_CLASSIFY_H */
