// SPDX-License-Identifier: GPL-2.0
/*
 * A snapshot: the five view files of the module, read from debugfs or from
 * a directory copied off a host, parsed into one struct ws_snapshot.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "ws.h"

const char *const ws_reason_names[NR_REASONS] = {
	"runq", "futex", "io", "uninterruptible", "sleep",
};

/*
 * In the order they are parsed: stats first (it sizes the thread table),
 * then threads, which the others refer to.
 */
const char *const ws_files[5] = { "stats", "threads", "histograms", "blocked", "futex" };

#define WS_MAX_FILE (512u << 20)

void ws_snapshot_init(struct ws_snapshot *s)
{
	memset(s, 0, sizeof(*s));
	/* Offset 0 of the pool is the empty string. */
	ws_intern(s, "", 0);
}

void ws_snapshot_free(struct ws_snapshot *s)
{
	free(s->threads);
	free(s->futex);
	free(s->buckets);
	free(s->frames);
	free(s->pool);
	free(s->index);
	free(s->stats.runq);
	memset(s, 0, sizeof(*s));
}

const char *ws_str(const struct ws_snapshot *s, uint32_t off)
{
	return off < s->npool ? s->pool + off : "";
}

static const char *errno_hint(int e)
{
	if (e == EACCES || e == EPERM)
		return " (the files are root-only: run as root)";
	return "";
}

int ws_read_file(const char *path, char **buf, size_t *len, struct ws_err *err)
{
	size_t cap = 1 << 16, n = 0;
	char *b = malloc(cap + 1);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t r;

	if (fd < 0 || !b) {
		int e = errno;

		free(b);
		if (fd >= 0)
			close(fd);
		return ws_fail(err, "cannot read %s: %s%s", path, strerror(e), errno_hint(e));
	}
	for (;;) {
		if (n == cap) {
			char *nb;

			if (cap >= WS_MAX_FILE) {
				close(fd);
				free(b);
				return ws_fail(err, "%s: larger than %u MiB", path, WS_MAX_FILE >> 20);
			}
			cap *= 2;
			nb = realloc(b, cap + 1);
			if (!nb) {
				close(fd);
				free(b);
				return ws_fail(err, "out of memory reading %s", path);
			}
			b = nb;
		}
		r = read(fd, b + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			int e = errno;

			close(fd);
			free(b);
			return ws_fail(err, "cannot read %s: %s%s", path, strerror(e), errno_hint(e));
		}
		if (r == 0)
			break;
		n += r;
	}
	close(fd);
	b[n] = '\0';
	*buf = b;
	*len = n;
	return 0;
}

typedef int (*ws_parser)(struct ws_snapshot *, const char *, size_t, struct ws_err *);
static const ws_parser parsers[5] = {
	ws_parse_stats, ws_parse_threads, ws_parse_histograms, ws_parse_blocked, ws_parse_futex,
};

int ws_snapshot_parse_all(struct ws_snapshot *s, char *const bufs[5], const size_t lens[5],
			  struct ws_err *err)
{
	int i;

	for (i = 0; i < 5; i++)
		if (parsers[i](s, bufs[i], lens[i], err))
			return -1;
	return 0;
}

/*
 * Read the five files of dir, back to back, each parsed as it is read: all
 * are opened first so that a missing or unreadable one fails before any
 * parsing.
 */
int ws_snapshot_load(struct ws_snapshot *s, const char *dir, struct ws_err *err)
{
	char path[4096];
	int fds[5], i, rc = 0;

	for (i = 0; i < 5; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, ws_files[i]);
		fds[i] = open(path, O_RDONLY | O_CLOEXEC);
		if (fds[i] < 0 && !rc) {
			int e = errno;

			rc = ws_fail(err, "cannot read %s: %s%s", path, strerror(e), errno_hint(e));
		}
	}
	for (i = 0; i < 5 && !rc; i++) {
		rc = ws_parse_fd(s, i, fds[i], err);
		if (rc && !strncmp(err->msg, "out of memory", 13))
			break;
	}
	for (i = 0; i < 5; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	return rc;
}

uint64_t ws_slot_low_us(unsigned slot)
{
	return slot ? 1ULL << slot : 0;
}

/*
 * The q-quantile of a thread's intervals for one reason, as the upper bound
 * of the log2 bucket it falls in (what a log2 histogram can tell), capped
 * by the longest interval seen.
 */
uint64_t ws_hist_quantile_ns(const struct ws_snapshot *s, const struct ws_thread *t, int reason,
			     double q)
{
	const struct ws_hist_ref *h = &t->hist[reason];
	uint64_t total = 0, seen = 0, need, hi;
	unsigned i;

	for (i = 0; i < h->len; i++)
		total += WS_BUCKET_N(s->buckets[h->first + i]);
	if (!total)
		return 0;
	/* The rank of the q-quantile: ceil(q * n), at least 1. */
	need = (uint64_t)(q * (double)total);
	if ((double)need < q * (double)total)
		need++;
	if (need < 1)
		need = 1;
	for (i = 0; i < h->len; i++) {
		ws_bucket b = s->buckets[h->first + i];

		seen += WS_BUCKET_N(b);
		if (seen >= need)
			break;
	}
	if (i == h->len)
		i--;
	hi = ws_slot_low_us(WS_BUCKET_SLOT(s->buckets[h->first + i]) + 1) * 1000;
	return hi < t->r[reason].max_ns || !t->r[reason].max_ns ? hi : t->r[reason].max_ns;
}

static void *dup_array(const void *p, size_t n, size_t size)
{
	void *q;

	if (!n)
		return NULL;
	q = malloc(n * size);
	if (!q) {
		fprintf(stderr, "waitscope: out of memory\n");
		exit(2);
	}
	return memcpy(q, p, n * size);
}

/* A deep copy of src, for a caller that needs one raw and one diffed. */
void ws_snapshot_copy(struct ws_snapshot *dst, const struct ws_snapshot *src)
{
	*dst = *src;
	dst->threads = dup_array(src->threads, src->nthreads, sizeof(*src->threads));
	dst->cap_threads = src->nthreads;
	dst->futex = dup_array(src->futex, src->nfutex, sizeof(*src->futex));
	dst->cap_futex = src->nfutex;
	dst->buckets = dup_array(src->buckets, src->nbuckets, sizeof(*src->buckets));
	dst->cap_buckets = src->nbuckets;
	dst->frames = dup_array(src->frames, src->nframes, sizeof(*src->frames));
	dst->cap_frames = src->nframes;
	dst->pool = dup_array(src->pool, src->npool, 1);
	dst->cap_pool = src->npool;
	dst->index = dup_array(src->index, src->index ? src->index_mask + 1 : 0,
			       sizeof(*src->index));
	dst->stats.runq = dup_array(src->stats.runq, src->stats.ncpus, sizeof(*src->stats.runq));
}
