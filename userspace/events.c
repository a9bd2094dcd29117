// SPDX-License-Identifier: GPL-2.0
/*
 * The flight recorder's file, "events" (see events.h and README): read
 * from the live module with its resume protocol or from a saved copy,
 * and parsed as strictly as the other files: an unknown version, a header
 * field missing or bad, a row with the wrong number of columns, a bad
 * number, seq not strictly increasing, an unknown kind, reason, flag or
 * futex op, fewer or more rows than the header's kept, or a last line
 * without its newline is an error naming the line.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/vfs.h>
#include <unistd.h>
#include "events.h"

const char ws_events_file[] = "events";

const char *const ws_futex_op_names[WS_NR_FUTEX_OPS] = {
	"wait", "wait_bitset", "wait_requeue_pi", "lock_pi", "lock_pi2", "waitv", "futex_wait",
};

#define EVENTS_VERSION 1
#define EVENTS_COLS "seq time_ns cpu kind tid tgid comm reason duration_ns flags syscall " \
		    "futex_addr futex_op other_tid other_comm cgroup detail"
#define EVENTS_NCOLS 17
/* A row with a deep stack of long symbols: 128 frames of 128 bytes. */
#define EVENTS_LINE_MAX 16384
#define MAX_FRAMES 128
#define MAX_FRAME_LEN 255
#define MAX_COMM 64
/* statfs(2) f_type of debugfs (linux/magic.h). */
#define DEBUGFS_MAGIC_NR 0x64626720

enum {
	C_SEQ, C_TIME, C_CPU, C_KIND, C_TID, C_TGID, C_COMM, C_REASON, C_DURATION, C_FLAGS,
	C_SYSCALL, C_FUTEX_ADDR, C_FUTEX_OP, C_OTHER_TID, C_OTHER_COMM, C_CGROUP, C_DETAIL
};

void ws_events_init(struct ws_events *e)
{
	memset(e, 0, sizeof(*e));
}

void ws_events_free(struct ws_events *e)
{
	free(e->ev);
	free(e->frames);
	free(e->text);
	ws_events_init(e);
}

const char *ws_event_frame(const struct ws_events *e, const struct ws_event *ev, unsigned i)
{
	size_t k = (size_t)ev->frame_first + i;

	return i < ev->nframes && k < e->nframes ? e->text + e->frames[k] : "";
}

/*
 * realtime_ns - (now_ns - time_ns), without wrapping: an event stamped a
 * little after now_ns (local_clock is per CPU) lies a little after it.
 */
uint64_t ws_events_wall_ns(const struct ws_events_hdr *h, uint64_t time_ns)
{
	if (time_ns <= h->now_ns) {
		uint64_t ago = h->now_ns - time_ns;

		return h->realtime_ns > ago ? h->realtime_ns - ago : 0;
	}
	time_ns -= h->now_ns;
	return UINT64_MAX - h->realtime_ns > time_ns ? h->realtime_ns + time_ns : UINT64_MAX;
}

/* ---- lines and fields ---- */

struct eline {
	struct ws_line_reader r;
	char buf[EVENTS_LINE_MAX];
	/* The column header has "#" and 17 names: one more field says "too many". */
	char *tok[EVENTS_NCOLS + 2];
	int n;
};

/* The next line, split at spaces: 1, 0 at the end, -1 if truncated or garbled. */
static int next_line(struct eline *l, struct ws_err *err)
{
	int rc = ws_read_line(&l->r, l->buf, sizeof(l->buf), err);
	char *s;

	if (rc <= 0)
		return rc;
	l->n = 0;
	for (s = l->buf; l->n < EVENTS_NCOLS + 2;) {
		s += strspn(s, " \t");
		if (!*s)
			break;
		l->tok[l->n++] = s;
		s += strcspn(s, " \t");
		if (*s)
			*s++ = '\0';
	}
	return 1;
}

/* A syscall number: -1 (none) or 0..INT_MAX. */
static bool parse_syscall(const char *s, int *v)
{
	uint64_t x;

	if (!strcmp(s, "-1")) {
		*v = -1;
		return true;
	}
	if (!ws_parse_u64(s, &x) || x > 0x7fffffff)
		return false;
	*v = (int)x;
	return true;
}

