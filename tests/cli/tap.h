/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The host harnesses' output, as check.sh tallies it: one "ok - PREFIX: what"
 * or "not ok - PREFIX: what" line per check; tap_bad is set by any failure
 * (the harness's exit status).  Define TAP_PREFIX before including.
 */
#ifndef WS_TEST_TAP_H
#define WS_TEST_TAP_H

#include <stdarg.h>
#include <stdio.h>

static int tap_bad;

static void check(int ok, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void check(int ok, const char *fmt, ...)
{
	va_list ap;

	printf("%s - " TAP_PREFIX ": ", ok ? "ok" : "not ok");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
	tap_bad |= !ok;
}

#endif
