// SPDX-License-Identifier: GPL-2.0
/*
 * waitscope: find blocked, stuck and starving threads from the waitscope
 * kernel module's debugfs files (or a snapshot of them).
 *
 * Exit status: 0 fine / no finding, 1 findings (report), 2 error.
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "evidence.h"
#include "render.h"
#include "slow.h"
#include "top.h"
#include "ustack.h"
#include "waits.h"
#include "watch.h"

static const char *usage_text =
"usage: waitscope [--debugfs DIR] COMMAND [OPTIONS]\n"
"\n"
"Find threads that are blocked, stuck or starving, from the waitscope kernel\n"
"module (" WS_DEFAULT_DIR ") or a snapshot of it.\n"
"\n"
"Commands:\n"
"  status              is the module loaded, tracing, full?\n"
"  report              the diagnosis: deadlocks, frozen processes, stuck threads,\n"
"                      lock contention, hidden blocking, starving workers, CPU\n"
"                      pressure, module health\n"
"  top                 live per-thread view of where time goes\n"
"  hist                log2 histograms of off-CPU intervals (bcc layout)\n"
"  blocked             threads off CPU right now, longest first, and who holds\n"
"                      what they wait for\n"
"  why TID|PID         the chain of waits from a thread to its root, hop by hop\n"
"  waits               the waits-for edges (who waits for whom), as a table\n"
"  futex               futex words waited on, per process\n"
"  slow                the flight recorder: each slow wait (and exit) as it\n"
"                      happened, who woke or preempted it; --follow streams\n"
"  watch [--] CMD      run CMD and watch its whole process tree (-p PID: one\n"
"                      that runs): stuck, deadlock, frozen, leaked, contention\n"
"                      and starvation checks; exit 3 when one fails\n"
"  export              Prometheus text or JSON of everything\n"
"  snapshot DIR        copy the module's files for analysis elsewhere\n"
"  reset | enable | disable | filter tgid=N | filter off | blocked-min MS\n"
"                      control the module\n"
"\n"
"Global options:\n"
"  --debugfs DIR       read DIR instead of " WS_DEFAULT_DIR "\n"
"                      (also $WAITSCOPE_DEBUGFS); a snapshot directory works\n"
"  -h, --help          this help; 'waitscope COMMAND --help' for a command's\n"
"  -V, --version\n"
"\n"
"Exit status: 0 fine, 1 report found something, 2 error (watch: see\n"
"'waitscope watch --help').\n";

static const char *dir = WS_DEFAULT_DIR;
static bool dir_given;

static int die(const struct ws_err *err)
{
	fprintf(stderr, "waitscope: %s\n", err->msg);
	return 2;
}

static int usage_error(const char *cmd, const char *msg)
{
	fprintf(stderr, "waitscope %s: %s (see 'waitscope %s --help')\n", cmd, msg, cmd);
	return 2;
}

static bool debugfs_mounted(void)
{
	char line[512];
	bool found = false;
	FILE *f = fopen("/proc/mounts", "r");

	if (!f)
		return true;	/* cannot tell: do not claim it is not */
	while (!found && fgets(line, sizeof(line), f))
		found = strstr(line, " /sys/kernel/debug debugfs ") != NULL;
	fclose(f);
	return found;
}

/* Why the module's directory cannot be read, in one line with the fix. */
static int explain_missing(void)
{
	struct stat st;

	if (dir_given) {
		fprintf(stderr, "waitscope: %s: %s\n", dir, strerror(errno));
		return 2;
	}
	if (stat("/sys/kernel/debug", &st)) {
		fprintf(stderr, "waitscope: debugfs is not available at /sys/kernel/debug\n");
		return 2;
	}
	if (access("/sys/kernel/debug/.", X_OK) && errno == EACCES) {
		fprintf(stderr, "waitscope: cannot read /sys/kernel/debug: permission denied (debugfs is root-only: run as root)\n");
		return 2;
	}
	if (access(WS_DEFAULT_DIR, F_OK) == 0 || errno == EACCES) {
		fprintf(stderr, "waitscope: cannot read %s: permission denied (run as root)\n",
			WS_DEFAULT_DIR);
		return 2;
	}
	if (!debugfs_mounted())
		fprintf(stderr, "waitscope: debugfs is not mounted (mount -t debugfs none /sys/kernel/debug)\n");
	else if (access("/sys/module/waitscope", F_OK) == 0)
		fprintf(stderr, "waitscope: the module is loaded but %s is missing: is debugfs mounted? (mount -t debugfs none /sys/kernel/debug)\n",
			WS_DEFAULT_DIR);
	else if (geteuid())
		fprintf(stderr, "waitscope: cannot see %s: run as root (debugfs is root-only)\n",
			WS_DEFAULT_DIR);
	else
		fprintf(stderr, "waitscope: the waitscope module is not loaded (modprobe waitscope, or insmod waitscope.ko)\n");
	return 2;
}

/* The source is the module's own directory (not a snapshot), given or not. */
static bool source_is_live(void)
{
	char a[4096], b[4096];

	if (!dir_given)
		return true;
	return realpath(dir, a) && realpath(WS_DEFAULT_DIR, b) && !strcmp(a, b);
}

/* The /proc of live threads: $WAITSCOPE_PROC (tests), else /proc live, else none. */
static const char *proc_root(void)
{
	const char *proc = getenv("WAITSCOPE_PROC");

	if (proc && *proc)
		return proc;
	return source_is_live() ? "/proc" : NULL;
}

/*
 * The waits-for edges of s: resolved from /proc for the live module (and,
 * for tests, for a snapshot without a waits file when $WAITSCOPE_PROC
 * names a fake /proc), read from DIR/waits for a snapshot.  A snapshot
 * without one is not resolved (a note says so); a garbled one is an error.
 * 0, or the exit status.
 */
