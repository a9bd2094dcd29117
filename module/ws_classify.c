// SPDX-License-Identifier: GPL-2.0
#include <linux/bitops.h>
#include <linux/kernel.h>
#include <linux/math64.h>
#include <linux/time64.h>
#include <linux/sched.h>
#include <uapi/linux/futex.h>
#include "ws_classify.h"

static const char * const ws_reason_names[WS_NR_REASONS] = {
	[WS_R_RUNQ]	= "runq",
	[WS_R_FUTEX]	= "futex",
	[WS_R_IO]	= "io",
	[WS_R_UNINT]	= "uninterruptible",
	[WS_R_SLEEP]	= "sleep",
};

const char *ws_reason_name(unsigned int reason)
{
	return reason < WS_NR_REASONS ? ws_reason_names[reason] : "?";
}

unsigned int ws_slot(u64 ns)
{
	u64 us = div_u64(ns, NSEC_PER_USEC);

	if (us < 2)
		return 0;
	return min_t(unsigned int, fls64(us) - 1, WS_NR_SLOTS - 1);
}

u64 ws_slot_low_us(unsigned int slot)
{
	return slot ? 1ULL << slot : 0;
}

/* Ops that put the caller to sleep on a futex word (the rest wake or fail). */
static bool ws_futex_op_waits(unsigned long op)
{
	switch (op & FUTEX_CMD_MASK) {
	case FUTEX_WAIT:
	case FUTEX_WAIT_BITSET:
	case FUTEX_WAIT_REQUEUE_PI:
	case FUTEX_LOCK_PI:
	case FUTEX_LOCK_PI2:
		return true;
	default:
		return false;
	}
}

bool ws_is_futex_wait(long nr, bool compat, unsigned long op)
{
	if (nr < 0)
		return false;
	if (nr == WS_NR_FUTEX_WAITV || nr == WS_NR_FUTEX_WAIT)
		return true;
	if (compat)
		return (nr == WS_NR_IA32_FUTEX || nr == WS_NR_IA32_FUTEX_TIME64) &&
		       ws_futex_op_waits(op);
	nr &= ~WS_X32_SYSCALL_BIT;
	return nr == WS_NR_FUTEX && ws_futex_op_waits(op);
}

/* The kind of a futex wait, for a syscall ws_is_futex_wait() accepted. */
unsigned int ws_futex_op(long nr, unsigned long op)
{
	if (nr == WS_NR_FUTEX_WAITV)
		return WS_FUTEX_OP_WAITV;
	if (nr == WS_NR_FUTEX_WAIT)
		return WS_FUTEX_OP_WAIT2;
	return op & FUTEX_CMD_MASK;
}

const char *ws_futex_op_name(unsigned int op)
{
	switch (op) {
	case FUTEX_WAIT:		return "wait";
	case FUTEX_WAIT_BITSET:		return "wait_bitset";
	case FUTEX_WAIT_REQUEUE_PI:	return "wait_requeue_pi";
	case FUTEX_LOCK_PI:		return "lock_pi";
	case FUTEX_LOCK_PI2:		return "lock_pi2";
	case WS_FUTEX_OP_WAITV:		return "waitv";
	case WS_FUTEX_OP_WAIT2:		return "futex_wait";
	default:			return "-";
	}
}

/* A wait for a lock: PI locks always, plain waits by their expected value. */
bool ws_futex_is_lock_wait(unsigned int op, u32 val)
{
	switch (op) {
	case FUTEX_LOCK_PI:
	case FUTEX_LOCK_PI2:
		return true;
	case FUTEX_WAIT:
	case FUTEX_WAIT_BITSET:
		return val == WS_LOCK_WAIT_VAL;
	default:
		return false;
	}
}

/*
 * Does the task leaving the CPU block?  prev_state is read before
 * __schedule() checks for a pending signal; when one is pending the task
 * stays runnable with its state set back to TASK_RUNNING, and 6.1 still
 * passes the old state to the tracepoint (6.12 passes TASK_RUNNING).  The
 * state it has now (state_now, read in the probe) tells: a concurrent waker
 * can only move a task that really blocks to TASK_WAKING then, as making it
 * TASK_RUNNING takes the rq lock that the switch holds.
 */
bool ws_switch_blocks(bool preempt, unsigned int prev_state, unsigned int state_now)
{
	return !preempt && prev_state != TASK_RUNNING && state_now != TASK_RUNNING;
}

bool ws_switch_is_exit(unsigned int prev_state)
{
	return prev_state & TASK_DEAD;
}

/*
 * The reason of the off-CPU interval that starts at this switch.  A task
 * that is preempted, or whose state is still TASK_RUNNING, stays runnable.
 */
unsigned int ws_classify(const struct ws_switch_info *si)
{
	unsigned int state = si->prev_state;

	if (si->preempt || state == TASK_RUNNING)
		return WS_R_RUNQ;
	/* Idle kernel threads wait in TASK_IDLE: not a D-state block. */
	if ((state & TASK_IDLE) == TASK_IDLE)
		return WS_R_SLEEP;
	/* PREEMPT_RT: a task waiting for a sleeping spinlock shows as D. */
	if (state & (TASK_UNINTERRUPTIBLE | TASK_RTLOCK_WAIT))
		return si->iowait ? WS_R_IO : WS_R_UNINT;
	if (ws_is_futex_wait(si->syscall, si->compat, si->futex_op))
		return WS_R_FUTEX;
	return WS_R_SLEEP;
}
