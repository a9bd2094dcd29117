// SPDX-License-Identifier: GPL-2.0
/*
 * Every truncated prefix of every fixture file, parsed in-process under
 * ASan/UBSan: each must either parse or fail with a message, never crash,
 * and a prefix that cuts a line must fail ("truncated").  A fixture's
 * waits file (optional) likewise, each accepted prefix then diagnosed,
 * rendered and walked (why) with the whole snapshot.  A fixture's events
 * file (optional, the flight recorder) likewise, each accepted prefix
 * rendered as `waitscope slow` would, in text and NDJSON, and as the
 * evidence of the whole snapshot's findings in report.
 *   prefixes FIXTURE_DIR...   prints one "ok"/"not ok" line per file
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "../../userspace/evidence.h"
#include "../../userspace/render.h"
#include "../../userspace/slow.h"

static int check_file(const char *dir, int which)
{
	char *bufs[5] = { 0 }, path[4096];
	size_t lens[5] = { 0 }, cut, fails = 0, accepted = 0;
	struct ws_err err;
	int i, bad = 0;

	for (i = 0; i < 5; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, ws_files[i]);
		if (ws_read_file(path, &bufs[i], &lens[i], &err)) {
			printf("not ok - prefixes: %s\n", err.msg);
			return 1;
		}
	}
	for (cut = 0; cut <= lens[which]; cut++) {
		struct ws_snapshot s;
		size_t lens2[5];
		int rc;

		memcpy(lens2, lens, sizeof(lens));
		lens2[which] = cut;
		ws_snapshot_init(&s);
		memset(&err, 0, sizeof(err));
		rc = ws_snapshot_parse_all(&s, bufs, lens2, &err);
		if (rc) {
			fails++;
			if (!err.msg[0])
				bad = 1;
		} else {
			accepted++;
			/* Accepted only if the cut falls at the end of a line. */
			if (cut && bufs[which][cut - 1] != '\n')
				bad = 1;
		}
		ws_snapshot_free(&s);
	}
	printf("%s - prefixes: all %zu prefixes of %s/%s parse or fail cleanly (%zu refused)\n",
	       bad ? "not ok" : "ok", lens[which] + 1, dir, ws_files[which], fails);
	for (i = 0; i < 5; i++)
		free(bufs[i]);
	return bad;
}

/* Everything downstream of the waits: report, blocked, why of every thread. */
static void use_waits(const struct ws_snapshot *s, const struct ws_waits *w)
{
	const struct ws_thread **all = calloc(s->nthreads + 1, sizeof(*all));
	FILE *null = fopen("/dev/null", "w");
	struct ws_findings fs = { 0 };
	struct ws_graph *g = ws_graph_build(s, w, NULL);
	struct ws_opts o;
	size_t i;

	ws_opts_default(&o);
	o.stuck_ns = 1;
	o.waits = w;
	ws_diagnose(s, &o, &fs);
	ws_render_report(null, s, &fs, &o, false);
	ws_render_report(null, s, &fs, &o, true);
	ws_render_blocked(null, s, g, 0, 0, true);
	for (i = 0; i < s->nthreads; i++)
		all[i] = &s->threads[i];
	ws_render_why(null, s, g, w, all, s->nthreads, false, NULL);
	ws_render_why(null, s, g, w, all, s->nthreads, true, NULL);
	ws_waits_write(null, w);
	ws_findings_free(&fs);
	ws_graph_free(g);
	fclose(null);
	free(all);
}

