// SPDX-License-Identifier: GPL-2.0
/*
 * waitscope: per-thread off-CPU and run-queue accounting from scheduler
 * tracepoints, read through debugfs.
 *
 *   probes (ws_probes.c) -> accounting (ws_account.c, ws_table.c,
 *   ws_futex.c) -> views (ws_debugfs.c)
 *
 * This file is the module's life: init and exit.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include "waitscope.h"
#include "ws_account.h"
#include "ws_control.h"
#include "ws_debugfs.h"
#include "ws_params.h"

static int __init ws_init(void)
{
	struct ws_state *ws = &ws_module;
	int err;

	err = ws_probes_resolve(&ws->probes);
	if (err)
		return err;
	if (!ws->set.tid_slots)
		ws->set.tid_slots = ws_read_pid_max();
	err = ws_account_init(ws);
	if (err)
		return err;
	ws_collect_init(&ws->collector);
	err = ws_control_begin(ws);
	if (err)
		goto err_account;
	/*
	 * The files come last: once one can be opened nothing may fail, or the
	 * module would be freed under an open file whose release is its code.
	 */
	ws_debugfs_init(ws);
	pr_info("version %s, tracking up to %u threads (%zu KiB), slots for tids below %u (%u KiB)%s\n",
		WS_VERSION, ws->set.capacity,
		(size_t)ws->set.capacity * sizeof(struct ws_thread_entry) / 1024,
		ws->set.tid_slots, ws->set.tid_slots / 256, ws->set.enabled ? "" : ", disabled");
	return 0;

err_account:
	ws_account_destroy(ws);
	return err;
}

static void __exit ws_exit(void)
{
	struct ws_state *ws = &ws_module;

	/* The files go first: this waits for every open file operation. */
	ws_debugfs_exit(ws);
	ws_control_end(ws);
	ws_account_destroy(ws);
}

module_init(ws_init);
module_exit(ws_exit);

MODULE_LICENSE("GPL");
MODULE_AUTHOR("The waitscope authors");
MODULE_DESCRIPTION("Per-thread blocking and run-queue wait histograms from scheduler tracepoints");
MODULE_VERSION(WS_VERSION);
