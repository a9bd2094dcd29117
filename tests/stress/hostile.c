// SPDX-License-Identifier: GPL-2.0
/*
 * hostile: the programs of tests/guest/hostile.sh, in one static binary
 * (gcc -static -O2 -Wall -Wextra -Werror -pthread).  Each mode checks what
 * it did and prints TAP-like lines ("ok - NAME", "not ok - NAME: why",
 * "# note") for the host to tally.
 *
 *   hostile count EXTRA      with EXTRA parked threads of its own, every
 *                            live thread is tracked or counted as dropped:
 *                            used + dropped == threads in /proc
 *   hostile park N           N parked threads, then "parked N" and wait
 *                            until killed (the sweep test, make soak)
 *   hostile flood N          filter to this process, then N parked threads
 *                            beyond the capacity, with known-answer threads
 *                            started before them; checks dropped == live -
 *                            tracked and the known answers, then writes
 *                            /tmp/flood.ready and waits for /tmp/flood.release
 *   hostile reuse R G K      pid_max at its minimum: R threads one after the
 *                            other on the same tid, then G generations of K
 *                            threads on a few tids, each with a sleep pattern
 *                            of its own; no row may hold samples its own
 *                            pattern cannot produce
 *   hostile fuzz N T SEED    N random writes to the control file, then T
 *                            concurrent writers; every invalid write fails
 *                            with EINVAL (EFAULT for a bad buffer) and
 *                            changes nothing
 *   hostile dying SECONDS    threads that sleep up to 2 ms and exit, 32 at a
 *                            time, for SECONDS (the sweep under churn)
 *   hostile signals N        N timed futex waits under a storm of signals;
 *                            prints the waiter's tid and "ready", then waits
 *                            until killed
 *   hostile asuser UID GID CMD...   run CMD as UID:GID, no extra groups
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <linux/futex.h>
#include <signal.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "../lib/wstest.h"

#define D "/sys/kernel/debug/waitscope"
#define PARAMS "/sys/module/waitscope/parameters"
#define PID_MAX "/proc/sys/kernel/pid_max"

static int failed;

static void out(const char *kind, const char *fmt, va_list ap)
{
	char line[1024];

	vsnprintf(line, sizeof(line), fmt, ap);
	printf("%s%s\n", kind, line);
}

static void ok(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	out("ok - ", fmt, ap);
	va_end(ap);
}

static void notok(const char *fmt, ...)
{
	va_list ap;

	failed = 1;
	va_start(ap, fmt);
	out("not ok - ", fmt, ap);
	va_end(ap);
}

static void note(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	out("# ", fmt, ap);
	va_end(ap);
}

/* check(cond, "name", "why fmt", ...): one line, the reason only on failure */
static void check(int cond, const char *name, const char *fmt, ...)
{
	char why[768];
	va_list ap;

	if (cond) {
		ok("%s", name);
		return;
	}
	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	notok("%s: %s", name, why);
}

static pid_t gettid_(void)
{
	return (pid_t)syscall(SYS_gettid);
}

/*
 * Sleep ms and return how many times the thread really blocked: the oracle
 * of the module's sleep count.  Under TCG a host stall can let the timer
 * expire before the thread reaches schedule(), and then it does not block
 * at all (nothing to count); the kernel's nvcsw counts exactly the blocks.
 * And note whether the thread was preempted meanwhile (nivcsw moved): a
 * preemption after the timer is armed and before the thread blocks leaves
 * the rest of the sleep to run while it waits for a CPU, and on a busy TCG
 * guest that wait can take most of a 40 ms sleep.
 */
static long sleep_counted_preempt(double ms, int *preempted)
{
	struct rusage a, b;

	getrusage(RUSAGE_THREAD, &a);
	wst_sleep_ms(ms);
	getrusage(RUSAGE_THREAD, &b);
	if (b.ru_nivcsw != a.ru_nivcsw)
		*preempted = 1;
	return b.ru_nvcsw - a.ru_nvcsw;
}

static long sleep_counted(double ms)
{
	int preempted;

	return sleep_counted_preempt(ms, &preempted);
}

/* The whole file, NUL-terminated (malloc'd), or NULL with errno set. */
static char *slurp(const char *path, size_t *lenp)
{
	size_t len = 0, cap = 65536;
	char *buf = malloc(cap + 1);
	int fd = open(path, O_RDONLY), e;
	ssize_t n;

	if (fd < 0 || !buf) {
		e = errno;
		free(buf);
		if (fd >= 0)
			close(fd);
		errno = e;
		return NULL;
	}
	for (;;) {
		if (len == cap) {
			char *nb = realloc(buf, cap * 2 + 1);

			if (!nb)
				break;
			buf = nb;
			cap *= 2;
		}
		n = read(fd, buf + len, cap - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			e = errno;
			free(buf);
			close(fd);
			errno = e;
			return NULL;
		}
		if (n == 0)
			break;
		len += n;
	}
	close(fd);
	buf[len] = '\0';
	if (lenp)
		*lenp = len;
	return buf;
}

static int write_str(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY), e;
	ssize_t n;

	if (fd < 0)
		return -1;
	n = write(fd, s, strlen(s));
	e = errno;
	close(fd);
	errno = e;
	return n == (ssize_t)strlen(s) ? 0 : -1;
}

static int create_file(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = write(fd, s, strlen(s));
	close(fd);
	return n == (ssize_t)strlen(s) ? 0 : -1;
}

/* ---- the module's files ---- */

struct stats {
	long long used, dropped, dropped_total, capacity, enabled, filter_tgid, blocked_min_ms;
	char probes[32];
};

