// SPDX-License-Identifier: GPL-2.0
/*
 * waitscope watch [options] -- CMD [ARGS...] | -p PID [--for DUR]: run CMD
 * (or follow PID) and every process of its tree, poll the module, tell
 * stuck threads, deadlocks and frozen processes as they are seen, and at
 * the end what leaked and what went over a budget; the exit status is
 * CMD's when CMD failed, else 3 when a check failed.  CMD sees what it
 * would have seen without watch: the same environment, descriptors,
 * working directory, signal dispositions and mask, terminal; its exit
 * status passes through.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/select.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "ustack.h"
#include "watch.h"

#define NS_PER_MS 1000000ULL
#define NS_PER_S 1000000000ULL
/* Exit statuses beside CMD's (documented in --help and the man page). */
#define EXIT_CHECK_FAILED 3
#define EXIT_ERROR 2
#define EXIT_NOT_FOUND 127
#define EXIT_NOT_EXECUTABLE 126
/* How often the grace period and --kill-leftovers look at the tree. */
#define SETTLE_STEP_NS (50 * NS_PER_MS)
#define KILL_WAIT_NS NS_PER_S
#define MAX_RULES 32

static const char *watch_help =
"usage: waitscope watch [options] [--] CMD [ARGS...]\n"
"       waitscope watch [options] -p PID [--for DURATION]\n"
"\n"
"Run CMD and watch every thread of its whole process tree (descendants and\n"
"daemons included), or a process that already runs and its descendants;\n"
"say at once, on stderr, when a thread is stuck, a deadlock forms or a\n"
"process freezes; at the end, a summary per process in the report's words\n"
"and one line per check; exit with a status a CI job can use.  CMD sees what\n"
"it would see without watch: the same environment, descriptors, directory,\n"
"signal dispositions and mask, terminal.  CMD owns stdout: watch writes only\n"
"to stderr (and the --json and --junit files).\n"
"\n"
"The tree: a cgroup v2 of its own (waitscope-watch.PID under watch's own\n"
"cgroup), which nothing CMD starts leaves; where that cannot be (no cgroup\n"
"v2, no permission, controllers in the way: a note says why) or with\n"
"--no-cgroup, watch becomes a child subreaper and the tree is the processes\n"
"whose parent chain reaches it, rescanned at every poll.  -p PID: PID and\n"
"its descendants by parent chain.\n"
"\n"
"Checks (each can be switched off):\n"
"  stuck        a thread blocked in a wait that is not idle (as report\n"
"               judges: lock waits, pipe reads, io; not event loops, sleeps or\n"
"               condition variables) for --stuck or longer, told at once with\n"
"               its chain of waits; --no-stuck or --stuck off\n"
"  deadlock     a cycle of waits nothing leaves, told at once; --no-deadlock\n"
"  frozen       every thread of a process blocked --stuck or longer in waits\n"
"               only its own threads could end, told at once; --no-frozen\n"
"  leaked       a thread still blocked in a wait that is not idle when its\n"
"               process exited or was killed (from the flight recorder's exit\n"
"               events; its stack as last seen), at least --leaked-min long;\n"
"               and processes of the tree still running --grace after the\n"
"               main process ended; --no-leaked\n"
"  contention   one lock (process, futex word) whose lock waits over the run\n"
"               total more than --max-lock-wait; --no-contention\n"
"  starvation   a thread whose run-queue wait p99 over the run is above\n"
"               --max-runq-p99 (threads with 20 waits or more);\n"
"               --no-starvation\n"
"Totals of threads that exited during the run come exactly from their exit\n"
"events; their histograms and lock waits are as last polled.\n"
"\n"
"Options:\n"
"  -p, --pid PID          watch PID and its descendants instead of running CMD\n"
"  --for DUR              with -p: stop after DUR (default: when PID exits, or\n"
"                         on SIGINT/SIGTERM)\n"
"  --interval DUR         poll every DUR (default 1s; 10ms to 1h)\n"
"  --stuck DUR|off        default 30s\n"
"  --leaked-min DUR       a killed thread's wait at least this long (default 0)\n"
"  --grace DUR            how long processes may outlive the main one (500ms)\n"
"  --max-lock-wait DUR|off   default 1s\n"
"  --max-runq-p99 DUR|off    default 50ms\n"
"  --no-stuck, --no-deadlock, --no-frozen, --no-leaked, --no-contention,\n"
"  --no-starvation        switch a check off (SKIP)\n"
"  --ignore FILE          never report matching waits: one KEY=GLOB a line, as\n"
"                         report --allow (KEY: comm, syscall, reason, futex_op,\n"
"                         futex_val, frame: the top kernel frame, uframe: any\n"
"                         user stack frame); blank lines and # comments\n"
"                         skipped; repeatable\n"
"  --allow KEY=GLOB       one rule on the command line (repeatable); 32 in all\n"
"  --baseline             threads already blocked at the first poll are never\n"
"                         reported (stuck, deadlock, frozen, leaked); locks and\n"
"                         threads count from the first poll anyway\n"
"  --json FILE            one JSON document (schema waitscope.watch/1), written\n"
"                         whatever CMD's status; - for stdout, after CMD\n"
"  --junit FILE           JUnit XML: one testcase per check, a failure per\n"
"                         finding, <skipped/> for a check switched off\n"
"  --kill-leftovers       SIGKILL the processes left running at the end\n"
"                         (default: say so and leave them, and their cgroup)\n"
"  --no-cgroup            follow the parent chain even where a cgroup works\n"
"\n"
"Signals: SIGTERM and SIGHUP are passed on to CMD, and SIGINT and SIGQUIT\n"
"when they were sent to watch alone (the terminal's Ctrl-C already reaches\n"
"CMD); then watch waits for CMD and reports.  With -p, they end the watch.\n"
"\n"
"Exit status: CMD's when it failed (128+N for a death by signal N, as a\n"
"shell says); else 3 when a check failed, 0 when all passed; 2 for\n"
"watch's own errors (module not loaded, not root, a bad option or --ignore\n"
"file, the module's files unreadable during the run); 127 when CMD is not\n"
"found, 126 when it cannot be run (as a shell).  With -p: 3 or 0 (or 2).\n";