static int load_waits(const struct ws_snapshot *s, uint64_t min_ns, struct ws_waits *w)
{
	const char *proc = getenv("WAITSCOPE_PROC");
	char path[4096], *buf;
	struct ws_err err;
	size_t len;
	int rc;

	ws_waits_init(w);
	if (source_is_live()) {
		ws_resolve_waits(s, proc_root(), min_ns, w);
		return 0;
	}
	snprintf(path, sizeof(path), "%s/%s", dir, ws_waits_file);
	if (access(path, F_OK) && errno == ENOENT) {
		if (proc && *proc) {
			ws_resolve_waits(s, proc, min_ns, w);
			return 0;
		}
		snprintf(w->why_not, sizeof(w->why_not),
			 "the snapshot has no waits file");
		return 0;
	}
	if (ws_read_file(path, &buf, &len, &err))
		return die(&err);
	rc = ws_parse_waits(w, buf, len, &err);
	free(buf);
	if (rc) {
		ws_waits_free(w);
		return die(&err);
	}
	return 0;
}

/* The module's threshold for its blocked file: what snapshot, why and waits resolve. */
static uint64_t blocked_min_ns(const struct ws_snapshot *s)
{
	return s->blocked_min_ms * 1000000ULL;
}

int ws_load(struct ws_snapshot *s)
{
	struct ws_err err;
	struct stat st;

	if (stat(dir, &st) || !S_ISDIR(st.st_mode))
		return explain_missing();
	ws_snapshot_init(s);
	if (ws_snapshot_load(s, dir, &err)) {
		ws_snapshot_free(s);
		return die(&err);
	}
	return 0;
}

static bool parse_u32_arg(const char *s, uint32_t *v)
{
	char *end;
	unsigned long x;

	errno = 0;
	x = strtoul(s, &end, 10);
	if (end == s || *end || errno || x > UINT32_MAX || *s == '-')
		return false;
	*v = (uint32_t)x;
	return true;
}

static bool parse_share(const char *s, double *v)
{
	char *end;

	if (!isdigit((unsigned char)s[0]) || strpbrk(s, "xXpP"))
		return false;
	*v = strtod(s, &end);
	if (end == s || (*end && strcmp(end, "%")) || !isfinite(*v) || *v < 0 || *v > 100)
		return false;
	*v /= 100;
	return true;
}

/* ---- status ---- */

static int cmd_status(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' }, { "help", no_argument, NULL, 'h' }, { 0 },
	};
	struct ws_snapshot s;
	bool json = false;
	int c, rc;

	while ((c = getopt_long(argc, argv, "jh", opts, NULL)) != -1) {
		if (c == 'j')
			json = true;
		else if (c == 'h')
			return printf("usage: waitscope status [--json]\n\nWhether the module is loaded and tracing, its capacity, use and drops.\nExit 0 when loaded, 2 when not (with the reason and the fix).\n"), 0;
		else
			return 2;
	}
	if (optind < argc)
		return usage_error("status", "unexpected argument");
	rc = ws_load(&s);
	if (rc)
		return rc;
	ws_render_status(stdout, &s, dir, json);
	ws_snapshot_free(&s);
	return 0;
}

/* ---- report ---- */

static const char *report_help =
"usage: waitscope report [--interval S] [--pid P] [thresholds] [--allow KEY=GLOB] [--json]\n"
"\n"
"Findings, most time affected first (a deadlock always first), each with its\n"
"evidence, the threshold it crossed, the likely cause and what to look at next:\n"
"  stuck            threads blocked right now for at least --stuck, grouped by\n"
"                   process and wait site (reason, futex address or syscall,\n"
"                   top kernel frame)\n"
"  lock-contention  futex words whose lock waits (expected value 2, LOCK_PI)\n"
"                   cost their waiters at least --contention in all, at least\n"
"                   --contention-rate of a thread's time per wall second and\n"
"                   --contention-waits waits a second; or with 2+ threads in a\n"
"                   lock wait on them now for --contention.  Wall time is the\n"
"                   --interval, else how long the process has been watched\n"
"  deadlock         (ranked first) a cycle of waits with known holders that\n"
"                   nothing leaves: each thread holds what the next waits for\n"
"  frozen           every thread of a process blocked at least --stuck in waits\n"
"                   only its own threads could end (no timeout, nothing outside):\n"
"                   semaphores or condition variables nobody will post\n"
"  hidden-blocking  threads spending at least --blocked-share of their time in\n"
"                   io or uninterruptible waits\n"
"  starving         threads whose run-queue p99 is at least --runq-p99, whose\n"
"                   run-queue share is at least --runq-share, or at least\n"
"                   --starve-ratio times the median of the rest of their pool\n"
"                   (same process, same comm but for digits: worker-1..16 ->\n"
"                   worker-N); the processes of a cgroup that hit its CPU\n"
"                   quota are one finding\n"
"  cpu-pressure     CPUs whose run-queue wait p95 is at least --runq-p99\n"
"  module-health    tracing disabled, threads untracked now, table nearly full\n"
"                   (threads dropped only in the past are a note, not a finding)\n"
"\n"
"Idle waits are not findings: event loops (epoll, poll, select), sleeps,\n"
"child and signal waits, accept and receive, terminal and socket reads,\n"
"kernel threads with nothing to do, and futex waits that are not lock\n"
"waits: condition-variable style (FUTEX_WAIT_BITSET, how pthread_cond_wait\n"
"and sem_wait park an idle pool) and FUTEX_WAIT on a value other than 2\n"
"(how the Go runtime parks an idle thread).  Lock waits (value 2, LOCK_PI),\n"
"futex waits of unknown kind (an older module's snapshot) and pipe reads are\n"
"reported.  Without kernel stacks (6.1), a live report run as root reads\n"
"/proc/TID/syscall and /proc/PID/fd to tell a read's descriptor.\n"
"\n"
"Who holds what a blocked thread waits for comes from the waits-for graph:\n"
"resolved from /proc live (as root), read from DIR/waits for a snapshot.\n"
"stuck and lock-contention findings then name the holder and the root of\n"
"the chain, and say 'waitscope why TID'; without it, a note says why.\n"
"\n"
"When DIR has the flight recorder's events (the events file, recorder on),\n"
"starving and hidden-blocking findings get a line 'recorded:': how many of\n"
"their threads' run-queue (starving) or io and uninterruptible (hidden)\n"
"waits lasted at least the recorder's slow_min_us, when they ended (local\n"
"time; with --interval, the window's only), and who caused most of them:\n"
"the thread that had the CPU (run queue) or the waker ('woken from\n"
"interrupts'), with how many; events the rings overwrote are counted.\n"
"\n"
"Options:\n"
"  --interval S       judge the last S seconds (two snapshots S apart)\n"
"                     instead of everything since tracing began\n"
"  -p, --pid P        only process P\n"
"  --stuck DUR        default 10s\n"
"  --runq-p99 DUR     default 10ms\n"
"  --runq-share PCT   default 50\n"
"  --starve-ratio X   default 3\n"
"  --blocked-share PCT default 20\n"
"  --contention DUR   default 100ms\n"
"  --contention-rate PCT  default 5 (% of one thread's time, per wall second)\n"
"  --contention-waits N   default 20 (lock waits per wall second)\n"
"  --allow KEY=GLOB   never report matching waits; KEY is comm, syscall,\n"
"                     reason, futex_op, futex_val, frame (the top kernel\n"
"                     frame) or uframe (any user stack frame, live only)\n"
"                     (repeatable), e.g. --allow comm='java*' --allow\n"
"                     syscall=read --allow uframe=wait_for_job\n"
"  --json             one JSON document (schema waitscope.report/2): every\n"
"                     finding with its tids; stuck, lock-contention, deadlock\n"
"                     and frozen with waits_for and root; deadlock with cycle;\n"
"                     starving and hidden-blocking with slow_events (the\n"
"                     recorded line's numbers) when there are events\n"
"\n"
"Exit status: 0 no finding, 1 findings, 2 error (a garbled file, the events\n"
"file included).\n";

