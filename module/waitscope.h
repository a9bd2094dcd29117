/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The module's limits and defaults, and struct ws_state: everything one
 * instance of waitscope owns.  The probes get it as their tracepoint data,
 * the views as their file's private data; nothing else is global but the
 * one instance the module parameters write (ws_params.c).
 */
#ifndef WAITSCOPE_H
#define WAITSCOPE_H

#include <linux/mutex.h>
#include <linux/percpu.h>
#include <linux/rwsem.h>
#include <linux/types.h>
#include "ws_collect.h"
#include "ws_futex.h"
#include "ws_probes.h"
#include "ws_recorder.h"
#include "ws_table.h"

#define WS_VERSION		"0.1.0"
#define WS_DEFAULT_CAPACITY	16384
#define WS_DEFAULT_FUTEX_CAP	4096
#define WS_MIN_CAPACITY		64
#define WS_MAX_CAPACITY		4194304U	/* 4 GiB of thread entries */
#define WS_DEFAULT_BLOCKED_MS	100
#define WS_MIN_TID_SLOTS	1024

/*
 * Per-CPU counters: written only by probes on that CPU, summed by readers.
 * Each only grows until a reset, and so do the sums: the totals outlive the
 * threads they came from, for counters that never fall (Prometheus).
 */
struct ws_cpu_stats {
	u64 events[WS_NR_PROBES];
	u64 runq[WS_NR_SLOTS];	/* run-queue waits that ended on this CPU */
	u64 oncpu_ns;		/* on-CPU time of tracked threads */
	u64 reason_n[WS_NR_REASONS];	/* intervals recorded, per reason */
	u64 reason_ns[WS_NR_REASONS];	/* their time */
	u64 blocks_unwoken;	/* blocks that ended with no wakeup seen */
};

/* The knobs, as the module parameters and the control file set them. */
struct ws_settings {
	u32 capacity;		/* fixed at load */
	u32 futex_capacity;	/* fixed at load */
	u32 tid_slots;		/* fixed at load; 0: pid_max at load */
	u32 filter_tgid;	/* 0: every process */
	u32 blocked_min_ms;
	u32 slow_capacity;	/* fixed at load: events per CPU */
	u32 slow_min_us;	/* 0: the recorder is off */
	bool exit_events;
	bool enabled;
};

struct ws_state {
	/* What the probes use. */
	struct ws_table threads;
	struct ws_futex_table futexes;
	struct ws_cpu_stats __percpu *cpu;
	struct ws_settings set;
	struct ws_collector collector;
	struct ws_recorder rec;

	/* What control uses: the probes never take these. */
	struct ws_probes probes;
	struct mutex ctl_mutex;		/* serialises control commands */
	struct rw_semaphore data_rwsem;	/* readers shared, reset exclusive */
	bool ready;			/* init finished: commands take effect */
	struct dentry *dir;		/* the debugfs directory */
};

static inline void ws_count_event(struct ws_state *ws, enum ws_probe_id id)
{
	this_cpu_inc(ws->cpu->events[id]);
}

/* Readers of the tables hold this shared; clearing them holds it exclusive. */
static inline void ws_data_read_lock(struct ws_state *ws)
{
	down_read(&ws->data_rwsem);
}

static inline void ws_data_read_unlock(struct ws_state *ws)
{
	up_read(&ws->data_rwsem);
}

static inline bool ws_is_enabled(struct ws_state *ws)
{
	return READ_ONCE(ws->set.enabled);
}

#endif /* WAITSCOPE_H */
