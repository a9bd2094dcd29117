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

/* Threads whose user registers are zero: "no syscall", not read(). */
#ifdef PF_USER_WORKER
#define WS_PF_NO_USER_REGS	(PF_KTHREAD | PF_IO_WORKER | PF_USER_WORKER)
#else
#define WS_PF_NO_USER_REGS	(PF_KTHREAD | PF_IO_WORKER)
#endif

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
