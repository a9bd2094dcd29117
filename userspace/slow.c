// SPDX-License-Identifier: GPL-2.0
/*
 * waitscope slow: the module's flight recorder (the events file), one
 * line per slow wait in the manner of bcc's runqslower, or NDJSON
 * (schema waitscope.event/1, one object a line, so that it streams);
 * --follow reads the file again every --interval for the events after
 * the last one seen, until SIGINT or SIGTERM.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "slow.h"

#define CONTROL_FILE WS_DEFAULT_DIR "/control"
#define SCHEMA "waitscope.event/1"

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

void ws_slow_opts_default(struct ws_slow_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->reasons = (1u << NR_REASONS) - 1;
}

/* --min and --reason choose among waits; exits (--exits) only by -p and -t. */
static bool selected(const struct ws_slow_opts *o, const struct ws_event *ev)
{
	if ((o->pid && ev->tgid != o->pid) || (o->tid && ev->tid != o->tid))
		return false;
	if (ev->kind == WS_EV_EXIT)
		return o->exits;
	return ev->reason >= 0 && ev->duration_ns >= o->min_ns && (o->reasons & (1u << ev->reason));
}

/* ---- the pieces of a line ---- */

static void split_wall(uint64_t wall, time_t *sec, unsigned *ms)
{
	*sec = (time_t)(wall / 1000000000ULL);
	*ms = (unsigned)(wall / 1000000ULL % 1000);
}

/* ISO-8601 UTC with milliseconds: 2025-12-02T10:06:39.100Z. */
static void fmt_iso(char *buf, size_t n, uint64_t wall)
{
	struct tm tm;
	unsigned ms;
	time_t sec;

	split_wall(wall, &sec, &ms);
	if (!gmtime_r(&sec, &tm) || !strftime(buf, n, "%Y-%m-%dT%H:%M:%S", &tm))
		snprintf(buf, n, "1970-01-01T00:00:00");
	snprintf(buf + strlen(buf), n - strlen(buf), ".%03uZ", ms);
}

/* Milliseconds, one decimal; '>' marks a floor (the wait began before tracing saw it). */
static void fmt_lat(char *buf, size_t n, const struct ws_event *ev)
{
	snprintf(buf, n, "%s%.1f", ev->partial ? ">" : "", (double)ev->duration_ns / 1e6);
}

/* A comm fit for a terminal (no control byte), "" when there is none. */
static const char *shown_comm(const char *comm, char *buf, size_t n)
{
	snprintf(buf, n, "%s", comm);
	return ws_sanitize(buf);
}

/* Who kept a runq wait waiting (prev), or who ended a block (woken by). */
static void fmt_other(char *buf, size_t n, const struct ws_event *ev)
{
	char comm[80];

	shown_comm(ev->other_comm, comm, sizeof(comm));
	if (ev->reason != R_RUNQ && !ev->other_tid && !strcmp(comm, "[irq]"))
		snprintf(buf, n, "woken by [irq]");
	else if (!ev->other_tid && !comm[0])
		snprintf(buf, n, "-");
	else
		snprintf(buf, n, "%s %u%s%s%s", ev->reason == R_RUNQ ? "prev" : "woken by",
			 ev->other_tid, comm[0] ? " (" : "", comm, comm[0] ? ")" : "");
}

/* "nanosleep", "futex 0x7f2a1c000b20 (wait)", "syscall 999" or "-". */
static void fmt_syscall(char *buf, size_t n, const struct ws_event *ev)
{
	const char *name = ws_syscall_name(ev->syscall);
	size_t k;

	if (name)
		snprintf(buf, n, "%s", name);
	else if (ev->syscall >= 0)
		snprintf(buf, n, "syscall %d", ev->syscall);
	else
		snprintf(buf, n, ev->has_futex ? "futex" : "-");
	if (!ev->has_futex)
		return;
	k = strlen(buf);
	snprintf(buf + k, n - k, " 0x%llx", (unsigned long long)ev->futex_addr);
	k = strlen(buf);
	if (ev->futex_op >= 0)
		snprintf(buf + k, n - k, " (%s)", ws_futex_op_names[ev->futex_op]);
}

