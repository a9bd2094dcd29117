// SPDX-License-Identifier: GPL-2.0
/* Formatting: durations (and reading them), wall-clock times, comms, JSON strings, syscall names. */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "ws.h"

/* 850ns, 850us, 12.3ms, 4.2s, 3m12s, 2h05m: what a person reads. */
void ws_fmt_dur(char *buf, size_t n, uint64_t ns)
{
	if (ns < 1000)
		snprintf(buf, n, "%lluns", (unsigned long long)ns);
	else if (ns < 1000000)
		snprintf(buf, n, "%lluus", (unsigned long long)(ns / 1000));
	else if (ns < 10000000)
		snprintf(buf, n, "%.2fms", ns / 1e6);
	else if (ns < 1000000000)
		snprintf(buf, n, "%.1fms", ns / 1e6);
	else if (ns < 60000000000ULL)
		snprintf(buf, n, "%.1fs", ns / 1e9);
	else if (ns < 3600000000000ULL)
		snprintf(buf, n, "%llum%02llus", (unsigned long long)(ns / 60000000000ULL),
			 (unsigned long long)(ns / 1000000000ULL % 60));
	else
		snprintf(buf, n, "%lluh%02llum", (unsigned long long)(ns / 3600000000000ULL),
			 (unsigned long long)(ns / 60000000000ULL % 60));
}

/*
 * Local wall-clock time of wall (ns since the epoch): "HH:MM:SS", with
 * the date first ("2025-12-02 HH:MM:SS") and milliseconds last
 * ("HH:MM:SS.mmm") when asked; "?" when the time has no local form.
 */
void ws_fmt_wall(char *buf, size_t n, uint64_t wall, bool date, bool ms)
{
	time_t sec = (time_t)(wall / 1000000000ULL);
	struct tm tm;
	size_t k;

	if (!localtime_r(&sec, &tm) || !strftime(buf, n, date ? "%Y-%m-%d %H:%M:%S" : "%H:%M:%S", &tm)) {
		snprintf(buf, n, "?");
		return;
	}
	k = strlen(buf);
	if (ms)
		snprintf(buf + k, n - k, ".%03u", (unsigned)(wall / 1000000ULL % 1000));
}

/* "10s", "250ms", "500us", "2m", "1h", or a bare number of seconds. */
bool ws_parse_duration(const char *s, uint64_t *ns)
{
	static const struct { const char *unit; double mul; } units[] = {
		{ "ns", 1 }, { "us", 1e3 }, { "ms", 1e6 }, { "s", 1e9 }, { "m", 60e9 },
		{ "h", 3600e9 }, { "", 1e9 },
	};
	char *end;
	double v;
	size_t i;

	/* Plain decimal only: strtod would also take hex, inf and nan. */
	if (!isdigit((unsigned char)s[0]) || strpbrk(s, "xXpP"))
		return false;
	errno = 0;
	v = strtod(s, &end);
	if (end == s || errno || !isfinite(v) || v < 0)
		return false;
	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		/* A year at most, whatever the unit: no overflow on the way. */
		if (!strcmp(end, units[i].unit) && v * units[i].mul <= 365 * 86400e9) {
			*ns = (uint64_t)(v * units[i].mul);
			return true;
		}
	}
	return false;
}

/*
 * A quantile from log2 buckets: interpolated, so only about right; the
 * mark says so ("\u22489.69ms").
 */
