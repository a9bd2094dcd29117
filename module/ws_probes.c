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
	struct ws_state *ws = data;

	ws_count_event(ws, WS_P_SWITCH);
	ws_account_switch(ws, preempt, prev, next, prev_state);
}

static void ws_probe_waking(void *data, struct task_struct *p)
{
	struct ws_state *ws = data;

	ws_count_event(ws, WS_P_WAKING);
	ws_account_waking(ws, p);
}

static void ws_probe_wakeup(void *data, struct task_struct *p)
{
	struct ws_state *ws = data;

	ws_count_event(ws, WS_P_WAKEUP);
	ws_account_wakeup(ws, p);
}

static void ws_probe_wakeup_new(void *data, struct task_struct *p)
{
	struct ws_state *ws = data;

	ws_count_event(ws, WS_P_WAKEUP_NEW);
	ws_account_wakeup(ws, p);
}

/* A process is gone: let the collector free its futex entries soon. */
static void ws_probe_exit(WS_EXIT_PROTO)
{
	struct ws_state *ws = data;

	ws_count_event(ws, WS_P_EXIT);
	if (ws_exit_group_dead(WS_EXIT_ARGS))
		ws_collect_soon(&ws->collector);
}

/* A non-leader that execs takes its leader's pid: re-key its entry. */
static void ws_probe_exec(void *data, struct task_struct *p, pid_t old_pid,
			  struct linux_binprm *bprm)
{
	struct ws_state *ws = data;

	ws_count_event(ws, WS_P_EXEC);
	ws_account_exec(ws, p, old_pid);
}

static const struct {
	const char *name;
	void *fn;
} ws_probe_defs[WS_NR_PROBES] = {
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

const char *ws_probe_name(enum ws_probe_id id)
{
	return ws_probe_defs[id].name;
}

static void ws_match_tracepoint(struct tracepoint *tp, void *priv)
{
	struct ws_probes *pr = priv;
	int i;

	for (i = 0; i < WS_NR_PROBES; i++)
		if (!strcmp(tp->name, ws_probe_defs[i].name))
			pr->tp[i] = tp;
}

int ws_probes_resolve(struct ws_probes *pr)
{
	int i;

	for_each_kernel_tracepoint(ws_match_tracepoint, pr);
	for (i = 0; i < WS_NR_PROBES; i++) {
		if (!pr->tp[i]) {
			pr_err("tracepoint %s not found in this kernel\n", ws_probe_defs[i].name);
			return -ENOENT;
		}
	}
	return 0;
}

/* Detach every attached probe; returns once none can be running. */
void ws_probes_detach(struct ws_state *ws)
{
	struct ws_probes *pr = &ws->probes;
	int i;

	if (!pr->attached)
		return;
	for (i = WS_NR_PROBES - 1; i >= 0; i--) {
		if (!test_bit(i, &pr->attached))
			continue;
		WARN_ON_ONCE(tracepoint_probe_unregister(pr->tp[i], ws_probe_defs[i].fn, ws));
		clear_bit(i, &pr->attached);
	}
	tracepoint_synchronize_unregister();
}

/* Attach every probe, with ws as its data; all or none. */
int ws_probes_attach(struct ws_state *ws)
{
	struct ws_probes *pr = &ws->probes;
	int i, err;

	for (i = 0; i < WS_NR_PROBES; i++) {
		err = tracepoint_probe_register(pr->tp[i], ws_probe_defs[i].fn, ws);
		if (err) {
			pr_err("cannot attach to %s: %d\n", ws_probe_defs[i].name, err);
			ws_probes_detach(ws);
			return err;
		}
		set_bit(i, &pr->attached);
	}
	return 0;
}

bool ws_probe_attached(const struct ws_probes *pr, enum ws_probe_id id)
{
	return test_bit(id, &pr->attached);
}

unsigned int ws_probes_attached(const struct ws_probes *pr)
{
	return hweight_long(pr->attached);
}
