// SPDX-License-Identifier: GPL-2.0
/*
 * The waits-for edges as text: the "waits" file of a snapshot directory and
 * the `waitscope waits` table, written and parsed here (see waits.h for
 * the format).  The parser is as strict as the module files' parsers: an
 * unknown version, a missing column, a bad field or a last line without
 * its newline is an error naming the line, never a guess.
 */
#include <stdlib.h>
#include <string.h>
#include "waits.h"

const char *const ws_edge_type_names[NR_EDGE_TYPES] = {
	"mutex-owner", "pi-owner", "rwlock-writer", "join", "pipe", "socket", "flock", "child",
	"unknown",
};

const char *const ws_wait_scope_names[3] = { "process", "external", "timed" };

const char ws_waits_file[] = "waits";

#define WAITS_VERSION 1
#define WAITS_COLS "tid pid type scope holder_tid holder_pid holder_comm object evidence"
#define WAITS_NCOLS 9
#define WAITS_LINE_MAX 1024

void ws_waits_init(struct ws_waits *w)
{
	memset(w, 0, sizeof(*w));
}

void ws_waits_free(struct ws_waits *w)
{
	free(w->e);
	ws_waits_init(w);
}

struct ws_edge *ws_waits_add(struct ws_waits *w)
{
	w->e = ws_grow(w->e, &w->cap, w->n + 1, sizeof(*w->e));
	memset(&w->e[w->n], 0, sizeof(w->e[0]));
	return &w->e[w->n++];
}

/* ---- writing ---- */

/* One field with no space in it, as the module escapes comm; "-" when empty. */
static const char *escape_token(const char *s, char *out, size_t n)
{
	if (!*s)
		return "-";
	if (!strcmp(s, "-"))
		return "\\x2d";	/* a real "-", not "none" */
	ws_escape_comm(s, out, n);
	return out;
}

/* The last field: spaces kept inside, but not at its ends; control bytes escaped. */
static void put_evidence(FILE *f, const char *s)
{
	size_t i, n = strlen(s);

	if (!n || !strcmp(s, "-")) {
		fputs(n ? "\\x2d" : "-", f);
		return;
	}
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		bool edge = i == 0 || i == n - 1;

		if (c < ' ' || c == 0x7f || c == '\\' || (edge && (c == ' ')))
			fprintf(f, "\\x%02x", c);
		else
			fputc(c, f);
	}
}

static void write_row(FILE *f, const struct ws_edge *e)
{
	char comm[4 * sizeof(e->holder_comm) + 8], obj[4 * sizeof(e->object) + 8];

	fprintf(f, "%8u %7u %-13s %-8s %10u %10u %-16s %s ", e->tid, e->pid,
		ws_edge_type_names[e->type], ws_wait_scope_names[e->scope], e->holder_tid,
		e->holder_pid, escape_token(e->holder_comm, comm, sizeof(comm)),
		escape_token(e->object, obj, sizeof(obj)));
	put_evidence(f, e->evidence);
	fputc('\n', f);
}

int ws_waits_write(FILE *f, const struct ws_waits *w)
{
	size_t i;

	fprintf(f, "# waitscope waits v%d resolved=%d\n", WAITS_VERSION, w->resolved ? 1 : 0);
	fputs("#    tid     pid type          scope    holder_tid holder_pid holder_comm      object evidence\n",
	      f);
	if (!w->resolved) {
		fputs("# why_not: ", f);
		put_evidence(f, w->why_not[0] ? w->why_not : "not resolved");
		fputc('\n', f);
	}
	for (i = 0; i < w->n; i++)
		write_row(f, &w->e[i]);
	return ferror(f) ? -1 : 0;
}

/* ---- parsing ---- */

struct wline {
	struct ws_line_reader r;
	char buf[WAITS_LINE_MAX];
};

static int next_line(struct wline *l, struct ws_err *err)
{
	return ws_read_line(&l->r, l->buf, sizeof(l->buf), err);
}

/* Split off the next whitespace-separated token of *s; NULL at the end. */
static char *token(char **s)
{
	char *t = *s + strspn(*s, " \t");

	if (!*t) {
		*s = t;
		return NULL;
	}
	*s = t + strcspn(t, " \t");
	if (**s)
		*(*s)++ = '\0';
	return t;
}

/* A holder id: a number, or "-" for none (0). */
static bool parse_holder(const char *s, uint32_t *v)
{
	if (!strcmp(s, "-")) {
		*v = 0;
		return true;
	}
	return ws_parse_u32(s, v);
}

static int name_index(const char *const *names, int n, const char *s)
{
	int i;

	for (i = 0; i < n; i++)
		if (!strcmp(names[i], s))
			return i;
	return -1;
}

/* An escaped field into out (size n): false if it does not fit. */
static bool unescape_field(const char *in, char *out, size_t n)
{
	char tmp[WAITS_LINE_MAX];

	if (!strcmp(in, "-")) {
		out[0] = '\0';
		return true;
	}
	ws_unescape_comm(in, tmp, sizeof(tmp));
	if (strlen(tmp) >= n)
		return false;
	memcpy(out, tmp, strlen(tmp) + 1);
	return true;
}

