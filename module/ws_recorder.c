// SPDX-License-Identifier: GPL-2.0
/*
 * The flight recorder's rings.
 *
 * Writers are the probes, with interrupts off (sched_switch and
 * sched_wakeup* hold a run-queue lock; ws_rec_write() disables them again
 * for any other caller), and each writes the ring of the CPU it runs on: a
 * ring has one writer at a time and needs no lock, on PREEMPT_RT too.  A
 * full ring overwrites its oldest event and counts it.
 *
 * Every event gets a global sequence number (one atomic increment: events
 * are rare, at least slow_min_us apart per thread, or an exit).  A reader
 * that resumes after seq N must not skip an event that took its number
 * before the read began but is still being written: it would never see it.
 * So a writer marks its ring busy before it takes the number, and a reader
 * notes the last number handed out, then waits until no ring is busy (a
 * write takes well under a microsecond): every event up to that number is
 * then in its slot, or already overwritten, and counted as missed.
 */
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/percpu.h>
#include <linux/smp.h>
#include <linux/sort.h>
#include <linux/vmalloc.h>
#include "ws_recorder.h"

/* How long a reader waits for one ring's write to finish before it counts it missed. */
#define WS_REC_BUSY_SPINS	100000
/* How often a reader retries a slot that is being rewritten. */
#define WS_REC_READ_TRIES	8

int ws_rec_init(struct ws_recorder *r, u32 capacity)
{
	unsigned int cpu;

	r->capacity = capacity;
	r->rings = kvcalloc(nr_cpu_ids, sizeof(*r->rings), GFP_KERNEL);
	r->slots = vzalloc(array_size(array_size(nr_cpu_ids, capacity), sizeof(*r->slots)));
	if (!r->rings || !r->slots) {
		ws_rec_destroy(r);
		return -ENOMEM;
	}
	for (cpu = 0; cpu < nr_cpu_ids; cpu++) {
		struct ws_ring *ring = &r->rings[cpu];
		u32 i;

		ring->slot = r->slots + (size_t)cpu * capacity;
		for (i = 0; i < capacity; i++)
			seqcount_init(&ring->slot[i].seq);
	}
	atomic64_set(&r->seq, 0);
	return 0;
}

void ws_rec_destroy(struct ws_recorder *r)
{
	vfree(r->slots);
	kvfree(r->rings);
	r->slots = NULL;
	r->rings = NULL;
}

/* Empty every ring.  Only with no probe attached; numbering goes on. */
void ws_rec_clear(struct ws_recorder *r)
{
	unsigned int cpu;
	u32 i;

	for (cpu = 0; cpu < nr_cpu_ids; cpu++) {
		struct ws_ring *ring = &r->rings[cpu];

		ring->head = 0;
		ring->overwritten = 0;
		memset(ring->recorded, 0, sizeof(ring->recorded));
		for (i = 0; i < r->capacity; i++) {
			ring->slot[i].pos = 0;
			memset(&ring->slot[i].ev, 0, sizeof(ring->slot[i].ev));
		}
	}
	r->floor = atomic64_read(&r->seq);
	r->overwritten_base = 0;
	memset(r->recorded_base, 0, sizeof(r->recorded_base));
}

/*
 * slow_reset, while the probes run: readers forget every event numbered so
 * far, and the overwritten count starts again from here.  The rings are
 * not touched, so no writer can be disturbed.
 */
void ws_rec_forget(struct ws_recorder *r)
{
	unsigned int i;

	for (i = 0; i < WS_REC_NR_COUNTS; i++)
		WRITE_ONCE(r->recorded_base[i],
			   ws_rec_recorded(r, i) + READ_ONCE(r->recorded_base[i]));
	WRITE_ONCE(r->overwritten_base, ws_rec_overwritten(r) + READ_ONCE(r->overwritten_base));
	WRITE_ONCE(r->floor, atomic64_read(&r->seq));
}

size_t ws_rec_memory(const struct ws_recorder *r)
{
	return nr_cpu_ids * (sizeof(*r->rings) + (size_t)r->capacity * sizeof(*r->slots));
}

void ws_rec_set_min_us(struct ws_recorder *r, u32 min_us)
{
	WRITE_ONCE(r->min_ns, min_us ? (u64)min_us * NSEC_PER_USEC : U64_MAX);
}

/* Events overwritten since load or the last slow_reset. */
u64 ws_rec_overwritten(const struct ws_recorder *r)
{
	unsigned int cpu;
	u64 n = 0;

	for (cpu = 0; cpu < nr_cpu_ids; cpu++)
		n += READ_ONCE(r->rings[cpu].overwritten);
	return n - READ_ONCE(r->overwritten_base);
}

/* Events recorded since load or the last reset. */
u64 ws_rec_written(const struct ws_recorder *r)
{
	return atomic64_read(&r->seq) - READ_ONCE(r->floor);
}

/*
 * Events of one kind (a wait reason, or WS_REC_EXIT_COUNT) recorded since
 * load or the last reset, overwritten or not: what a Prometheus counter
 * of slow events reads, where the ring only keeps the newest.
 */