/* 0x and 1 to 16 hex digits. */
static bool parse_hex(const char *s, uint64_t *v)
{
	uint64_t x = 0;
	size_t i;

	if (strncmp(s, "0x", 2) || !s[2] || strlen(s + 2) > 16)
		return false;
	for (i = 2; s[i]; i++) {
		char c = s[i];
		unsigned d = c >= '0' && c <= '9' ? (unsigned)(c - '0') :
			     c >= 'a' && c <= 'f' ? (unsigned)(c - 'a' + 10) :
			     c >= 'A' && c <= 'F' ? (unsigned)(c - 'A' + 10) : 16;

		if (d == 16)
			return false;
		x = x << 4 | d;
	}
	*v = x;
	return true;
}

static int name_index(const char *const *names, int n, const char *s)
{
	int i;

	for (i = 0; i < n; i++)
		if (!strcmp(names[i], s))
			return i;
	return -1;
}

/* A comm as the module escapes it ("-": empty) into out (MAX_COMM + 1 bytes). */
static bool parse_comm(const char *tok, char *out)
{
	char tmp[4 * MAX_COMM + 2];

	if (!strcmp(tok, "-")) {
		out[0] = '\0';
		return true;
	}
	if (strlen(tok) >= sizeof(tmp))
		return false;
	ws_unescape_comm(tok, tmp, sizeof(tmp));
	if (strlen(tmp) > MAX_COMM)
		return false;
	strcpy(out, tmp);
	return true;
}

/* ---- the header ---- */

struct hkey {
	const char *key;
	uint64_t *v;
};

/* key=N fields of a header line from field `from` on; every key required, others ignored. */
static int header_numbers(const struct eline *l, int from, const struct hkey *keys, int nkeys,
			  struct ws_err *err)
{
	bool seen[8] = { 0 };
	int i, k;

	for (i = from; i < l->n; i++) {
		const char *eq = strchr(l->tok[i], '=');

		if (!eq || eq == l->tok[i])
			return ws_fail(err, "events:%u: bad header field '%s'", l->r.no, l->tok[i]);
		for (k = 0; k < nkeys; k++) {
			size_t kl = strlen(keys[k].key);

			if ((size_t)(eq - l->tok[i]) != kl || strncmp(l->tok[i], keys[k].key, kl))
				continue;
			if (!ws_parse_u64(eq + 1, keys[k].v))
				return ws_fail(err, "events:%u: bad %s", l->r.no, l->tok[i]);
			seen[k] = true;
		}
	}
	for (k = 0; k < nkeys; k++)
		if (!seen[k])
			return ws_fail(err, "events:%u: no %s= in the header", l->r.no, keys[k].key);
	return 0;
}

/* The value of key in a header line ("" if absent). */
static const char *header_word(const struct eline *l, const char *key)
{
	size_t kl = strlen(key);
	int i;

	for (i = 4; i < l->n; i++)
		if (!strncmp(l->tok[i], key, kl) && l->tok[i][kl] == '=')
			return l->tok[i] + kl + 1;
	return "";
}

/*
 * "# waitscope events v1 now_ns=N realtime_ns=N unit=ns slow_min_us=N
 * exit_events=0|1 capacity=N cpus=N stack=available|unavailable"; keys a
 * newer module adds within v1 are ignored.
 */
static int parse_header1(struct ws_events_hdr *h, struct eline *l, struct ws_err *err)
{
	uint64_t exits = 0;
	const struct hkey keys[] = {
		{ "now_ns", &h->now_ns }, { "realtime_ns", &h->realtime_ns },
		{ "slow_min_us", &h->slow_min_us }, { "exit_events", &exits },
		{ "capacity", &h->capacity }, { "cpus", &h->cpus },
	};
	const char *unit, *stack;
	uint32_t v;
	int rc = next_line(l, err);

	if (rc <= 0)
		return rc ? rc : ws_fail(err, "events: empty file");
	if (l->n < 4 || strcmp(l->tok[0], "#") || strcmp(l->tok[1], "waitscope") ||
	    strcmp(l->tok[2], "events"))
		return ws_fail(err, "events:1: not a waitscope events file");
	if (l->tok[3][0] != 'v' || !ws_parse_u32(l->tok[3] + 1, &v) || v != EVENTS_VERSION)
		return ws_fail(err, "events:1: format %s is not supported (this waitscope reads v%d)",
			       l->tok[3], EVENTS_VERSION);
	if (l->n > EVENTS_NCOLS)
		return ws_fail(err, "events:1: too many header fields");
	rc = header_numbers(l, 4, keys, 6, err);
	if (rc)
		return rc;
	if (exits > 1)
		return ws_fail(err, "events:1: bad exit_events=%llu (0 or 1)",
			       (unsigned long long)exits);
	h->exit_events = exits == 1;
	unit = header_word(l, "unit");
	if (strcmp(unit, "ns"))
		return ws_fail(err, "events:1: unit=%s (this waitscope reads unit=ns)", unit);
	stack = header_word(l, "stack");
	if (strcmp(stack, "available") && strcmp(stack, "unavailable"))
		return ws_fail(err, "events:1: stack=%s (available or unavailable)", stack);
	h->have_stacks = !strcmp(stack, "available");
	return 0;
}

