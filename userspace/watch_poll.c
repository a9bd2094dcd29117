// SPDX-License-Identifier: GPL-2.0
/*
 * The polls of waitscope watch and its checks.  Each poll reads the
 * module's files, keeps the threads of the tree (and the threads holding
 * what they wait for, so that a chain names its real root), resolves who
 * holds what (waits.h), and runs the report's own diagnosis on that: its
 * stuck, deadlock and frozen findings are told at once, one line each, and
 * kept with the latest numbers.  It keeps, per thread of the tree, its
 * counters at the first and the last poll it was seen, its run-queue
 * histogram, and the last wait it was seen blocked in (with its stack and
 * whether that wait is idle, judged live); per lock, its lock-wait time at
 * both ends; and it reads the flight recorder's events since the last poll
 * for exits: their totals are exact, and a thread killed inside a wait
 * that is not idle leaked.  At the end: the processes left running, the
 * lock and run-queue budgets, and a summary per process.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "ustack.h"
#include "watch.h"

#define NS_PER_MS 1000000ULL
#define NS_PER_S 1000000000ULL
/* Rounds of adding the holders of the tree's waits (and theirs) to the view. */
#define HOLDER_ROUNDS 3
/* Deadlocks are looked for among waits of this long or more (or --stuck, if shorter). */
#define RESOLVE_MIN_NS NS_PER_S
/* An exit's wait and one seen blocked earlier are the same when they began this close. */
#define SAME_WAIT_NS (100 * NS_PER_MS)
/* Fewer run-queue waits than this give no p99 worth judging. */
#define RUNQ_MIN_WAITS 20

const char *const ws_check_names[WS_NCHECKS] = {
	"stuck", "deadlock", "frozen", "leaked", "contention", "starvation",
};

struct ws_wthread {
	uint32_t tid, tgid;
	uint64_t start_ns;
	char comm[80];
	bool first;		/* seen at the first poll: counts from there */
	bool blocked_first;	/* blocked at the first poll (--baseline) */
	bool exited;		/* its exit event was read: t1 is exact */
	struct ws_exit_totals t0, t1;
	uint64_t runq0[NR_SLOTS], runq1[NR_SLOTS], runq_max_ns;
	/* The last wait it was seen blocked in, at poll blocked_poll. */
	bool seen_blocked, idle;
	unsigned blocked_poll;
	int reason, syscall;
	bool has_futex;
	uint64_t futex_addr;
	char futex_op[24];
	uint64_t begin_ns;	/* module clock */
	uint64_t off_ns;	/* how long, then */
	uint64_t seen_ns;	/* when, since watching began */
	char top[192];		/* its top frames, "a < b < c" */
	char *stack;		/* every frame, one a line */
	struct ws_ustack *ustack;	/* its user stack in that wait, or NULL */
};

struct ws_wlock {
	uint32_t tgid;
	uint64_t addr;
	uint64_t ns0, n0;	/* at the first poll (0: the process came later) */
	uint64_t ns1, n1, max_ns;	/* at the last poll it was seen */
};

uint64_t ws_watch_mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * NS_PER_S + (uint64_t)ts.tv_nsec;
}

void ws_watch_init(struct ws_watch *w, const struct ws_watch_opts *o,
		   const struct ws_source *src, struct ws_tree *tree)
{
	memset(w, 0, sizeof(*w));
	w->o = o;
	w->src = src;
	w->tree = tree;
	w->mono0_ns = ws_watch_mono_ns();
}

static void check_free(struct ws_check *k)
{
	size_t i;

	for (i = 0; i < k->fs.n; i++) {
		free(k->kept[i].json);
		free(k->kept[i].detail);
	}
	free(k->kept);
	free(k->told);
	ws_findings_free(&k->fs);
}

void ws_watch_free(struct ws_watch *w)
{
	size_t i;

	for (i = 0; i < WS_NCHECKS; i++)
		check_free(&w->check[i]);
	for (i = 0; i < w->nth; i++) {
		free(w->th[i].stack);
		free(w->th[i].ustack);
	}
	free(w->th);
	free(w->th_index);
	free(w->locks);
	if (w->have_last)
		ws_snapshot_free(&w->last);
	for (i = 0; i < w->nnotes; i++)
		free(w->notes[i]);
	free(w->notes);
	free(w->procs);
	memset(w, 0, sizeof(*w));
}

void ws_watch_note(struct ws_watch *w, const char *fmt, ...)
{
	char *s;
	va_list ap;

	va_start(ap, fmt);
	s = ws_sanitize(ws_xvasprintf(fmt, ap));
	va_end(ap);
	fprintf(stderr, "waitscope watch: note: %s\n", s);
	w->notes = ws_grow(w->notes, &w->cap_notes, w->nnotes + 1, sizeof(*w->notes));
	w->notes[w->nnotes++] = s;
}

static bool noted(const struct ws_watch *w, const char *s)
{
	size_t i;

	for (i = 0; i < w->nnotes; i++)
		if (!strcmp(w->notes[i], s))
			return true;
	return false;
}

/* ---- the threads seen (tid hash -> record) ---- */

static size_t th_hash(const struct ws_watch *w, uint32_t tid)
{
	return (size_t)(((uint64_t)tid * 0x9e3779b97f4a7c15ULL) >> 32) & w->th_mask;
}

static void th_put(struct ws_watch *w, size_t i)
{
	size_t h = th_hash(w, w->th[i].tid);

	while (w->th_index[h])
		h = (h + 1) & w->th_mask;
	w->th_index[h] = (uint32_t)(i + 1);
}

static struct ws_wthread *th_new(struct ws_watch *w, uint32_t tid, uint32_t tgid, uint64_t start)
{
	struct ws_wthread *r;
	size_t i;

	if (!w->th_index || (w->nth + 1) * 2 > w->th_mask + 1) {
		size_t size = w->th_index ? (w->th_mask + 1) * 2 : 1024;

		free(w->th_index);
		w->th_index = ws_xcalloc(size, sizeof(*w->th_index));
		w->th_mask = size - 1;
		for (i = 0; i < w->nth; i++)
			th_put(w, i);
	}
	w->th = ws_grow(w->th, &w->cap_th, w->nth + 1, sizeof(*w->th));
	r = &w->th[w->nth];
	memset(r, 0, sizeof(*r));
	r->tid = tid;
	r->tgid = tgid;
	r->start_ns = start;
	th_put(w, w->nth++);
	return r;
}

/* Thread (tid, start), or with any start the newest one not known to have exited. */
static struct ws_wthread *th_find(const struct ws_watch *w, uint32_t tid, const uint64_t *start)
{
	struct ws_wthread *best = NULL, *r;
	size_t h;

