// SPDX-License-Identifier: GPL-2.0
/*
 * Views: the report, bcc-style histograms, blocked threads, futex words,
 * Prometheus and JSON exports.  Text reads well in a terminal; JSON is one
 * document per run with a versioned schema, every time in nanoseconds.
 */
#include <stdlib.h>
#include <string.h>
#include "render.h"
#include "ustack.h"

static void comm(const struct ws_snapshot *s, uint32_t off, char *buf, size_t n)
{
	ws_unescape_comm(ws_str(s, off), buf, n);
}

/* Text from the input, for a terminal: see ws_sanitize(). */
static const char *printable(char *c)
{
	return ws_sanitize(c);
}

/* The same for a string of the snapshot's pool, through a buffer. */
static const char *pstr(const struct ws_snapshot *s, uint32_t off, char *buf, size_t n)
{
	snprintf(buf, n, "%s", ws_str(s, off));
	return ws_sanitize(buf);
}

/* "pids":[...], for a finding about several processes (one cgroup's). */
static void json_pids(FILE *f, const struct ws_finding *x)
{
	int k;

	if (!x->npids)
		return;
	fputs("\"pids\":[", f);
	for (k = 0; k < x->npids; k++)
		fprintf(f, "%s%u", k ? "," : "", x->pids[k]);
	fputs("],", f);
}

/* A JSON number, or null for 0 (unknown). */
static void json_id(FILE *f, const char *key, uint32_t v)
{
	if (v)
		fprintf(f, ",\"%s\":%u", key, v);
	else
		fprintf(f, ",\"%s\":null", key);
}

/* One waits-for edge (waits.h). */
static void json_edge(FILE *f, const struct ws_edge *e)
{
	fprintf(f, "{\"tid\":%u,\"pid\":%u,\"type\":\"%s\",\"scope\":\"%s\",\"object\":", e->tid,
		e->pid, ws_edge_type_names[e->type], ws_wait_scope_names[e->scope]);
	ws_json_str(f, e->object);
	json_id(f, "holder_tid", e->holder_tid);
	json_id(f, "holder_pid", e->holder_pid);
	fputs(",\"holder_comm\":", f);
	ws_json_str(f, e->holder_comm);
	fputs(",\"evidence\":", f);
	ws_json_str(f, e->evidence);
	fputc('}', f);
}

static void json_edges(FILE *f, const struct ws_edge *const *e, size_t n)
{
	size_t i;

	fputc('[', f);
	for (i = 0; i < n; i++) {
		fputs(i ? "," : "", f);
		json_edge(f, e[i]);
	}
	fputc(']', f);
}

static const char *root_kind_name(enum ws_root_kind k)
{
	static const char *const names[] = { "thread", "unknown", "gone", "deadlock" };

	return names[k];
}

/* A chain's root: {"pid","tid","comm","state","why","kind","other_roots"}. */
static void json_root_parts(FILE *f, uint32_t pid, uint32_t tid, const char *comm_s,
			    const char *state, const char *why, enum ws_root_kind kind,
			    unsigned other)
{
	fprintf(f, "{\"pid\":%u", pid);
	json_id(f, "tid", tid);
	fputs(",\"comm\":", f);
	ws_json_str(f, comm_s);
	fprintf(f, ",\"state\":\"%s\",\"why\":", state);
	ws_json_str(f, why);
	fprintf(f, ",\"kind\":\"%s\",\"other_roots\":%u}", root_kind_name(kind), other);
}

static void json_root(FILE *f, const struct ws_root *r)
{
	if (!r) {
		fputs("null", f);
		return;
	}
	json_root_parts(f, r->pid, r->tid, r->comm, r->state, r->why, r->kind, r->other_roots);
}

static void json_finding_root(FILE *f, const struct ws_finding_root *r)
{
	if (!r) {
		fputs("null", f);
		return;
	}
	json_root_parts(f, r->pid, r->tid, r->comm, r->state, r->why, r->kind, r->other_roots);
}

static void json_tids(FILE *f, const uint32_t *tids, int n)
{
	int k;

	fputs("\"tids\":[", f);
	for (k = 0; k < n; k++)
		fprintf(f, "%s%u", k ? "," : "", tids[k]);
	fputs("],", f);
}

static void json_cycle(FILE *f, const struct ws_finding *x)
{
	size_t k;

	fputs(",\"cycle\":[", f);
	for (k = 0; k < x->ncycle; k++) {
		fprintf(f, "%s{\"tid\":%u,\"pid\":%u,\"holds\":", k ? "," : "", x->cycle[k].tid,
			x->cycle[k].pid);
		ws_json_str(f, x->cycle[k].holds);
		fputs(",\"waits_for\":", f);
		ws_json_str(f, x->cycle[k].waits_for);
		fputc('}', f);
	}
	fputc(']', f);
}

/* ---- a finding's recorder events (evidence.c): the "recorded:" sentence, "slow_events" ---- */

/* "run-queue", "I/O", "I/O and uninterruptible": the reasons in mask, in words. */
static void reason_words(char *buf, size_t n, unsigned mask)
{
	static const char *const words[NR_REASONS] = { "run-queue", "futex", "I/O", "uninterruptible",
						       "sleep" };
	size_t k = 0;
	int r, left = __builtin_popcount(mask);

	buf[0] = '\0';
	for (r = 0; r < NR_REASONS && k < n; r++) {
		if (!(mask & (1u << r)))
			continue;
		left--;
		k += (size_t)snprintf(buf + k, n - k, "%s%s", words[r],
				      !left ? "" : left == 1 ? " and " : ", ");
	}
}

/* "pid 900 (backup)", "thread 813 (worker-2) of pid 810", "thread 950": as why names threads. */
static void cause_name(const struct ws_finding_events *fe, char *buf, size_t n)
{
	char c[sizeof(fe->cause_comm) + 3] = "";

	if (fe->cause_comm[0])
		snprintf(c, sizeof(c), " (%s)", fe->cause_comm);
	printable(c);
	if (fe->cause_pid && fe->cause_pid == fe->cause_tid)
		snprintf(buf, n, "pid %u%s", fe->cause_pid, c);
	else if (fe->cause_pid)
		snprintf(buf, n, "thread %u%s of pid %u", fe->cause_tid, c, fe->cause_pid);
	else
		snprintf(buf, n, "thread %u%s", fe->cause_tid, c);
}

/* ", 9 of them behind pid 900 (backup)", ", all woken from interrupts": who caused them. */
static void cause_clause(const struct ws_finding_events *fe, char *buf, size_t n)
{
	char name[128], who[160], many[48];

	if (!fe->cause_known) {
		snprintf(buf, n, ", with no %s known", fe->by_preemptor ? "preemptor" : "waker");
		return;
	}
	cause_name(fe, name, sizeof(name));
	if (fe->cause_irq)
		snprintf(who, sizeof(who), "woken from interrupts");
	else
		snprintf(who, sizeof(who), "%s %s", fe->by_preemptor ? "behind" : "woken by", name);
	if (fe->count == 1)
		many[0] = '\0';
	else if (fe->cause_count == fe->count)
		snprintf(many, sizeof(many), "all ");
	else
		snprintf(many, sizeof(many), "%llu of them ", (unsigned long long)fe->cause_count);
	snprintf(buf, n, ", %s%s", many, who);
}

/* "14:02:11", "14:02:11–14:02:13", with the dates when they are not one day's. */
static void events_span(const struct ws_finding_events *fe, char *buf, size_t n)
{
	char a[48], b[48];
	bool one_day;

	ws_fmt_wall(a, sizeof(a), fe->first_ns, true, false);
	ws_fmt_wall(b, sizeof(b), fe->last_ns, true, false);
	one_day = !strncmp(a, b, 10);
	if (one_day) {
		ws_fmt_wall(a, sizeof(a), fe->first_ns, false, false);
		ws_fmt_wall(b, sizeof(b), fe->last_ns, false, false);
	}
	if (!strcmp(a, b))
		snprintf(buf, n, "%s", a);
	else
		snprintf(buf, n, "%s\u2013%s", a, b);
}