/* "# after=N last=N kept=N missed=N overwritten=N" */
static int parse_header2(struct ws_events_hdr *h, struct eline *l, struct ws_err *err)
{
	const struct hkey keys[] = {
		{ "after", &h->after }, { "last", &h->last }, { "kept", &h->kept },
		{ "missed", &h->missed }, { "overwritten", &h->overwritten },
	};
	uint64_t room;
	int rc = next_line(l, err);

	if (rc <= 0)
		return rc ? rc : ws_fail(err, "events: truncated after the first line");
	if (l->n < 2 || strcmp(l->tok[0], "#") || l->n > EVENTS_NCOLS)
		return ws_fail(err, "events:2: not the second header line (# after=N last=N kept=N missed=N overwritten=N)");
	rc = header_numbers(l, 1, keys, 5, err);
	if (rc)
		return rc;
	/* What keeps memory bounded: the rings hold no more. */
	if (__builtin_mul_overflow(h->capacity, h->cpus, &room) || h->kept > room)
		return ws_fail(err, "events:2: kept=%llu is more than capacity x cpus",
			       (unsigned long long)h->kept);
	return 0;
}

static const char *const col_names[EVENTS_NCOLS] = {
	"seq", "time_ns", "cpu", "kind", "tid", "tgid", "comm", "reason", "duration_ns", "flags",
	"syscall", "futex_addr", "futex_op", "other_tid", "other_comm", "cgroup", "detail",
};

/* "#      seq          time_ns cpu kind ...": exactly the v1 columns, in order. */
static int parse_columns(struct eline *l, struct ws_err *err)
{
	int rc = next_line(l, err), i;

	if (rc <= 0)
		return rc ? rc : ws_fail(err, "events: truncated after the second line");
	if (!l->n || strcmp(l->tok[0], "#"))
		return ws_fail(err, "events:3: missing the column header (" EVENTS_COLS ")");
	for (i = 0; i < EVENTS_NCOLS; i++)
		if (i + 1 >= l->n || strcmp(l->tok[i + 1], col_names[i]))
			return ws_fail(err, "events:3: no column '%s' where expected (" EVENTS_COLS ")",
				       col_names[i]);
	if (l->n != EVENTS_NCOLS + 1)
		return ws_fail(err, "events:3: more columns than " EVENTS_COLS);
	return 0;
}

/* ---- rows ---- */

/* "-" or a comma list of partial, killed (each once, no empty item). */
static bool parse_flags(const char *s, struct ws_event *ev)
{
	size_t len;

	if (!strcmp(s, "-"))
		return true;
	for (;;) {
		len = strcspn(s, ",");
		if (len == 7 && !strncmp(s, "partial", 7) && !ev->partial)
			ev->partial = true;
		else if (len == 6 && !strncmp(s, "killed", 6) && !ev->killed)
			ev->killed = true;
		else
			return false;
		if (!s[len])
			return true;
		s += len + 1;
	}
}

static void text_append(struct ws_events *e, const char *s, size_t len)
{
	e->text = ws_grow(e->text, &e->cap_text, e->ntext + len + 1, 1);
	memcpy(e->text + e->ntext, s, len);
	e->text[e->ntext + len] = '\0';
	e->ntext += len + 1;
}

/*
 * One frame, "symbol+0xOFF/0xLEN" or "symbol+0xOFF/0xLEN[module]", kept
 * as the blocked file shows it: "symbol+0xOFF/0xLEN [module]".
 */
