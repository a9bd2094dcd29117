// SPDX-License-Identifier: GPL-2.0
/*
 * Walking a blocked thread's user stack by its objects' CFI (ustack.h).
 * Read only: /proc/PID/maps for what is mapped where, the objects through
 * /proc/PID/map_files (the very files mapped, even when deleted or in
 * another mount namespace), else /proc/PID/root/PATH checked against the
 * mapping's inode, and stack words by pread() on /proc/PID/mem.  Nothing
 * stops, signals or writes into the process.
 *
 * Only sp and pc are known at the start (the syscall line shows no other
 * register), so rbp is known only once a callee's CFI says where it was
 * saved.  The first frame whose CFA is rbp-based before that (code built
 * with frame pointers, under libc frames that do not save rbp) has its
 * frame pointer found on its stack instead: the lowest slot above its sp
 * whose return-address word points just past a direct call of this very
 * function (or of a PLT entry that jumps to it).  No such slot within
 * FP_SEARCH bytes (or a function entered through a pointer) ends the
 * walk, cut, rather than a guess.
 */
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "uelf.h"
#include "ustack.h"
#include "ws.h"

#define UW_IMAGES 64		/* objects kept open; then the cache starts over */
#define FP_SEARCH 16384		/* bytes above sp searched for a frame pointer */

struct uw_image {
	dev_t dev;
	ino_t ino;
	struct ws_uelf *elf;	/* NULL: it could not be opened or is no ELF */
};

struct ws_uwalker {
	const char *root;
	struct uw_image img[UW_IMAGES];
	unsigned nimg;
};

/* One executable mapping of a file, from /proc/PID/maps. */
struct uw_map {
	uint64_t start, end, pgoff;
	dev_t dev;
	ino_t ino;
	char path[256];
};

/* One thread's walk: its process's executable mappings and its memory. */
struct uw_walk {
	struct ws_uwalker *w;
	uint32_t pid;
	struct uw_map *maps;
	size_t nmaps, cap;
	int mem;
};

struct ws_uwalker *ws_uwalker_new(const char *proc_root)
{
	struct ws_uwalker *w = ws_xcalloc(1, sizeof(*w));

	w->root = proc_root;
	return w;
}

static void drop_images(struct ws_uwalker *w)
{
	unsigned i;

	for (i = 0; i < w->nimg; i++)
		ws_uelf_close(w->img[i].elf);
	w->nimg = 0;
}

void ws_uwalker_free(struct ws_uwalker *w)
{
	if (!w)
		return;
	drop_images(w);
	free(w);
}

/* "start-end perms offset maj:min inode path": executable file mappings only. */
static bool parse_map(const char *line, struct uw_map *m)
{
	unsigned maj, min;
	unsigned long long ino;
	char perms[8];
	int n = 0;

	if (sscanf(line, "%" SCNx64 "-%" SCNx64 " %7s %" SCNx64 " %x:%x %llu %n", &m->start,
		   &m->end, perms, &m->pgoff, &maj, &min, &ino, &n) != 7 || !n)
		return false;
	if (perms[2] != 'x' || !ino || line[n] != '/')
		return false;
	m->dev = makedev(maj, min);
	m->ino = (ino_t)ino;
	snprintf(m->path, sizeof(m->path), "%.*s", (int)strcspn(line + n, "\n"), line + n);
	return true;
}

static bool read_maps(struct uw_walk *k)
{
	char path[4200], line[4400];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%u/maps", k->w->root, k->pid);
	f = fopen(path, "r");
	if (!f)
		return false;
	while (fgets(line, sizeof(line), f)) {
		struct uw_map m;

		if (!strchr(line, '\n') || !parse_map(line, &m))
			continue;
		k->maps = ws_grow(k->maps, &k->cap, k->nmaps + 1, sizeof(*k->maps));
		k->maps[k->nmaps++] = m;
	}
	fclose(f);
	return true;
}

static const struct uw_map *map_of(const struct uw_walk *k, uint64_t pc)
{
	size_t i;

	for (i = 0; i < k->nmaps; i++)
		if (pc >= k->maps[i].start && pc < k->maps[i].end)
			return &k->maps[i];
	return NULL;
}

/* The mapped file itself, else the path in the process's root if it is the same inode. */
static int open_mapped(const struct uw_walk *k, const struct uw_map *m)
{
	char path[4400];
	struct stat st;
	int fd;

	snprintf(path, sizeof(path), "%s/%u/map_files/%" PRIx64 "-%" PRIx64, k->w->root, k->pid,
		 m->start, m->end);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd >= 0)
		return fd;
	snprintf(path, sizeof(path), "%s/%u/root%s", k->w->root, k->pid, m->path);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	if (fstat(fd, &st) || st.st_dev != m->dev || st.st_ino != m->ino) {
		close(fd);
		return -1;
	}
	return fd;
}