static long long key_of(const char *text, const char *key)
{
	size_t kl = strlen(key);
	const char *p = text;

	while (p && *p) {
		if (!strncmp(p, key, kl) && (p[kl] == ' ' || p[kl] == '\t'))
			return strtoll(p + kl, NULL, 10);
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return -1;
}

static int read_stats(struct stats *s)
{
	char *t = slurp(D "/stats", NULL), *p;

	memset(s, 0, sizeof(*s));
	if (!t)
		return -1;
	s->used = key_of(t, "used");
	s->dropped = key_of(t, "dropped");
	s->dropped_total = key_of(t, "dropped_total");
	s->capacity = key_of(t, "capacity");
	s->enabled = key_of(t, "enabled");
	s->filter_tgid = key_of(t, "filter_tgid");
	s->blocked_min_ms = key_of(t, "blocked_min_ms");
	p = strstr(t, "\nprobes_attached");
	if (p)
		sscanf(p + 1, "probes_attached %31s", s->probes);
	free(t);
	return 0;
}

/*
 * A table file split into rows of fields.  Column names come from the "#"
 * line after the "# waitscope" line; lines indented 8 spaces (stack frames
 * of the blocked file) are skipped.
 */
#define MAXF 64
struct table {
	char *text;
	int ncols;
	char *cols[MAXF];
	int nrows, cap;
	char **rows;		/* nrows * MAXF field pointers */
	int *nf;
};

static void table_free(struct table *t)
{
	free(t->text);
	free(t->rows);
	free(t->nf);
	memset(t, 0, sizeof(*t));
}

static int split(char *line, char **f)
{
	int n = 0;
	char *save, *tok;

	for (tok = strtok_r(line, " \t", &save); tok && n < MAXF; tok = strtok_r(NULL, " \t", &save))
		f[n++] = tok;
	return n;
}

static int table_read(struct table *t, const char *path)
{
	char *line, *next;

	memset(t, 0, sizeof(*t));
	t->text = slurp(path, NULL);
	if (!t->text)
		return -1;
	for (line = t->text; line && *line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		if (!strncmp(line, "# waitscope", 11) || !strncmp(line, "        ", 8))
			continue;
		if (line[0] == '#') {
			t->ncols = split(line + 1, t->cols);
			continue;
		}
		if (t->nrows == t->cap) {
			t->cap = t->cap ? t->cap * 2 : 256;
			t->rows = realloc(t->rows, sizeof(char *) * MAXF * t->cap);
			t->nf = realloc(t->nf, sizeof(int) * t->cap);
			if (!t->rows || !t->nf) {
				table_free(t);
				errno = ENOMEM;
				return -1;
			}
		}
		t->nf[t->nrows] = split(line, t->rows + (size_t)t->nrows * MAXF);
		t->nrows++;
	}
	return 0;
}

static int colix(const struct table *t, const char *name)
{
	int i;

	for (i = 0; i < t->ncols; i++)
		if (!strcmp(t->cols[i], name))
			return i;
	return -1;
}

/* Field c of row r ("" when missing). */
static const char *fld(const struct table *t, int r, int c)
{
	if (c < 0 || c >= t->nf[r])
		return "";
	return t->rows[(size_t)r * MAXF + c];
}

static long long fnum(const struct table *t, int r, const char *name)
{
	return strtoll(fld(t, r, colix(t, name)), NULL, 0);
}

/* A histograms row: fields 0..6 fixed, then low_us:count buckets. */
struct hrow {
	long tid, tgid;
	const char *comm, *reason;
	long long count, nb, low[40], n[40];
};

static void hrow_of(const struct table *t, int r, struct hrow *h)
{
	int i;

	memset(h, 0, sizeof(*h));
	h->tid = atol(fld(t, r, 0));
	h->tgid = atol(fld(t, r, 1));
	h->comm = fld(t, r, 2);
	h->reason = fld(t, r, 3);
	h->count = atoll(fld(t, r, 4));
	for (i = 7; i < t->nf[r] && h->nb < 40; i++) {
		const char *b = fld(t, r, i);

		h->low[h->nb] = atoll(b);
		h->n[h->nb] = atoll(strchr(b, ':') ? strchr(b, ':') + 1 : "0");
		h->nb++;
	}
}

/* The state letter in a /proc/.../stat file, or 0 if it cannot be read. */
static char stat_state(const char *path)
{
	char buf[512], *s;
	ssize_t len;
	int fd = open(path, O_RDONLY);

	if (fd < 0)
		return 0;
	len = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (len <= 0)
		return 0;
	buf[len] = '\0';
	s = strrchr(buf, ')');
	return s && s[1] == ' ' ? s[2] : 0;
}

/*
 * Threads in /proc/PID/task (PID a string, "self" too) whose state is among
 * @states (@among true) or is readable and not among them (@among false).
 */
static int count_tasks(const char *pid, const char *states, bool among)
{
	char path[600];
	struct dirent *t;
	DIR *td;
	int n = 0;
	char c;

	snprintf(path, sizeof(path), "/proc/%s/task", pid);
	td = opendir(path);
	if (!td)
		return 0;
	while ((t = readdir(td))) {
		if (!isdigit((unsigned char)t->d_name[0]))
			continue;
		snprintf(path, sizeof(path), "/proc/%s/task/%s/stat", pid, t->d_name);
		c = stat_state(path);
		if (c && !strchr(states, c) == !among)
			n++;
	}
	closedir(td);
	return n;
}

/* Live threads in the system: /proc/PID/task/TID, zombies and dead left out. */
static int count_live(void)
{
	DIR *pd = opendir("/proc");
	struct dirent *p;
	int n = 0;

	if (!pd)
		return -1;
	while ((p = readdir(pd)))
		if (isdigit((unsigned char)p->d_name[0]))
			n += count_tasks(p->d_name, "ZXx", false);
	closedir(pd);
	return n;
}

static int count_dir(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *e;
	int n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d)))
		n += isdigit((unsigned char)e->d_name[0]) != 0;
	closedir(d);
	return n;
}

/* ---- count: every live thread is tracked or counted as dropped ---- */

static void *flood_thread(void *arg);
static int park_pipe[2];

/*
 * Start up to n threads parked on park_pipe, with small stacks; returns how
 * many started, and in *err the error that stopped the rest (0 if none).
 */
static int start_parked(int n, int *err)
{
	pthread_attr_t attr;
	pthread_t th;
	int i;

	*err = 0;
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, PTHREAD_STACK_MIN);
	for (i = 0; i < n; i++) {
		*err = pthread_create(&th, &attr, flood_thread, NULL);
		if (*err)
			break;
	}
	pthread_attr_destroy(&attr);
	return i;
}

/* With extra parked threads of its own, so the system outgrows the table. */
static int do_count(int extra)
{
	struct stats a, b;
	int live = -1, i, err;

	if (pipe(park_pipe))
		return 2;
	start_parked(extra, &err);
	wst_sleep_ms(300);

	for (i = 0; i < 40; i++) {
		if (read_stats(&a))
			break;
		live = count_live();
		read_stats(&b);
		if (a.used == b.used && a.dropped == b.dropped && a.used + a.dropped == live)
			break;
		wst_sleep_ms(250);
	}
	note("count: used %lld + dropped %lld (total %lld) vs %d live threads in /proc, capacity %lld",
	     a.used, a.dropped, a.dropped_total, live, a.capacity);
	check(a.used == a.capacity, "exhaustion: the whole system fills the table (used == capacity)",
	      "used %lld of %lld", a.used, a.capacity);
	check(a.used + a.dropped == live,
	      "exhaustion: used + dropped equals the live threads in /proc",
	      "%lld + %lld != %d", a.used, a.dropped, live);
	return failed;
}

/* ---- flood: table exhaustion with known answers ---- */

static atomic_int ka_done;
static atomic_long ka_blocks;

static void park(void)
{
	char c;

	for (;;)
		if (read(park_pipe[0], &c, 1) <= 0 && errno != EINTR)
			pause();
}

static void *flood_thread(void *arg)
{
	(void)arg;
	park();
	return NULL;
}

static void *ka_sleep_thread(void *arg)
{
	int i;

	(void)arg;
	prctl(PR_SET_NAME, "ka-sleep");
	for (i = 0; i < 20; i++)
		atomic_fetch_add(&ka_blocks, sleep_counted(50));
	atomic_store(&ka_done, 1);
	park();
	return NULL;
}

static void *ka_stuck_thread(void *arg)
{
	(void)arg;
	prctl(PR_SET_NAME, "ka-stuck");
	park();
	return NULL;
}

/* ---- park: threads asleep before the module loads ---- */

static int do_park(int n)
{
	int i, err, asleep = 0;

	if (pipe(park_pipe))
		wst_die("pipe");
	i = start_parked(n, &err);
	if (err) {
		fprintf(stderr, "hostile park: thread %d of %d: %s\n", i + 1, n, strerror(err));
		return 2;
	}
	/* Every parked thread asleep in its read(); the main thread is not. */
	for (i = 0; i < 600 && (asleep = count_tasks("self", "S", true)) < n; i++)
		wst_sleep_ms(100);
	if (asleep < n) {
		fprintf(stderr, "hostile park: %d of %d threads asleep after 60 s\n", asleep, n);
		return 2;
	}
	printf("parked %d\n", n);
	for (;;)
		pause();
}

