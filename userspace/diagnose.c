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
	o->contention_ns = 100 * NS_PER_MS;
	o->contention_share = 0.2;
	o->cgroup_root = "/sys/fs/cgroup";
}

const char *ws_kind_name(enum ws_kind k)
{
	static const char *const names[] = { "stuck", "lock-contention", "hidden-blocking",
					     "starving", "cpu-pressure", "module-health" };

	return names[k];
}

static struct ws_finding *add(struct ws_findings *fs, enum ws_kind kind, uint32_t pid,
			      uint64_t impact)
{
	struct ws_finding *f;

	if (fs->n == fs->cap) {
		size_t cap = fs->cap ? fs->cap * 2 : 16;
		struct ws_finding *nf = realloc(fs->f, cap * sizeof(*nf));

		if (!nf) {
			fprintf(stderr, "waitscope: out of memory\n");
			exit(2);
		}
		fs->f = nf;
		fs->cap = cap;
	}
	f = &fs->f[fs->n++];
	memset(f, 0, sizeof(*f));
	f->kind = kind;
	f->pid = pid;
	f->impact_ns = impact;
	return f;
}

/* A finding's text, allocated to size (a report may hold thousands). */
static void set_text(char **field, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void set_text(char **field, const char *fmt, ...)
{
	char *old = *field, *add_txt;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&add_txt, fmt, ap);
	va_end(ap);
	if (n < 0) {
		fprintf(stderr, "waitscope: out of memory\n");
		exit(2);
	}
	/* Text made from thread names: nothing a terminal would act on. */
	ws_sanitize(add_txt);
	if (!old) {
		*field = add_txt;
		return;
	}
	/* Appending to what is there. */
	if (asprintf(field, "%s%s", old, add_txt) < 0) {
		fprintf(stderr, "waitscope: out of memory\n");
		exit(2);
	}
	free(old);
	free(add_txt);
}

#define SETF(field, ...) set_text(&f->field, __VA_ARGS__)

void ws_findings_free(struct ws_findings *fs)
{
	size_t i;

	for (i = 0; i < fs->n; i++) {
		free(fs->f[i].what);
		free(fs->f[i].threshold);
		free(fs->f[i].cause);
		free(fs->f[i].next);
	}
	free(fs->f);
	memset(fs, 0, sizeof(*fs));
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
	uint64_t off_ns;	/* off-CPU time of those threads */
};

struct ctx {
	uint32_t *order;	/* thread indexes sorted by process, then pool */
	double *median;		/* per thread: its pool's median runq share */
	int *pool_n;		/* per thread: threads in its pool, itself included */
	struct proc_agg *procs;	/* sorted by tgid */
	size_t nprocs;
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


static void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size);

	if (!p) {
		fprintf(stderr, "waitscope: out of memory\n");
		exit(2);
	}
	return p;
}

static void ctx_pools(const struct ws_snapshot *s, struct ctx *cx)
{
	struct pool_key *k = xcalloc(s->nthreads, sizeof(*k));
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
			cx->median[k[i].idx] = k[a + (j - a) / 2].share;
		}
	}
	free(k);
}

static void ctx_procs(const struct ws_snapshot *s, struct ctx *cx)
{
	struct proc_agg *p = xcalloc(s->nthreads, sizeof(*p));
	size_t i, n = 0;

	for (i = 0; i < s->nthreads; i++)
		p[i].tgid = s->threads[i].tgid;
	qsort(p, s->nthreads, sizeof(*p), proc_cmp);
	for (i = 0; i < s->nthreads; i++)
		if (!n || p[n - 1].tgid != p[i].tgid)
			p[n++].tgid = p[i].tgid;
	cx->procs = p;
	cx->nprocs = n;
	for (i = 0; i < s->nthreads; i++) {
		const struct ws_thread *t = &s->threads[i];
		struct proc_agg *a = proc_of(cx, t->tgid);

		if (t->r[R_FUTEX].n) {
			a->off_ns += off_total(t);
			a->futex_waiters++;
		}
	}
}

