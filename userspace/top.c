// SPDX-License-Identifier: GPL-2.0
/*
 * waitscope top: where each thread's time went over the last interval,
 * from the difference of two snapshots, refreshed every -d seconds, and
 * how many of its waits the flight recorder kept as slow in it.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "diagnose.h"
#include "top.h"

enum { G_THREAD, G_PROCESS, G_POOL, G_CGROUP };
enum { S_ONCPU, S_RUNQ, S_BLOCKED, S_P99, S_LONGEST };

struct row {
	char name[80];
	uint64_t id;		/* tid, pid or cgroup id */
	uint32_t tgid;
	int n;
	uint64_t oncpu, r[NR_REASONS], p99, longest;
	uint64_t slow;		/* the recorder's wait events in the interval */
};

const char *ws_top_cgroup_root = "/sys/fs/cgroup";

static volatile sig_atomic_t stop;
static bool restore_cursor;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static void restore_terminal(void)
{
	if (restore_cursor)
		fputs("\033[?25h", stdout);
	fflush(stdout);
}

static const char *const sort_keys[] = { "oncpu", "runq", "blocked", "p99", "longest" };
static const char *const group_names[] = { "thread", "process", "pool", "cgroup" };

static int sort_key;

static uint64_t key_of(const struct row *r)
{
	switch (sort_key) {
	case S_ONCPU: return r->oncpu;
	case S_RUNQ: return r->r[R_RUNQ];
	case S_BLOCKED: return r->r[R_FUTEX] + r->r[R_IO] + r->r[R_UNINT] + r->r[R_SLEEP];
	case S_P99: return r->p99;
	default: return r->longest;
	}
}

static int row_cmp(const void *a, const void *b)
{
	uint64_t x = key_of(a), y = key_of(b);

	return x < y ? 1 : x > y ? -1 : 0;
}

static void row_name(const struct ws_snapshot *s, const struct ws_thread *t, int group,
		     struct row *r)
{
	char comm[64], pool[64];

	ws_unescape_comm(ws_str(s, t->comm), comm, sizeof(comm));
	switch (group) {
	case G_THREAD:
		r->id = t->tid;
		snprintf(r->name, sizeof(r->name), "%s", comm);
		break;
	case G_PROCESS: {
		const struct ws_thread *l = ws_find_thread(s, t->tgid);

		r->id = t->tgid;
		if (l)
			ws_unescape_comm(ws_str(s, l->comm), comm, sizeof(comm));
		snprintf(r->name, sizeof(r->name), "%s", comm);
		break;
	}
	case G_POOL:
		r->id = t->tgid;
		ws_pool_name(comm, pool, sizeof(pool));
		snprintf(r->name, sizeof(r->name), "%s", pool);
		break;
	default:
		r->id = t->cgroup;
		snprintf(r->name, sizeof(r->name), "cgroup %llu", (unsigned long long)t->cgroup);
		break;
	}
	ws_sanitize(r->name);
	r->tgid = t->tgid;
}

struct keyed {
	struct row r;
	uint32_t idx;
};

static int keyed_cmp(const void *a, const void *b)
{
	const struct keyed *x = a, *y = b;

	if (x->r.id != y->r.id)
		return x->r.id < y->r.id ? -1 : 1;
	return strcmp(x->r.name, y->r.name);
}

/*
 * ---- a thread's time inside the window [t0, t1] ----
 *
 * The threads file counts intervals when they end (r[].ns, oncpu_ns) and
 * gives the one in progress as state and off_ns.  An interval that ended
 * in the window may have begun before t0, and one in progress may span it
 * all, so the difference of the counters is not the window's share.
 */
struct share {
	uint64_t cpu, r[NR_REASONS];
};

static uint64_t clip(uint64_t v, uint64_t max)
{
	return v < max ? v : max;
}

static uint64_t minus(uint64_t x, uint64_t y)
{
	return x > y ? x - y : 0;
}