/* The separate debug file of a build id, under dir/.build-id/, checked to be that build's. */
static struct ws_uelf *debug_file_in(const char *dir, const uint8_t *id, size_t len)
{
	char path[4400], hex[2 * 64 + 1];
	const uint8_t *id2;
	struct ws_uelf *d;
	size_t i, len2;
	int fd;

	if (len < 2 || len > 64)
		return NULL;
	for (i = 0; i < len; i++)
		snprintf(hex + 2 * i, 3, "%02x", id[i]);
	snprintf(path, sizeof(path), "%s/.build-id/%.2s/%s.debug", dir, hex, hex + 2);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	d = fd >= 0 ? ws_uelf_open(fd) : NULL;
	if (d && (!ws_uelf_build_id(d, &id2, &len2) || len2 != len || memcmp(id, id2, len))) {
		ws_uelf_close(d);
		d = NULL;
	}
	return d;
}

/*
 * A stripped object's full names, from the debug file of its build id (as
 * gdb and eu-stack find them): in the process's own root first (a
 * container's), then this host's /usr/lib/debug.
 */
static void add_debug_names(const struct uw_walk *k, struct ws_uelf *e)
{
	char dir[4200];
	const uint8_t *id;
	struct ws_uelf *d;
	size_t len;

	if (ws_uelf_has_symtab(e) || !ws_uelf_build_id(e, &id, &len))
		return;
	snprintf(dir, sizeof(dir), "%s/%u/root/usr/lib/debug", k->w->root, k->pid);
	d = debug_file_in(dir, id, len);
	if (!d)
		d = debug_file_in("/usr/lib/debug", id, len);
	if (d)
		ws_uelf_add_debug(e, d);
}

static const struct ws_uelf *image_of(struct uw_walk *k, const struct uw_map *m)
{
	struct ws_uwalker *w = k->w;
	struct uw_image *im;
	unsigned i;
	int fd;

	for (i = 0; i < w->nimg; i++)
		if (w->img[i].dev == m->dev && w->img[i].ino == m->ino)
			return w->img[i].elf;
	if (w->nimg == UW_IMAGES)
		drop_images(w);
	im = &w->img[w->nimg++];
	im->dev = m->dev;
	im->ino = m->ino;
	fd = open_mapped(k, m);
	im->elf = fd >= 0 ? ws_uelf_open(fd) : NULL;
	if (im->elf)
		add_debug_names(k, im->elf);
	return im->elf;
}

static bool read_word(const struct uw_walk *k, uint64_t addr, uint64_t *v)
{
	return pread(k->mem, v, sizeof(*v), (off_t)addr) == (ssize_t)sizeof(*v);
}

static const char *base_name(const char *path)
{
	const char *s = strrchr(path, '/');

	return s ? s + 1 : path;
}

/* Names the frame at pc (looked up at at: pc itself, or a return address - 1). */
static void name_frame(struct ws_uframe *fr, const struct uw_map *m, const struct ws_uelf *e,
		       uint64_t bias, uint64_t pc, uint64_t at)
{
	const char *name;
	uint64_t addr;

	memset(fr, 0, sizeof(*fr));
	fr->pc = pc;
	if (!m) {
		fr->off = pc;
		return;
	}
	snprintf(fr->obj, sizeof(fr->obj), "%.*s", (int)sizeof(fr->obj) - 1, base_name(m->path));
	if (e && ws_uelf_symbol(e, at - bias, &name, &addr)) {
		/* Without a version ("f@@GLIBC_2.2.5"): the name as it is called. */
		snprintf(fr->func, sizeof(fr->func), "%.*s", (int)strcspn(name, "@"), name);
		fr->off = pc - bias - addr;
	} else {
		fr->off = pc - (m->start - m->pgoff);
	}
}

/* Registers of one frame: the walk knows rbp only once a callee saved it. */
struct uw_regs {
	uint64_t pc, sp, rbp;
	bool rbp_known;
};

/* A PLT entry's target: "jmp *GOT(%rip)", after an endbr64 and a bnd prefix if any. */
static bool plt_target(const struct uw_walk *k, uint64_t at, uint64_t *target)
{
	uint8_t b[16];
	unsigned i = 0;
	int32_t rel;

	if (pread(k->mem, b, sizeof(b), (off_t)at) != (ssize_t)sizeof(b))
		return false;
	if (b[0] == 0xf3 && b[1] == 0x0f && b[2] == 0x1e && b[3] == 0xfa)
		i = 4;
	if (b[i] == 0xf2)
		i++;
	if (b[i] != 0xff || b[i + 1] != 0x25)
		return false;
	memcpy(&rel, b + i + 2, sizeof(rel));
	return read_word(k, at + i + 6 + (uint64_t)(int64_t)rel, target);
}

