// SPDX-License-Identifier: GPL-2.0
/*
 * Parsers for the module's debugfs files.  They take a buffer (so the fuzz
 * target can call them directly) and either fill the snapshot or fail with
 * one line naming the file, the line and what is wrong.  They are strict:
 * an unknown format version, a missing column, a row with the wrong number
 * of fields, a number that is not one, or a last line without its newline
 * (a truncated copy) is an error, never a guess.
 */
#include <ctype.h>
#include <errno.h>
#include <unistd.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include "ws.h"

#define MAX_TOKENS 64
#define FORMAT_VERSION 1
/* histograms v2: a start_ns column before the buckets. */
#define HIST_FORMAT_VERSION 2

/*
 * The lines of one file: a buffer, or a file descriptor read in chunks so
 * a 100,000-thread file never sits in memory whole.
 */
struct lines {
	const char *p, *end;
	const char *file;
	unsigned lineno;
	int fd;			/* -1: the buffer is all there is */
	char *chunk;
	size_t cap;
	int read_errno;
};

#define CHUNK (1u << 20)

/* Keep the unread tail, read more after it; false at end of file. */
static bool refill(struct lines *ls)
{
	size_t tail = ls->end - ls->p;
	ssize_t n;

	if (ls->fd < 0)
		return false;
	if (!ls->chunk) {
		ls->cap = CHUNK;
		ls->chunk = malloc(ls->cap);
		if (!ls->chunk)
			return false;
		tail = 0;
	} else {
		memmove(ls->chunk, ls->p, tail);
	}
	if (tail == ls->cap)
		return false;	/* a line longer than a chunk: reported as bad */
	do
		n = read(ls->fd, ls->chunk + tail, ls->cap - tail);
	while (n < 0 && errno == EINTR);
	ls->p = ls->chunk;
	ls->end = ls->chunk + tail + (n > 0 ? n : 0);
	if (n < 0)
		ls->read_errno = errno;
	return n > 0;
}

struct row {
	char *tok[MAX_TOKENS];
	int n;
	char line[1024];
	bool indented;
};

int ws_fail(struct ws_err *err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return -1;
}

/* Next line into r (tokenized); 0 at the end, -1 on a bad line. */
static int next_row(struct lines *ls, struct row *r, struct ws_err *err)
{
	const char *nl;
	size_t len;
	char *t;

	nl = ls->p < ls->end ? memchr(ls->p, '\n', ls->end - ls->p) : NULL;
	while (!nl && refill(ls))
		nl = memchr(ls->p, '\n', ls->end - ls->p);
	if (ls->read_errno)
		return ws_fail(err, "%s: read error: %s", ls->file, strerror(ls->read_errno));
	if (ls->p >= ls->end)
		return 0;
	ls->lineno++;
	if (!nl)
		return ws_fail(err, "%s:%u: truncated (the last line has no newline)", ls->file,
			       ls->lineno);
	len = nl - ls->p;
	if (memchr(ls->p, '\0', len))
		return ws_fail(err, "%s:%u: garbled (NUL byte)", ls->file, ls->lineno);
	if (len >= sizeof(r->line))
		return ws_fail(err, "%s:%u: line too long (%zu bytes)", ls->file, ls->lineno, len);
	memcpy(r->line, ls->p, len);
	r->line[len] = '\0';
	ls->p = nl + 1;
	/* Stack frames are indented 8 spaces; rows at most 7 (a 1-digit tid). */
	r->indented = strspn(r->line, " ") >= 8;
	r->n = 0;
	for (t = r->line;;) {
		while (*t == ' ' || *t == '\t')
			t++;
		if (!*t)
			break;
		if (r->n == MAX_TOKENS)
			return ws_fail(err, "%s:%u: too many fields", ls->file, ls->lineno);
		r->tok[r->n++] = t;
		while (*t && *t != ' ' && *t != '\t')
			t++;
		if (*t)
			*t++ = '\0';
	}
	return 1;
}

/* Decimal digits only, no sign, no overflow: the module's numbers. */
bool ws_parse_u64(const char *s, uint64_t *v)
{
	uint64_t x = 0;

	if (*s < '0' || *s > '9')
		return false;
	for (; *s >= '0' && *s <= '9'; s++) {
		unsigned d = (unsigned)(*s - '0');

		if (x > (UINT64_MAX - d) / 10)
			return false;
		x = x * 10 + d;
	}
	*v = x;
	return !*s;
}

static bool parse_int(const char *s, int *v)
{
	char *end;
	long l;

	if (!*s)
		return false;
	errno = 0;
	l = strtol(s, &end, 10);
	if (*end || errno || l < -1 || l > 0x7fffffffL)
		return false;
	*v = (int)l;
	return true;
}

bool ws_parse_u32(const char *s, uint32_t *v)
{
	uint64_t x;

	if (!ws_parse_u64(s, &x) || x > UINT32_MAX)
		return false;
	*v = (uint32_t)x;
	return true;
}

static bool parse_hex(const char *s, uint64_t *v)
{
	char *end;

	if (strncmp(s, "0x", 2) || !isxdigit((unsigned char)s[2]))
		return false;
	errno = 0;
	*v = strtoull(s + 2, &end, 16);
	return !*end && !errno;
}

/* "# waitscope NAME vN k=v..." then "# col col ...": column indexes. */
struct columns {
	const char *names[MAX_TOKENS];
	int n;
	char *kv[MAX_TOKENS];
	int nkv;
	struct row hdr, cols;
};

/* At most this many threads are allocated for ahead of reading them. */
#define WS_PRESIZE_MAX (1u << 20)

/* What a parser works with: its lines, its header, one row; allocated once. */
struct scratch {
	struct lines ls;
	struct columns c;
	struct row r;
	size_t near;	/* index of the thread the previous row named */
};