void ws_fmt_approx(char *buf, size_t n, uint64_t ns)
{
	char d[32];

	ws_fmt_dur(d, sizeof(d), ns);
	snprintf(buf, n, "\u2248%s", d);
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* The module's \xHH escapes back to bytes; a bad escape stays as it is. */
void ws_escape_comm(const char *in, char *out, size_t n)
{
	size_t k = 0;

	for (; *in && k + 5 < n; in++) {
		unsigned char c = (unsigned char)*in;

		if (c < '!' || c > '~' || c == '\\')
			k += (size_t)snprintf(out + k, n - k, "\\x%02x", c);
		else
			out[k++] = (char)c;
	}
	out[k] = '\0';
}

void ws_unescape_comm(const char *in, char *out, size_t n)
{
	size_t o = 0;

	while (*in && o + 1 < n) {
		if (in[0] == '\\' && in[1] == 'x' && hexval(in[2]) >= 0 && hexval(in[3]) >= 0) {
			out[o++] = (char)(hexval(in[2]) << 4 | hexval(in[3]));
			in += 4;
		} else {
			out[o++] = *in++;
		}
	}
	out[o] = '\0';
}

/* A JSON string; bytes that are not printable ASCII are \u00XX escaped. */
/*
 * The length of the well-formed UTF-8 sequence at s (RFC 3629: no overlong
 * form, no surrogate, at most U+10FFFF), or 0.
 */
static size_t utf8_len(const unsigned char *s)
{
	size_t n, i;
	unsigned cp;

	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2, cp = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3, cp = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4, cp = s[0] & 0x07;
	else
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

/*
 * A JSON string.  Well-formed UTF-8 (our own "≈", a comm in UTF-8) passes
 * as it is; any other byte from 0x7f up becomes \u00XX, the byte as a
 * code point, so the output stays valid JSON whatever a comm holds.
 */
void ws_json_str(FILE *f, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n;

	fputc('"', f);
	while (*p) {
		if (*p == '"' || *p == '\\') {
			fprintf(f, "\\%c", *p++);
		} else if (*p < 0x20 || *p == 0x7f) {
			fprintf(f, "\\u%04x", *p++);
		} else if (*p < 0x80) {
			fputc(*p++, f);
		} else if ((n = utf8_len(p))) {
			fwrite(p, 1, n, f);
			p += n;
		} else {
			fprintf(f, "\\u%04x", *p++);
		}
	}
	fputc('"', f);
}

/* x86-64 syscall names for the waits an operator meets. */
static const struct {
	int nr;
	const char *name;
} syscalls[] = {
	{ 0, "read" }, { 1, "write" }, { 7, "poll" }, { 17, "pread64" }, { 19, "readv" },
	{ 23, "select" }, { 34, "pause" }, { 35, "nanosleep" }, { 43, "accept" },
	{ 44, "sendto" }, { 45, "recvfrom" }, { 46, "sendmsg" }, { 47, "recvmsg" },
	{ 56, "clone" }, { 57, "fork" }, { 58, "vfork" }, { 59, "execve" }, { 61, "wait4" },
	{ 72, "fcntl" }, { 73, "flock" }, { 74, "fsync" }, { 75, "fdatasync" },
	{ 128, "rt_sigtimedwait" }, { 130, "rt_sigsuspend" }, { 202, "futex" },
	{ 206, "io_setup" }, { 208, "io_getevents" }, { 230, "clock_nanosleep" },
	{ 232, "epoll_wait" }, { 247, "waitid" }, { 270, "pselect6" }, { 271, "ppoll" },
	{ 281, "epoll_pwait" }, { 288, "accept4" }, { 299, "recvmmsg" }, { 426, "io_uring_enter" },
	{ 441, "epoll_pwait2" }, { 449, "futex_waitv" }, { 455, "futex_wait" },
	{ 61 + 1000, NULL },
};

const char *ws_syscall_name(int nr)
{
	size_t i;

	for (i = 0; syscalls[i].name; i++)
		if (syscalls[i].nr == nr)
			return syscalls[i].name;
	return NULL;
}

/*
 * Make s safe for a terminal or a Prometheus label, in place: control
 * bytes and bytes that are not valid UTF-8 become '?', so no escape
 * sequence from a thread name reaches the screen.
 */
char *ws_sanitize(char *s)
{
	unsigned char *p = (unsigned char *)s;

	while (*p) {
		size_t n = *p >= 0x80 ? utf8_len(p) : 1;

		if (!n || (n == 1 && (*p < 0x20 || *p == 0x7f))) {
			*p++ = '?';
			continue;
		}
		p += n;
	}
	return s;
}
