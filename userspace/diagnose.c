// SPDX-License-Identifier: GPL-2.0
/*
 * The diagnosis: from one snapshot (or the difference of two), findings an
 * operator can act on, each one sentence with its evidence, the threshold
 * it crossed, the likely cause and what to look at next.
 */
#include <ctype.h>
#include <fnmatch.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include "diagnose.h"
#include "ustack.h"
#include "events.h"

#define NS_PER_S 1000000000ULL
#define NS_PER_MS 1000000ULL

void ws_opts_default(struct ws_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->stuck_ns = 10 * NS_PER_S;
	o->runq_p99_ns = 10 * NS_PER_MS;
	o->starve_ratio = 3.0;
	o->runq_share = 0.5;
	o->blocked_share = 0.2;
	/*
	 * Lock contention is judged by what the lock costs its waiters per
	 * second of wall time, not by a share of their off-CPU time (which
	 * run-queue waits swamp on a saturated machine).  The planted locker
	 * (4 threads on one glibc mutex held ~1 ms) costs its waiters about
	 * 0.1-0.3 s per second with 50-250 waits per second; a contended
	 * production mutex, tens of thousands of waits per second.  5% of one
	 * thread's time and 20 waits a second find both with a margin of 2x
	 * or more, while a lock taken now and then, or one long wait on an
	 * event word, stays quiet.  100 ms in total keeps a process seen for
	 * a moment from being judged on a handful of waits.
	 */
	o->contention_ns = 100 * NS_PER_MS;
	o->contention_rate = 0.05;
	o->contention_waits = 20;
	o->cgroup_root = "/sys/fs/cgroup";
}

const char *ws_kind_name(enum ws_kind k)
{
	static const char *const names[] = { "stuck", "lock-contention", "hidden-blocking",
					     "starving", "cpu-pressure", "module-health",
					     "deadlock", "frozen", "leaked" };

	return names[k];
}

static struct ws_finding *add(struct ws_findings *fs, enum ws_kind kind, uint32_t pid,
			      uint64_t impact)
{
	struct ws_finding *f;

	fs->f = ws_grow(fs->f, &fs->cap, fs->n + 1, sizeof(*fs->f));
	f = &fs->f[fs->n++];
	memset(f, 0, sizeof(*f));
	f->kind = kind;
	f->pid = pid;
	f->impact_ns = impact;
	return f;
}

/* A finding's text, allocated to size (a report may hold thousands). */
void ws_finding_printf(char **field, const char *fmt, ...)
{
	char *old = *field, *add_txt;
	va_list ap;

	va_start(ap, fmt);
	add_txt = ws_xvasprintf(fmt, ap);
	va_end(ap);
	/* Text made from thread names: nothing a terminal would act on. */
	ws_sanitize(add_txt);
	if (!old) {
		*field = add_txt;
		return;
	}
	/* Appending to what is there. */
	*field = ws_xasprintf("%s%s", old, add_txt);
	free(old);
	free(add_txt);
}

#define SETF(field, ...) ws_finding_printf(&f->field, __VA_ARGS__)

struct ws_finding *ws_finding_add(struct ws_findings *fs, enum ws_kind kind, uint32_t pid,
				  uint64_t impact_ns)
{
	return add(fs, kind, pid, impact_ns);
}

