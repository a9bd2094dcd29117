/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The module's flight recorder: the debugfs file "events" (format v1, the
 * contract in README, "Files under /sys/kernel/debug/waitscope/"), one
 * row per slow wait or thread exit, parsed into struct ws_events.
 *
 *   events.c   read (live with a seek to resume, or a saved copy) and
 *              parse, strictly: a garbled or truncated file is an error
 *              naming its line, never a guess.
 *   slow.c     `waitscope slow`: renders the events, follows the file.
 */
#ifndef WS_EVENTS_H
#define WS_EVENTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "ws.h"

enum ws_event_kind { WS_EV_WAIT, WS_EV_EXIT };

#define WS_NR_FUTEX_OPS 7
extern const char *const ws_futex_op_names[WS_NR_FUTEX_OPS];

/* Header lines 1 and 2 of the file. */
struct ws_events_hdr {
	uint64_t now_ns;	/* the module clock when the read began */
	uint64_t realtime_ns;	/* CLOCK_REALTIME at that moment */
	uint64_t slow_min_us;	/* the recorder's threshold; 0: off */
	uint64_t capacity, cpus;	/* events kept per CPU, and rings */
	bool exit_events;
	bool have_stacks;	/* stack=available */
	uint64_t after, last, kept, missed, overwritten;
};

/* An exit row's totals: the thread's whole life as tracing saw it. */
struct ws_exit_totals {
	uint64_t nvcsw, nivcsw, oncpu_ns;
	uint64_t n[NR_REASONS], ns[NR_REASONS];
};

struct ws_event {
	uint64_t seq, time_ns, duration_ns;
	uint64_t futex_addr;	/* when has_futex */
	uint64_t cgroup;
	uint32_t cpu, tid, tgid, other_tid;
	enum ws_event_kind kind;
	int reason;		/* enum ws_reason; -1 for an exit that was not killed */
	int syscall;		/* x86-64 number; -1 none */
	int futex_op;		/* index in ws_futex_op_names; -1 none */
	bool has_futex, partial, killed;
	/* Unescaped; "" where the file has "-". */
	char comm[65], other_comm[65];
	/* Wait rows: the kernel stack, frames frame_first.. in ws_events.frames. */
	uint32_t frame_first;
	uint16_t nframes;
	struct ws_exit_totals totals;	/* exit rows */
};

struct ws_events {
	struct ws_events_hdr h;
	struct ws_event *ev;
	size_t n, cap;
	uint32_t *frames;	/* offsets in text, one per frame */
	size_t nframes, cap_frames;
	char *text;		/* NUL-terminated frames, "sym+0x1/0x2 [mod]" */
	size_t ntext, cap_text;
};

/* What main.c knows of the source, so that slow.c and top.c link without it. */
struct ws_source {
	const char *dir;	/* debugfs or --debugfs DIR */
	bool live;		/* the module's own directory */
	int (*missing)(void);	/* why dir cannot be read, on stderr: the exit status */
};

extern const char ws_events_file[];

void ws_events_init(struct ws_events *e);
void ws_events_free(struct ws_events *e);

/*
 * Parse one events file from buf: 0, or -1 with err "events:LINE: ...".
 * The rows must be as many as the header's kept (a copy cut at a line
 * end is caught too), and never more than capacity x cpus.
 */
int ws_parse_events(struct ws_events *e, const char *buf, size_t len, struct ws_err *err);

/*
 * DIR/events, only the events after seq `after` (0: all).  On debugfs the
 * module serves them (lseek to seq N, then read: the file position is a
 * sequence number); a regular file (a saved or fake copy) is read whole
 * and filtered here, missed counted the module's way.
 * 0, or -1 with err (a missing file: "no events file in DIR ...").
 */
int ws_events_load(const char *dir, uint64_t after, struct ws_events *e, struct ws_err *err);

/*
 * Whether DIR has an events file: false only when there is none (a module
 * without the recorder, a snapshot taken without it); one that cannot be
 * read is there, and ws_events_load says why.
 */
bool ws_events_exist(const char *dir);

/* Frame i of ev's stack. */
const char *ws_event_frame(const struct ws_events *e, const struct ws_event *ev, unsigned i);

/* The wall-clock time (ns since the epoch) of module time time_ns. */
uint64_t ws_events_wall_ns(const struct ws_events_hdr *h, uint64_t time_ns);

#endif
