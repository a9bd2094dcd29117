// SPDX-License-Identifier: GPL-2.0
/*
 * What waitscope watch says at the end: the summary on stderr (CMD owns
 * stdout), in the report's words, grouped by process of the tree, with a
 * PASS/FAIL/SKIP line per check; --json (schema waitscope.watch/1) and
 * --junit (one testcase per check, one failure per finding).
 */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include "watch.h"

/* A finding of a check, for ranking them all together. */
struct ranked {
	const struct ws_finding *f;
	const struct ws_kept *k;
};

static int ranked_cmp(const void *a, const void *b)
{
	const struct ws_finding *x = ((const struct ranked *)a)->f;
	const struct ws_finding *y = ((const struct ranked *)b)->f;

	if ((x->kind == K_DEADLOCK) != (y->kind == K_DEADLOCK))
		return x->kind == K_DEADLOCK ? -1 : 1;
	return x->impact_ns < y->impact_ns ? 1 : x->impact_ns > y->impact_ns ? -1 : 0;
}

/* Every finding, a deadlock first, then by the thread time it covers (as report ranks). */
static struct ranked *rank_all(const struct ws_watch *w, size_t *n)
{
	struct ranked *r;
	size_t i, total = 0;
	int c;

	for (c = 0; c < WS_NCHECKS; c++)
		total += w->check[c].fs.n;
	r = ws_xcalloc(total + 1, sizeof(*r));
	*n = 0;
	for (c = 0; c < WS_NCHECKS; c++)
		for (i = 0; i < w->check[c].fs.n; i++)
			r[(*n)++] = (struct ranked){ &w->check[c].fs.f[i], &w->check[c].kept[i] };
	qsort(r, *n, sizeof(*r), ranked_cmp);
	return r;
}

static const struct ws_wproc *proc_of(const struct ws_watch *w, uint32_t pid)
{
	size_t i;

	for (i = 0; i < w->nprocs; i++)
		if (w->procs[i].pid == pid)
			return &w->procs[i];
	return NULL;
}

/* "exited 0", "killed by SIGKILL", "still running", "exited". */
static void fate(char *buf, size_t n, const struct ws_wproc *p)
{
	if (p->live)
		snprintf(buf, n, "still running");
	else if (p->status >= 0 && WIFEXITED(p->status))
		snprintf(buf, n, "exited %d", WEXITSTATUS(p->status));
	else if (p->status >= 0 && WIFSIGNALED(p->status))
		snprintf(buf, n, "killed by signal %d (SIG%s)", WTERMSIG(p->status),
			 sigabbrev_np(WTERMSIG(p->status)) ? sigabbrev_np(WTERMSIG(p->status)) : "?");
	else
		snprintf(buf, n, "exited");
}

static void proc_heading(FILE *f, const struct ws_watch *w, uint32_t pid)
{
	const struct ws_wproc *p = proc_of(w, pid);
	char how[64], totals[512];

	if (!p) {
		fprintf(f, "\npid %u:\n", pid);
		return;
	}
	fate(how, sizeof(how), p);
	ws_slow_fmt_totals(totals, sizeof(totals), &p->sum);
	fprintf(f, "\npid %u (%s)%s, %s: %u thread%s seen; %s\n", p->pid, p->comm[0] ? p->comm : "?",
		p->main ? ", the main process" : "", how, p->nthreads, p->nthreads == 1 ? "" : "s",
		totals);
}

/* The processes without findings: the main one and those still running by name, the rest in one line. */
static void quiet_processes(FILE *f, const struct ws_watch *w, const struct ranked *r, size_t nr)
{
	struct ws_exit_totals rest = { 0 };
	size_t i, j, nrest = 0, threads = 0;
	int k;

	for (i = 0; i < w->nprocs; i++) {
		const struct ws_wproc *p = &w->procs[i];
		bool has = false;

		for (j = 0; j < nr && !has; j++)
			has = r[j].f->pid == p->pid;
		if (has)
			continue;
		if (p->main || p->live) {
			proc_heading(f, w, p->pid);
			continue;
		}
		nrest++;
		threads += p->nthreads;
		rest.nvcsw += p->sum.nvcsw;
		rest.nivcsw += p->sum.nivcsw;
		rest.oncpu_ns += p->sum.oncpu_ns;
		for (k = 0; k < NR_REASONS; k++) {
			rest.n[k] += p->sum.n[k];
			rest.ns[k] += p->sum.ns[k];
		}
	}
	if (nrest) {
		char totals[512];

		ws_slow_fmt_totals(totals, sizeof(totals), &rest);
		fprintf(f, "\n%zu other process%s of the tree, exited: %zu thread%s seen; %s\n", nrest,
			nrest == 1 ? "" : "es", threads, threads == 1 ? "" : "s", totals);
	}
}