/* A line of information beside the findings: shown, never counted. */
static void add_note(struct ws_findings *fs, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void add_note(struct ws_findings *fs, const char *fmt, ...)
{
	va_list ap;

	fs->notes = ws_grow(fs->notes, &fs->cap_notes, fs->nnotes + 1, sizeof(*fs->notes));
	va_start(ap, fmt);
	fs->notes[fs->nnotes] = ws_xvasprintf(fmt, ap);
	va_end(ap);
	ws_sanitize(fs->notes[fs->nnotes++]);
}

void ws_findings_free(struct ws_findings *fs)
{
	size_t i;

	for (i = 0; i < fs->n; i++) {
		free(fs->f[i].what);
		free(fs->f[i].threshold);
		free(fs->f[i].cause);
		free(fs->f[i].next);
		free(fs->f[i].pids);
		free(fs->f[i].tids);
		free(fs->f[i].waits_for);
		if (fs->f[i].root)
			free(fs->f[i].root->why);
		free(fs->f[i].root);
		free(fs->f[i].cycle);
		free(fs->f[i].events);
		free(fs->f[i].ustack);
	}
	free(fs->f);
	for (i = 0; i < fs->nnotes; i++)
		free(fs->notes[i]);
	free(fs->notes);
	memset(fs, 0, sizeof(*fs));
}

static char *dup_text(const char *s)
{
	char *d = s ? strdup(s) : NULL;

	if (s && !d) {
		fprintf(stderr, "waitscope: out of memory\n");
		exit(2);
	}
	return d;
}

static void *dup_items(const void *p, size_t n, size_t size)
{
	return n ? memcpy(ws_xcalloc(n, size), p, n * size) : NULL;
}

void ws_finding_copy(struct ws_findings *dst, const struct ws_finding *src)
{
	struct ws_finding *f = add(dst, src->kind, src->pid, src->impact_ns);

	*f = *src;
	f->what = dup_text(src->what);
	f->threshold = dup_text(src->threshold);
	f->cause = dup_text(src->cause);
	f->next = dup_text(src->next);
	f->pids = dup_items(src->pids, (size_t)src->npids, sizeof(*src->pids));
	f->tids = dup_items(src->tids, (size_t)src->ntids, sizeof(*src->tids));
	/* The edges live in the caller's ws_waits, freed with its snapshot. */
	f->waits_for = NULL;
	f->nwaits_for = 0;
	if (src->root) {
		f->root = dup_items(src->root, 1, sizeof(*src->root));
		f->root->why = dup_text(src->root->why);
	}
	f->cycle = dup_items(src->cycle, src->ncycle, sizeof(*src->cycle));
	f->events = dup_items(src->events, src->events ? 1 : 0, sizeof(*src->events));
	f->ustack = dup_items(src->ustack, src->ustack ? 1 : 0, sizeof(*src->ustack));
}

#define WHERE_TRIES 4		/* threads of a finding whose stacks are tried */

/* tid's user stack in the wait the snapshot shows: read now, or kept from earlier in it. */
static bool user_stack_of(const struct ws_opts *o, uint32_t tid, struct ws_ustack *st)
{
	/* /proc/TID is the thread's own view of its process: no pid needed. */
	if (ws_ustack_read(o->uw, tid, tid, st) == WS_USTACK_OK && st->n)
		return true;
	return o->known_ustack && o->known_ustack(o->known_arg, tid, st) && st->n;
}

void ws_finding_where(struct ws_finding *f, const struct ws_opts *o)
{
	struct ws_ustack st;
	int i;

	for (i = 0; o->uw && !f->ustack && i < f->ntids && i < WHERE_TRIES; i++) {
		if (!user_stack_of(o, f->tids[i], &st))
			continue;
		f->ustack = dup_items(&st, 1, sizeof(st));
		f->ustack_tid = f->tids[i];
	}
}

static uint64_t off_total(const struct ws_thread *t)
{
	uint64_t n = 0;
	int r;

	for (r = 0; r < NR_REASONS; r++)
		n += t->r[r].ns;
	return n;
}

/* The time a thread was observed: on CPU plus every recorded interval. */
static uint64_t wall(const struct ws_thread *t)
{
	return t->oncpu_ns + off_total(t);
}

/* The same with the interval it is in now: how long it has been watched. */
static uint64_t span(const struct ws_thread *t)
{
	return wall(t) + (t->state >= 0 ? t->off_ns : 0);
}


/* "worker-12" -> "worker-N": the pool a thread belongs to. */
void ws_pool_name(const char *comm, char *out, size_t n)
{
	size_t o = 0;
	bool digits = false;

	for (; *comm && o + 2 < n; comm++) {
		if (isdigit((unsigned char)*comm)) {
			if (!digits)
				out[o++] = 'N';
			digits = true;
		} else {
			out[o++] = *comm;
			digits = false;
		}
	}
	out[o] = '\0';
}

/*
 * What the rules need about a thread's pool and process, computed once by
 * sorting (a report on 100,000 threads must not compare every pair).
 */
struct proc_agg {
	uint32_t tgid;
	int futex_waiters;	/* threads that have waited on a futex */
	uint64_t span_ns;	/* the longest any of its threads was watched */
};

/* A thread in a futex wait now, by (tgid, word, tid): a word's waiters. */
struct futex_waiter {
	uint32_t tgid, tid, ti;
	uint64_t addr;
};

struct ctx {
	uint32_t *order;	/* thread indexes sorted by process, then pool */
	double *median;		/* per thread: its siblings' median runq share */
	int *pool_n;		/* per thread: threads in its pool, itself included */
	struct proc_agg *procs;	/* sorted by tgid */
	size_t nprocs;
	struct futex_waiter *fw;	/* sorted */
	size_t nfw;
	struct ws_graph *g;		/* the waits-for graph, NULL when not resolved */
	struct ws_frozen *frozen;	/* frozen processes, by pid */
	size_t nfrozen;
};

struct pool_key {
	uint32_t tgid;
	uint32_t idx;
	double share;
	bool numbered;		/* digits were dropped from the comm */
	char pool[32];
};

static int pool_key_cmp(const void *a, const void *b)
{
	const struct pool_key *x = a, *y = b;
	int c;

	if (x->tgid != y->tgid)
		return x->tgid < y->tgid ? -1 : 1;
	c = strcmp(x->pool, y->pool);
	if (c)
		return c;
	return x->share < y->share ? -1 : x->share > y->share;
}

static double runq_share(const struct ws_thread *t);

static int pool_key_cmp_group(const struct pool_key *x, const struct pool_key *y)
{
	return x->tgid != y->tgid || strcmp(x->pool, y->pool);
}

static int proc_cmp(const void *a, const void *b)
{
	const struct proc_agg *x = a, *y = b;

	return x->tgid < y->tgid ? -1 : x->tgid > y->tgid;
}

static struct proc_agg *proc_of(const struct ctx *cx, uint32_t tgid)
{
	struct proc_agg key = { .tgid = tgid };

	return bsearch(&key, cx->procs, cx->nprocs, sizeof(key), proc_cmp);
}


/* The q-th share of a sorted pool with the member at position self left out. */
static double share_without(const struct pool_key *k, size_t self, size_t q)
{
	return k[q < self ? q : q + 1].share;
}

/*
 * The median runq share of a pool's other members (m members sorted by
 * share, the one judged at position self): a thread is never its own
 * yardstick, or in a pool of two the starving one would be the median.
 */
static double sibling_median(const struct pool_key *k, size_t m, size_t self)
{
	size_t n = m - 1;

	if (!n)
		return 0;
	return (share_without(k, self, (n - 1) / 2) + share_without(k, self, n / 2)) / 2;
}

static void ctx_pools(const struct ws_snapshot *s, struct ctx *cx)
{
	struct pool_key *k = ws_xcalloc(s->nthreads, sizeof(*k));
	size_t i, j, a;
	char comm[64];

	for (i = 0; i < s->nthreads; i++) {
		k[i].tgid = s->threads[i].tgid;
		k[i].idx = (uint32_t)i;
		k[i].share = runq_share(&s->threads[i]);
		ws_unescape_comm(ws_str(s, s->threads[i].comm), comm, sizeof(comm));
		ws_pool_name(comm, k[i].pool, sizeof(k[i].pool));
		k[i].numbered = strpbrk(comm, "0123456789") != NULL;
	}
	qsort(k, s->nthreads, sizeof(*k), pool_key_cmp);
	for (i = 0; i < s->nthreads; i++)
		cx->order[i] = k[i].idx;
	for (a = 0; a < s->nthreads; a = j) {
		for (j = a + 1; j < s->nthreads && !pool_key_cmp_group(&k[a], &k[j]); j++)
			;
		for (i = a; i < j; i++) {
			/* Only pools of numbered names: a lone name is not a pool. */
			cx->pool_n[k[i].idx] = k[a].numbered ? (int)(j - a) : 1;
			cx->median[k[i].idx] = sibling_median(&k[a], j - a, i - a);
		}
	}
	free(k);
}

/* The processes of the snapshot, sorted by tgid, in an array of just their number. */
static struct proc_agg *distinct_procs(const struct ws_snapshot *s, size_t *np)
{
	uint32_t *tgid = ws_xcalloc(s->nthreads, sizeof(*tgid));
	struct proc_agg *p;
	size_t i, n = 0;

	for (i = 0; i < s->nthreads; i++)
		tgid[i] = s->threads[i].tgid;
	qsort(tgid, s->nthreads, sizeof(*tgid), ws_u32_cmp);
	for (i = 0; i < s->nthreads; i++)
		if (!n || tgid[n - 1] != tgid[i])
			tgid[n++] = tgid[i];
	p = ws_xcalloc(n, sizeof(*p));
	for (i = 0; i < n; i++)
		p[i].tgid = tgid[i];
	free(tgid);
	*np = n;
	return p;
}

static void ctx_procs(const struct ws_snapshot *s, struct ctx *cx)
{
	size_t i;

	cx->procs = distinct_procs(s, &cx->nprocs);
	for (i = 0; i < s->nthreads; i++) {
		const struct ws_thread *t = &s->threads[i];
		struct proc_agg *a = proc_of(cx, t->tgid);

		if (t->r[R_FUTEX].n)
			a->futex_waiters++;
		if (span(t) > a->span_ns)
			a->span_ns = span(t);
	}
}

static int futex_waiter_cmp(const void *a, const void *b)
{
	const struct futex_waiter *x = a, *y = b;

	if (x->tgid != y->tgid)
		return x->tgid < y->tgid ? -1 : 1;
	if (x->addr != y->addr)
		return x->addr < y->addr ? -1 : 1;
	return x->tid < y->tid ? -1 : x->tid > y->tid;
}

static bool in_futex_wait(const struct ws_thread *t)
{
	return t->state == R_FUTEX && t->has_futex;
}

static void ctx_futex_waiters(const struct ws_snapshot *s, struct ctx *cx)
{
	size_t i, n = 0;

	for (i = 0; i < s->nthreads; i++)
		n += in_futex_wait(&s->threads[i]);
	cx->fw = ws_xcalloc(n, sizeof(*cx->fw));
	for (i = 0; i < s->nthreads; i++) {
		const struct ws_thread *t = &s->threads[i];

		if (in_futex_wait(t))
			cx->fw[cx->nfw++] = (struct futex_waiter){ t->tgid, t->tid, (uint32_t)i,
								   t->futex_addr };
	}
	qsort(cx->fw, cx->nfw, sizeof(*cx->fw), futex_waiter_cmp);
}

/* The waits-for graph, when the edges were resolved, and the processes it finds frozen. */
static void ctx_graph(const struct ws_snapshot *s, const struct ws_opts *o, struct ctx *cx)
{
	if (!o->waits || !o->waits->resolved)
		return;
	cx->g = ws_graph_build(s, o->waits, o->proc_root);
	cx->frozen = ws_graph_frozen(cx->g, o->stuck_ns, &cx->nfrozen);
}

static void ctx_init(const struct ws_snapshot *s, const struct ws_opts *o, struct ctx *cx)
{
	cx->order = ws_xcalloc(s->nthreads, sizeof(*cx->order));
	cx->median = ws_xcalloc(s->nthreads, sizeof(*cx->median));
	cx->pool_n = ws_xcalloc(s->nthreads, sizeof(*cx->pool_n));
	ctx_pools(s, cx);
	ctx_procs(s, cx);
	ctx_futex_waiters(s, cx);
	ctx_graph(s, o, cx);
}

static void ctx_free(struct ctx *cx)
{
	free(cx->order);
	free(cx->median);
	free(cx->pool_n);
	free(cx->procs);
	free(cx->fw);
	ws_frozen_free(cx->frozen, cx->nfrozen);
	ws_graph_free(cx->g);
}

/* The scheduler's own frames, which say nothing about where a thread waits. */
static bool sched_frame(const char *f)
{
	static const char *const sched[] = {
		"__schedule", "schedule", "preempt_schedule", "io_schedule", "__switch_to",
		"rt_mutex_schedule", "__traceiter", "__bpf_trace",
	};
	unsigned k;

	for (k = 0; k < sizeof(sched) / sizeof(sched[0]); k++)
		if (!strncmp(f, sched[k], strlen(sched[k])))
			return true;
	return false;
}

/*
 * The first frame that says where, past the scheduler's own, in the
 * snapshot's pool: its name ("pipe_read") is the first *len bytes.
 */
static const char *top_frame_name(const struct ws_snapshot *s, const struct ws_thread *t,
				  size_t *len)
{
	unsigned i;

	for (i = 0; i < t->stack_len; i++) {
		const char *f = ws_str(s, s->frames[t->stack_first + i]);

		if (sched_frame(f))
			continue;
		*len = strcspn(f, "+");
		return f;
	}
	*len = 0;
	return NULL;
}

/* The names of the first max frames past the scheduler's: "pipe_read < vfs_read". */
const char *ws_top_frames(const struct ws_snapshot *s, const struct ws_thread *t, unsigned max,
			  char *buf, size_t n)
{
	unsigned i, shown = 0;
	size_t o = 0;

	buf[0] = '\0';
	for (i = 0; i < t->stack_len && shown < max && o + 1 < n; i++) {
		const char *f = ws_str(s, s->frames[t->stack_first + i]);

		if (sched_frame(f))
			continue;
		o += (size_t)snprintf(buf + o, n - o, "%s%.*s", shown++ ? " < " : "",
				      (int)strcspn(f, "+"), f);
	}
	return shown ? buf : NULL;
}

/* The same, copied into buf (truncated to fit). */
const char *ws_top_frame(const struct ws_snapshot *s, const struct ws_thread *t, char *buf,
			 size_t n)
{
	size_t len;
	const char *f = top_frame_name(s, t, &len);

	if (!f)
		return NULL;
	snprintf(buf, n, "%.*s", (int)len, f);
	return buf;
}

static bool frame_in_stack(const struct ws_snapshot *s, const struct ws_thread *t,
			   const char *const *names, size_t nn)
{
	unsigned i;
	size_t k;

	for (i = 0; i < t->stack_len; i++) {
		const char *f = ws_str(s, s->frames[t->stack_first + i]);

		for (k = 0; k < nn; k++)
			if (!strncmp(f, names[k], strlen(names[k])) && f[strlen(names[k])] == '+')
				return true;
	}
	return false;
}

/* uframe=GLOB: a frame of the thread's user stack in this wait (a live thread only). */
static bool user_frame_allowed(const struct ws_thread *t, const struct ws_opts *o,
			       const char *glob)
{
	struct ws_ustack st;

	return o->uw && user_stack_of(o, t->tid, &st) && ws_ustack_match(&st, glob);
}

static bool allowed(const struct ws_snapshot *s, const struct ws_thread *t,
		    const struct ws_opts *o)
{
	char comm[64], val[64];
	const char *sc;
	int i;

	ws_unescape_comm(ws_str(s, t->comm), comm, sizeof(comm));
	for (i = 0; i < o->nallow; i++) {
		const char *eq = strchr(o->allow[i], '='), *key = o->allow[i];

		if (!eq)
			continue;
		if (!strncmp(key, "comm=", 5)) {
			snprintf(val, sizeof(val), "%s", comm);
		} else if (!strncmp(key, "syscall=", 8)) {
			sc = ws_syscall_name(t->syscall);
			snprintf(val, sizeof(val), "%s", sc ? sc : "?");
		} else if (!strncmp(key, "reason=", 7)) {
			snprintf(val, sizeof(val), "%s",
				 t->state >= 0 ? ws_reason_names[t->state] : "-");
		} else if (!strncmp(key, "futex_op=", 9)) {
			snprintf(val, sizeof(val), "%s", ws_str(s, t->futex_op));
		} else if (!strncmp(key, "futex_val=", 10)) {
			if (!t->has_futex_val)
				continue;
			snprintf(val, sizeof(val), "%u", t->futex_val);
		} else if (!strncmp(key, "frame=", 6)) {
			if (!ws_top_frame(s, t, val, sizeof(val)))
				continue;
		} else if (!strncmp(key, "uframe=", 7)) {
			if (user_frame_allowed(t, o, eq + 1))
				return true;
			continue;
		} else {
			continue;
		}
		if (!fnmatch(eq + 1, val, 0))
			return true;
	}
	return false;
}

/* ---- what a wait is: its futex kind, its descriptor ---- */

#define NR_FUTEX 202		/* x86_64, as the syscall column */
#define NR_READ 0
#define NR_PREAD64 17
#define NR_READV 19

/* How a futex is waited on, with its expected value when one is known. */
enum futex_kind {
	FK_UNKNOWN,	/* FUTEX_WAIT with no expected value known: lock or not */
	FK_LOCK,	/* expected value 2 (glibc's "locked, with waiters"), LOCK_PI */
	FK_EVENT,	/* FUTEX_WAIT with another value: a runtime park, an event */
	FK_CONDVAR,	/* WAIT_BITSET/REQUEUE_PI not on value 2: condvar, semaphore, join */
	FK_GONE,	/* the thread ended or moved on while we looked */
};

static bool op_is(const struct ws_snapshot *s, uint32_t op, const char *name)
{
	return !strcmp(ws_str(s, op), name);
}

/* The expected value from /proc/PID/task/TID/syscall: true if read. */
static bool live_futex_val(const struct ws_thread *t, const struct ws_opts *o, uint32_t *val,
			   bool *gone)
{
	uint64_t args[6];
	long nr;
	enum ws_proc_rc rc;

	*gone = false;
	if (!o->proc_root || t->syscall != NR_FUTEX)
		return false;
	rc = ws_proc_syscall(o->proc_root, t->tgid, t->tid, &nr, args);
	if (rc == WS_PROC_GONE || (rc == WS_PROC_OK && (nr != NR_FUTEX || args[0] != t->futex_addr))) {
		*gone = true;	/* ended, or woke and went on to something else */
		return false;
	}
	if (rc != WS_PROC_OK)
		return false;
	*val = (uint32_t)args[2];
	return true;
}

static enum futex_kind futex_kind(const struct ws_snapshot *s, const struct ws_thread *t,
				  const struct ws_opts *o, uint32_t *val)
{
	bool bitset = op_is(s, t->futex_op, "wait_bitset"), gone;

	if (op_is(s, t->futex_op, "lock_pi") || op_is(s, t->futex_op, "lock_pi2"))
		return FK_LOCK;
	if (op_is(s, t->futex_op, "wait_requeue_pi"))
		return FK_CONDVAR;
	if (!bitset && !op_is(s, t->futex_op, "wait"))
		return FK_UNKNOWN;	/* futex_waitv, futex_wait(2), "-" */
	if (t->has_futex_val)
		*val = t->futex_val;
	else if (!live_futex_val(t, o, val, &gone))
		return gone ? FK_GONE : bitset ? FK_CONDVAR : FK_UNKNOWN;
	if (*val == 2)
		return FK_LOCK;
	return bitset ? FK_CONDVAR : FK_EVENT;
}

/* What a read()'s descriptor is, for a thread with no kernel stack to say. */
static enum ws_fd_kind read_fd_kind(const struct ws_thread *t, const struct ws_opts *o,
				    char *link, size_t n)
{
	uint64_t args[6];
	long nr;
	enum ws_proc_rc rc;

	link[0] = '\0';
	if (!o->proc_root)
		return WS_FD_UNKNOWN;
	rc = ws_proc_syscall(o->proc_root, t->tgid, t->tid, &nr, args);
	if (rc == WS_PROC_GONE || (rc == WS_PROC_OK && nr != t->syscall))
		return WS_FD_GONE;
	if (rc != WS_PROC_OK)
		return WS_FD_UNKNOWN;
	return ws_proc_fd_kind(o->proc_root, t->tgid, args[0], link, n);
}

static bool is_fd_read(int nr)
{
	return nr == NR_READ || nr == NR_PREAD64 || nr == NR_READV;
}

enum verdict { V_PROBLEM, V_IDLE, V_GONE };

/* A wait of a sleeping thread: an idle syscall, an idle frame, an idle fd. */
static enum verdict sleep_verdict(const struct ws_snapshot *s, const struct ws_thread *t,
				  const struct ws_opts *o)
{
	static const int idle_syscalls[] = { 7, 23, 34, 35, 43, 45, 47, 61, 128, 130, 206, 208,
					     230, 232, 247, 270, 271, 281, 288, 299, 426, 441 };
	static const char *const idle_frames[] = {
		"n_tty_read", "sk_wait_data", "inet_csk_accept", "unix_stream_read_generic",
		"unix_dgram_recvmsg", "tcp_recvmsg", "__skb_wait_for_more_packets",
	};
	char link[128];
	size_t i;

	for (i = 0; i < sizeof(idle_syscalls) / sizeof(idle_syscalls[0]); i++)
		if (t->syscall == idle_syscalls[i])
			return V_IDLE;
	if (t->stack_len)
		return frame_in_stack(s, t, idle_frames,
				      sizeof(idle_frames) / sizeof(idle_frames[0])) ? V_IDLE : V_PROBLEM;
	/* No stack (6.1: stack=unavailable): the descriptor's kind says it. */
	if (!is_fd_read(t->syscall))
		return V_PROBLEM;
	switch (read_fd_kind(t, o, link, sizeof(link))) {
	case WS_FD_SOCKET: case WS_FD_TTY: case WS_FD_EVENT: return V_IDLE;
	case WS_FD_GONE: return V_GONE;
	default: return V_PROBLEM;
	}
}

/*
 * A wait that is how idle threads wait, not a problem however long it
 * lasts: event loops, sleeps, child and signal waits, a server's accept or
 * receive, a terminal or socket read, kernel threads with nothing to do,
 * and futex waits that are not lock waits: condition-variable style
 * (FUTEX_WAIT_BITSET: pthread_cond_wait, sem_wait), which is how an idle
 * pool parks, and FUTEX_WAIT on a value other than 2, which is how the Go
 * runtime parks an idle thread.  Lock waits (value 2, LOCK_PI), futex
 * waits of unknown kind and pipe reads are not idle.  A thread that ends
 * while we look is not a problem either (V_GONE).
 */
static enum verdict wait_verdict(const struct ws_snapshot *s, const struct ws_thread *t,
				 const struct ws_opts *o)
{
	uint32_t val;

	if (allowed(s, t, o))
		return V_IDLE;
	if (t->state == R_SLEEP && t->kthread)
		return V_IDLE;
	if (t->state == R_FUTEX) {
		switch (futex_kind(s, t, o, &val)) {
		case FK_CONDVAR: case FK_EVENT: return V_IDLE;
		case FK_GONE: return V_GONE;
		default: return V_PROBLEM;
		}
	}
	if (t->state != R_SLEEP)
		return V_PROBLEM;
	return sleep_verdict(s, t, o);
}

bool ws_is_idle_wait(const struct ws_snapshot *s, const struct ws_thread *t,
		     const struct ws_opts *o)
{
	return wait_verdict(s, t, o) != V_PROBLEM;
}

bool ws_is_idle_event(const struct ws_event *ev, const struct ws_opts *o)
{
	struct ws_opts gone = *o;
	struct ws_thread t = { 0 };
	struct ws_snapshot s;
	char comm[4 * sizeof(ev->comm)];
	const char *op = ev->futex_op >= 0 ? ws_futex_op_names[ev->futex_op] : "-";
	bool idle;

	if (ev->reason < 0)
		return true;	/* it was in no wait */
	/* The thread is gone: /proc has nothing of it to tell. */
	gone.proc_root = NULL;
	ws_snapshot_init(&s);
	ws_escape_comm(ev->comm, comm, sizeof(comm));
	t.tid = ev->tid;
	t.tgid = ev->tgid;
	t.comm = ws_intern(&s, comm, strlen(comm));
	t.state = ev->reason;
	t.syscall = ev->syscall;
	t.has_futex = ev->has_futex;
	t.futex_addr = ev->futex_addr;
	t.futex_op = ws_intern(&s, op, strlen(op));
	t.blocked = true;
	idle = ws_is_idle_wait(&s, &t, &gone);
	ws_snapshot_free(&s);
	return idle;
}

static const char *comm_of(const struct ws_snapshot *s, uint32_t tgid, char *buf, size_t n)
{
	const struct ws_thread *t = ws_find_thread(s, tgid);

	ws_unescape_comm(t ? ws_str(s, t->comm) : "?", buf, n);
	return buf;
}

/* ---- the waits-for graph: a finding's threads, edges and root ---- */

static void tids_append(struct ws_finding *f, const uint32_t *tids, size_t n)
{
	uint32_t *t;

	if (!n)
		return;
	t = realloc(f->tids, ((size_t)f->ntids + n) * sizeof(*t));
	if (!t) {
		fprintf(stderr, "waitscope: out of memory\n");
		exit(2);
	}
	memcpy(t + f->ntids, tids, n * sizeof(*t));
	f->tids = t;
	f->ntids += (int)n;
}

static void tid_append(struct ws_finding *f, uint32_t tid)
{
	tids_append(f, &tid, 1);
}

/* A finding's tids sorted, each once. */
static void tids_settle(struct ws_finding *f)
{
	int i, n = 0;

	if (f->ntids < 2)
		return;
	qsort(f->tids, (size_t)f->ntids, sizeof(*f->tids), ws_u32_cmp);
	for (i = 0; i < f->ntids; i++)
		if (!n || f->tids[n - 1] != f->tids[i])
			f->tids[n++] = f->tids[i];
	f->ntids = n;
}

/* The edges of a finding's threads, for its waits_for. */
static void finding_waits(const struct ws_snapshot *s, const struct ctx *cx, struct ws_finding *f)
{
	const struct ws_edge *const *e;
	size_t i, k, n = 0, m;

	if (!cx->g)
		return;
	for (i = 0; i < (size_t)f->ntids; i++)
		n += ws_graph_edges(cx->g, ws_find_thread(s, f->tids[i]), &e);
	if (!n)
		return;
	f->waits_for = ws_xcalloc(n, sizeof(*f->waits_for));
	for (i = 0; i < (size_t)f->ntids; i++) {
		m = ws_graph_edges(cx->g, ws_find_thread(s, f->tids[i]), &e);
		for (k = 0; k < m; k++)
			f->waits_for[f->nwaits_for++] = e[k];
	}
}

static struct ws_finding_root *root_copy(const struct ws_root *r)
{
	struct ws_finding_root *c = ws_xcalloc(1, sizeof(*c));

	c->kind = r->kind;
	c->pid = r->pid;
	c->tid = r->tid;
	c->other_roots = r->other_roots;
	snprintf(c->state, sizeof(c->state), "%s", r->state);
	snprintf(c->comm, sizeof(c->comm), "%s", r->comm);
	c->why = strdup(r->why);
	if (!c->why) {
		fprintf(stderr, "waitscope: out of memory\n");
		exit(2);
	}
	return c;
}

/* "pid 812 (feeder)" for a process or its leader, else "thread 818 (reader) of pid 810". */
static void root_name(const struct ws_root *r, char *buf, size_t n)
{
	if (!r->tid || r->tid == r->pid)
		snprintf(buf, n, "pid %u (%s)", r->pid, r->comm[0] ? r->comm : "?");
	else
		snprintf(buf, n, "thread %u (%s) of pid %u", r->tid, r->comm, r->pid);
}

static bool holder_is_root(const struct ws_edge *e, const struct ws_root *r)
{
	if (r->kind == WS_ROOT_DEADLOCK)
		return false;
	return e->holder_tid ? r->tid == e->holder_tid : r->pid == e->holder_pid;
}

/*
 * Where rep's chain leads, as a clause for a finding's sentence ("they
 * wait behind pid 812 (feeder), which sleeps in pause() and holds the
 * only write end of pipe:[4411]"), its root into r.  subj is "it waits",
 * "they wait"...  False when rep has no edge.
 */
static bool chain_clause(const struct ctx *cx, const struct ws_thread *rep, const char *subj,
			 struct ws_root *r, char *buf, size_t n)
{
	const struct ws_edge *e;
	char holder[128], holds[192], name[128];
	size_t o;

	if (!cx->g || !ws_graph_root(cx->g, rep, r))
		return false;
	e = ws_graph_first_edge(cx->g, rep);
	if (!e) {
		snprintf(buf, n, "thread %u %s", rep->tid, r->why);
		return true;
	}
	ws_edge_holder_name(cx->g, e, holder, sizeof(holder));
	if (r->kind == WS_ROOT_DEADLOCK) {
		snprintf(buf, n, "%s behind %s, in %s", subj, holder, r->why);
	} else if (holder_is_root(e, r)) {
		snprintf(buf, n, "%s behind %s, which %s", subj, holder, r->why);
	} else {
		ws_edge_holds_phrase(cx->g, e, holds, sizeof(holds));
		root_name(r, name, sizeof(name));
		snprintf(buf, n, "%s behind %s, which %s; the chain ends at %s, which %s", subj,
			 holder, holds, name, r->why);
	}
	o = strlen(buf);
	if (r->other_roots && o + 1 < n)
		snprintf(buf + o, n - o, " (%u other root%s on branches not followed)",
			 r->other_roots, r->other_roots == 1 ? "" : "s");
	return true;
}

static bool same_root(const struct ws_root *a, const struct ws_root *b)
{
	return a->kind == b->kind && a->pid == b->pid && a->tid == b->tid;
}

/* How many of threads ti[0..n) have another root than r. */
static int other_root_threads(const struct ws_snapshot *s, const struct ctx *cx,
			      const uint32_t *ti, size_t n, const struct ws_root *r)
{
	struct ws_root x;
	size_t i;
	int c = 0;

	for (i = 0; i < n; i++) {
		ws_graph_root(cx->g, &s->threads[ti[i]], &x);
		c += !same_root(&x, r);
	}
	return c;
}

static bool frozen_pid(const struct ctx *cx, uint32_t pid)
{
	size_t lo = 0, hi = cx->nfrozen;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (cx->frozen[mid].pid == pid)
			return true;
		if (cx->frozen[mid].pid < pid)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

/* Threads another finding explains: in a deadlock, or of a frozen process. */
static bool explained_elsewhere(const struct ctx *cx, const struct ws_thread *t)
{
	return cx->g && (ws_graph_in_cycle(cx->g, t) || frozen_pid(cx, t->tgid));
}

/*
 * A wait behind a lock whose holder the resolver named (a mutex's or PI
 * word's owner, an rwlock's writer) is a lock wait, whatever the futex
 * call looked like to the module (an rwlock waits with WAIT_BITSET, as an
 * idle condition variable does).
 */
static bool waits_for_held_lock(const struct ctx *cx, const struct ws_thread *t)
{
	const struct ws_edge *e = cx->g ? ws_graph_first_edge(cx->g, t) : NULL;

	return e && e->holder_tid &&
	       (e->type == E_MUTEX_OWNER || e->type == E_PI_OWNER || e->type == E_RWLOCK_WRITER);
}

/* ---- deadlock ---- */

static void deadlock_cycle(struct ws_finding *f, const struct ws_cycle *c)
{
	size_t i;

	f->cycle = ws_xcalloc(c->n, sizeof(*f->cycle));
	f->ncycle = c->n;
	for (i = 0; i < c->n; i++) {
		struct ws_finding_hop *h = &f->cycle[i];

		h->tid = c->hop[i].t->tid;
		h->pid = c->hop[i].t->tgid;
		snprintf(h->holds, sizeof(h->holds), "%s", c->hop[i].holds ? c->hop[i].holds->object : "");
		snprintf(h->waits_for, sizeof(h->waits_for), "%s",
			 c->hop[i].waits ? c->hop[i].waits->object : "");
	}
}

static bool cycle_has_pid(const struct ws_cycle *c, uint32_t pid)
{
	return bsearch(&pid, c->pids, c->npids, sizeof(pid), ws_u32_cmp) != NULL;
}


/* A cycle whose every wait is on a lock (mutex, PI mutex, rwlock). */
static bool cycle_of_locks(const struct ws_cycle *c)
{
	size_t i;

	for (i = 0; i < c->n; i++) {
		enum ws_edge_type t = c->hop[i].waits->type;

		if (t != E_MUTEX_OWNER && t != E_PI_OWNER && t != E_RWLOCK_WRITER)
			return false;
	}
	return true;
}
static void deadlock_emit(const struct ws_snapshot *s, const struct ctx *cx,
			  const struct ws_cycle *c, struct ws_findings *out)
{
	struct ws_finding *f = add(out, K_DEADLOCK, c->hop[0].t->tgid, c->impact_ns);
	char text[2048], comm[64];
	size_t i;

	f->nthreads = (int)c->ntids;
	f->about_blocked = true;
	tids_append(f, c->tids, c->ntids);
	if (c->npids > 1) {
		f->pids = ws_xcalloc(c->npids, sizeof(*f->pids));
		memcpy(f->pids, c->pids, c->npids * sizeof(*f->pids));
		f->npids = (int)c->npids;
	}
	deadlock_cycle(f, c);
	ws_cycle_text(cx->g, c, text, sizeof(text));
	if (c->npids == 1) {
		SETF(what, "deadlock in pid %u (%s): %s", f->pid,
		     comm_of(s, f->pid, comm, sizeof(comm)), text);
	} else {
		SETF(what, "deadlock between pids");
		for (i = 0; i < c->npids; i++)
			SETF(what, "%s %u (%s)", i ? (i + 1 == c->npids ? " and" : ",") : "", c->pids[i],
			     comm_of(s, c->pids[i], comm, sizeof(comm)));
		SETF(what, ": %s", text);
	}
	if (c->ntids == 1)
		SETF(what, "; it can never go on");
	else
		SETF(what, "; none of the %zu threads can go on", c->ntids);
	SETF(threshold, "a cycle in the waits-for graph that nothing leaves: every holder of every wait in it is in it");
	if (c->npids == 1 && cycle_of_locks(c))
		SETF(cause, "a lock-order inversion: the threads took the same locks in different orders, each holds what the next waits for");
	else if (c->npids == 1)
		SETF(cause, "threads of one process each waiting for another of them: each holds what the next waits for (a pipe end it never writes or closes, a thread it joins, a lock)");
	else
		SETF(cause, "processes each waiting for the other: each holds what the next waits for (a lock, or the other end of a pipe or socket)");
	if (c->npids == 1)
		SETF(next, "waitscope why %u (each hop with its evidence); the user stacks: gdb -p %u -batch -ex 'thread apply all bt'%s",
		     c->hop[0].t->tid, c->hop[0].t->tgid,
		     cycle_of_locks(c) ? "; then take the locks in one order" : "");
	else
		SETF(next, "waitscope why %u (each hop with its evidence); then why each process waits for the other before it writes: its user stack, gdb -p %u -batch -ex 'thread apply all bt'",
		     c->hop[0].t->tid, c->hop[0].t->tgid);
}

/* Cycles of waits with known holders that nothing leaves. */
static void find_deadlock(const struct ws_snapshot *s, const struct ws_opts *o,
			  const struct ctx *cx, struct ws_findings *out)
{
	size_t i;

	for (i = 0; cx->g && i < ws_graph_ncycles(cx->g); i++) {
		const struct ws_cycle *c = ws_graph_cycle(cx->g, i);

		if (!o->pid || cycle_has_pid(c, o->pid))
			deadlock_emit(s, cx, c, out);
	}
}

/* ---- frozen ---- */

static int edge_object_cmp(const void *a, const void *b)
{
	const struct ws_edge *x = *(const struct ws_edge *const *)a;
	const struct ws_edge *y = *(const struct ws_edge *const *)b;

	return strcmp(x->object, y->object);
}

/* "futex 0x602000 (3 waits, unknown), futex 0x602040 (1 wait, unknown)": the waits, by object. */
static void frozen_waits(const struct ws_snapshot *s, const struct ctx *cx,
			 const struct ws_frozen *z, char *buf, size_t n)
{
	const struct ws_edge **v, *const *e;
	size_t i, k, m = 0, o = 0, runs = 0;

	for (i = 0; i < z->n; i++)
		m += ws_graph_edges(cx->g, ws_find_thread(s, z->tids[i]), &e);
	v = ws_xcalloc(m, sizeof(*v));
	m = 0;
	for (i = 0; i < z->n; i++)
		for (k = ws_graph_edges(cx->g, ws_find_thread(s, z->tids[i]), &e); k > 0; k--)
			v[m++] = e[k - 1];
	qsort(v, m, sizeof(*v), edge_object_cmp);
	buf[0] = '\0';
	for (i = 0; i < m; i = k) {
		for (k = i + 1; k < m && !strcmp(v[k]->object, v[i]->object); k++)
			;
		if (runs++ == 4) {
			snprintf(buf + o, n - o, " and more");
			break;
		}
		if (o + 1 < n)
			o += (size_t)snprintf(buf + o, n - o, "%s%s (%zu wait%s, %s)", i ? ", " : "",
					      v[i]->object, k - i, k - i == 1 ? "" : "s",
					      ws_edge_type_names[v[i]->type]);
		if (o >= n)
			break;
	}
	free(v);
}

static void frozen_emit(const struct ws_snapshot *s, const struct ws_opts *o,
			const struct ctx *cx, const struct ws_frozen *z, struct ws_findings *out)
{
	struct ws_finding *f = add(out, K_FROZEN, z->pid, z->sum_ns);
	char comm[64], lo[32], hi[32], th[32], waits[512];

	f->nthreads = (int)z->n;
	f->about_blocked = true;
	tids_append(f, z->tids, z->n);
	ws_fmt_dur(lo, sizeof(lo), z->lo_ns);
	ws_fmt_dur(hi, sizeof(hi), z->hi_ns);
	ws_fmt_dur(th, sizeof(th), o->stuck_ns);
	frozen_waits(s, cx, z, waits, sizeof(waits));
	SETF(what, "every thread of pid %u (%s), %zu in all, has been blocked for %s%s%s in waits only its own threads could end: %s; none is running, none waits with a timeout or on anything outside",
	     z->pid, comm_of(s, z->pid, comm, sizeof(comm)), z->n, lo, strcmp(lo, hi) ? "-" : "",
	     strcmp(lo, hi) ? hi : "", waits);
	SETF(threshold, "every thread blocked for at least %s (--stuck), each in waits of scope process: no timeout, no holder outside the process", th);
	SETF(cause, "a process-wide deadlock with no owner: its threads wait on semaphores, condition variables or events that only another of its threads could post, and all of them are waiting");
	SETF(next, "waitscope why %u; the user stacks: gdb -p %u -batch -ex 'thread apply all bt'",
	     z->tids[0], z->pid);
}

/* Processes whose every thread waits on what only its own threads could end. */
static void find_frozen(const struct ws_snapshot *s, const struct ws_opts *o,
			const struct ctx *cx, struct ws_findings *out)
{
	size_t i;

	for (i = 0; i < cx->nfrozen; i++)
		if (!o->pid || cx->frozen[i].pid == o->pid)
			frozen_emit(s, o, cx, &cx->frozen[i], out);
}

/* ---- stuck ---- */

/*
 * A wait site, one per stuck thread before they are folded: small, as
 * there may be tens of thousands.  Its frame points into the snapshot's
 * pool; its rare read() description is allocated (NULL: none).
 */
struct site {
	uint32_t tgid, tid;
	uint32_t ti;		/* the thread's index (the run's smallest tid once folded) */
	uint32_t first;		/* once folded: its threads in the members array */
	int reason, syscall;
	int fkind;		/* enum futex_kind of a futex wait */
	int n;
	uint64_t futex;
	const char *frame;	/* the top frame's name: frame_len bytes, NULL if none */
	uint32_t frame_len;
	bool partial;
	char *on;		/* what a read() without a stack reads: "a pipe (pipe:[7])" */
	uint64_t lo, hi, sum;
};

/* A site's frame name is cut at 63 bytes, as its 64-byte copy used to be. */
#define SITE_FRAME_MAX 63

static int site_cmp(const void *a, const void *b)
{
	const struct site *x = a, *y = b;

	return x->sum < y->sum ? 1 : x->sum > y->sum ? -1 : 0;
}

/* "read() at pipe_read", "a futex wait on 0x...", "uninterruptible sleep in vfork()". */
static void describe_wait(const struct site *w, char *buf, size_t n)
{
	static const char *const kind[NR_REASONS] = {
		[R_IO] = "I/O wait ", [R_UNINT] = "uninterruptible sleep ",
	};
	const char *sc = ws_syscall_name(w->syscall);
	char call[48], at[112] = "";

	if (w->reason == R_FUTEX && w->fkind == FK_LOCK) {
		snprintf(buf, n, "a lock wait on futex 0x%llx", (unsigned long long)w->futex);
		return;
	}
	if (w->reason == R_FUTEX) {
		snprintf(buf, n, "a futex wait on 0x%llx of unknown kind (no expected value known: a lock, a runtime park or an event)",
			 (unsigned long long)w->futex);
		return;
	}
	if (w->syscall < 0)
		snprintf(call, sizeof(call), "outside any syscall");
	else if (sc)
		snprintf(call, sizeof(call), "%s%s()", kind[w->reason] ? "in " : "", sc);
	else
		snprintf(call, sizeof(call), "%ssyscall %d", kind[w->reason] ? "in " : "",
			 w->syscall);
	if (w->frame_len)
		snprintf(at, sizeof(at), " at %.*s", (int)w->frame_len, w->frame);
	else if (w->on)
		snprintf(at, sizeof(at), " on %s", w->on);
	snprintf(buf, n, "%s%s%s", kind[w->reason] ? kind[w->reason] : "", call, at);
}

static bool futex_completed_any(const struct ws_snapshot *s, uint32_t tgid, uint64_t addr)
{
	size_t i;

	for (i = 0; i < s->nfutex; i++)
		if (s->futex[i].tgid == tgid && s->futex[i].uaddr == addr)
			return s->futex[i].count > 0;
	return false;
}

/* Frame names compared as the strings they are (strcmp's order). */
static int site_frame_cmp(const struct site *x, const struct site *y)
{
	uint32_t n = x->frame_len < y->frame_len ? x->frame_len : y->frame_len;
	int c = n ? memcmp(x->frame, y->frame, n) : 0;

	if (c || x->frame_len == y->frame_len)
		return c;
	return x->frame_len < y->frame_len ? -1 : 1;
}

static int site_key_cmp(const void *a, const void *b)
{
	const struct site *x = a, *y = b;
	int c;

	if (x->tgid != y->tgid)
		return x->tgid < y->tgid ? -1 : 1;
	if (x->reason != y->reason)
		return x->reason - y->reason;
	if (x->syscall != y->syscall)
		return x->syscall < y->syscall ? -1 : 1;
	if (x->futex != y->futex)
		return x->futex < y->futex ? -1 : 1;
	if (x->fkind != y->fkind)
		return x->fkind - y->fkind;
	c = strcmp(x->on ? x->on : "", y->on ? y->on : "");
	return c ? c : site_frame_cmp(x, y);
}

/* Same-site waits together, each run from its smallest tid. */
static int site_sort_cmp(const void *a, const void *b)
{
	const struct site *x = a, *y = b;
	int c = site_key_cmp(a, b);

	return c ? c : x->tid < y->tid ? -1 : x->tid > y->tid;
}

/* Fold the run of same-site waits starting at w[0] into w[0]; its length. */
static size_t site_fold(struct site *w, size_t n)
{
	size_t j;

	for (j = 1; j < n && !site_key_cmp(&w[0], &w[j]); j++) {
		free(w[j].on);	/* the same text as w[0]'s */
		w[0].n++;
		w[0].sum += w[j].sum;
		w[0].partial |= w[j].partial;
		if (w[j].lo < w[0].lo)
			w[0].lo = w[j].lo;
		if (w[j].hi > w[0].hi)
			w[0].hi = w[j].hi;
	}
	return j;
}

/*
 * Where the chain of a stuck group leads (its smallest tid's), added to
 * the sentence; the finding's root.  False when the group has no edge.
 */
static bool stuck_chain(const struct ws_snapshot *s, const struct ctx *cx, const struct site *w,
			const uint32_t *members, struct ws_finding *f)
{
	char clause[1024];
	struct ws_root r;
	int others;

	if (!chain_clause(cx, &s->threads[w->ti], w->n > 1 ? "they wait" : "it waits", &r, clause,
			  sizeof(clause)))
		return false;
	SETF(what, "; %s", clause);
	others = w->n > 1 ? other_root_threads(s, cx, members + w->first, (size_t)w->n, &r) : 0;
	if (others)
		SETF(what, "; %d of them wait behind another root", others);
	f->root = root_copy(&r);
	return true;
}

static void stuck_emit(const struct ws_snapshot *s, const struct ws_opts *o,
		       const struct ctx *cx, const struct site *w, const uint32_t *members,
		       struct ws_findings *out)
{
	struct ws_finding *f = add(out, K_STUCK, w->tgid, w->sum);
	char comm[64], lo[32], hi[32], where[224], th[32];
	const struct ws_edge *e;
	bool chain;
	int k;

	f->nthreads = w->n;
	f->about_blocked = true;
	for (k = 0; k < w->n; k++)
		tid_append(f, s->threads[members[w->first + k]].tid);
	ws_fmt_dur(lo, sizeof(lo), w->lo);
	ws_fmt_dur(hi, sizeof(hi), w->hi);
	ws_fmt_dur(th, sizeof(th), o->stuck_ns);
	describe_wait(w, where, sizeof(where));
	comm_of(s, w->tgid, comm, sizeof(comm));
	if (w->n == 1)
		SETF(what, "thread %u of pid %u (%s) has been blocked in %s for %s%s", w->tid,
		     w->tgid, comm, where, w->partial ? "at least " : "", hi);
	else
		SETF(what, "%d threads of pid %u (%s) have been blocked in %s for %s%s-%s",
		     w->n, w->tgid, comm, where, w->partial ? "at least " : "", lo, hi);
	if (w->reason == R_FUTEX && !futex_completed_any(s, w->tgid, w->futex))
		SETF(what, "; no wait on this address has ended since tracing began");
	else
		SETF(what, "; none has been woken since it blocked");
	chain = stuck_chain(s, cx, w, members, f);
	e = cx->g ? ws_graph_first_edge(cx->g, &s->threads[w->ti]) : NULL;
	SETF(threshold, "blocked for at least %s (--stuck)", th);
	if (chain)
		SETF(next, "waitscope why %u (the chain hop by hop, with the evidence for each edge)",
		     w->tid);
	if (w->reason == R_FUTEX && w->fkind != FK_LOCK) {
		SETF(cause, "the wait kind is unknown (this snapshot has no futex_val; live as root, /proc/TID/syscall tells): a lock held forever, or an event nobody signals; runtimes such as Go also park idle threads this way, which is harmless");
		if (!chain)
			SETF(next, "cat /proc/%u/task/%u/syscall (the third argument is the expected value: 2 is a glibc lock wait); the user stacks: gdb -p %u -batch -ex 'thread apply all bt'",
			     w->tgid, w->tid, w->tgid);
	} else if (w->reason == R_FUTEX) {
		SETF(cause, "a lock that is never released (a deadlock, or a lock leaked on an error path), or a wake-up that never comes");
		if (!chain)
			SETF(next, "the user stacks of the waiters and of the lock's owner: gdb -p %u -batch -ex 'thread apply all bt'", w->tgid);
	} else if (w->reason == R_IO || w->reason == R_UNINT) {
		SETF(cause, "the kernel is waiting on a device, a filesystem or a kernel lock that does not complete");
		if (!chain)
			SETF(next, "cat /proc/%u/stack; dmesg for I/O errors or hung-task reports", w->tid);
	} else if (e && e->type == E_FLOCK) {
		SETF(cause, "a file lock its holder does not release");
	} else if (e && e->type == E_CHILD) {
		SETF(cause, "a child process that does not exit");
	} else if (e && e->type == E_PIPE && !is_fd_read(w->syscall)) {
		SETF(cause, "a full pipe whose reader does not read");
	} else {
		SETF(cause, "waiting for input that never arrives: the writer of a pipe or socket is gone or stuck");
		if (!chain)
			SETF(next, "ls -l /proc/%u/fd, then find which process holds the other end", w->tgid);
	}
}

/* The kind of futex wait, or what a read() without a stack is reading. */
static void site_what(const struct ws_snapshot *s, const struct ws_thread *t,
		      const struct ws_opts *o, struct site *x)
{
	static const char *const kinds[] = {
		[WS_FD_UNKNOWN] = "a descriptor of unknown kind", [WS_FD_SOCKET] = "a socket",
		[WS_FD_TTY] = "a terminal", [WS_FD_PIPE] = "a pipe", [WS_FD_EVENT] = "an event fd",
		[WS_FD_OTHER] = "a file",
	};
	char link[64];
	uint32_t val;
	enum ws_fd_kind k;

	if (t->state == R_FUTEX) {
		x->fkind = futex_kind(s, t, o, &val);
		return;
	}
	if (t->state != R_SLEEP || t->stack_len || !is_fd_read(t->syscall) || !o->proc_root)
		return;
	k = read_fd_kind(t, o, link, sizeof(link));
	if (k == WS_FD_GONE)
		return;
	x->on = link[0] ? ws_xasprintf("%s (%s)", kinds[k], link) : ws_xasprintf("%s", kinds[k]);
}

/* The site of stuck thread t, into x. */
static void site_of(const struct ws_snapshot *s, const struct ws_thread *t,
		    const struct ws_opts *o, struct site *x)
{
	size_t len;

	x->tgid = t->tgid;
	x->reason = t->state;
	x->syscall = t->syscall;
	x->futex = t->state == R_FUTEX ? t->futex_addr : 0;
	x->frame = top_frame_name(s, t, &len);
	x->frame_len = (uint32_t)(len < SITE_FRAME_MAX ? len : SITE_FRAME_MAX);
	site_what(s, t, o, x);
	x->n = 1;
	x->lo = x->hi = x->sum = t->off_ns;
	x->partial = t->partial;
	x->tid = t->tid;
	x->ti = (uint32_t)(t - s->threads);
}

/*
 * Threads blocked now for at least --stuck, grouped by process and wait
 * site, but for those a deadlock or frozen finding explains.
 */
static void find_stuck(const struct ws_snapshot *s, const struct ws_opts *o,
		       const struct ctx *cx, struct ws_findings *out)
{
	size_t i, n = 0, nsites = 0, ncand = 0;
	uint32_t *members;
	struct site *w;

	/* Sites for the candidates only: threads are many. */
	for (i = 0; i < s->nthreads; i++)
		ncand += s->threads[i].state > R_RUNQ && s->threads[i].off_ns >= o->stuck_ns;
	w = ws_xcalloc(ncand, sizeof(*w));
	for (i = 0; i < s->nthreads; i++) {
		const struct ws_thread *t = &s->threads[i];
		struct site *x;
		enum verdict v;

		if (t->state <= R_RUNQ || t->off_ns < o->stuck_ns || (o->pid && t->tgid != o->pid) ||
		    explained_elsewhere(cx, t))
			continue;
		x = &w[n];
		v = waits_for_held_lock(cx, t) ? V_PROBLEM : wait_verdict(s, t, o);
		if (v == V_GONE)
			add_note(out, "thread %u of pid %u ended or woke while waitscope looked at its wait: its state is unknown",
				 t->tid, t->tgid);
		if (v != V_PROBLEM)
			continue;
		site_of(s, t, o, x);
		if (waits_for_held_lock(cx, t))
			x->fkind = FK_LOCK;
		n++;
	}
	qsort(w, n, sizeof(*w), site_sort_cmp);
	members = ws_xcalloc(n, sizeof(*members));
	for (i = 0; i < n; i++)
		members[i] = w[i].ti;
	for (i = 0; i < n;) {
		size_t run = site_fold(&w[i], n - i);

		w[i].first = (uint32_t)i;
		w[nsites++] = w[i];
		i += run;
	}
	qsort(w, nsites, sizeof(*w), site_cmp);
	for (i = 0; i < nsites; i++)
		stuck_emit(s, o, cx, &w[i], members, out);
	for (i = 0; i < nsites; i++)
		free(w[i].on);
	free(members);
	free(w);
}

/* ---- lock contention ---- */

/*
 * The lock waits among a word's completed waits.  The module's lock_n
 * counts them (expected value 2, LOCK_PI); an older module's file has only
 * how the word was waited on: then every wait counts, as before, except on
 * words waited on as condition variables (WAIT_BITSET, REQUEUE_PI).
 */
static uint64_t lock_waits(const struct ws_snapshot *s, const struct ws_futex *x)
{
	if (x->has_lock_n)
		return x->lock_n < x->count ? x->lock_n : x->count;
	if (op_is(s, x->op, "wait_bitset") || op_is(s, x->op, "wait_requeue_pi"))
		return 0;
	return x->count;
}

/* Their time: total_ns covers all waits; lock waits get their share of it. */
static uint64_t lock_wait_ns(const struct ws_futex *x, uint64_t nlock)
{
	if (!x->count || nlock >= x->count)
		return nlock ? x->total_ns : 0;
	return (uint64_t)((double)x->total_ns * (double)nlock / (double)x->count);
}

uint64_t ws_futex_lock_wait_ns(const struct ws_snapshot *s, const struct ws_futex *x,
			       uint64_t *nlock)
{
	uint64_t n = lock_waits(s, x);

	if (nlock)
		*nlock = n;
	return lock_wait_ns(x, n);
}

/* A futex word of a process: tgid and address. */
struct word {
	uint32_t tgid;
	uint64_t addr;
	unsigned lock_now;	/* threads in a lock wait on it now */
};

static int word_cmp(const void *a, const void *b)
{
	const struct word *x = a, *y = b;

	if (x->tgid != y->tgid)
		return x->tgid < y->tgid ? -1 : 1;
	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

static bool may_be_queued_now(const struct ws_futex *x, const struct ws_opts *o)
{
	return x->waiting >= 2 && x->longest_now_ns >= o->contention_ns;
}

/*
 * For the words with 2+ waiters now for a while (few), how many of those
 * are lock waits: one pass over the threads, sorted words, no /proc read
 * for a thread on any other word.
 */
static struct word *words_queued_now(const struct ws_snapshot *s, const struct ws_opts *o,
				     size_t *nw)
{
	struct word *w = ws_xcalloc(s->nfutex, sizeof(*w)), key, *hit;
	uint32_t val;
	size_t i, n = 0;

	for (i = 0; i < s->nfutex; i++)
		if (may_be_queued_now(&s->futex[i], o) && (!o->pid || s->futex[i].tgid == o->pid))
			w[n++] = (struct word){ .tgid = s->futex[i].tgid, .addr = s->futex[i].uaddr };
	qsort(w, n, sizeof(*w), word_cmp);
	for (i = 0; n && i < s->nthreads; i++) {
		const struct ws_thread *t = &s->threads[i];
		enum futex_kind k;

		if (t->state != R_FUTEX)
			continue;
		key.tgid = t->tgid;
		key.addr = t->futex_addr;
		hit = bsearch(&key, w, n, sizeof(*w), word_cmp);
		if (!hit)
			continue;
		k = futex_kind(s, t, o, &val);
		/* With no expected value known, the word's op decides, as before. */
		if (k == FK_LOCK || (k == FK_UNKNOWN && !s->futex[0].has_lock_n))
			hit->lock_now++;
	}
	*nw = n;
	return w;
}

static unsigned lock_waiters_now(const struct word *w, size_t nw, const struct ws_futex *x)
{
	struct word key = { .tgid = x->tgid, .addr = x->uaddr }, *hit;

	hit = nw ? bsearch(&key, w, nw, sizeof(*w), word_cmp) : NULL;
	return hit ? hit->lock_now : 0;
}

struct lock_cost {
	uint64_t n, ns, wall_ns;
	double rate, per_s;	/* waiters' seconds per wall second; waits per second */
	unsigned now;		/* in a lock wait on it now */
};

/* What a word costs its waiters, over the window or the process's life. */
static bool lock_cost(const struct ws_snapshot *s, const struct ws_opts *o,
		      const struct ctx *cx, const struct ws_futex *x, const struct word *w,
		      size_t nw, struct lock_cost *c)
{
	const struct proc_agg *pa = proc_of(cx, x->tgid);

	memset(c, 0, sizeof(*c));
	c->n = lock_waits(s, x);
	c->ns = lock_wait_ns(x, c->n);
	c->wall_ns = o->window_ns ? o->window_ns : pa ? pa->span_ns : 0;
	if (c->wall_ns) {
		c->rate = (double)c->ns / (double)c->wall_ns;
		c->per_s = (double)c->n * 1e9 / (double)c->wall_ns;
	}
	if (may_be_queued_now(x, o))
		c->now = lock_waiters_now(w, nw, x);
	/*
	 * Waiters queued now count only on a word whose waits do end: where
	 * none ever has, they are stuck (that finding names them), not
	 * contending.
	 */
	return (c->ns >= o->contention_ns && c->rate >= o->contention_rate &&
		c->per_s >= o->contention_waits) || (c->now >= 2 && c->n > 0);
}

/* The threads waiting on word (tgid, addr) now: fw[*first ..), their number. */
static size_t word_waiters(const struct ctx *cx, uint32_t tgid, uint64_t addr, size_t *first)
{
	size_t lo = 0, hi = cx->nfw, n = 0;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct futex_waiter *m = &cx->fw[mid];

		if (m->tgid < tgid || (m->tgid == tgid && m->addr < addr))
			lo = mid + 1;
		else
			hi = mid;
	}
	*first = lo;
	while (lo + n < cx->nfw && cx->fw[lo + n].tgid == tgid && cx->fw[lo + n].addr == addr)
		n++;
	return n;
}

/*
 * The word's waiters now as the finding's threads; who holds the lock and
 * where that chain ends, from the first waiter that has an edge.
 */
static bool contention_chain(const struct ws_snapshot *s, const struct ctx *cx,
			     const struct ws_futex *x, struct ws_finding *f, uint32_t *why_tid)
{
	size_t first, n = word_waiters(cx, x->tgid, x->uaddr, &first), i;
	const struct ws_thread *rep = NULL;
	char clause[1024];
	struct ws_root r;

	f->about_blocked = true;
	for (i = 0; i < n; i++) {
		const struct ws_thread *t = &s->threads[cx->fw[first + i].ti];

		tid_append(f, t->tid);
		if (!rep && cx->g && ws_graph_first_edge(cx->g, t))
			rep = t;
	}
	if (!rep || !chain_clause(cx, rep, n > 1 ? "its waiters wait" : "its waiter waits", &r,
				  clause, sizeof(clause)))
		return false;
	SETF(what, "; %s", clause);
	f->root = root_copy(&r);
	*why_tid = rep->tid;
	return true;
}

static void contention_emit(const struct ws_snapshot *s, const struct ws_opts *o,
			    const struct ctx *cx, const struct ws_futex *x,
			    const struct lock_cost *c, struct ws_findings *out)
{
	const struct proc_agg *pa = proc_of(cx, x->tgid);
	char comm[64], tot[32], mx[32], th[32], win[32], now[32], of[64] = "";
	struct ws_finding *f = add(out, K_CONTENTION, x->tgid, c->ns);
	uint32_t why_tid = 0;
	bool chain;

	f->nthreads = pa ? pa->futex_waiters : 0;
	comm_of(s, x->tgid, comm, sizeof(comm));
	ws_fmt_dur(tot, sizeof(tot), c->ns);
	ws_fmt_dur(mx, sizeof(mx), x->max_ns);
	ws_fmt_dur(th, sizeof(th), o->contention_ns);
	ws_fmt_dur(win, sizeof(win), c->wall_ns);
	ws_fmt_dur(now, sizeof(now), x->longest_now_ns);
	if (c->n < x->count)
		snprintf(of, sizeof(of), " (of %llu waits on the word)",
			 (unsigned long long)x->count);
	SETF(what, "lock contention in pid %u (%s) on futex 0x%llx: %llu lock waits%s in %s (%.0f a second) totalling %s, %.2fs of waiting per second, longest %s",
	     x->tgid, comm, (unsigned long long)x->uaddr, (unsigned long long)c->n, of, win,
	     c->per_s, tot, c->rate, mx);
	if (c->now >= 2)
		SETF(what, "; %u threads in a lock wait on it now, the longest for %s", c->now, now);
	else
		SETF(what, ", %u waiting now", x->waiting);
	chain = contention_chain(s, cx, x, f, &why_tid);
	SETF(threshold, "at least %s of lock waits, %.0f%% of a thread's time (--contention-rate) and %.0f waits a second (--contention-waits), or 2+ lock waiters at once for %s (--contention)",
	     th, o->contention_rate * 100, o->contention_waits, th);
	SETF(cause, "threads serialize on one lock: a hot mutex, or work done while holding it");
	if (chain)
		SETF(next, "waitscope why %u (who holds the lock, and what the holder waits for); then which code takes the lock at 0x%llx: perf record -g -p %u; shorten the critical section or shard the lock",
		     why_tid, (unsigned long long)x->uaddr, x->tgid);
	else
		SETF(next, "which code takes the lock at 0x%llx: perf record -g -p %u, or gdb on a waiter; shorten the critical section or shard the lock",
		     (unsigned long long)x->uaddr, x->tgid);
}

/*
 * A lock is contended when its waiters pay for it: enough wait time per
 * wall second, often enough (see ws_opts_default for the numbers), or 2+
 * threads queued on it now for a while.  Not a share of off-CPU time, which
 * run-queue waits dominate on a busy machine, and never words that are not
 * locks (lock_n), such as the Go runtime's park notes.
 */
static void find_contention(const struct ws_snapshot *s, const struct ws_opts *o,
			    const struct ctx *cx, struct ws_findings *out)
{
	struct lock_cost c;
	size_t i, nw;
	struct word *w = words_queued_now(s, o, &nw);

	for (i = 0; i < s->nfutex; i++) {
		const struct ws_futex *x = &s->futex[i];

		if (o->pid && x->tgid != o->pid)
			continue;
		if (lock_cost(s, o, cx, x, w, nw, &c))
			contention_emit(s, o, cx, x, &c, out);
	}
	free(w);
}

/* ---- a group's threads: (group, tid) pairs, sorted once ---- */

struct member {
	uint32_t group, tid;
};

static int member_cmp(const void *a, const void *b)
{
	const struct member *x = a, *y = b;

	if (x->group != y->group)
		return x->group < y->group ? -1 : 1;
	return x->tid < y->tid ? -1 : x->tid > y->tid;
}

/* The tids of group k (m sorted by member_cmp) added to f. */
static void group_tids(struct ws_finding *f, const struct member *m, size_t n, size_t k)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (m[mid].group < k)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < n && m[lo].group == k; lo++)
		tid_append(f, m[lo].tid);
}