/* ---- options ---- */

struct watch_args {
	struct ws_watch_opts o;
	char **cmd;
	uint32_t pid;
	char *rules[MAX_RULES];		/* --ignore lines, owned */
	int nrules;
};

static int usage(const char *msg)
{
	fprintf(stderr, "waitscope watch: %s (see 'waitscope watch --help')\n", msg);
	return EXIT_ERROR;
}

static const char *const rule_keys[] = { "comm=", "syscall=", "reason=", "futex_op=",
					 "futex_val=", "frame=", "uframe=" };

static bool good_rule(const char *r)
{
	size_t i, k;

	for (i = 0; i < sizeof(rule_keys) / sizeof(rule_keys[0]); i++) {
		k = strlen(rule_keys[i]);
		if (!strncmp(r, rule_keys[i], k) && r[k])
			return true;
	}
	return false;
}

static int add_rule(struct watch_args *a, const char *r, char *owned)
{
	if (a->o.diag.nallow >= MAX_RULES) {
		free(owned);
		return -1;
	}
	a->o.diag.allow[a->o.diag.nallow++] = owned ? owned : r;
	if (owned)
		a->rules[a->nrules++] = owned;
	return 0;
}

/* Strip a line's newline and the blanks around it, in place. */
static char *trim(char *s)
{
	size_t n;

	while (*s == ' ' || *s == '\t')
		s++;
	n = strlen(s);
	while (n && (s[n - 1] == '\n' || s[n - 1] == '\r' || s[n - 1] == ' ' || s[n - 1] == '\t'))
		s[--n] = '\0';
	return s;
}