static void check_lines(FILE *f, const struct ws_watch *w)
{
	static const char *const off_flag[WS_NCHECKS] = {
		"--no-stuck", "--no-deadlock", "--no-frozen", "--no-leaked", "--no-contention",
		"--no-starvation",
	};
	char th[64];
	int c;

	fputc('\n', f);
	for (c = 0; c < WS_NCHECKS; c++) {
		size_t n = w->check[c].fs.n;

		ws_watch_fmt_threshold(th, sizeof(th), w->o, (enum ws_check_id)c);
		if (!w->o->on[c])
			fprintf(f, "SKIP %s (%s)\n", ws_check_names[c], off_flag[c]);
		else if (n)
			fprintf(f, "FAIL %s: %zu finding%s\n", ws_check_names[c], n, n == 1 ? "" : "s");
		else if (th[0])
			fprintf(f, "PASS %s (threshold %s)\n", ws_check_names[c], th);
		else
			fprintf(f, "PASS %s\n", ws_check_names[c]);
	}
}

/* "sh exited 0", "sh was killed by signal 9 (SIGKILL)", "pid 810 (app) ended". */
static void run_words(char *buf, size_t n, const struct ws_watch *w, const struct ws_watch_run *r)
{
	const struct ws_wproc *p = proc_of(w, r->pid);
	const char *name = r->cmd ? r->cmd[0] : p && p->comm[0] ? p->comm : "?";

	if (!r->cmd)
		snprintf(buf, n, "watched pid %u (%s): %s", r->pid, name, r->ended);
	else if (WIFSIGNALED(r->status))
		snprintf(buf, n, "%s was killed by signal %d (SIG%s)", name, WTERMSIG(r->status),
			 sigabbrev_np(WTERMSIG(r->status)) ? sigabbrev_np(WTERMSIG(r->status)) : "?");
	else
		snprintf(buf, n, "%s exited %d", name, WEXITSTATUS(r->status));
}

static const char *mode_name(enum ws_tree_mode m)
{
	return m == WS_TREE_CGROUP ? "cgroup" : m == WS_TREE_SUBREAPER ? "subreaper" : "pid";
}

void ws_watch_summary(FILE *f, const struct ws_watch *w, const struct ws_watch_run *r)
{
	char dur[32], words[512], verdict[64];
	size_t nr, i, j;
	struct ranked *rk = rank_all(w, &nr);
	unsigned failed = ws_watch_failed(w);

	ws_fmt_dur(dur, sizeof(dur), r->duration_ns);
	fprintf(f, "\nwaitscope watch: %zu finding%s in %zu process%s of the tree (%s%s%s), %u poll%s over %s\n",
		nr, nr == 1 ? "" : "s", w->nprocs, w->nprocs == 1 ? "" : "es", mode_name(w->tree->mode),
		w->tree->mode == WS_TREE_CGROUP ? " " : "",
		w->tree->mode == WS_TREE_CGROUP ? w->tree->path : "", w->polls, w->polls == 1 ? "" : "s",
		dur);
	/* Grouped by process, each process where its best-ranked finding is. */
	for (i = 0; i < nr; i++) {
		bool shown = false;

		for (j = 0; j < i && !shown; j++)
			shown = rk[j].f->pid == rk[i].f->pid;
		if (shown)
			continue;
		proc_heading(f, w, rk[i].f->pid);
		for (j = i; j < nr; j++) {
			if (rk[j].f->pid != rk[i].f->pid)
				continue;
			ws_render_finding(f, j + 1, rk[j].f);
			if (rk[j].k->detail)
				fputs(rk[j].k->detail, f);
		}
	}
	quiet_processes(f, w, rk, nr);
	if (w->broken[0])
		fprintf(f, "\nnote: polling stopped: %s; the checks cover the run until then.\n",
			w->broken);
	check_lines(f, w);
	run_words(words, sizeof(words), w, r);
	if (failed)
		snprintf(verdict, sizeof(verdict), "%u check%s failed", failed, failed == 1 ? "" : "s");
	else
		snprintf(verdict, sizeof(verdict), "all checks passed");
	if (w->broken[0])
		snprintf(verdict + strlen(verdict), sizeof(verdict) - strlen(verdict),
			 " until polling stopped");
	fprintf(f, "waitscope watch: %s after %s; %s: exit %d\n", words, dur, verdict,
		r->exit_status);
	free(rk);
}

