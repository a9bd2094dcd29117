// SPDX-License-Identifier: GPL-2.0
/*
 * Which processes watch watches.  First choice, a cgroup v2 of its own,
 * made under watch's own cgroup (the mount from /proc/self/mountinfo, the
 * path from /proc/self/cgroup's "0::" line): whatever CMD forks or
 * daemonizes stays in it, and the module's cgroup column and events say
 * so.  The tree is the processes listed in it and in cgroups under it,
 * rescanned at each poll.  Else the ppid chain: the processes whose parent
 * chain reaches watch (a child subreaper, so that orphans come back to
 * it), or -p PID and its descendants.  Every process ever seen is kept,
 * with its start time, so that an exited one's events still count and a
 * pid reused by another process is not taken for it.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "watch.h"

#define MAX_DEPTH 32		/* nested cgroups, ppid hops */

void ws_tree_init(struct ws_tree *t, const char *proc)
{
	memset(t, 0, sizeof(*t));
	t->proc = proc;
	t->mode = WS_TREE_SUBREAPER;
}

void ws_tree_free(struct ws_tree *t)
{
	free(t->ids);
	free(t->p);
	memset(t, 0, sizeof(*t));
}

/* ---- what /proc says of a process ---- */

struct pstat {
	uint32_t pid, ppid;
	uint64_t start;
	char state;
	char comm[64];
};