/* ---- hidden blocking ---- */

/* Threads of one process and pool that hide blocking in D state. */
struct hidden_group {
	uint32_t tgid;
	char pool[32];
	int n;
	uint64_t d_ns, wall_ns, io_ns, p99;
	double hi;
	const struct ws_thread *worst;
};

static void hidden_emit(const struct ws_snapshot *s, const struct ws_opts *o,
			const struct hidden_group *g, struct ws_findings *out)
{
	struct ws_finding *f = add(out, K_HIDDEN, g->tgid, g->d_ns);
	bool io = g->io_ns * 2 >= g->d_ns;
	char comm[64], dd[32], ww[32], p99[32];

	f->nthreads = g->n;
	ws_unescape_comm(ws_str(s, g->worst->comm), comm, sizeof(comm));
	for (char *p = comm; *p; p++)
		if ((unsigned char)*p < 0x20)
			*p = '?';
	ws_fmt_dur(dd, sizeof(dd), g->d_ns);
	ws_fmt_dur(ww, sizeof(ww), g->wall_ns);
	ws_fmt_approx(p99, sizeof(p99), g->p99);
	if (g->n == 1)
		SETF(what, "thread %u (%s) of pid %u spent %.0f%% of its time (%s of %s) in uninterruptible waits, mostly %s, p99 %s",
		     g->worst->tid, comm, g->tgid, g->hi * 100, dd, ww,
		     io ? "I/O" : "D state without iowait", p99);
	else
		SETF(what, "%d threads of pid %u (%s) spent up to %.0f%% of their time (%s of %s) in uninterruptible waits, mostly %s, p99 up to %s",
		     g->n, g->tgid, g->pool, g->hi * 100, dd, ww, io ? "I/O" : "D state without iowait",
		     p99);
	SETF(threshold, "at least %.0f%% of wall time in io or uninterruptible (--blocked-share)",
	     o->blocked_share * 100);
	SETF(cause, io ? "synchronous I/O on these threads: reads that miss the page cache, fsync, a slow device"
		       : "a kernel lock or a wait that cannot be interrupted (vfork, mmap_lock, a driver)");
	SETF(next, "cat /proc/%u/stack while it waits; perf trace -p %u or iostat -x 1",
	     g->worst->tid, g->tgid);
}