static void ctx_init(const struct ws_snapshot *s, struct ctx *cx)
{
	cx->order = xcalloc(s->nthreads, sizeof(*cx->order));
	cx->median = xcalloc(s->nthreads, sizeof(*cx->median));
	cx->pool_n = xcalloc(s->nthreads, sizeof(*cx->pool_n));
	ctx_pools(s, cx);
	ctx_procs(s, cx);
}

static void ctx_free(struct ctx *cx)
{
	free(cx->order);
	free(cx->median);
	free(cx->pool_n);
	free(cx->procs);
}

/* The first frame that says where, past the scheduler's own: "pipe_read". */
const char *ws_top_frame(const struct ws_snapshot *s, const struct ws_thread *t, char *buf,
			 size_t n)
{
	static const char *const sched[] = {
		"__schedule", "schedule", "preempt_schedule", "io_schedule", "__switch_to",
		"rt_mutex_schedule", "__traceiter", "__bpf_trace",
	};
	unsigned i, k;

	for (i = 0; i < t->stack_len; i++) {
		const char *f = ws_str(s, s->frames[t->stack_first + i]);
		bool skip = false;

		for (k = 0; k < sizeof(sched) / sizeof(sched[0]); k++)
			if (!strncmp(f, sched[k], strlen(sched[k])))
				skip = true;
		if (skip)
			continue;
		snprintf(buf, n, "%.*s", (int)strcspn(f, "+"), f);
		return buf;
	}
	return NULL;
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
		} else if (!strncmp(key, "frame=", 6)) {
			if (!ws_top_frame(s, t, val, sizeof(val)))
				continue;
		} else {
			continue;
		}
		if (!fnmatch(eq + 1, val, 0))
			return true;
	}
	return false;
}

/*
 * A wait that is how idle threads wait, not a problem however long it
 * lasts: event loops, sleeps, child and signal waits, a server's accept or
 * receive, a terminal read, kernel threads with nothing to do, and futex
 * waits of condition-variable style (FUTEX_WAIT_BITSET: pthread_cond_wait,
 * sem_wait), which is how an idle pool parks.  Lock waits (FUTEX_WAIT,
 * LOCK_PI) and pipe reads are not idle.
 */
bool ws_is_idle_wait(const struct ws_snapshot *s, const struct ws_thread *t,
		     const struct ws_opts *o)
{
	static const int idle_syscalls[] = { 7, 23, 34, 35, 43, 45, 47, 61, 128, 130, 206, 208,
					     230, 232, 247, 270, 271, 281, 288, 299, 426, 441 };
	static const char *const idle_frames[] = {
		"n_tty_read", "sk_wait_data", "inet_csk_accept", "unix_stream_read_generic",
		"unix_dgram_recvmsg", "tcp_recvmsg", "__skb_wait_for_more_packets",
	};
	const char *op;
	size_t i;

	if (allowed(s, t, o))
		return true;
	if (t->state == R_SLEEP && t->kthread)
		return true;
	if (t->state == R_FUTEX) {
		op = ws_str(s, t->futex_op);
		return !strcmp(op, "wait_bitset") || !strcmp(op, "wait_requeue_pi");
	}
	if (t->state != R_SLEEP)
		return false;
	for (i = 0; i < sizeof(idle_syscalls) / sizeof(idle_syscalls[0]); i++)
		if (t->syscall == idle_syscalls[i])
			return true;
	return frame_in_stack(s, t, idle_frames, sizeof(idle_frames) / sizeof(idle_frames[0]));
}

static const char *comm_of(const struct ws_snapshot *s, uint32_t tgid, char *buf, size_t n)
{
	const struct ws_thread *t = ws_find_thread(s, tgid);

	ws_unescape_comm(t ? ws_str(s, t->comm) : "?", buf, n);
	return buf;
}