/* "# waitscope waits v1 resolved=N": w->resolved. */
static int parse_header(struct ws_waits *w, struct wline *l, struct ws_err *err)
{
	char *s, *t[5];
	int i, rc = next_line(l, err);
	uint32_t v;

	if (rc <= 0)
		return rc ? rc : ws_fail(err, "waits: empty file");
	s = l->buf;
	for (i = 0; i < 5; i++)
		t[i] = token(&s);
	if (!t[2] || strcmp(t[0], "#") || strcmp(t[1], "waitscope") || strcmp(t[2], "waits"))
		return ws_fail(err, "waits:1: not a waitscope waits file");
	if (!t[3] || t[3][0] != 'v' || !ws_parse_u32(t[3] + 1, &v) || v != WAITS_VERSION)
		return ws_fail(err, "waits:1: format %s is not supported (this waitscope reads v%d)",
			       t[3] ? t[3] : "(none)", WAITS_VERSION);
	if (!t[4] || (strcmp(t[4], "resolved=0") && strcmp(t[4], "resolved=1")))
		return ws_fail(err, "waits:1: no resolved=0|1");
	w->resolved = t[4][9] == '1';
	return 0;
}

/* "#    tid     pid type ...": exactly the v1 columns, in order. */
static int parse_columns(struct wline *l, struct ws_err *err)
{
	char *s, *t, want[] = WAITS_COLS, *ws = want, *c;
	int rc = next_line(l, err);

	if (rc <= 0)
		return rc ? rc : ws_fail(err, "waits: truncated after the first line");
	s = l->buf;
	t = token(&s);
	if (!t || strcmp(t, "#"))
		return ws_fail(err, "waits:2: missing the column header (" WAITS_COLS ")");
	while ((c = token(&ws))) {
		t = token(&s);
		if (!t || strcmp(t, c))
			return ws_fail(err, "waits:2: no column '%s' where expected (" WAITS_COLS ")", c);
	}
	if (token(&s))
		return ws_fail(err, "waits:2: more columns than " WAITS_COLS);
	return 0;
}

/* A "# ..." line after the header: why_not, or a comment. */
static void parse_comment(struct ws_waits *w, const char *line)
{
	const char *p = line + strspn(line, " \t");

	if (!strncmp(p, "# why_not: ", 11))
		ws_unescape_comm(p + 11, w->why_not, sizeof(w->why_not));
}

static char *trim_end(char *s)
{
	size_t n = strlen(s);

	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		s[--n] = '\0';
	return s;
}

static int edge_fields(struct ws_edge *e, char **t, char *rest, unsigned no, struct ws_err *err)
{
	int type, scope;

	if (!ws_parse_u32(t[0], &e->tid) || !e->tid)
		return ws_fail(err, "waits:%u: bad tid '%s'", no, t[0]);
	if (!ws_parse_u32(t[1], &e->pid) || !e->pid)
		return ws_fail(err, "waits:%u: bad pid '%s'", no, t[1]);
	type = name_index(ws_edge_type_names, NR_EDGE_TYPES, t[2]);
	if (type < 0)
		return ws_fail(err, "waits:%u: unknown edge type '%s'", no, t[2]);
	scope = name_index(ws_wait_scope_names, 3, t[3]);
	if (scope < 0)
		return ws_fail(err, "waits:%u: unknown scope '%s'", no, t[3]);
	e->type = (enum ws_edge_type)type;
	e->scope = (enum ws_wait_scope)scope;
	if (!parse_holder(t[4], &e->holder_tid) || !parse_holder(t[5], &e->holder_pid))
		return ws_fail(err, "waits:%u: bad holder '%s %s'", no, t[4], t[5]);
	if (!unescape_field(t[6], e->holder_comm, sizeof(e->holder_comm)))
		return ws_fail(err, "waits:%u: holder_comm too long", no);
	if (!unescape_field(t[7], e->object, sizeof(e->object)))
		return ws_fail(err, "waits:%u: object too long", no);
	if (!unescape_field(trim_end(rest), e->evidence, sizeof(e->evidence)))
		return ws_fail(err, "waits:%u: evidence too long", no);
	return 0;
}

static int parse_row(struct ws_waits *w, struct wline *l, struct ws_err *err)
{
	char *s = l->buf, *t[WAITS_NCOLS - 1];
	struct ws_edge e;
	int i;

	for (i = 0; i < WAITS_NCOLS - 1; i++)
		if (!(t[i] = token(&s)))
			break;
	s += strspn(s, " \t");
	if (i < WAITS_NCOLS - 1 || !*s)
		return ws_fail(err, "waits:%u: %d fields, expected %d (" WAITS_COLS ")", l->r.no,
			       i + (i == WAITS_NCOLS - 1 && *s), WAITS_NCOLS);
	memset(&e, 0, sizeof(e));
	if (edge_fields(&e, t, s, l->r.no, err))
		return -1;
	*ws_waits_add(w) = e;
	return 0;
}

int ws_parse_waits(struct ws_waits *w, const char *buf, size_t len, struct ws_err *err)
{
	struct wline *l = calloc(1, sizeof(*l));
	int rc;

	if (!l)
		return ws_fail(err, "out of memory");
	l->r = (struct ws_line_reader){ .p = buf, .end = buf + len, .file = "waits" };
	w->n = 0;
	w->why_not[0] = '\0';
	rc = parse_header(w, l, err);
	if (!rc)
		rc = parse_columns(l, err);
	while (!rc && (rc = next_line(l, err)) > 0) {
		const char *p = l->buf + strspn(l->buf, " \t");

		if (!*p)
			rc = 0;
		else if (*p == '#')
			rc = (parse_comment(w, l->buf), 0);
		else
			rc = parse_row(w, l, err);
	}
	free(l);
	if (rc < 0) {
		w->resolved = false;
		return -1;
	}
	if (!w->resolved && !w->why_not[0])
		snprintf(w->why_not, sizeof(w->why_not), "the waits file says resolved=0");
	return 0;
}