static void find_hidden(const struct ws_snapshot *s, const struct ws_opts *o,
			const struct ctx *cx, struct ws_findings *out)
{
	struct hidden_group *g = ws_xcalloc(s->nthreads, sizeof(*g));
	struct member *mem = ws_xcalloc(s->nthreads, sizeof(*mem));
	size_t n, ng = 0, k, nm = 0;

	for (n = 0; n < s->nthreads; n++) {
		const struct ws_thread *t = &s->threads[cx->order[n]];
		uint64_t d = t->r[R_IO].ns + t->r[R_UNINT].ns, w = wall(t), q;
		char comm[64], pool[32];
		double share;

		if ((o->pid && t->tgid != o->pid) || !w || t->kthread)
			continue;
		share = (double)d / (double)w;
		if (share < o->blocked_share || d < 10 * NS_PER_MS)
			continue;
		ws_unescape_comm(ws_str(s, t->comm), comm, sizeof(comm));
		ws_pool_name(comm, pool, sizeof(pool));
		/* In process order: look back within the process only. */
		for (k = ng; k > 0 && g[k - 1].tgid == t->tgid; k--)
			if (!strcmp(g[k - 1].pool, pool))
				break;
		if (k == 0 || g[k - 1].tgid != t->tgid) {
			k = ng++;
			g[k].tgid = t->tgid;
			snprintf(g[k].pool, sizeof(g[k].pool), "%s", pool);
		} else {
			k--;
		}
		g[k].n++;
		g[k].d_ns += d;
		g[k].wall_ns += w;
		g[k].io_ns += t->r[R_IO].ns;
		q = ws_hist_quantile_ns(s, t, t->r[R_IO].ns >= t->r[R_UNINT].ns ? R_IO : R_UNINT, 0.99);
		if (q > g[k].p99)
			g[k].p99 = q;
		if (share > g[k].hi) {
			g[k].hi = share;
			g[k].worst = t;
		}
		mem[nm++] = (struct member){ (uint32_t)k, t->tid };
	}
	qsort(mem, nm, sizeof(*mem), member_cmp);
	for (k = 0; k < ng; k++) {
		hidden_emit(s, o, &g[k], out);
		group_tids(&out->f[out->n - 1], mem, nm, k);
	}
	free(mem);
	free(g);
}