/* An --ignore file: 0, or 2 with "FILE:LINE: ..." said. */
static int read_ignore(struct watch_args *a, const char *path)
{
	char *line = NULL, *r, *copy;
	size_t cap = 0;
	unsigned no = 0;
	int rc = 0;
	FILE *f = fopen(path, "re");

	if (!f) {
		fprintf(stderr, "waitscope watch: cannot read %s: %s\n", path, strerror(errno));
		return EXIT_ERROR;
	}
	while (!rc && getline(&line, &cap, f) >= 0) {
		no++;
		r = trim(line);
		if (!*r || *r == '#')
			continue;
		if (!good_rule(r)) {
			fprintf(stderr, "waitscope watch: %s:%u: not a rule KEY=GLOB (KEY is comm, syscall, reason, futex_op, futex_val, frame or uframe)\n",
				path, no);
			rc = EXIT_ERROR;
		} else if (!(copy = strdup(r)) || add_rule(a, NULL, copy)) {
			fprintf(stderr, "waitscope watch: %s:%u: more than %d rules\n", path, no,
				MAX_RULES);
			rc = EXIT_ERROR;
		}
	}
	if (!rc && ferror(f)) {
		fprintf(stderr, "waitscope watch: cannot read %s: %s\n", path, strerror(errno));
		rc = EXIT_ERROR;
	}
	free(line);
	fclose(f);
	return rc;
}

/* A duration, or "off" (*on false) where off is allowed. */
static bool dur_or_off(const char *s, uint64_t *ns, bool *on)
{
	if (on && !strcmp(s, "off")) {
		*on = false;
		return true;
	}
	if (on)
		*on = true;
	return ws_parse_duration(s, ns);
}

static void opts_default(struct ws_watch_opts *o)
{
	int c;

	memset(o, 0, sizeof(*o));
	for (c = 0; c < WS_NCHECKS; c++)
		o->on[c] = true;
	o->interval_ns = NS_PER_S;
	o->stuck_ns = 30 * NS_PER_S;
	o->grace_ns = 500 * NS_PER_MS;
	o->max_lock_ns = NS_PER_S;
	o->max_runq_p99_ns = 50 * NS_PER_MS;
	ws_opts_default(&o->diag);
	/* Only the findings about blocked threads are used: no cgroup files read. */
	o->diag.cgroup_root = NULL;
}

enum {
	O_FOR = 256, O_INTERVAL, O_STUCK, O_LEAKED_MIN, O_GRACE, O_MAX_LOCK, O_MAX_RUNQ, O_IGNORE,
	O_ALLOW, O_BASELINE, O_JSON, O_JUNIT, O_KILL, O_NO_CGROUP, O_NO = 512,
};

static const struct option watch_opts[] = {
	{ "pid", required_argument, NULL, 'p' }, { "for", required_argument, NULL, O_FOR },
	{ "interval", required_argument, NULL, O_INTERVAL },
	{ "stuck", required_argument, NULL, O_STUCK },
	{ "leaked-min", required_argument, NULL, O_LEAKED_MIN },
	{ "grace", required_argument, NULL, O_GRACE },
	{ "max-lock-wait", required_argument, NULL, O_MAX_LOCK },
	{ "max-runq-p99", required_argument, NULL, O_MAX_RUNQ },
	{ "ignore", required_argument, NULL, O_IGNORE },
	{ "allow", required_argument, NULL, O_ALLOW },
	{ "baseline", no_argument, NULL, O_BASELINE },
	{ "json", required_argument, NULL, O_JSON }, { "junit", required_argument, NULL, O_JUNIT },
	{ "kill-leftovers", no_argument, NULL, O_KILL },
	{ "no-cgroup", no_argument, NULL, O_NO_CGROUP },
	{ "no-stuck", no_argument, NULL, O_NO + WC_STUCK },
	{ "no-deadlock", no_argument, NULL, O_NO + WC_DEADLOCK },
	{ "no-frozen", no_argument, NULL, O_NO + WC_FROZEN },
	{ "no-leaked", no_argument, NULL, O_NO + WC_LEAKED },
	{ "no-contention", no_argument, NULL, O_NO + WC_CONTENTION },
	{ "no-starvation", no_argument, NULL, O_NO + WC_STARVATION },
	{ "help", no_argument, NULL, 'h' }, { 0 },
};

