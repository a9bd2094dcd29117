/* SPDX-License-Identifier: GPL-2.0 */
#ifndef WS_RENDER_H
#define WS_RENDER_H

#include "diagnose.h"

void ws_render_report(FILE *f, const struct ws_snapshot *s, const struct ws_findings *fs,
		      const struct ws_opts *o, bool json);
/* One finding as the report prints it: "N. [kind] what.", threshold, likely, next. */
void ws_render_finding(FILE *f, size_t n, const struct ws_finding *x);
/* A finding's members as report --json has them, without the braces (callers add members). */
void ws_render_finding_json(FILE *f, const struct ws_finding *x);
void ws_render_hist(FILE *f, const struct ws_snapshot *s, const struct ws_thread *t, int reason,
		    bool ms);
/* g: the waits-for graph for the HOLDER column (NULL: none). */
void ws_render_blocked(FILE *f, const struct ws_snapshot *s, const struct ws_graph *g,
		       uint64_t min_ns, uint32_t pid, bool json);
/*
 * The chains of threads[0..n), one line a hop (and its user stack, read by
 * uw when not NULL), then root: or deadlock:.
 */
void ws_render_why(FILE *f, const struct ws_snapshot *s, const struct ws_graph *g,
		   const struct ws_waits *w, const struct ws_thread *const *threads, size_t n,
		   bool json, struct ws_uwalker *uw);
void ws_render_futex(FILE *f, const struct ws_snapshot *s, uint32_t pid, bool json);
void ws_export_prometheus(FILE *f, const struct ws_snapshot *s, uint64_t min_thread_ns);
void ws_export_json(FILE *f, const struct ws_snapshot *s);
void ws_render_status(FILE *f, const struct ws_snapshot *s, const char *dir, bool json);

#endif