/* ---- starving workers ---- */

static double runq_share(const struct ws_thread *t)
{
	uint64_t w = wall(t);

	return w ? (double)t->r[R_RUNQ].ns / (double)w : 0;
}

/* Who took its CPU: the preemptor, as "comm (pid N)". */
static void preemptor_desc(const struct ws_snapshot *s, const struct ws_thread *t, char *buf,
			   size_t n)
{
	const struct ws_thread *p = t->preemptor ? ws_find_thread(s, t->preemptor) : NULL;
	char comm[64];

	if (!p) {
		snprintf(buf, n, "threads not seen");
		return;
	}
	ws_unescape_comm(ws_str(s, p->comm), comm, sizeof(comm));
	if (p->tgid == t->tgid)
		snprintf(buf, n, "its own process's %s (tid %u)", comm, p->tid);
	else
		snprintf(buf, n, "%s (pid %u%s)", comm, p->tgid,
			 p->cgroup != t->cgroup ? ", another cgroup" : "");
}

/* Starving threads of one pool (same process, same comm but for digits). */
struct starve_group {
	uint32_t tgid;
	char pool[64];
	int n, nsib;
	bool vs_siblings;
	uint64_t runq_ns, worst_p99;
	double lo, hi, ratio;
	const struct ws_thread *worst;
};