static int do_flood(int n)
{
	pid_t pid = getpid();
	char cmd[64];
	pthread_t th;
	struct stats s;
	struct table t;
	int created, err, i, b, rows = 0, live, ka_row = -1, bucket_ok = 0, found = 0;
	long long in_bucket = 0, low_ok = 1;
	double t0, t_flood;
	long long ka_sleep_n = -1;

	if (pipe(park_pipe))
		return 2;
	snprintf(cmd, sizeof(cmd), "filter tgid=%d\n", pid);
	check(write_str(D "/control", cmd) == 0, "exhaustion: filter to the flooding process",
	      "%s", strerror(errno));
	wst_sleep_ms(100);
	pthread_create(&th, NULL, ka_sleep_thread, NULL);
	pthread_create(&th, NULL, ka_stuck_thread, NULL);

	t0 = wst_now_s();
	created = start_parked(n, &err);
	t_flood = wst_now_s() - t0;
	note("flood: %d threads created in %.1fs%s%s", created, t_flood, err ? ", then " : "",
	     err ? strerror(err) : "");
	check(created == n, "exhaustion: all flood threads start", "%d of %d: %s", created, n,
	      strerror(err));
	for (i = 0; i < 6000 && !atomic_load(&ka_done); i++)
		wst_sleep_ms(10);
	check(atomic_load(&ka_done), "exhaustion: the known-answer sleeper finished", "it did not");
	/* Every flood thread has run into its read(). */
	wst_sleep_ms(500);

	live = count_dir("/proc/self/task");
	read_stats(&s);
	if (table_read(&t, D "/threads")) {
		notok("exhaustion: threads file reads: %s", strerror(errno));
		return 1;
	}
	for (i = 0; i < t.nrows; i++) {
		if (fnum(&t, i, "tgid") != pid)
			continue;
		rows++;
		if (!strcmp(fld(&t, i, colix(&t, "comm")), "ka-sleep")) {
			ka_row = i;
			ka_sleep_n = fnum(&t, i, "sleep_n");
		}
	}
	table_free(&t);
	note("flood: %d live threads of pid %d; stats: used %lld, dropped %lld, dropped_total %lld, capacity %lld; %d rows",
	     live, pid, s.used, s.dropped, s.dropped_total, s.capacity, rows);
	check(live == created + 3, "exhaustion: the flood is all alive", "%d live, %d created", live,
	      created);
	check(s.used == s.capacity, "exhaustion: the table is full (used == capacity)",
	      "used %lld, capacity %lld", s.used, s.capacity);
	check(rows == s.used, "exhaustion: the threads file has one row per used entry",
	      "%d rows, used %lld", rows, s.used);
	check(s.dropped == live - rows, "exhaustion: dropped now == live threads not tracked",
	      "dropped %lld, live %d - tracked %d = %d", s.dropped, live, rows, live - rows);
	check(s.dropped_total == s.dropped,
	      "exhaustion: dropped_total == dropped now (no thread has exited yet)",
	      "dropped_total %lld, dropped %lld", s.dropped_total, s.dropped);
	check(ka_row >= 0 && ka_sleep_n == atomic_load(&ka_blocks),
	      "exhaustion: the known-answer sleeper is tracked, sleep_n exact",
	      "row %d, sleep_n %lld, blocked %ld times", ka_row, ka_sleep_n, atomic_load(&ka_blocks));
	check(atomic_load(&ka_blocks) == 20, "exhaustion: the known-answer sleeper blocked 20 times",
	      "%ld (a host stall longer than 50 ms?)", atomic_load(&ka_blocks));

	if (table_read(&t, D "/histograms") == 0) {
		for (i = 0; i < t.nrows; i++) {
			struct hrow h;

			hrow_of(&t, i, &h);
			if (h.tgid != pid || strcmp(h.comm, "ka-sleep") || strcmp(h.reason, "sleep"))
				continue;
			found = 1;
			/* Late wakeups (a busy host) move a sample up, never down. */
			for (b = 0; b < h.nb; b++) {
				low_ok &= h.low[b] >= 32768;
				if (h.low[b] == 32768)
					in_bucket = h.n[b];
			}
			bucket_ok = h.count == atomic_load(&ka_blocks) && low_ok &&
				    in_bucket * 2 > h.count;
			note("flood: ka-sleep sleep count %lld (it blocked %ld times), %lld buckets, lowest %lld:%lld",
			     h.count, atomic_load(&ka_blocks), h.nb, h.low[0], h.n[0]);
		}
		table_free(&t);
	}
	check(found && bucket_ok,
	      "exhaustion: ka-sleep has exactly its samples, none below 32768 us, most in 32768 us",
	      found ? "wrong count or buckets" : "no histogram row");

	found = 0;
	if (table_read(&t, D "/blocked") == 0) {
		for (i = 0; i < t.nrows; i++)
			if (atol(fld(&t, i, 1)) == pid && !strcmp(fld(&t, i, 2), "ka-stuck"))
				found = !strcmp(fld(&t, i, colix(&t, "reason")), "sleep") &&
					fnum(&t, i, "syscall") == 0;
		table_free(&t);
	}
	check(found, "exhaustion: ka-stuck is in blocked, asleep in read()", "it is not");

	fflush(stdout);
	create_file("/tmp/flood.ready", "ready\n");
	/* The suite runs the CLI now; exit (and take the flood along) on release. */
	while (access("/tmp/flood.release", F_OK))
		wst_sleep_ms(50);
	return failed;
}

/* ---- reuse: no thread inherits a dead thread's numbers ---- */

#define NS_SHORT	5
#define NS_LONG		3
#define MS_SHORT	1.5	/* bucket 1024: [1.024, 2.048) ms */
#define MS_LONG		40.0	/* bucket 32768: [32.8, 65.5) ms */
/*
 * What a pattern can produce.  A wakeup can be late by any amount under
 * TCG (the guest's clock runs on while the host does not run its vCPU:
 * 1.5 ms sleeps were measured at 65 ms on a busy host), so there is no
 * upper bound.  A sleep is shorter than asked only by a preemption between
 * arming the timer and blocking, a window of microseconds: a 40 ms sleep
 * lands below 16.4 ms only if the thread was preempted during it (its
 * nivcsw moved; seen once on the debug kernel, 40 ms booked at 8-16 ms).
 * Those threads are excused from the lower bound, and counted.
 * Carried-over numbers also show as a count that is not the thread's own
 * (the kernel's nvcsw is the oracle).
 */
#define LONG_MIN_LOW	16384

struct rt {
	pthread_t th;
	int gen, pattern;	/* 0 short, 1 long */
	atomic_int tid, done;
	atomic_long blocks;	/* how often its sleeps really blocked */
	int preempted;		/* during a sleep (written before done) */
};

/* The comm a reuse thread takes: its pattern and generation, "rl-37". */
static void rt_name(const struct rt *r, char name[16])
{
	snprintf(name, 16, "%s-%d", r->pattern ? "rl" : "rs", r->gen);
}

static pthread_mutex_t rmu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t rcv = PTHREAD_COND_INITIALIZER;
static int released_gen = -1;

static void *reuse_thread(void *arg)
{
	struct rt *r = arg;
	char name[16];
	int i;

	atomic_store(&r->tid, gettid_());
	rt_name(r, name);
	prctl(PR_SET_NAME, name);
	for (i = 0; i < (r->pattern ? NS_LONG : NS_SHORT); i++)
		atomic_fetch_add(&r->blocks, sleep_counted_preempt(r->pattern ? MS_LONG : MS_SHORT,
								   &r->preempted));
	atomic_store(&r->done, 1);
	pthread_mutex_lock(&rmu);
	while (released_gen < r->gen)
		pthread_cond_wait(&rcv, &rmu);
	pthread_mutex_unlock(&rmu);
	return NULL;
}

