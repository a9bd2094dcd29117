/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Every difference between the kernels waitscope builds for lives here, one
 * small wrapper per API that changed, so the rest of the module reads as if
 * there were a single kernel.
 */
#ifndef WS_COMPAT_H
#define WS_COMPAT_H

#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/sched/clock.h>
#include <linux/cgroup.h>
#include <linux/compat.h>
#include <asm/syscall.h>

#ifndef CONFIG_X86_64
/* Syscall numbers and registers are read the x86-64 way. */
#error "waitscope supports x86-64 only"
#endif

/*
 * sched_process_exit gained a group_dead argument in 6.16.  The probe
 * prototype must match exactly (kCFI kernels trap on a mismatch), so Kbuild
 * reads the kernel's own trace header rather than trusting a version number,
 * and check_trace_callback_type_*() in ws_probes.c turns any mismatch into
 * a build error.
 */
#ifdef WS_HAVE_EXIT_GROUP_DEAD
#define WS_EXIT_PROTO	void *data, struct task_struct *p, bool group_dead
#define WS_EXIT_ARGS	group_dead
static inline bool ws_exit_group_dead(bool group_dead)
{
	return group_dead;
}
#else
#define WS_EXIT_PROTO	void *data, struct task_struct *p
#define WS_EXIT_ARGS	p
static inline bool ws_exit_group_dead(struct task_struct *p)
{
	return atomic_read(&p->signal->live) == 0;
}
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

/* Threads whose user registers are zero: "no syscall", not read(). */
#ifdef PF_USER_WORKER
#define WS_PF_NO_USER_REGS	(PF_KTHREAD | PF_IO_WORKER | PF_USER_WORKER)
#else
#define WS_PF_NO_USER_REGS	(PF_KTHREAD | PF_IO_WORKER)
#endif

/*
 * The syscall a task is in and its first two arguments, read from its saved
 * user registers (what /proc/PID/syscall shows).  Kernel threads, io_uring
 * and other user workers have zeroed user registers: "no syscall" (-1).
 */
static inline long ws_task_syscall(struct task_struct *p, unsigned long *arg0,
				   unsigned long *arg1, bool *compat)
{
	unsigned long args[6];
	struct pt_regs *regs;

	*arg0 = 0;
	*arg1 = 0;
	*compat = false;
	if (p->flags & WS_PF_NO_USER_REGS)
		return -1;
	regs = task_pt_regs(p);
	syscall_get_arguments(p, regs, args);
	*arg0 = args[0];
	*arg1 = args[1];
#ifdef CONFIG_COMPAT
	/* TS_COMPAT describes the syscall the task is in, not the current one. */
	*compat = task_thread_info(p)->status & TS_COMPAT;
#endif
	return syscall_get_nr(p, regs);
}

/*
 * stack_trace_save_tsk() is exported only from some kernels on (not from
 * Debian's 6.1); Kbuild looks for it in Module.symvers.  Without it the
 * blocked file says stack=unavailable and lists no frames.
 */
#ifdef WS_HAVE_STACK_TRACE_SAVE_TSK
#include <linux/stacktrace.h>
#define WS_HAVE_TASK_STACK	1
static inline unsigned int ws_task_stack(struct task_struct *p, unsigned long *store,
					 unsigned int size)
{
	return stack_trace_save_tsk(p, store, size, 0);
}
#else
#define WS_HAVE_TASK_STACK	0
static inline unsigned int ws_task_stack(struct task_struct *p, unsigned long *store,
					 unsigned int size)
{
	return 0;
}
#endif

#endif /* WS_COMPAT_H */