/* An exit's totals: "1.20ms on CPU, 15 switches (3 involuntary), runq 3 (1us), ...". */
void ws_slow_fmt_totals(char *buf, size_t n, const struct ws_exit_totals *t)
{
	char d[32];
	size_t k;
	int r;

	ws_fmt_dur(d, sizeof(d), t->oncpu_ns);
	snprintf(buf, n, "%s on CPU, %llu switches (%llu involuntary)", d,
		 (unsigned long long)(t->nvcsw + t->nivcsw), (unsigned long long)t->nivcsw);
	for (r = 0; r < NR_REASONS; r++) {
		if (!t->n[r])
			continue;
		ws_fmt_dur(d, sizeof(d), t->ns[r]);
		k = strlen(buf);
		snprintf(buf + k, n - k, ", %s %llu (%s)", ws_reason_names[r],
			 (unsigned long long)t->n[r], d);
	}
}

/* ---- text ---- */

void ws_slow_print_header(FILE *f)
{
	fprintf(f, "%-12s %-16s %-7s %-15s %7s  %-24s %s\n", "TIME", "COMM", "TID", "REASON",
		"LAT(ms)", "WAKER/PREEMPTOR", "SYSCALL");
}

static void print_stack(FILE *f, const struct ws_events *e, const struct ws_event *ev)
{
	char frame[300];
	unsigned i;

	for (i = 0; i < ev->nframes; i++)
		fprintf(f, "        %s\n", shown_comm(ws_event_frame(e, ev, i), frame, sizeof(frame)));
}

static void print_wait_text(FILE *f, const struct ws_events *e, const struct ws_event *ev,
			    const struct ws_slow_opts *o)
{
	char when[32], comm[80], lat[32], other[128], sys[96];

	ws_fmt_wall(when, sizeof(when), ws_events_wall_ns(&e->h, ev->time_ns), false, true);
	fmt_lat(lat, sizeof(lat), ev);
	fmt_other(other, sizeof(other), ev);
	fmt_syscall(sys, sizeof(sys), ev);
	fprintf(f, "%-12s %-16s %-7u %-15s %7s  %-24s %s\n", when,
		shown_comm(ev->comm, comm, sizeof(comm)), ev->tid, ws_reason_names[ev->reason], lat,
		other, sys);
	if (o->stack)
		print_stack(f, e, ev);
}

/* EXIT, then whether it was killed while blocked and in what, then its totals. */
static void print_exit_text(FILE *f, const struct ws_events *e, const struct ws_event *ev)
{
	char when[32], comm[80], lat[32] = "-", sys[96], totals[256];

	ws_fmt_wall(when, sizeof(when), ws_events_wall_ns(&e->h, ev->time_ns), false, true);
	ws_slow_fmt_totals(totals, sizeof(totals), &ev->totals);
	fprintf(f, "%-12s %-16s %-7u %-15s ", when, shown_comm(ev->comm, comm, sizeof(comm)),
		ev->tid, "EXIT");
	if (!ev->killed) {
		fprintf(f, "%7s  exited; totals: %s\n", lat, totals);
		return;
	}
	fmt_lat(lat, sizeof(lat), ev);
	fmt_syscall(sys, sizeof(sys), ev);
	fprintf(f, "%7s  killed while blocked: %s wait of %s%.1fms%s%s; totals: %s\n", lat,
		ws_reason_names[ev->reason], ev->partial ? "at least " : "",
		(double)ev->duration_ns / 1e6, strcmp(sys, "-") ? " in " : "",
		strcmp(sys, "-") ? sys : "", totals);
}

static void print_missed_text(FILE *f, uint64_t n)
{
	fprintf(f, "-- missed %llu event%s (overwritten before they were read) --\n",
		(unsigned long long)n, n == 1 ? "" : "s");
}

/* ---- NDJSON: one object a line, each with the schema ---- */

static void json_comm(FILE *f, const char *key, const char *comm)
{
	fprintf(f, ",\"%s\":", key);
	if (*comm)
		ws_json_str(f, comm);
	else
		fputs("null", f);
}

