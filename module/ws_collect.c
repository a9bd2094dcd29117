// SPDX-License-Identifier: GPL-2.0
/*
 * The collector: process-context passes that free the entries no probe
 * will free, those of threads whose last switch was never seen and of
 * processes that have exited.  Passes hold the data lock shared, so a reset
 * (which holds it exclusive) never runs beside one.
 */
#include <linux/workqueue.h>
#include "waitscope.h"
#include "ws_collect.h"

static struct ws_state *ws_collector_state(struct ws_collector *c)
{
	return container_of(c, struct ws_state, collector);
}

static void ws_collect_pass(struct ws_collector *c, bool tick)
{
	struct ws_state *ws = ws_collector_state(c);

	mutex_lock(&c->lock);
	ws_data_read_lock(ws);
	if (tick)
		ws_table_collect(&ws->threads, WS_COLLECT_SLICE);
	ws_futex_collect(&ws->futexes);
	ws_data_read_unlock(ws);
	mutex_unlock(&c->lock);
}

static void ws_collect_tick_fn(struct work_struct *work)
{
	struct ws_collector *c = container_of(to_delayed_work(work), struct ws_collector, tick);

	ws_collect_pass(c, true);
	queue_delayed_work(system_wq, &c->tick, WS_COLLECT_PERIOD_S * HZ);
}

static void ws_collect_kick_fn(struct work_struct *work)
{
	struct ws_collector *c = container_of(to_delayed_work(work), struct ws_collector, kick);

	ws_collect_pass(c, false);
}

void ws_collect_init(struct ws_collector *c)
{
	INIT_DELAYED_WORK(&c->kick, ws_collect_kick_fn);
	INIT_DELAYED_WORK(&c->tick, ws_collect_tick_fn);
	mutex_init(&c->lock);
}

void ws_collect_start(struct ws_collector *c)
{
	queue_delayed_work(system_wq, &c->tick, WS_COLLECT_PERIOD_S * HZ);
}

/* With the probes detached: nothing kicks a pass any more. */
void ws_collect_stop(struct ws_collector *c)
{
	cancel_delayed_work_sync(&c->tick);
	cancel_delayed_work_sync(&c->kick);
}

/* From the exit probe: coalesces into one pass a second later. */
void ws_collect_soon(struct ws_collector *c)
{
	queue_delayed_work(system_wq, &c->kick, HZ);
}