static int snapshot_interval(struct ws_snapshot *b, double secs, uint64_t *window)
{
	struct ws_snapshot a;
	struct timespec ts = { (time_t)secs, (long)((secs - (time_t)secs) * 1e9) };
	int rc = ws_load(&a);

	if (rc)
		return rc;
	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
	rc = ws_load(b);
	if (!rc) {
		ws_snapshot_delta(b, &a);
		*window = b->now_ns > a.now_ns ? b->now_ns - a.now_ns : 0;
	}
	ws_snapshot_free(&a);
	return rc;
}

/*
 * Where report looks beside the module's files.  cgroup ids and threads
 * mean something only on the host that recorded them: a snapshot given
 * with --debugfs is judged from its files alone.  For tests (documented in
 * the man page), $WAITSCOPE_PROC and $WAITSCOPE_CGROUP name a fake /proc
 * and cgroup tree, live or not.
 */
static void report_roots(struct ws_opts *o)
{
	const char *cg = getenv("WAITSCOPE_CGROUP");

	o->proc_root = proc_root();
	if (!source_is_live())
		o->cgroup_root = NULL;
	if (cg && *cg)
		o->cgroup_root = cg;
}

/*
 * The flight recorder's events as evidence for the findings (evidence.c),
 * those of the window with --interval: none when DIR has no events file
 * (a module without the recorder, an older snapshot); a garbled one is an
 * error, as any garbled file is.  0, or the exit status.
 */
static int report_events(struct ws_findings *fs, const struct ws_snapshot *s,
			 const struct ws_opts *o)
{
	uint64_t since = o->window_ns && s->now_ns > o->window_ns ? s->now_ns - o->window_ns : 0;
	struct ws_events e;
	struct ws_err err;

	if (!ws_events_exist(dir))
		return 0;
	ws_events_init(&e);
	if (ws_events_load(dir, 0, &e, &err))
		return die(&err);
	ws_evidence_attach(fs, s, &e, since);
	ws_events_free(&e);
	return 0;
}