/* a is b's earlier row: nothing went down (else the tid was reused). */
static bool same_life(const struct ws_thread *b, const struct ws_thread *a)
{
	int r;

	if (b->oncpu_ns < a->oncpu_ns)
		return false;
	for (r = 0; r < NR_REASONS; r++)
		if (b->r[r].n < a->r[r].n || b->r[r].ns < a->r[r].ns)
			return false;
	return true;
}

/* Ended intervals scaled to fit the room before the interval in progress. */
static void fit_done(struct share *sh, uint64_t room)
{
	uint64_t done = sh->cpu;
	double f;
	int r;

	for (r = 0; r < NR_REASONS; r++)
		done += sh->r[r];
	if (done <= room)
		return;
	f = (double)room / (double)done;
	sh->cpu = (uint64_t)((double)sh->cpu * f);
	for (r = 0; r < NR_REASONS; r++)
		sh->r[r] = (uint64_t)((double)sh->r[r] * f);
}

/*
 * b's time in a window of w ns that a (NULL: b is new) began: what ended
 * in it less the part before t0 of the interval a was in (if that ended),
 * plus the part in the window of the interval b is in.  Each at most w,
 * and all of them together too.
 */
static void window_share(const struct ws_thread *b, const struct ws_thread *a, uint64_t w,
			 struct share *sh)
{
	uint64_t now = b->state >= 0 ? clip(b->off_ns, w) : 0;
	int r;

	if (a && !same_life(b, a))
		a = NULL;
	sh->cpu = clip(a ? minus(b->oncpu_ns, a->oncpu_ns) : b->oncpu_ns, w);
	for (r = 0; r < NR_REASONS; r++) {
		uint64_t d = a ? minus(b->r[r].ns, a->r[r].ns) : b->r[r].ns;

		/* b still in a's interval (begun before t0): it has not ended. */
		if (a && a->state == r && !(b->state == r && b->off_ns >= w))
			d = minus(d, a->off_ns);
		sh->r[r] = clip(d, w);
	}
	fit_done(sh, w - now);
	if (b->state >= 0)
		sh->r[b->state] += now;
}

/*
 * ---- the flight recorder's wait events of each refresh (the SLOW column) ----
 *
 * Each refresh reads only the events after the last seq the one before
 * saw (the module serves just those); the first, which has no such seq,
 * takes those that ended after the first snapshot, as does a refresh after
 * the recorder's numbering began again (the module reloaded).
 */
struct slow_reader {
	const char *dir;
	bool started;		/* after is the last seq seen */
	uint64_t after;
};

/* One refresh's wait events by thread: tid << 32 | tgid, sorted. */
struct slow_counts {
	bool have;		/* an events file, with the recorder on: else SLOW is "-" */
	uint64_t *key;
	size_t n;
};

static uint64_t slow_key(uint32_t tid, uint32_t tgid)
{
	return (uint64_t)tid << 32 | tgid;
}

/* The wait events of e that ended after since_ns (module clock), into sc. */
static void slow_count(const struct ws_events *e, uint64_t since_ns, struct slow_counts *sc)
{
	size_t i;

	sc->have = e->h.slow_min_us > 0;
	sc->key = ws_xcalloc(e->n + 1, sizeof(*sc->key));
	sc->n = 0;
	for (i = 0; i < e->n; i++)
		if (e->ev[i].kind == WS_EV_WAIT && e->ev[i].time_ns > since_ns)
			sc->key[sc->n++] = slow_key(e->ev[i].tid, e->ev[i].tgid);
	qsort(sc->key, sc->n, sizeof(*sc->key), ws_u64_cmp);
}

/*
 * The events since the last refresh (since_ns: when its snapshot was
 * taken, for a first read), counted by thread into sc; no events file
 * leaves sc->have false.  0, or the exit status (a garbled file).
 */
static int slow_refresh(struct slow_reader *rd, uint64_t since_ns, struct slow_counts *sc)
{
	struct ws_events e;
	struct ws_err err;

	memset(sc, 0, sizeof(*sc));
	if (!ws_events_exist(rd->dir))
		return 0;
	ws_events_init(&e);
	if (ws_events_load(rd->dir, rd->started ? rd->after : 0, &e, &err)) {
		fprintf(stderr, "waitscope: %s\n", err.msg);
		return 2;
	}
	if (rd->started && e.h.last < rd->after) {
		rd->started = false;
		ws_events_free(&e);
		return slow_refresh(rd, since_ns, sc);
	}
	slow_count(&e, rd->started ? 0 : since_ns, sc);
	rd->started = true;
	rd->after = e.h.last;
	ws_events_free(&e);
	return 0;
}