/*
 * "its 12 run-queue waits of 10.0ms or more happened at
 * 14:02:11–14:02:13, 9 of them behind pid 900 (backup)", then what the
 * rings lost, so that a count is never read as all there was.
 */
static void events_text(FILE *f, const struct ws_finding *x)
{
	const struct ws_finding_events *fe = x->events;
	char min[32], what[96], span[112], cause[256];
	const char *its = x->nthreads > 1 ? "their" : "its";

	ws_fmt_dur(min, sizeof(min), fe->min_ns);
	reason_words(what, sizeof(what), fe->count ? fe->seen : fe->reasons);
	fputs("   recorded:  ", f);
	if (!fe->count) {
		fprintf(f, "the recorder kept none of %s %s waits (it keeps those of %s or more)", its,
			what, min);
	} else {
		events_span(fe, span, sizeof(span));
		cause_clause(fe, cause, sizeof(cause));
		fprintf(f, "%s %llu %s wait%s of %s or more happened at %s%s", its,
			(unsigned long long)fe->count, what, fe->count == 1 ? "" : "s", min, span, cause);
	}
	if (fe->overwritten)
		fprintf(f, " (%llu older event%s overwritten)", (unsigned long long)fe->overwritten,
			fe->overwritten == 1 ? "" : "s");
	fputs(".\n", f);
}

static void json_u64_or_null(FILE *f, const char *key, bool known, uint64_t v)
{
	if (known)
		fprintf(f, ",\"%s\":%llu", key, (unsigned long long)v);
	else
		fprintf(f, ",\"%s\":null", key);
}

/* ,"slow_events":{count, reasons, min_ns, first_ns, last_ns, cause_*, overwritten} */
static void json_finding_events(FILE *f, const struct ws_finding_events *fe)
{
	const char *sep = "";
	int r;

	fprintf(f, ",\"slow_events\":{\"count\":%llu,\"reasons\":[", (unsigned long long)fe->count);
	for (r = 0; r < NR_REASONS; r++) {
		if (!(fe->reasons & (1u << r)))
			continue;
		fprintf(f, "%s\"%s\"", sep, ws_reason_names[r]);
		sep = ",";
	}
	fprintf(f, "],\"min_ns\":%llu", (unsigned long long)fe->min_ns);
	json_u64_or_null(f, "first_ns", fe->count, fe->first_ns);
	json_u64_or_null(f, "last_ns", fe->count, fe->last_ns);
	json_u64_or_null(f, "cause_tid", fe->cause_known, fe->cause_tid);
	json_u64_or_null(f, "cause_pid", fe->cause_pid, fe->cause_pid);
	fputs(",\"cause_comm\":", f);
	if (fe->cause_known && fe->cause_comm[0])
		ws_json_str(f, fe->cause_comm);
	else
		fputs("null", f);
	fputs(",\"cause_role\":", f);
	fputs(!fe->cause_known ? "null" : fe->by_preemptor ? "\"preemptor\"" : "\"waker\"", f);
	fprintf(f, ",\"cause_count\":%llu,\"overwritten\":%llu}",
		(unsigned long long)fe->cause_count, (unsigned long long)fe->overwritten);
}

/* {tid, frames: [{function, object, offset, pc}], cut}, or null. */
static void json_ustack(FILE *f, const struct ws_ustack *st, uint32_t tid)
{
	unsigned i;

	if (!st) {
		fputs("null", f);
		return;
	}
	fprintf(f, "{\"tid\":%u,\"frames\":[", tid);
	for (i = 0; i < st->n; i++) {
		const struct ws_uframe *u = &st->f[i];
		char name[sizeof(u->func)], obj[sizeof(u->obj)];

		snprintf(name, sizeof(name), "%s", u->func);
		snprintf(obj, sizeof(obj), "%s", u->obj);
		fputs(i ? ",{\"function\":" : "{\"function\":", f);
		if (name[0])
			ws_json_str(f, ws_sanitize(name));
		else
			fputs("null", f);
		fputs(",\"object\":", f);
		if (obj[0])
			ws_json_str(f, ws_sanitize(obj));
		else
			fputs("null", f);
		fprintf(f, ",\"offset\":%llu,\"pc\":\"0x%llx\"}", (unsigned long long)u->off,
			(unsigned long long)u->pc);
	}
	fputs("],\"cut\":", f);
	if (st->cut)
		ws_json_str(f, st->cut);
	else
		fputs("null", f);
	fputc('}', f);
}

void ws_render_finding_json(FILE *f, const struct ws_finding *x)
{
	fprintf(f, "\"kind\":\"%s\",\"pid\":%u,\"threads\":%d,\"impact_ns\":%llu,",
		ws_kind_name(x->kind), x->pid, x->nthreads, (unsigned long long)x->impact_ns);
	json_pids(f, x);
	json_tids(f, x->tids, x->ntids);
	fputs("\"message\":", f);
	ws_json_str(f, x->what);
	fputs(",\"threshold\":", f);
	ws_json_str(f, x->threshold);
	fputs(",\"cause\":", f);
	ws_json_str(f, x->cause);
	fputs(",\"next\":", f);
	ws_json_str(f, x->next);
	if (x->about_blocked) {
		fputs(",\"waits_for\":", f);
		json_edges(f, x->waits_for, x->nwaits_for);
		fputs(",\"root\":", f);
		json_finding_root(f, x->root);
	}
	if (x->about_blocked || x->ustack) {
		fputs(",\"user_stack\":", f);
		json_ustack(f, x->ustack, x->ustack_tid);
	}
	if (x->kind == K_DEADLOCK)
		json_cycle(f, x);
	if (x->events)
		json_finding_events(f, x->events);
}

static void json_finding(FILE *f, const struct ws_finding *x)
{
	fputc('{', f);
	ws_render_finding_json(f, x);
	fputc('}', f);
}

void ws_render_finding(FILE *f, size_t n, const struct ws_finding *x)
{
	fprintf(f, "%zu. [%s] %s.\n", n, ws_kind_name(x->kind), x->what);
	if (x->events)
		events_text(f, x);
	if (x->ustack) {
		char where[1024];

		ws_ustack_format(x->ustack, false, where, sizeof(where));
		fprintf(f, "   where:     thread %u: %s\n", x->ustack_tid, where);
	}
	fprintf(f, "   threshold: %s\n", x->threshold);
	fprintf(f, "   likely:    %s\n", x->cause);
	fprintf(f, "   next:      %s\n", x->next);
}

void ws_render_report(FILE *f, const struct ws_snapshot *s, const struct ws_findings *fs,
		      const struct ws_opts *o, bool json)
{
	char win[32];
	size_t i;

	if (json) {
		fprintf(f, "{\"schema\":\"waitscope.report/2\",\"window_ns\":%llu,\"threads\":%zu,\"waits_resolved\":%s,\"findings\":[",
			(unsigned long long)o->window_ns, s->nthreads,
			o->waits && o->waits->resolved ? "true" : "false");
		for (i = 0; i < fs->n; i++) {
			fputs(i ? "," : "", f);
			json_finding(f, &fs->f[i]);
		}
		fputs("],\"notes\":[", f);
		for (i = 0; i < fs->nnotes; i++) {
			fputs(i ? "," : "", f);
			ws_json_str(f, fs->notes[i]);
		}
		fputs("]}\n", f);
		return;
	}
	if (o->window_ns)
		ws_fmt_dur(win, sizeof(win), o->window_ns);
	fprintf(f, "waitscope report: %zu finding%s over %zu threads (%s%s)\n", fs->n,
		fs->n == 1 ? "" : "s", s->nthreads, o->window_ns ? "the last " : "since tracing began",
		o->window_ns ? win : "");
	for (i = 0; i < fs->nnotes; i++)
		fprintf(f, "note: %s.\n", fs->notes[i]);
	if (!fs->n) {
		fprintf(f, "\nNothing blocked, contended or starving beyond the thresholds.\n");
		return;
	}
	for (i = 0; i < fs->n; i++) {
		fputc('\n', f);
		ws_render_finding(f, i + 1, &fs->f[i]);
	}
}