u64 ws_rec_recorded(const struct ws_recorder *r, unsigned int which)
{
	unsigned int cpu;
	u64 n = 0;

	if (which >= WS_REC_NR_COUNTS)
		return 0;
	for (cpu = 0; cpu < nr_cpu_ids; cpu++)
		n += READ_ONCE(r->rings[cpu].recorded[which]);
	return n - READ_ONCE(r->recorded_base[which]);
}

/* Keep ev in this CPU's ring, numbered.  Allocates nothing, takes no lock. */
void ws_rec_write(struct ws_recorder *r, struct ws_event *ev)
{
	struct ws_ring_slot *slot;
	struct ws_ring *ring;
	unsigned long flags;
	unsigned int cpu;
	unsigned int which;
	u64 head;

	which = ev->kind == WS_EV_EXIT ? WS_REC_EXIT_COUNT : min_t(unsigned int, ev->reason,
								      WS_NR_REASONS - 1);
	local_irq_save(flags);
	cpu = smp_processor_id();
	ring = &r->rings[cpu];
	head = ring->head;
	slot = &ring->slot[head % r->capacity];
	WRITE_ONCE(ring->busy, 1);
	/* Ordered before the number is taken: see the top of this file. */
	smp_mb__before_atomic();
	ev->seq = atomic64_inc_return(&r->seq);
	ev->cpu = cpu;
	raw_write_seqcount_begin(&slot->seq);
	slot->pos = head;
	slot->ev = *ev;
	raw_write_seqcount_end(&slot->seq);
	if (head >= r->capacity)
		WRITE_ONCE(ring->overwritten, ring->overwritten + 1);
	WRITE_ONCE(ring->recorded[which], ring->recorded[which] + 1);
	/* Release: a reader that sees the new head sees the slot (ws_rec_take_ring()). */
	smp_store_release(&ring->head, head + 1);
	/* The slot and head are written before a reader sees the ring idle. */
	smp_store_release(&ring->busy, 0);
	local_irq_restore(flags);
}

/* Wait for ring's write in progress; false if it does not finish soon. */
static bool ws_rec_settled(const struct ws_ring *ring)
{
	unsigned int spins;

	/* Acquire: once idle, the write that was busy is in its slot. */
	for (spins = 0; smp_load_acquire(&ring->busy); spins++) {
		if (spins >= WS_REC_BUSY_SPINS)
			return false;
		cpu_relax();
	}
	return true;
}

/* Copy slot, written pos-th; false if it was rewritten meanwhile. */
static bool ws_rec_read_slot(const struct ws_ring_slot *slot, u64 pos, struct ws_event *out)
{
	unsigned int tries, s;

	for (tries = 0; tries < WS_REC_READ_TRIES; tries++) {
		s = raw_read_seqcount(&slot->seq);
		if (s & 1) {
			cpu_relax();
			continue;
		}
		if (slot->pos != pos)
			return false;
		*out = slot->ev;
		if (!read_seqcount_retry(&slot->seq, s))
			return true;
	}
	return false;
}

/* The events of ring numbered in (after, last], appended to snap. */
static void ws_rec_take_ring(struct ws_recorder *r, const struct ws_ring *ring, u64 after,
			     u64 last, struct ws_rec_snap *snap)
{
	/* head counts only slots whose write has finished (ws_rec_write()). */
	u64 head = smp_load_acquire(&ring->head);
	u64 pos = head > r->capacity ? head - r->capacity : 0;
	struct ws_event *ev;

	for (; pos < head; pos++) {
		ev = &snap->ev[snap->n];
		if (!ws_rec_read_slot(&ring->slot[pos % r->capacity], pos, ev))
			continue;
		if (ev->seq > after && ev->seq <= last)
			snap->n++;
	}
}

static int ws_event_seq_cmp(const void *a, const void *b)
{
	const struct ws_event *x = a, *y = b;

	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/*
 * The events numbered after @after, in seq order, with how many of those
 * numbered before the read began are gone.  Does not consume: any number
 * of readers see the same events.
 */
int ws_rec_snap_take(struct ws_recorder *r, u64 after, struct ws_rec_snap *snap)
{
	u64 floor = READ_ONCE(r->floor);
	unsigned int cpu;

	memset(snap, 0, sizeof(*snap));
	snap->after = after;
	snap->ev = kvmalloc_array(array_size(nr_cpu_ids, r->capacity), sizeof(*snap->ev),
				  GFP_KERNEL);
	if (!snap->ev)
		return -ENOMEM;
	snap->last = atomic64_read(&r->seq);
	/* Pairs with the barrier before the number is taken in ws_rec_write(). */
	smp_mb();
	for (cpu = 0; cpu < nr_cpu_ids; cpu++)
		ws_rec_settled(&r->rings[cpu]);
	after = max(after, floor);
	for (cpu = 0; cpu < nr_cpu_ids; cpu++)
		ws_rec_take_ring(r, &r->rings[cpu], after, snap->last, snap);
	sort(snap->ev, snap->n, sizeof(*snap->ev), ws_event_seq_cmp, NULL);
	if (snap->last > after)
		snap->missed = snap->last - after - snap->n;
	snap->overwritten = ws_rec_overwritten(r);
	return 0;
}

void ws_rec_snap_free(struct ws_rec_snap *snap)
{
	kvfree(snap->ev);
	snap->ev = NULL;
}