/* The fields every event has, from "schema" to "cgroup_id". */
static void json_common(FILE *f, const struct ws_events *e, const struct ws_event *ev)
{
	const char *name = ws_syscall_name(ev->syscall);
	char iso[48];

	fmt_iso(iso, sizeof(iso), ws_events_wall_ns(&e->h, ev->time_ns));
	fprintf(f, "{\"schema\":\"" SCHEMA "\",\"seq\":%llu,\"time_ns\":%llu,\"time\":\"%s\",\"kind\":\"%s\",\"cpu\":%u,\"tid\":%u,\"tgid\":%u",
		(unsigned long long)ev->seq, (unsigned long long)ev->time_ns, iso,
		ev->kind == WS_EV_EXIT ? "exit" : "wait", ev->cpu, ev->tid, ev->tgid);
	json_comm(f, "comm", ev->comm);
	if (ev->reason >= 0)
		fprintf(f, ",\"reason\":\"%s\"", ws_reason_names[ev->reason]);
	else
		fputs(",\"reason\":null", f);
	fprintf(f, ",\"duration_ns\":%llu,\"partial\":%s", (unsigned long long)ev->duration_ns,
		ev->partial ? "true" : "false");
	if (ev->kind == WS_EV_EXIT)
		fprintf(f, ",\"killed\":%s", ev->killed ? "true" : "false");
	fprintf(f, ",\"syscall\":%d,\"syscall_name\":", ev->syscall);
	if (name)
		ws_json_str(f, name);
	else
		fputs("null", f);
	if (ev->has_futex)
		fprintf(f, ",\"futex_addr\":\"0x%llx\"", (unsigned long long)ev->futex_addr);
	else
		fputs(",\"futex_addr\":null", f);
	if (ev->futex_op >= 0)
		fprintf(f, ",\"futex_op\":\"%s\"", ws_futex_op_names[ev->futex_op]);
	else
		fputs(",\"futex_op\":null", f);
	fprintf(f, ",\"cgroup_id\":%llu", (unsigned long long)ev->cgroup);
}

/* waker_* for a block, preemptor_* for runq: null both when unknown; [irq] is tid 0. */
static void print_wait_json(FILE *f, const struct ws_events *e, const struct ws_event *ev)
{
	const char *who = ev->reason == R_RUNQ ? "preemptor" : "waker";
	char key[32];
	unsigned i;

	json_common(f, e, ev);
	if (!ev->other_tid && !ev->other_comm[0])
		fprintf(f, ",\"%s_tid\":null", who);
	else
		fprintf(f, ",\"%s_tid\":%u", who, ev->other_tid);
	snprintf(key, sizeof(key), "%s_comm", who);
	json_comm(f, key, ev->other_comm);
	fputs(",\"stack\":[", f);
	for (i = 0; i < ev->nframes; i++) {
		if (i)
			fputc(',', f);
		ws_json_str(f, ws_event_frame(e, ev, i));
	}
	fputs("]}\n", f);
}

static void print_exit_json(FILE *f, const struct ws_events *e, const struct ws_event *ev)
{
	const struct ws_exit_totals *t = &ev->totals;
	int r;

	json_common(f, e, ev);
	fprintf(f, ",\"totals\":{\"nvcsw\":%llu,\"nivcsw\":%llu,\"oncpu_ns\":%llu",
		(unsigned long long)t->nvcsw, (unsigned long long)t->nivcsw,
		(unsigned long long)t->oncpu_ns);
	for (r = 0; r < NR_REASONS; r++)
		fprintf(f, ",\"%s\":{\"n\":%llu,\"ns\":%llu}", ws_reason_names[r],
			(unsigned long long)t->n[r], (unsigned long long)t->ns[r]);
	fputs("}}\n", f);
}

static void print_missed_json(FILE *f, uint64_t n, uint64_t after)
{
	fprintf(f, "{\"schema\":\"" SCHEMA "\",\"kind\":\"missed\",\"count\":%llu,\"after\":%llu}\n",
		(unsigned long long)n, (unsigned long long)after);
}