static int cmd_report(int argc, char **argv)
{
	enum { O_STUCK = 256, O_RUNQ, O_SHARE, O_RATIO, O_BLOCKED, O_CONT, O_ALLOW, O_INT,
	       O_CRATE, O_CWAITS };
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' }, { "help", no_argument, NULL, 'h' },
		{ "pid", required_argument, NULL, 'p' },
		{ "interval", required_argument, NULL, O_INT },
		{ "stuck", required_argument, NULL, O_STUCK },
		{ "runq-p99", required_argument, NULL, O_RUNQ },
		{ "runq-share", required_argument, NULL, O_SHARE },
		{ "starve-ratio", required_argument, NULL, O_RATIO },
		{ "blocked-share", required_argument, NULL, O_BLOCKED },
		{ "contention", required_argument, NULL, O_CONT },
		{ "contention-rate", required_argument, NULL, O_CRATE },
		{ "contention-waits", required_argument, NULL, O_CWAITS },
		{ "allow", required_argument, NULL, O_ALLOW }, { 0 },
	};
	struct ws_findings fs = { 0 };
	struct ws_snapshot s;
	struct ws_waits w;
	struct ws_opts o;
	double interval = 0;
	bool json = false, ok = true;
	char *end;
	int c, rc;

	ws_opts_default(&o);
	report_roots(&o);
	while ((c = getopt_long(argc, argv, "jhp:", opts, NULL)) != -1) {
		switch (c) {
		case 'j': json = true; break;
		case 'h': fputs(report_help, stdout); return 0;
		case 'p': ok = parse_u32_arg(optarg, &o.pid) && o.pid; break;
		case O_INT:
			interval = strtod(optarg, &end);
			ok = end != optarg && !*end && isfinite(interval) && interval > 0 &&
			     interval <= 86400;
			break;
		case O_STUCK: ok = ws_parse_duration(optarg, &o.stuck_ns); break;
		case O_RUNQ: ok = ws_parse_duration(optarg, &o.runq_p99_ns); break;
		case O_SHARE: ok = parse_share(optarg, &o.runq_share); break;
		case O_BLOCKED: ok = parse_share(optarg, &o.blocked_share); break;
		case O_CONT: ok = ws_parse_duration(optarg, &o.contention_ns); break;
		case O_CRATE: ok = parse_share(optarg, &o.contention_rate); break;
		case O_CWAITS:
			o.contention_waits = strtod(optarg, &end);
			ok = end != optarg && !*end && isfinite(o.contention_waits) &&
			     o.contention_waits >= 0 && o.contention_waits <= 1e9;
			break;
		case O_RATIO:
			o.starve_ratio = strtod(optarg, &end);
			ok = end != optarg && !*end && isfinite(o.starve_ratio) &&
			     o.starve_ratio >= 1 && o.starve_ratio <= 1000;
			break;
		case O_ALLOW:
			ok = strchr(optarg, '=') && o.nallow < 32;
			if (ok)
				o.allow[o.nallow++] = optarg;
			break;
		default: return 2;
		}
		if (!ok) {
			char msg[256] = "bad value";

			for (int i = 0; opts[i].name; i++)
				if (opts[i].val == c)
					snprintf(msg, sizeof(msg), "bad value '%s' for --%s", optarg,
						 opts[i].name);
			return usage_error("report", msg);
		}
	}
	if (optind < argc)
		return usage_error("report", "unexpected argument");
	rc = interval ? snapshot_interval(&s, interval, &o.window_ns) : ws_load(&s);
	if (rc)
		return rc;
	rc = load_waits(&s, o.stuck_ns < o.contention_ns ? o.stuck_ns : o.contention_ns, &w);
	if (rc) {
		ws_snapshot_free(&s);
		return rc;
	}
	o.waits = &w;
	o.uw = o.proc_root ? ws_uwalker_new(o.proc_root) : NULL;
	ws_diagnose(&s, &o, &fs);
	rc = report_events(&fs, &s, &o);
	if (!rc) {
		ws_render_report(stdout, &s, &fs, &o, json);
		rc = fs.n ? 1 : 0;
	}
	ws_uwalker_free(o.uw);
	ws_findings_free(&fs);
	ws_waits_free(&w);
	ws_snapshot_free(&s);
	return rc;
}

/* ---- hist ---- */

/* Thread tid, the newest of several (a reused tid), saying which it is. */
static const struct ws_thread *pick_tid(const struct ws_snapshot *s, uint32_t tid)
{
	const struct ws_thread *t = ws_find_thread(s, tid);
	unsigned n = ws_count_tid(s, tid);

	if (t && n > 1)
		fprintf(stderr, "waitscope: tid %u is %u threads (the tid was reused): showing the newest, started %.3fs after boot\n",
			tid, n, t->start_ns / 1e9);
	return t;
}

static int cmd_hist(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "pid", required_argument, NULL, 'p' }, { "tid", required_argument, NULL, 't' },
		{ "reason", required_argument, NULL, 'r' }, { "ms", no_argument, NULL, 'm' },
		{ "help", no_argument, NULL, 'h' }, { 0 },
	};
	uint32_t pid = 0, tid = 0;
	int reason = -1, c, r, rc, shown = 0;
	bool ms = false;
	struct ws_snapshot s;
	const struct ws_thread *want = NULL;
	size_t i;

	while ((c = getopt_long(argc, argv, "p:t:r:mh", opts, NULL)) != -1) {
		switch (c) {
		case 'p':
			if (!parse_u32_arg(optarg, &pid) || !pid)
				return usage_error("hist", "bad --pid");
			break;
		case 't':
			if (!parse_u32_arg(optarg, &tid) || !tid)
				return usage_error("hist", "bad --tid");
			break;
		case 'r':
			for (r = 0; r < NR_REASONS; r++)
				if (!strcmp(optarg, ws_reason_names[r]))
					reason = r;
			if (reason < 0)
				return usage_error("hist", "--reason is one of runq, futex, io, uninterruptible, sleep");
			break;
		case 'm': ms = true; break;
		case 'h':
			printf("usage: waitscope hist [-p PID | -t TID] [--reason R] [--ms]\n\n"
			       "Log2 histograms of off-CPU intervals, one per thread and reason, in\n"
			       "the layout of bcc's runqlat/offcputime: 'usecs : count distribution'.\n"
			       "Bucket [2^k, 2^(k+1)) us; --ms shows the same buckets in milliseconds.\n");
			return 0;
		default: return 2;
		}
	}
	if (optind < argc)
		return usage_error("hist", "unexpected argument");
	rc = ws_load(&s);
	if (rc)
		return rc;
	if (tid)
		want = pick_tid(&s, tid);
	for (i = 0; i < s.nthreads; i++) {
		const struct ws_thread *t = &s.threads[i];

		if ((pid && t->tgid != pid) || (tid && t != want))
			continue;
		for (r = 0; r < NR_REASONS; r++) {
			if ((reason >= 0 && r != reason) || !t->hist_len[r])
				continue;
			ws_render_hist(stdout, &s, t, r, ms);
			shown++;
		}
	}
	if (!shown)
		fprintf(stderr, "waitscope: no histogram matches\n");
	ws_snapshot_free(&s);
	return 0;
}