static bool add_frame(struct ws_events *e, const char *f, size_t len)
{
	const char *br = memchr(f, '[', len);
	char buf[MAX_FRAME_LEN + 2];
	size_t head = br ? (size_t)(br - f) : len;

	if (!len || len > MAX_FRAME_LEN)
		return false;
	if (br && (!head || len - head < 3 || f[len - 1] != ']' ||
		   memchr(br + 1, '[', len - head - 1) || memchr(f, ']', len - 1)))
		return false;
	if (!br && memchr(f, ']', len))
		return false;
	memcpy(buf, f, head);
	if (br) {
		buf[head] = ' ';
		memcpy(buf + head + 1, br, len - head);
	}
	e->frames = ws_grow(e->frames, &e->cap_frames, e->nframes + 1, sizeof(*e->frames));
	e->frames[e->nframes++] = (uint32_t)e->ntext;
	text_append(e, buf, br ? len + 1 : len);
	return true;
}

/* A wait row's detail: "-" or frames joined by ','. */
static bool parse_stack(struct ws_events *e, struct ws_event *ev, const char *s)
{
	size_t len;

	ev->frame_first = (uint32_t)e->nframes;
	if (!strcmp(s, "-"))
		return true;
	for (;;) {
		len = strcspn(s, ",");
		if (ev->nframes == MAX_FRAMES || !add_frame(e, s, len))
			return false;
		ev->nframes++;
		if (!s[len])
			return true;
		s += len + 1;
	}
}

/* One "key=" then a number, or "key=N/NS"; *s moves past it and its ','. */
static bool totals_field(const char **s, const char *key, uint64_t *n, uint64_t *ns, bool last)
{
	size_t kl = strlen(key), len;
	char num[48], *slash;

	if (strncmp(*s, key, kl) || (*s)[kl] != '=')
		return false;
	*s += kl + 1;
	len = strcspn(*s, ",");
	if (len >= sizeof(num) || (last ? (*s)[len] != '\0' : (*s)[len] != ','))
		return false;
	memcpy(num, *s, len);
	num[len] = '\0';
	*s += len + !last;
	slash = strchr(num, '/');
	if (!ns)
		return !slash && ws_parse_u64(num, n);
	if (!slash)
		return false;
	*slash = '\0';
	return ws_parse_u64(num, n) && ws_parse_u64(slash + 1, ns);
}

/* nvcsw=N,nivcsw=N,oncpu_ns=N,runq=N/NS,futex=N/NS,io=N/NS,uninterruptible=N/NS,sleep=N/NS */
static bool parse_totals(const char *s, struct ws_exit_totals *t)
{
	int r;

	if (!totals_field(&s, "nvcsw", &t->nvcsw, NULL, false) ||
	    !totals_field(&s, "nivcsw", &t->nivcsw, NULL, false) ||
	    !totals_field(&s, "oncpu_ns", &t->oncpu_ns, NULL, false))
		return false;
	for (r = 0; r < NR_REASONS; r++)
		if (!totals_field(&s, ws_reason_names[r], &t->n[r], &t->ns[r], r == NR_REASONS - 1))
			return false;
	return !*s;
}

/* The reason column: one of the five, or "-" (-1). */
static int parse_reason(const char *s)
{
	return strcmp(s, "-") ? name_index(ws_reason_names, NR_REASONS, s) : -1;
}

/* Fields that must agree with each other, as the contract says. */
static const char *row_consistency(const struct ws_event *ev)
{
	if (ev->kind == WS_EV_WAIT && ev->reason < 0)
		return "a wait row needs a reason";
	if (ev->kind == WS_EV_WAIT && ev->killed)
		return "flag killed on a wait row";
	if (ev->kind == WS_EV_EXIT && ev->killed != (ev->reason >= 0))
		return ev->killed ? "a killed exit row needs the reason of its wait" :
				    "an exit row has a reason only when killed";
	if (ev->has_futex != (ev->futex_op >= 0))
		return "futex_addr and futex_op go together";
	return NULL;
}

