// SPDX-License-Identifier: GPL-2.0
/*
 * What /proc says about a thread the module sees blocked: the arguments of
 * the syscall it is in (/proc/PID/task/TID/syscall) and what kind of file
 * one of its descriptors is (readlink /proc/PID/fd/N).  Read only: nothing
 * here stops, signals or writes into the process.  A thread that ends while
 * we look (ENOENT, ESRCH) is WS_PROC_GONE; no permission or an unexpected
 * format is WS_PROC_UNKNOWN.  The root is "/proc" live, or a fake tree in
 * tests ($WAITSCOPE_PROC).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "ws.h"

static enum ws_proc_rc proc_errno(int e)
{
	return e == ENOENT || e == ESRCH ? WS_PROC_GONE : WS_PROC_UNKNOWN;
}

/* "0x1f" -> 0x1f; false when it is not one hex number. */
static bool hex_arg(const char *tok, uint64_t *v)
{
	char *end;

	if (strncmp(tok, "0x", 2))
		return false;
	errno = 0;
	*v = strtoull(tok + 2, &end, 16);
	return end != tok + 2 && !*end && !errno;
}

/*
 * "nr arg0 ... arg5 sp pc": the syscall, its six arguments, and the user
 * stack and instruction pointers it entered with ("-1 sp pc" outside a
 * syscall).  *nr is -1 when the thread is not in a syscall now, or
 * "running"; *sp = *pc = 0 when the pointers are not shown.
 */
static enum ws_proc_rc read_syscall(const char *root, uint32_t pid, uint32_t tid, long *nr,
				    uint64_t args[6], uint64_t *sp, uint64_t *pc)
{
	char path[4200], line[512], *tok, *save;
	enum ws_proc_rc rc = WS_PROC_UNKNOWN;
	FILE *f;
	int i;

	snprintf(path, sizeof(path), "%s/%u/task/%u/syscall", root, pid, tid);
	f = fopen(path, "r");
	if (!f)
		return proc_errno(errno);
	if (!fgets(line, sizeof(line), f)) {
		rc = ferror(f) ? proc_errno(errno) : WS_PROC_UNKNOWN;
		fclose(f);
		return rc;
	}
	fclose(f);
	line[strcspn(line, "\n")] = '\0';
	*nr = -1;
	*sp = *pc = 0;
	if (!strcmp(line, "running"))
		return WS_PROC_OK;
	tok = strtok_r(line, " ", &save);
	if (!tok)
		return WS_PROC_UNKNOWN;
	*nr = strtol(tok, NULL, 10);
	for (i = 0; *nr >= 0 && i < 6; i++) {
		tok = strtok_r(NULL, " ", &save);
		if (!tok || !hex_arg(tok, &args[i]))
			return WS_PROC_UNKNOWN;
	}
	/* Fake trees in tests may stop after the arguments: no pointers then. */
	tok = strtok_r(NULL, " ", &save);
	if (tok && hex_arg(tok, sp)) {
		tok = strtok_r(NULL, " ", &save);
		if (!tok || !hex_arg(tok, pc))
			*sp = *pc = 0;
	}
	return WS_PROC_OK;
}

enum ws_proc_rc ws_proc_syscall(const char *root, uint32_t pid, uint32_t tid, long *nr,
				uint64_t args[6])
{
	uint64_t sp, pc;

	return read_syscall(root, pid, tid, nr, args, &sp, &pc);
}

enum ws_proc_rc ws_proc_user_regs(const char *root, uint32_t pid, uint32_t tid, long *nr,
				  uint64_t *sp, uint64_t *pc)
{
	uint64_t args[6];

	return read_syscall(root, pid, tid, nr, args, sp, pc);
}

static enum ws_fd_kind fd_kind_of_link(const char *l)
{
	static const char *const ttys[] = { "/dev/pts/", "/dev/tty", "/dev/console", "/dev/ptmx",
					    "/dev/hvc", "/dev/vc/" };
	/* Devices a daemon reads to wait for its next event or request. */
	static const char *const events[] = { "/dev/input/", "/dev/kmsg", "/proc/kmsg", "/dev/fuse",
					      "/dev/net/tun", "/dev/uinput", "/dev/rfkill" };
	size_t i;

	if (!strncmp(l, "socket:[", 8))
		return WS_FD_SOCKET;
	if (!strncmp(l, "pipe:[", 6))
		return WS_FD_PIPE;
	/* eventfd, signalfd, timerfd, inotify, [eventpoll]: event sources. */
	if (!strncmp(l, "anon_inode:", 11))
		return WS_FD_EVENT;
	for (i = 0; i < sizeof(ttys) / sizeof(ttys[0]); i++)
		if (!strncmp(l, ttys[i], strlen(ttys[i])))
			return WS_FD_TTY;
	for (i = 0; i < sizeof(events) / sizeof(events[0]); i++)
		if (!strncmp(l, events[i], strlen(events[i])))
			return WS_FD_EVENT;
	return WS_FD_OTHER;
}

/* What descriptor fd of process pid is; its link text in link. */
enum ws_fd_kind ws_proc_fd_kind(const char *root, uint32_t pid, uint64_t fd, char *link,
				size_t n)
{
	char path[4200];
	ssize_t len;

	link[0] = '\0';
	if (fd > INT32_MAX)
		return WS_FD_UNKNOWN;
	snprintf(path, sizeof(path), "%s/%u/fd/%" PRIu64, root, pid, fd);
	len = readlink(path, link, n - 1);
	if (len < 0)
		return proc_errno(errno) == WS_PROC_GONE ? WS_FD_GONE : WS_FD_UNKNOWN;
	link[len] = '\0';
	return fd_kind_of_link(link);
}