/* ---- blocked, futex ---- */

static int cmd_blocked(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "min", required_argument, NULL, 'm' }, { "pid", required_argument, NULL, 'p' },
		{ "json", no_argument, NULL, 'j' }, { "help", no_argument, NULL, 'h' }, { 0 },
	};
	uint64_t min_ns = 0;
	uint32_t pid = 0;
	bool json = false;
	struct ws_snapshot s;
	struct ws_graph *g;
	struct ws_waits w;
	int c, rc;

	while ((c = getopt_long(argc, argv, "m:p:jh", opts, NULL)) != -1) {
		switch (c) {
		case 'm':
			if (!ws_parse_duration(optarg, &min_ns))
				return usage_error("blocked", "bad --min (e.g. 500ms, 10s)");
			break;
		case 'p':
			if (!parse_u32_arg(optarg, &pid) || !pid)
				return usage_error("blocked", "bad --pid");
			break;
		case 'j': json = true; break;
		case 'h':
			printf("usage: waitscope blocked [--min DURATION] [-p PID] [--json]\n\n"
			       "Threads off CPU right now, longest first, with the reason, how long\n"
			       "('>' marks a lower bound: blocked since before tracing began), the\n"
			       "syscall, who holds what it waits for (HOLDER: the holder's tid, pid:N\n"
			       "for a process holding the other end of a pipe or socket, +N more\n"
			       "holders, - unknown), the futex word and the kernel stack.  The module\n"
			       "lists only threads off CPU for its blocked_min_ms (default 100ms) or\n"
			       "more.  --json adds each thread's waits_for edges.\n");
			return 0;
		default: return 2;
		}
	}
	if (optind < argc)
		return usage_error("blocked", "unexpected argument");
	rc = ws_load(&s);
	if (rc)
		return rc;
	rc = load_waits(&s, min_ns, &w);
	if (rc) {
		ws_snapshot_free(&s);
		return rc;
	}
	g = w.resolved ? ws_graph_build(&s, &w, proc_root()) : NULL;
	ws_render_blocked(stdout, &s, g, min_ns, pid, json);
	ws_graph_free(g);
	ws_waits_free(&w);
	ws_snapshot_free(&s);
	return 0;
}

static int cmd_futex(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "pid", required_argument, NULL, 'p' }, { "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' }, { 0 },
	};
	uint32_t pid = 0;
	bool json = false;
	struct ws_snapshot s;
	int c, rc;

	while ((c = getopt_long(argc, argv, "p:jh", opts, NULL)) != -1) {
		switch (c) {
		case 'p':
			if (!parse_u32_arg(optarg, &pid) || !pid)
				return usage_error("futex", "bad --pid");
			break;
		case 'j': json = true; break;
		case 'h':
			printf("usage: waitscope futex [-p PID] [--json]\n\n"
			       "Futex words waited on, per process: threads waiting now, completed\n"
			       "waits, their total and longest, and the longest wait in progress.\n"
			       "OP lock_pi is a lock; wait a lock only on expected value 2 (glibc), else a\n"
			       "park or an event (the Go runtime); wait_bitset a condition variable,\n"
			       "semaphore or join.  LOCKWAITS: of WAITS, the lock waits (newer modules).\n");
			return 0;
		default: return 2;
		}
	}
	if (optind < argc)
		return usage_error("futex", "unexpected argument");
	rc = ws_load(&s);
	if (rc)
		return rc;
	ws_render_futex(stdout, &s, pid, json);
	ws_snapshot_free(&s);
	return 0;
}

/* ---- why, waits ---- */

static const char *why_help =
"usage: waitscope why TID|PID [--json]\n"
"\n"
"The chain of waits from one thread to its root, one line per hop: each\n"
"thread's reason, how long, the syscall, the futex word and the top kernel\n"
"frames, then what it waits for, who holds it and the evidence for that edge.\n"
"The last line is 'root: pid P tid T (COMM) STATE: why' (the thread that can\n"
"end the chain: running, runnable, stopped, asleep on nothing anyone holds,\n"
"or waiting on something outside), or 'deadlock: ...' for a cycle.  A PID\n"
"(a process's leader) shows each of its blocked threads.  Edges come from\n"
"/proc live (as root) or from a snapshot's waits file.\n"
"\n"
"  --json    one JSON document (schema waitscope.why/1)\n"
"\n"
"Exit status: 0 every chain reached its root (or a deadlock), 1 an edge stayed\n"
"unknown or the waits were not resolved, 2 error (no such thread).\n";

static int ix_tid_cmp(const void *a, const void *b)
{
	const struct ws_thread *x = *(const struct ws_thread *const *)a;
	const struct ws_thread *y = *(const struct ws_thread *const *)b;

	return x->tid < y->tid ? -1 : x->tid > y->tid;
}

/*
 * What "why N" is about: thread N, or when N is a process (its leader's
 * tid), each of its blocked threads (its leader when none is blocked).
 */
static size_t why_threads(const struct ws_snapshot *s, uint32_t n, const struct ws_thread ***out)
{
	const struct ws_thread *t = ws_find_thread(s, n), **v;
	size_t i, k = 0;

	*out = v = calloc(s->nthreads + 1, sizeof(*v));
	if (!v)
		return 0;
	if (t && t->tid != t->tgid) {
		v[k++] = t;
		return k;
	}
	for (i = 0; i < s->nthreads; i++)
		if (s->threads[i].tgid == n && s->threads[i].state > R_RUNQ)
			v[k++] = &s->threads[i];
	qsort(v, k, sizeof(*v), ix_tid_cmp);
	if (!k && t)
		v[k++] = t;
	return k;
}