/* Thread t's events in sc: the run of its key. */
static uint64_t slow_of(const struct slow_counts *sc, const struct ws_thread *t)
{
	uint64_t k = slow_key(t->tid, t->tgid);
	size_t lo = 0, hi = sc->n, n = 0;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (sc->key[mid] < k)
			lo = mid + 1;
		else
			hi = mid;
	}
	while (lo + n < sc->n && sc->key[lo + n] == k)
		n++;
	return n;
}

/* One row per group (sorted by key, then merged): no pairwise search. */
static size_t build_rows(const struct ws_snapshot *s, const struct ws_snapshot *a,
			 const struct ws_snapshot *d, uint64_t window, int group, uint32_t pid,
			 const struct slow_counts *sc, struct row *rows)
{
	struct keyed *k = calloc(s->nthreads + 1, sizeof(*k));
	size_t i, n = 0, m = 0;

	if (!k)
		return 0;
	for (i = 0; i < s->nthreads; i++) {
		if (pid && s->threads[i].tgid != pid)
			continue;
		row_name(s, &s->threads[i], group, &k[m].r);
		k[m++].idx = (uint32_t)i;
	}
	qsort(k, m, sizeof(*k), keyed_cmp);
	for (i = 0; i < m; i++) {
		const struct ws_thread *t = &s->threads[k[i].idx];
		const struct ws_thread *td = &d->threads[k[i].idx];
		struct share sh;
		struct row *r;
		uint64_t p99;
		int q;

		if (!n || keyed_cmp(&k[i], &k[i - 1]))
			rows[n++] = k[i].r;
		r = &rows[n - 1];
		r->n++;
		window_share(t, ws_find_same(a, s, t), window, &sh);
		r->oncpu += sh.cpu;
		for (q = 0; q < NR_REASONS; q++)
			r->r[q] += sh.r[q];
		/* The window's intervals: the histograms' difference. */
		p99 = td->r[R_RUNQ].n ? ws_hist_quantile_ns(d, td, R_RUNQ, 0.99) : 0;
		if (p99 > r->p99)
			r->p99 = p99;
		if (t->state > R_RUNQ && t->off_ns > r->longest)
			r->longest = t->off_ns;
		r->slow += slow_of(sc, t);
	}
	free(k);
	return n;
}

static void pct(char *buf, size_t n, uint64_t v, uint64_t whole)
{
	snprintf(buf, n, "%.1f", whole ? 100.0 * (double)v / (double)whole : 0.0);
}

static void print_rows(struct row *rows, size_t n, int group, uint64_t window, int limit,
		       bool have_slow, struct ws_cgroup_map *cg)
{
	static const char *const heads[] = { "TID", "PID", "PID", "CGROUP" };
	char c[7][16], p99[32], lg[32], slow[24];
	size_t i;
	int q;

	printf("%8s %-20s %4s %6s %6s %6s %6s %6s %6s %6s %9s %9s\n", heads[group],
	       group == G_POOL ? "POOL" : "NAME", "N", "CPU%", "RUNQ%", "FUTEX%", "IO%", "D%",
	       "SLEEP%", "SLOW", "RUNQ_P99", "LONGEST");
	for (i = 0; i < n && (limit <= 0 || (int)i < limit); i++) {
		uint64_t whole = window * (uint64_t)rows[i].n;
		char path[4096];

		/* Live, a cgroup is shown as its path under the hierarchy. */
		if (group == G_CGROUP && ws_cgroup_map_path(cg, rows[i].id, path, sizeof(path))) {
			const char *rel = path + strlen(ws_top_cgroup_root);

			snprintf(rows[i].name, sizeof(rows[i].name), "%s", *rel ? rel : "/");
			ws_sanitize(rows[i].name);
		}

		pct(c[0], sizeof(c[0]), rows[i].oncpu, whole);
		for (q = 0; q < NR_REASONS; q++)
			pct(c[q + 1], sizeof(c[0]), rows[i].r[q], whole);
		ws_fmt_dur(p99, sizeof(p99), rows[i].p99);
		ws_fmt_dur(lg, sizeof(lg), rows[i].longest);
		snprintf(slow, sizeof(slow), "%llu", (unsigned long long)rows[i].slow);
		printf("%8llu %-20.20s %4d %6s %6s %6s %6s %6s %6s %6s %9s %9s\n",
		       (unsigned long long)rows[i].id,
		       rows[i].name, rows[i].n, c[0], c[1], c[2], c[3], c[4], c[5],
		       have_slow ? slow : "-",
		       rows[i].p99 ? p99 : "-", rows[i].longest ? lg : "-");
	}
}