static void *quick_thread(void *arg)
{
	atomic_store((atomic_int *)arg, gettid_());
	return NULL;
}

struct reuse_stats {
	int threads, violations, missing, inexact, cross, same, not300, stalled, excused;
	char first[512];
};

/* Keep the first few problems for the failure line. */
static void violation(struct reuse_stats *st, const char *fmt, ...)
{
	va_list ap;
	size_t l = strlen(st->first);

	if (l > sizeof(st->first) - 100)
		return;
	va_start(ap, fmt);
	vsnprintf(st->first + l, sizeof(st->first) - l, fmt, ap);
	va_end(ap);
}

/* Whether the live thread of this row was preempted in one of its sleeps. */
static int reuse_preempted(const struct rt *rs, int k, const struct hrow *h)
{
	char name[16];
	int j;

	for (j = 0; j < k; j++) {
		rt_name(&rs[j], name);
		if (h->tid == atomic_load(&rs[j].tid) && !strcmp(h->comm, name))
			return rs[j].preempted;
	}
	return 0;
}

/* Every sleep row of this process against the pattern its comm names. */
static void reuse_verify(struct reuse_stats *st, struct rt *rs, int k)
{
	pid_t pid = getpid();
	struct table t;
	int i, j;

	if (table_read(&t, D "/histograms")) {
		st->missing++;
		violation(st, "histograms unreadable: %s; ", strerror(errno));
		return;
	}
	for (j = 0; j < k; j++) {
		char name[16];
		int seen = 0;

		rt_name(&rs[j], name);
		for (i = 0; i < t.nrows; i++) {
			struct hrow h;

			hrow_of(&t, i, &h);
			if (h.tid != atomic_load(&rs[j].tid) || h.tgid != pid ||
			    strcmp(h.reason, "sleep") || strcmp(h.comm, name))
				continue;
			seen = 1;
			if (h.count != atomic_load(&rs[j].blocks)) {
				st->inexact++;
				violation(st, "tid %ld %s: %lld sleeps, blocked %ld times; ", h.tid,
					  h.comm, h.count, atomic_load(&rs[j].blocks));
			}
		}
		if (atomic_load(&rs[j].blocks) != (rs[j].pattern ? NS_LONG : NS_SHORT))
			st->stalled++;
		if (!seen && atomic_load(&rs[j].blocks)) {
			st->missing++;
			violation(st, "tid %d %s: no sleep row; ", atomic_load(&rs[j].tid), name);
		}
	}
	for (i = 0; i < t.nrows; i++) {
		struct hrow h;
		int b;

		hrow_of(&t, i, &h);
		if (h.tgid != pid || strcmp(h.reason, "sleep") || h.tid == pid)
			continue;
		if (!strncmp(h.comm, "rs-", 3) || !strncmp(h.comm, "rl-", 3)) {
			int lng = h.comm[1] == 'l';

			for (b = 0; b < h.nb; b++) {
				if (!lng || h.low[b] >= LONG_MIN_LOW)
					continue;
				if (reuse_preempted(rs, k, &h)) {
					st->excused++;
					continue;
				}
				st->violations++;
				violation(st, "tid %ld %s (%s ms sleeps) has %lld in %lld us; ", h.tid,
					  h.comm, lng ? "40" : "1.5", h.n[b], h.low[b]);
			}
			if (h.count > (lng ? NS_LONG : NS_SHORT)) {
				st->violations++;
				violation(st, "tid %ld %s: %lld sleeps, more than its %d; ", h.tid,
					  h.comm, h.count, lng ? NS_LONG : NS_SHORT);
			}
		} else {
			/* A thread sleeps only once it has its name. */
			st->violations++;
			violation(st, "tid %ld %s: %lld sleeps under another name; ", h.tid, h.comm,
				  h.count);
		}
	}
	table_free(&t);
}

/* Start one generation of k threads; EAGAIN (no free pid yet) is retried. */
static int reuse_start(struct rt *rs, int k, int gen, unsigned int *seed, int alternate)
{
	int j, err, tries;
	double t0;

	for (j = 0; j < k; j++) {
		rs[j].gen = gen;
		rs[j].pattern = alternate ? gen % 2 : (int)(rand_r(seed) % 2);
		atomic_store(&rs[j].tid, 0);
		atomic_store(&rs[j].done, 0);
		atomic_store(&rs[j].blocks, 0);
		/*
		 * Retry at once: the new thread then takes the tid as soon as the
		 * old one releases it, often before the old one's last switch.
		 */
		t0 = wst_now_s();
		for (tries = 0; (err = pthread_create(&rs[j].th, NULL, reuse_thread, &rs[j])) == EAGAIN &&
		     wst_now_s() - t0 < 10; tries++)
			if (tries > 5000)
				wst_sleep_ms(1);
		if (err) {
			notok("reuse: pthread_create: %s", strerror(err));
			return -1;
		}
	}
	return 0;
}

static void reuse_finish(struct rt *rs, int k, int gen)
{
	int j;

	pthread_mutex_lock(&rmu);
	released_gen = gen;
	pthread_cond_broadcast(&rcv);
	pthread_mutex_unlock(&rmu);
	for (j = 0; j < k; j++)
		pthread_join(rs[j].th, NULL);
}

static void reuse_wait(struct rt *rs, int k)
{
	int j;
	double t0 = wst_now_s();

	for (j = 0; j < k; j++)
		while (!atomic_load(&rs[j].done) && wst_now_s() - t0 < 30)
			wst_sleep_ms(5);
}

/* Remember which pattern each tid last had; count reuses. */
static void reuse_note_tids(struct reuse_stats *st, signed char *last, struct rt *rs, int k)
{
	int j, tid;

	for (j = 0; j < k; j++) {
		tid = atomic_load(&rs[j].tid);
		if (tid <= 0 || tid >= 65536)
			continue;
		if (last[tid] == rs[j].pattern)
			st->same++;
		else if (last[tid] >= 0)
			st->cross++;
		last[tid] = (signed char)rs[j].pattern;
		st->threads++;
	}
}