/* ---- hist: the layout of bcc's print_log2_hist ---- */

static void stars(char *buf, uint64_t val, uint64_t max, int width)
{
	int n = max ? (int)((double)val * width / (double)max) : 0, i;

	if (n > width)
		n = width;
	for (i = 0; i < n; i++)
		buf[i] = '*';
	buf[n] = '\0';
}

/*
 * p50/p90/p99, interpolated within their log2 buckets: a bucket spans a
 * factor of two, so the line says so and gives the p99's bucket.
 */
static void hist_quantiles(FILE *f, const struct ws_snapshot *s, const struct ws_thread *t,
			   int reason)
{
	static const double qs[] = { 0.5, 0.9, 0.99 };
	char v[3][32], lo[32], hi[32];
	struct ws_qbounds b;
	int i;

	for (i = 0; i < 3; i++)
		ws_fmt_dur(v[i], sizeof(v[i]), ws_hist_quantile_at(s, t, reason, qs[i], &b));
	ws_fmt_dur(lo, sizeof(lo), b.low_ns);
	ws_fmt_dur(hi, sizeof(hi), b.high_ns);
	fprintf(f, "p50 \u2248 %s, p90 \u2248 %s, p99 \u2248 %s (interpolated in log2 buckets: the p99 lies in %s-%s)\n",
		v[0], v[1], v[2], lo, hi);
}

void ws_render_hist(FILE *f, const struct ws_snapshot *s, const struct ws_thread *t, int reason,
		    bool ms)
{
	uint64_t counts[NR_SLOTS] = { 0 }, max = 0;
	char name[64], tot[32], mx[32], bar[41];
	int k, lo = -1, hi = -1;
	unsigned i;

	for (i = 0; i < t->hist_len[reason]; i++) {
		ws_bucket b = s->buckets[t->hist_first[reason] + i];

		counts[WS_BUCKET_SLOT(b)] = WS_BUCKET_N(b);
	}
	for (k = 0; k < NR_SLOTS; k++) {
		if (!counts[k])
			continue;
		if (lo < 0)
			lo = k;
		hi = k;
		if (counts[k] > max)
			max = counts[k];
	}
	comm(s, t->comm, name, sizeof(name));
	ws_fmt_dur(tot, sizeof(tot), t->r[reason].ns);
	ws_fmt_dur(mx, sizeof(mx), t->r[reason].max_ns);
	fprintf(f, "tid %u (%s) pid %u, %s: %llu intervals, total %s, max %s\n", t->tid,
		printable(name), t->tgid, ws_reason_names[reason],
		(unsigned long long)t->r[reason].n, tot, mx);
	hist_quantiles(f, s, t, reason);
	fprintf(f, "%*s%-*s : count    distribution\n", ms ? 10 : 10, ms ? "msecs" : "usecs",
		ms ? 14 : 14, "");
	for (k = lo; k >= 0 && k <= hi; k++) {
		uint64_t low = ws_slot_low_us(k), high = ws_slot_low_us(k + 1) - 1;

		stars(bar, counts[k], max, 40);
		if (ms)
			fprintf(f, "%10.3f -> %-10.3f : %-8llu |%-40s|\n", low / 1000.0, high / 1000.0,
				(unsigned long long)counts[k], bar);
		else if (k == NR_SLOTS - 1)
			fprintf(f, "%10llu -> %-10s : %-8llu |%-40s|\n", (unsigned long long)low, "inf",
				(unsigned long long)counts[k], bar);
		else
			fprintf(f, "%10llu -> %-10llu : %-8llu |%-40s|\n", (unsigned long long)low,
				(unsigned long long)high, (unsigned long long)counts[k], bar);
	}
	fputc('\n', f);
}

/* ---- blocked ---- */

static int by_off_desc(const void *a, const void *b)
{
	const struct ws_thread *x = *(struct ws_thread *const *)a, *y = *(struct ws_thread *const *)b;

	return x->off_ns < y->off_ns ? 1 : x->off_ns > y->off_ns ? -1 : 0;
}

static const char *syscall_str(int nr, char *buf, size_t n)
{
	const char *name = ws_syscall_name(nr);

	if (name)
		return name;
	if (nr < 0)
		return "-";
	snprintf(buf, n, "%d", nr);
	return buf;
}

/* What the expected value says about a FUTEX_WAIT (2: glibc's locked-with-waiters). */
static const char *futex_val_note(const struct ws_snapshot *s, const struct ws_thread *t)
{
	static char buf[128];
	const char *op = ws_str(s, t->futex_op);

	if (!t->has_futex_val || (strcmp(op, "wait") && strcmp(op, "wait_bitset")))
		return "";
	if (t->futex_val == 2)
		return ", expected value 2: a lock wait";
	snprintf(buf, sizeof(buf), ", expected value %u: not a lock wait; a runtime park or a condition/event",
		 t->futex_val);
	return buf;
}

/* HOLDER: the holder's tid, "pid:N" for a process, "-" unknown; "+N" more holders. */
static const char *holder_col(const struct ws_graph *g, const struct ws_thread *t, char *buf,
			      size_t n)
{
	const struct ws_edge *const *e;
	size_t ne = g ? ws_graph_edges(g, t, &e) : 0, i, more = 0;
	const struct ws_edge *h = NULL;

	for (i = 0; i < ne; i++) {
		if (!e[i]->holder_tid && !e[i]->holder_pid)
			continue;
		if (h)
			more++;
		else
			h = e[i];
	}
	if (!h)
		return "-";
	if (h->holder_tid)
		snprintf(buf, n, "%u", h->holder_tid);
	else
		snprintf(buf, n, "pid:%u", h->holder_pid);
	if (more)
		snprintf(buf + strlen(buf), n - strlen(buf), "+%zu", more);
	return buf;
}

void ws_render_blocked(FILE *f, const struct ws_snapshot *s, const struct ws_graph *g,
		       uint64_t min_ns, uint32_t pid, bool json)
{
	const struct ws_thread **v = calloc(s->nthreads + 1, sizeof(*v));
	size_t i, n = 0;
	unsigned k;

	if (!v)
		return;
	for (i = 0; i < s->nthreads; i++) {
		const struct ws_thread *t = &s->threads[i];

		if (t->state >= 0 && t->off_ns >= min_ns && (!pid || t->tgid == pid))
			v[n++] = t;
	}
	qsort(v, n, sizeof(*v), by_off_desc);
	if (json)
		fputs("{\"schema\":\"waitscope.blocked/1\",\"threads\":[", f);
	else
		fprintf(f, "%7s %7s %-16s %-15s %10s %-16s %-12s %s\n", "TID", "PID", "COMM", "REASON",
			"FOR", "SYSCALL", "HOLDER", "FUTEX");
	for (i = 0; i < n; i++) {
		const struct ws_thread *t = v[i];
		char name[64], dur[32], scb[32], frame[256], hb[32];

		comm(s, t->comm, name, sizeof(name));
		if (json) {
			fprintf(f, "%s{\"tid\":%u,\"pid\":%u,\"comm\":", i ? "," : "", t->tid, t->tgid);
			ws_json_str(f, name);
			if (s->have_start)
				fprintf(f, ",\"start_ns\":%llu", (unsigned long long)t->start_ns);
			fprintf(f, ",\"reason\":\"%s\",\"off_ns\":%llu,\"partial\":%s,\"syscall\":%d",
				ws_reason_names[t->state], (unsigned long long)t->off_ns,
				t->partial ? "true" : "false", t->syscall);
			if (t->has_futex)
				fprintf(f, ",\"futex_addr\":\"0x%llx\"", (unsigned long long)t->futex_addr);
			if (t->has_futex_val)
				fprintf(f, ",\"futex_val\":%u", t->futex_val);
			fputs(",\"stack\":[", f);
			for (k = 0; k < t->stack_len; k++) {
				fputs(k ? "," : "", f);
				ws_json_str(f, ws_str(s, s->frames[t->stack_first + k]));
			}
			fputc(']', f);
			if (g) {
				const struct ws_edge *const *e;
				size_t ne = ws_graph_edges(g, t, &e);

				fputs(",\"waits_for\":", f);
				json_edges(f, e, ne);
			}
			fputc('}', f);
			continue;
		}
		ws_fmt_dur(dur, sizeof(dur), t->off_ns);
		fprintf(f, "%7u %7u %-16s %-15s %s%9s %-16s %-12s ", t->tid, t->tgid, printable(name),
			ws_reason_names[t->state], t->partial ? ">" : " ", dur,
			syscall_str(t->syscall, scb, sizeof(scb)), holder_col(g, t, hb, sizeof(hb)));
		if (t->has_futex)
			fprintf(f, "0x%llx (%s%s)\n", (unsigned long long)t->futex_addr,
				pstr(s, t->futex_op, scb, sizeof(scb)), futex_val_note(s, t));
		else
			fputs("-\n", f);
		for (k = 0; k < t->stack_len; k++)
			fprintf(f, "        %s\n", pstr(s, s->frames[t->stack_first + k], frame,
							 sizeof(frame)));
	}
	if (json)
		fputs("]}\n", f);
	else if (!n)
		fprintf(f, "(no thread off CPU for that long)\n");
	free(v);
}