/*
 * The thread tid, looked for first next to the previous row's: every file
 * lists threads in the same order, so a read walks the array instead of
 * hopping through the index (8% of report's time on 100,000 threads).
 */
static struct ws_thread *find_near(struct ws_snapshot *s, struct scratch *sc, uint32_t tid,
				   const uint64_t *start)
{
	struct ws_thread *t;
	size_t i;

	for (i = sc->near; i < sc->near + 2 && i < s->nthreads; i++)
		if (s->threads[i].tid == tid && (!start || s->threads[i].start_ns == *start)) {
			sc->near = i;
			return &s->threads[i];
		}
	t = start ? ws_find_thread_at(s, tid, *start) : ws_find_thread(s, tid);
	if (t)
		sc->near = (size_t)(t - s->threads);
	return t;
}

/*
 * The header of file name, in format v1 to v<newest>: newer formats only add
 * columns, which are found by name.  (histograms v2 put start_ns before the
 * buckets, which a v1 reader would have taken for a bucket.)
 */
static int read_header(struct lines *ls, const char *name, struct columns *c, bool with_cols,
		       int newest, struct ws_err *err)
{
	char want[64];
	unsigned v;
	int i, rc;

	rc = next_row(ls, &c->hdr, err);
	if (rc < 0)
		return rc;
	if (rc == 0)
		return ws_fail(err, "%s: empty file", ls->file);
	if (c->hdr.n < 4 || strcmp(c->hdr.tok[0], "#") || strcmp(c->hdr.tok[1], "waitscope") ||
	    strcmp(c->hdr.tok[2], name))
		return ws_fail(err, "%s:1: not a waitscope %s file", ls->file, name);
	snprintf(want, sizeof(want), newest > 1 ? "v1 to v%d" : "v%d", newest);
	if (c->hdr.tok[3][0] != 'v' || !ws_parse_u32(c->hdr.tok[3] + 1, &v) || v < 1 ||
	    v > (unsigned)newest)
		return ws_fail(err, "%s:1: format %s is not supported (this waitscope reads %s)",
			       ls->file, c->hdr.tok[3], want);
	c->nkv = 0;
	for (i = 4; i < c->hdr.n; i++)
		if (strchr(c->hdr.tok[i], '='))
			c->kv[c->nkv++] = c->hdr.tok[i];
	if (!with_cols)
		return 0;
	rc = next_row(ls, &c->cols, err);
	if (rc <= 0)
		return rc ? rc : ws_fail(err, "%s: truncated after the first line", ls->file);
	if (c->cols.n < 2 || strcmp(c->cols.tok[0], "#"))
		return ws_fail(err, "%s:2: missing the column header", ls->file);
	c->n = c->cols.n - 1;
	for (i = 0; i < c->n; i++)
		c->names[i] = c->cols.tok[i + 1];
	return 0;
}

static const char *header_value(const struct columns *c, const char *key)
{
	size_t kl = strlen(key);
	int i;

	for (i = 0; i < c->nkv; i++)
		if (!strncmp(c->kv[i], key, kl) && c->kv[i][kl] == '=')
			return c->kv[i] + kl + 1;
	return NULL;
}

static int col_index(const struct columns *c, const char *name)
{
	int i;

	for (i = 0; i < c->n; i++)
		if (!strcmp(c->names[i], name))
			return i;
	return -1;
}

/* Indexes of the columns named in want[], all required. */
static int map_columns(const struct lines *ls, const struct columns *c, const char *const *want,
		       int nwant, int *idx, struct ws_err *err)
{
	int i;

	for (i = 0; i < nwant; i++) {
		idx[i] = col_index(c, want[i]);
		if (idx[i] < 0)
			return ws_fail(err, "%s:2: no column '%s'", ls->file, want[i]);
	}
	return 0;
}

/*
 * Ask for transparent huge pages for the big arrays (a snapshot of 100,000
 * threads fills about 40 MiB of them): one fault per 2 MiB instead of 512.
 * Only advice: where THP is off nothing changes.
 */
#define WS_HUGE ((size_t)2 << 20)

static void advise_huge(void *p, size_t len)
{
	uintptr_t start = ((uintptr_t)p + WS_HUGE - 1) & ~(uintptr_t)(WS_HUGE - 1);
	uintptr_t end = ((uintptr_t)p + len) & ~(uintptr_t)(WS_HUGE - 1);

	if (len >= 2 * WS_HUGE && end > start)
		madvise((void *)start, end - start, MADV_HUGEPAGE);
}

/* n zeroed elements of size bytes (at least one); out of memory is fatal. */
void *ws_xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size);

	if (!p) {
		fprintf(stderr, "waitscope: out of memory\n");
		exit(2);
	}
	return p;
}

FILE *ws_xmemstream(char **buf, size_t *len)
{
	FILE *f = open_memstream(buf, len);

	if (!f) {
		fprintf(stderr, "waitscope: out of memory\n");
		exit(2);
	}
	return f;
}

char *ws_xvasprintf(const char *fmt, va_list ap)
{
	char *s;

	if (vasprintf(&s, fmt, ap) < 0) {
		fprintf(stderr, "waitscope: out of memory\n");
		exit(2);
	}
	return s;
}

char *ws_xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = ws_xvasprintf(fmt, ap);
	va_end(ap);
	return s;
}