size_t ws_slow_print(FILE *f, const struct ws_events *e, const struct ws_slow_opts *o)
{
	size_t i, shown = 0;

	if (e->h.missed && o->json)
		print_missed_json(f, e->h.missed, e->h.after);
	else if (e->h.missed)
		print_missed_text(f, e->h.missed);
	for (i = 0; i < e->n; i++) {
		const struct ws_event *ev = &e->ev[i];

		if (!selected(o, ev))
			continue;
		shown++;
		if (ev->kind == WS_EV_EXIT && o->json)
			print_exit_json(f, e, ev);
		else if (ev->kind == WS_EV_EXIT)
			print_exit_text(f, e, ev);
		else if (o->json)
			print_wait_json(f, e, ev);
		else
			print_wait_text(f, e, ev, o);
	}
	return shown;
}

/* ---- the command ---- */

static const char *slow_help =
"usage: waitscope slow [--min DUR] [--reason R,...] [-p PID] [-t TID] [--exits] [--stack]\n"
"                      [--follow] [--interval DUR] [--json]\n"
"\n"
"The module's flight recorder: one line per slow wait, newest last.  An event\n"
"is one wait that ended and lasted at least the module's threshold\n"
"(slow_min_us: a run-queue wait, futex wait, I/O, uninterruptible wait or\n"
"sleep), or a thread's exit (with --exits).  The module keeps the last\n"
"events of each CPU; older ones are overwritten, and said to be missed.\n"
"Record shorter waits (0 turns the recorder off):\n"
"  echo slow_min_us=5000 > " CONTROL_FILE "\n"
"\n"
"Columns:\n"
"  TIME             local time the wait ended (HH:MM:SS.mmm)\n"
"  COMM, TID        the thread that waited\n"
"  REASON           runq, futex, io, uninterruptible or sleep; EXIT for an exit\n"
"  LAT(ms)          how long it waited; '>' marks a floor: the wait began\n"
"                   before tracing saw it\n"
"  WAKER/PREEMPTOR  runq: 'prev TID (COMM)', the thread that ran on the CPU\n"
"                   just before it got it (who kept it waiting); the others:\n"
"                   'woken by TID (COMM)' or 'woken by [irq]'; - unknown\n"
"  SYSCALL          the syscall it waited in; futex waits add the word and op\n"
"An EXIT line says whether the thread was killed while blocked, in which\n"
"wait, and its totals (time on CPU, switches, waits per reason).\n"
"\n"
"Options:\n"
"  --min DUR        only waits at least DUR long (10ms, 1.5s)\n"
"  --reason R,...   only these reasons (runq, futex, io, uninterruptible, sleep)\n"
"  -p, --pid PID    only process PID;  -t, --tid TID  only thread TID\n"
"  --exits          exit events too (--min and --reason choose among waits only)\n"
"  --stack          the kernel stack under each wait, innermost frame first\n"
"  --follow         then every --interval (default 1s) the new events, until\n"
"                   Ctrl-C or SIGTERM; only on the live module (a directory\n"
"                   with a control file), never on a saved snapshot\n"
"  --interval DUR   how often --follow reads (10ms to 1h)\n"
"  --json           NDJSON: one object a line (schema waitscope.event/1), and\n"
"                   {\"kind\":\"missed\",\"count\":N,\"after\":SEQ} for lost events\n"
"\n"
"Examples:\n"
"  waitscope slow --min 100ms             waits of 100ms or more\n"
"  waitscope slow --reason runq -p 810    CPU starvation of process 810\n"
"  waitscope slow --follow --exits        new waits and exits as they come\n"
"  waitscope slow --follow --json | jq .  a stream for scripts and log shippers\n"
"\n"
"Exit status: 0 (events or none), 2 error (no events file: a module without\n"
"the recorder, or a snapshot taken without it).\n";

static int slow_usage(const char *msg)
{
	fprintf(stderr, "waitscope slow: %s (see 'waitscope slow --help')\n", msg);
	return 2;
}

