/* SPDX-License-Identifier: GPL-2.0 */
/*
 * waitscope slow: the flight recorder's events (events.h) as a
 * runqslower-style table or NDJSON, once or followed live.
 */
#ifndef WS_SLOW_H
#define WS_SLOW_H

#include <stdio.h>
#include "events.h"

int ws_cmd_slow(int argc, char **argv, const struct ws_source *src);

/* Which events are shown, and how. */
struct ws_slow_opts {
	uint64_t min_ns;	/* wait events at least this long */
	unsigned reasons;	/* wait events of these reasons (bit 1 << reason) */
	uint32_t pid, tid;	/* 0: any */
	bool exits, stack, json;
};

void ws_slow_opts_default(struct ws_slow_opts *o);
/* The text table's column header. */
void ws_slow_print_header(FILE *f);
/* An exit's totals: "1.20ms on CPU, 15 switches (3 involuntary), runq 3 (1us), ...". */
void ws_slow_fmt_totals(char *buf, size_t n, const struct ws_exit_totals *t);
/* One batch: the missed events, if any, then the events selected; how many. */
size_t ws_slow_print(FILE *f, const struct ws_events *e, const struct ws_slow_opts *o);

#endif