/* qsort and bsearch orders of plain numbers. */
int ws_u32_cmp(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

int ws_u64_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/*
 * p with room for need elements of size bytes, doubling: a shared helper
 * of every growing array.  Out of memory is fatal (exit 2, one line).
 */
void *ws_grow(void *p, size_t *cap, size_t need, size_t size)
{
	size_t ncap;
	void *q;

	if (need <= *cap)
		return p;
	ncap = *cap ? *cap * 2 : 64;
	while (ncap < need)
		ncap *= 2;
	q = realloc(p, ncap * size);
	if (!q) {
		fprintf(stderr, "waitscope: out of memory\n");
		exit(2);
	}
	*cap = ncap;
	advise_huge(q, ncap * size);
	return q;
}

/*
 * ---- the string pool: each string stored once ----
 * Thread names, wakers' names, futex ops and stack frames repeat across
 * threads: a hash of the pool's offsets finds a string already there.
 * The hash lives while parsing; ws_intern rebuilds it if it was dropped.
 */

/* FNV-1a over the string's bytes. */
static size_t hash_str(const char *str, size_t len)
{
	uint32_t h = 2166136261u;
	size_t i;

	for (i = 0; i < len; i++)
		h = (h ^ (unsigned char)str[i]) * 16777619u;
	return h;
}

/* The slot of str in the hash: where it is, or the empty slot it would take. */
static size_t strs_slot(const struct ws_snapshot *s, const char *str, size_t len)
{
	size_t h = hash_str(str, len) & s->strs_mask;

	while (s->strs[h]) {
		const char *p = s->pool + s->strs[h];

		if (!strncmp(p, str, len) && !p[len])
			break;
		h = (h + 1) & s->strs_mask;
	}
	return h;
}

/* The pool's strings but the empty one at offset 0. */
static size_t pool_count(const struct ws_snapshot *s)
{
	size_t off, n = 0;

	for (off = 1; off < s->npool; off += strlen(s->pool + off) + 1)
		n++;
	return n;
}

/* A hash of all the pool's strings, with twice as many slots as one more (1024 or more). */
static void strs_rebuild(struct ws_snapshot *s)
{
	size_t size = 1024, off, len, n = pool_count(s) + 1;

	while (size < n * 2)
		size *= 2;
	free(s->strs);
	s->strs = calloc(size, sizeof(*s->strs));
	if (!s->strs) {
		fprintf(stderr, "waitscope: out of memory\n");
		exit(2);
	}
	s->strs_mask = size - 1;
	s->nstrs = 0;
	/* Offset 0 is the empty string: never hashed, 0 marks a free slot. */
	for (off = 1; off < s->npool; off += len + 1) {
		len = strlen(s->pool + off);
		s->strs[strs_slot(s, s->pool + off, len)] = (uint32_t)off;
		s->nstrs++;
	}
}

/* Drop the hash (it is rebuilt if a string is interned later). */
void ws_intern_done(struct ws_snapshot *s)
{
	free(s->strs);
	s->strs = NULL;
	s->strs_mask = s->nstrs = 0;
}

/* Append str to the pool: its offset. */
static uint32_t pool_append(struct ws_snapshot *s, const char *str, size_t len)
{
	uint32_t off = (uint32_t)s->npool;

	s->pool = ws_grow(s->pool, &s->cap_pool, s->npool + len + 1, 1);
	memcpy(s->pool + s->npool, str, len);
	s->pool[s->npool + len] = '\0';
	s->npool += len + 1;
	return off;
}

/* The offset of str (len bytes, no NUL) in the pool, added if new. */
uint32_t ws_intern(struct ws_snapshot *s, const char *str, size_t len)
{
	size_t h;

	if (!s->npool)
		pool_append(s, "", 0);
	if (!len)
		return 0;
	if (!s->strs || (s->nstrs + 1) * 2 > s->strs_mask + 1)
		strs_rebuild(s);
	h = strs_slot(s, str, len);
	if (!s->strs[h]) {
		s->strs[h] = pool_append(s, str, len);
		s->nstrs++;
	}
	return s->strs[h];
}

static uint32_t intern(struct ws_snapshot *s, const char *str)
{
	return ws_intern(s, str, strlen(str));
}

static int parse_state(const char *s)
{
	int r;

	if (!strcmp(s, "running"))
		return ST_RUNNING;
	if (!strcmp(s, "unknown"))
		return ST_UNKNOWN;
	for (r = 0; r < NR_REASONS; r++)
		if (!strcmp(s, ws_reason_names[r]))
			return r;
	return -100;
}

static int parse_reason(const char *s)
{
	int r = parse_state(s);

	return r >= 0 ? r : -1;
}

enum {
	TC_TID, TC_TGID, TC_COMM, TC_STATE, TC_ONCPU, TC_NVCSW, TC_NIVCSW, TC_WAKER,
	TC_WAKER_COMM, TC_PREEMPTOR, TC_PREEMPTOR_COMM, TC_CGROUP, TC_OFF, TC_PARTIAL,
	TC_SYSCALL, TC_FUTEX_ADDR, TC_FUTEX_OP, TC_KTHREAD, TC_REASONS
};

static const char *const thread_cols[TC_REASONS + 3 * NR_REASONS] = {
	"tid", "tgid", "comm", "state", "oncpu_ns", "nvcsw", "nivcsw", "waker", "waker_comm",
	"preemptor", "preemptor_comm", "cgroup", "off_ns", "partial", "syscall", "futex_addr",
	"futex_op", "kthread",
	"runq_n", "runq_ns", "runq_max_ns", "futex_n", "futex_ns", "futex_max_ns",
	"io_n", "io_ns", "io_max_ns", "uninterruptible_n", "uninterruptible_ns",
	"uninterruptible_max_ns", "sleep_n", "sleep_ns", "sleep_max_ns",
};

static void index_thread(struct ws_snapshot *s, size_t i);

/* The optional futex_val column: "-" outside a futex wait, else a u32. */
static bool parse_futex_val(const char *tok, struct ws_thread *t)
{
	t->has_futex_val = strcmp(tok, "-") != 0;
	return !t->has_futex_val || ws_parse_u32(tok, &t->futex_val);
}

/*
 * The optional start_ns column of a row (col < 0: none): *start points at
 * the value, or is NULL when the row cannot be keyed on it.  -1 if bad.
 */
static int row_start(const struct ws_snapshot *s, const struct row *r, int col, uint64_t *v,
		     const uint64_t **start)
{
	*start = NULL;
	if (col < 0)
		return 0;
	if (!ws_parse_u64(r->tok[col], v))
		return -1;
	if (s->have_start)
		*start = v;
	return 0;
}

/* ix: the required columns; ival, start_col: optional ones, -1 when absent. */
static int thread_row(struct ws_snapshot *s, const struct lines *ls, const struct row *r,
		      const int *ix, int ival, int ncols, int start_col, struct ws_err *err)
{
	const uint64_t *start;
	struct ws_thread t;
	const char *bad = NULL;
	int i;

	memset(&t, 0, sizeof(t));
	if (r->n != ncols)
		return ws_fail(err, "%s:%u: %d fields, expected %d", ls->file, ls->lineno, r->n,
			       ncols);
	if (!ws_parse_u32(r->tok[ix[TC_TID]], &t.tid) || !t.tid)
		bad = "tid";
	else if (!ws_parse_u32(r->tok[ix[TC_TGID]], &t.tgid))
		bad = "tgid";
	else if ((t.state = parse_state(r->tok[ix[TC_STATE]])) == -100)
		bad = "state";
	else if (!ws_parse_u64(r->tok[ix[TC_ONCPU]], &t.oncpu_ns) ||
		 !ws_parse_u64(r->tok[ix[TC_NVCSW]], &t.nvcsw) ||
		 !ws_parse_u64(r->tok[ix[TC_NIVCSW]], &t.nivcsw))
		bad = "oncpu_ns/nvcsw/nivcsw";
	else if (!ws_parse_u32(r->tok[ix[TC_WAKER]], &t.waker) && strcmp(r->tok[ix[TC_WAKER]], "-"))
		bad = "waker";
	else if (!ws_parse_u32(r->tok[ix[TC_PREEMPTOR]], &t.preemptor) &&
		 strcmp(r->tok[ix[TC_PREEMPTOR]], "-"))
		bad = "preemptor";
	else if (!ws_parse_u64(r->tok[ix[TC_CGROUP]], &t.cgroup) ||
		 !ws_parse_u64(r->tok[ix[TC_OFF]], &t.off_ns))
		bad = "cgroup/off_ns";
	else if (strcmp(r->tok[ix[TC_PARTIAL]], "0") && strcmp(r->tok[ix[TC_PARTIAL]], "1"))
		bad = "partial";
	else if (!parse_int(r->tok[ix[TC_SYSCALL]], &t.syscall))
		bad = "syscall";
	else if (strcmp(r->tok[ix[TC_KTHREAD]], "0") && strcmp(r->tok[ix[TC_KTHREAD]], "1"))
		bad = "kthread";
	for (i = 0; !bad && i < NR_REASONS; i++) {
		const int *c = &ix[TC_REASONS + 3 * i];

		if (!ws_parse_u64(r->tok[c[0]], &t.r[i].n) || !ws_parse_u64(r->tok[c[1]], &t.r[i].ns) ||
		    !ws_parse_u64(r->tok[c[2]], &t.r[i].max_ns))
			bad = thread_cols[TC_REASONS + 3 * i];
	}
	if (!bad && row_start(s, r, start_col, &t.start_ns, &start))
		bad = "start_ns";
	if (!bad) {
		t.has_futex = strcmp(r->tok[ix[TC_FUTEX_ADDR]], "-") != 0;
		if (t.has_futex && !parse_hex(r->tok[ix[TC_FUTEX_ADDR]], &t.futex_addr))
			bad = "futex_addr";
		else if (ival >= 0 && !parse_futex_val(r->tok[ival], &t))
			bad = "futex_val";
	}
	if (bad)
		return ws_fail(err, "%s:%u: bad %s", ls->file, ls->lineno, bad);
	/*
	 * The same (tid, start) again (an exec in progress), or without
	 * start_ns the same tid again: the first row stands, this one counts.
	 */
	if (start ? ws_find_thread_at(s, t.tid, *start) : ws_find_thread(s, t.tid)) {
		s->dup_rows++;
		return 0;
	}
	t.partial = r->tok[ix[TC_PARTIAL]][0] == '1';
	t.kthread = r->tok[ix[TC_KTHREAD]][0] == '1';
	t.comm = intern(s, r->tok[ix[TC_COMM]]);
	t.waker_comm = intern(s, r->tok[ix[TC_WAKER_COMM]]);
	t.preemptor_comm = intern(s, r->tok[ix[TC_PREEMPTOR_COMM]]);
	t.futex_op = intern(s, r->tok[ix[TC_FUTEX_OP]]);
	s->threads = ws_grow(s->threads, &s->cap_threads, s->nthreads + 1, sizeof(t));
	s->threads[s->nthreads] = t;
	index_thread(s, s->nthreads++);
	return 0;
}

static int parse_threads(struct ws_snapshot *s, struct scratch *sc, struct ws_err *err)
{
	int ix[TC_REASONS + 3 * NR_REASONS], ival = -1;
	struct lines *ls = &sc->ls;
	struct columns *c = &sc->c;
	struct row *r = &sc->r;
	const char *now;
	int rc, start_col;

	/*
	 * The stats file (parsed first) says how many threads to expect: size
	 * the array once rather than copy it as it doubles.  Pages of it that
	 * no row fills are never touched, so a lying "used" costs address
	 * space, not memory; the bound keeps even that sane.
	 */
	if (s->stats.used && !s->threads)
		s->threads = ws_grow(s->threads, &s->cap_threads,
				  (s->stats.used < WS_PRESIZE_MAX ? s->stats.used : WS_PRESIZE_MAX) + 64,
				  sizeof(struct ws_thread));
	rc = read_header(ls, "threads", c, true, FORMAT_VERSION, err);
	if (!rc)
		rc = map_columns(ls, c, thread_cols, TC_REASONS + 3 * NR_REASONS, ix, err);
	if (!rc) {
		now = header_value(c, "now_ns");
		if (!now || !ws_parse_u64(now, &s->now_ns))
			rc = ws_fail(err, "threads:1: no now_ns");
		ival = col_index(c, "futex_val");
	}
	start_col = col_index(c, "start_ns");
	s->have_start = start_col >= 0;
	while (!rc && (rc = next_row(ls, r, err)) > 0)
		rc = r->n && r->tok[0][0] == '#' ? 0 :
		     thread_row(s, ls, r, ix, ival, c->n, start_col, err);
	return rc < 0 ? -1 : 0;
}

static bool parse_bucket(const char *tok, unsigned *slot, uint64_t *n)
{
	char tmp[48], *colon;
	uint64_t low;
	unsigned k;

	if (strlen(tok) >= sizeof(tmp))
		return false;
	strcpy(tmp, tok);
	colon = strchr(tmp, ':');
	if (!colon)
		return false;
	*colon = '\0';
	if (!ws_parse_u64(tmp, &low) || !ws_parse_u64(colon + 1, n) || !*n || *n >= (1ULL << 56))
		return false;
	/* Bucket bounds are 0 and the powers of two up to 2^(NR_SLOTS-1). */
	k = low ? (unsigned)__builtin_ctzll(low) : 0;
	if (k >= NR_SLOTS || ws_slot_low_us(k) != low)
		return false;
	*slot = k;
	return true;
}

/* Histogram columns: tid, reason, the optional start_ns, the first bucket. */
enum { HC_TID, HC_REASON, HC_BUCKETS, HC_START, HC_N };

static int hist_row(struct ws_snapshot *s, struct scratch *sc, const int *ix,
		    struct ws_err *err)
{
	const struct lines *ls = &sc->ls;
	const struct row *r = &sc->r;
	const uint64_t *start;
	struct ws_thread *t;
	uint32_t tid;
	uint64_t n, st;
	unsigned slot, last = 0;
	int reason, i, b0 = ix[HC_BUCKETS];

	if (r->n < b0 + 1)
		return ws_fail(err, "%s:%u: %d fields, expected %d or more", ls->file, ls->lineno,
			       r->n, b0 + 1);
	if (!ws_parse_u32(r->tok[ix[HC_TID]], &tid) ||
	    (reason = parse_reason(r->tok[ix[HC_REASON]])) < 0 ||
	    row_start(s, r, ix[HC_START], &st, &start))
		return ws_fail(err, "%s:%u: bad tid, start_ns or reason", ls->file, ls->lineno);
	t = find_near(s, sc, tid, start);
	/* A thread born between reading threads and histograms: not in the view. */
	if (!t)
		return 0;
	/* The thread's row again (see thread_row): the first one stands. */
	if (t->hist_len[reason]) {
		s->dup_rows++;
		return 0;
	}
	if (r->n - b0 > NR_SLOTS)
		return ws_fail(err, "%s:%u: too many buckets", ls->file, ls->lineno);
	s->buckets = ws_grow(s->buckets, &s->cap_buckets, s->nbuckets + r->n, sizeof(ws_bucket));
	t->hist_first[reason] = (uint32_t)s->nbuckets;
	for (i = b0; i < r->n; i++) {
		if (!parse_bucket(r->tok[i], &slot, &n) || (i > b0 && slot <= last))
			return ws_fail(err, "%s:%u: bad bucket '%s'", ls->file, ls->lineno,
				       r->tok[i]);
		last = slot;
		s->buckets[s->nbuckets++] = WS_BUCKET(slot, n);
	}
	t->hist_len[reason] = (uint8_t)(r->n - b0);
	return 0;
}

static int parse_histograms(struct ws_snapshot *s, struct scratch *sc, struct ws_err *err)
{
	struct lines *ls = &sc->ls;
	struct columns *c = &sc->c;
	static const char *const want[] = { "tid", "reason", "buckets" };
	struct row *r = &sc->r;
	int rc, ix[HC_N];

	if (s->nthreads && !s->buckets)
		s->buckets = ws_grow(s->buckets, &s->cap_buckets, s->nthreads * 12 + 64, sizeof(ws_bucket));

	rc = read_header(ls, "histograms", c, true, HIST_FORMAT_VERSION, err);
	if (!rc)
		rc = map_columns(ls, c, want, 3, ix, err);
	ix[HC_START] = col_index(c, "start_ns");
	while (!rc && (rc = next_row(ls, r, err)) > 0)
		rc = r->n && r->tok[0][0] == '#' ? 0 : hist_row(s, sc, ix, err);
	return rc < 0 ? -1 : 0;
}

/* The frame line "        sym+0x1/0x2": kept as a string. */
static int blocked_frame(struct ws_snapshot *s, struct ws_thread *t, const struct lines *ls,
			 const struct row *r, struct ws_err *err)
{
	if (!t)
		return ws_fail(err, "%s:%u: stack frame before any thread", ls->file, ls->lineno);
	if (r->n != 1 && r->n != 2)
		return ws_fail(err, "%s:%u: bad stack frame", ls->file, ls->lineno);
	if (t->stack_len == UINT16_MAX)
		return 0;
	if (!t->stack_len)
		t->stack_first = (uint32_t)s->nframes;
	else if (t->stack_first + t->stack_len != s->nframes)
		return ws_fail(err, "%s:%u: stack frames out of place", ls->file, ls->lineno);
	s->frames = ws_grow(s->frames, &s->cap_frames, s->nframes + 1, sizeof(uint32_t));
	if (r->n == 2) {
		char both[600];

		snprintf(both, sizeof(both), "%s %s", r->tok[0], r->tok[1]);
		s->frames[s->nframes++] = intern(s, both);
	} else {
		s->frames[s->nframes++] = intern(s, r->tok[0]);
	}
	t->stack_len++;
	return 0;
}

static int parse_blocked(struct ws_snapshot *s, struct scratch *sc, struct ws_err *err)
{
	static const char *const want[] = { "tid", "reason", "off_ns" };
	struct lines *ls = &sc->ls;
	struct columns *c = &sc->c;
	struct row *r = &sc->r;
	struct ws_thread *t = NULL;
	const uint64_t *start;
	const char *v;
	uint32_t tid = 0;
	uint64_t st;
	int ix[3], rc, start_col;

	rc = read_header(ls, "blocked", c, true, FORMAT_VERSION, err);
	if (!rc)
		rc = map_columns(ls, c, want, 3, ix, err);
	start_col = col_index(c, "start_ns");
	if (!rc) {
		v = header_value(c, "min_ms");
		if (!v || !ws_parse_u64(v, &s->blocked_min_ms))
			rc = ws_fail(err, "blocked:1: no min_ms");
		v = header_value(c, "stack");
		s->have_stacks = v && !strcmp(v, "indented");
	}
	while (!rc && (rc = next_row(ls, r, err)) > 0) {
		rc = 0;
		if (r->n && r->tok[0][0] == '#')
			continue;
		/* "sym+0x1/0x2" or, in a module, "sym+0x1/0x2 [mod]". */
		if (r->indented && (r->n == 1 || (r->n == 2 && r->tok[1][0] == '[' &&
						  r->tok[1][strlen(r->tok[1]) - 1] == ']'))) {
			/* Frames of a thread not in the threads file are skipped. */
			rc = t || !tid ? blocked_frame(s, t, ls, r, err) : 0;
			continue;
		}
		if (r->n != c->n || !ws_parse_u32(r->tok[ix[0]], &tid) || !tid ||
		    parse_reason(r->tok[ix[1]]) < 0 || row_start(s, r, start_col, &st, &start)) {
			rc = ws_fail(err, "blocked:%u: bad row", ls->lineno);
			break;
		}
		t = find_near(s, sc, tid, start);
		/* The thread's row again (see thread_row): its frames are skipped. */
		if (t && t->blocked) {
			s->dup_rows++;
			t = NULL;
		}
		if (t)
			t->blocked = true;
	}
	return rc < 0 ? -1 : 0;
}

static int parse_futex(struct ws_snapshot *s, struct scratch *sc, struct ws_err *err)
{
	static const char *const want[] = { "tgid", "uaddr", "waiting", "count", "total_ns",
					    "max_ns", "longest_now_ns", "op" };
	struct lines *ls = &sc->ls;
	struct columns *c = &sc->c;
	struct row *r = &sc->r;
	struct ws_futex f;
	int ix[8], ilock = -1, rc;

	memset(&f, 0, sizeof(f));
	rc = read_header(ls, "futex", c, true, FORMAT_VERSION, err);
	if (!rc)
		rc = map_columns(ls, c, want, 8, ix, err);
	/* lock_n and lost: newer modules only. */
	if (!rc) {
		const char *lost = header_value(c, "lost");

		ilock = col_index(c, "lock_n");
		if (lost && !ws_parse_u64(lost, &s->futex_lost))
			rc = ws_fail(err, "futex:1: bad lost=%s", lost);
	}
	f.has_lock_n = ilock >= 0;
	while (!rc && (rc = next_row(ls, r, err)) > 0) {
		rc = 0;
		if (r->n && r->tok[0][0] == '#')
			continue;
		if (r->n != c->n || !ws_parse_u32(r->tok[ix[0]], &f.tgid) ||
		    !parse_hex(r->tok[ix[1]], &f.uaddr) || !ws_parse_u32(r->tok[ix[2]], &f.waiting) ||
		    !ws_parse_u64(r->tok[ix[3]], &f.count) || !ws_parse_u64(r->tok[ix[4]], &f.total_ns) ||
		    !ws_parse_u64(r->tok[ix[5]], &f.max_ns) ||
		    !ws_parse_u64(r->tok[ix[6]], &f.longest_now_ns) ||
		    (ilock >= 0 && !ws_parse_u64(r->tok[ilock], &f.lock_n))) {
			rc = ws_fail(err, "futex:%u: bad row", ls->lineno);
			break;
		}
		/* Two counters read apart: never more lock waits than waits. */
		if (f.lock_n > f.count)
			f.lock_n = f.count;
		f.op = intern(s, r->tok[ix[7]]);
		s->futex = ws_grow(s->futex, &s->cap_futex, s->nfutex + 1, sizeof(f));
		s->futex[s->nfutex++] = f;
	}
	return rc < 0 ? -1 : 0;
}

static int stats_runq(struct ws_stats *st, const struct lines *ls, const struct row *r,
		      struct ws_err *err)
{
	uint64_t (*q)[NR_SLOTS];
	unsigned slot;
	uint64_t n;
	int i;

	if (st->ncpus >= 4096)
		return ws_fail(err, "%s:%u: too many CPUs", ls->file, ls->lineno);
	q = realloc(st->runq, (st->ncpus + 1) * sizeof(*q));
	if (!q)
		return ws_fail(err, "out of memory");
	st->runq = q;
	memset(q[st->ncpus], 0, sizeof(q[0]));
	for (i = 1; i < r->n; i++) {
		if (!parse_bucket(r->tok[i], &slot, &n))
			return ws_fail(err, "%s:%u: bad bucket '%s'", ls->file, ls->lineno,
				       r->tok[i]);
		q[st->ncpus][slot] = n;
	}
	st->ncpus++;
	return 0;
}

struct stat_key {
	const char *key;
	size_t off;
};

#define SK(k, f) { k, offsetof(struct ws_stats, f) }
static const struct stat_key stat_keys[] = {
	SK("capacity", capacity), SK("used", used), SK("dropped", dropped),
	SK("dropped_total", dropped_total), SK("futex_capacity", futex_capacity),
	SK("futex_used", futex_used), SK("futex_dropped", futex_dropped),
	SK("filter_tgid", filter_tgid), SK("blocked_min_ms", blocked_min_ms),
	SK("thread_entry_bytes", entry_bytes), SK("memory_bytes", memory_bytes),
	SK("read_busy", read_busy), SK("blocks_unwoken", blocks_unwoken),
};

/* total_oncpu_ns, total_<reason>_n, total_<reason>_ns: where, or NULL. */
static uint64_t *stats_total(struct ws_stats *st, const char *k)
{
	size_t l;
	int i;

	if (strncmp(k, "total_", 6))
		return NULL;
	k += 6;
	if (!strcmp(k, "oncpu_ns"))
		return &st->total_oncpu_ns;
	for (i = 0; i < NR_REASONS; i++) {
		l = strlen(ws_reason_names[i]);
		if (strncmp(k, ws_reason_names[i], l))
			continue;
		if (!strcmp(k + l, "_n"))
			return &st->total_n[i];
		if (!strcmp(k + l, "_ns"))
			return &st->total_ns[i];
	}
	return NULL;
}

/* slow_<reason>_n, slow_exit_n: where, with its bit in slow_keys, or NULL. */
static uint64_t *stats_slow(struct ws_stats *st, const char *k, unsigned *bit)
{
	size_t l;
	int i;

	if (strncmp(k, "slow_", 5))
		return NULL;
	k += 5;
	if (!strcmp(k, "exit_n")) {
		*bit = WS_SLOW_EXIT;
		return &st->slow_exit_n;
	}
	for (i = 0; i < NR_REASONS; i++) {
		l = strlen(ws_reason_names[i]);
		if (!strncmp(k, ws_reason_names[i], l) && !strcmp(k + l, "_n")) {
			*bit = 1u << i;
			return &st->slow_n[i];
		}
	}
	return NULL;
}

static int stats_kv(struct ws_stats *st, const struct lines *ls, const struct row *r,
		    struct ws_err *err)
{
	uint64_t *total;
	const char *k = r->tok[0], *v = r->n > 1 ? r->tok[1] : "";
	unsigned bit;
	size_t i;

	if (!strncmp(k, "runq_cpu", 8))
		return stats_runq(st, ls, r, err);
	if (r->n < 2)
		return ws_fail(err, "%s:%u: key without value", ls->file, ls->lineno);
	if (!strcmp(k, "version")) {
		snprintf(st->version, sizeof(st->version), "%s", v);
		return 0;
	}
	if (!strcmp(k, "enabled"))
		return (st->enabled = atoi(v), 0);
	if (!strcmp(k, "probes_attached")) {
		if (sscanf(v, "%u/%u", &st->attached, &st->nprobes) != 2)
			return ws_fail(err, "%s:%u: bad probes_attached", ls->file, ls->lineno);
		return 0;
	}
	if (!strncmp(k, "events_", 7)) {
		if (st->nevents < 8) {
			snprintf(st->event_names[st->nevents], 32, "%s", k + 7);
			if (!ws_parse_u64(v, &st->events[st->nevents++]))
				return ws_fail(err, "%s:%u: bad number", ls->file, ls->lineno);
		}
		return 0;
	}
	total = stats_total(st, k);
	if (total) {
		if (!ws_parse_u64(v, total))
			return ws_fail(err, "%s:%u: bad number for %s", ls->file, ls->lineno, k);
		st->have_totals = true;
		return 0;
	}
	total = stats_slow(st, k, &bit);
	if (total) {
		if (!ws_parse_u64(v, total))
			return ws_fail(err, "%s:%u: bad number for %s", ls->file, ls->lineno, k);
		st->slow_keys |= bit;
		return 0;
	}
	for (i = 0; i < sizeof(stat_keys) / sizeof(stat_keys[0]); i++) {
		if (strcmp(k, stat_keys[i].key))
			continue;
		if (!ws_parse_u64(v, (uint64_t *)((char *)st + stat_keys[i].off)))
			return ws_fail(err, "%s:%u: bad number for %s", ls->file, ls->lineno, k);
		return 0;
	}
	return 0;	/* keys from a newer module within v1: ignored */
}

static int parse_stats(struct ws_snapshot *s, struct scratch *sc, struct ws_err *err)
{
	struct lines *ls = &sc->ls;
	struct columns *c = &sc->c;
	struct row *r = &sc->r;
	int rc;

	rc = read_header(ls, "stats", c, false, FORMAT_VERSION, err);
	while (!rc && (rc = next_row(ls, r, err)) > 0)
		rc = !r->n || r->tok[0][0] == '#' ? 0 : stats_kv(&s->stats, ls, r, err);
	if (rc >= 0 && !s->stats.capacity)
		rc = ws_fail(err, "stats: no capacity line");
	s->stats.present = rc >= 0;
	return rc < 0 ? -1 : 0;
}

/* ---- the tid index (open addressing, rebuilt as it grows) ---- */

/* Fibonacci hashing: the high bits of the product, so tids with the same
 * low bits (multiples of 32768, say) do not collide. */
static size_t hash_tid(const struct ws_snapshot *s, uint32_t tid)
{
	uint64_t h = (uint64_t)tid * 0x9e3779b97f4a7c15ULL;

	return (size_t)(h >> 32) & s->index_mask;
}

static void index_put(struct ws_snapshot *s, size_t i)
{
	size_t h = hash_tid(s, s->threads[i].tid);

	while (s->index[h])
		h = (h + 1) & s->index_mask;
	s->index[h] = (uint32_t)(i + 1);
}

static void index_thread(struct ws_snapshot *s, size_t i)
{
	size_t j, size = s->index_mask + 1;

	if (!s->index || (s->nthreads + 1) * 2 > size) {
		size = s->index ? size * 2 : 1024;
		while (size < (s->nthreads + 1) * 2)
			size *= 2;
		free(s->index);
		s->index = calloc(size, sizeof(uint32_t));
		if (!s->index) {
			fprintf(stderr, "waitscope: out of memory\n");
			exit(2);
		}
		s->index_mask = size - 1;
		for (j = 0; j < i; j++)
			index_put(s, j);
	}
	index_put(s, i);
}

/* The index again, after the table was compacted (watch keeps only a process tree). */
void ws_snapshot_reindex(struct ws_snapshot *s)
{
	size_t i;

	free(s->index);
	s->index = NULL;
	s->index_mask = 0;
	for (i = 0; i < s->nthreads; i++)
		index_thread(s, i);
}

/*
 * The thread tid: of two with that tid (one exited and its tid reused, or
 * an old row not yet gone), the one that started last.
 */
struct ws_thread *ws_find_thread(const struct ws_snapshot *s, uint32_t tid)
{
	struct ws_thread *best = NULL, *t;
	size_t h;

	if (!s->index)
		return NULL;
	for (h = hash_tid(s, tid); s->index[h]; h = (h + 1) & s->index_mask) {
		t = &s->threads[s->index[h] - 1];
		if (t->tid == tid && (!best || t->start_ns > best->start_ns))
			best = t;
	}
	return best;
}

/* The thread (tid, start_ns) exactly, or NULL. */
struct ws_thread *ws_find_thread_at(const struct ws_snapshot *s, uint32_t tid, uint64_t start_ns)
{
	struct ws_thread *t;
	size_t h;

	if (!s->index)
		return NULL;
	for (h = hash_tid(s, tid); s->index[h]; h = (h + 1) & s->index_mask) {
		t = &s->threads[s->index[h] - 1];
		if (t->tid == tid && t->start_ns == start_ns)
			return t;
	}
	return NULL;
}

/*
 * Thread t of snapshot from, in s: the same (tid, start_ns) when both say
 * when their threads started, else the same tid.
 */
struct ws_thread *ws_find_same(const struct ws_snapshot *s, const struct ws_snapshot *from,
			       const struct ws_thread *t)
{
	if (s->have_start && from->have_start)
		return ws_find_thread_at(s, t->tid, t->start_ns);
	return ws_find_thread(s, t->tid);
}

/* How many threads have this tid (more than one: it was reused). */
unsigned ws_count_tid(const struct ws_snapshot *s, uint32_t tid)
{
	unsigned n = 0;
	size_t h;

	if (!s->index)
		return 0;
	for (h = hash_tid(s, tid); s->index[h]; h = (h + 1) & s->index_mask)
		n += s->threads[s->index[h] - 1].tid == tid;
	return n;
}

typedef int (*parser_fn)(struct ws_snapshot *, struct scratch *, struct ws_err *);
static const parser_fn parsers[5] = {
	parse_stats, parse_threads, parse_histograms, parse_blocked, parse_futex,
};

static int run_parser(int which, struct ws_snapshot *s, const struct lines *ls,
		      struct ws_err *err)
{
	struct scratch *sc = calloc(1, sizeof(*sc));
	int rc;

	if (!sc)
		return ws_fail(err, "out of memory");
	sc->ls = *ls;
	rc = parsers[which](s, sc, err);
	free(sc->ls.chunk);
	free(sc);
	return rc;
}

static int parse_buf(int which, struct ws_snapshot *s, const char *buf, size_t len,
		     struct ws_err *err)
{
	struct lines ls = { .p = buf, .end = buf + len, .file = ws_files[which], .fd = -1 };

	return run_parser(which, s, &ls, err);
}

int ws_parse_stats(struct ws_snapshot *s, const char *buf, size_t len, struct ws_err *err)
{
	return parse_buf(0, s, buf, len, err);
}

int ws_parse_threads(struct ws_snapshot *s, const char *buf, size_t len, struct ws_err *err)
{
	return parse_buf(1, s, buf, len, err);
}

int ws_parse_histograms(struct ws_snapshot *s, const char *buf, size_t len, struct ws_err *err)
{
	return parse_buf(2, s, buf, len, err);
}

int ws_parse_blocked(struct ws_snapshot *s, const char *buf, size_t len, struct ws_err *err)
{
	return parse_buf(3, s, buf, len, err);
}

int ws_parse_futex(struct ws_snapshot *s, const char *buf, size_t len, struct ws_err *err)
{
	return parse_buf(4, s, buf, len, err);
}

/* Parse file number which (ws_files[]) from fd, a chunk at a time. */
int ws_parse_fd(struct ws_snapshot *s, int which, int fd, struct ws_err *err)
{
	struct lines ls = { .file = ws_files[which], .fd = fd };

	return run_parser(which, s, &ls, err);
}
