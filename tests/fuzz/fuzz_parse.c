// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for the CLI's parsers: the input is up to five files
 * (stats, threads, histograms, blocked, futex: ws_files[]) and a sixth,
 * the waits-for edges (waits.h), and a seventh, the flight recorder's
 * events (events.h), separated by "\n=====\n"; whatever parses is then
 * diagnosed and rendered in every format (the findings with the events as
 * their evidence when both parse), so the code that consumes parsed data
 * is fuzzed too.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../../userspace/diagnose.h"
#include "../../userspace/evidence.h"
#include "../../userspace/render.h"
#include "../../userspace/slow.h"

static const char sep[] = "\n=====\n";

/* The events part, parsed on its own: true if it parses. */
static bool parse_events(const char *buf, size_t len, struct ws_events *e)
{
	struct ws_err err;

	ws_events_init(e);
	return len && !ws_parse_events(e, buf, len, &err);
}

/* Shown as `waitscope slow` would. */
static void fuzz_events(const struct ws_events *e)
{
	struct ws_slow_opts o;
	FILE *null = fopen("/dev/null", "w");

	ws_slow_opts_default(&o);
	o.exits = o.stack = true;
	ws_slow_print(null, e, &o);
	o.json = true;
	ws_slow_print(null, e, &o);
	fclose(null);
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	char *bufs[7] = { 0 };
	size_t lens[7] = { 0 };
	const char *p = (const char *)data, *end = p + size;
	struct ws_snapshot s;
	struct ws_events e;
	struct ws_err err;
	bool have_events;
	int i;

	for (i = 0; i < 7; i++) {
		const char *q = p < end ? memmem(p, end - p, sep, sizeof(sep) - 1) : NULL;
		size_t n = q ? (size_t)(q - p) + 1 : (size_t)(end - p);

		if (p > end)
			n = 0;
		bufs[i] = malloc(n + 1);
		memcpy(bufs[i], p, n);
		bufs[i][n] = '\0';
		lens[i] = n;
		p = q ? q + sizeof(sep) - 1 : end;
	}
	have_events = parse_events(bufs[6], lens[6], &e);
	ws_snapshot_init(&s);
	if (!ws_snapshot_parse_all(&s, bufs, lens, &err)) {
		struct ws_findings fs = { 0 };
		struct ws_opts o;
		struct ws_waits w;
		struct ws_graph *g;
		FILE *null = fopen("/dev/null", "w");
		const struct ws_thread *t[1];
		size_t k;

		ws_waits_init(&w);
		/* No sixth part: diagnosed without edges, as an older snapshot. */
		if (lens[5] && ws_parse_waits(&w, bufs[5], lens[5], &err))
			ws_waits_free(&w);
		g = ws_graph_build(&s, &w, NULL);
		ws_opts_default(&o);
		o.stuck_ns = 1;
		o.waits = lens[5] ? &w : NULL;
		ws_diagnose(&s, &o, &fs);
		/* The events as evidence; for an odd now_ns, of a window (its second half). */
		if (have_events)
			ws_evidence_attach(&fs, &s, &e, s.now_ns & 1 ? s.now_ns / 2 : 0);
		ws_render_report(null, &s, &fs, &o, false);
		ws_render_report(null, &s, &fs, &o, true);
		ws_render_blocked(null, &s, g, 0, 0, false);
		ws_render_blocked(null, &s, g, 0, 0, true);
		for (k = 0; k < s.nthreads && k < 64; k++) {
			t[0] = &s.threads[k];
			ws_render_why(null, &s, g, &w, t, 1, k & 1, NULL);
		}
		ws_waits_write(null, &w);
		ws_render_futex(null, &s, 0, false);
		ws_export_prometheus(null, &s, 0);
		ws_export_json(null, &s);
		for (k = 0; k < s.nthreads; k++)
			for (i = 0; i < NR_REASONS; i++)
				ws_render_hist(null, &s, &s.threads[k], i, k & 1);
		fclose(null);
		ws_findings_free(&fs);
		ws_graph_free(g);
		ws_waits_free(&w);
	}
	ws_snapshot_free(&s);
	if (have_events)
		fuzz_events(&e);
	ws_events_free(&e);
	for (i = 0; i < 7; i++)
		free(bufs[i]);
	return 0;
}