static int check_waits(const char *dir)
{
	char *bufs[5] = { 0 }, *wb, path[4096];
	size_t lens[5] = { 0 }, wlen, cut, fails = 0;
	struct ws_snapshot s;
	struct ws_err err;
	int i, bad = 0;

	snprintf(path, sizeof(path), "%s/%s", dir, ws_waits_file);
	if (access(path, F_OK))
		return 0;
	if (ws_read_file(path, &wb, &wlen, &err)) {
		printf("not ok - prefixes: %s\n", err.msg);
		return 1;
	}
	for (i = 0; i < 5; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, ws_files[i]);
		if (ws_read_file(path, &bufs[i], &lens[i], &err))
			bad = 1;
	}
	ws_snapshot_init(&s);
	if (bad || ws_snapshot_parse_all(&s, bufs, lens, &err))
		bad = 1;
	for (cut = 0; !bad && cut <= wlen; cut++) {
		struct ws_waits w;
		/* A copy of just the prefix, so that ASan sees any read past it. */
		char *p = malloc(cut + 1);

		memcpy(p, wb, cut);
		ws_waits_init(&w);
		memset(&err, 0, sizeof(err));
		if (ws_parse_waits(&w, p, cut, &err)) {
			fails++;
			bad |= strncmp(err.msg, "waits", 5) != 0;
		} else {
			bad |= cut && wb[cut - 1] != '\n';
			use_waits(&s, &w);
		}
		ws_waits_free(&w);
		free(p);
	}
	printf("%s - prefixes: all %zu prefixes of %s/%s parse or fail cleanly (%zu refused)\n",
	       bad ? "not ok" : "ok", wlen + 1, dir, ws_waits_file, fails);
	ws_snapshot_free(&s);
	for (i = 0; i < 5; i++)
		free(bufs[i]);
	free(wb);
	return bad;
}

/* Everything `waitscope slow` prints of e, every way, and report with e as evidence (s: NULL, none). */
static void use_events(const struct ws_events *e, const struct ws_snapshot *s)
{
	FILE *null = fopen("/dev/null", "w");
	struct ws_findings fs = { 0 };
	struct ws_slow_opts o;
	struct ws_opts ro;

	ws_slow_opts_default(&o);
	o.exits = o.stack = true;
	ws_slow_print_header(null);
	ws_slow_print(null, e, &o);
	o.json = true;
	ws_slow_print(null, e, &o);
	if (s) {
		ws_opts_default(&ro);
		ws_diagnose(s, &ro, &fs);
		ws_evidence_attach(&fs, s, e, 0);
		ws_render_report(null, s, &fs, &ro, false);
		ws_render_report(null, s, &fs, &ro, true);
		ws_findings_free(&fs);
	}
	fclose(null);
}

/* DIR's five files as a snapshot, if they parse; NULL otherwise. */
static struct ws_snapshot *load_snapshot(const char *dir)
{
	struct ws_snapshot *s = calloc(1, sizeof(*s));
	struct ws_err err;

	ws_snapshot_init(s);
	if (!ws_snapshot_load(s, dir, &err))
		return s;
	ws_snapshot_free(s);
	free(s);
	return NULL;
}

static int check_events(const char *dir)
{
	char *eb, path[4096];
	size_t elen, cut, fails = 0;
	struct ws_snapshot *s;
	struct ws_err err;
	int bad = 0;

	snprintf(path, sizeof(path), "%s/%s", dir, ws_events_file);
	if (access(path, F_OK))
		return 0;
	if (ws_read_file(path, &eb, &elen, &err)) {
		printf("not ok - prefixes: %s\n", err.msg);
		return 1;
	}
	s = load_snapshot(dir);
	for (cut = 0; cut <= elen; cut++) {
		struct ws_events e;
		/* A copy of just the prefix, so that ASan sees any read past it. */
		char *p = malloc(cut + 1);

		memcpy(p, eb, cut);
		ws_events_init(&e);
		memset(&err, 0, sizeof(err));
		if (ws_parse_events(&e, p, cut, &err)) {
			fails++;
			bad |= strncmp(err.msg, "events", 6) != 0;
		} else {
			bad |= cut && eb[cut - 1] != '\n';
			use_events(&e, s);
		}
		ws_events_free(&e);
		free(p);
	}
	printf("%s - prefixes: all %zu prefixes of %s/%s parse or fail cleanly (%zu refused)\n",
	       bad ? "not ok" : "ok", elen + 1, dir, ws_events_file, fails);
	if (s)
		ws_snapshot_free(s);
	free(s);
	free(eb);
	return bad;
}

int main(int argc, char **argv)
{
	int i, w, bad = 0;

	for (i = 1; i < argc; i++) {
		for (w = 0; w < 5; w++)
			bad |= check_file(argv[i], w);
		bad |= check_waits(argv[i]);
		bad |= check_events(argv[i]);
	}
	return bad;
}
