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
	free(s->strs);
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

int ws_read_fd(int fd, const char *path, char **buf, size_t *len, struct ws_err *err)
{
	size_t cap = 1 << 16, n = 0;
	char *b = malloc(cap + 1), *nb;
	ssize_t r;

	if (!b)
		return ws_fail(err, "out of memory reading %s", path);
	for (;;) {
		if (n == cap) {
			if (cap >= WS_MAX_FILE) {
				free(b);
				return ws_fail(err, "%s: larger than %u MiB", path, WS_MAX_FILE >> 20);
			}
			cap *= 2;
			nb = realloc(b, cap + 1);
			if (!nb) {
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

			free(b);
			return ws_fail(err, "cannot read %s: %s%s", path, strerror(e), errno_hint(e));
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	b[n] = '\0';
	*buf = b;
	*len = n;
	return 0;
}

int ws_read_file(const char *path, char **buf, size_t *len, struct ws_err *err)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), rc;

	if (fd < 0) {
		int e = errno;

		return ws_fail(err, "cannot read %s: %s%s", path, strerror(e), errno_hint(e));
	}
	rc = ws_read_fd(fd, path, buf, len, err);
	close(fd);
	return rc;
}

int ws_read_line(struct ws_line_reader *r, char *buf, size_t cap, struct ws_err *err)
{
	const char *nl;
	size_t len;

	if (r->p >= r->end)
		return 0;
	r->no++;
	nl = memchr(r->p, '\n', (size_t)(r->end - r->p));
	if (!nl)
		return ws_fail(err, "%s:%u: truncated (the last line has no newline)", r->file, r->no);
	len = (size_t)(nl - r->p);
	if (memchr(r->p, '\0', len))
		return ws_fail(err, "%s:%u: garbled (NUL byte)", r->file, r->no);
	if (len >= cap)
		return ws_fail(err, "%s:%u: line too long (%zu bytes)", r->file, r->no, len);
	memcpy(buf, r->p, len);
	buf[len] = '\0';
	r->p = nl + 1;
	return 1;
}

typedef int (*ws_parser)(struct ws_snapshot *, const char *, size_t, struct ws_err *);
static const ws_parser parsers[5] = {
	ws_parse_stats, ws_parse_threads, ws_parse_histograms, ws_parse_blocked, ws_parse_futex,
};

int ws_snapshot_parse_all(struct ws_snapshot *s, char *const bufs[5], const size_t lens[5],
			  struct ws_err *err)
{
	int i, rc = 0;

	for (i = 0; i < 5 && !rc; i++)
		rc = parsers[i](s, bufs[i], lens[i], err);
	ws_intern_done(s);
	return rc;
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
	ws_intern_done(s);
	return rc;
}

uint64_t ws_slot_low_us(unsigned slot)
{
	return slot ? 1ULL << slot : 0;
}

/*
 * The q-quantile of log2 bucket counts (counts[k]: intervals in slot k,
 * [2^k, 2^(k+1)) us, slot 0 from 0), interpolated linearly within the
 * bucket that holds rank q * total, as Prometheus's histogram_quantile
 * does; max_ns (0: unknown) caps the top of that bucket.  b, if given,
 * gets the bucket's bounds: the answer is only known to lie in them.
 */
uint64_t ws_log2_quantile_ns(const uint64_t counts[NR_SLOTS], uint64_t max_ns, double q,
			     struct ws_qbounds *b)
{
	uint64_t total = 0, seen = 0, low, high;
	double rank, frac;
	unsigned k;

	for (k = 0; k < NR_SLOTS; k++)
		total += counts[k];
	if (b)
		b->low_ns = b->high_ns = 0;
	if (!total)
		return 0;
	rank = q * (double)total;
	for (k = 0; k < NR_SLOTS - 1; k++) {
		if (counts[k] && (double)(seen + counts[k]) >= rank)
			break;
		seen += counts[k];
	}
	low = ws_slot_low_us(k) * 1000;
	high = ws_slot_low_us(k + 1) * 1000;
	if (max_ns && max_ns < high)
		high = max_ns > low ? max_ns : low;
	frac = counts[k] ? (rank - (double)seen) / (double)counts[k] : 1;
	frac = frac < 0 ? 0 : frac > 1 ? 1 : frac;
	if (b) {
		b->low_ns = low;
		b->high_ns = high;
	}
	return low + (uint64_t)(frac * (double)(high - low) + 0.5);
}

/* A thread's buckets for one reason, as counts per slot. */
void ws_hist_counts(const struct ws_snapshot *s, const struct ws_thread *t, int reason,
		    uint64_t counts[NR_SLOTS])
{
	unsigned i;

	memset(counts, 0, NR_SLOTS * sizeof(counts[0]));
	for (i = 0; i < t->hist_len[reason]; i++) {
		ws_bucket x = s->buckets[t->hist_first[reason] + i];

		counts[WS_BUCKET_SLOT(x)] += WS_BUCKET_N(x);
	}
}

/* The q-quantile of a thread's intervals for one reason (see above). */
uint64_t ws_hist_quantile_ns(const struct ws_snapshot *s, const struct ws_thread *t, int reason,
			     double q)
{
	return ws_hist_quantile_at(s, t, reason, q, NULL);
}

uint64_t ws_hist_quantile_at(const struct ws_snapshot *s, const struct ws_thread *t, int reason,
			     double q, struct ws_qbounds *b)
{
	uint64_t counts[NR_SLOTS];

	ws_hist_counts(s, t, reason, counts);
	return ws_log2_quantile_ns(counts, t->r[reason].max_ns, q, b);
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
	dst->strs = NULL;	/* rebuilt if dst interns a string */
	dst->strs_mask = dst->nstrs = 0;
	dst->index = dup_array(src->index, src->index ? src->index_mask + 1 : 0,
			       sizeof(*src->index));
	dst->stats.runq = dup_array(src->stats.runq, src->stats.ncpus, sizeof(*src->stats.runq));
}