/* 0 when every chain reached its root or a deadlock, 1 when one stopped at an unknown edge. */
static int why_status(const struct ws_graph *g, const struct ws_waits *w,
		      const struct ws_thread *const *v, size_t n)
{
	struct ws_root r;
	size_t i;

	if (!w->resolved)
		return 1;
	for (i = 0; i < n; i++) {
		ws_graph_root(g, v[i], &r);
		if (r.kind == WS_ROOT_UNKNOWN)
			return 1;
	}
	return 0;
}

static int cmd_why(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' }, { "help", no_argument, NULL, 'h' }, { 0 },
	};
	const struct ws_thread **v;
	struct ws_snapshot s;
	struct ws_graph *g;
	struct ws_waits w;
	bool json = false;
	uint32_t n;
	size_t nv;
	int c, rc;

	while ((c = getopt_long(argc, argv, "jh", opts, NULL)) != -1) {
		if (c == 'j')
			json = true;
		else if (c == 'h')
			return fputs(why_help, stdout), 0;
		else
			return 2;
	}
	if (optind + 1 != argc || !parse_u32_arg(argv[optind], &n) || !n)
		return usage_error("why", "needs one TID or PID");
	rc = ws_load(&s);
	if (rc)
		return rc;
	nv = why_threads(&s, n, &v);
	if (!nv) {
		fprintf(stderr, "waitscope: no thread or process %u in %s\n", n, dir);
		free(v);
		ws_snapshot_free(&s);
		return 2;
	}
	rc = load_waits(&s, blocked_min_ns(&s), &w);
	if (!rc) {
		struct ws_uwalker *uw = proc_root() ? ws_uwalker_new(proc_root()) : NULL;

		g = ws_graph_build(&s, &w, proc_root());
		ws_render_why(stdout, &s, g, &w, v, nv, json, uw);
		ws_uwalker_free(uw);
		rc = why_status(g, &w, v, nv);
		ws_graph_free(g);
		ws_waits_free(&w);
	}
	free(v);
	ws_snapshot_free(&s);
	return rc;
}

/* Only process pid's edges (pid 0: all). */
static void waits_of_pid(struct ws_waits *w, uint32_t pid)
{
	size_t i, n = 0;

	for (i = 0; pid && i < w->n; i++)
		if (w->e[i].pid == pid)
			w->e[n++] = w->e[i];
	if (pid)
		w->n = n;
}

static int cmd_waits(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "pid", required_argument, NULL, 'p' }, { "help", no_argument, NULL, 'h' }, { 0 },
	};
	struct ws_snapshot s;
	struct ws_waits w;
	uint32_t pid = 0;
	int c, rc;

	while ((c = getopt_long(argc, argv, "p:h", opts, NULL)) != -1) {
		switch (c) {
		case 'p':
			if (!parse_u32_arg(optarg, &pid) || !pid)
				return usage_error("waits", "bad --pid");
			break;
		case 'h':
			printf("usage: waitscope waits [-p PID]\n\n"
			       "The waits-for edges, as the snapshot's waits file: one row per edge,\n"
			       "tid pid type scope holder_tid holder_pid holder_comm object evidence\n"
			       "(holder 0 and comm - when unknown).  Resolved from /proc live (as\n"
			       "root), read from DIR/waits for a snapshot; resolved=0 and a why_not\n"
			       "line when they could not be.  For scripts and tests.\n");
			return 0;
		default: return 2;
		}
	}
	if (optind < argc)
		return usage_error("waits", "unexpected argument");
	rc = ws_load(&s);
	if (rc)
		return rc;
	rc = load_waits(&s, blocked_min_ns(&s), &w);
	if (!rc) {
		waits_of_pid(&w, pid);
		ws_waits_write(stdout, &w);
		ws_waits_free(&w);
	}
	ws_snapshot_free(&s);
	return rc;
}

/* ---- export ---- */

static int cmd_export(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "min-thread", required_argument, NULL, 'm' },
		{ "help", no_argument, NULL, 'h' }, { 0 },
	};
	const char *format = "prometheus";
	uint64_t min_thread = 1000000000ULL;
	struct ws_snapshot s;
	int c, rc;

	while ((c = getopt_long(argc, argv, "f:m:h", opts, NULL)) != -1) {
		switch (c) {
		case 'f': format = optarg; break;
		case 'm':
			if (!ws_parse_duration(optarg, &min_thread))
				return usage_error("export", "bad --min-thread");
			break;
		case 'h':
			printf("usage: waitscope export [--format prometheus|json] [--min-thread DUR]\n\n"
			       "prometheus: text exposition for node_exporter's textfile collector:\n"
			       "  counters from the module's totals, which keep what exited threads did\n"
			       "  (waitscope_offcpu_seconds_total{reason}, waitscope_offcpu_waits_total,\n"
			       "  waitscope_oncpu_seconds_total; absent with an older module), and of\n"
			       "  the flight recorder's events (waitscope_slow_events_total{reason},\n"
			       "  waitscope_exit_events_total; absent when the stats file has no\n"
			       "  slow_<reason>_n, slow_exit_n), gauges for sums over the threads listed\n"
			       "  now (waitscope_live_threads_*,\n"
			       "  waitscope_process_live_threads_offcpu_{seconds,intervals{upper}}),\n"
			       "  module health, and per-thread series (labelled with the thread's start\n"
			       "  time) only for threads with at least --min-thread (default 1s) in a\n"
			       "  reason, to bound cardinality.\n"
			       "json: one document, schema waitscope/1, every time in nanoseconds; the\n"
			       "  recorder's counts in stats.recorded.\n");
			return 0;
		default: return 2;
		}
	}
	if (strcmp(format, "prometheus") && strcmp(format, "json"))
		return usage_error("export", "--format is prometheus or json");
	if (optind < argc)
		return usage_error("export", "unexpected argument");
	rc = ws_load(&s);
	if (rc)
		return rc;
	if (!strcmp(format, "json"))
		ws_export_json(stdout, &s);
	else
		ws_export_prometheus(stdout, &s, min_thread);
	ws_snapshot_free(&s);
	return 0;
}