static int do_reuse(int rounds, int gens, int k)
{
	char *saved = slurp(PID_MAX, NULL), buf[32];
	static signed char last[65536];
	struct reuse_stats st = { 0 };
	struct rt *rs = calloc(k > 1 ? k : 1, sizeof(*rs));
	unsigned int seed = (unsigned int)getpid();
	int r, got300 = 0, e;
	double t0 = wst_now_s();
	char *cur;

	if (!saved || !rs)
		return 2;
	memset(last, -1, sizeof(last));
	saved[strcspn(saved, "\n")] = '\0';
	/* The kernel refuses a pid_max below RESERVED_PIDS + 1 = 301. */
	e = write_str(PID_MAX, "300") ? errno : 0;
	cur = slurp(PID_MAX, NULL);
	check(e == EINVAL && cur && atoi(cur) == atoi(saved),
	      "reuse: pid_max=300 is refused (EINVAL), pid_max unchanged",
	      "errno %d, pid_max now %s", e, cur ? cur : "?");
	free(cur);
	e = write_str(PID_MAX, "301") ? errno : 0;
	cur = slurp(PID_MAX, NULL);
	check(!e && cur && atoi(cur) == 301, "reuse: pid_max=301 (the minimum) is accepted",
	      "errno %d, pid_max now %s", e, cur ? cur : "?");
	free(cur);

	/* Walk the pid cursor to 300: from then on every new thread is tid 300. */
	for (r = 0; r < 400 && !got300; r++) {
		atomic_int tid = 0;
		pthread_t th;

		if (pthread_create(&th, NULL, quick_thread, &tid)) {
			wst_sleep_ms(2);
			continue;
		}
		pthread_join(th, NULL);
		got300 = atomic_load(&tid) == 300;
	}
	check(got300, "reuse: with pid_max=301 a new thread gets tid 300",
	      "no thread got tid 300 in 400 tries (pid 300 in use?)");

	/* Phase A: one thread at a time, all on tid 300, patterns alternating. */
	for (r = 0; r < rounds; r++) {
		if (reuse_start(rs, 1, r, &seed, 1))
			break;
		reuse_wait(rs, 1);
		reuse_note_tids(&st, last, rs, 1);
		st.not300 += atomic_load(&rs[0].tid) != 300;
		reuse_verify(&st, rs, 1);
		reuse_finish(rs, 1, r);
	}
	note("reuse: %d threads one at a time in %.1fs, %d not on tid 300", rounds, wst_now_s() - t0,
	     st.not300);

	/* Phase B: k at a time on 300..300+4k-1, patterns at random. */
	snprintf(buf, sizeof(buf), "%d", 300 + 4 * k);
	if (write_str(PID_MAX, buf))
		notok("reuse: pid_max=%s: %s", buf, strerror(errno));
	t0 = wst_now_s();
	for (r = rounds; r < rounds + gens; r++) {
		if (reuse_start(rs, k, r, &seed, 0))
			break;
		reuse_wait(rs, k);
		reuse_note_tids(&st, last, rs, k);
		reuse_verify(&st, rs, k);
		reuse_finish(rs, k, r);
	}
	note("reuse: %d generations of %d threads in %.1fs", gens, k, wst_now_s() - t0);

	e = write_str(PID_MAX, saved) ? errno : 0;
	check(!e, "reuse: pid_max restored", "%s", strerror(e));
	note("reuse: %d threads, tids reused %d times with the other sleep pattern, %d with the same; %d threads blocked fewer times than they slept (host stalls); %d short 40 ms sleeps of preempted threads",
	     st.threads, st.cross, st.same, st.stalled, st.excused);
	check(st.cross >= rounds / 2, "reuse: tids were reused across sleep patterns",
	      "only %d cross-pattern reuses", st.cross);
	check(st.missing == 0, "reuse: every thread has its own sleep row",
	      "%d missing: %s", st.missing, st.first);
	check(st.inexact == 0, "reuse: every thread's sleep count is exactly its own blocks",
	      "%d wrong: %s", st.inexact, st.first);
	check(st.violations == 0,
	      "reuse: no row holds more sleeps than its pattern, or 40 ms sleeps below 16 ms",
	      "%d: %s", st.violations, st.first);
	free(saved);
	free(rs);
	return failed;
}

/* ---- fuzz: the control file refuses garbage and changes nothing ---- */

static uint64_t rng_state;

static uint64_t rnd(void)
{
	uint64_t x = rng_state;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return rng_state = x;
}

static uint64_t rnd_r(uint64_t *s)
{
	uint64_t x = *s;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return *s = x;
}

enum { REF_INVALID, REF_OTHER, REF_BMIN };

/*
 * The grammar as the README states it: one command, at most one trailing
 * newline, at most 64 bytes.  REF_OTHER: a valid command that would change
 * the recording (never written by the fuzzer); REF_BMIN: blocked_min_ms=N,
 * its value in *val.  "filter tgid=" with digits counts as valid whatever
 * the number, so the fuzzer never writes one.
 */
static int ref_parse(const unsigned char *b, size_t len, unsigned long *val)
{
	static const char *const plain[] = { "reset", "enable", "disable", "filter off" };
	char s[80];
	size_t i, n = len;
	unsigned long long v = 0;
	const char *d;

	if (len == 0 || len > 64)
		return REF_INVALID;
	if (b[n - 1] == '\n')
		n--;
	if (n == 0)
		return REF_INVALID;
	for (i = 0; i < n; i++)
		if (b[i] == '\0' || b[i] == '\n')
			return REF_INVALID;
	memcpy(s, b, n);
	s[n] = '\0';
	for (i = 0; i < 4; i++)
		if (!strcmp(s, plain[i]))
			return REF_OTHER;
	if (!strncmp(s, "filter tgid=", 12)) {
		for (d = s + 12; *d && isdigit((unsigned char)*d); d++)
			;
		return d > s + 12 && !*d ? REF_OTHER : REF_INVALID;
	}
	if (strncmp(s, "blocked_min_ms=", 15))
		return REF_INVALID;
	d = s + 15;
	if (!*d)
		return REF_INVALID;
	for (; *d; d++) {
		if (!isdigit((unsigned char)*d))
			return REF_INVALID;
		v = v * 10 + (*d - '0');
		if (v > 86400000ULL)
			return REF_INVALID;
	}
	*val = (unsigned long)v;
	return REF_BMIN;
}

struct cstate {
	char line[160];			/* the control file's first line */
	char enabled[16], filter[32], bmin[32];	/* module parameters */
};

static void first_line(const char *path, char *dst, size_t size)
{
	char *t = slurp(path, NULL);

	snprintf(dst, size, "%s", t ? t : "(unreadable)");
	dst[strcspn(dst, "\n")] = '\0';
	free(t);
}

static void cstate_read(struct cstate *c)
{
	first_line(D "/control", c->line, sizeof(c->line));
	first_line(PARAMS "/enabled", c->enabled, sizeof(c->enabled));
	first_line(PARAMS "/filter_tgid", c->filter, sizeof(c->filter));
	first_line(PARAMS "/blocked_min_ms", c->bmin, sizeof(c->bmin));
}

/* The state expected with blocked_min_ms = bmin, from the state at start. */
static void cstate_expect(const struct cstate *c0, unsigned long bmin, struct cstate *x)
{
	char *p;

	*x = *c0;
	snprintf(x->bmin, sizeof(x->bmin), "%lu", bmin);
	p = strstr(x->line, "blocked_min_ms=");
	if (p) {
		/* Only the number changes: the settings after it stay. */
		char tail[sizeof(x->line)];

		snprintf(tail, sizeof(tail), "%s", p + strlen("blocked_min_ms=") +
			 strspn(p + strlen("blocked_min_ms="), "0123456789"));
		snprintf(p, sizeof(x->line) - (p - x->line), "blocked_min_ms=%lu%s", bmin, tail);
	}
}

static int cstate_eq(const struct cstate *a, const struct cstate *b)
{
	return !strcmp(a->line, b->line) && !strcmp(a->enabled, b->enabled) &&
	       !strcmp(a->filter, b->filter) && !strcmp(a->bmin, b->bmin);
}

struct fuzz_stats {
	atomic_long writes, refused, valid_applied, skipped_valid, unexpected;
	pthread_mutex_t mu;
	char first[1024];
};

static void hexdump(char *dst, size_t size, const unsigned char *b, size_t len)
{
	size_t i, o = 0;

	for (i = 0; i < len && i < 24 && o + 5 < size; i++)
		o += snprintf(dst + o, size - o, isprint(b[i]) && b[i] != ' ' ? "%c" : "\\x%02x", b[i]);
	if (i < len && o + 4 < size)
		snprintf(dst + o, size - o, "...");
}