/* PROC/PID/stat: "pid (comm) S ppid ... starttime(22) ...". */
static bool read_pstat(const char *proc, uint32_t pid, struct pstat *ps)
{
	char path[4200], buf[1024], *lp, *rp, *tok, *save;
	ssize_t n;
	int fd, field;

	snprintf(path, sizeof(path), "%s/%u/stat", proc, pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return false;
	buf[n] = '\0';
	lp = strchr(buf, '(');
	rp = strrchr(buf, ')');
	if (!lp || !rp || rp < lp)
		return false;
	memset(ps, 0, sizeof(*ps));
	ps->pid = pid;
	snprintf(ps->comm, sizeof(ps->comm), "%.*s", (int)(rp - lp - 1), lp + 1);
	/* After the comm: field 3 (state) onwards. */
	for (field = 3, tok = strtok_r(rp + 1, " \n", &save); tok;
	     field++, tok = strtok_r(NULL, " \n", &save)) {
		if (field == 3)
			ps->state = tok[0];
		else if (field == 4)
			ps->ppid = (uint32_t)strtoul(tok, NULL, 10);
		else if (field == 22)
			ps->start = strtoull(tok, NULL, 10);
	}
	return field > 4;
}

/* Alive, not a zombie, and the process first seen (not another with its pid). */
static bool still_alive(const struct ws_tree *t, struct ws_tree_proc *p)
{
	struct pstat ps;
	bool alive = read_pstat(t->proc, p->pid, &ps) && ps.state != 'Z' && ps.state != 'X' &&
		     (!p->start || !ps.start || ps.start == p->start);

	/* Its name after an exec. */
	if (alive && ps.comm[0])
		snprintf(p->comm, sizeof(p->comm), "%s", ps.comm);
	return alive;
}

bool ws_tree_alive(struct ws_tree *t, uint32_t pid)
{
	struct ws_tree_proc *p = ws_tree_find(t, pid);

	return p && still_alive(t, p);
}

/* ---- the set of processes ---- */

static int proc_cmp(const void *a, const void *b)
{
	const struct ws_tree_proc *x = a, *y = b;

	return x->pid < y->pid ? -1 : x->pid > y->pid;
}

struct ws_tree_proc *ws_tree_find(const struct ws_tree *t, uint32_t pid)
{
	struct ws_tree_proc key = { .pid = pid };

	return t->np ? bsearch(&key, t->p, t->np, sizeof(*t->p), proc_cmp) : NULL;
}

static struct ws_tree_proc *add_proc(struct ws_tree *t, const struct pstat *ps)
{
	struct ws_tree_proc *p = ws_tree_find(t, ps->pid);
	size_t i;

	if (p && ps->start && ps->start != p->start) {
		/* The pid of one that exited, taken by a new process of the tree. */
		p->start = ps->start;
		p->status = -1;
		p->live = ps->state != 'Z' && ps->state != 'X';
		snprintf(p->comm, sizeof(p->comm), "%s", ps->comm);
	}
	if (p)
		return p;
	/* In pid order; new pids are mostly the largest, so the move is short. */
	for (i = t->np; i && t->p[i - 1].pid > ps->pid; i--)
		;
	t->p = ws_grow(t->p, &t->cap_p, t->np + 1, sizeof(*t->p));
	memmove(&t->p[i + 1], &t->p[i], (t->np++ - i) * sizeof(*t->p));
	p = &t->p[i];
	memset(p, 0, sizeof(*p));
	p->pid = ps->pid;
	p->start = ps->start;
	p->status = -1;
	p->live = ps->state && ps->state != 'Z' && ps->state != 'X';
	snprintf(p->comm, sizeof(p->comm), "%s", ps->comm);
	return p;
}

struct ws_tree_proc *ws_tree_add(struct ws_tree *t, uint32_t pid, const char *comm)
{
	struct ws_tree_proc *p = ws_tree_find(t, pid);
	struct pstat ps;

	if (p && comm && *comm)
		snprintf(p->comm, sizeof(p->comm), "%s", comm);
	if (p && p->live)
		return p;
	if (!read_pstat(t->proc, pid, &ps)) {
		/* Gone already: known from the module only. */
		memset(&ps, 0, sizeof(ps));
		ps.pid = pid;
	}
	p = add_proc(t, &ps);
	if (comm && *comm)
		snprintf(p->comm, sizeof(p->comm), "%s", comm);
	return p;
}

static int id_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static bool has_cgroup(const struct ws_tree *t, uint64_t id)
{
	return t->nids && bsearch(&id, t->ids, t->nids, sizeof(*t->ids), id_cmp);
}

static void add_id(struct ws_tree *t, uint64_t id)
{
	size_t i;

	if (has_cgroup(t, id))
		return;
	for (i = t->nids; i && t->ids[i - 1] > id; i--)
		;
	t->ids = ws_grow(t->ids, &t->cap_ids, t->nids + 1, sizeof(*t->ids));
	memmove(&t->ids[i + 1], &t->ids[i], (t->nids++ - i) * sizeof(*t->ids));
	t->ids[i] = id;
}

bool ws_tree_member(const struct ws_tree *t, uint32_t tgid, uint64_t cgroup)
{
	return ws_tree_find(t, tgid) ||
	       (t->mode == WS_TREE_CGROUP && cgroup && has_cgroup(t, cgroup));
}

size_t ws_tree_nlive(const struct ws_tree *t)
{
	size_t i, n = 0;

	for (i = 0; i < t->np; i++)
		n += t->p[i].live;
	return n;
}

/* ---- a cgroup of its own ---- */

/* A mountinfo field: octal escapes (\040 for a space) undone. */
static void unescape_field(const char *in, char *out, size_t n)
{
	size_t k = 0;

	while (*in && k + 1 < n) {
		if (in[0] == '\\' && in[1] >= '0' && in[1] <= '3' && isdigit((unsigned char)in[2]) &&
		    isdigit((unsigned char)in[3])) {
			out[k++] = (char)((in[1] - '0') * 64 + (in[2] - '0') * 8 + (in[3] - '0'));
			in += 4;
		} else {
			out[k++] = *in++;
		}
	}
	out[k] = '\0';
}

/*
 * Where cgroup2 is mounted, from /proc/self/mountinfo ("... mountpoint ...
 * - cgroup2 ..."); $WAITSCOPE_CGROUP2 names another for tests ("none": as
 * if there were none).
 */
static bool cgroup2_mount(char *buf, size_t n)
{
	const char *env = getenv("WAITSCOPE_CGROUP2");
	char line[4096], mnt[4096];
	bool found = false;
	FILE *f;

	if (env && *env) {
		snprintf(buf, n, "%s", env);
		return strcmp(env, "none") != 0;
	}
	f = fopen("/proc/self/mountinfo", "re");
	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f)) {
		char *dash = strstr(line, " - "), *save, *tok;
		int i;

		if (!dash || strncmp(dash + 3, "cgroup2 ", 8))
			continue;
		/* id parent maj:min root mountpoint */
		for (i = 0, tok = strtok_r(line, " ", &save); tok && i < 4;
		     i++, tok = strtok_r(NULL, " ", &save))
			;
		if (tok) {
			unescape_field(tok, mnt, sizeof(mnt));
			snprintf(buf, n, "%s", mnt);
			found = true;
		}
	}
	fclose(f);
	return found;
}