/* One option's value: false when it is bad. */
static bool take_opt(struct watch_args *a, int c, const char *v, int *rc)
{
	struct ws_watch_opts *o = &a->o;

	switch (c) {
	case 'p': return ws_parse_u32(v, &a->pid) && a->pid;
	case O_FOR: return ws_parse_duration(v, &o->for_ns) && o->for_ns;
	case O_INTERVAL:
		return ws_parse_duration(v, &o->interval_ns) && o->interval_ns >= 10 * NS_PER_MS &&
		       o->interval_ns <= 3600 * NS_PER_S;
	case O_STUCK: return dur_or_off(v, &o->stuck_ns, &o->on[WC_STUCK]);
	case O_LEAKED_MIN: return dur_or_off(v, &o->leaked_min_ns, &o->on[WC_LEAKED]);
	case O_GRACE: return ws_parse_duration(v, &o->grace_ns) && o->grace_ns <= 3600 * NS_PER_S;
	case O_MAX_LOCK: return dur_or_off(v, &o->max_lock_ns, &o->on[WC_CONTENTION]);
	case O_MAX_RUNQ: return dur_or_off(v, &o->max_runq_p99_ns, &o->on[WC_STARVATION]);
	case O_IGNORE: *rc = read_ignore(a, v); return true;
	case O_ALLOW:
		if (!good_rule(v))
			return false;
		if (add_rule(a, v, NULL))
			*rc = usage("more than 32 rules");
		return true;
	case O_BASELINE: o->baseline = true; return true;
	case O_JSON: o->json_path = v; return true;
	case O_JUNIT: o->junit_path = v; return true;
	case O_KILL: o->kill_leftovers = true; return true;
	case O_NO_CGROUP: o->no_cgroup = true; return true;
	default:
		if (c >= O_NO && c < O_NO + WS_NCHECKS) {
			o->on[c - O_NO] = false;
			return true;
		}
		*rc = EXIT_ERROR;	/* getopt said why */
		return true;
	}
}

/* 0, -1 after --help, or the exit status of a bad command line. */
static int parse_args(int argc, char **argv, struct watch_args *a)
{
	int c, rc = 0;

	opts_default(&a->o);
	optind = 1;
	while (!rc && (c = getopt_long(argc, argv, "+p:h", watch_opts, NULL)) != -1) {
		if (c == 'h') {
			fputs(watch_help, stdout);
			return -1;
		}
		if (!take_opt(a, c, optarg, &rc)) {
			char msg[256] = "bad value";

			for (int i = 0; watch_opts[i].name; i++)
				if (watch_opts[i].val == c)
					snprintf(msg, sizeof(msg), "bad value '%s' for --%s", optarg,
						 watch_opts[i].name);
			return usage(msg);
		}
	}
	if (rc)
		return rc;
	a->cmd = optind < argc ? argv + optind : NULL;
	if (a->pid && a->cmd)
		return usage("either -p PID or a command, not both");
	if (!a->pid && !a->cmd)
		return usage("no command to run (waitscope watch [options] -- CMD [ARGS...])");
	if (a->o.for_ns && !a->pid)
		return usage("--for goes with -p PID (a command ends by itself)");
	return 0;
}

/* ---- signals ---- */

static const int caught[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGCHLD };
#define NCAUGHT (sizeof(caught) / sizeof(caught[0]))

static volatile sig_atomic_t cmd_pid;	/* where signals go on; 0 with -p */
static volatile sig_atomic_t got_stop;	/* SIGINT, SIGTERM, SIGHUP, SIGQUIT came */

struct signals {
	struct sigaction saved[NCAUGHT];
	sigset_t saved_mask, wait_mask;
};

/*
 * Passed on to CMD: SIGTERM and SIGHUP always, SIGINT and SIGQUIT only
 * when they were sent (kill, sigqueue): from the terminal (si_code
 * SI_KERNEL) they went to CMD's process group already.
 */
static void on_stop(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	got_stop = 1;
	if (cmd_pid > 0 && si->si_pid != cmd_pid &&
	    (sig == SIGTERM || sig == SIGHUP || si->si_code <= 0))
		kill((pid_t)cmd_pid, sig);
}