static void unexpected(struct fuzz_stats *fs, const char *fmt, ...)
{
	va_list ap;
	size_t l;

	atomic_fetch_add(&fs->unexpected, 1);
	pthread_mutex_lock(&fs->mu);
	l = strlen(fs->first);
	if (l < sizeof(fs->first) - 200) {
		va_start(ap, fmt);
		vsnprintf(fs->first + l, sizeof(fs->first) - l, fmt, ap);
		va_end(ap);
	}
	pthread_mutex_unlock(&fs->mu);
}

/* Writable but inaccessible bytes: the page after `guard` is PROT_NONE. */
static unsigned char *guard;
static unsigned char big[65536 + 64];

static const char *const templates[] = {
	"reset", "enable", "disable", "filter off", "filter tgid=123", "blocked_min_ms=777",
	"blocked_min_ms=0", "blocked_min_ms=86400000", "filter tgid=1",
};

static const char *const nasty[] = {
	" ", "\n", "\t", "+", "-", "0x", "00", "99999999999", "4294967296", "86400001", "\0",
	"=", "==", "\r", "\n\n", "ENABLE", "tgid", "filter", "blocked_min_ms", "\xff", "%s%n",
};

/* A near-miss of a valid command: 1..3 edits. */
static size_t mutate(uint64_t *s, unsigned char *b)
{
	const char *t = templates[rnd_r(s) % (sizeof(templates) / sizeof(templates[0]))];
	size_t len = strlen(t), pos, k;
	int edits = 1 + rnd_r(s) % 3, i;

	memcpy(b, t, len);
	if (rnd_r(s) % 3 == 0)
		b[len++] = '\n';
	for (i = 0; i < edits; i++) {
		pos = len ? rnd_r(s) % (len + 1) : 0;
		switch (rnd_r(s) % 6) {
		case 0:	/* insert a random byte */
			memmove(b + pos + 1, b + pos, len - pos);
			b[pos] = (unsigned char)rnd_r(s);
			len++;
			break;
		case 1:	/* delete */
			if (pos < len) {
				memmove(b + pos, b + pos + 1, len - pos - 1);
				len--;
			}
			break;
		case 2:	/* replace */
			if (pos < len)
				b[pos] = (unsigned char)rnd_r(s);
			break;
		case 3:	/* insert a nasty token */
		{
			const char *n = nasty[rnd_r(s) % (sizeof(nasty) / sizeof(nasty[0]))];
			size_t nl = strlen(n) ? strlen(n) : 1;

			if (len + nl > 120)
				break;
			memmove(b + pos + nl, b + pos, len - pos);
			memcpy(b + pos, n, nl);
			len += nl;
			break;
		}
		case 4:	/* flip case */
			if (pos < len && isalpha(b[pos]))
				b[pos] ^= 0x20;
			break;
		case 5:	/* pad to about the length limit */
			k = 60 + rnd_r(s) % 10;
			while (len < k && len < 120)
				b[len++] = (unsigned char)('0' + rnd_r(s) % 10);
			break;
		}
	}
	return len;
}

static void fuzz_input(uint64_t *s, unsigned char *b, size_t *len, int *kind)
{
	static const char alpha[] = "abcdefgilmnoprstu_= 0123456789\n+-xT";
	size_t i;

	*kind = rnd_r(s) % 10;
	switch (*kind) {
	case 0:	/* random bytes, short */
		*len = rnd_r(s) % 81;
		for (i = 0; i < *len; i++)
			b[i] = (unsigned char)rnd_r(s);
		break;
	case 1:	/* random text from the grammar's alphabet */
		*len = rnd_r(s) % 71;
		for (i = 0; i < *len; i++)
			b[i] = alpha[rnd_r(s) % (sizeof(alpha) - 1)];
		break;
	default:	/* near-misses, the interesting part */
		*len = mutate(s, b);
		break;
	}
}

struct fuzz_ctx {
	struct fuzz_stats *fs;
	int fd;			/* shared by threads, or -1: its own */
	int n;
	uint64_t seed;
	int valid_writer;	/* writes only valid blocked_min_ms=N */
	unsigned long last_bmin;
	atomic_int *stop;
};

/*
 * One attempt: a write (or pwrite at off > 0) of b[0..len), which must fail
 * with `want` unless it is a valid command at offset 0.  A valid command
 * other than blocked_min_ms=N is not written.  Returns 1 and the value when
 * a blocked_min_ms=N was applied.
 */
static int attempt(struct fuzz_stats *fs, int fd, const unsigned char *b, size_t len, off_t off,
		   int want, unsigned long *bmin, int allow_valid)
{
	unsigned long v = 0;
	int ref = REF_INVALID;
	ssize_t r;
	char hex[128];

	/* off > 0: pwrite at off; off < 0: write() with the file position at -off */
	if (want == EINVAL && off == 0)
		ref = ref_parse(b, len, &v);
	if (ref == REF_OTHER || (ref == REF_BMIN && !allow_valid)) {
		atomic_fetch_add(&fs->skipped_valid, 1);
		return 0;
	}
	atomic_fetch_add(&fs->writes, 1);
	r = off > 0 ? pwrite(fd, b, len, off) : write(fd, b, len);
	if (ref == REF_BMIN) {
		if (r != (ssize_t)len) {
			hexdump(hex, sizeof(hex), b, len);
			unexpected(fs, "valid '%s' (%zu bytes) got %zd (%s); ", hex, len, r,
				   r < 0 ? strerror(errno) : "short");
			return 0;
		}
		atomic_fetch_add(&fs->valid_applied, 1);
		*bmin = v;
		return 1;
	}
	if (r == -1 && errno == want) {
		atomic_fetch_add(&fs->refused, 1);
		return 0;
	}
	hexdump(hex, sizeof(hex), b ? b : (const unsigned char *)"", b ? len : 0);
	unexpected(fs, "'%s' (%zu bytes, %s %lld) got %zd%s%s, want %s; ", hex, len, off > 0 ? "pwrite at" : "file position", (long long)(off < 0 ? -off : off), r,
		   r < 0 ? " " : "", r < 0 ? strerror(errno) : "", strerror(want));
	return 0;
}

/* One random operation; returns 1 with *bmin when it applied a value. */
static int fuzz_op(struct fuzz_ctx *c, int fd, unsigned long *bmin, int allow_valid)
{
	unsigned char b[160];
	size_t len, cut;
	int kind, op = rnd_r(&c->seed) % 16, r = 0;
	off_t off;

	switch (op) {
	case 0:	/* up to 64 KiB of random bytes */
		len = rnd_r(&c->seed) % (sizeof(big) - 63);
		return attempt(c->fs, fd, big + rnd_r(&c->seed) % 64, len, 0, EINVAL, bmin, allow_valid);
	case 1:	/* a valid command (or a near-miss) at an offset */
		fuzz_input(&c->seed, b, &len, &kind);
		if (rnd_r(&c->seed) % 2) {
			strcpy((char *)b, templates[rnd_r(&c->seed) % 6]);
			len = strlen((char *)b);
		}
		off = 1 + rnd_r(&c->seed) % (rnd_r(&c->seed) % 2 ? 70 : 1 << 20);
		/*
		 * pwrite: refused by the VFS (seq files are not FMODE_PWRITE).
		 * write() at a file position: the module's own refusal; not on
		 * a descriptor other threads share, whose position stays 0.
		 */
		if (c->fd >= 0 || rnd_r(&c->seed) % 2)
			return attempt(c->fs, fd, b, len, off, ESPIPE, bmin, allow_valid);
		if (lseek(fd, off, SEEK_SET) == off)
			r = attempt(c->fs, fd, b, len, -off, EINVAL, bmin, allow_valid);
		else
			unexpected(c->fs, "lseek to %lld: %s; ", (long long)off, strerror(errno));
		lseek(fd, 0, SEEK_SET);
		return r;
	case 2:	/* a valid command split in two writes: each part alone */
		strcpy((char *)b, templates[rnd_r(&c->seed) % 6]);
		len = strlen((char *)b);
		cut = 1 + rnd_r(&c->seed) % (len - 1);
		if (attempt(c->fs, fd, b, cut, 0, EINVAL, bmin, allow_valid))
			return 1 + attempt(c->fs, fd, b + cut, len - cut, 0, EINVAL, bmin, allow_valid);
		return attempt(c->fs, fd, b + cut, len - cut, 0, EINVAL, bmin, allow_valid);
	case 3:	/* a buffer running into an unmapped page */
		strcpy((char *)b, templates[rnd_r(&c->seed) % 6]);
		len = strlen((char *)b);
		cut = 1 + rnd_r(&c->seed) % (len - 1);
		memcpy(guard - cut, b, cut);
		return attempt(c->fs, fd, guard - cut, len, 0, EFAULT, bmin, allow_valid);
	case 4:	/* a NULL buffer */
		return attempt(c->fs, fd, NULL, 1 + rnd_r(&c->seed) % 64, 0, EFAULT, bmin, allow_valid);
	default:
		fuzz_input(&c->seed, b, &len, &kind);
		return attempt(c->fs, fd, b, len, 0, EINVAL, bmin, allow_valid);
	}
}