/* ---- JSON ---- */

static void json_exit(FILE *f, int status)
{
	if (status < 0)
		fputs("{\"status\":null,\"signal\":null}", f);
	else if (WIFSIGNALED(status))
		fprintf(f, "{\"status\":null,\"signal\":%d}", WTERMSIG(status));
	else
		fprintf(f, "{\"status\":%d,\"signal\":null}", WEXITSTATUS(status));
}

static void json_totals(FILE *f, const struct ws_exit_totals *t)
{
	int k;

	fprintf(f, "{\"oncpu_ns\":%llu,\"nvcsw\":%llu,\"nivcsw\":%llu", (unsigned long long)t->oncpu_ns,
		(unsigned long long)t->nvcsw, (unsigned long long)t->nivcsw);
	for (k = 0; k < NR_REASONS; k++)
		fprintf(f, ",\"%s\":{\"n\":%llu,\"ns\":%llu}", ws_reason_names[k],
			(unsigned long long)t->n[k], (unsigned long long)t->ns[k]);
	fputc('}', f);
}

static void json_checks(FILE *f, const struct ws_watch *w)
{
	char th[64];
	size_t i;
	int c;

	fputs(",\"checks\":[", f);
	for (c = 0; c < WS_NCHECKS; c++) {
		const struct ws_check *k = &w->check[c];

		ws_watch_fmt_threshold(th, sizeof(th), w->o, (enum ws_check_id)c);
		fprintf(f, "%s{\"name\":\"%s\",\"enabled\":%s,\"threshold\":", c ? "," : "",
			ws_check_names[c], w->o->on[c] ? "true" : "false");
		if (th[0])
			ws_json_str(f, th);
		else
			fputs("null", f);
		fprintf(f, ",\"passed\":%s,\"findings\":[",
			!w->o->on[c] ? "null" : k->fs.n ? "false" : "true");
		for (i = 0; i < k->fs.n; i++)
			fprintf(f, "%s{%s}", i ? "," : "", k->kept[i].json);
		fputs("]}", f);
	}
	fputc(']', f);
}

static void json_processes(FILE *f, const struct ws_watch *w)
{
	size_t i;

	fputs(",\"processes\":[", f);
	for (i = 0; i < w->nprocs; i++) {
		const struct ws_wproc *p = &w->procs[i];

		fprintf(f, "%s{\"pid\":%u,\"comm\":", i ? "," : "", p->pid);
		ws_json_str(f, p->comm);
		fprintf(f, ",\"main\":%s,\"state\":\"%s\",\"exit\":", p->main ? "true" : "false",
			p->live ? "running" : "exited");
		json_exit(f, p->live ? -1 : p->status);
		fprintf(f, ",\"threads\":%u,\"totals\":", p->nthreads);
		json_totals(f, &p->sum);
		fputc('}', f);
	}
	fputc(']', f);
}