/* The columns with a fixed syntax; -1 when all parse, else the first bad one. */
static int bad_column(struct ws_event *ev, char *const *t)
{
	if (!ws_parse_u64(t[C_SEQ], &ev->seq) || !ev->seq)
		return C_SEQ;
	if (!ws_parse_u64(t[C_TIME], &ev->time_ns))
		return C_TIME;
	if (!ws_parse_u32(t[C_CPU], &ev->cpu))
		return C_CPU;
	if (!ws_parse_u32(t[C_TID], &ev->tid))
		return C_TID;
	if (!ws_parse_u32(t[C_TGID], &ev->tgid))
		return C_TGID;
	if (!parse_comm(t[C_COMM], ev->comm))
		return C_COMM;
	if (!ws_parse_u64(t[C_DURATION], &ev->duration_ns))
		return C_DURATION;
	if (!parse_syscall(t[C_SYSCALL], &ev->syscall))
		return C_SYSCALL;
	ev->has_futex = strcmp(t[C_FUTEX_ADDR], "-") != 0;
	if (ev->has_futex && !parse_hex(t[C_FUTEX_ADDR], &ev->futex_addr))
		return C_FUTEX_ADDR;
	if (!ws_parse_u32(t[C_OTHER_TID], &ev->other_tid))
		return C_OTHER_TID;
	if (!parse_comm(t[C_OTHER_COMM], ev->other_comm))
		return C_OTHER_COMM;
	if (!ws_parse_u64(t[C_CGROUP], &ev->cgroup))
		return C_CGROUP;
	return -1;
}

/* The columns that name something: kind, reason, flags, futex_op. */
static int named_columns(struct ws_event *ev, char *const *t, unsigned no, struct ws_err *err)
{
	static const char *const kinds[] = { "wait", "exit" };
	int kind = name_index(kinds, 2, t[C_KIND]);

	if (kind < 0)
		return ws_fail(err, "events:%u: unknown kind '%s' (wait or exit)", no, t[C_KIND]);
	ev->kind = kind ? WS_EV_EXIT : WS_EV_WAIT;
	ev->reason = parse_reason(t[C_REASON]);
	if (ev->reason < 0 && strcmp(t[C_REASON], "-"))
		return ws_fail(err, "events:%u: unknown reason '%s' (runq, futex, io, uninterruptible, sleep)",
			       no, t[C_REASON]);
	if (!parse_flags(t[C_FLAGS], ev))
		return ws_fail(err, "events:%u: bad flags '%s' (- or a comma list of partial, killed)",
			       no, t[C_FLAGS]);
	ev->futex_op = name_index(ws_futex_op_names, WS_NR_FUTEX_OPS, t[C_FUTEX_OP]);
	if (ev->futex_op < 0 && strcmp(t[C_FUTEX_OP], "-"))
		return ws_fail(err, "events:%u: unknown futex_op '%s'", no, t[C_FUTEX_OP]);
	return 0;
}

static int row_fields(struct ws_events *e, struct ws_event *ev, char *const *t, struct ws_err *err,
		      unsigned no)
{
	const char *why;
	int bad = bad_column(ev, t);

	if (bad >= 0)
		return ws_fail(err, "events:%u: bad %s '%.40s'", no, col_names[bad], t[bad]);
	if (named_columns(ev, t, no, err))
		return -1;
	why = row_consistency(ev);
	if (why)
		return ws_fail(err, "events:%u: %s", no, why);
	if (ev->kind == WS_EV_EXIT ? !parse_totals(t[C_DETAIL], &ev->totals) :
				     !parse_stack(e, ev, t[C_DETAIL]))
		return ws_fail(err, "events:%u: bad detail (%s)", no,
			       ev->kind == WS_EV_EXIT ? "the exit totals" : "the stack");
	return 0;
}

static int parse_row(struct ws_events *e, struct eline *l, uint64_t prev_seq, struct ws_err *err)
{
	struct ws_event ev;

	if (l->n != EVENTS_NCOLS)
		return ws_fail(err, "events:%u: %s%d fields, expected %d (" EVENTS_COLS ")", l->r.no,
			       l->n > EVENTS_NCOLS ? "more than " : "",
			       l->n > EVENTS_NCOLS ? EVENTS_NCOLS : l->n, EVENTS_NCOLS);
	if (e->n == e->h.kept)
		return ws_fail(err, "events:%u: more rows than the header's kept=%llu", l->r.no,
			       (unsigned long long)e->h.kept);
	memset(&ev, 0, sizeof(ev));
	if (row_fields(e, &ev, l->tok, err, l->r.no))
		return -1;
	if (ev.seq <= prev_seq)
		return ws_fail(err, "events:%u: seq %llu after %llu (not strictly increasing)", l->r.no,
			       (unsigned long long)ev.seq, (unsigned long long)prev_seq);
	if (ev.seq <= e->h.after || ev.seq > e->h.last)
		return ws_fail(err, "events:%u: seq %llu outside after=%llu, last=%llu", l->r.no,
			       (unsigned long long)ev.seq, (unsigned long long)e->h.after,
			       (unsigned long long)e->h.last);
	e->ev = ws_grow(e->ev, &e->cap, e->n + 1, sizeof(ev));
	e->ev[e->n++] = ev;
	return 0;
}