static void on_child(int sig)
{
	(void)sig;	/* pselect returns: the loop reaps */
}

/*
 * Handlers for the signals above (not those watch was started ignoring,
 * as a shell leaves a background job's SIGINT), blocked but while watch
 * waits, so that a poll is never cut short.
 */
static void catch_signals(struct signals *g)
{
	struct sigaction sa;
	sigset_t block;
	size_t i;

	sigemptyset(&block);
	for (i = 0; i < NCAUGHT; i++)
		sigaddset(&block, caught[i]);
	sigprocmask(SIG_BLOCK, &block, &g->saved_mask);
	g->wait_mask = g->saved_mask;
	sigdelset(&g->wait_mask, SIGCHLD);
	for (i = 0; i < NCAUGHT; i++) {
		sigaction(caught[i], NULL, &g->saved[i]);
		memset(&sa, 0, sizeof(sa));
		sigemptyset(&sa.sa_mask);
		if (caught[i] == SIGCHLD) {
			sa.sa_handler = on_child;
			sa.sa_flags = SA_NOCLDSTOP;
		} else if (g->saved[i].sa_handler != SIG_IGN) {
			sa.sa_sigaction = on_stop;
			sa.sa_flags = SA_SIGINFO;
		} else {
			continue;
		}
		sigaction(caught[i], &sa, NULL);
	}
}

/* In the child: what watch was given, as if watch had not been there. */
static void restore_signals(const struct signals *g)
{
	size_t i;

	for (i = 0; i < NCAUGHT; i++)
		sigaction(caught[i], &g->saved[i], NULL);
	sigprocmask(SIG_SETMASK, &g->saved_mask, NULL);
}

/* Sleep up to ns, or until a signal comes. */
static void pause_for(const struct signals *g, uint64_t ns)
{
	struct timespec ts = { (time_t)(ns / NS_PER_S), (long)(ns % NS_PER_S) };

	pselect(0, NULL, NULL, NULL, &ts, &g->wait_mask);
}

/* ---- the child ---- */

/* What the child says on the status pipe. */
struct child_msg {
	char what;	/* 'C': the cgroup move (err 0: done), 'E': exec failed */
	int err;
};

static void child_say(int fd, char what, int err)
{
	struct child_msg m = { what, err };

	if (write(fd, &m, sizeof(m)) != (ssize_t)sizeof(m))
		_exit(EXIT_ERROR);
}

/* Between fork and exec: only async-signal-safe calls. */
static void child(char **cmd, const struct ws_tree *tree, const struct signals *g, int say,
		  int go)
{
	char c;

	restore_signals(g);
	child_say(say, 'C', tree->mode == WS_TREE_CGROUP ? ws_tree_enter(tree) : 0);
	/* Wait until watch knows how it follows the tree. */
	if (read(go, &c, 1) != 1)
		_exit(EXIT_ERROR);
	execvp(cmd[0], cmd);
	child_say(say, 'E', errno);
	_exit(errno == ENOENT ? EXIT_NOT_FOUND : EXIT_NOT_EXECUTABLE);
}

static bool read_msg(int fd, struct child_msg *m)
{
	ssize_t n;

	do
		n = read(fd, m, sizeof(*m));
	while (n < 0 && errno == EINTR);
	return n == (ssize_t)sizeof(*m);
}

/* Follow the parent chain as a child subreaper: orphans of the tree come back to watch. */
static void become_subreaper(struct ws_tree *tree)
{
	ws_tree_follow(tree, WS_TREE_SUBREAPER, (uint32_t)getpid());
	prctl(PR_SET_CHILD_SUBREAPER, 1);
}

static void fall_back(struct ws_watch *w, struct ws_tree *tree, const char *why)
{
	ws_tree_remove(tree);
	become_subreaper(tree);
	ws_watch_note(w, "%s: following the process tree by parent chain instead, as a child subreaper (a process that moves away between two polls is not seen)",
		      why);
}

/*
 * Fork CMD, move it into the cgroup (or fall back), let it exec.  Its pid,
 * or -(exit status) when it could not be run.
 */
