// SPDX-License-Identifier: GPL-2.0
/*
 * The recorder's events behind a finding.  The histograms say a worker
 * starves; its events say when its slow waits happened and which thread
 * had the CPU (a run-queue wait's preemptor) or ended the wait (a block's
 * waker) most of the time.
 */
#include <stdlib.h>
#include <string.h>
#include "evidence.h"

/* The reasons of the waits a finding is about; 0: events say nothing of it. */
static unsigned finding_reasons(enum ws_kind k)
{
	if (k == K_STARVING)
		return 1u << R_RUNQ;
	if (k == K_HIDDEN)
		return 1u << R_IO | 1u << R_UNINT;
	return 0;
}

/*
 * One of the finding's threads: its tid, and the process the snapshot has
 * that tid in (an event of an earlier thread with a reused tid is not).
 */
static bool of_finding(const struct ws_snapshot *s, const struct ws_finding *f,
		       const struct ws_event *ev)
{
	const struct ws_thread *t;

	if (!f->ntids || !bsearch(&ev->tid, f->tids, (size_t)f->ntids, sizeof(*f->tids), ws_u32_cmp))
		return false;
	t = ws_find_thread(s, ev->tid);
	return !t || t->tgid == ev->tgid;
}

/* A waker that is an interrupt, not a thread: tid 0, "[irq]". */
static bool from_irq(const struct ws_event *ev)
{
	return ev->reason != R_RUNQ && !ev->other_tid && !strcmp(ev->other_comm, "[irq]");
}

/* The module knows no preemptor or waker for it: tid 0, "-". */
static bool cause_unknown(const struct ws_event *ev)
{
	return !ev->other_tid && !ev->other_comm[0];
}

/* An event's cause, for counting: interrupts apart from any thread. */
struct cause {
	bool irq;
	uint32_t tid;
	size_t ev;		/* the newest event that names it (its comm then) */
};

static int cause_cmp(const void *a, const void *b)
{
	const struct cause *x = a, *y = b;

	if (x->irq != y->irq)
		return x->irq ? 1 : -1;
	if (x->tid != y->tid)
		return x->tid < y->tid ? -1 : 1;
	return x->ev < y->ev ? -1 : x->ev > y->ev;
}

/* The cause most of c[0..n) name (ties: the lowest tid, a thread before interrupts) into fe. */
static void most_named(const struct ws_snapshot *s, const struct ws_events *e, struct cause *c,
		       size_t n, struct ws_finding_events *fe)
{
	size_t i, run, best = 0, best_n = 0;

	qsort(c, n, sizeof(*c), cause_cmp);
	for (i = 0; i < n; i += run) {
		for (run = 1; i + run < n && c[i + run].irq == c[i].irq && c[i + run].tid == c[i].tid;)
			run++;
		if (run > best_n) {
			best = i + run - 1;	/* the newest of the run */
			best_n = run;
		}
	}
	if (!best_n)
		return;
	fe->cause_known = true;
	fe->cause_irq = c[best].irq;
	fe->cause_tid = c[best].tid;
	fe->cause_count = best_n;
	snprintf(fe->cause_comm, sizeof(fe->cause_comm), "%s", e->ev[c[best].ev].other_comm);
	if (!fe->cause_irq) {
		const struct ws_thread *t = ws_find_thread(s, fe->cause_tid);

		fe->cause_pid = t ? t->tgid : 0;
	}
}

/* The events sel[0..nsel) of e that are f's, summed up as f's events. */
static void finding_events(const struct ws_snapshot *s, const struct ws_events *e,
			   const size_t *sel, size_t nsel, struct ws_finding *f,
			   struct cause *c)
{
	struct ws_finding_events *fe = ws_xcalloc(1, sizeof(*fe));
	size_t i, nc = 0;

	fe->reasons = finding_reasons(f->kind);
	fe->by_preemptor = f->kind == K_STARVING;
	fe->min_ns = e->h.slow_min_us * 1000;
	fe->overwritten = e->h.overwritten > e->h.missed ? e->h.overwritten : e->h.missed;
	for (i = 0; i < nsel; i++) {
		const struct ws_event *ev = &e->ev[sel[i]];

		if (!(fe->reasons & (1u << ev->reason)) || !of_finding(s, f, ev))
			continue;
		if (!fe->count++)
			fe->first_ns = ws_events_wall_ns(&e->h, ev->time_ns);
		fe->last_ns = ws_events_wall_ns(&e->h, ev->time_ns);
		fe->seen |= 1u << ev->reason;
		if (!cause_unknown(ev))
			c[nc++] = (struct cause){ from_irq(ev), ev->other_tid, sel[i] };
	}
	most_named(s, e, c, nc, fe);
	f->events = fe;
}

void ws_evidence_attach(struct ws_findings *fs, const struct ws_snapshot *s,
			const struct ws_events *e, uint64_t since_ns)
{
	size_t *sel, nsel = 0, i;
	struct cause *c;

	if (!e->h.slow_min_us)
		return;
	/* The wait events of the window, once, for every finding to look through. */
	sel = ws_xcalloc(e->n + 1, sizeof(*sel));
	c = ws_xcalloc(e->n + 1, sizeof(*c));
	for (i = 0; i < e->n; i++)
		if (e->ev[i].kind == WS_EV_WAIT && e->ev[i].reason >= 0 &&
		    e->ev[i].time_ns >= since_ns)
			sel[nsel++] = i;
	for (i = 0; i < fs->n; i++)
		if (finding_reasons(fs->f[i].kind))
			finding_events(s, e, sel, nsel, &fs->f[i], c);
	free(c);
	free(sel);
}