/* watch's own cgroup v2 path, from /proc/self/cgroup's "0::/path" line. */
static bool own_cgroup(char *buf, size_t n)
{
	char line[4096];
	bool found = false;
	FILE *f = fopen("/proc/self/cgroup", "re");

	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f)) {
		if (strncmp(line, "0::", 3))
			continue;
		line[strcspn(line, "\n")] = '\0';
		snprintf(buf, n, "%s", line + 3);
		found = true;
	}
	fclose(f);
	return found;
}

int ws_tree_make_cgroup(struct ws_tree *t, char *why, size_t n)
{
	char mnt[4096], own[4096];
	struct stat st;

	if (!cgroup2_mount(mnt, sizeof(mnt))) {
		snprintf(why, n, "no cgroup v2 hierarchy is mounted (cgroup v1 only?)");
		return -1;
	}
	if (!own_cgroup(own, sizeof(own))) {
		snprintf(why, n, "/proc/self/cgroup names no cgroup v2 (no 0:: line)");
		return -1;
	}
	if (!strcmp(own, "/"))
		own[0] = '\0';
	snprintf(t->path, sizeof(t->path), "%s/waitscope-watch.%d", own, (int)getpid());
	if ((size_t)snprintf(t->dir, sizeof(t->dir), "%s%s", mnt, t->path) >= sizeof(t->dir)) {
		snprintf(why, n, "the cgroup path is too long");
		return -1;
	}
	if (mkdir(t->dir, 0755)) {
		snprintf(why, n, "cannot create the cgroup %s: %s", t->dir, strerror(errno));
		return -1;
	}
	if (stat(t->dir, &st)) {
		snprintf(why, n, "cannot stat the cgroup %s: %s", t->dir, strerror(errno));
		rmdir(t->dir);
		return -1;
	}
	t->mode = WS_TREE_CGROUP;
	add_id(t, (uint64_t)st.st_ino);
	return 0;
}

/* Async-signal-safe: the child runs it between fork and exec. */
int ws_tree_enter(const struct ws_tree *t)
{
	char path[4200];
	int fd, e = 0;

	snprintf(path, sizeof(path), "%s/cgroup.procs", t->dir);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return errno;
	if (write(fd, "0", 1) != 1)
		e = errno ? errno : EIO;
	close(fd);
	return e;
}

void ws_tree_follow(struct ws_tree *t, enum ws_tree_mode mode, uint32_t top)
{
	t->mode = mode;
	t->top = top;
	t->dir[0] = t->path[0] = '\0';
	free(t->ids);
	t->ids = NULL;
	t->nids = t->cap_ids = 0;
	if (mode == WS_TREE_PID)
		ws_tree_add(t, top, NULL);
}

/* ---- scans ---- */

/* Each pid in DIR/cgroup.procs is of the tree. */
static void scan_procs_file(struct ws_tree *t, const char *dir)
{
	char path[4200], line[64];
	FILE *f;

	snprintf(path, sizeof(path), "%s/cgroup.procs", dir);
	f = fopen(path, "re");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		uint32_t pid;

		line[strcspn(line, "\n")] = '\0';
		if (ws_parse_u32(line, &pid) && pid)
			ws_tree_add(t, pid, NULL);
	}
	fclose(f);
}

/* dir and the cgroups under it: their ids and processes. */
static void scan_cgroup(struct ws_tree *t, const char *dir, int depth)
{
	char sub[4200];
	struct dirent *d;
	struct stat st;
	DIR *dp;

	if (depth > MAX_DEPTH || stat(dir, &st) || !S_ISDIR(st.st_mode))
		return;
	add_id(t, (uint64_t)st.st_ino);
	scan_procs_file(t, dir);
	dp = opendir(dir);
	if (!dp)
		return;
	while ((d = readdir(dp))) {
		if (d->d_name[0] == '.' || (d->d_type != DT_DIR && d->d_type != DT_UNKNOWN))
			continue;
		if ((size_t)snprintf(sub, sizeof(sub), "%s/%s", dir, d->d_name) < sizeof(sub))
			scan_cgroup(t, sub, depth + 1);
	}
	closedir(dp);
}