/* Its cgroup's CPU throttling, when it has one that hit its quota. */
struct quota {
	bool hit;
	uint64_t nr, usec;
	char path[4096];
	char max[64];		/* cpu.max, "" when unreadable */
};

static void quota_of(const struct ws_opts *o, const struct ws_thread *t, struct quota *q)
{
	memset(q, 0, sizeof(*q));
	if (!ws_cgroup_path(o->cgroup_root, t->cgroup, q->path, sizeof(q->path)))
		return;
	ws_cgroup_throttling(q->path, &q->nr, &q->usec);
	q->hit = q->nr > 0;
	if (q->hit && !ws_cgroup_cpu_max(q->path, q->max, sizeof(q->max)))
		q->max[0] = '\0';
}

static const char *quota_rel(const struct ws_opts *o, const struct quota *q)
{
	const char *rel = q->path + strlen(o->cgroup_root);

	return *rel ? rel : "/";
}

/* Why it starves: its cgroup's quota, the threads that take its CPU. */
static void starve_cause(const struct ws_snapshot *s, const struct ws_opts *o,
			 const struct ws_thread *t, const struct quota *q, char *buf, size_t n)
{
	char by[128];

	preemptor_desc(s, t, by, sizeof(by));
	if (q->hit) {
		snprintf(buf, n, "its cgroup %s hit its CPU quota %llu times (throttled %.1fs); last preempted by %s",
			 quota_rel(o, q), (unsigned long long)q->nr, q->usec / 1e6, by);
		return;
	}
	snprintf(buf, n, "the CPU is taken by other runnable threads (thread %u was last preempted by %s); pinned or quota-limited threads starve first",
		 t->tid, by);
}