/*
 * Whether the bytes before ret are a direct call to func, or to a PLT
 * entry that jumps to it.  Indirect calls do not count: a stale word on
 * the stack passes that test too easily.
 */
static bool call_before(const struct uw_walk *k, uint64_t ret, uint64_t func)
{
	uint8_t b[5];
	uint64_t target, via;
	int32_t rel;

	if (ret < sizeof(b) || !map_of(k, ret - 1) ||
	    pread(k->mem, b, sizeof(b), (off_t)(ret - sizeof(b))) != (ssize_t)sizeof(b) ||
	    b[0] != 0xe8)
		return false;
	memcpy(&rel, b + 1, sizeof(rel));
	target = ret + (uint64_t)(int64_t)rel;
	return target == func || (map_of(k, target) && plt_target(k, target, &via) && via == func);
}

/*
 * The frame pointer of a frame at sp whose CFA is rbp + cfa_off with the
 * return address at CFA + ra_off, in a function entered at func.
 */
static bool find_frame_pointer(const struct uw_walk *k, uint64_t sp, int64_t cfa_off,
			       int64_t ra_off, uint64_t func, uint64_t *rbp)
{
	static uint64_t words[FP_SEARCH / 8];
	int64_t ra_at = cfa_off + ra_off;	/* the return address's slot from rbp */
	ssize_t got;
	size_t i, n;

	if (ra_at < 0 || ra_at % 8 || sp % 8)
		return false;
	got = pread(k->mem, words, sizeof(words), (off_t)sp);
	if (got <= 0)
		return false;
	n = (size_t)got / 8;
	for (i = 0; i + (size_t)ra_at / 8 < n; i++) {
		uint64_t ret = words[i + (size_t)ra_at / 8];

		if (ret && call_before(k, ret, func)) {
			*rbp = sp + i * 8;
			return true;
		}
	}
	return false;
}

static bool apply_rule(const struct uw_walk *k, enum ws_cfi_rule rule, int64_t off,
		       uint64_t cfa, uint64_t *v)
{
	if (rule == WS_CFI_AT)
		return read_word(k, cfa + (uint64_t)off, v);
	*v = cfa + (uint64_t)off;
	return rule == WS_CFI_VAL;
}

/* From frame r to its caller by the row at at: NULL, or why the walk ends here. */
static const char *step(const struct uw_walk *k, const struct ws_uelf *e, uint64_t bias,
			uint64_t at, struct uw_regs *r, bool *outermost)
{
	struct ws_cfi_row row;
	uint64_t cfa, ra, rbp = r->rbp;
	enum ws_cfi_rc rc;

	*outermost = false;
	if (!e)
		return "object unreadable";
	rc = ws_uelf_cfi(e, at - bias, &row);
	if (rc == WS_CFI_NONE)
		return "no unwind info";
	if (rc == WS_CFI_UNSUPPORTED)
		return "unwind rule not followed";
	if (row.signal_frame)
		return "signal frame";
	if (row.cfa_rbp && !r->rbp_known) {
		if (!find_frame_pointer(k, r->sp, row.cfa_off, row.ra == WS_CFI_AT ? row.ra_off : -1,
					row.begin + bias, &r->rbp))
			return "frame pointer unknown";
		r->rbp_known = true;
	}
	cfa = (row.cfa_rbp ? r->rbp : r->sp) + (uint64_t)row.cfa_off;
	if (row.ra == WS_CFI_UNDEF) {
		*outermost = true;
		return NULL;
	}
	if (!apply_rule(k, row.ra, row.ra_off, cfa, &ra))
		return "stack unreadable";
	if (row.rbp == WS_CFI_AT || row.rbp == WS_CFI_VAL) {
		if (!apply_rule(k, row.rbp, row.rbp_off, cfa, &rbp))
			return "stack unreadable";
		r->rbp_known = true;
	} else if (row.rbp == WS_CFI_UNDEF) {
		r->rbp_known = false;
	}
	if (!ra) {
		*outermost = true;
		return NULL;
	}
	if (cfa <= r->sp)
		return "stack went backwards";
	*r = (struct uw_regs){ ra, cfa, rbp, r->rbp_known };
	return NULL;
}