static int pstat_cmp(const void *a, const void *b)
{
	const struct pstat *x = a, *y = b;

	return x->pid < y->pid ? -1 : x->pid > y->pid;
}

/* Every process of PROC, by pid. */
static struct pstat *all_processes(const char *proc, size_t *n)
{
	struct pstat *v = NULL;
	size_t cap = 0;
	struct dirent *d;
	DIR *dp = opendir(proc);

	*n = 0;
	if (!dp)
		return NULL;
	while ((d = readdir(dp))) {
		uint32_t pid;

		if (!ws_parse_u32(d->d_name, &pid) || !pid)
			continue;
		v = ws_grow(v, &cap, *n + 1, sizeof(*v));
		if (read_pstat(proc, pid, &v[*n]))
			(*n)++;
	}
	closedir(dp);
	qsort(v, *n, sizeof(*v), pstat_cmp);
	return v;
}

/* p's parent chain reaches top (p itself counts in pid mode). */
static bool below(const struct pstat *v, size_t n, const struct pstat *p, uint32_t top,
		  bool self_too)
{
	int hop;

	if (p->pid == top)
		return self_too;
	for (hop = 0; hop < 4 * MAX_DEPTH && p; hop++) {
		struct pstat key = { .pid = p->ppid };

		if (p->ppid == top)
			return true;
		if (p->ppid <= 1)
			return false;
		p = bsearch(&key, v, n, sizeof(*v), pstat_cmp);
	}
	return false;
}

static void scan_chain(struct ws_tree *t)
{
	size_t i, n;
	struct pstat *v = all_processes(t->proc, &n);

	for (i = 0; i < n; i++)
		if (v[i].state != 'Z' && below(v, n, &v[i], t->top, t->mode == WS_TREE_PID))
			add_proc(t, &v[i]);
	free(v);
}

void ws_tree_scan(struct ws_tree *t)
{
	size_t i;

	if (t->mode == WS_TREE_CGROUP)
		scan_cgroup(t, t->dir, 0);
	else
		scan_chain(t);
	/*
	 * A process that left the cgroup or lost its parent is still of the
	 * tree; one that ended stays ended (its pid taken again is a new
	 * process, which add_proc tells by its start time).
	 */
	for (i = 0; i < t->np; i++)
		if (t->p[i].live)
			t->p[i].live = still_alive(t, &t->p[i]);
}

/* ---- the end ---- */

static bool write_file(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	bool ok;

	if (fd < 0)
		return false;
	ok = write(fd, s, strlen(s)) == (ssize_t)strlen(s);
	close(fd);
	return ok;
}

void ws_tree_kill(struct ws_tree *t)
{
	char path[4200];
	size_t i;

	snprintf(path, sizeof(path), "%s/cgroup.kill", t->dir);
	if (t->mode == WS_TREE_CGROUP && write_file(path, "1"))
		return;
	for (i = 0; i < t->np; i++)
		if (t->p[i].live && t->p[i].pid != (uint32_t)getpid())
			kill((pid_t)t->p[i].pid, SIGKILL);
}

/* rmdir dir after the cgroups under it, deepest first: true when dir is gone. */
static bool remove_cgroup(const char *dir, int depth)
{
	char sub[4200];
	struct dirent *d;
	DIR *dp = depth <= MAX_DEPTH ? opendir(dir) : NULL;

	while (dp && (d = readdir(dp))) {
		if (d->d_name[0] == '.' || (d->d_type != DT_DIR && d->d_type != DT_UNKNOWN))
			continue;
		if ((size_t)snprintf(sub, sizeof(sub), "%s/%s", dir, d->d_name) < sizeof(sub))
			remove_cgroup(sub, depth + 1);
	}
	if (dp)
		closedir(dp);
	return !rmdir(dir) || errno == ENOENT;
}

bool ws_tree_remove(struct ws_tree *t)
{
	return t->mode != WS_TREE_CGROUP || !t->dir[0] || remove_cgroup(t->dir, 0);
}