/* ---- why: one thread's chain, hop by hop ---- */

static const char *state_words(const struct ws_graph *g, const struct ws_thread *t)
{
	static const char *const words[NR_REASONS] = {
		"waiting for a CPU", "in a futex wait", "in I/O wait", "in an uninterruptible sleep",
		"asleep",
	};

	if (ws_graph_stopped(g, t))
		return "stopped";
	if (t->state == ST_RUNNING)
		return "running";
	if (t->state == ST_UNKNOWN)
		return "in an unknown state";
	return words[t->state];
}

/* "thread 813 (worker-1) of pid 810, in a futex wait for 30.0s, in futex() on 0x601040 (wait, expected value 2: a lock wait), at a < b < c" */
static void why_thread_text(FILE *f, const struct ws_snapshot *s, const struct ws_graph *g,
			    const struct ws_thread *t)
{
	char name[64], dur[32], scb[32], frames[256], op[32];

	comm(s, t->comm, name, sizeof(name));
	fprintf(f, "thread %u (%s) of pid %u, %s", t->tid, printable(name), t->tgid,
		state_words(g, t));
	if (t->state < 0)
		return;
	ws_fmt_dur(dur, sizeof(dur), t->off_ns);
	fprintf(f, " for %s%s", t->partial ? "at least " : "", dur);
	if (t->syscall >= 0)
		fprintf(f, ", in %s%s", syscall_str(t->syscall, scb, sizeof(scb)),
			ws_syscall_name(t->syscall) ? "()" : "");
	if (t->has_futex)
		fprintf(f, " on 0x%llx (%s%s)", (unsigned long long)t->futex_addr,
			pstr(s, t->futex_op, op, sizeof(op)), futex_val_note(s, t));
	if (ws_top_frames(s, t, 3, frames, sizeof(frames)))
		fprintf(f, ", at %s", printable(frames));
}

/* ": waits for the mutex 0x601040, held by thread 818 (reader) of pid 810 [mutex-owner, process: evidence]" */
static void why_edge_text(FILE *f, const struct ws_graph *g, const struct ws_edge *e,
			  unsigned nholders)
{
	char w[160], h[160], ev[sizeof(e->evidence)];

	ws_edge_waits_phrase(g, e, w, sizeof(w));
	ws_edge_holder_name(g, e, h, sizeof(h));
	snprintf(ev, sizeof(ev), "%s", e->evidence);
	fprintf(f, ": %s, held by %s", printable(w), printable(h));
	if (nholders > 1)
		fprintf(f, " and %u other%s (the first is followed)", nholders - 1,
			nholders == 2 ? "" : "s");
	fprintf(f, " [%s, %s: %s]", ws_edge_type_names[e->type], ws_wait_scope_names[e->scope],
		printable(ev));
}

/* The waits of a thread at the end of its chain that have no holder. */
static void why_holderless_text(FILE *f, const struct ws_graph *g, const struct ws_thread *t)
{
	const struct ws_edge *const *e;
	size_t n = ws_graph_edges(g, t, &e), i;
	char w[160], ev[160];

	for (i = 0; i < n; i++) {
		if (e[i]->holder_tid || e[i]->holder_pid)
			continue;
		snprintf(ev, sizeof(ev), "%s", e[i]->evidence);
		if (ws_edge_is_leaf(e[i])) {
			/* Nothing is held: the evidence says what it does. */
			fprintf(f, ": %s [%s, %s]", printable(ev), ws_edge_type_names[e[i]->type],
				ws_wait_scope_names[e[i]->scope]);
			return;
		}
		ws_edge_waits_phrase(g, e[i], w, sizeof(w));
		fprintf(f, ": %s, no holder known [%s, %s: %s]", printable(w),
			ws_edge_type_names[e[i]->type], ws_wait_scope_names[e[i]->scope],
			printable(ev));
		return;
	}
}

static void why_root_text(FILE *f, const struct ws_graph *g, const struct ws_root *r)
{
	char comm_buf[64], why[sizeof(r->why)], cyc[1024];

	snprintf(comm_buf, sizeof(comm_buf), "%s", r->comm);
	if (r->kind == WS_ROOT_DEADLOCK) {
		ws_cycle_text(g, ws_graph_cycle(g, r->cycle), cyc, sizeof(cyc));
		fprintf(f, "deadlock: %s; none of them can go on\n", printable(cyc));
		return;
	}
	snprintf(why, sizeof(why), "%s", r->why);
	if (r->tid)
		fprintf(f, "root: pid %u tid %u (%s) %s: %s\n", r->pid, r->tid, printable(comm_buf),
			r->state, printable(why));
	else
		fprintf(f, "root: pid %u (%s) %s: %s\n", r->pid, printable(comm_buf), r->state,
			printable(why));
}

/* A hop already shown in an earlier chain (why PID): said once, not walked again. */
static bool hop_shown_before(const struct ws_snapshot *s, const struct ws_hop *h, size_t i,
			     const uint8_t *shown)
{
	return i > 0 && h->t && shown[h->t - s->threads];
}

/* A hop's user stack, read now: only a thread blocked in a syscall has one. */
static bool hop_ustack(struct ws_uwalker *uw, const struct ws_thread *t, struct ws_ustack *st)
{
	return uw && t && t->state > R_RUNQ &&
	       ws_ustack_read(uw, t->tid, t->tid, st) == WS_USTACK_OK && st->n;
}

static void why_user_text(FILE *f, struct ws_uwalker *uw, const struct ws_thread *t)
{
	struct ws_ustack st;
	char text[2048];

	if (!hop_ustack(uw, t, &st))
		return;
	ws_ustack_format(&st, true, text, sizeof(text));
	fprintf(f, "     user: %s\n", text);
}

static void why_chain_text(FILE *f, const struct ws_snapshot *s, const struct ws_graph *g,
			   const struct ws_waits *w, const struct ws_thread *t, uint8_t *shown,
			   struct ws_uwalker *uw)
{
	struct ws_hop *hops;
	struct ws_root r;
	size_t n = ws_graph_chain(g, t, shown, &hops), i;
	char why_not[sizeof(w->why_not)], name[64];