static void walk(struct uw_walk *k, struct uw_regs r, struct ws_ustack *out)
{
	bool outermost = false;

	out->cut = NULL;
	for (out->n = 0; out->n < WS_USTACK_MAX; out->n++) {
		/* A return address points past its call: look up the call itself. */
		uint64_t at = out->n ? r.pc - 1 : r.pc, bias = 0;
		const struct uw_map *m = map_of(k, at);
		const struct ws_uelf *e = m ? image_of(k, m) : NULL;

		if (e && !ws_uelf_bias(e, m->start, m->pgoff, &bias))
			e = NULL;
		name_frame(&out->f[out->n], m, e, bias, r.pc, at);
		if (!m) {
			out->cut = "pc in no mapped file";
			out->n++;
			return;
		}
		out->cut = step(k, e, bias, at, &r, &outermost);
		if (out->cut || outermost) {
			out->n++;
			return;
		}
	}
	out->cut = "frame limit";
}

enum ws_ustack_rc ws_ustack_read(struct ws_uwalker *w, uint32_t pid, uint32_t tid,
				 struct ws_ustack *out)
{
	struct uw_walk k = { .w = w, .pid = pid, .mem = -1 };
	enum ws_proc_rc rc;
	uint64_t sp, pc, sp2, pc2;
	long nr, nr2;
	char path[4200];

	memset(out, 0, sizeof(*out));
	rc = ws_proc_user_regs(w->root, pid, tid, &nr, &sp, &pc);
	if (rc != WS_PROC_OK)
		return rc == WS_PROC_GONE ? WS_USTACK_GONE : WS_USTACK_UNKNOWN;
	if (nr < 0)
		return WS_USTACK_NOT_BLOCKED;
	if (!sp || !pc)
		return WS_USTACK_UNKNOWN;
	snprintf(path, sizeof(path), "%s/%u/mem", w->root, pid);
	k.mem = open(path, O_RDONLY | O_CLOEXEC);
	if (k.mem < 0)
		return errno == ENOENT || errno == ESRCH ? WS_USTACK_GONE : WS_USTACK_UNKNOWN;
	if (!read_maps(&k)) {
		close(k.mem);
		free(k.maps);
		return WS_USTACK_GONE;
	}
	walk(&k, (struct uw_regs){ pc, sp, 0, false }, out);
	close(k.mem);
	free(k.maps);
	/* Still in the same syscall from the same place: the words read were its stack. */
	rc = ws_proc_user_regs(w->root, pid, tid, &nr2, &sp2, &pc2);
	if (rc != WS_PROC_OK) {
		out->n = 0;
		return rc == WS_PROC_GONE ? WS_USTACK_GONE : WS_USTACK_UNKNOWN;
	}
	if (nr2 != nr || sp2 != sp || pc2 != pc) {
		out->n = 0;
		return WS_USTACK_NOT_BLOCKED;
	}
	return WS_USTACK_OK;
}

static void frame_text(const struct ws_uframe *f, bool offsets, char *buf, size_t n)
{
	if (f->func[0] && offsets)
		snprintf(buf, n, "%s+0x%" PRIx64, f->func, f->off);
	else if (f->func[0])
		snprintf(buf, n, "%s", f->func);
	else if (f->obj[0])
		snprintf(buf, n, "%s+0x%" PRIx64, f->obj, f->off);
	else
		snprintf(buf, n, "0x%" PRIx64, f->pc);
}

char *ws_ustack_format(const struct ws_ustack *st, bool offsets, char *buf, size_t n)
{
	const char *obj = NULL;
	size_t o = 0;
	unsigned i;

	if (!n)
		return buf;
	buf[0] = '\0';
	for (i = 0; i < st->n && o < n; i++) {
		const struct ws_uframe *f = &st->f[i];
		char text[256];
		bool show_obj = f->func[0] && (!obj || strcmp(obj, f->obj));

		frame_text(f, offsets, text, sizeof(text));
		o += (size_t)snprintf(buf + o, n - o, "%s%s%s%s%s", i ? " < " : "", text,
				      show_obj ? " (" : "", show_obj ? f->obj : "",
				      show_obj ? ")" : "");
		obj = f->obj;
	}
	if (st->cut && o < n)
		snprintf(buf + o, n - o, " < … (%s)", st->cut);
	return ws_sanitize(buf);
}

/* A compiler's clone of a function (f.isra.0, f.constprop.0, f.part.0, f.cold) matches as f. */
static bool name_match(const char *pattern, const char *name)
{
	char base[256];
	const char *dot = name[0] != '.' ? strchr(name, '.') : NULL;

	if (!fnmatch(pattern, name, 0))
		return true;
	if (!dot)
		return false;
	snprintf(base, sizeof(base), "%.*s", (int)(dot - name), name);
	return !fnmatch(pattern, base, 0);
}

bool ws_ustack_match(const struct ws_ustack *st, const char *pattern)
{
	unsigned i;

	for (i = 0; i < st->n; i++) {
		char text[256];

		frame_text(&st->f[i], false, text, sizeof(text));
		if (name_match(pattern, text))
			return true;
	}
	return false;
}