/* ---- snapshot ---- */

/*
 * Root-only data stays root-only (0600), and a symlink planted in the
 * target directory is refused rather than followed.
 */
static int write_file(const char *path, const char *buf, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
	size_t done = 0;
	ssize_t n;

	if (fd < 0)
		goto fail;
	if (fchmod(fd, 0600))
		goto fail_fd;
	while (done < len) {
		n = write(fd, buf + done, len - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			goto fail_fd;
		done += (size_t)n;
	}
	if (close(fd))
		goto fail;
	return 0;
fail_fd:
	{
		int e = errno;

		close(fd);
		errno = e;
	}
fail:
	fprintf(stderr, "waitscope: cannot write %s: %s\n", path, strerror(errno));
	return 2;
}

/* The waits file's text for a snapshot of s: resolved live, or the source snapshot's. */
static int snapshot_waits(const struct ws_snapshot *s, char **buf, size_t *len,
			  struct ws_waits *w)
{
	FILE *f;
	int rc;

	rc = load_waits(s, blocked_min_ns(s), w);
	if (rc)
		return rc;
	f = open_memstream(buf, len);
	if (!f || ws_waits_write(f, w) || fclose(f)) {
		fprintf(stderr, "waitscope: out of memory\n");
		return 2;
	}
	return 0;
}

/* A snapshot of a snapshot without a waits file has none either: no stale one left behind. */
static bool source_has_waits(void)
{
	char path[4096];

	if (source_is_live() || getenv("WAITSCOPE_PROC"))
		return true;
	snprintf(path, sizeof(path), "%s/%s", dir, ws_waits_file);
	return access(path, F_OK) == 0;
}

/*
 * The flight recorder's events, optional (a module without the recorder,
 * a snapshot from an older waitscope): read and checked right after the
 * five files, so that the copy is of the same moment.  *buf stays NULL
 * when the source has none.  0, or the exit status.
 */
static int snapshot_read_events(char **buf, size_t *len, size_t *n)
{
	struct ws_events e;
	struct ws_err err;
	char path[4096];
	int rc;

	*buf = NULL;
	if (!ws_events_exist(dir))
		return 0;
	snprintf(path, sizeof(path), "%s/%s", dir, ws_events_file);
	if (ws_read_file(path, buf, len, &err))
		return die(&err);
	ws_events_init(&e);
	rc = ws_parse_events(&e, *buf, *len, &err);
	*n = e.n;
	ws_events_free(&e);
	return rc ? die(&err) : 0;
}

/* to/events: the source's, or none (a stale one from an earlier snapshot is removed). */
static int snapshot_write_events(const char *to, const char *buf, size_t len)
{
	char path[4096];

	snprintf(path, sizeof(path), "%s/%s", to, ws_events_file);
	if (buf)
		return write_file(path, buf, len);
	if (unlink(path) && errno != ENOENT) {
		fprintf(stderr, "waitscope: cannot remove %s: %s\n", path, strerror(errno));
		return 2;
	}
	return 0;
}

static int cmd_snapshot(int argc, char **argv)
{
	char *bufs[5] = { 0 }, path[4096], *wbuf = NULL, *ebuf = NULL;
	size_t lens[5] = { 0 }, wlen = 0, elen = 0, nevents = 0;
	struct ws_snapshot s;
	struct ws_waits w;
	struct ws_err err;
	int i, rc = 0;

	ws_waits_init(&w);
	if (argc == 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
		printf("usage: waitscope snapshot DIR\n\nCopy the module's files into DIR (created if missing), read back to\nback and checked, for 'waitscope --debugfs DIR ...' elsewhere, and the\nwaits-for edges resolved from /proc now (DIR/waits; resolved=0 with the\nreason when they cannot be, e.g. not run as root), and the flight\nrecorder's events when the module has them (DIR/events).\n");
		return 0;
	}
	if (argc != 2)
		return usage_error("snapshot", "needs exactly one directory");
	if (mkdir(argv[1], 0700) && errno != EEXIST) {
		fprintf(stderr, "waitscope: cannot create %s: %s\n", argv[1], strerror(errno));
		return 2;
	}
	if (access(dir, R_OK))
		return explain_missing();
	for (i = 0; i < 5 && !rc; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, ws_files[i]);
		if (ws_read_file(path, &bufs[i], &lens[i], &err))
			rc = die(&err);
	}
	if (!rc)
		rc = snapshot_read_events(&ebuf, &elen, &nevents);
	ws_snapshot_init(&s);
	if (!rc && ws_snapshot_parse_all(&s, bufs, lens, &err))
		rc = die(&err);
	for (i = 0; i < 5 && !rc; i++) {
		snprintf(path, sizeof(path), "%s/%s", argv[1], ws_files[i]);
		rc = write_file(path, bufs[i], lens[i]);
	}
	if (!rc)
		rc = snapshot_write_events(argv[1], ebuf, elen);
	snprintf(path, sizeof(path), "%s/%s", argv[1], ws_waits_file);
	if (!rc && source_has_waits()) {
		rc = snapshot_waits(&s, &wbuf, &wlen, &w);
		if (!rc)
			rc = write_file(path, wbuf, wlen);
	} else if (!rc && unlink(path) && errno != ENOENT) {
		rc = 2;
		fprintf(stderr, "waitscope: cannot remove %s: %s\n", path, strerror(errno));
	}
	if (!rc && w.resolved)
		printf("waitscope: %zu threads and %zu waits-for edges saved to %s\n", s.nthreads, w.n,
		       argv[1]);
	else if (!rc)
		printf("waitscope: %zu threads saved to %s (waits not resolved: %s)\n", s.nthreads,
		       argv[1], w.why_not[0] ? w.why_not : "the source has no waits file");
	if (!rc && ebuf)
		printf("waitscope: %zu events of the flight recorder saved to %s/%s\n", nevents,
		       argv[1], ws_events_file);
	free(ebuf);
	free(wbuf);
	ws_waits_free(&w);
	ws_snapshot_free(&s);
	for (i = 0; i < 5; i++)
		free(bufs[i]);
	return rc;
}