/* ---- stuck ---- */

struct site {
	uint32_t tgid;
	int reason, syscall;
	uint64_t futex;
	char frame[64];
	int n;
	uint64_t lo, hi, sum;
	bool partial;
	uint32_t tid;
};

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
	char call[48], at[80] = "";

	if (w->reason == R_FUTEX) {
		snprintf(buf, n, "a futex wait on 0x%llx", (unsigned long long)w->futex);
		return;
	}
	if (w->syscall < 0)
		snprintf(call, sizeof(call), "outside any syscall");
	else if (sc)
		snprintf(call, sizeof(call), "%s%s()", kind[w->reason] ? "in " : "", sc);
	else
		snprintf(call, sizeof(call), "%ssyscall %d", kind[w->reason] ? "in " : "",
			 w->syscall);
	if (w->frame[0])
		snprintf(at, sizeof(at), " at %s", w->frame);
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

static int site_key_cmp(const void *a, const void *b)
{
	const struct site *x = a, *y = b;

	if (x->tgid != y->tgid)
		return x->tgid < y->tgid ? -1 : 1;
	if (x->reason != y->reason)
		return x->reason - y->reason;
	if (x->syscall != y->syscall)
		return x->syscall < y->syscall ? -1 : 1;
	if (x->futex != y->futex)
		return x->futex < y->futex ? -1 : 1;
	return strcmp(x->frame, y->frame);
}

