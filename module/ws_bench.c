// SPDX-License-Identifier: GPL-2.0
/*
 * The probe paths timed in a loop: what one sched_switch, wakeup or thread
 * exit costs waitscope, without the scheduler around it.  Built as
 * waitscope_bench.ko (WS_BENCH=m; tests/rig/build-module.sh --bench, run by
 * make bench), never installed.  Loading it runs
 * the loops once and prints one line per path; it then stays loaded doing
 * nothing until removed.
 *
 * It links the module's own objects (Kbuild, WS_TEST=bench) and drives
 * them through an instance of its own, so it runs beside (or without)
 * waitscope.ko.  The "threads" are kthreads that were created and never
 * woken: real task_structs off every CPU, so the paths do the work they do
 * for a real thread.
 *
 * The recorder runs as the product's does (slow_min_us=10000, exit events
 * on: no wait in the loop is that long, every exit is an event); make bench
 * also loads it with slow_min_us=1 (every wait an event: the cost of one)
 * and with the recorder off.
 */
#include <linux/kthread.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/sched/clock.h>
#include "waitscope.h"
#include "ws_account.h"

#define WS_BENCH_TASKS		64
#define WS_BENCH_ROUNDS		2000
#define WS_BENCH_CAPACITY	16384

static struct task_struct *ws_bench_task[WS_BENCH_TASKS];

static struct ws_state ws_bench_state = {
	.set = {
		.capacity = WS_BENCH_CAPACITY,
		.futex_capacity = WS_DEFAULT_FUTEX_CAP,
		.tid_slots = PID_MAX_LIMIT,
		.slow_capacity = WS_REC_DEFAULT_CAP,
		.slow_min_us = WS_REC_DEFAULT_MIN_US,
		.exit_events = true,
	},
};

module_param_named(slow_min_us, ws_bench_state.set.slow_min_us, uint, 0444);
MODULE_PARM_DESC(slow_min_us, "The recorder's threshold in the loops (0 = off, default 10000)");
module_param_named(exit_events, ws_bench_state.set.exit_events, bool, 0444);
MODULE_PARM_DESC(exit_events, "An event per exit in the loops (default 1)");

enum ws_bench_path {
	WS_B_BLOCK,	/* switch: prev blocks, next runs */
	WS_B_WAKEUP,	/* wakeup of a blocked thread */
	WS_B_PREEMPT,	/* switch: prev preempted, next runs */
	WS_B_EXIT,	/* switch: prev exits (its entry is freed) */
	WS_B_NEW,	/* switch of a thread not tracked yet */
	WS_NR_BENCH
};

static const char * const ws_bench_name[WS_NR_BENCH] = {
	"switch_block", "wakeup", "switch_preempt", "switch_exit", "switch_new",
};

static u64 ws_bench_ns[WS_NR_BENCH];

static struct task_struct *ws_bt(int i)
{
	return ws_bench_task[i % WS_BENCH_TASKS];
}

/* Every task switches out (preempted, or in prev_state), the next one in. */
static void ws_bench_switches(enum ws_bench_path path, bool preempt, unsigned int prev_state)
{
	u64 t = local_clock();
	int i;

	for (i = 0; i < WS_BENCH_TASKS; i++)
		ws_account_switch(&ws_bench_state, preempt, ws_bt(i), ws_bt(i + 1), prev_state);
	ws_bench_ns[path] += local_clock() - t;
}

static void ws_bench_wakeups(void)
{
	u64 t = local_clock();
	int i;

	for (i = 0; i < WS_BENCH_TASKS; i++)
		ws_account_wakeup(&ws_bench_state, ws_bt(i));
	ws_bench_ns[WS_B_WAKEUP] += local_clock() - t;
}

/*
 * One round: every task blocks, is woken, is preempted, then exits and is
 * tracked anew.  Interrupts are off, as in the probes.
 */
static void ws_bench_round(void)
{
	unsigned long flags;

	local_irq_save(flags);
	ws_bench_switches(WS_B_BLOCK, false, TASK_INTERRUPTIBLE);
	ws_bench_wakeups();
	ws_bench_switches(WS_B_PREEMPT, true, TASK_RUNNING);
	ws_bench_switches(WS_B_EXIT, false, TASK_DEAD);
	ws_bench_switches(WS_B_NEW, true, TASK_RUNNING);
	local_irq_restore(flags);
}

static int ws_bench_idle(void *unused)
{
	return 0;
}

static void ws_bench_stop_tasks(void)
{
	int i;

	for (i = 0; i < WS_BENCH_TASKS; i++)
		if (ws_bench_task[i])
			kthread_stop(ws_bench_task[i]);
}

static int __init ws_bench_init(void)
{
	u64 calls = (u64)WS_BENCH_ROUNDS * WS_BENCH_TASKS;
	struct ws_state *ws = &ws_bench_state;
	int err, i;

	err = ws_account_init(ws);
	if (err)
		return err;
	for (i = 0; i < WS_BENCH_TASKS; i++) {
		ws_bench_task[i] = kthread_create(ws_bench_idle, NULL, "ws_bench/%d", i);
		if (IS_ERR(ws_bench_task[i])) {
			err = PTR_ERR(ws_bench_task[i]);
			ws_bench_task[i] = NULL;
			goto err_tasks;
		}
	}
	for (i = 0; i < WS_BENCH_ROUNDS; i++) {
		ws_bench_round();
		cond_resched();
	}
	for (i = 0; i < WS_NR_BENCH; i++)
		pr_info("waitscope_bench: %-14s %llu ns per call (%llu calls)\n",
			ws_bench_name[i], div64_u64(ws_bench_ns[i], calls), calls);
	pr_info("waitscope_bench: entries used %u of %u, dropped %lld; recorder slow_min_us=%u exit_events=%d: %llu events\n",
		ws_table_used(&ws->threads), ws_table_capacity(&ws->threads),
		ws_table_dropped_total(&ws->threads), ws->set.slow_min_us, ws->set.exit_events,
		ws_rec_written(&ws->rec));
	ws_bench_stop_tasks();
	return 0;

err_tasks:
	ws_bench_stop_tasks();
	ws_account_destroy(ws);
	return err;
}

static void __exit ws_bench_exit(void)
{
	ws_account_destroy(&ws_bench_state);
}

module_init(ws_bench_init);
module_exit(ws_bench_exit);
MODULE_DESCRIPTION("waitscope probe-path microbenchmark");
MODULE_LICENSE("GPL");