static int top_help(void)
{
	printf("usage: waitscope top [-d S] [-b] [-n N] [--sort KEY] [-p PID] [--group G] [--lines L]\n"
	       "                     [--from DIR] [--cgroup-root DIR]\n\n"
	       "Every S seconds (default 2), the share of each thread's time over the last\n"
	       "interval on CPU, waiting for a CPU (RUNQ) and in each blocking reason, its\n"
	       "p99 run-queue wait, how many of its waits in the interval the flight\n"
	       "recorder kept as slow (SLOW: waits of at least the module's slow_min_us,\n"
	       "default 10ms; '-' without the recorder or with it off; the first refresh\n"
	       "counts those that ended after the first snapshot), and its longest\n"
	       "current block.\n\n"
	       "  -d S          refresh interval in seconds (default 2)\n"
	       "  -b            batch mode: plain text for logs, no screen control\n"
	       "  -n N          stop after N refreshes (default: until Ctrl-C)\n"
	       "  --sort KEY    oncpu, runq (default), blocked, p99 or longest\n"
	       "  -p PID        one process\n"
	       "  --group G     thread (default), process, pool (comm without digits) or cgroup\n"
	       "  --lines L     rows per refresh (default 20, 0 = all)\n"
	       "  --from DIR    the first snapshot is DIR (saved by 'waitscope snapshot'),\n"
	       "                the second the current source: one refresh over the time\n"
	       "                between them, without waiting\n"
	       "  --cgroup-root DIR  with --group cgroup, name cgroups by their path under\n"
	       "                DIR (default /sys/fs/cgroup live, ids for a snapshot)\n");
	return 0;
}

/* A snapshot from a directory other than the current source (--from). */
static int load_dir(struct ws_snapshot *s, const char *dir)
{
	struct ws_err err;

	ws_snapshot_init(s);
	if (ws_snapshot_load(s, dir, &err)) {
		ws_snapshot_free(s);
		fprintf(stderr, "waitscope: %s\n", err.msg);
		return 2;
	}
	return 0;
}