	if (!w->th_index)
		return NULL;
	for (h = th_hash(w, tid); w->th_index[h]; h = (h + 1) & w->th_mask) {
		r = &w->th[w->th_index[h] - 1];
		if (r->tid != tid)
			continue;
		if (start && r->start_ns == *start)
			return r;
		if (!start && !r->exited && (!best || r->start_ns > best->start_ns))
			best = r;
	}
	return best;
}

static void counters_of(const struct ws_thread *t, struct ws_exit_totals *c)
{
	int r;

	c->nvcsw = t->nvcsw;
	c->nivcsw = t->nivcsw;
	c->oncpu_ns = t->oncpu_ns;
	for (r = 0; r < NR_REASONS; r++) {
		c->n[r] = t->r[r].n;
		c->ns[r] = t->r[r].ns;
	}
}

static uint64_t minus(uint64_t b, uint64_t a)
{
	return b > a ? b - a : 0;
}

/* sum += b - a, field by field: what a thread did between two looks. */
static void totals_add(struct ws_exit_totals *sum, const struct ws_exit_totals *a,
		       const struct ws_exit_totals *b)
{
	int r;

	sum->nvcsw += minus(b->nvcsw, a->nvcsw);
	sum->nivcsw += minus(b->nivcsw, a->nivcsw);
	sum->oncpu_ns += minus(b->oncpu_ns, a->oncpu_ns);
	for (r = 0; r < NR_REASONS; r++) {
		sum->n[r] += minus(b->n[r], a->n[r]);
		sum->ns[r] += minus(b->ns[r], a->ns[r]);
	}
}

/* The frames of t's stack, one a line. */
static char *stack_text(const struct ws_snapshot *s, const struct ws_thread *t)
{
	char *buf = NULL;
	size_t len = 0;
	unsigned i;
	FILE *f = ws_xmemstream(&buf, &len);

	for (i = 0; i < t->stack_len; i++) {
		char frame[300];

		snprintf(frame, sizeof(frame), "%s", ws_str(s, s->frames[t->stack_first + i]));
		fprintf(f, "%s\n", ws_sanitize(frame));
	}
	fclose(f);
	return buf;
}

static bool has_uframe_rule(const struct ws_opts *o)
{
	int i;

	for (i = 0; i < o->nallow; i++)
		if (!strncmp(o->allow[i], "uframe=", 7))
			return true;
	return false;
}

/*
 * Its user stack in a wait that is not idle, read once a wait (a new wait,
 * or one whose stack could not be read before): it is gone with the
 * process by the time a leak is found.  A wait that a uframe= rule makes
 * idle keeps its stack too: the rule must still match at a poll where the
 * wait ended before its /proc read.
 */
static void note_user_stack(struct ws_watch *w, struct ws_wthread *r, const struct ws_thread *t,
			    bool same)
{
	struct ws_ustack st;

	if (!same) {
		free(r->ustack);
		r->ustack = NULL;
	}
	if ((r->idle && !has_uframe_rule(&w->o->diag)) || r->ustack || !w->o->diag.uw ||
	    ws_ustack_read(w->o->diag.uw, t->tid, t->tid, &st) != WS_USTACK_OK || !st.n)
		return;
	r->ustack = ws_xcalloc(1, sizeof(*r->ustack));
	*r->ustack = st;
}

/*
 * For diagnose (ws_opts.known_ustack): the user stack of the wait this
 * poll saw tid in, read at this poll or an earlier one.  A wait that ends
 * between the module's numbers and the read of /proc is still the wait the
 * finding is about; its stack was the same all along.
 */
static bool known_ustack(void *arg, uint32_t tid, struct ws_ustack *st)
{
	const struct ws_watch *w = arg;
	const struct ws_wthread *r = th_find(w, tid, NULL);

	if (!r || !r->ustack || r->blocked_poll != w->polls)
		return false;
	*st = *r->ustack;
	return true;
}

/* The wait t is blocked in, kept for when its process ends (an exit row has no stack). */
static void note_blocked(struct ws_watch *w, struct ws_wthread *r, const struct ws_snapshot *v,
			 const struct ws_thread *t)
{
	uint64_t begin = minus(v->now_ns, t->off_ns);
	bool same = r->seen_blocked && r->reason == t->state && r->syscall == t->syscall &&
		    begin + SAME_WAIT_NS > r->begin_ns && r->begin_ns + SAME_WAIT_NS > begin;

	r->seen_blocked = true;
	r->blocked_poll = w->polls;
	r->reason = t->state;
	r->syscall = t->syscall;
	r->has_futex = t->has_futex;
	r->futex_addr = t->futex_addr;
	snprintf(r->futex_op, sizeof(r->futex_op), "%s", ws_str(v, t->futex_op));
	r->begin_ns = begin;
	r->off_ns = t->off_ns;
	r->seen_ns = minus(ws_watch_mono_ns(), w->mono0_ns);
	r->idle = ws_is_idle_wait(v, t, &w->o->diag);
	note_user_stack(w, r, t, same);
	/* The blocked file lists it only past blocked_min_ms: keep the stack seen before. */
	if (!t->stack_len && same && r->stack)
		return;
	free(r->stack);
	r->stack = t->stack_len ? stack_text(v, t) : NULL;
	if (!ws_top_frames(v, t, 3, r->top, sizeof(r->top)))
		r->top[0] = '\0';
	ws_sanitize(r->top);
}

static void record_threads(struct ws_watch *w, const struct ws_snapshot *v, bool first)
{
	size_t i;

	for (i = 0; i < v->nthreads; i++) {
		const struct ws_thread *t = &v->threads[i];
		struct ws_wthread *r;
		char comm[64];

		if (!ws_tree_member(w->tree, t->tgid, t->cgroup))
			continue;
		ws_unescape_comm(ws_str(v, t->comm), comm, sizeof(comm));
		ws_tree_add(w->tree, t->tgid, t->tid == t->tgid ? comm : NULL);
		r = th_find(w, t->tid, &t->start_ns);
		if (!r) {
			r = th_new(w, t->tid, t->tgid, t->start_ns);
			r->first = first;
			r->blocked_first = first && t->state > R_RUNQ;
			if (first) {
				counters_of(t, &r->t0);
				ws_hist_counts(v, t, R_RUNQ, r->runq0);
			}
		}
		snprintf(r->comm, sizeof(r->comm), "%s", ws_sanitize(comm));
		if (r->exited)
			continue;
		counters_of(t, &r->t1);
		/*
		 * A thread that exits between the module's threads and
		 * histograms reads has its row and no histogram: keep the one
		 * seen before rather than take its waits to be none.
		 */
		if (t->hist_len[R_RUNQ] || !t->r[R_RUNQ].n) {
			ws_hist_counts(v, t, R_RUNQ, r->runq1);
			r->runq_max_ns = t->r[R_RUNQ].max_ns;
		}
		if (t->state > R_RUNQ)
			note_blocked(w, r, v, t);
	}
}

