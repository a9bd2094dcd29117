/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What waitscope reads from a task_struct: its clock, its start times, its
 * cgroup, whether it is on a CPU, and the syscall it sleeps in.  Version
 * differences among these live in ws_compat.h.
 */
#ifndef WS_TASK_H
#define WS_TASK_H

#include <linux/sched.h>
#include <linux/sched/clock.h>
#include <linux/cgroup.h>
#include <linux/compat.h>
#include <asm/syscall.h>
#include "ws_compat.h"

#ifndef CONFIG_X86_64
/* Syscall numbers and registers are read the x86-64 way. */
#error "waitscope supports x86-64 only"
#endif

/*
 * The clock every timestamp comes from.  local_clock() is the clock the
 * scheduler's own statistics (schedstat run_delay, sum_sleep_runtime) use,
 * it is safe in any context and costs a TSC read on x86.
 */
static inline u64 ws_now(void)
{
	return local_clock();
}

/* The cgroup v2 id of a task, 0 when the kernel has no cgroups. */
static inline u64 ws_task_cgroup_id(struct task_struct *p)
{
#ifdef CONFIG_CGROUPS
	u64 id;

	rcu_read_lock();
	id = cgroup_id(task_dfl_cgroup(p));
	rcu_read_unlock();
	return id;
#else
	return 0;
#endif
}

/* The start time that, with the tid, names a thread across pid reuse. */
static inline u64 ws_task_start(const struct task_struct *p)
{
	return p->start_time;
}

/*
 * On a CPU right now, or still switching out.  Under the task's rq lock
 * this is only ever true for that rq's running task.
 */
static inline bool ws_task_on_cpu(struct task_struct *p)
{
	return p == current || READ_ONCE(p->on_cpu);
}

/* The saved user registers of @p, which must be current (its stack is live). */
static inline struct pt_regs *ws_current_regs(struct task_struct *p)
{
	return task_pt_regs(p);
}

/*
 * The saved user registers of another task, or NULL once its stack is gone.
 * Caller holds rcu_read_lock().  The stack pointer is read once: the last
 * switch of an exiting task frees the stack (put_task_stack(), not exported,
 * so try_get_task_stack() is not available to a module) and clears
 * tsk->stack, and every path that frees it defers the memory through
 * call_rcu() or keeps it mapped in a per-CPU cache, so a pointer seen under
 * RCU stays readable.  A stack that was cached and reused reads another
 * task's registers: a wrong guess about a task that is dying anyway.
 */
static inline struct pt_regs *ws_other_regs(struct task_struct *p)
{
	unsigned long stack = (unsigned long)READ_ONCE(p->stack);

	if (!stack)
		return NULL;
	stack += THREAD_SIZE - TOP_OF_KERNEL_STACK_PADDING;
	return (struct pt_regs *)stack - 1;
}

/* What a syscall's number and first three arguments are, as waitscope uses them. */
struct ws_syscall {
	long nr;		/* -1: not in a syscall */
	unsigned long arg[3];	/* futex: uaddr, op, expected value */
	bool compat;		/* an ia32 syscall */
};

/*
 * The syscall @p is in, read from its saved user registers @regs (what
 * /proc/PID/syscall shows).  Only the three arguments waitscope uses are
 * read.  Kernel threads, io_uring and other user workers have zeroed user
 * registers: "no syscall" (-1), as for a NULL @regs.
 */
static inline void ws_task_syscall(struct task_struct *p, struct pt_regs *regs,
				   struct ws_syscall *sc)
{
	memset(sc, 0, sizeof(*sc));
	sc->nr = -1;
	if (!regs || p->flags & WS_PF_NO_USER_REGS)
		return;
#ifdef CONFIG_IA32_EMULATION
	/* TS_COMPAT describes the syscall the task is in, not the current one. */
	sc->compat = task_thread_info(p)->status & TS_COMPAT;
	if (sc->compat) {
		sc->arg[0] = (u32)regs->bx;
		sc->arg[1] = (u32)regs->cx;
		sc->arg[2] = (u32)regs->dx;
		sc->nr = syscall_get_nr(p, regs);
		return;
	}
#endif
	sc->arg[0] = regs->di;
	sc->arg[1] = regs->si;
	sc->arg[2] = regs->dx;
	sc->nr = syscall_get_nr(p, regs);
}

/*
 * The start time of @p's process (its group leader's): with the tgid it
 * names a process across pid reuse.  A non-leader that exec'd has taken its
 * leader's start time (de_thread()), so the name survives exec too.  Caller
 * runs with preemption off or in an RCU read section: the leader's
 * task_struct is freed only after a grace period.
 */
static inline u64 ws_process_start(struct task_struct *p)
{
	return READ_ONCE(p->group_leader)->start_time;
}

#endif /* WS_TASK_H */
