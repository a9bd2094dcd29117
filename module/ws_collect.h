/* SPDX-License-Identifier: GPL-2.0 */
#ifndef WS_COLLECT_H
#define WS_COLLECT_H

#include <linux/mutex.h>
#include <linux/workqueue.h>

/*
 * The collector frees entries of threads and processes that vanished
 * unseen.  Every WS_COLLECT_PERIOD_S it looks at WS_COLLECT_SLICE thread
 * entries (the whole default table every 40 s) and every futex entry; a
 * process exit kicks a pass over the futex entries a second later.
 */
#define WS_COLLECT_PERIOD_S	5
#define WS_COLLECT_SLICE	2048

struct ws_collector {
	struct delayed_work kick;	/* a process exited: futex entries */
	struct delayed_work tick;	/* periodic: a slice of thread entries too */
	struct mutex lock;		/* one pass at a time */
};

void ws_collect_init(struct ws_collector *c);
void ws_collect_start(struct ws_collector *c);
void ws_collect_stop(struct ws_collector *c);
void ws_collect_soon(struct ws_collector *c);

#endif /* WS_COLLECT_H */