	for (i = 0; i < n; i++) {
		fprintf(f, "  %zu. ", i + 1);
		if (hop_shown_before(s, &hops[i], i, shown)) {
			comm(s, hops[i].t->comm, name, sizeof(name));
			fprintf(f, "thread %u (%s) of pid %u, whose chain is shown above\n",
				hops[i].t->tid, printable(name), hops[i].t->tgid);
			continue;
		}
		if (hops[i].t)
			shown[hops[i].t - s->threads] = 1;
		if (!hops[i].t) {
			fprintf(f, "%s%u, not in the snapshot (it exited, or the module does not track it)\n",
				hops[i].e->holder_tid ? "thread " : "pid ",
				hops[i].e->holder_tid ? hops[i].e->holder_tid : hops[i].e->holder_pid);
			continue;
		}
		why_thread_text(f, s, g, hops[i].t);
		if (hops[i].e)
			why_edge_text(f, g, hops[i].e, hops[i].nholders);
		else if (i + 1 == n)
			why_holderless_text(f, g, hops[i].t);
		fputc('\n', f);
		why_user_text(f, uw, hops[i].t);
	}
	free(hops);
	if (!w || !w->resolved) {
		snprintf(why_not, sizeof(why_not), "%s", w && w->why_not[0] ? w->why_not : "no edges");
		fprintf(f, "root: unknown (the waits-for graph is not resolved: %s)\n",
			printable(why_not));
		return;
	}
	ws_graph_root(g, t, &r);
	why_root_text(f, g, &r);
}

static void json_hop(FILE *f, const struct ws_snapshot *s, const struct ws_graph *g,
		     const struct ws_hop *h, struct ws_uwalker *uw)
{
	const struct ws_thread *t = h->t;
	struct ws_ustack st;
	char name[64];
	unsigned k;

	if (!t) {
		fputs("{\"tid\":", f);
		if (h->e->holder_tid)
			fprintf(f, "%u", h->e->holder_tid);
		else
			fputs("null", f);
		fprintf(f, ",\"pid\":%u,\"comm\":", h->e->holder_pid);
		ws_json_str(f, h->e->holder_comm);
		fputs(",\"state\":\"gone\"}", f);
		return;
	}
	comm(s, t->comm, name, sizeof(name));
	fprintf(f, "{\"tid\":%u,\"pid\":%u,\"comm\":", t->tid, t->tgid);
	ws_json_str(f, name);
	fprintf(f, ",\"state\":\"%s\",\"off_ns\":%llu,\"partial\":%s,\"syscall\":%d",
		ws_graph_stopped(g, t) ? "stopped" : t->state >= 0 ? ws_reason_names[t->state] :
		t->state == ST_RUNNING ? "running" : "unknown",
		(unsigned long long)(t->state >= 0 ? t->off_ns : 0), t->partial ? "true" : "false",
		t->syscall);
	if (t->has_futex)
		fprintf(f, ",\"futex_addr\":\"0x%llx\"", (unsigned long long)t->futex_addr);
	else
		fputs(",\"futex_addr\":null", f);
	fputs(",\"stack\":[", f);
	for (k = 0; k < t->stack_len; k++) {
		fputs(k ? "," : "", f);
		ws_json_str(f, ws_str(s, s->frames[t->stack_first + k]));
	}
	fputs("],\"waits_for\":", f);
	if (h->e)
		json_edge(f, h->e);
	else
		fputs("null", f);
	fprintf(f, ",\"holders\":%u,\"user_stack\":", h->e ? h->nholders : 0);
	json_ustack(f, hop_ustack(uw, t, &st) ? &st : NULL, t->tid);
	fputc('}', f);
}

static void json_graph_cycle(FILE *f, const struct ws_cycle *c)
{
	size_t k;

	fputc('[', f);
	for (k = 0; k < c->n; k++) {
		fprintf(f, "%s{\"tid\":%u,\"pid\":%u,\"holds\":", k ? "," : "", c->hop[k].t->tid,
			c->hop[k].t->tgid);
		ws_json_str(f, c->hop[k].holds ? c->hop[k].holds->object : "");
		fputs(",\"waits_for\":", f);
		ws_json_str(f, c->hop[k].waits ? c->hop[k].waits->object : "");
		fputc('}', f);
	}
	fputc(']', f);
}

/* Which chain of this why showed each cycle first (tid; 0: none yet): each is printed once. */
struct why_state {
	uint8_t *shown;		/* per snapshot thread */
	uint32_t *cycle_tid;	/* per cycle */
	struct ws_uwalker *uw;	/* user stacks, live only; or NULL */
};

static void why_chain_json(FILE *f, const struct ws_snapshot *s, const struct ws_graph *g,
			   const struct ws_waits *w, const struct ws_thread *t, struct why_state *ws)
{
	uint8_t *shown = ws->shown;
	struct ws_hop *hops;
	struct ws_root r;
	size_t n = ws_graph_chain(g, t, shown, &hops), i;
	bool resolved = w && w->resolved;
	uint32_t continues = 0;

	fprintf(f, "{\"tid\":%u,\"pid\":%u,\"hops\":[", t->tid, t->tgid);
	for (i = 0; i < n; i++) {
		if (hop_shown_before(s, &hops[i], i, shown)) {
			continues = hops[i].t->tid;
			break;
		}
		if (hops[i].t)
			shown[hops[i].t - s->threads] = 1;
		fputs(i ? "," : "", f);
		json_hop(f, s, g, &hops[i], ws->uw);
	}
	free(hops);
	fputs("]", f);
	json_id(f, "continues_at", continues);
	ws_graph_root(g, t, &r);
	fputs(",\"root\":", f);
	json_root(f, resolved && r.kind != WS_ROOT_DEADLOCK ? &r : NULL);
	fputs(",\"cycle\":", f);
	if (resolved && r.kind == WS_ROOT_DEADLOCK && !ws->cycle_tid[r.cycle]) {
		json_graph_cycle(f, ws_graph_cycle(g, r.cycle));
		ws->cycle_tid[r.cycle] = t->tid;
	} else {
		fputs("null", f);
	}
	if (resolved && r.kind == WS_ROOT_DEADLOCK && ws->cycle_tid[r.cycle] != t->tid)
		fprintf(f, ",\"same_cycle_as\":%u", ws->cycle_tid[r.cycle]);
	fputc('}', f);
}

void ws_render_why(FILE *f, const struct ws_snapshot *s, const struct ws_graph *g,
		   const struct ws_waits *w, const struct ws_thread *const *threads, size_t n,
		   bool json, struct ws_uwalker *uw)
{
	uint8_t *shown = calloc(s->nthreads + 1, 1);
	struct why_state st = { shown, calloc(ws_graph_ncycles(g) + 1, sizeof(uint32_t)), uw };
	char name[64];
	size_t i;

	if (!shown || !st.cycle_tid) {
		fprintf(stderr, "waitscope: out of memory\n");
		exit(2);
	}
	if (json) {
		fprintf(f, "{\"schema\":\"waitscope.why/1\",\"resolved\":%s,\"why_not\":",
			w && w->resolved ? "true" : "false");
		ws_json_str(f, w && !w->resolved ? w->why_not : "");
		fputs(",\"chains\":[", f);
		for (i = 0; i < n; i++) {
			fputs(i ? "," : "", f);
			why_chain_json(f, s, g, w, threads[i], &st);
		}
		fputs("]}\n", f);
	}
	for (i = 0; !json && i < n; i++) {
		comm(s, threads[i]->comm, name, sizeof(name));
		fprintf(f, "%swhy thread %u (%s) of pid %u waits:\n", i ? "\n" : "", threads[i]->tid,
			printable(name), threads[i]->tgid);
		why_chain_text(f, s, g, w, threads[i], shown, uw);
	}
	free(st.cycle_tid);
	free(shown);
}

/* ---- futex ---- */

static int by_total_desc(const void *a, const void *b)
{
	const struct ws_futex *x = a, *y = b;

	if (x->waiting != y->waiting)
		return x->waiting < y->waiting ? 1 : -1;
	return x->total_ns < y->total_ns ? 1 : x->total_ns > y->total_ns ? -1 : 0;
}

