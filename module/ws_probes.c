// SPDX-License-Identifier: GPL-2.0
/*
 * Scheduler tracepoints, looked up by name (their __tracepoint_* symbols are
 * not exported) and attached with the exact prototype of the running
 * kernel, which check_trace_callback_type_*() checks at compile time.
 *
 * Probes run with preemption off; sched_switch and sched_wakeup* also hold
 * a run-queue lock with interrupts off.  They take only raw spinlocks, never
 * allocate, print or wake anything.
 */
#include <linux/kernel.h>
#include <linux/tracepoint.h>
#include <trace/events/sched.h>
#include "waitscope.h"
#include "ws_account.h"
#include "ws_compat.h"
#include "ws_probes.h"

static void ws_probe_switch(void *data, bool preempt, struct task_struct *prev,
			    struct task_struct *next, unsigned int prev_state)
{
	ws_count_event(WS_P_SWITCH);
	ws_account_switch(preempt, prev, next, prev_state);
}

static void ws_probe_waking(void *data, struct task_struct *p)
{
	ws_count_event(WS_P_WAKING);
	ws_account_waking(p);
}

static void ws_probe_wakeup(void *data, struct task_struct *p)
{
	ws_count_event(WS_P_WAKEUP);
	ws_account_wakeup(p);
}

static void ws_probe_wakeup_new(void *data, struct task_struct *p)
{
	ws_count_event(WS_P_WAKEUP_NEW);
	ws_account_wakeup(p);
}

/* A process is gone: let the collector free its futex entries soon. */
static void ws_probe_exit(WS_EXIT_PROTO)
{
	ws_count_event(WS_P_EXIT);
	if (ws_exit_group_dead(WS_EXIT_ARGS))
		ws_collect_soon();
}

/* A non-leader that execs takes its leader's pid: re-key its entry. */
static void ws_probe_exec(void *data, struct task_struct *p, pid_t old_pid,
			  struct linux_binprm *bprm)
{
	ws_count_event(WS_P_EXEC);
	ws_account_exec(p, old_pid);
}

struct ws_probe {
	const char *name;
	void *fn;
	struct tracepoint *tp;
	bool attached;
};

static struct ws_probe ws_probes[WS_NR_PROBES] = {
	[WS_P_SWITCH]		= { "sched_switch", ws_probe_switch },
	[WS_P_WAKING]		= { "sched_waking", ws_probe_waking },
	[WS_P_WAKEUP]		= { "sched_wakeup", ws_probe_wakeup },
	[WS_P_WAKEUP_NEW]	= { "sched_wakeup_new", ws_probe_wakeup_new },
	[WS_P_EXIT]		= { "sched_process_exit", ws_probe_exit },
	[WS_P_EXEC]		= { "sched_process_exec", ws_probe_exec },
};

/* A wrong prototype is a build error here, not a kCFI trap at run time. */
static void __maybe_unused ws_probes_check_types(void)
{
	check_trace_callback_type_sched_switch(ws_probe_switch);
	check_trace_callback_type_sched_waking(ws_probe_waking);
	check_trace_callback_type_sched_wakeup(ws_probe_wakeup);
	check_trace_callback_type_sched_wakeup_new(ws_probe_wakeup_new);
	check_trace_callback_type_sched_process_exit(ws_probe_exit);
	check_trace_callback_type_sched_process_exec(ws_probe_exec);
}

static void ws_match_tracepoint(struct tracepoint *tp, void *priv)
{
	int i;

	for (i = 0; i < WS_NR_PROBES; i++)
		if (!strcmp(tp->name, ws_probes[i].name))
			ws_probes[i].tp = tp;
}

int ws_probes_resolve(void)
{
	int i;

	for_each_kernel_tracepoint(ws_match_tracepoint, NULL);
	for (i = 0; i < WS_NR_PROBES; i++) {
		if (!ws_probes[i].tp) {
			pr_err("tracepoint %s not found in this kernel\n", ws_probes[i].name);
			return -ENOENT;
		}
	}
	return 0;
}

/* Detach every attached probe; returns once none can be running. */
void ws_probes_detach(void)
{
	bool any = false;
	int i;

	for (i = WS_NR_PROBES - 1; i >= 0; i--) {
		struct ws_probe *pr = &ws_probes[i];

		if (!pr->attached)
			continue;
		WARN_ON_ONCE(tracepoint_probe_unregister(pr->tp, pr->fn, NULL));
		pr->attached = false;
		any = true;
	}
	if (any)
		tracepoint_synchronize_unregister();
}

int ws_probes_attach(void)
{
	int i, err;

	for (i = 0; i < WS_NR_PROBES; i++) {
		struct ws_probe *pr = &ws_probes[i];

		err = tracepoint_probe_register(pr->tp, pr->fn, NULL);
		if (err) {
			pr_err("cannot attach to %s: %d\n", pr->name, err);
			ws_probes_detach();
			return err;
		}
		pr->attached = true;
	}
	return 0;
}

unsigned int ws_probes_attached(void)
{
	unsigned int n = 0;
	int i;

	for (i = 0; i < WS_NR_PROBES; i++)
		n += ws_probes[i].attached;
	return n;
}

/* "events_<tracepoint> <count>" for every probe, summed over CPUs. */
void ws_probes_show(struct seq_file *m)
{
	int i, cpu;

	for (i = 0; i < WS_NR_PROBES; i++) {
		u64 n = 0;

		for_each_possible_cpu(cpu)
			n += per_cpu(ws_cpu_stats, cpu).events[i];
		seq_printf(m, "events_%-22s %llu%s\n", ws_probes[i].name, n,
			   ws_probes[i].attached ? "" : "  (detached)");
	}
}