static pid_t spawn(char **cmd, struct ws_watch *w, struct ws_tree *tree, const struct signals *g)
{
	int say[2], go[2], st;
	struct child_msg m;
	char comm[16];
	pid_t pid;

	if (pipe2(say, O_CLOEXEC) || pipe2(go, O_CLOEXEC)) {
		fprintf(stderr, "waitscope watch: pipe: %s\n", strerror(errno));
		return -EXIT_ERROR;
	}
	pid = fork();
	if (pid < 0) {
		fprintf(stderr, "waitscope watch: fork: %s\n", strerror(errno));
		return -EXIT_ERROR;
	}
	if (!pid)
		child(cmd, tree, g, say[1], go[0]);
	close(say[1]);
	close(go[0]);
	if (read_msg(say[0], &m) && m.what == 'C' && m.err) {
		char why[4400];

		snprintf(why, sizeof(why), "cannot move the command into the cgroup %s: %s%s",
			 tree->dir, strerror(m.err),
			 m.err == EBUSY ? " (its parent has controllers enabled)" : "");
		fall_back(w, tree, why);
	}
	cmd_pid = pid;
	w->main_pid = (uint32_t)pid;
	/* Its name until a poll sees it: the kernel's, the base name cut to 15 bytes. */
	snprintf(comm, sizeof(comm), "%.15s", strrchr(cmd[0], '/') ? strrchr(cmd[0], '/') + 1 : cmd[0]);
	ws_tree_add(tree, (uint32_t)pid, comm);
	if (write(go[1], "g", 1) != 1) {
		fprintf(stderr, "waitscope watch: cannot start the command: %s\n", strerror(errno));
		return -EXIT_ERROR;
	}
	close(go[1]);
	if (read_msg(say[0], &m) && m.what == 'E') {
		close(say[0]);
		while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
			;
		fprintf(stderr, "waitscope watch: %s: %s\n", cmd[0], strerror(m.err));
		return -(m.err == ENOENT ? EXIT_NOT_FOUND : EXIT_NOT_EXECUTABLE);
	}
	close(say[0]);
	return pid;
}

/* ---- the run ---- */

struct run {
	struct watch_args *a;
	struct ws_watch *w;
	struct ws_tree *tree;
	struct signals g;
	pid_t pid;		/* CMD, or 0 with -p */
	int status;		/* CMD's wait status once reaped */
	bool done;		/* CMD reaped, or -p PID gone */
	bool broken_told;
	const char *ended;	/* -p: why watching ended */
};

/* Reap what ended: CMD, and as a subreaper the orphans that came back to watch. */
static void reap(struct run *x)
{
	struct ws_tree_proc *p;
	pid_t pid;
	int st;

	while ((pid = waitpid(-1, &st, WNOHANG)) > 0) {
		if (pid == x->pid) {
			x->status = st;
			x->done = true;
		}
		p = ws_tree_find(x->tree, (uint32_t)pid);
		if (p)
			p->status = st;
	}
}

static void poll_once(struct run *x)
{
	if (!ws_watch_poll(x->w) || x->broken_told)
		return;
	x->broken_told = true;
	fprintf(stderr, "waitscope watch: cannot read the module's files any more: %s; the checks cover the run until now\n",
		x->w->broken);
}

/* -p: stop on a signal, --for, or when PID is gone. */
static bool pid_watch_over(struct run *x, uint64_t now, uint64_t end)
{
	if (got_stop)
		x->ended = "interrupted";
	else if (end && now >= end)
		x->ended = "--for ended";
	else if (!ws_tree_alive(x->tree, x->a->pid))
		x->ended = "it exited";
	else
		return false;
	x->done = !strcmp(x->ended, "it exited");
	return true;
}

static void watch_loop(struct run *x)
{
	const struct ws_watch_opts *o = &x->a->o;
	uint64_t start = ws_watch_mono_ns(), next = start + o->interval_ns;
	uint64_t end = o->for_ns ? start + o->for_ns : 0, now;

	for (;;) {
		reap(x);
		now = ws_watch_mono_ns();
		if (x->pid ? x->done : pid_watch_over(x, now, end))
			return;
		if (now >= next) {
			poll_once(x);
			next = now + o->interval_ns;
			continue;
		}
		pause_for(&x->g, (end && end < next ? end : next) - now);
	}
}