/* What to change when the quota is the cause: the quota, or the thread count. */
static void quota_next(struct ws_finding *f, const struct ws_opts *o, const struct quota *q)
{
	char max[96] = "";

	if (q->max[0])
		snprintf(max, sizeof(max), ", now %s", q->max);
	SETF(next, "raise the CPU quota of cgroup %s (cpu.max in %s%s), or keep fewer threads runnable than it allows: GOMAXPROCS for a Go service, the worker pool size otherwise; watch nr_throttled in its cpu.stat",
	     quota_rel(o, q), q->path, max);
}

static void starve_emit(const struct ws_snapshot *s, const struct ws_opts *o,
			const struct starve_group *g, const struct quota *q,
			struct ws_findings *out)
{
	struct ws_finding *f = add(out, K_STARVING, g->tgid, g->runq_ns);
	char comm[64], pq[32], th[32], pname[64], cause[512];

	f->nthreads = g->n;
	ws_unescape_comm(ws_str(s, g->worst->comm), comm, sizeof(comm));
	for (char *p = comm; *p; p++)
		if ((unsigned char)*p < 0x20)
			*p = '?';
	snprintf(pname, sizeof(pname), "%s", g->pool);
	ws_fmt_approx(pq, sizeof(pq), g->worst_p99);
	ws_fmt_dur(th, sizeof(th), o->runq_p99_ns);
	if (g->n == 1 && g->vs_siblings)
		SETF(what, "worker %u (%s) of pid %u waits for a CPU %.0f%% of its time, %.1fx the median of its %d sibling%s; p99 run-queue wait %s",
		     g->worst->tid, comm, g->tgid, g->hi * 100, g->ratio, g->nsib,
		     g->nsib == 1 ? "" : "s", pq);
	else if (g->n == 1)
		SETF(what, "thread %u (%s) of pid %u waits for a CPU %.0f%% of its time; p99 run-queue wait %s",
		     g->worst->tid, comm, g->tgid, g->hi * 100, pq);
	else if ((int)(g->lo * 100 + 0.5) == (int)(g->hi * 100 + 0.5))
		SETF(what, "%d threads of pid %u (%s) each wait for a CPU %.0f%% of their time; p99 run-queue wait up to %s (thread %u)",
		     g->n, g->tgid, pname, g->hi * 100, pq, g->worst->tid);
	else
		SETF(what, "%d threads of pid %u (%s) wait for a CPU %.0f-%.0f%% of their time; p99 run-queue wait up to %s (thread %u)",
		     g->n, g->tgid, pname, g->lo * 100, g->hi * 100, pq, g->worst->tid);
	SETF(threshold, "runq p99 >= %s (--runq-p99), runq share >= %.0f%% (--runq-share) or %.1fx siblings (--starve-ratio)",
	     th, o->runq_share * 100, o->starve_ratio);
	starve_cause(s, o, g->worst, q, cause, sizeof(cause));
	SETF(cause, "%s", cause);
	if (q->hit)
		quota_next(f, o, q);
	else
		SETF(next, "taskset -pc %u (is it pinned?), the cgroup's cpu.stat, and what takes the CPU: waitscope top --sort runq",
		     g->worst->tid);
}

/*
 * The starving groups g[from..ng) of other processes in the same throttled
 * cgroup as g[from], marked done, folded into one finding: one quota, one
 * fix, however many processes share it.
 */
static void starve_emit_cgroup(const struct ws_snapshot *s, const struct ws_opts *o,
			       struct starve_group *g, size_t from, size_t ng, bool *done,
			       const struct quota *q, const struct member *mem, size_t nm,
			       struct ws_findings *out)
{
	struct starve_group all = g[from];
	struct ws_finding *f;
	uint32_t *pids = ws_xcalloc(ng - from, sizeof(*pids));
	size_t *merged = ws_xcalloc(ng - from, sizeof(*merged)), nmerged = 0;
	char pq[32], th[32], cause[512];
	int npids = 0;
	size_t k;

	for (k = from; k < ng; k++) {
		if (done[k] || g[k].worst->cgroup != g[from].worst->cgroup)
			continue;
		done[k] = true;
		merged[nmerged++] = k;
		if (!npids || pids[npids - 1] != g[k].tgid)
			pids[npids++] = g[k].tgid;
		if (k == from)
			continue;
		all.n += g[k].n;
		all.runq_ns += g[k].runq_ns;
		all.lo = g[k].lo < all.lo ? g[k].lo : all.lo;
		all.hi = g[k].hi > all.hi ? g[k].hi : all.hi;
		if (g[k].worst_p99 > all.worst_p99) {
			all.worst = g[k].worst;
			all.worst_p99 = g[k].worst_p99;
		}
	}
	if (npids == 1) {
		free(pids);
		starve_emit(s, o, &all, q, out);
		goto tids;
	}
	f = add(out, K_STARVING, all.tgid, all.runq_ns);
	f->nthreads = all.n;
	f->pids = pids;
	f->npids = npids;
	ws_fmt_dur(pq, sizeof(pq), all.worst_p99);
	ws_fmt_dur(th, sizeof(th), o->runq_p99_ns);
	SETF(what, "%d processes of cgroup %s (pids", npids, quota_rel(o, q));
	for (k = 0; k < (size_t)npids; k++) {
		char comm[64];

		SETF(what, "%s %u %s", k ? "," : "", pids[k], comm_of(s, pids[k], comm, sizeof(comm)));
	}
	SETF(what, "), %d threads, wait for a CPU %.0f-%.0f%% of their time; p99 run-queue wait up to %s (thread %u)",
	     all.n, all.lo * 100, all.hi * 100, pq, all.worst->tid);
	SETF(threshold, "runq p99 >= %s (--runq-p99), runq share >= %.0f%% (--runq-share) or %.1fx siblings (--starve-ratio)",
	     th, o->runq_share * 100, o->starve_ratio);
	starve_cause(s, o, all.worst, q, cause, sizeof(cause));
	SETF(cause, "%s", cause);
	quota_next(f, o, q);
tids:
	for (k = 0; k < nmerged; k++)
		group_tids(&out->f[out->n - 1], mem, nm, merged[k]);
	free(merged);
}

/* One finding per starving group, but one per throttled cgroup for those it starves. */
static void starve_emit_all(const struct ws_snapshot *s, const struct ws_opts *o,
			    struct starve_group *g, size_t ng, const struct member *mem, size_t nm,
			    struct ws_findings *out)
{
	bool *done = ws_xcalloc(ng, sizeof(*done));
	struct quota *q = ws_xcalloc(1, sizeof(*q));
	size_t k;

	for (k = 0; k < ng; k++) {
		if (done[k])
			continue;
		quota_of(o, g[k].worst, q);
		if (q->hit) {
			starve_emit_cgroup(s, o, g, k, ng, done, q, mem, nm, out);
		} else {
			done[k] = true;
			starve_emit(s, o, &g[k], q, out);
			group_tids(&out->f[out->n - 1], mem, nm, k);
		}
	}
	free(q);
	free(done);
}

static void find_starving(const struct ws_snapshot *s, const struct ws_opts *o,
			  const struct ctx *cx, struct ws_findings *out)
{
	struct starve_group *g = ws_xcalloc(s->nthreads, sizeof(*g));
	struct member *mem = ws_xcalloc(s->nthreads, sizeof(*mem));
	size_t n, ng = 0, k, nm = 0;

	for (n = 0; n < s->nthreads; n++) {
		size_t i = cx->order[n];
		const struct ws_thread *t = &s->threads[i];
		double share = runq_share(t), med;
		uint64_t p99 = ws_hist_quantile_ns(s, t, R_RUNQ, 0.99);
		char comm[64], pool[64];
		int nsib;
		bool vs_siblings;

		/* Kernel threads behind a hog show up as CPU pressure instead. */
		if ((o->pid && t->tgid != o->pid) || t->r[R_RUNQ].n < 10 || t->kthread)
			continue;
		med = cx->median[i];
		nsib = cx->pool_n[i] - 1;
		vs_siblings = nsib >= 1 && share >= o->starve_ratio * med && share >= 0.1;
		if (!vs_siblings && p99 < o->runq_p99_ns && share < o->runq_share)
			continue;
		ws_unescape_comm(ws_str(s, t->comm), comm, sizeof(comm));
		ws_pool_name(comm, pool, sizeof(pool));
		/* In process order: look back within the process only. */
		for (k = ng; k > 0 && g[k - 1].tgid == t->tgid; k--)
			if (g[k - 1].vs_siblings == vs_siblings &&
			    (!vs_siblings || !strcmp(g[k - 1].pool, pool)))
				break;
		if (k > 0 && g[k - 1].tgid == t->tgid) {
			k--;
		} else {
			k = ng;
			g[ng].tgid = t->tgid;
			g[ng].vs_siblings = vs_siblings;
			g[ng].lo = 1;
			snprintf(g[ng].pool, sizeof(g[ng].pool), "%s", pool);
			ng++;
		}
		if (strcmp(g[k].pool, pool) && !strstr(g[k].pool, ", ")) {
			/* A process-wide group names two pools at most: "hog, worker-N". */
			snprintf(g[k].pool + strlen(g[k].pool), sizeof(g[k].pool) - strlen(g[k].pool),
				 ", %s", pool);
		}
		g[k].n++;
		g[k].runq_ns += t->r[R_RUNQ].ns;
		g[k].nsib = nsib;
		g[k].ratio = med > 0 ? share / med : 0;
		if (share < g[k].lo)
			g[k].lo = share;
		if (share > g[k].hi)
			g[k].hi = share;
		if (!g[k].worst || p99 > g[k].worst_p99) {
			g[k].worst = t;
			g[k].worst_p99 = p99;
		}
		mem[nm++] = (struct member){ (uint32_t)k, t->tid };
	}
	qsort(mem, nm, sizeof(*mem), member_cmp);
	starve_emit_all(s, o, g, ng, mem, nm, out);
	free(mem);
	free(g);
}