/* "runq,futex": a mask of reasons; false on an unknown name. */
static bool parse_reasons(const char *arg, unsigned *mask)
{
	size_t len;
	int r;

	*mask = 0;
	for (;;) {
		len = strcspn(arg, ",");
		for (r = 0; r < NR_REASONS; r++)
			if (strlen(ws_reason_names[r]) == len && !strncmp(arg, ws_reason_names[r], len))
				break;
		if (r == NR_REASONS)
			return false;
		*mask |= 1u << r;
		if (!arg[len])
			return true;
		arg += len + 1;
	}
}

static bool parse_id(const char *s, uint32_t *v)
{
	char *end;
	unsigned long x;

	errno = 0;
	x = strtoul(s, &end, 10);
	if (end == s || *end || errno || !x || x > UINT32_MAX || *s == '-')
		return false;
	*v = (uint32_t)x;
	return true;
}

struct slow_args {
	struct ws_slow_opts o;
	bool follow, min_given;
	uint64_t interval_ns;
};

/* 0, or the exit status (2: a bad option; -1: --help was printed). */
static int parse_args(int argc, char **argv, struct slow_args *a)
{
	enum { O_MIN = 256, O_REASON, O_EXITS, O_STACK, O_INTERVAL };
	static const struct option opts[] = {
		{ "min", required_argument, NULL, O_MIN },
		{ "reason", required_argument, NULL, O_REASON },
		{ "pid", required_argument, NULL, 'p' }, { "tid", required_argument, NULL, 't' },
		{ "exits", no_argument, NULL, O_EXITS }, { "stack", no_argument, NULL, O_STACK },
		{ "follow", no_argument, NULL, 'f' },
		{ "interval", required_argument, NULL, O_INTERVAL },
		{ "json", no_argument, NULL, 'j' }, { "help", no_argument, NULL, 'h' }, { 0 },
	};
	int c;

	ws_slow_opts_default(&a->o);
	a->interval_ns = 1000000000ULL;
	while ((c = getopt_long(argc, argv, "p:t:fjh", opts, NULL)) != -1) {
		switch (c) {
		case O_MIN:
			if (!ws_parse_duration(optarg, &a->o.min_ns))
				return slow_usage("bad --min (e.g. 20ms, 1.5s)");
			a->min_given = true;
			break;
		case O_REASON:
			if (!parse_reasons(optarg, &a->o.reasons))
				return slow_usage("--reason takes a comma list of runq, futex, io, uninterruptible, sleep");
			break;
		case 'p':
			if (!parse_id(optarg, &a->o.pid))
				return slow_usage("bad --pid");
			break;
		case 't':
			if (!parse_id(optarg, &a->o.tid))
				return slow_usage("bad --tid");
			break;
		case O_EXITS: a->o.exits = true; break;
		case O_STACK: a->o.stack = true; break;
		case 'f': a->follow = true; break;
		case O_INTERVAL:
			if (!ws_parse_duration(optarg, &a->interval_ns) || a->interval_ns < 10000000ULL ||
			    a->interval_ns > 3600000000000ULL)
				return slow_usage("--interval takes a duration from 10ms to 1h");
			break;
		case 'j': a->o.json = true; break;
		case 'h': fputs(slow_help, stdout); return -1;
		default: return 2;
		}
	}
	if (optind < argc)
		return slow_usage("unexpected argument");
	return 0;
}

/*
 * What the header says that the options cannot change, told on stderr
 * (once: the caller passes the first header): the recorder is off, --min
 * is below its threshold (shorter waits were never recorded), no stacks
 * or no exits on this module.
 */
static void note_header(const struct ws_events_hdr *h, const struct slow_args *a)
{
	char have[32], want[32];

	ws_fmt_dur(have, sizeof(have), h->slow_min_us * 1000);
	ws_fmt_dur(want, sizeof(want), a->o.min_ns);
	if (!h->slow_min_us)
		fprintf(stderr, "waitscope: the recorder is off (slow_min_us=0): nothing new is recorded; turn it on with: echo slow_min_us=10000 > %s\n",
			CONTROL_FILE);
	else if (a->min_given && a->o.min_ns < h->slow_min_us * 1000)
		fprintf(stderr, "waitscope: --min %s is below the module's threshold of %s: waits shorter than %s were never recorded; to record them: echo slow_min_us=%llu > %s\n",
			want, have, have, (unsigned long long)(a->o.min_ns / 1000 ? a->o.min_ns / 1000 : 1),
			CONTROL_FILE);
	if (a->o.stack && !h->have_stacks)
		fprintf(stderr, "waitscope: this kernel gives the recorder no stacks (stack=unavailable)\n");
	if (a->o.exits && !h->exit_events)
		fprintf(stderr, "waitscope: the module records no exit events (exit_events=0)\n");
}