/* After the main process: up to --grace for the rest of the tree to end. */
static void grace(struct run *x)
{
	uint64_t end = ws_watch_mono_ns() + x->a->o.grace_ns, now;

	for (;;) {
		reap(x);
		ws_tree_scan(x->tree);
		now = ws_watch_mono_ns();
		if (!ws_tree_nlive(x->tree) || now >= end)
			return;
		pause_for(&x->g, end - now < SETTLE_STEP_NS ? end - now : SETTLE_STEP_NS);
	}
}

/* "pid 4242 (sleep), pid 4243 (sleep)". */
static void live_list(const struct ws_tree *t, char *buf, size_t n)
{
	size_t i, k = 0, shown = 0;

	buf[0] = '\0';
	for (i = 0; i < t->np && k + 1 < n; i++) {
		if (!t->p[i].live)
			continue;
		if (shown++ == 8) {
			snprintf(buf + k, n - k, ", ...");
			return;
		}
		k += (size_t)snprintf(buf + k, n - k, "%spid %u (%s)", k ? ", " : "", t->p[i].pid,
				      t->p[i].comm);
	}
}

/*
 * When the main process ended, the processes left: said, and killed with
 * --kill-leftovers; the cgroup removed when it is empty.
 */
static void leftovers(struct run *x)
{
	size_t left = x->done ? ws_tree_nlive(x->tree) : 0;
	uint64_t end;
	char list[1024];

	if (left) {
		live_list(x->tree, list, sizeof(list));
		ws_watch_note(x->w, "%zu process%s of the tree still running: %s; %s", left,
			      left == 1 ? "" : "es", list,
			      x->a->o.kill_leftovers ? "killing them (--kill-leftovers)" :
						       "left alone (--kill-leftovers ends them)");
	}
	if (left && x->a->o.kill_leftovers) {
		end = ws_watch_mono_ns() + KILL_WAIT_NS;
		ws_tree_kill(x->tree);
		do {
			pause_for(&x->g, SETTLE_STEP_NS);
			reap(x);
			ws_tree_scan(x->tree);
		} while (ws_tree_nlive(x->tree) && ws_watch_mono_ns() < end);
	}
	if (x->tree->mode == WS_TREE_CGROUP && !ws_tree_remove(x->tree))
		ws_watch_note(x->w, "the cgroup %s stays: %s", x->tree->dir,
			      ws_tree_nlive(x->tree) ? "processes still run in it" : strerror(errno));
}

/* CMD's status as a shell gives it. */
static int shell_status(int st)
{
	if (WIFSIGNALED(st))
		return 128 + WTERMSIG(st);
	return WIFEXITED(st) ? WEXITSTATUS(st) : EXIT_ERROR;
}

/* An output file, opened before CMD runs so that a bad path fails first. */
static int open_output(const char *path, FILE **f)
{
	*f = NULL;
	if (!path)
		return 0;
	if (!strcmp(path, "-")) {
		*f = stdout;
		return 0;
	}
	*f = fopen(path, "we");
	if (!*f) {
		fprintf(stderr, "waitscope watch: cannot write %s: %s\n", path, strerror(errno));
		return EXIT_ERROR;
	}
	return 0;
}

/* Write and close an output file; false (said) when it did not get out. */
static bool close_output(FILE *f, const char *path, int rc)
{
	if (!f)
		return true;
	if (rc || fflush(f) || ferror(f) || (f != stdout && fclose(f))) {
		fprintf(stderr, "waitscope watch: cannot write %s: %s\n", path, strerror(errno));
		return false;
	}
	return true;
}

static int exit_status(const struct run *x, bool own_error)
{
	int cmd = x->pid ? shell_status(x->status) : 0;

	if (cmd)
		return cmd;
	if (own_error)
		return EXIT_ERROR;
	return ws_watch_failed(x->w) ? EXIT_CHECK_FAILED : 0;
}