void ws_render_futex(FILE *f, const struct ws_snapshot *s, uint32_t pid, bool json)
{
	struct ws_futex *v = calloc(s->nfutex + 1, sizeof(*v));
	size_t i, n = 0;

	if (!v)
		return;
	for (i = 0; i < s->nfutex; i++)
		if (!pid || s->futex[i].tgid == pid)
			v[n++] = s->futex[i];
	qsort(v, n, sizeof(*v), by_total_desc);
	if (json)
		fputs("{\"schema\":\"waitscope.futex/1\",\"futexes\":[", f);
	else
		fprintf(f, "%7s %-16s %-18s %-11s %7s %9s %9s %9s %9s %9s\n", "PID", "COMM", "ADDRESS",
			"OP", "WAITING", "WAITS", "TOTAL", "MAX", "LONGEST", "LOCKWAITS");
	for (i = 0; i < n; i++) {
		const struct ws_thread *leader = ws_find_thread(s, v[i].tgid);
		char name[64] = "?", tot[32], mx[32], lg[32], op[32], locks[24];

		if (leader)
			comm(s, leader->comm, name, sizeof(name));
		if (json) {
			fprintf(f, "%s{\"pid\":%u,\"comm\":", i ? "," : "", v[i].tgid);
			ws_json_str(f, name);
			fprintf(f, ",\"address\":\"0x%llx\",\"op\":", (unsigned long long)v[i].uaddr);
			ws_json_str(f, ws_str(s, v[i].op));
			fprintf(f, ",\"waiting\":%u,\"count\":%llu,\"total_ns\":%llu,\"max_ns\":%llu,\"longest_now_ns\":%llu",
				v[i].waiting, (unsigned long long)v[i].count,
				(unsigned long long)v[i].total_ns, (unsigned long long)v[i].max_ns,
				(unsigned long long)v[i].longest_now_ns);
			if (v[i].has_lock_n)
				fprintf(f, ",\"lock_n\":%llu", (unsigned long long)v[i].lock_n);
			fputc('}', f);
			continue;
		}
		ws_fmt_dur(tot, sizeof(tot), v[i].total_ns);
		ws_fmt_dur(mx, sizeof(mx), v[i].max_ns);
		ws_fmt_dur(lg, sizeof(lg), v[i].longest_now_ns);
		if (v[i].has_lock_n)
			snprintf(locks, sizeof(locks), "%llu", (unsigned long long)v[i].lock_n);
		fprintf(f, "%7u %-16s 0x%-16llx %-11s %7u %9llu %9s %9s %9s %9s\n", v[i].tgid,
			printable(name), (unsigned long long)v[i].uaddr,
			pstr(s, v[i].op, op, sizeof(op)),
			v[i].waiting, (unsigned long long)v[i].count, tot, mx,
			v[i].waiting ? lg : "-", v[i].has_lock_n ? locks : "-");
	}
	if (json)
		fputs("]}\n", f);
	else if (!n)
		fprintf(f, "(no futex wait recorded)\n");
	free(v);
}

/* ---- Prometheus text exposition ---- */

/* A label value: backslash, quote and newline escaped; other bytes as is. */
static void prom_label(FILE *f, const char *val)
{
	char buf[256];
	const char *v = buf;

	/* Exposition text is UTF-8: invalid bytes become '?'. */
	snprintf(buf, sizeof(buf), "%s", val);
	for (char *p = buf; *p; p++)
		if ((unsigned char)*p < 0x20 && *p != '\n')
			*p = '\x01';
	ws_sanitize(buf);
	fputc('"', f);
	for (; *v; v++) {
		if (*v == '\\' || *v == '"')
			fprintf(f, "\\%c", *v);
		else
			fputc(*v, f);
	}
	fputc('"', f);
}