/* Text mode, nothing shown: say so, with the threshold in use. */
static void print_none(FILE *f, const struct ws_events *e)
{
	char min[32];

	ws_fmt_dur(min, sizeof(min), e->h.slow_min_us * 1000);
	if (!e->h.slow_min_us)
		fprintf(f, "(no events: the recorder is off, slow_min_us=0)\n");
	else if (!e->n)
		fprintf(f, "(no events recorded; the module records waits of %s or more)\n", min);
	else
		fprintf(f, "(none of the %zu events recorded matches; the module records waits of %s or more)\n",
			e->n, min);
}

/*
 * --follow needs the live module: its own directory, or one that has a
 * control file as the module's has (debugfs mounted elsewhere, or a fake
 * one in tests).  A saved snapshot has none, and never changes.
 */
static bool followable(const struct ws_source *src)
{
	char path[4096];

	snprintf(path, sizeof(path), "%s/control", src->dir);
	return src->live || access(path, F_OK) == 0;
}

static void catch_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
}

/*
 * Sleep ns unless told to stop: the signals stay blocked from the check
 * of stop until pselect waits, so one that comes in between still wakes
 * it.  false when it is time to stop.
 */
static bool pause_for(uint64_t ns)
{
	struct timespec ts = { (time_t)(ns / 1000000000ULL), (long)(ns % 1000000000ULL) };
	sigset_t block, orig;

	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGHUP);
	sigprocmask(SIG_BLOCK, &block, &orig);
	if (!stop)
		pselect(0, NULL, NULL, NULL, &ts, &orig);
	sigprocmask(SIG_SETMASK, &orig, NULL);
	return !stop;
}

/* Read, print, and with --follow again after the last seq seen.  The exit status. */
static int run(const char *dir, const struct slow_args *a)
{
	uint64_t after = 0;
	size_t shown = 0;
	bool first = true;

	for (;;) {
		struct ws_events e;
		struct ws_err err;

		ws_events_init(&e);
		if (ws_events_load(dir, after, &e, &err)) {
			fprintf(stderr, "waitscope: %s\n", err.msg);
			return 2;
		}
		/* Sequence numbers never go back but across a reload of the module. */
		if (e.h.last < after) {
			fprintf(stderr, "waitscope: the recorder's sequence began again (the module was reloaded?): reading from its start\n");
			ws_events_free(&e);
			after = 0;
			continue;
		}
		if (first)
			note_header(&e.h, a);
		if (first && !a->o.json)
			ws_slow_print_header(stdout);
		shown += ws_slow_print(stdout, &e, &a->o);
		if (first && !a->o.json && !shown)
			print_none(stdout, &e);
		/* The rows are all <= last; what was missed below it stays missed. */
		after = e.h.last;
		ws_events_free(&e);
		first = false;
		/* A pipe sees each batch as it comes. */
		if (fflush(stdout) || !a->follow || !pause_for(a->interval_ns))
			break;
	}
	return 0;
}

int ws_cmd_slow(int argc, char **argv, const struct ws_source *src)
{
	struct slow_args a;
	struct stat st;
	int rc;

	memset(&a, 0, sizeof(a));
	rc = parse_args(argc, argv, &a);
	if (rc)
		return rc < 0 ? 0 : rc;
	if (stat(src->dir, &st) || !S_ISDIR(st.st_mode))
		return src->missing();
	if (a.follow && !followable(src)) {
		fprintf(stderr, "waitscope slow: --follow reads the live module, and %s is a saved snapshot (it has no control file): it will not change\n",
			src->dir);
		return 2;
	}
	if (a.follow) {
		stop = 0;
		catch_signals();
	}
	return run(src->dir, &a);
}
