/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The user stack of a thread blocked in a syscall, read without stopping
 * it: the sp and pc it entered the kernel with (/proc/PID/task/TID/syscall),
 * its stack words (/proc/PID/mem, read only) and each mapped object's
 * .eh_frame (uelf.h).  A thread that moves on while we read is caught by
 * reading its syscall line again: the answer is then "unknown", never a
 * stack it no longer has.
 */
#ifndef WS_USTACK_H
#define WS_USTACK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define WS_USTACK_MAX 32	/* frames walked at most */

struct ws_uframe {
	uint64_t pc;		/* frame 0: where it entered the kernel; callers: return address */
	char func[128];		/* "" when no symbol covers it */
	char obj[64];		/* the object's file name, "" when the pc is in no file */
	uint64_t off;		/* from func's start, else from the object's load address */
};

struct ws_ustack {
	unsigned n;
	struct ws_uframe f[WS_USTACK_MAX];
	/* Why the walk stopped before the outermost frame; NULL: it reached it. */
	const char *cut;
};

enum ws_ustack_rc {
	WS_USTACK_OK,
	WS_USTACK_GONE,		/* the thread ended */
	WS_USTACK_NOT_BLOCKED,	/* in no syscall now, or moved on while we read */
	WS_USTACK_UNKNOWN,	/* no permission, or no pointers shown */
};

/* Objects opened once per walker, keyed by device and inode. */
struct ws_uwalker;

struct ws_uwalker *ws_uwalker_new(const char *proc_root);
void ws_uwalker_free(struct ws_uwalker *w);

enum ws_ustack_rc ws_ustack_read(struct ws_uwalker *w, uint32_t pid, uint32_t tid,
				 struct ws_ustack *out);

/*
 * "f < g (obj) < …", innermost first: the object is named where it
 * changes, obj+0xoff stands for a pc no symbol covers, and with offsets
 * every function gets its +0xoff.  Truncated to n; "" for no frames.
 */
char *ws_ustack_format(const struct ws_ustack *st, bool offsets, char *buf, size_t n);

/*
 * Whether a frame's function (or obj+0xoff) matches the fnmatch pattern;
 * a compiler's clone (f.isra.0, f.cold) also matches as f.
 */
bool ws_ustack_match(const struct ws_ustack *st, const char *pattern);

#endif