/* ---- CPU-wide pressure and the module's own health ---- */

/*
 * A CPU under pressure has long run-queue waits as a rule, not once: its
 * p95 (over at least 100 waits) must cross the threshold.
 */
static uint64_t cpu_p95(const uint64_t *h)
{
	uint64_t total = 0;
	unsigned k;

	for (k = 0; k < NR_SLOTS; k++)
		total += h[k];
	return total < 100 ? 0 : ws_log2_quantile_ns(h, 0, 0.95, NULL);
}

static void find_pressure(const struct ws_snapshot *s, const struct ws_opts *o,
			  struct ws_findings *out)
{
	const struct ws_stats *st = &s->stats;
	unsigned c, hot = 0;
	uint64_t worst = 0;
	char p[32], th[32];
	struct ws_finding *f;

	if (o->pid)
		return;
	for (c = 0; c < st->ncpus; c++) {
		uint64_t q = cpu_p95(st->runq[c]);

		if (q >= o->runq_p99_ns)
			hot++;
		if (q > worst)
			worst = q;
	}
	if (!hot)
		return;
	f = add(out, K_PRESSURE, 0, worst);
	ws_fmt_dur(p, sizeof(p), worst);
	ws_fmt_dur(th, sizeof(th), o->runq_p99_ns);
	SETF(what, "%u of %u CPUs have a run-queue wait p95 of at least %s (worst %s)", hot,
	     st->ncpus, th, p);
	SETF(threshold, "per-CPU runq p95 >= %s (--runq-p99), over 100+ waits", th);
	SETF(cause, hot == st->ncpus ? "the machine is saturated: more runnable threads than CPUs"
				     : "load is concentrated on some CPUs (pinning, cpusets or IRQ affinity)");
	SETF(next, "waitscope top --sort runq; mpstat -P ALL 1; check cpusets and taskset pinning");
}

/*
 * Only threads untracked now are a problem: drops in the past (a burst of
 * short-lived threads) left the counts of those threads out, which is worth
 * knowing when reading the numbers, but nothing to fix now.
 */
static void find_health(const struct ws_snapshot *s, struct ws_findings *out)
{
	const struct ws_stats *st = &s->stats;
	struct ws_finding *f;

	if (!st->present)
		return;
	if (!st->enabled) {
		f = add(out, K_HEALTH, 0, UINT64_MAX / 4);
		SETF(what, "tracing is disabled: nothing new is being counted");
		SETF(threshold, "enabled = 0");
		SETF(cause, "someone ran 'waitscope disable' or set enabled=0");
		SETF(next, "waitscope enable");
	}
	if (st->dropped) {
		f = add(out, K_HEALTH, 0, UINT64_MAX / 8);
		SETF(what, "the thread table is full: %llu threads are not tracked now (%llu since tracing began), capacity %llu",
		     (unsigned long long)st->dropped, (unsigned long long)st->dropped_total,
		     (unsigned long long)st->capacity);
		SETF(threshold, "dropped > 0");
		SETF(cause, "more live threads than the capacity module parameter");
		SETF(next, "reload with a larger capacity (1 KiB a thread): rmmod waitscope; insmod waitscope.ko capacity=%llu",
		     (unsigned long long)st->capacity * 2);
	} else if (st->capacity && st->used * 10 >= st->capacity * 9) {
		f = add(out, K_HEALTH, 0, UINT64_MAX / 8);
		SETF(what, "the thread table is %llu%% full (%llu of %llu)",
		     (unsigned long long)(st->used * 100 / st->capacity),
		     (unsigned long long)st->used, (unsigned long long)st->capacity);
		SETF(threshold, "90%% of capacity");
		SETF(cause, "nearly as many live threads as the capacity module parameter");
		SETF(next, "reload with a larger capacity before threads are dropped");
	}
	if (!st->dropped && st->dropped_total)
		add_note(out, "%llu threads were not tracked at some time since tracing began (the thread table was full; none is untracked now): their time is missing from the counts",
			 (unsigned long long)st->dropped_total);
	if (st->futex_dropped) {
		f = add(out, K_HEALTH, 0, UINT64_MAX / 16);
		SETF(what, "%llu futex waits were not recorded per address: the futex table (%llu entries) is full",
		     (unsigned long long)st->futex_dropped, (unsigned long long)st->futex_capacity);
		SETF(threshold, "futex_dropped > 0");
		SETF(cause, "more distinct futex words than futex_capacity");
		SETF(next, "reload with a larger futex_capacity");
	}
}

/* Deadlocks first (nothing in them will ever go on), then by the thread time they cover. */
static int finding_cmp(const void *a, const void *b)
{
	const struct ws_finding *x = a, *y = b;

	if ((x->kind == K_DEADLOCK) != (y->kind == K_DEADLOCK))
		return x->kind == K_DEADLOCK ? -1 : 1;
	return x->impact_ns < y->impact_ns ? 1 : x->impact_ns > y->impact_ns ? -1 : 0;
}

/* Without the waits-for graph, one note says why findings name no holder. */
static void waits_note(const struct ws_opts *o, const struct ctx *cx, struct ws_findings *out)
{
	if (cx->g)
		return;
	if (o->waits)
		add_note(out, "the waits-for graph is not resolved (%s): findings name no holder or root, and deadlocks and frozen processes are not looked for",
			 o->waits->why_not[0] ? o->waits->why_not : "no reason given");
	else
		add_note(out, "the waits-for graph was not built: findings name no holder or root, and deadlocks and frozen processes are not looked for");
}

void ws_diagnose(const struct ws_snapshot *s, const struct ws_opts *o, struct ws_findings *out)
{
	struct ctx cx = { 0 };
	size_t i;

	ctx_init(s, o, &cx);
	find_health(s, out);
	find_deadlock(s, o, &cx, out);
	find_frozen(s, o, &cx, out);
	find_stuck(s, o, &cx, out);
	find_contention(s, o, &cx, out);
	find_hidden(s, o, &cx, out);
	find_starving(s, o, &cx, out);
	find_pressure(s, o, out);
	waits_note(o, &cx, out);
	for (i = 0; i < out->n; i++) {
		tids_settle(&out->f[i]);
		if (out->f[i].about_blocked) {
			finding_waits(s, &cx, &out->f[i]);
			ws_finding_where(&out->f[i], o);
		}
	}
	ctx_free(&cx);
	if (out->n)
		qsort(out->f, out->n, sizeof(*out->f), finding_cmp);
}

/* ---- interval mode: b becomes b minus a ---- */

static void hist_minus(struct ws_snapshot *b, struct ws_thread *tb, const struct ws_snapshot *a,
		       const struct ws_thread *ta, int r)
{
	unsigned i, j;

	for (i = 0; i < tb->hist_len[r]; i++) {
		ws_bucket *x = &b->buckets[tb->hist_first[r] + i];

		for (j = 0; j < ta->hist_len[r]; j++) {
			ws_bucket y = a->buckets[ta->hist_first[r] + j];

			if (WS_BUCKET_SLOT(y) == WS_BUCKET_SLOT(*x)) {
				uint64_t n = WS_BUCKET_N(*x) > WS_BUCKET_N(y) ?
					     WS_BUCKET_N(*x) - WS_BUCKET_N(y) : 0;
				*x = WS_BUCKET(WS_BUCKET_SLOT(*x), n);
			}
		}
	}
}

static bool counters_grew(const struct ws_thread *b, const struct ws_thread *a)
{
	int r;

	if (b->oncpu_ns < a->oncpu_ns || b->nvcsw < a->nvcsw || b->nivcsw < a->nivcsw)
		return false;
	for (r = 0; r < NR_REASONS; r++)
		if (b->r[r].n < a->r[r].n || b->r[r].ns < a->r[r].ns)
			return false;
	return true;
}

/* A futex row's key, and where it is: a's rows sorted, searched by b's. */
struct futex_key {
	uint32_t tgid;
	uint64_t uaddr;
	size_t i;
};

static int futex_key_cmp(const void *x, const void *y)
{
	const struct futex_key *p = x, *q = y;

	if (p->tgid != q->tgid)
		return p->tgid < q->tgid ? -1 : 1;
	if (p->uaddr != q->uaddr)
		return p->uaddr < q->uaddr ? -1 : 1;
	return p->i < q->i ? -1 : p->i > q->i;
}

/* The first of a's rows for (tgid, uaddr), as the first match before. */
static const struct futex_key *futex_lookup(const struct futex_key *k, size_t n, uint32_t tgid,
					    uint64_t uaddr)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (k[mid].tgid < tgid || (k[mid].tgid == tgid && k[mid].uaddr < uaddr))
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < n && k[lo].tgid == tgid && k[lo].uaddr == uaddr ? &k[lo] : NULL;
}

/* b's futex counts less a's, word by word: sorted once, O(n log n). */
static void futex_minus(struct ws_snapshot *b, const struct ws_snapshot *a)
{
	struct futex_key *k = ws_xcalloc(a->nfutex + 1, sizeof(*k));
	size_t i;

	for (i = 0; i < a->nfutex; i++)
		k[i] = (struct futex_key){ a->futex[i].tgid, a->futex[i].uaddr, i };
	qsort(k, a->nfutex, sizeof(*k), futex_key_cmp);
	for (i = 0; i < b->nfutex; i++) {
		struct ws_futex *fb = &b->futex[i];
		const struct futex_key *m = futex_lookup(k, a->nfutex, fb->tgid, fb->uaddr);
		const struct ws_futex *fa = m ? &a->futex[m->i] : NULL;

		if (fa && fb->count >= fa->count && fb->total_ns >= fa->total_ns) {
			fb->count -= fa->count;
			fb->total_ns -= fa->total_ns;
			fb->lock_n -= fb->lock_n >= fa->lock_n ? fa->lock_n : fb->lock_n;
		}
	}
	free(k);
}

/*
 * What happened between two snapshots.  A thread in both (same tid and
 * start time, and counters that only grew) keeps the difference; one that
 * is new, or whose counters went down (its tid was reused), keeps all it
 * has.  Maxima and the current state are the later snapshot's.
 */
void ws_snapshot_delta(struct ws_snapshot *b, const struct ws_snapshot *a)
{
	size_t i;
	size_t k;
	int r;

	for (i = 0; i < b->nthreads; i++) {
		struct ws_thread *tb = &b->threads[i];
		const struct ws_thread *ta = ws_find_same(a, b, tb);

		if (!ta || !counters_grew(tb, ta))
			continue;
		tb->oncpu_ns -= ta->oncpu_ns;
		tb->nvcsw -= ta->nvcsw;
		tb->nivcsw -= ta->nivcsw;
		for (r = 0; r < NR_REASONS; r++) {
			tb->r[r].n -= ta->r[r].n;
			tb->r[r].ns -= ta->r[r].ns;
			hist_minus(b, tb, a, ta, r);
		}
	}
	futex_minus(b, a);
	for (i = 0; i < b->stats.ncpus && i < a->stats.ncpus; i++)
		for (k = 0; k < NR_SLOTS; k++)
			b->stats.runq[i][k] -= b->stats.runq[i][k] >= a->stats.runq[i][k] ?
					       a->stats.runq[i][k] : b->stats.runq[i][k];
}