static int report(struct run *x, FILE *json, FILE *junit)
{
	struct ws_watch_run r = { x->a->cmd, x->w->main_pid, x->pid ? x->status : -1, x->ended,
				  ws_watch_mono_ns() - x->w->mono0_ns, 0 };
	bool ok;

	r.exit_status = exit_status(x, x->w->broken[0] != '\0');
	ws_watch_summary(stderr, x->w, &r);
	ok = close_output(json, x->a->o.json_path, json ? ws_watch_write_json(json, x->w, &r) : 0);
	ok &= close_output(junit, x->a->o.junit_path,
			   junit ? ws_watch_write_junit(junit, x->w, &r) : 0);
	return ok ? r.exit_status : exit_status(x, true);
}

/* How the tree is followed: -p PID, a cgroup of its own, or the fallback. */
static int choose_tree(struct run *x)
{
	char why[4400];

	if (x->a->pid) {
		ws_tree_follow(x->tree, WS_TREE_PID, x->a->pid);
		x->w->main_pid = x->a->pid;
		if (!ws_tree_alive(x->tree, x->a->pid)) {
			fprintf(stderr, "waitscope watch: no process %u\n", x->a->pid);
			return EXIT_ERROR;
		}
		return 0;
	}
	if (x->a->o.no_cgroup)
		become_subreaper(x->tree);
	else if (ws_tree_make_cgroup(x->tree, why, sizeof(why)))
		fall_back(x->w, x->tree, why);
	return 0;
}

static int run_watch(struct run *x)
{
	FILE *json = NULL, *junit = NULL;
	int rc;

	rc = open_output(x->a->o.json_path, &json);
	if (!rc)
		rc = open_output(x->a->o.junit_path, &junit);
	if (!rc)
		rc = choose_tree(x);
	/* The first poll before CMD runs: the module is there, and what was before is known. */
	if (!rc && ws_watch_poll(x->w)) {
		fprintf(stderr, "waitscope: %s\n", x->w->broken);
		rc = EXIT_ERROR;
	}
	catch_signals(&x->g);
	if (!rc && x->a->cmd) {
		x->pid = spawn(x->a->cmd, x->w, x->tree, &x->g);
		rc = x->pid < 0 ? -x->pid : 0;
	}
	if (rc) {
		ws_tree_remove(x->tree);
		if (json && json != stdout)
			fclose(json);
		if (junit && junit != stdout)
			fclose(junit);
		return rc;
	}
	watch_loop(x);
	if (x->done)
		grace(x);
	poll_once(x);
	ws_watch_finish(x->w, x->done);
	leftovers(x);
	return report(x, json, junit);
}

int ws_cmd_watch(int argc, char **argv, const struct ws_source *src)
{
	struct watch_args a;
	struct ws_watch w;
	struct ws_tree tree;
	struct run x;
	struct stat st;
	const char *proc = getenv("WAITSCOPE_PROC");
	int rc, i;

	memset(&a, 0, sizeof(a));
	rc = parse_args(argc, argv, &a);
	if (!rc && (stat(src->dir, &st) || !S_ISDIR(st.st_mode)))
		rc = src->missing();
	if (!rc) {
		a.o.diag.proc_root = proc && *proc ? proc : "/proc";
		/* A saved snapshot's threads are not this host's: no user stacks. */
		a.o.diag.uw = src->live ? ws_uwalker_new(a.o.diag.proc_root) : NULL;
		a.o.diag.stuck_ns = a.o.stuck_ns;
		ws_tree_init(&tree, a.o.diag.proc_root);
		ws_watch_init(&w, &a.o, src, &tree);
		memset(&x, 0, sizeof(x));
		x.a = &a;
		x.w = &w;
		x.tree = &tree;
		rc = run_watch(&x);
		ws_watch_free(&w);
		ws_tree_free(&tree);
		ws_uwalker_free(a.o.diag.uw);
	}
	for (i = 0; i < a.nrules; i++)
		free(a.rules[i]);
	return rc < 0 ? 0 : rc;
}