static void *fuzz_thread(void *arg)
{
	struct fuzz_ctx *c = arg;
	int fd = c->fd >= 0 ? c->fd : open(D "/control", O_RDWR), i;
	unsigned long v;
	char cmd[40];

	for (i = 0; i < c->n; i++) {
		if (c->valid_writer) {
			v = rnd_r(&c->seed) % 100000;
			snprintf(cmd, sizeof(cmd), "blocked_min_ms=%lu%s", v,
				 rnd_r(&c->seed) % 2 ? "\n" : "");
			if (attempt(c->fs, fd, (unsigned char *)cmd, strlen(cmd), 0, EINVAL, &v, 1))
				c->last_bmin = v;
			continue;
		}
		fuzz_op(c, fd, &v, 0);
	}
	if (c->fd < 0)
		close(fd);
	return NULL;
}

/* Readers of every file while the writers run. */
static void *fuzz_reader(void *arg)
{
	static const char *const files[] = { D "/control", D "/stats", D "/threads", D "/blocked",
					     D "/futex", D "/histograms" };
	atomic_int *stop = arg;
	unsigned int i = 0;

	while (!atomic_load(stop))
		free(slurp(files[i++ % 6], NULL));
	return NULL;
}

static atomic_int canary_stop;

static void *canary_thread(void *arg)
{
	(void)arg;
	prctl(PR_SET_NAME, "fz-canary");
	while (!atomic_load(&canary_stop))
		wst_sleep_ms(5);
	return NULL;
}

/* The canary's sleep count: it only grows unless something reset the module. */
static long long canary_count(void)
{
	struct table t;
	long long n = -1;
	int i;

	if (table_read(&t, D "/threads"))
		return -1;
	for (i = 0; i < t.nrows; i++)
		if (fnum(&t, i, "tgid") == getpid() && !strcmp(fld(&t, i, 2), "fz-canary"))
			n = fnum(&t, i, "sleep_n");
	table_free(&t);
	return n;
}