int ws_watch_write_json(FILE *f, const struct ws_watch *w, const struct ws_watch_run *r)
{
	size_t i;

	fputs("{\"schema\":\"waitscope.watch/1\",\"command\":", f);
	if (r->cmd) {
		fputc('[', f);
		for (i = 0; r->cmd[i]; i++) {
			fputs(i ? "," : "", f);
			ws_json_str(f, r->cmd[i]);
		}
		fputc(']', f);
	} else {
		fputs("null", f);
	}
	fprintf(f, ",\"pid\":%u,\"tree\":{\"mode\":\"%s\",\"cgroup\":", r->pid,
		mode_name(w->tree->mode));
	if (w->tree->mode == WS_TREE_CGROUP)
		ws_json_str(f, w->tree->path);
	else
		fputs("null", f);
	fprintf(f, "},\"duration_ns\":%llu,\"polls\":%u,\"cmd_exit\":",
		(unsigned long long)r->duration_ns, w->polls);
	json_exit(f, r->cmd ? r->status : -1);
	fprintf(f, ",\"exit_status\":%d", r->exit_status);
	json_checks(f, w);
	json_processes(f, w);
	fprintf(f, ",\"missed_events\":%llu,\"polling_error\":", (unsigned long long)w->missed);
	if (w->broken[0])
		ws_json_str(f, w->broken);
	else
		fputs("null", f);
	fputs(",\"notes\":[", f);
	for (i = 0; i < w->nnotes; i++) {
		fputs(i ? "," : "", f);
		ws_json_str(f, w->notes[i]);
	}
	fputs("]}\n", f);
	return ferror(f) ? -1 : 0;
}

/* ---- JUnit XML ---- */

/* Text or an attribute value: the five markup characters, control bytes (not allowed in XML 1.0). */
static void xml_text(FILE *f, const char *s, bool attr)
{
	for (; s && *s; s++) {
		unsigned char c = (unsigned char)*s;

		switch (c) {
		case '&': fputs("&amp;", f); break;
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '"': fputs("&quot;", f); break;
		case '\'': fputs("&apos;", f); break;
		case '\n': fputs(attr ? "&#10;" : "\n", f); break;
		case '\t': fputs(attr ? "&#9;" : "\t", f); break;
		default:
			if (c < 0x20 || c == 0x7f)
				fputs("&#xFFFD;", f);
			else
				fputc(c, f);
		}
	}
}

/* A failure's body: the finding as the summary prints it. */
static void failure_body(FILE *f, const struct ws_finding *x, const struct ws_kept *k)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *m = ws_xmemstream(&buf, &len);

	ws_render_finding(m, 1, x);
	if (k->detail)
		fputs(k->detail, m);
	fclose(m);
	/* Without the rank: "1. " is the summary's. */
	xml_text(f, buf + 3, false);
	free(buf);
}

int ws_watch_write_junit(FILE *f, const struct ws_watch *w, const struct ws_watch_run *r)
{
	double secs = (double)r->duration_ns / 1e9;
	unsigned skipped = 0;
	size_t i;
	int c;

	for (c = 0; c < WS_NCHECKS; c++)
		skipped += !w->o->on[c];
	fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites>\n"
		   "<testsuite name=\"waitscope watch\" tests=\"%d\" failures=\"%u\" skipped=\"%u\" time=\"%.3f\">\n",
		WS_NCHECKS, ws_watch_failed(w), skipped, secs);
	for (c = 0; c < WS_NCHECKS; c++) {
		const struct ws_check *k = &w->check[c];

		fprintf(f, "<testcase classname=\"waitscope.watch\" name=\"%s\" time=\"%.3f\">",
			ws_check_names[c], secs);
		if (!w->o->on[c])
			fputs("<skipped/>", f);
		for (i = 0; w->o->on[c] && i < k->fs.n; i++) {
			fprintf(f, "\n<failure type=\"%s\" message=\"", ws_kind_name(k->fs.f[i].kind));
			xml_text(f, k->fs.f[i].what, true);
			fputs("\">", f);
			failure_body(f, &k->fs.f[i], &k->kept[i]);
			fputs("</failure>", f);
		}
		fputs(k->fs.n && w->o->on[c] ? "\n</testcase>\n" : "</testcase>\n", f);
	}
	fputs("</testsuite>\n</testsuites>\n", f);
	return ferror(f) ? -1 : 0;
}