/* Fold the run of same-site waits starting at w[0] into w[0]; its length. */
static size_t site_fold(struct site *w, size_t n)
{
	size_t j;

	for (j = 1; j < n && !site_key_cmp(&w[0], &w[j]); j++) {
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

static void stuck_emit(const struct ws_snapshot *s, const struct ws_opts *o,
		       const struct site *w, struct ws_findings *out)
{
	struct ws_finding *f = add(out, K_STUCK, w->tgid, w->sum);
	char comm[64], lo[32], hi[32], where[160], th[32];

	f->nthreads = w->n;
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
	SETF(threshold, "blocked for at least %s (--stuck)", th);
	if (w->reason == R_FUTEX) {
		SETF(cause, "a lock that is never released (a deadlock, or a lock leaked on an error path), or a wake-up that never comes");
		SETF(next, "the user stacks of the waiters and of the lock's owner: gdb -p %u -batch -ex 'thread apply all bt'", w->tgid);
	} else if (w->reason == R_IO || w->reason == R_UNINT) {
		SETF(cause, "the kernel is waiting on a device, a filesystem or a kernel lock that does not complete");
		SETF(next, "cat /proc/%u/stack; dmesg for I/O errors or hung-task reports", w->tid);
	} else {
		SETF(cause, "waiting for input that never arrives: the writer of a pipe or socket is gone or stuck");
		SETF(next, "ls -l /proc/%u/fd, then find which process holds the other end", w->tgid);
	}
}

/* Threads blocked now for at least --stuck, grouped by process and wait site. */
static void find_stuck(const struct ws_snapshot *s, const struct ws_opts *o,
		       struct ws_findings *out)
{
	struct site *w = xcalloc(s->nthreads, sizeof(*w));
	size_t i, n = 0, nsites = 0;

	for (i = 0; i < s->nthreads; i++) {
		const struct ws_thread *t = &s->threads[i];
		struct site *x = &w[n];

		if (t->state <= R_RUNQ || t->off_ns < o->stuck_ns || (o->pid && t->tgid != o->pid) ||
		    ws_is_idle_wait(s, t, o))
			continue;
		x->tgid = t->tgid;
		x->reason = t->state;
		x->syscall = t->syscall;
		x->futex = t->state == R_FUTEX ? t->futex_addr : 0;
		ws_top_frame(s, t, x->frame, sizeof(x->frame));
		x->n = 1;
		x->lo = x->hi = x->sum = t->off_ns;
		x->partial = t->partial;
		x->tid = t->tid;
		n++;
	}
	qsort(w, n, sizeof(*w), site_key_cmp);
	for (i = 0; i < n;) {
		size_t run = site_fold(&w[i], n - i);

		w[nsites++] = w[i];
		i += run;
	}
	qsort(w, nsites, sizeof(*w), site_cmp);
	for (i = 0; i < nsites; i++)
		stuck_emit(s, o, &w[i], out);
	free(w);
}

/* ---- lock contention ---- */

static void find_contention(const struct ws_snapshot *s, const struct ws_opts *o,
			    const struct ctx *cx, struct ws_findings *out)
{
	size_t i;

	for (i = 0; i < s->nfutex; i++) {
		const struct ws_futex *x = &s->futex[i];
		char comm[64], tot[32], mx[32], th[32];
		const struct proc_agg *pa = proc_of(cx, x->tgid);
		uint64_t poff = pa ? pa->off_ns : 0;
		int waiters = pa ? pa->futex_waiters : 0;
		struct ws_finding *f;
		double share;

		if (o->pid && x->tgid != o->pid)
			continue;
		/* Condition-variable waits are how idle pools wait, not contention. */
		if (!strcmp(ws_str(s, x->op), "wait_bitset") ||
		    !strcmp(ws_str(s, x->op), "wait_requeue_pi"))
			continue;
		share = poff ? (double)x->total_ns / (double)poff : 0;
		if (!(x->waiting >= 2 || (x->total_ns >= o->contention_ns &&
					  share >= o->contention_share && waiters >= 2)))
			continue;
		f = add(out, K_CONTENTION, x->tgid, x->total_ns);
		f->nthreads = waiters;
		comm_of(s, x->tgid, comm, sizeof(comm));
		ws_fmt_dur(tot, sizeof(tot), x->total_ns);
		ws_fmt_dur(mx, sizeof(mx), x->max_ns);
		ws_fmt_dur(th, sizeof(th), o->contention_ns);
		SETF(what, "lock contention in pid %u (%s) on futex 0x%llx: %llu waits totalling %s (%.0f%% of the off-CPU time of its futex waiters), longest %s, %u waiting now",
		     x->tgid, comm, (unsigned long long)x->uaddr, (unsigned long long)x->count, tot,
		     share * 100, mx, x->waiting);
		SETF(threshold, "2+ waiters at once, or at least %s and %.0f%% of off-CPU time (--contention)",
		     th, o->contention_share * 100);
		SETF(cause, "threads serialize on one lock: a hot mutex, or work done while holding it");
		SETF(next, "which code takes the lock at 0x%llx: perf record -g -p %u, or gdb on a waiter; shorten the critical section or shard the lock",
		     (unsigned long long)x->uaddr, x->tgid);
	}
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
	struct hidden_group *g = xcalloc(s->nthreads, sizeof(*g));
	size_t n, ng = 0, k;

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
	}
	for (k = 0; k < ng; k++)
		hidden_emit(s, o, &g[k], out);
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

/* Why it starves: its cgroup's quota, the threads that take its CPU. */
static void starve_cause(const struct ws_snapshot *s, const struct ws_opts *o,
			 const struct ws_thread *t, char *buf, size_t n)
{
	char by[128], path[4096];
	uint64_t nr, usec;

	preemptor_desc(s, t, by, sizeof(by));
	if (ws_cgroup_path(o->cgroup_root, t->cgroup, path, sizeof(path))) {
		ws_cgroup_throttling(path, &nr, &usec);
		if (nr) {
			snprintf(buf, n, "its cgroup %s hit its CPU quota %llu times (throttled %.1fs); last preempted by %s",
				 path + strlen(o->cgroup_root), (unsigned long long)nr, usec / 1e6, by);
			return;
		}
	}
	snprintf(buf, n, "the CPU is taken by other runnable threads (thread %u was last preempted by %s); pinned or quota-limited threads starve first",
		 t->tid, by);
}

static void starve_emit(const struct ws_snapshot *s, const struct ws_opts *o,
			const struct starve_group *g, struct ws_findings *out)
{
	struct ws_finding *f = add(out, K_STARVING, g->tgid, g->runq_ns);
	char comm[64], pq[32], th[32], pname[64];

	f->nthreads = g->n;
	ws_unescape_comm(ws_str(s, g->worst->comm), comm, sizeof(comm));
	for (char *p = comm; *p; p++)
		if ((unsigned char)*p < 0x20)
			*p = '?';
	snprintf(pname, sizeof(pname), "%s", g->pool);
	ws_fmt_approx(pq, sizeof(pq), g->worst_p99);
	ws_fmt_dur(th, sizeof(th), o->runq_p99_ns);
	if (g->n == 1 && g->vs_siblings)
		SETF(what, "worker %u (%s) of pid %u waits for a CPU %.0f%% of its time, %.1fx the median of its %d siblings; p99 run-queue wait %s",
		     g->worst->tid, comm, g->tgid, g->hi * 100, g->ratio, g->nsib, pq);
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
	{
		char cause[512];

		starve_cause(s, o, g->worst, cause, sizeof(cause));
		SETF(cause, "%s", cause);
	}
	SETF(next, "taskset -pc %u (is it pinned?), the cgroup's cpu.stat, and what takes the CPU: waitscope top --sort runq",
	     g->worst->tid);
}

static void find_starving(const struct ws_snapshot *s, const struct ws_opts *o,
			  const struct ctx *cx, struct ws_findings *out)
{
	struct starve_group *g = xcalloc(s->nthreads, sizeof(*g));
	size_t n, ng = 0, k;

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
	}
	for (k = 0; k < ng; k++)
		starve_emit(s, o, &g[k], out);
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
	if (st->dropped || st->dropped_total) {
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
	if (st->futex_dropped) {
		f = add(out, K_HEALTH, 0, UINT64_MAX / 16);
		SETF(what, "%llu futex waits were not recorded per address: the futex table (%llu entries) is full",
		     (unsigned long long)st->futex_dropped, (unsigned long long)st->futex_capacity);
		SETF(threshold, "futex_dropped > 0");
		SETF(cause, "more distinct futex words than futex_capacity");
		SETF(next, "reload with a larger futex_capacity");
	}
}

static int finding_cmp(const void *a, const void *b)
{
	const struct ws_finding *x = a, *y = b;

	return x->impact_ns < y->impact_ns ? 1 : x->impact_ns > y->impact_ns ? -1 : 0;
}

void ws_diagnose(const struct ws_snapshot *s, const struct ws_opts *o, struct ws_findings *out)
{
	struct ctx cx = { 0 };

	ctx_init(s, &cx);
	find_health(s, out);
	find_stuck(s, o, out);
	find_contention(s, o, &cx, out);
	find_hidden(s, o, &cx, out);
	find_starving(s, o, &cx, out);
	find_pressure(s, o, out);
	ctx_free(&cx);
	if (out->n)
		qsort(out->f, out->n, sizeof(*out->f), finding_cmp);
}

/* ---- interval mode: b becomes b minus a ---- */

static void hist_minus(struct ws_snapshot *b, struct ws_thread *tb, const struct ws_snapshot *a,
		       const struct ws_thread *ta, int r)
{
	struct ws_hist_ref *hb = &tb->hist[r];
	const struct ws_hist_ref *ha = &ta->hist[r];
	unsigned i, j;

	for (i = 0; i < hb->len; i++) {
		ws_bucket *x = &b->buckets[hb->first + i];

		for (j = 0; j < ha->len; j++) {
			ws_bucket y = a->buckets[ha->first + j];

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
	struct futex_key *k = xcalloc(a->nfutex + 1, sizeof(*k));
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