int ws_parse_events(struct ws_events *e, const char *buf, size_t len, struct ws_err *err)
{
	struct eline *l = calloc(1, sizeof(*l));
	uint64_t prev = 0;
	int rc;

	if (!l)
		return ws_fail(err, "out of memory");
	ws_events_free(e);
	l->r = (struct ws_line_reader){ .p = buf, .end = buf + len, .file = "events" };
	rc = parse_header1(&e->h, l, err);
	if (!rc)
		rc = parse_header2(&e->h, l, err);
	if (!rc)
		rc = parse_columns(l, err);
	while (!rc && (rc = next_line(l, err)) > 0) {
		rc = 0;
		if (l->n && l->tok[0][0] == '#')
			continue;	/* a comment */
		rc = parse_row(e, l, prev, err);
		if (!rc)
			prev = e->ev[e->n - 1].seq;
	}
	if (!rc && e->n != e->h.kept)
		rc = ws_fail(err, "events: %zu rows, but the header says kept=%llu (truncated?)", e->n,
			     (unsigned long long)e->h.kept);
	free(l);
	if (rc < 0) {
		ws_events_free(e);
		return -1;
	}
	return 0;
}

/* ---- reading ---- */

static bool on_debugfs(const char *path)
{
	struct statfs sfs;

	return !statfs(path, &sfs) && (unsigned long)sfs.f_type == DEBUGFS_MAGIC_NR;
}


/*
 * Ask the module's file for the events after seq `after`: its position is
 * a sequence number (as /dev/kmsg's), and the read after a seek serves only
 * those, with the header's missed counting the rest.
 */
static int seek_resume(int fd, const char *path, uint64_t after, struct ws_err *err)
{
	if (after > (uint64_t)INT64_MAX || lseek(fd, (off_t)after, SEEK_SET) < 0)
		return ws_fail(err, "%s refused a seek to seq %llu: %s", path,
			       (unsigned long long)after, strerror(errno));
	return 0;
}

/*
 * Only the events after seq `after`, from a file that has them all: what
 * the module would have served, with missed counted its way (the seqs in
 * (after, last] that are not in the rows).
 */
static void keep_after(struct ws_events *e, uint64_t after)
{
	size_t i, k = 0;

	if (after <= e->h.after)
		return;
	for (i = 0; i < e->n; i++)
		if (e->ev[i].seq > after)
			e->ev[k++] = e->ev[i];
	e->n = k;
	e->h.after = after;
	e->h.kept = k;
	e->h.missed = e->h.last > after && e->h.last - after > k ? e->h.last - after - k : 0;
}

bool ws_events_exist(const char *dir)
{
	char path[4096];

	snprintf(path, sizeof(path), "%s/%s", dir, ws_events_file);
	return !access(path, F_OK) || errno != ENOENT;
}

int ws_events_load(const char *dir, uint64_t after, struct ws_events *e, struct ws_err *err)
{
	char path[4096], *buf = NULL;
	size_t len = 0;
	int fd = -1, rc;
	bool served = false;

	snprintf(path, sizeof(path), "%s/%s", dir, ws_events_file);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		int en = errno;

		if (en == ENOENT)
			return ws_fail(err, "no events file in %s (a waitscope.ko without the recorder?)",
				       dir);
		return ws_fail(err, "cannot read %s: %s%s", path, strerror(en),
			       en == EACCES || en == EPERM ? " (the files are root-only: run as root)" : "");
	}
	/* A saved copy holds every event: it is filtered below instead. */
	if (after && on_debugfs(path)) {
		if (seek_resume(fd, path, after, err)) {
			close(fd);
			return -1;
		}
		served = true;
	}
	rc = ws_read_fd(fd, path, &buf, &len, err);
	close(fd);
	if (rc)
		return rc;
	rc = ws_parse_events(e, buf, len, err);
	free(buf);
	if (!rc && !served)
		keep_after(e, after);
	return rc;
}