int ws_cmd_top(int argc, char **argv, const struct ws_source *src)
{
	static const struct option opts[] = {
		{ "sort", required_argument, NULL, 's' }, { "group", required_argument, NULL, 'g' },
		{ "lines", required_argument, NULL, 'l' }, { "help", no_argument, NULL, 'h' },
		{ "from", required_argument, NULL, 'f' },
		{ "cgroup-root", required_argument, NULL, 'c' },
		{ 0 },
	};
	double delay = 2;
	bool batch = false;
	long iters = 0, lines = 20;
	uint32_t pid = 0;
	const char *from = NULL;
	int group = G_THREAD, c, rc = 0;
	char *end;
	struct ws_snapshot a, b, d;
	struct slow_reader slow = { src->dir, false, 0 };
	struct ws_cgroup_map cg;
	struct sigaction sa;
	size_t k;

	sort_key = S_RUNQ;
	while ((c = getopt_long(argc, argv, "d:bn:p:h", opts, NULL)) != -1) {
		switch (c) {
		case 'd':
			delay = strtod(optarg, &end);
			if (end == optarg || *end || delay < 0.1 || delay > 3600)
				return fprintf(stderr, "waitscope top: -d takes seconds from 0.1 to 3600\n"), 2;
			break;
		case 'b': batch = true; break;
		case 'n':
			iters = strtol(optarg, &end, 10);
			if (end == optarg || *end || iters < 1)
				return fprintf(stderr, "waitscope top: -n takes a positive count\n"), 2;
			break;
		case 'p': {
			unsigned long v = strtoul(optarg, &end, 10);

			if (end == optarg || *end || !v || v > UINT32_MAX || *optarg == '-')
				return fprintf(stderr, "waitscope top: bad -p\n"), 2;
			pid = (uint32_t)v;
			break;
		}
		case 'l':
			lines = strtol(optarg, &end, 10);
			if (end == optarg || *end || lines < 0)
				return fprintf(stderr, "waitscope top: bad --lines\n"), 2;
			break;
		case 's':
			for (k = 0; k < 5 && strcmp(optarg, sort_keys[k]); k++)
				;
			if (k == 5)
				return fprintf(stderr, "waitscope top: --sort is oncpu, runq, blocked, p99 or longest\n"), 2;
			sort_key = (int)k;
			break;
		case 'g':
			for (k = 0; k < 4 && strcmp(optarg, group_names[k]); k++)
				;
			if (k == 4)
				return fprintf(stderr, "waitscope top: --group is thread, process, pool or cgroup\n"), 2;
			group = (int)k;
			break;
		case 'f': from = optarg; break;
		case 'c': ws_top_cgroup_root = optarg; break;
		case 'h': return top_help();
		default: return 2;
		}
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGQUIT, &sa, NULL);
	if (!batch && isatty(STDOUT_FILENO)) {
		restore_cursor = true;
		fputs("\033[?25l", stdout);
	}
	atexit(restore_terminal);
	ws_cgroup_map_init(&cg, ws_top_cgroup_root);
	rc = from ? load_dir(&a, from) : ws_load(&a);
	if (from)
		iters = 1;
	for (long i = 0; !rc && !stop && (!iters || i < iters); i++) {
		struct timespec ts = { (time_t)delay, (long)((delay - (time_t)delay) * 1e9) };
		struct slow_counts sc;
		struct row *rows;
		uint64_t window;
		size_t n;

		while (!from && !stop && nanosleep(&ts, &ts) && errno == EINTR)
			;
		if (stop)
			break;
		rc = ws_load(&b);
		if (!rc) {
			rc = slow_refresh(&slow, a.now_ns, &sc);
			if (rc)
				ws_snapshot_free(&b);
		}
		if (rc)
			break;
		window = b.now_ns > a.now_ns ? b.now_ns - a.now_ns : 1;
		/* d: b minus a, for the window's histograms. */
		ws_snapshot_copy(&d, &b);
		ws_snapshot_delta(&d, &a);
		rows = calloc(b.nthreads + 1, sizeof(*rows));
		if (!rows) {
			ws_snapshot_free(&b);
			ws_snapshot_free(&d);
			free(sc.key);
			rc = 2;
			break;
		}
		n = build_rows(&b, &a, &d, window, group, pid, &sc, rows);
		ws_snapshot_free(&d);
		/* The next round's window begins at b. */
		ws_snapshot_free(&a);
		a = b;
		qsort(rows, n, sizeof(*rows), row_cmp);
		if (!batch && restore_cursor)
			fputs("\033[H\033[2J", stdout);
		{
			time_t now = time(NULL);
			char when[32];

			strftime(when, sizeof(when), "%H:%M:%S", localtime(&now));
			printf("waitscope top  %s  %zu threads, interval %.1fs, by %s, sorted by %s\n",
			       when, b.nthreads, window / 1e9, group_names[group], sort_keys[sort_key]);
		}
		ws_cgroup_map_refresh(&cg);
		print_rows(rows, n, group, window, (int)lines, sc.have, &cg);
		free(sc.key);
		printf("\n");
		fflush(stdout);
		free(rows);
	}
	ws_snapshot_free(&a);
	ws_cgroup_map_free(&cg);
	restore_terminal();
	restore_cursor = false;
	return rc;
}