/* ---- locks ---- */

static int lock_cmp(const void *a, const void *b)
{
	const struct ws_wlock *x = a, *y = b;

	if (x->tgid != y->tgid)
		return x->tgid < y->tgid ? -1 : 1;
	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

static void record_locks(struct ws_watch *w, const struct ws_snapshot *v, bool first)
{
	size_t i, added = 0;

	for (i = 0; i < v->nfutex; i++) {
		const struct ws_futex *x = &v->futex[i];
		struct ws_wlock key = { .tgid = x->tgid, .addr = x->uaddr }, *l;
		uint64_t n, ns;

		if (!ws_tree_find(w->tree, x->tgid))
			continue;
		ns = ws_futex_lock_wait_ns(v, x, &n);
		l = w->nlocks - added ? bsearch(&key, w->locks, w->nlocks - added, sizeof(key), lock_cmp) :
					 NULL;
		if (!l) {
			w->locks = ws_grow(w->locks, &w->cap_locks, w->nlocks + 1, sizeof(*w->locks));
			l = &w->locks[w->nlocks++];
			added++;
			*l = key;
			/* A word first seen later had no wait before: it counts from 0. */
			if (first) {
				l->ns0 = ns;
				l->n0 = n;
			}
		}
		l->ns1 = ns;
		l->n1 = n;
		if (n && x->max_ns > l->max_ns)
			l->max_ns = x->max_ns;
	}
	if (added)
		qsort(w->locks, w->nlocks, sizeof(*w->locks), lock_cmp);
}

/* ---- the view of one poll: the tree and its holders ---- */

static int u32_cmp(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/* s cut down to keep[]: its threads, and the futex rows of their processes. */
static void keep_only(struct ws_snapshot *s, const uint8_t *keep)
{
	uint32_t *tgids = ws_xcalloc(s->nthreads + 1, sizeof(*tgids));
	size_t i, n = 0;

	for (i = 0; i < s->nthreads; i++)
		if (keep[i])
			s->threads[n++] = s->threads[i];
	s->nthreads = n;
	ws_snapshot_reindex(s);
	for (i = 0; i < n; i++)
		tgids[i] = s->threads[i].tgid;
	qsort(tgids, n, sizeof(*tgids), u32_cmp);
	for (i = 0, n = 0; i < s->nfutex; i++)
		if (s->nthreads && bsearch(&s->futex[i].tgid, tgids, s->nthreads, sizeof(*tgids), u32_cmp))
			s->futex[n++] = s->futex[i];
	s->nfutex = n;
	free(tgids);
}

/* Mark the holders of w's edges (a process known by its pid: all its threads); true if any was new. */
static bool keep_holders(const struct ws_snapshot *s, const struct ws_waits *w, uint8_t *keep)
{
	bool grew = false;
	size_t i, j;

	for (i = 0; i < w->n; i++) {
		const struct ws_edge *e = &w->e[i];
		const struct ws_thread *h = e->holder_tid ? ws_find_thread(s, e->holder_tid) : NULL;

		if (h && !keep[h - s->threads]) {
			keep[h - s->threads] = 1;
			grew = true;
		}
		for (j = 0; !e->holder_tid && e->holder_pid && j < s->nthreads; j++)
			if (s->threads[j].tgid == e->holder_pid && !keep[j])
				keep[j] = grew = 1;
	}
	return grew;
}

/*
 * The edges of v: resolved from /proc, or, for a saved snapshot that has
 * one, its waits file (as report judges a snapshot); a garbled one stops
 * the polls, as it is an error for report.
 */
static void view_waits(struct ws_watch *w, const struct ws_snapshot *v, uint64_t min,
		       struct ws_waits *waits)
{
	char path[4200], *buf;
	struct ws_err err;
	size_t len;

	ws_waits_init(waits);
	snprintf(path, sizeof(path), "%s/%s", w->src->dir, ws_waits_file);
	if (w->src->live || access(path, F_OK)) {
		ws_resolve_waits(v, w->o->diag.proc_root, min, waits);
		return;
	}
	if (ws_read_file(path, &buf, &len, &err)) {
		snprintf(w->broken, sizeof(w->broken), "%s", err.msg);
		return;
	}
	if (ws_parse_waits(waits, buf, len, &err)) {
		snprintf(w->broken, sizeof(w->broken), "%s", err.msg);
		ws_waits_free(waits);
		ws_waits_init(waits);
	}
	free(buf);
}

static void tree_view(struct ws_watch *w, const struct ws_snapshot *s, struct ws_snapshot *v,
		      struct ws_waits *waits)
{
	uint64_t min = w->o->stuck_ns < RESOLVE_MIN_NS ? w->o->stuck_ns : RESOLVE_MIN_NS;
	uint8_t *keep = ws_xcalloc(s->nthreads + 1, 1);
	size_t i;
	int round;

	for (i = 0; i < s->nthreads; i++)
		keep[i] = ws_tree_member(w->tree, s->threads[i].tgid, s->threads[i].cgroup);
	for (round = 0;; round++) {
		ws_snapshot_copy(v, s);
		keep_only(v, keep);
		view_waits(w, v, min, waits);
		if (round == HOLDER_ROUNDS || !keep_holders(s, waits, keep))
			break;
		ws_waits_free(waits);
		ws_snapshot_free(v);
	}
	free(keep);
}

/* ---- findings kept ---- */

static void grow_kept(struct ws_check *k)
{
	k->kept = ws_grow(k->kept, &k->cap_kept, k->fs.n + 1, sizeof(*k->kept));
}

/* f's JSON object members, with more after them (NULL: none), into a string. */
static char *finding_json(const struct ws_finding *f, void (*more)(FILE *, const void *),
			  const void *arg)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *m = ws_xmemstream(&buf, &len);

	ws_render_finding_json(m, f);
	if (more)
		more(m, arg);
	fclose(m);
	return buf;
}

static bool told(const struct ws_check *k, uint32_t tid)
{
	size_t i;

	for (i = 0; i < k->ntold; i++)
		if (k->told[i] == tid)
			return true;
	return false;
}

/* Remember f's threads as told; true when one of them was not yet. */
static bool tell_new(struct ws_check *k, const struct ws_finding *f)
{
	bool fresh = false;
	int i;

	for (i = 0; i < f->ntids; i++) {
		if (told(k, f->tids[i]))
			continue;
		k->told = ws_grow(k->told, &k->cap_told, k->ntold + 1, sizeof(*k->told));
		k->told[k->ntold++] = f->tids[i];
		fresh = true;
	}
	return fresh;
}

static bool share_a_tid(const struct ws_finding *a, const struct ws_finding *b)
{
	int i, j;

	for (i = 0; i < a->ntids; i++)
		for (j = 0; j < b->ntids; j++)
			if (a->tids[i] == b->tids[j])
				return true;
	return false;
}

/*
 * Keep f in check c: as a finding of its own, or in place of the one about
 * the same threads seen at an earlier poll (the later numbers are larger).
 * true when it is news: a thread not told before.
 */
static bool keep_finding(struct ws_watch *w, enum ws_check_id c, const struct ws_finding *f,
			 char *json, char *detail)
{
	struct ws_check *k = &w->check[c];
	struct ws_findings one = { 0 };
	struct ws_finding old;
	size_t i;

	for (i = 0; i < k->fs.n; i++)
		if (k->fs.f[i].kind == f->kind && share_a_tid(&k->fs.f[i], f))
			break;
	if (i == k->fs.n) {
		grow_kept(k);
		ws_finding_copy(&k->fs, f);
		k->kept[i] = (struct ws_kept){ json, detail };
		return tell_new(k, f) || !f->ntids;
	}
	/* Swapped out into one, freed with it. */
	ws_finding_copy(&one, f);
	old = k->fs.f[i];
	k->fs.f[i] = one.f[0];
	one.f[0] = old;
	ws_findings_free(&one);
	free(k->kept[i].json);
	free(k->kept[i].detail);
	k->kept[i] = (struct ws_kept){ json, detail };
	return tell_new(k, f);
}

static int check_of(enum ws_kind kind)
{
	switch (kind) {
	case K_STUCK: return WC_STUCK;
	case K_DEADLOCK: return WC_DEADLOCK;
	case K_FROZEN: return WC_FROZEN;
	default: return -1;
	}
}

static bool about_tree(const struct ws_watch *w, const struct ws_finding *f)
{
	int i;

	if (ws_tree_find(w->tree, f->pid))
		return true;
	for (i = 0; i < f->npids; i++)
		if (ws_tree_find(w->tree, f->pids[i]))
			return true;
	return false;
}

/* --baseline: every thread of the tree it is about was blocked when watching began. */
static bool only_baseline(const struct ws_watch *w, const struct ws_snapshot *v,
			  const struct ws_finding *f)
{
	int i, n = 0;

	if (!w->o->baseline)
		return false;
	for (i = 0; i < f->ntids; i++) {
		const struct ws_thread *t = ws_find_thread(v, f->tids[i]);
		const struct ws_wthread *r = t ? th_find(w, t->tid, &t->start_ns) : NULL;

		if (!r)
			continue;	/* a holder outside the tree */
		if (!r->blocked_first)
			return false;
		n++;
	}
	return n > 0;
}

/* Module health and why holders are not named: said once each. */
static void take_notes(struct ws_watch *w, const struct ws_findings *fs)
{
	size_t i;

	for (i = 0; i < fs->n; i++)
		if (fs->f[i].kind == K_HEALTH && !noted(w, fs->f[i].what))
			ws_watch_note(w, "%s", fs->f[i].what);
	for (i = 0; i < fs->nnotes; i++)
		if (!strncmp(fs->notes[i], "the waits-for graph", 19) && !noted(w, fs->notes[i]))
			ws_watch_note(w, "%s", fs->notes[i]);
}

/*
 * A stuck finding about threads already told as a deadlock's or a frozen
 * process's says nothing new: as their process is killed, a poll can catch
 * the cycle half gone (a holder already exited) and see only long lock
 * waits.
 */
static bool explained_elsewhere(const struct ws_watch *w, const struct ws_finding *f)
{
	int i;

	if (f->kind != K_STUCK || !f->ntids)
		return false;
	for (i = 0; i < f->ntids; i++)
		if (!told(&w->check[WC_DEADLOCK], f->tids[i]) && !told(&w->check[WC_FROZEN], f->tids[i]))
			return false;
	return true;
}

static void take_findings(struct ws_watch *w, const struct ws_snapshot *v,
			  const struct ws_findings *fs)
{
	size_t i;

	take_notes(w, fs);
	for (i = 0; i < fs->n; i++) {
		const struct ws_finding *f = &fs->f[i];
		int c = check_of(f->kind);

		if (c < 0 || !w->o->on[c] || !about_tree(w, f) || only_baseline(w, v, f) ||
		    explained_elsewhere(w, f))
			continue;
		if (keep_finding(w, (enum ws_check_id)c, f, finding_json(f, NULL, NULL), NULL))
			fprintf(stderr, "waitscope watch: %s: %s.\n", ws_check_names[c], f->what);
	}
}

/* ---- the flight recorder's events ---- */

/* "a futex wait of 4.1s in futex() on 0x7f2a1c000b40 (lock_pi)". */
static void wait_words(char *buf, size_t n, int reason, uint64_t ns, bool partial, int syscall,
		       bool has_futex, uint64_t addr, const char *op)
{
	const char *name = ws_syscall_name(syscall);
	char d[32];
	size_t k;

	ws_fmt_dur(d, sizeof(d), ns);
	snprintf(buf, n, "%s %s wait of %s%s", reason == R_IO || reason == R_UNINT ? "an" : "a",
		 reason >= 0 ? ws_reason_names[reason] : "?", partial ? "at least " : "", d);
	k = strlen(buf);
	if (name)
		snprintf(buf + k, n - k, " in %s()", name);
	else if (syscall >= 0)
		snprintf(buf + k, n - k, " in syscall %d", syscall);
	k = strlen(buf);
	if (has_futex)
		snprintf(buf + k, n - k, " on 0x%llx%s%s%s", (unsigned long long)addr,
			 op && *op && strcmp(op, "-") ? " (" : "", op && strcmp(op, "-") ? op : "",
			 op && *op && strcmp(op, "-") ? ")" : "");
}

struct leak_json {
	const struct ws_event *ev;
	const struct ws_wthread *r;
	bool stack_known;
};

static void json_stack(FILE *f, const char *stack)
{
	const char *p = stack;

	fputc('[', f);
	while (p && *p) {
		const char *nl = strchr(p, '\n');
		char frame[512];

		snprintf(frame, sizeof(frame), "%.*s", (int)(nl ? nl - p : (long)strlen(p)), p);
		fputs(p == stack ? "" : ",", f);
		ws_json_str(f, frame);
		p = nl ? nl + 1 : NULL;
	}
	fputc(']', f);
}

static void json_opt_str(FILE *f, const char *key, const char *v)
{
	fprintf(f, ",\"%s\":", key);
	if (v && *v && strcmp(v, "-"))
		ws_json_str(f, v);
	else
		fputs("null", f);
}

/* The members a leaked finding has beside the report's. */
static void json_wait(FILE *f, uint32_t tid, const char *comm, int reason, int syscall,
		      uint64_t wait_ns, bool partial, bool has_futex, uint64_t addr,
		      const char *op, const char *stack, bool stack_known, uint64_t seen_ns,
		      bool killed)
{
	fprintf(f, ",\"tid\":%u", tid);
	json_opt_str(f, "comm", comm);
	json_opt_str(f, "reason", reason >= 0 ? ws_reason_names[reason] : NULL);
	fprintf(f, ",\"syscall\":%d", syscall);
	json_opt_str(f, "syscall_name", ws_syscall_name(syscall));
	fprintf(f, ",\"wait_ns\":%llu,\"partial\":%s", (unsigned long long)wait_ns,
		partial ? "true" : "false");
	if (has_futex)
		fprintf(f, ",\"futex_addr\":\"0x%llx\"", (unsigned long long)addr);
	else
		fputs(",\"futex_addr\":null", f);
	json_opt_str(f, "futex_op", op);
	fputs(",\"stack\":", f);
	json_stack(f, stack_known ? stack : NULL);
	if (stack_known)
		fprintf(f, ",\"stack_seen_ns\":%llu", (unsigned long long)seen_ns);
	else
		fputs(",\"stack_seen_ns\":null", f);
	fprintf(f, ",\"killed\":%s", killed ? "true" : "false");
}

static void leak_json_more(FILE *f, const void *arg)
{
	const struct leak_json *j = arg;
	const struct ws_event *ev = j->ev;

	json_wait(f, ev->tid, ev->comm, ev->reason, ev->syscall, ev->duration_ns, ev->partial,
		  ev->has_futex, ev->futex_addr,
		  ev->futex_op >= 0 ? ws_futex_op_names[ev->futex_op] : NULL, j->r->stack,
		  j->stack_known, j->r->seen_ns, true);
}

/* "   stack:     frame\n              frame\n", or why there is none. */
static char *stack_detail(const char *stack, const char *why_none)
{
	char *buf = NULL;
	size_t len = 0;
	const char *p = stack;
	FILE *f = ws_xmemstream(&buf, &len);

	if (!p || !*p)
		fprintf(f, "   stack:     %s\n", why_none);
	while (p && *p) {
		const char *nl = strchr(p, '\n');
		int k = (int)(nl ? nl - p : (long)strlen(p));

		fprintf(f, "   %-11s%.*s\n", p == stack ? "stack:" : "", k, p);
		p = nl ? nl + 1 : NULL;
	}
	fclose(f);
	return buf;
}

static const char *proc_comm(const struct ws_watch *w, uint32_t pid)
{
	const struct ws_tree_proc *p = ws_tree_find(w->tree, pid);

	return p && p->comm[0] ? p->comm : "?";
}

/* A thread killed inside a wait that is not idle: its process ended under it. */
static void leaked_killed(struct ws_watch *w, const struct ws_wthread *r, const struct ws_event *ev)
{
	uint64_t begin = minus(ev->time_ns, ev->duration_ns);
	bool same = r->seen_blocked && r->reason == ev->reason && r->syscall == ev->syscall &&
		    (!ev->has_futex || (r->has_futex && r->futex_addr == ev->futex_addr)) &&
		    (ev->partial || (begin + SAME_WAIT_NS > r->begin_ns &&
				     r->begin_ns + SAME_WAIT_NS > begin));
	const char *op = ev->futex_op >= 0 ? ws_futex_op_names[ev->futex_op] : NULL;
	char wait[256], at[64], mn[32], comm[80];
	struct ws_findings fs = { 0 };
	struct leak_json j = { ev, r, same && r->stack };
	struct ws_finding *f;

	if (!w->o->on[WC_LEAKED] || (w->o->baseline && r->blocked_first) ||
	    ev->duration_ns < w->o->leaked_min_ns)
		return;
	/* Judged live when it was seen in this wait: with its stack, value, descriptor. */
	if (same ? r->idle : ws_is_idle_event(ev, &w->o->diag))
		return;
	wait_words(wait, sizeof(wait), ev->reason, ev->duration_ns, ev->partial, ev->syscall,
		   ev->has_futex, ev->futex_addr, op);
	ws_fmt_dur(at, sizeof(at), r->seen_ns);
	ws_fmt_dur(mn, sizeof(mn), w->o->leaked_min_ns);
	snprintf(comm, sizeof(comm), "%s", ev->comm);
	f = ws_finding_add(&fs, K_LEAKED, ev->tgid, ev->duration_ns);
	f->nthreads = 1;
	f->ntids = 1;
	f->tids = ws_xcalloc(1, sizeof(*f->tids));
	f->tids[0] = ev->tid;
	ws_finding_printf(&f->what, "thread %u (%s) of pid %u (%s) was still blocked when its process ended: killed in %s",
			  ev->tid, ws_sanitize(comm), ev->tgid, proc_comm(w, ev->tgid), wait);
	if (j.stack_known)
		ws_finding_printf(&f->what, "%s%s; stack as last seen at +%s", r->top[0] ? ", at " : "",
				  r->top, at);
	else
		ws_finding_printf(&f->what, "; stack unavailable (%s)",
				  r->seen_blocked ? "not seen blocked in this wait" : "never seen blocked");
	if (same && r->ustack) {
		f->ustack = ws_xcalloc(1, sizeof(*f->ustack));
		*f->ustack = *r->ustack;
		f->ustack_tid = ev->tid;
	}
	ws_finding_printf(&f->threshold, "blocked in a wait that is not idle when its process exited or was killed, for at least %s (--leaked-min)",
			  mn);
	ws_finding_printf(&f->cause, "the process ended while this thread still waited: a shutdown that did not stop or join it, or a wait nothing would end");
	ws_finding_printf(&f->next, "what ends this wait (the stack below); join or stop the thread before the process exits; waitscope slow --exits -p %u",
			  ev->tgid);
	keep_finding(w, WC_LEAKED, f, finding_json(f, leak_json_more, &j),
		     stack_detail(j.stack_known ? r->stack : NULL,
				  r->seen_blocked ? "unavailable (not seen blocked in this wait)" :
						    "unavailable (never seen blocked)"));
	ws_findings_free(&fs);
}

static void take_exit(struct ws_watch *w, const struct ws_event *ev)
{
	struct ws_wthread *r;

	ws_tree_add(w->tree, ev->tgid, ev->tid == ev->tgid ? ev->comm : NULL);
	r = th_find(w, ev->tid, NULL);
	if (!r) {
		/* Never seen at a poll: it lived between two. */
		r = th_new(w, ev->tid, ev->tgid, 0);
		snprintf(r->comm, sizeof(r->comm), "%s", ev->comm);
		ws_sanitize(r->comm);
	}
	r->exited = true;
	r->t1 = ev->totals;
	if (ev->killed)
		leaked_killed(w, r, ev);
}

static void read_events(struct ws_watch *w, bool first)
{
	struct ws_events e;
	struct ws_err err;
	size_t i;

	ws_events_init(&e);
	if (ws_events_load(w->src->dir, w->after, &e, &err)) {
		if (!w->events_noted)
			ws_watch_note(w, "%s: exits count as last polled, and leaked finds only the processes left running",
				      err.msg);
		w->events_noted = true;
		return;
	}
	if (first && !e.h.exit_events)
		ws_watch_note(w, "the module records no exit events (exit_events=0): exits count as last polled, and leaked finds only the processes left running");
	if (e.h.last < w->after) {
		ws_watch_note(w, "the recorder's sequence began again (the module was reloaded?): reading from its start");
		w->after = 0;
		ws_events_free(&e);
		return;
	}
	if (!first && e.h.missed) {
		w->missed += e.h.missed;
		ws_watch_note(w, "missed %llu events of the flight recorder (overwritten before they were read): exits among them count as last polled",
			      (unsigned long long)e.h.missed);
	}
	for (i = 0; !first && i < e.n; i++)
		if (e.ev[i].kind == WS_EV_EXIT &&
		    ws_tree_member(w->tree, e.ev[i].tgid, e.ev[i].cgroup))
			take_exit(w, &e.ev[i]);
	w->after = e.h.last;
	ws_events_free(&e);
}

/* ---- one poll ---- */

int ws_watch_poll(struct ws_watch *w)
{
	struct ws_findings fs = { 0 };
	struct ws_snapshot s, v;
	struct ws_waits waits;
	struct ws_opts diag;
	struct ws_err err;
	bool first = !w->polls;

	if (w->broken[0])
		return -1;
	ws_snapshot_init(&s);
	if (ws_snapshot_load(&s, w->src->dir, &err)) {
		snprintf(w->broken, sizeof(w->broken), "%s", err.msg);
		ws_snapshot_free(&s);
		return -1;
	}
	if (first)
		w->clock0_ns = s.now_ns;
	ws_tree_scan(w->tree);
	tree_view(w, &s, &v, &waits);
	ws_snapshot_free(&s);
	if (w->broken[0]) {
		ws_waits_free(&waits);
		ws_snapshot_free(&v);
		return -1;
	}
	record_threads(w, &v, first);
	record_locks(w, &v, first);
	diag = w->o->diag;
	diag.waits = &waits;
	diag.known_ustack = known_ustack;
	diag.known_arg = w;
	ws_diagnose(&v, &diag, &fs);
	take_findings(w, &v, &fs);
	ws_findings_free(&fs);
	ws_waits_free(&waits);
	if (w->have_last)
		ws_snapshot_free(&w->last);
	w->last = v;
	w->have_last = true;
	read_events(w, first);
	w->polls++;
	return 0;
}

/* ---- the end: processes left running ---- */

static int by_off_desc(const void *a, const void *b)
{
	const struct ws_thread *x = *(const struct ws_thread *const *)a;
	const struct ws_thread *y = *(const struct ws_thread *const *)b;
	uint64_t ox = x->state > R_RUNQ ? x->off_ns : 0, oy = y->state > R_RUNQ ? y->off_ns : 0;

	if (ox != oy)
		return ox < oy ? 1 : -1;
	return x->tid < y->tid ? -1 : x->tid > y->tid;
}

/* The threads of process pid at the last poll, the longest blocked first (free *out). */
static size_t last_threads(const struct ws_watch *w, uint32_t pid, const struct ws_thread ***out)
{
	const struct ws_snapshot *s = &w->last;
	size_t i, n = 0;

	*out = ws_xcalloc(s->nthreads + 1, sizeof(**out));
	for (i = 0; w->have_last && i < s->nthreads; i++)
		if (s->threads[i].tgid == pid)
			(*out)[n++] = &s->threads[i];
	qsort(*out, n, sizeof(**out), by_off_desc);
	return n;
}

static const char *state_name(int state)
{
	return state >= 0 ? ws_reason_names[state] : state == ST_RUNNING ? "running" : "unknown";
}

/* What t was doing at the last poll: "running", "a sleep wait of 2.0s in clock_nanosleep()". */
static void thread_doing(const struct ws_snapshot *s, const struct ws_thread *t, char *buf,
			 size_t n)
{
	char top[192];
	size_t k;

	if (t->state <= R_RUNQ) {
		snprintf(buf, n, t->state == R_RUNQ ? "waiting for a CPU" : "%s", state_name(t->state));
		return;
	}
	wait_words(buf, n, t->state, t->off_ns, t->partial, t->syscall, t->has_futex, t->futex_addr,
		   ws_str(s, t->futex_op));
	k = strlen(buf);
	if (ws_top_frames(s, t, 3, top, sizeof(top)))
		snprintf(buf + k, n - k, ", at %s", top);
}

struct left_json {
	const struct ws_watch *w;
	const struct ws_thread *const *t;
	size_t n;
};

static void left_json_more(FILE *f, const void *arg)
{
	const struct left_json *j = arg;
	const struct ws_snapshot *s = &j->w->last;
	uint64_t seen = minus(ws_watch_mono_ns(), j->w->mono0_ns);
	size_t i;

	for (i = 0; i <= j->n; i++) {
		const struct ws_thread *t = i < j->n ? j->t[i] : NULL;
		bool blocked = t && t->state > R_RUNQ;
		char comm[64], *stack = t ? stack_text(s, t) : NULL;

		if (t)
			ws_unescape_comm(ws_str(s, t->comm), comm, sizeof(comm));
		if (i == 0 && t)
			json_wait(f, t->tid, comm, blocked ? t->state : -1, t->syscall,
				  blocked ? t->off_ns : 0, t->partial, t->has_futex, t->futex_addr,
				  ws_str(s, t->futex_op), stack, true, seen, false);
		else if (i == 0)
			fputs(",\"tid\":null,\"comm\":null,\"reason\":null,\"syscall\":-1,\"syscall_name\":null,\"wait_ns\":0,\"partial\":false,\"futex_addr\":null,\"futex_op\":null,\"stack\":[],\"stack_seen_ns\":null,\"killed\":false",
			      f);
		fputs(i == 0 ? ",\"process_threads\":[" : "", f);
		if (t) {
			fprintf(f, "%s{\"tid\":%u,\"comm\":", i ? "," : "", t->tid);
			ws_json_str(f, comm);
			fprintf(f, ",\"state\":\"%s\",\"wait_ns\":%llu,\"syscall\":%d", state_name(t->state),
				(unsigned long long)(blocked ? t->off_ns : 0), t->syscall);
			json_opt_str(f, "syscall_name", ws_syscall_name(t->syscall));
			fputs(",\"stack\":", f);
			json_stack(f, stack);
			fputc('}', f);
		}
		free(stack);
	}
	fputc(']', f);
}

/* Each thread with what it was doing, its stack under it. */
static char *left_detail(const struct ws_snapshot *s, const struct ws_thread *const *t, size_t n)
{
	char *buf = NULL, doing[512], comm[64];
	size_t len = 0, i;
	unsigned k;
	FILE *f = ws_xmemstream(&buf, &len);

	for (i = 0; i < n; i++) {
		ws_unescape_comm(ws_str(s, t[i]->comm), comm, sizeof(comm));
		thread_doing(s, t[i], doing, sizeof(doing));
		fprintf(f, "   thread %u (%s): %s\n", t[i]->tid, ws_sanitize(comm), doing);
		for (k = 0; k < t[i]->stack_len; k++) {
			char frame[300];

			snprintf(frame, sizeof(frame), "%s", ws_str(s, s->frames[t[i]->stack_first + k]));
			fprintf(f, "      %s\n", ws_sanitize(frame));
		}
	}
	fclose(f);
	return buf;
}

static void leaked_left(struct ws_watch *w, const struct ws_tree_proc *p)
{
	const struct ws_thread **t;
	size_t n = last_threads(w, p->pid, &t), i;
	struct ws_findings fs = { 0 };
	struct left_json j = { w, t, n };
	struct ws_finding *f;
	uint64_t impact = 0;
	char grace[32], doing[512], comm[64];

	for (i = 0; i < n; i++)
		impact += t[i]->state > R_RUNQ ? t[i]->off_ns : 0;
	ws_fmt_dur(grace, sizeof(grace), w->o->grace_ns);
	f = ws_finding_add(&fs, K_LEAKED, p->pid, impact ? impact : w->o->grace_ns);
	f->nthreads = (int)n;
	f->ntids = (int)n;
	f->tids = ws_xcalloc(n + 1, sizeof(*f->tids));
	for (i = 0; i < n; i++)
		f->tids[i] = t[i]->tid;
	qsort(f->tids, n, sizeof(*f->tids), u32_cmp);
	ws_finding_printf(&f->what, "pid %u (%s) was still running %s after the main process, pid %u (%s), ended",
			  p->pid, p->comm, grace, w->main_pid, proc_comm(w, w->main_pid));
	if (n) {
		ws_unescape_comm(ws_str(&w->last, t[0]->comm), comm, sizeof(comm));
		thread_doing(&w->last, t[0], doing, sizeof(doing));
		ws_finding_printf(&f->what, ": %zu thread%s; thread %u (%s): %s", n, n == 1 ? "" : "s",
				  t[0]->tid, comm, doing);
	} else {
		ws_finding_printf(&f->what, "; the module lists none of its threads");
	}
	ws_finding_printf(&f->threshold, "a process of the tree alive %s (--grace) after the main process ended",
			  grace);
	ws_finding_printf(&f->cause, "a background or daemonized child that outlived the command: nothing stopped it or waited for it");
	ws_finding_printf(&f->next, "ps -o pid,ppid,stat,args -p %u; waitscope why %u; stop it before the command exits (--kill-leftovers ends it)",
			  p->pid, p->pid);
	keep_finding(w, WC_LEAKED, f, finding_json(f, left_json_more, &j),
		     n ? left_detail(&w->last, t, n) : NULL);
	ws_findings_free(&fs);
	free(t);
}

/* ---- the end: budgets over the run ---- */

/* The address in an edge's object ("futex 0x7f2a1c000b40"); 0 when it has none. */
static uint64_t object_addr(const char *object)
{
	const char *x = strstr(object, "0x");

	return x ? strtoull(x + 2, NULL, 16) : 0;
}

/*
 * A lock that a deadlock told during the run waits for: its waits are that
 * deadlock's, not a budget question (how long they total depends only on
 * when the process was killed).
 */
static bool lock_of_deadlock(const struct ws_watch *w, const struct ws_wlock *l)
{
	const struct ws_findings *fs = &w->check[WC_DEADLOCK].fs;
	size_t i, k;

	for (i = 0; i < fs->n; i++)
		for (k = 0; k < fs->f[i].ncycle; k++)
			if (fs->f[i].cycle[k].pid == l->tgid &&
			    object_addr(fs->f[i].cycle[k].waits_for) == l->addr)
				return true;
	return false;
}

static void contention_budget(struct ws_watch *w)
{
	char total[32], max[32], longest[32];
	size_t i;

	ws_fmt_dur(max, sizeof(max), w->o->max_lock_ns);
	for (i = 0; i < w->nlocks; i++) {
		const struct ws_wlock *l = &w->locks[i];
		uint64_t ns = minus(l->ns1, l->ns0), n = minus(l->n1, l->n0);
		struct ws_findings fs = { 0 };
		struct ws_finding *f;

		if (ns <= w->o->max_lock_ns || lock_of_deadlock(w, l))
			continue;
		ws_fmt_dur(total, sizeof(total), ns);
		ws_fmt_dur(longest, sizeof(longest), l->max_ns);
		f = ws_finding_add(&fs, K_CONTENTION, l->tgid, ns);
		ws_finding_printf(&f->what, "lock contention in pid %u (%s) on futex 0x%llx: %llu lock wait%s during the run totalling %s, the longest %s",
				  l->tgid, proc_comm(w, l->tgid), (unsigned long long)l->addr,
				  (unsigned long long)n, n == 1 ? "" : "s", total, longest);
		ws_finding_printf(&f->threshold, "one lock's lock waits over the run totalling more than %s (--max-lock-wait)",
				  max);
		ws_finding_printf(&f->cause, "threads of pid %u queue on this lock: it is held long, or taken very often",
				  l->tgid);
		ws_finding_printf(&f->next, "waitscope futex -p %u; find the code that takes it (perf lock contention -p %u, or gdb -p %u) and hold it shorter or split it",
				  l->tgid, l->tgid, l->tgid);
		keep_finding(w, WC_CONTENTION, f, finding_json(f, NULL, NULL), NULL);
		ws_findings_free(&fs);
	}
}

static void starvation_budget(struct ws_watch *w)
{
	char p99s[40], max[32], total[32];
	size_t i;
	int k;

	ws_fmt_dur(max, sizeof(max), w->o->max_runq_p99_ns);
	for (i = 0; i < w->nth; i++) {
		const struct ws_wthread *r = &w->th[i];
		uint64_t counts[NR_SLOTS], n = 0, p99;
		struct ws_findings fs = { 0 };
		struct ws_finding *f;

		for (k = 0; k < NR_SLOTS; k++)
			n += counts[k] = minus(r->runq1[k], r->runq0[k]);
		if (n < RUNQ_MIN_WAITS)
			continue;
		p99 = ws_log2_quantile_ns(counts, r->runq_max_ns, 0.99, NULL);
		if (p99 <= w->o->max_runq_p99_ns)
			continue;
		ws_fmt_approx(p99s, sizeof(p99s), p99);
		ws_fmt_dur(total, sizeof(total), minus(r->t1.ns[R_RUNQ], r->t0.ns[R_RUNQ]));
		f = ws_finding_add(&fs, K_STARVING, r->tgid, minus(r->t1.ns[R_RUNQ], r->t0.ns[R_RUNQ]));
		f->nthreads = 1;
		f->ntids = 1;
		f->tids = ws_xcalloc(1, sizeof(*f->tids));
		f->tids[0] = r->tid;
		ws_finding_printf(&f->what, "thread %u (%s) of pid %u waited for a CPU with a run-queue p99 of %s over %llu waits during the run, %s in all%s",
				  r->tid, r->comm, r->tgid, p99s, (unsigned long long)n, total,
				  r->exited ? " (its histogram as last polled before it exited)" : "");
		ws_finding_printf(&f->threshold, "run-queue wait p99 over the run above %s (--max-runq-p99), for threads with %d waits or more",
				  max, RUNQ_MIN_WAITS);
		ws_finding_printf(&f->cause, "more runnable threads than CPUs for it: other threads, CPU pinning or a CPU quota keep it waiting");
		ws_finding_printf(&f->next, "waitscope top --sort runq -p %u; taskset -pc %u; the cgroup's cpu.max and cpu.stat",
				  r->tgid, r->tid);
		keep_finding(w, WC_STARVATION, f, finding_json(f, NULL, NULL), NULL);
		ws_findings_free(&fs);
	}
}

/* ---- the end: per process ---- */

static void summarize_processes(struct ws_watch *w)
{
	const struct ws_tree *t = w->tree;
	size_t i;

	w->procs = ws_xcalloc(t->np + 1, sizeof(*w->procs));
	w->nprocs = t->np;
	for (i = 0; i < t->np; i++) {
		struct ws_wproc *p = &w->procs[i];

		p->pid = t->p[i].pid;
		p->live = t->p[i].live;
		p->status = t->p[i].status;
		p->main = p->pid == w->main_pid;
		snprintf(p->comm, sizeof(p->comm), "%s", t->p[i].comm);
	}
	for (i = 0; i < w->nth; i++) {
		const struct ws_wthread *r = &w->th[i];
		struct ws_wproc key = { .pid = r->tgid }, *p;

		/* w->procs is in the tree's order: by pid. */
		p = bsearch(&key, w->procs, w->nprocs, sizeof(key), u32_cmp);
		if (!p)
			continue;
		p->nthreads++;
		totals_add(&p->sum, &r->t0, &r->t1);
		if (!p->comm[0] && r->tid == r->tgid)
			snprintf(p->comm, sizeof(p->comm), "%s", r->comm);
	}
}

void ws_watch_finish(struct ws_watch *w, bool main_ended)
{
	size_t i;

	for (i = 0; main_ended && w->o->on[WC_LEAKED] && i < w->tree->np; i++)
		if (w->tree->p[i].live)
			leaked_left(w, &w->tree->p[i]);
	if (w->o->on[WC_CONTENTION])
		contention_budget(w);
	if (w->o->on[WC_STARVATION])
		starvation_budget(w);
	summarize_processes(w);
}

/* ---- checks ---- */

/* "30s", "500ms": the largest unit it is a whole number of, else as ws_fmt_dur. */
static void fmt_compact(char *buf, size_t n, uint64_t ns)
{
	static const struct { const char *unit; uint64_t ns; } units[] = {
		{ "h", 3600 * NS_PER_S }, { "m", 60 * NS_PER_S }, { "s", NS_PER_S },
		{ "ms", NS_PER_MS }, { "us", 1000 }, { "ns", 1 },
	};
	size_t i;

	if (!ns) {
		snprintf(buf, n, "0s");
		return;
	}
	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		if (ns % units[i].ns == 0 && ns / units[i].ns < 10000) {
			snprintf(buf, n, "%llu%s", (unsigned long long)(ns / units[i].ns), units[i].unit);
			return;
		}
	ws_fmt_dur(buf, n, ns);
}

void ws_watch_fmt_threshold(char *buf, size_t n, const struct ws_watch_opts *o,
			    enum ws_check_id c)
{
	char a[32], b[32];

	switch (c) {
	case WC_STUCK: case WC_FROZEN: fmt_compact(buf, n, o->stuck_ns); break;
	case WC_LEAKED:
		fmt_compact(a, sizeof(a), o->leaked_min_ns);
		fmt_compact(b, sizeof(b), o->grace_ns);
		snprintf(buf, n, "min wait %s, grace %s", a, b);
		break;
	case WC_CONTENTION: fmt_compact(buf, n, o->max_lock_ns); break;
	case WC_STARVATION: fmt_compact(buf, n, o->max_runq_p99_ns); break;
	default: buf[0] = '\0';
	}
}

unsigned ws_watch_failed(const struct ws_watch *w)
{
	unsigned n = 0;
	int c;

	for (c = 0; c < WS_NCHECKS; c++)
		n += w->o->on[c] && w->check[c].fs.n > 0;
	return n;
}