static void prom_header(FILE *f, const char *name, const char *type, const char *help)
{
	fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

struct proc_agg {
	uint32_t tgid;
	uint64_t counts[NR_REASONS][NR_SLOTS];
	uint64_t n[NR_REASONS], ns[NR_REASONS];
};

static const struct ws_snapshot *sort_snap;

static int by_tgid(const void *a, const void *b)
{
	uint32_t x = sort_snap->threads[*(const uint32_t *)a].tgid;
	uint32_t y = sort_snap->threads[*(const uint32_t *)b].tgid;

	return x < y ? -1 : x > y;
}

static void prom_process_rows(FILE *f, const struct ws_snapshot *s, const struct proc_agg *p,
			      size_t np);
static void prom_process_series(FILE *f, const struct ws_snapshot *s, const struct proc_agg *p,
				size_t np, bool intervals);

static void prom_process_hists(FILE *f, const struct ws_snapshot *s)
{
	struct proc_agg *p = calloc(s->nthreads + 1, sizeof(*p));
	uint32_t *ix = calloc(s->nthreads + 1, sizeof(*ix));
	size_t i, np = 0, j;
	int r;

	if (!p || !ix) {
		free(p);
		free(ix);
		return;
	}
	/* Threads of a process together, without comparing every pair. */
	for (i = 0; i < s->nthreads; i++)
		ix[i] = (uint32_t)i;
	sort_snap = s;
	qsort(ix, s->nthreads, sizeof(*ix), by_tgid);
	for (i = 0; i < s->nthreads; i++) {
		const struct ws_thread *t = &s->threads[ix[i]];
		unsigned b;

		if (!np || p[np - 1].tgid != t->tgid)
			p[np++].tgid = t->tgid;
		j = np - 1;
		for (r = 0; r < NR_REASONS; r++) {
			p[j].n[r] += t->r[r].n;
			p[j].ns[r] += t->r[r].ns;
			for (b = 0; b < t->hist_len[r]; b++) {
				ws_bucket x = s->buckets[t->hist_first[r] + b];

				p[j].counts[r][WS_BUCKET_SLOT(x)] += WS_BUCKET_N(x);
			}
		}
	}
	free(ix);
	prom_process_rows(f, s, p, np);
	free(p);
}

/*
 * Per process, sums over its live threads: they fall when a thread exits,
 * so they are gauges, not a histogram (whose series Prometheus takes for
 * counters and would read a reset).  The interval counts are cumulative
 * up to the label upper (seconds): label_replace() it to le for
 * histogram_quantile().  (promtool refuses an le label on a gauge.)
 */
static void prom_process_rows(FILE *f, const struct ws_snapshot *s, const struct proc_agg *p,
			      size_t np)
{
	prom_header(f, "waitscope_process_live_threads_offcpu_intervals", "gauge",
		    "Ended off-CPU intervals of a process's live threads of at most upper seconds, by reason (falls when a thread exits).");
	prom_process_series(f, s, p, np, true);
	prom_header(f, "waitscope_process_live_threads_offcpu_seconds", "gauge",
		    "Off-CPU time of a process's live threads by reason, ended intervals (falls when a thread exits).");
	prom_process_series(f, s, p, np, false);
}

static void prom_process_series(FILE *f, const struct ws_snapshot *s, const struct proc_agg *p,
				size_t np, bool intervals)
{
	size_t j;
	int r, k;

	for (j = 0; j < np; j++) {
		const struct ws_thread *leader = ws_find_thread(s, p[j].tgid);
		char name[64] = "?";

		if (leader)
			comm(s, leader->comm, name, sizeof(name));
		for (r = 0; r < NR_REASONS; r++) {
			uint64_t cum = 0;

			if (!p[j].n[r] && !p[j].counts[r][0])
				continue;
			if (!intervals) {
				fprintf(f, "waitscope_process_live_threads_offcpu_seconds{pid=\"%u\",comm=",
					p[j].tgid);
				prom_label(f, name);
				fprintf(f, ",reason=\"%s\"} %.9f\n", ws_reason_names[r],
					p[j].ns[r] / 1e9);
				continue;
			}
			for (k = 0; k < NR_SLOTS; k++) {
				cum += p[j].counts[r][k];
				fprintf(f, "waitscope_process_live_threads_offcpu_intervals{pid=\"%u\",comm=",
					p[j].tgid);
				prom_label(f, name);
				if (k < NR_SLOTS - 1)
					fprintf(f, ",reason=\"%s\",upper=\"%.6f\"} %llu\n",
						ws_reason_names[r], ws_slot_low_us(k + 1) / 1e6,
						(unsigned long long)cum);
				else
					fprintf(f, ",reason=\"%s\",upper=\"+Inf\"} %llu\n",
						ws_reason_names[r], (unsigned long long)cum);
			}
		}
	}
}

static void prom_health(FILE *f, const struct ws_stats *st)
{
	prom_header(f, "waitscope_enabled", "gauge", "1 while the module is tracing.");
	fprintf(f, "waitscope_enabled %d\n", st->enabled);
	prom_header(f, "waitscope_threads_tracked", "gauge", "Threads in the module's table.");
	fprintf(f, "waitscope_threads_tracked %llu\n", (unsigned long long)st->used);
	prom_header(f, "waitscope_threads_capacity", "gauge", "Threads the table can hold.");
	fprintf(f, "waitscope_threads_capacity %llu\n", (unsigned long long)st->capacity);
	prom_header(f, "waitscope_threads_dropped", "gauge",
		    "Live threads not tracked because the table was full.");
	fprintf(f, "waitscope_threads_dropped %llu\n", (unsigned long long)st->dropped);
	prom_header(f, "waitscope_threads_dropped_total", "counter",
		    "Threads refused by a full table since tracing began.");
	fprintf(f, "waitscope_threads_dropped_total %llu\n", (unsigned long long)st->dropped_total);
}

/*
 * The machine-wide counters, from the module's totals, which keep what
 * exited threads did: a sum over the threads listed now would fall at
 * every exit and read as a counter reset.  An older module has no totals,
 * and then there are no such counters.
 */
static void prom_totals(FILE *f, const struct ws_stats *st)
{
	int r;

	if (!st->have_totals)
		return;
	prom_header(f, "waitscope_oncpu_seconds_total", "counter",
		    "On-CPU time of traced threads since tracing began, exited threads included.");
	fprintf(f, "waitscope_oncpu_seconds_total %.9f\n", st->total_oncpu_ns / 1e9);
	prom_header(f, "waitscope_offcpu_seconds_total", "counter",
		    "Off-CPU time of traced threads by reason (ended intervals) since tracing began, exited threads included.");
	for (r = 0; r < NR_REASONS; r++)
		fprintf(f, "waitscope_offcpu_seconds_total{reason=\"%s\"} %.9f\n", ws_reason_names[r],
			st->total_ns[r] / 1e9);
	prom_header(f, "waitscope_offcpu_waits_total", "counter",
		    "Ended off-CPU intervals of traced threads by reason since tracing began, exited threads included.");
	for (r = 0; r < NR_REASONS; r++)
		fprintf(f, "waitscope_offcpu_waits_total{reason=\"%s\"} %llu\n", ws_reason_names[r],
			(unsigned long long)st->total_n[r]);
}

/*
 * The flight recorder's events per reason and its exit events, from the
 * stats file's slow_<reason>_n and slow_exit_n: counters (they fall only
 * at a reset); each omitted when the module does not give it.
 */
static void prom_recorder(FILE *f, const struct ws_stats *st)
{
	int r;

	if (st->slow_keys & (WS_SLOW_EXIT - 1)) {
		prom_header(f, "waitscope_slow_events_total", "counter",
			    "Off-CPU waits of at least slow_min_us the flight recorder wrote as events, by reason, since load or reset (overwritten ones included).");
		for (r = 0; r < NR_REASONS; r++)
			if (st->slow_keys & (1u << r))
				fprintf(f, "waitscope_slow_events_total{reason=\"%s\"} %llu\n",
					ws_reason_names[r], (unsigned long long)st->slow_n[r]);
	}
	if (st->slow_keys & WS_SLOW_EXIT) {
		prom_header(f, "waitscope_exit_events_total", "counter",
			    "Thread exits the flight recorder wrote as events, since load or reset (overwritten ones included).");
		fprintf(f, "waitscope_exit_events_total %llu\n", (unsigned long long)st->slow_exit_n);
	}
}

/* What the threads listed now add up to, and are doing: gauges. */
static void prom_live(FILE *f, const struct ws_snapshot *s)
{
	uint64_t tot[NR_REASONS] = { 0 };
	unsigned n[NR_REASONS] = { 0 };
	size_t i;
	int r;

	for (i = 0; i < s->nthreads; i++) {
		for (r = 0; r < NR_REASONS; r++)
			tot[r] += s->threads[i].r[r].ns;
		if (s->threads[i].state >= 0)
			n[s->threads[i].state]++;
	}
	prom_header(f, "waitscope_live_threads_offcpu_seconds", "gauge",
		    "Off-CPU time of the threads tracked now by reason, ended intervals (falls when a thread exits).");
	for (r = 0; r < NR_REASONS; r++)
		fprintf(f, "waitscope_live_threads_offcpu_seconds{reason=\"%s\"} %.9f\n",
			ws_reason_names[r], tot[r] / 1e9);
	prom_header(f, "waitscope_blocked_threads", "gauge",
		    "Threads off CPU right now, by reason (any duration).");
	for (r = 0; r < NR_REASONS; r++)
		fprintf(f, "waitscope_blocked_threads{reason=\"%s\"} %u\n", ws_reason_names[r], n[r]);
}

/*
 * Per thread.  A thread's own times only grow while it lives, but its tid
 * outlives it: the start label (the thread's start time, where the module
 * gives it) makes a reused tid a new series rather than a reset.  Without
 * start_ns a reused tid cannot be told apart, so the series is a gauge.
 */
static void prom_threads(FILE *f, const struct ws_snapshot *s, uint64_t min_thread_ns)
{
	const char *name = s->have_start ? "waitscope_thread_offcpu_seconds_total" :
					   "waitscope_thread_offcpu_seconds";
	size_t i;
	int r;

	prom_header(f, name, s->have_start ? "counter" : "gauge",
		    "Off-CPU time per thread and reason, for threads above the export threshold.");
	for (i = 0; i < s->nthreads; i++) {
		const struct ws_thread *t = &s->threads[i];
		char c[64];

		comm(s, t->comm, c, sizeof(c));
		for (r = 0; r < NR_REASONS; r++) {
			if (t->r[r].ns < min_thread_ns || !t->r[r].ns)
				continue;
			fprintf(f, "%s{tid=\"%u\",pid=\"%u\",", name, t->tid, t->tgid);
			if (s->have_start)
				fprintf(f, "start=\"%llu\",", (unsigned long long)t->start_ns);
			fputs("comm=", f);
			prom_label(f, c);
			fprintf(f, ",reason=\"%s\"} %.9f\n", ws_reason_names[r], t->r[r].ns / 1e9);
		}
	}
}

/*
 * Every counter here only grows between resets of the module, whatever
 * exits: sums over the threads listed now are gauges named for it.
 */
void ws_export_prometheus(FILE *f, const struct ws_snapshot *s, uint64_t min_thread_ns)
{
	prom_health(f, &s->stats);
	prom_totals(f, &s->stats);
	prom_recorder(f, &s->stats);
	prom_live(f, s);
	prom_process_hists(f, s);
	prom_threads(f, s, min_thread_ns);
}

/* ---- JSON export: schema waitscope/1 ---- */

/* Interpolated quantiles, and the bucket the p99 is known to lie in. */
static void json_quantiles(FILE *f, const struct ws_snapshot *s, const struct ws_thread *t, int r)
{
	struct ws_qbounds b;
	uint64_t p50 = ws_hist_quantile_at(s, t, r, 0.5, NULL);
	uint64_t p90 = ws_hist_quantile_at(s, t, r, 0.9, NULL);
	uint64_t p99 = ws_hist_quantile_at(s, t, r, 0.99, &b);

	fprintf(f, ",\"p50_ns\":%llu,\"p90_ns\":%llu,\"p99_ns\":%llu,\"p99_low_ns\":%llu,\"p99_high_ns\":%llu",
		(unsigned long long)p50, (unsigned long long)p90, (unsigned long long)p99,
		(unsigned long long)b.low_ns, (unsigned long long)b.high_ns);
}

/* ,"recorded":{"runq":N,...,"exit":N}: the recorder's counters the stats file gives, if any. */
static void json_recorded(FILE *f, const struct ws_stats *st)
{
	const char *sep = "";
	int r;

	if (!st->slow_keys)
		return;
	fputs(",\"recorded\":{", f);
	for (r = 0; r < NR_REASONS; r++) {
		if (!(st->slow_keys & (1u << r)))
			continue;
		fprintf(f, "%s\"%s\":%llu", sep, ws_reason_names[r], (unsigned long long)st->slow_n[r]);
		sep = ",";
	}
	if (st->slow_keys & WS_SLOW_EXIT)
		fprintf(f, "%s\"exit\":%llu", sep, (unsigned long long)st->slow_exit_n);
	fputc('}', f);
}

void ws_export_json(FILE *f, const struct ws_snapshot *s)
{
	const struct ws_stats *st = &s->stats;
	size_t i;
	unsigned b, c, k;
	int r;

	fprintf(f, "{\"schema\":\"waitscope/1\",\"now_ns\":%llu,\"stats\":{\"version\":",
		(unsigned long long)s->now_ns);
	ws_json_str(f, st->version);
	fprintf(f, ",\"enabled\":%s,\"probes_attached\":%u,\"capacity\":%llu,\"used\":%llu,\"dropped\":%llu,\"dropped_total\":%llu,\"futex_dropped\":%llu,\"runq_cpu\":[",
		st->enabled ? "true" : "false", st->attached, (unsigned long long)st->capacity,
		(unsigned long long)st->used, (unsigned long long)st->dropped,
		(unsigned long long)st->dropped_total, (unsigned long long)st->futex_dropped);
	for (c = 0; c < st->ncpus; c++) {
		fprintf(f, "%s[", c ? "," : "");
		for (k = 0; k < NR_SLOTS; k++)
			fprintf(f, "%s%llu", k ? "," : "", (unsigned long long)st->runq[c][k]);
		fputc(']', f);
	}
	fputc(']', f);
	json_recorded(f, st);
	fputs("},\"threads\":[", f);
	for (i = 0; i < s->nthreads; i++) {
		const struct ws_thread *t = &s->threads[i];
		char name[64];

		comm(s, t->comm, name, sizeof(name));
		fprintf(f, "%s{\"tid\":%u,\"pid\":%u,\"comm\":", i ? "," : "", t->tid, t->tgid);
		ws_json_str(f, name);
		if (s->have_start)
			fprintf(f, ",\"start_ns\":%llu", (unsigned long long)t->start_ns);
		fprintf(f, ",\"state\":\"%s\",\"off_ns\":%llu,\"partial\":%s,\"syscall\":%d,\"oncpu_ns\":%llu,\"nvcsw\":%llu,\"nivcsw\":%llu,\"cgroup\":%llu,\"waker\":%u,\"preemptor\":%u,\"reasons\":{",
			t->state >= 0 ? ws_reason_names[t->state] :
			t->state == ST_RUNNING ? "running" : "unknown",
			(unsigned long long)t->off_ns, t->partial ? "true" : "false", t->syscall,
			(unsigned long long)t->oncpu_ns, (unsigned long long)t->nvcsw,
			(unsigned long long)t->nivcsw, (unsigned long long)t->cgroup, t->waker,
			t->preemptor);
		for (r = 0; r < NR_REASONS; r++) {
			fprintf(f, "%s\"%s\":{\"count\":%llu,\"total_ns\":%llu,\"max_ns\":%llu,\"buckets\":[",
				r ? "," : "", ws_reason_names[r], (unsigned long long)t->r[r].n,
				(unsigned long long)t->r[r].ns, (unsigned long long)t->r[r].max_ns);
			for (b = 0; b < t->hist_len[r]; b++) {
				ws_bucket x = s->buckets[t->hist_first[r] + b];

				fprintf(f, "%s{\"low_us\":%llu,\"count\":%llu}", b ? "," : "",
					(unsigned long long)ws_slot_low_us(WS_BUCKET_SLOT(x)),
					(unsigned long long)WS_BUCKET_N(x));
			}
			fputc(']', f);
			if (t->hist_len[r])
				json_quantiles(f, s, t, r);
			fputc('}', f);
		}
		fputs("}}", f);
	}
	fputs("],\"futex\":", f);
	/* The futex view's own document, nested. */
	ws_render_futex(f, s, 0, true);
	fputs("}\n", f);
}

void ws_render_status(FILE *f, const struct ws_snapshot *s, const char *dir, bool json)
{
	const struct ws_stats *st = &s->stats;
	unsigned i;

	if (json) {
		fprintf(f, "{\"schema\":\"waitscope.status/1\",\"loaded\":true,\"source\":");
		ws_json_str(f, dir);
		fputs(",\"version\":", f);
		ws_json_str(f, st->version);
		fprintf(f, ",\"enabled\":%s,\"probes_attached\":%u,\"probes\":%u,\"capacity\":%llu,\"used\":%llu,\"dropped\":%llu,\"dropped_total\":%llu,\"memory_bytes\":%llu,\"duplicate_rows\":%zu,\"read_busy\":%llu,\"futex_lost\":%llu}\n",
			st->enabled ? "true" : "false", st->attached, st->nprobes,
			(unsigned long long)st->capacity, (unsigned long long)st->used,
			(unsigned long long)st->dropped, (unsigned long long)st->dropped_total,
			(unsigned long long)st->memory_bytes, s->dup_rows,
			(unsigned long long)st->read_busy, (unsigned long long)s->futex_lost);
		return;
	}
	{
		char ver[32];

		snprintf(ver, sizeof(ver), "%s", st->version);
		fprintf(f, "waitscope %s, reading %s\n", ws_sanitize(ver), dir);
	}
	fprintf(f, "  tracing:  %s, %u of %u probes attached\n", st->enabled ? "enabled" : "DISABLED",
		st->attached, st->nprobes);
	fprintf(f, "  threads:  %llu tracked of %llu (%.0f%%), %llu dropped now, %llu since start\n",
		(unsigned long long)st->used, (unsigned long long)st->capacity,
		st->capacity ? 100.0 * st->used / st->capacity : 0.0,
		(unsigned long long)st->dropped, (unsigned long long)st->dropped_total);
	fprintf(f, "  futexes:  %llu of %llu, %llu waits not recorded",
		(unsigned long long)st->futex_used, (unsigned long long)st->futex_capacity,
		(unsigned long long)st->futex_dropped);
	if (s->futex_lost)
		fprintf(f, ", %llu rows lost from the futex file", (unsigned long long)s->futex_lost);
	fputc('\n', f);
	if (st->read_busy)
		fprintf(f, "  reads:    %llu rows skipped (their entry stayed mid-write)\n",
			(unsigned long long)st->read_busy);
	if (st->blocks_unwoken)
		fprintf(f, "  check:    %llu blocks ended with no wakeup seen (the kernel ran a sleeping thread unwoken)\n",
			(unsigned long long)st->blocks_unwoken);
	fprintf(f, "  memory:   %.1f MiB (%llu bytes a thread)\n", st->memory_bytes / 1048576.0,
		(unsigned long long)st->entry_bytes);
	if (s->dup_rows)
		fprintf(f, "  rows:     %zu listed twice for the same thread, ignored\n", s->dup_rows);
	fprintf(f, "  filter:   %s", st->filter_tgid ? "" : "all processes\n");
	if (st->filter_tgid)
		fprintf(f, "pid %llu only\n", (unsigned long long)st->filter_tgid);
	fputs("  events:  ", f);
	for (i = 0; i < st->nevents; i++)
	{
		char ev[32];

		snprintf(ev, sizeof(ev), "%s", st->event_names[i]);
		fprintf(f, " %s=%llu", ws_sanitize(ev), (unsigned long long)st->events[i]);
	}
	fputc('\n', f);
}