static int do_fuzz(int n, int nthreads, unsigned long long seed)
{
	static struct fuzz_stats fs = { .mu = PTHREAD_MUTEX_INITIALIZER };
	struct cstate c0, now, want;
	struct stats s0, s;
	struct fuzz_ctx ctx = { .fs = &fs, .fd = -1 };
	pthread_t canary, reader, *th;
	struct fuzz_ctx *ctxs;
	atomic_int stop = 0;
	long long can0, can, can_prev;
	long w0, r0, v0;
	unsigned long bmin;
	int fd, i, drift = 0, stat_drift = 0, can_drop = 0, nctx;
	double t0 = wst_now_s();
	size_t pg = (size_t)sysconf(_SC_PAGESIZE);
	unsigned char *m;
	char drift_what[700] = "";

	rng_state = seed ? seed : 1;
	for (i = 0; i < (int)sizeof(big); i++)
		big[i] = (unsigned char)rnd();
	m = mmap(NULL, 2 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (m == MAP_FAILED || mprotect(m + pg, pg, PROT_NONE))
		return 2;
	guard = m + pg;

	if (write_str(D "/control", "blocked_min_ms=1234\n"))
		notok("fuzz: blocked_min_ms=1234 is accepted: %s", strerror(errno));
	pthread_create(&canary, NULL, canary_thread, NULL);
	wst_sleep_ms(100);
	cstate_read(&c0);
	read_stats(&s0);
	note("fuzz: seed %llu; control '%s', enabled %s, filter_tgid %s, blocked_min_ms %s, probes %s",
	     seed, c0.line, c0.enabled, c0.filter, c0.bmin, s0.probes);
	bmin = strtoul(c0.bmin, NULL, 10);
	can_prev = can0 = canary_count();

	fd = open(D "/control", O_RDWR);
	if (fd < 0) {
		notok("fuzz: open control: %s", strerror(errno));
		return 1;
	}
	ctx.seed = seed * 2654435761ULL + 1;
	for (i = 0; i < n; i++) {
		fuzz_op(&ctx, fd, &bmin, 1);
		cstate_read(&now);
		cstate_expect(&c0, bmin, &want);
		if (!cstate_eq(&now, &want)) {
			if (!drift++)
				snprintf(drift_what, sizeof(drift_what),
					 "after write %d: control '%s' params %s/%s/%s, want '%s' %s/%s/%s",
					 i, now.line, now.enabled, now.filter, now.bmin, want.line,
					 want.enabled, want.filter, want.bmin);
			c0 = now;	/* report each change once */
			bmin = strtoul(now.bmin, NULL, 10);
		}
		if (i % 256 == 255 || i == n - 1) {
			read_stats(&s);
			if (s.enabled != s0.enabled || strcmp(s.probes, s0.probes) ||
			    s.filter_tgid != s0.filter_tgid || s.capacity != s0.capacity ||
			    s.blocked_min_ms != (long long)bmin)
				stat_drift++;
			can = canary_count();
			if (can < can_prev)
				can_drop++;
			can_prev = can;
		}
	}
	note("fuzz: %d operations in %.1fs: %ld writes, %ld refused, %ld valid blocked_min_ms applied, %ld valid commands not written",
	     n, wst_now_s() - t0, atomic_load(&fs.writes), atomic_load(&fs.refused),
	     atomic_load(&fs.valid_applied), atomic_load(&fs.skipped_valid));
	check(atomic_load(&fs.unexpected) == 0,
	      "fuzz: every invalid write fails with EINVAL (EFAULT for a bad buffer), every valid one succeeds",
	      "%ld unexpected: %s", atomic_load(&fs.unexpected), fs.first);
	check(!drift, "fuzz: refused writes leave control and the parameters unchanged", "%d changes, first %s",
	      drift, drift_what);
	check(!stat_drift, "fuzz: stats keep enabled, probes, filter, capacity, blocked_min_ms",
	      "%d differences", stat_drift);
	check(!can_drop && can_prev > can0,
	      "fuzz: counting went on and nothing was reset (a canary thread's sleeps only grow)",
	      "canary sleep_n %lld at start, %lld at end, %d drops", can0, can_prev, can_drop);

	/* Concurrent writers: half on the shared fd, one writing valid values. */
	fs.first[0] = '\0';
	atomic_store(&fs.unexpected, 0);
	nctx = nthreads + 1;
	th = calloc(nctx, sizeof(*th));
	ctxs = calloc(nctx, sizeof(*ctxs));
	if (!th || !ctxs)
		return 2;
	t0 = wst_now_s();
	w0 = atomic_load(&fs.writes);
	r0 = atomic_load(&fs.refused);
	v0 = atomic_load(&fs.valid_applied);
	pthread_create(&reader, NULL, fuzz_reader, &stop);
	for (i = 0; i < nctx; i++) {
		ctxs[i] = (struct fuzz_ctx){ .fs = &fs, .fd = i % 2 ? fd : -1, .n = n / 4,
			.seed = seed * 31 + i * 7919 + 3, .valid_writer = i == nthreads,
			.last_bmin = bmin };
		pthread_create(&th[i], NULL, fuzz_thread, &ctxs[i]);
	}
	for (i = 0; i < nctx; i++)
		pthread_join(th[i], NULL);
	atomic_store(&stop, 1);
	pthread_join(reader, NULL);
	bmin = ctxs[nthreads].last_bmin;
	cstate_read(&now);
	cstate_expect(&c0, bmin, &want);
	read_stats(&s);
	can = canary_count();
	note("fuzz: %d concurrent writers (and a reader) in %.1fs: %ld writes, %ld refused, %ld valid applied; blocked_min_ms last written %lu",
	     nthreads + 1, wst_now_s() - t0, atomic_load(&fs.writes) - w0, atomic_load(&fs.refused) - r0,
	     atomic_load(&fs.valid_applied) - v0, bmin);
	check(atomic_load(&fs.unexpected) == 0,
	      "fuzz: concurrent writers: every invalid write refused, every valid one applied",
	      "%ld unexpected: %s", atomic_load(&fs.unexpected), fs.first);
	check(cstate_eq(&now, &want),
	      "fuzz: concurrent writers: the state is the last valid write's",
	      "control '%s' params %s/%s/%s, want '%s' %s/%s/%s", now.line, now.enabled,
	      now.filter, now.bmin, want.line, want.enabled, want.filter, want.bmin);
	check(s.enabled == s0.enabled && !strcmp(s.probes, s0.probes) && can >= can_prev,
	      "fuzz: concurrent writers: still enabled with every probe, nothing reset",
	      "enabled %lld probes %s canary %lld (was %lld)", s.enabled, s.probes, can, can_prev);

	atomic_store(&canary_stop, 1);
	pthread_join(canary, NULL);
	close(fd);
	check(write_str(D "/control", "blocked_min_ms=100\n") == 0,
	      "fuzz: a valid command still works afterwards", "%s", strerror(errno));
	free(th);
	free(ctxs);
	return failed;
}

/* ---- dying: threads that sleep a moment and exit, for the sweep ---- */

static void *dying_thread(void *arg)
{
	struct timespec ts = { 0, (long)(uintptr_t)arg };

	nanosleep(&ts, NULL);
	return NULL;
}

/*
 * Batches of 32 threads that each sleep up to 2 ms, then exit, for SECONDS:
 * the load-time sweep (run again by every reset) meets threads that are
 * asleep when it looks and gone a moment later.
 */
static int do_dying(int seconds)
{
	time_t end = time(NULL) + seconds;
	unsigned int seed = 1;
	pthread_t th[32];
	long n = 0;
	int i;

	while (time(NULL) < end) {
		for (i = 0; i < 32; i++) {
			uintptr_t ns = rand_r(&seed) % 2000000;

			if (pthread_create(&th[i], NULL, dying_thread, (void *)ns)) {
				notok("dying: pthread_create");
				return 1;
			}
		}
		for (i = 0; i < 32; i++)
			pthread_join(th[i], NULL);
		n += 32;
	}
	printf("dying: %ld threads\n", n);
	return 0;
}

/* ---- signals: futex waits under a storm of signals ---- */

static unsigned int sig_word;
static atomic_int sig_waits_done, sig_waiter_tid;

static void sig_nop(int sig)
{
	(void)sig;
}

/*
 * N timed FUTEX_WAITs on CPU 0 while another thread sends SIGUSR1 as fast
 * as it can: some signals land between the waiter setting its sleeping
 * state and the scheduler's signal check, which then keeps it runnable.
 */
static void *sig_waiter(void *arg)
{
	struct timespec ts = { 0, 2000000 };
	long n = (long)arg;

	wst_set_name("sigwaiter", 0);
	wst_pin(0);
	atomic_store(&sig_waiter_tid, (int)syscall(SYS_gettid));
	for (long i = 0; i < n; i++)
		syscall(SYS_futex, &sig_word, FUTEX_WAIT_PRIVATE, 0, &ts, NULL, 0);
	atomic_store(&sig_waits_done, 1);
	for (;;)
		pause();
	return NULL;
}

static int do_signals(long n)
{
	struct sigaction sa = { .sa_handler = sig_nop };	/* no SA_RESTART */
	pthread_t waiter;
	long sent = 0;

	if (sigaction(SIGUSR1, &sa, NULL) || pthread_create(&waiter, NULL, sig_waiter, (void *)n)) {
		notok("signals: setup");
		return 1;
	}
	wst_pin(1);
	while (!atomic_load(&sig_waits_done)) {
		pthread_kill(waiter, SIGUSR1);
		sent++;
	}
	printf("signals: waiter %d, %ld waits, %ld signals sent\n",
	       atomic_load(&sig_waiter_tid), n, sent);
	printf("ready\n");
	for (;;)
		pause();
	return 0;
}

/* ---- asuser ---- */

static int do_asuser(uid_t uid, gid_t gid, char **argv)
{
	if (setgroups(0, NULL) || setgid(gid) || setuid(uid)) {
		perror("hostile asuser");
		return 126;
	}
	if (getuid() != uid || geteuid() != uid || !setuid(0)) {
		fprintf(stderr, "hostile asuser: still privileged\n");
		return 126;
	}
	execvp(argv[0], argv);
	perror(argv[0]);
	return 127;
}

static int usage(void)
{
	fprintf(stderr, "usage: hostile count EXTRA | park N | flood N | reuse ROUNDS GENS K | fuzz N THREADS SEED | dying SECONDS | signals N | asuser UID GID CMD...\n");
	return 2;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc < 2)
		return usage();
	if (!strcmp(argv[1], "count") && argc == 3)
		return do_count(atoi(argv[2]));
	if (!strcmp(argv[1], "park") && argc == 3)
		return do_park(atoi(argv[2]));
	if (!strcmp(argv[1], "flood") && argc == 3)
		return do_flood(atoi(argv[2]));
	if (!strcmp(argv[1], "reuse") && argc == 5)
		return do_reuse(atoi(argv[2]), atoi(argv[3]), atoi(argv[4]));
	if (!strcmp(argv[1], "fuzz") && argc == 5)
		return do_fuzz(atoi(argv[2]), atoi(argv[3]), strtoull(argv[4], NULL, 10));
	if (!strcmp(argv[1], "signals") && argc == 3)
		return do_signals(atol(argv[2]));
	if (!strcmp(argv[1], "dying") && argc == 3)
		return do_dying(atoi(argv[2]));
	if (!strcmp(argv[1], "asuser") && argc >= 5)
		return do_asuser((uid_t)atoi(argv[2]), (gid_t)atoi(argv[3]), argv + 4);
	return usage();
}