/* ---- control ---- */

static int control(const char *cmd)
{
	char path[4096];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/control", dir);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0) {
		if (errno == EPERM)
			fprintf(stderr, "waitscope: %s cannot be opened for writing (kernel lockdown?); use /sys/module/waitscope/parameters/ instead\n",
				path);
		else if (errno == ENOENT)
			return explain_missing();
		else
			fprintf(stderr, "waitscope: cannot open %s: %s%s\n", path, strerror(errno),
				errno == EACCES ? " (control is root-only: run as root)" : "");
		return 2;
	}
	n = write(fd, cmd, strlen(cmd));
	if (n < 0) {
		fprintf(stderr, "waitscope: the module refused '%s': %s\n", cmd, strerror(errno));
		close(fd);
		return 2;
	}
	close(fd);
	return 0;
}

static int cmd_control(int argc, char **argv)
{
	char cmd[128];
	uint32_t v;

	if (argc > 1 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
		printf("usage: waitscope reset | enable | disable | filter tgid=N | filter off | blocked-min MS\n\n"
		       "reset forgets everything counted; enable (after disable), reset and a\n"
		       "filter change start a fresh recording; disable detaches the probes.\n");
		return 0;
	}
	if (!strcmp(argv[0], "filter")) {
		if (argc != 2)
			return usage_error("filter", "filter tgid=N or filter off");
		snprintf(cmd, sizeof(cmd), "filter %s", argv[1]);
	} else if (!strcmp(argv[0], "blocked-min")) {
		if (argc != 2 || !parse_u32_arg(argv[1], &v))
			return usage_error("blocked-min", "blocked-min MILLISECONDS");
		snprintf(cmd, sizeof(cmd), "blocked_min_ms=%u", v);
	} else {
		if (argc != 1)
			return usage_error(argv[0], "takes no argument");
		snprintf(cmd, sizeof(cmd), "%s", argv[0]);
	}
	return control(cmd);
}

/* ---- slow (slow.c), top (top.c), watch (watch.c) ---- */

static int cmd_slow(int argc, char **argv)
{
	const struct ws_source src = { dir, source_is_live(), explain_missing };

	return ws_cmd_slow(argc, argv, &src);
}

static int cmd_top(int argc, char **argv)
{
	const struct ws_source src = { dir, source_is_live(), explain_missing };

	return ws_cmd_top(argc, argv, &src);
}

static int cmd_watch(int argc, char **argv)
{
	const struct ws_source src = { dir, source_is_live(), explain_missing };

	return ws_cmd_watch(argc, argv, &src);
}

int main(int argc, char **argv)
{
	static const struct {
		const char *name;
		int (*fn)(int, char **);
	} cmds[] = {
		{ "status", cmd_status }, { "report", cmd_report }, { "top", cmd_top },
		{ "slow", cmd_slow }, { "watch", cmd_watch },
		{ "hist", cmd_hist }, { "blocked", cmd_blocked }, { "futex", cmd_futex },
		{ "why", cmd_why }, { "waits", cmd_waits },
		{ "export", cmd_export }, { "snapshot", cmd_snapshot }, { "reset", cmd_control },
		{ "enable", cmd_control }, { "disable", cmd_control }, { "filter", cmd_control },
		{ "blocked-min", cmd_control },
	};
	const char *env = getenv("WAITSCOPE_DEBUGFS");
	int i = 1;
	size_t k;

	if (env && *env) {
		dir = env;
		dir_given = true;
	}
	for (; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			fputs(usage_text, stdout);
			return 0;
		} else if (!strcmp(argv[i], "-V") || !strcmp(argv[i], "--version")) {
			printf("waitscope %s\n", WS_VERSION);
			return 0;
		} else if (!strcmp(argv[i], "--debugfs") && i + 1 < argc) {
			dir = argv[++i];
			dir_given = true;
		} else if (!strncmp(argv[i], "--debugfs=", 10)) {
			dir = argv[i] + 10;
			dir_given = true;
		} else {
			fprintf(stderr, "waitscope: unknown option '%s' (see waitscope --help)\n", argv[i]);
			return 2;
		}
	}
	if (i == argc) {
		fputs(usage_text, stderr);
		return 2;
	}
	/* A snapshot's cgroup ids mean nothing on this host. */
	if (dir_given)
		ws_top_cgroup_root = NULL;
	for (k = 0; k < sizeof(cmds) / sizeof(cmds[0]); k++) {
		if (!strcmp(argv[i], cmds[k].name)) {
			int rc = cmds[k].fn(argc - i, argv + i);

			/* Output that did not get out is an error, not a result. */
			if (fflush(stdout) || ferror(stdout)) {
				fprintf(stderr, "waitscope: cannot write the output: %s\n",
					strerror(errno));
				return 2;
			}
			return rc;
		}
	}
	fprintf(stderr, "waitscope: unknown command '%s' (see waitscope --help)\n", argv[i]);
	return 2;
}
