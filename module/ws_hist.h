/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One log2 histogram of interval lengths.  Bucket counters are 48 bits
 * (a 32-bit low word and a 16-bit carry), enough for 8.9 years of one
 * bucket taking a million samples a second, at 6 bytes each instead of 8,
 * which keeps a thread's entry within 1 KiB.  Totals and maxima are 64-bit
 * nanoseconds: 584 years.
 */
#ifndef WS_HIST_H
#define WS_HIST_H

#include <linux/types.h>
#include "ws_classify.h"

struct ws_hist {
	u32 lo[WS_NR_SLOTS];
	u16 hi[WS_NR_SLOTS];
	u64 total_ns;
	u64 max_ns;
};

static inline void ws_hist_add(struct ws_hist *h, u64 ns)
{
	unsigned int s = ws_slot(ns);

	if (unlikely(++h->lo[s] == 0))
		h->hi[s]++;
	h->total_ns += ns;
	if (ns > h->max_ns)
		h->max_ns = ns;
}

static inline u64 ws_hist_bucket(const struct ws_hist *h, unsigned int s)
{
	return (u64)h->hi[s] << 32 | h->lo[s];
}

/* Add src's samples to h (two histograms of one thread). */
static inline void ws_hist_merge(struct ws_hist *h, const struct ws_hist *src)
{
	unsigned int s;

	for (s = 0; s < WS_NR_SLOTS; s++) {
		u64 n = ws_hist_bucket(h, s) + ws_hist_bucket(src, s);

		h->lo[s] = (u32)n;
		h->hi[s] = (u16)(n >> 32);
	}
	h->total_ns += src->total_ns;
	if (src->max_ns > h->max_ns)
		h->max_ns = src->max_ns;
}

static inline u64 ws_hist_count(const struct ws_hist *h)
{
	u64 n = 0;
	unsigned int s;

	for (s = 0; s < WS_NR_SLOTS; s++)
		n += ws_hist_bucket(h, s);
	return n;
}

#endif /* WS_HIST_H */
