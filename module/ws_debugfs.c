// SPDX-License-Identifier: GPL-2.0
/*
 * The views under /sys/kernel/debug/waitscope/.
 *
 * Every file starts with "# waitscope <file> v<N> key=value...", then a
 * "#" line naming the columns, aligned over them.  Rows are whitespace-
 * separated; a comm is escaped (bytes outside '!'..'~' and '\' become \xHH)
 * so it never contains a space.  Times are nanoseconds, bucket bounds
 * microseconds.  Each header line is written as it appears, above the one
 * format string of its rows.  A reader copies each entry under its
 * seqcount, so a row is never torn; rows are not one atomic snapshot of the
 * whole table.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/debugfs.h>
#include <linux/kallsyms.h>
#include <linux/mutex.h>
#include <linux/pid.h>
#include <linux/pid_namespace.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include "waitscope.h"
#include "ws_account.h"
#include "ws_control.h"
#include "ws_debugfs.h"

#define WS_FMT_VERSION	1
/* v2: start_ns before the buckets, which old readers took for a bucket. */
#define WS_HIST_FMT_VERSION	2
#define WS_STACK_DEPTH	16
#define WS_COMM_ESC	(TASK_COMM_LEN * 4 + 1)

static void ws_escape_comm(const char *comm, char *out)
{
	static const char hex[] = "0123456789abcdef";
	int i;

	for (i = 0; i < TASK_COMM_LEN && comm[i]; i++) {
		unsigned char c = comm[i];

		if (c > ' ' && c < 0x7f && c != '\\') {
			*out++ = c;
			continue;
		}
		*out++ = '\\';
		*out++ = 'x';
		*out++ = hex[c >> 4];
		*out++ = hex[c & 15];
	}
	*out = '\0';
}

/* A comm as a column: escaped, "-" when empty. */
static const char *ws_comm_col(const char *comm, char *esc)
{
	ws_escape_comm(comm, esc);
	return esc[0] ? esc : "-";
}

/* What a row shows of the live task an entry belongs to. */
struct ws_live {
	char comm[TASK_COMM_LEN];
	u64 cgroup_id;
};

/*
 * The comm and cgroup of the live task with this tid, if it is owner (any
 * task with the tid when owner is 0).  Read from the task, as the kernel's
 * own trace events do: a rename racing with the copy can show a mix of the
 * two names, never a byte past the buffer.
 */
static bool ws_read_live(u32 tid, unsigned long owner, struct ws_live *live)
{
	struct task_struct *p;
	bool found;

	rcu_read_lock();
	p = pid_task(find_pid_ns(tid, &init_pid_ns), PIDTYPE_PID);
	found = p && (!owner || (unsigned long)p == owner);
	if (found) {
		memcpy(live->comm, p->comm, TASK_COMM_LEN);
		live->cgroup_id = ws_task_cgroup_id(p);
	}
	rcu_read_unlock();
	live->comm[found ? TASK_COMM_LEN - 1 : 0] = '\0';
	return found;
}

static const char *ws_state_name(unsigned int state)
{
	if (state == WS_ST_ONCPU)
		return "running";
	if (state >= WS_ST_OFF)
		return ws_reason_name(state - WS_ST_OFF);
	return "unknown";
}

/* The futex_addr, futex_op and futex_val columns: the wait in progress. */
struct ws_futex_cols {
	char addr[24];
	const char *op;
	char val[12];
};

static void ws_futex_cols_of(const struct ws_thread_entry *e, struct ws_futex_cols *fc)
{
	if (e->state != ws_state_off(WS_R_FUTEX)) {
		strscpy(fc->addr, "-", sizeof(fc->addr));
		fc->op = "-";
		strscpy(fc->val, "-", sizeof(fc->val));
		return;
	}
	snprintf(fc->addr, sizeof(fc->addr), "0x%016llx", e->futex_uaddr);
	fc->op = ws_futex_op_name(e->futex_op);
	snprintf(fc->val, sizeof(fc->val), "%u", e->futex_val);
}

/* The tid and comm columns of a waker or preemptor. */
struct ws_peer {
	char tid[12];
	char esc[WS_COMM_ESC];
	const char *comm;
};

static void ws_peer_of(u32 tid, bool irq_ok, struct ws_peer *pe)
{
	struct ws_live live;

	if (!tid) {
		/* No waker but an interrupt, once it has blocked at all. */
		strscpy(pe->tid, irq_ok ? "0" : "-", sizeof(pe->tid));
		pe->comm = ws_comm_col(irq_ok ? "[irq]" : "", pe->esc);
		return;
	}
	snprintf(pe->tid, sizeof(pe->tid), "%u", tid);
	if (!ws_read_live(tid, 0, &live))
		strscpy(live.comm, "?", sizeof(live.comm));
	pe->comm = ws_comm_col(live.comm, pe->esc);
}

/* ---- iteration over the thread table, shared by three files ---- */

struct ws_iter {
	struct ws_state *ws;
	struct ws_thread_entry copy;
	struct ws_live live;		/* of the copy's task */
	char comm[WS_COMM_ESC];		/* its comm as a column */
	u64 now;
	u32 min_ms;
	bool (*want)(struct ws_iter *it);
	unsigned long stack[WS_STACK_DEPTH];
};

static void *ws_iter_find(struct seq_file *m, loff_t *pos)
{
	struct ws_iter *it = m->private;
	struct ws_table *t = &it->ws->threads;

	if (*pos == 0)
		return SEQ_START_TOKEN;
	for (; *pos <= ws_table_capacity(t); ++*pos) {
		cond_resched();
		/*
		 * Only threads that are still there: an exited thread's entry
		 * waits for its last switch or the collector, and an old
		 * leader's, after an exec, shares its tid and start time with
		 * the thread that exec'd.
		 */
		if (ws_table_read(t, *pos - 1, &it->copy) && (!it->want || it->want(it)) &&
		    ws_read_live(it->copy.tid, it->copy.owner, &it->live)) {
			ws_comm_col(it->live.comm, it->comm);
			return &it->copy;
		}
	}
	return NULL;
}

static void *ws_iter_start(struct seq_file *m, loff_t *pos)
{
	struct ws_iter *it = m->private;

	ws_data_read_lock(it->ws);
	if (*pos == 0)
		it->now = ws_now();
	return ws_iter_find(m, pos);
}

static void *ws_iter_next(struct seq_file *m, void *v, loff_t *pos)
{
	++*pos;
	return ws_iter_find(m, pos);
}

static void ws_iter_stop(struct seq_file *m, void *v)
{
	struct ws_iter *it = m->private;

	ws_data_read_unlock(it->ws);
}

/* ---- threads ---- */

static void ws_put_thread(struct seq_file *m, const struct ws_iter *it)
{
	const struct ws_thread_entry *e = &it->copy;
	const struct ws_hist *h = e->hist;
	struct ws_peer waker, preemptor;
	struct ws_futex_cols fc;

	ws_peer_of(READ_ONCE(e->waker_tid), e->nvcsw > 0, &waker);
	ws_peer_of(e->preempt_tid, false, &preemptor);
	ws_futex_cols_of(e, &fc);
	/* The reasons in enum order: runq, futex, io, uninterruptible, sleep. */
	seq_printf(m,
		   " %7u %7u %-16s %-15s %14llu %9llu %9llu %8llu %14llu %12llu %8llu %14llu %12llu %8llu %14llu %12llu %17llu %18llu %22llu %8llu %14llu %12llu %7s %-16s %9s %-16s %6llu %14llu %7u %7d %7u %18s %-11s %10s %14llu %7u\n",
		   e->tid, e->tgid, it->comm, ws_state_name(e->state), e->oncpu_ns,
		   e->nvcsw, e->nivcsw,
		   ws_hist_count(&h[0]), h[0].total_ns, h[0].max_ns,
		   ws_hist_count(&h[1]), h[1].total_ns, h[1].max_ns,
		   ws_hist_count(&h[2]), h[2].total_ns, h[2].max_ns,
		   ws_hist_count(&h[3]), h[3].total_ns, h[3].max_ns,
		   ws_hist_count(&h[4]), h[4].total_ns, h[4].max_ns,
		   waker.tid, waker.comm, preemptor.tid, preemptor.comm,
		   it->live.cgroup_id, ws_entry_off_ns(e, it->now), !!(e->flags & WS_F_PARTIAL),
		   e->syscall, !!(e->flags & WS_F_KTHREAD), fc.addr, fc.op, fc.val, e->start,
		   e->unwoken);
}

static int ws_threads_show(struct seq_file *m, void *v)
{
	struct ws_iter *it = m->private;

	if (v == SEQ_START_TOKEN) {
		seq_printf(m, "# waitscope threads v%d now_ns=%llu unit=ns\n",
			   WS_FMT_VERSION, it->now);
		seq_puts(m,
			 "#    tid    tgid comm             state                 oncpu_ns     nvcsw    nivcsw   runq_n        runq_ns  runq_max_ns  futex_n       futex_ns futex_max_ns     io_n          io_ns    io_max_ns uninterruptible_n uninterruptible_ns uninterruptible_max_ns  sleep_n       sleep_ns sleep_max_ns   waker waker_comm       preemptor preemptor_comm   cgroup         off_ns partial syscall kthread         futex_addr futex_op     futex_val       start_ns unwoken\n");
		return 0;
	}
	ws_put_thread(m, it);
	return 0;
}

/* ---- histograms ---- */

/* Non-empty buckets as low_us:count. */
static void ws_put_buckets(struct seq_file *m, const u64 *n)
{
	unsigned int s;

	for (s = 0; s < WS_NR_SLOTS; s++)
		if (n[s])
			seq_printf(m, " %llu:%llu", ws_slot_low_us(s), n[s]);
	seq_putc(m, '\n');
}

static int ws_hists_show(struct seq_file *m, void *v)
{
	struct ws_iter *it = m->private;
	const struct ws_thread_entry *e = v;
	u64 buckets[WS_NR_SLOTS];
	unsigned int r, s;

	if (v == SEQ_START_TOKEN) {
		/* Bucket k holds [2^k, 2^(k+1)) us, bucket 0 [0, 2) us, the last is open. */
		seq_printf(m, "# waitscope histograms v%d unit=ns buckets=low_us:count\n",
			   WS_HIST_FMT_VERSION);
		seq_puts(m,
			 "#    tid    tgid comm             reason               count         total_ns         max_ns       start_ns buckets\n");
		return 0;
	}
	for (r = 0; r < WS_NR_REASONS; r++) {
		const struct ws_hist *h = &e->hist[r];
		u64 n = ws_hist_count(h);

		if (!n)
			continue;
		seq_printf(m, " %7u %7u %-16s %-15s %10llu %16llu %14llu %14llu", e->tid, e->tgid,
			   it->comm, ws_reason_name(r), n, h->total_ns, h->max_ns, e->start);
		for (s = 0; s < WS_NR_SLOTS; s++)
			buckets[s] = ws_hist_bucket(h, s);
		ws_put_buckets(m, buckets);
	}
	return 0;
}

/* ---- blocked ---- */

static bool ws_blocked_want(struct ws_iter *it)
{
	return it->copy.state >= WS_ST_OFF &&
	       ws_entry_off_ns(&it->copy, it->now) >= (u64)it->min_ms * NSEC_PER_MSEC;
}

/* The kernel stack of a thread that is off CPU, or 0 frames if it is gone. */
static unsigned int ws_stack_of(const struct ws_thread_entry *e, unsigned long *store)
{
	struct task_struct *p;
	unsigned int n = 0;

	rcu_read_lock();
	p = pid_task(find_pid_ns(e->tid, &init_pid_ns), PIDTYPE_PID);
	if (WS_HAVE_TASK_STACK && p && (unsigned long)p == e->owner)
		get_task_struct(p);
	else
		p = NULL;
	rcu_read_unlock();
	if (p) {
		n = ws_task_stack(p, store, WS_STACK_DEPTH);
		put_task_struct(p);
	}
	return n;
}

static void ws_put_frame(struct seq_file *m, unsigned long addr)
{
	char sym[KSYM_SYMBOL_LEN];

	/* Symbolized or nothing: never a raw kernel address. */
	sprint_symbol(sym, addr);
	seq_printf(m, "        %s\n", strncmp(sym, "0x", 2) ? sym : "?");
}

static int ws_blocked_show(struct seq_file *m, void *v)
{
	struct ws_iter *it = m->private;
	const struct ws_thread_entry *e = v;
	struct ws_futex_cols fc;
	unsigned int i, n;

	if (v == SEQ_START_TOKEN) {
		seq_printf(m, "# waitscope blocked v%d now_ns=%llu min_ms=%u unit=ns stack=%s\n",
			   WS_FMT_VERSION, it->now, it->min_ms,
			   WS_HAVE_TASK_STACK ? "indented" : "unavailable");
		seq_puts(m,
			 "#    tid    tgid comm             reason                  off_ns partial syscall         futex_addr futex_op     futex_val       start_ns\n");
		return 0;
	}
	ws_futex_cols_of(e, &fc);
	seq_printf(m, " %7u %7u %-16s %-15s %14llu %7u %7d %18s %-11s %10s %14llu\n",
		   e->tid, e->tgid, it->comm, ws_state_name(e->state),
		   ws_entry_off_ns(e, it->now), !!(e->flags & WS_F_PARTIAL), e->syscall,
		   fc.addr, fc.op, fc.val, e->start);
	n = ws_stack_of(e, it->stack);
	for (i = 0; i < n; i++)
		ws_put_frame(m, it->stack[i]);
	return 0;
}

static const struct seq_operations ws_threads_sops = {
	.start = ws_iter_start, .next = ws_iter_next,
	.stop = ws_iter_stop, .show = ws_threads_show,
};

static const struct seq_operations ws_hists_sops = {
	.start = ws_iter_start, .next = ws_iter_next,
	.stop = ws_iter_stop, .show = ws_hists_show,
};

static const struct seq_operations ws_blocked_sops = {
	.start = ws_iter_start, .next = ws_iter_next,
	.stop = ws_iter_stop, .show = ws_blocked_show,
};

static int ws_iter_open(struct inode *inode, struct file *file,
			const struct seq_operations *ops, bool (*want)(struct ws_iter *))
{
	struct ws_iter *it = __seq_open_private(file, ops, sizeof(*it));

	if (!it)
		return -ENOMEM;
	it->ws = inode->i_private;
	it->want = want;
	it->min_ms = READ_ONCE(it->ws->set.blocked_min_ms);
	return 0;
}

static int ws_threads_open(struct inode *inode, struct file *file)
{
	return ws_iter_open(inode, file, &ws_threads_sops, NULL);
}

static int ws_hists_open(struct inode *inode, struct file *file)
{
	return ws_iter_open(inode, file, &ws_hists_sops, NULL);
}

static int ws_blocked_open(struct inode *inode, struct file *file)
{
	return ws_iter_open(inode, file, &ws_blocked_sops, ws_blocked_want);
}

/* ---- futex: completed waits merged with the waits in progress ---- */

struct ws_futex_view {
	struct ws_futex_snap *snap;
	s64 dropped;
};

static int ws_futex_show(struct seq_file *m, void *v)
{
	struct ws_futex_view *fv = m->private;
	struct ws_futex_snap *snap = fv->snap;
	u32 i;

	/* lost: rows that did not fit; both are counted, never silently lost. */
	seq_printf(m, "# waitscope futex v%d unit=ns dropped=%lld lost=%llu\n", WS_FMT_VERSION,
		   fv->dropped, snap->lost);
	seq_puts(m,
		 "#   tgid              uaddr waiting      count         total_ns         max_ns longest_now_ns op              lock_n      pstart_ns\n");
	for (i = 0; i < snap->n; i++) {
		const struct ws_futex_row *r = &snap->rows[i];

		seq_printf(m, " %7u 0x%016llx %7u %10llu %16llu %14llu %14llu %-11s %10llu %14llu\n",
			   r->tgid, r->uaddr, r->waiting, r->count, r->total_ns, r->max_ns,
			   r->longest_now_ns, ws_futex_op_name(r->op), r->lock_n, r->pstart);
	}
	return 0;
}

static int ws_futex_open(struct inode *inode, struct file *file)
{
	struct ws_state *ws = inode->i_private;
	struct ws_futex_view *fv;
	int err;

	fv = kzalloc(sizeof(*fv), GFP_KERNEL);
	if (!fv)
		return -ENOMEM;
	ws_data_read_lock(ws);
	fv->snap = ws_futex_snap_take(&ws->futexes, &ws->threads);
	fv->dropped = ws_futex_dropped(&ws->futexes);
	ws_data_read_unlock(ws);
	err = -ENOMEM;
	if (fv->snap)
		err = single_open_size(file, ws_futex_show, fv, 4096 + fv->snap->n * 160);
	if (err) {
		ws_futex_snap_free(fv->snap);
		kfree(fv);
	}
	return err;
}

static int ws_futex_release(struct inode *inode, struct file *file)
{
	struct ws_futex_view *fv = ((struct seq_file *)file->private_data)->private;

	ws_futex_snap_free(fv->snap);
	kfree(fv);
	return single_release(inode, file);
}

/* ---- stats ---- */

static void ws_put_events(struct seq_file *m, struct ws_state *ws, const struct ws_cpu_stats *sum)
{
	unsigned int i;

	for (i = 0; i < WS_NR_PROBES; i++)
		seq_printf(m, "events_%-22s %llu%s\n", ws_probe_name(i), sum->events[i],
			   ws_probe_attached(&ws->probes, i) ? "" : "  (detached)");
}

static void ws_put_runq_hist(struct seq_file *m, struct ws_state *ws)
{
	int cpu;

	for_each_possible_cpu(cpu) {
		seq_printf(m, "runq_cpu%-3d", cpu);
		ws_put_buckets(m, per_cpu_ptr(ws->cpu, cpu)->runq);
	}
}

/*
 * Machine-wide totals since load or reset: they outlive the threads they
 * came from and only grow, so exporters can offer them as counters.
 */
static void ws_put_totals(struct seq_file *m, const struct ws_cpu_stats *sum)
{
	unsigned int r;

	/* Should stay 0: a block the probes saw end without a wakeup. */
	seq_printf(m, "blocks_unwoken                %llu\n", sum->blocks_unwoken);
	seq_printf(m, "total_oncpu_ns                %llu\n", sum->oncpu_ns);
	for (r = 0; r < WS_NR_REASONS; r++) {
		seq_printf(m, "total_%s_n%*s %llu\n", ws_reason_name(r),
			   (int)(22 - strlen(ws_reason_name(r))), "", sum->reason_n[r]);
		seq_printf(m, "total_%s_ns%*s %llu\n", ws_reason_name(r),
			   (int)(21 - strlen(ws_reason_name(r))), "", sum->reason_ns[r]);
	}
}

/* The recorder's events per reason (slow_<reason>_n) and exits (slow_exit_n). */
static void ws_put_recorded(struct seq_file *m, const struct ws_recorder *rec)
{
	unsigned int r;

	for (r = 0; r < WS_NR_REASONS; r++)
		seq_printf(m, "slow_%s_n%*s %llu\n", ws_reason_name(r),
			   (int)(22 - strlen(ws_reason_name(r))), "", ws_rec_recorded(rec, r));
	seq_printf(m, "slow_exit_n                   %llu\n",
		   ws_rec_recorded(rec, WS_REC_EXIT_COUNT));
}

static int ws_stats_show(struct seq_file *m, void *v)
{
	struct ws_state *ws = m->private;
	struct ws_table *t = &ws->threads;
	struct ws_cpu_stats sum;

	ws_data_read_lock(ws);
	/* futex_used counts the words still in the CPUs' slots too. */
	ws_futex_flush(&ws->futexes);
	ws_account_totals(ws, &sum);
	seq_printf(m, "# waitscope stats v%d key value\n", WS_FMT_VERSION);
	seq_printf(m, "version                       %s\n", WS_VERSION);
	seq_printf(m, "enabled                       %d\n", ws_is_enabled(ws));
	seq_printf(m, "probes_attached               %u/%u\n", ws_probes_attached(&ws->probes),
		   WS_NR_PROBES);
	ws_put_events(m, ws, &sum);
	seq_printf(m, "capacity                      %u\n", ws_table_capacity(t));
	seq_printf(m, "used                          %u\n", ws_table_used(t));
	seq_printf(m, "dropped                       %d\n", ws_table_dropped_now(t));
	seq_printf(m, "dropped_total                 %lld\n", ws_table_dropped_total(t));
	seq_printf(m, "futex_capacity                %u\n", ws_futex_capacity(&ws->futexes));
	seq_printf(m, "futex_used                    %u\n", ws_futex_used(&ws->futexes));
	seq_printf(m, "futex_dropped                 %lld\n", ws_futex_dropped(&ws->futexes));
	seq_printf(m, "filter_tgid                   %u\n", READ_ONCE(ws->set.filter_tgid));
	seq_printf(m, "blocked_min_ms                %u\n", READ_ONCE(ws->set.blocked_min_ms));
	seq_printf(m, "thread_entry_bytes            %zu\n", sizeof(struct ws_thread_entry));
	seq_printf(m, "memory_bytes                  %zu\n", ws_account_memory(ws));
	seq_printf(m, "read_busy                     %lld\n", ws_table_read_busy(t));
	seq_printf(m, "slow_min_us                   %u\n", READ_ONCE(ws->set.slow_min_us));
	seq_printf(m, "slow_capacity                 %u\n", ws->rec.capacity);
	seq_printf(m, "exit_events                   %d\n", ws_rec_exits(&ws->rec));
	seq_printf(m, "slow_events                   %llu\n", ws_rec_written(&ws->rec));
	seq_printf(m, "slow_overwritten              %llu\n", ws_rec_overwritten(&ws->rec));
	ws_put_recorded(m, &ws->rec);
	ws_put_totals(m, &sum);
	seq_puts(m, "# runq_cpuN: run-queue waits that ended on CPU N, low_us:count per log2 bucket\n");
	ws_put_runq_hist(m, ws);
	ws_data_read_unlock(ws);
	return 0;
}

static int ws_stats_open(struct inode *inode, struct file *file)
{
	return single_open(file, ws_stats_show, inode->i_private);
}

/* ---- events: the recorder's rings ---- */

/*
 * Not a seq_file: the file position is a sequence number, as in /dev/kmsg:
 * after a read it is the seq of the last row returned whole (reads of any
 * size work; a row cut by a small buffer goes on at the next read).  A
 * reader resumes with lseek(fd, N, SEEK_SET): the next read takes a fresh
 * look at the rings and returns the events after N, under a header that
 * says how many of those are gone.  Reading does not consume, and needs no
 * write: the file is read-only, so it also opens on a locked-down kernel.
 */
#define WS_EVENTS_FMT_VERSION	1
#define WS_EVENT_ROW_MAX	4096

struct ws_events_reader {
	struct ws_state *ws;
	struct mutex lock;	/* one read or seek of this open file at a time */
	struct ws_rec_snap snap;
	u32 next;		/* the next row to format */
	bool taken, header_done;
	u64 now, realtime;	/* when the snapshot was taken */
	char *line;		/* the text being returned: WS_EVENT_ROW_MAX */
	size_t line_len, line_off;
	u64 line_seq;		/* its event's seq, 0 for the header */
	char comm[WS_COMM_ESC], other[WS_COMM_ESC];
};

static void ws_events_drop(struct ws_events_reader *rd)
{
	ws_rec_snap_free(&rd->snap);
	rd->taken = false;
	rd->header_done = false;
	rd->next = 0;
	rd->line_len = 0;
	rd->line_off = 0;
}

/* The events after @after, taken at the first read after an open or a seek. */
static int ws_events_take(struct ws_events_reader *rd, u64 after)
{
	struct ws_state *ws = rd->ws;
	int err;

	ws_data_read_lock(ws);
	rd->now = ws_now();
	rd->realtime = ktime_get_real_ns();
	err = ws_rec_snap_take(&ws->rec, after, &rd->snap);
	ws_data_read_unlock(ws);
	rd->taken = !err;
	return err;
}

static size_t ws_events_header(struct ws_events_reader *rd, char *buf, size_t n)
{
	struct ws_state *ws = rd->ws;

	return scnprintf(buf, n,
			 "# waitscope events v%d now_ns=%llu realtime_ns=%llu unit=ns slow_min_us=%u exit_events=%d capacity=%u cpus=%u stack=%s\n"
			 "# after=%llu last=%llu kept=%u missed=%llu overwritten=%llu\n"
			 "#      seq          time_ns cpu kind     tid    tgid comm             reason               duration_ns flags           syscall         futex_addr futex_op        other_tid other_comm            cgroup detail\n",
			 WS_EVENTS_FMT_VERSION, rd->now, rd->realtime,
			 READ_ONCE(ws->set.slow_min_us), ws_rec_exits(&ws->rec), ws->rec.capacity,
			 nr_cpu_ids,
			 WS_HAVE_TASK_STACK ? "available" : "unavailable", rd->snap.after,
			 rd->snap.last, rd->snap.n, rd->snap.missed, rd->snap.overwritten);
}

static const char *ws_event_flags(const struct ws_event *ev)
{
	switch (ev->flags & (WS_EV_PARTIAL | WS_EV_KILLED)) {
	case WS_EV_PARTIAL:			return "partial";
	case WS_EV_KILLED:			return "killed";
	case WS_EV_PARTIAL | WS_EV_KILLED:	return "partial,killed";
	default:				return "-";
	}
}

/* A wait's stack as one column: frames joined by ',', "-" for none. */
static size_t ws_stack_col(const struct ws_event *ev, char *buf, size_t n)
{
	char sym[KSYM_SYMBOL_LEN], *sp;
	unsigned int i;
	size_t len = 0;

	if (!ev->nr_frames)
		return scnprintf(buf, n, "-");
	for (i = 0; i < ev->nr_frames && i < WS_REC_STACK_DEPTH; i++) {
		sprint_symbol(sym, ev->stack[i]);
		/* "f+0x1/0x2 [mod]" -> "f+0x1/0x2[mod]": one column; never a raw address. */
		sp = strchr(sym, ' ');
		if (sp)
			memmove(sp, sp + 1, strlen(sp));
		len += scnprintf(buf + len, n - len, "%s%s", i ? "," : "",
				 strncmp(sym, "0x", 2) ? sym : "?");
	}
	return len;
}

static size_t ws_exit_col(const struct ws_event *ev, char *buf, size_t n)
{
	const struct ws_event_totals *t = &ev->totals;
	unsigned int r;
	size_t len;

	len = scnprintf(buf, n, "nvcsw=%llu,nivcsw=%llu,oncpu_ns=%llu", t->nvcsw, t->nivcsw,
			t->oncpu_ns);
	for (r = 0; r < WS_NR_REASONS; r++)
		len += scnprintf(buf + len, n - len, ",%s=%llu/%llu", ws_reason_name(r), t->n[r],
				 t->ns[r]);
	return len;
}

/* One event's row, newline included. */
static size_t ws_event_row(struct ws_events_reader *rd, const struct ws_event *ev, char *buf,
			   size_t n)
{
	char addr[20] = "-";
	size_t len;

	if (ev->futex_uaddr)
		snprintf(addr, sizeof(addr), "0x%llx", ev->futex_uaddr);
	len = scnprintf(buf, n,
			"%10llu %16llu %3u %-4s %7u %7u %-16s %-15s %15llu %-15s %7d %18s %-15s %9u %-16s %12llu ",
			ev->seq, ev->time_ns, ev->cpu, ev->kind == WS_EV_EXIT ? "exit" : "wait",
			ev->tid, ev->tgid, ws_comm_col(ev->comm, rd->comm),
			ev->reason < WS_NR_REASONS ? ws_reason_name(ev->reason) : "-",
			ev->duration_ns, ws_event_flags(ev), ev->syscall, addr,
			ev->futex_uaddr ? ws_futex_op_name(ev->futex_op) : "-", ev->other_tid,
			ws_comm_col(ev->other_comm, rd->other), ev->cgroup_id);
	/* Room kept for the newline: a stack that does not fit is cut short. */
	if (ev->kind == WS_EV_EXIT)
		len += ws_exit_col(ev, buf + len, n - len - 1);
	else
		len += ws_stack_col(ev, buf + len, n - len - 1);
	buf[len++] = '\n';
	return len;
}

static int ws_events_open(struct inode *inode, struct file *file)
{
	struct ws_events_reader *rd = kzalloc(sizeof(*rd), GFP_KERNEL);

	if (!rd)
		return -ENOMEM;
	rd->line = kmalloc(WS_EVENT_ROW_MAX, GFP_KERNEL);
	if (!rd->line) {
		kfree(rd);
		return -ENOMEM;
	}
	rd->ws = inode->i_private;
	mutex_init(&rd->lock);
	file->private_data = rd;
	return 0;
}

/* The next text to return: the header, then a row per event; false at the end. */
static bool ws_events_next_line(struct ws_events_reader *rd)
{
	if (!rd->header_done) {
		rd->line_len = ws_events_header(rd, rd->line, WS_EVENT_ROW_MAX);
		rd->line_seq = 0;
		rd->header_done = true;
	} else if (rd->next < rd->snap.n) {
		rd->line_seq = rd->snap.ev[rd->next].seq;
		rd->line_len = ws_event_row(rd, &rd->snap.ev[rd->next++], rd->line,
					    WS_EVENT_ROW_MAX);
	} else {
		return false;	/* the last line stays copied out: EOF */
	}
	rd->line_off = 0;
	return true;
}

/* Up to count bytes into ubuf; the position follows the rows returned whole. */
static ssize_t ws_events_copy(struct ws_events_reader *rd, char __user *ubuf, size_t count,
			      loff_t *ppos)
{
	size_t n, done = 0;

	while (done < count) {
		if (rd->line_off == rd->line_len && !ws_events_next_line(rd))
			break;
		n = min(count - done, rd->line_len - rd->line_off);
		if (copy_to_user(ubuf + done, rd->line + rd->line_off, n))
			return done ? done : -EFAULT;
		rd->line_off += n;
		done += n;
		if (rd->line_off == rd->line_len && rd->line_seq)
			*ppos = rd->line_seq;
	}
	return done;
}

static ssize_t ws_events_read(struct file *file, char __user *ubuf, size_t count, loff_t *ppos)
{
	struct ws_events_reader *rd = file->private_data;
	ssize_t ret = 0;

	mutex_lock(&rd->lock);
	if (!rd->taken)
		ret = ws_events_take(rd, *ppos);
	if (!ret)
		ret = ws_events_copy(rd, ubuf, count, ppos);
	mutex_unlock(&rd->lock);
	return ret;
}

/* SEEK_SET N: the next read starts afresh after seq N.  SEEK_CUR 0 tells where it is. */
static loff_t ws_events_llseek(struct file *file, loff_t off, int whence)
{
	struct ws_events_reader *rd = file->private_data;
	loff_t ret = -EINVAL;

	mutex_lock(&rd->lock);
	if (whence == SEEK_SET && off >= 0) {
		ws_events_drop(rd);
		file->f_pos = off;
		ret = off;
	} else if (whence == SEEK_CUR && off == 0) {
		ret = file->f_pos;
	}
	mutex_unlock(&rd->lock);
	return ret;
}

static int ws_events_release(struct inode *inode, struct file *file)
{
	struct ws_events_reader *rd = file->private_data;

	ws_events_drop(rd);
	kfree(rd->line);
	kfree(rd);
	return 0;
}

/* ---- control ---- */

static ssize_t ws_control_write(struct file *file, const char __user *ubuf,
				size_t len, loff_t *ppos)
{
	struct ws_state *ws = file_inode(file)->i_private;
	char buf[WS_CTL_MAX];
	struct ws_cmd cmd;
	int err;

	/* One whole command per write, from the start: no partial writes. */
	if (*ppos || !len || len > sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, len))
		return -EFAULT;
	err = ws_control_parse(buf, len, &cmd);
	if (!err)
		err = ws_control_apply(ws, &cmd);
	return err ? err : len;
}

static int ws_control_show(struct seq_file *m, void *v)
{
	struct ws_state *ws = m->private;

	seq_printf(m, "enabled=%d filter_tgid=%u blocked_min_ms=%u slow_min_us=%u exit_events=%d\n",
		   ws_is_enabled(ws), READ_ONCE(ws->set.filter_tgid),
		   READ_ONCE(ws->set.blocked_min_ms), READ_ONCE(ws->set.slow_min_us),
		   ws_rec_exits(&ws->rec));
	seq_puts(m, "# commands: reset | enable | disable | filter tgid=N | filter off | blocked_min_ms=N | slow_min_us=N | slow_reset | exit_events=0|1\n");
	return 0;
}

static int ws_control_open(struct inode *inode, struct file *file)
{
	return single_open(file, ws_control_show, inode->i_private);
}

#define WS_SEQ_FOPS(name, open_fn, release_fn)			\
static const struct file_operations name = {			\
	.owner = THIS_MODULE,					\
	.open = open_fn,					\
	.read = seq_read,					\
	.llseek = seq_lseek,					\
	.release = release_fn,					\
}

WS_SEQ_FOPS(ws_threads_fops, ws_threads_open, seq_release_private);
WS_SEQ_FOPS(ws_hists_fops, ws_hists_open, seq_release_private);
WS_SEQ_FOPS(ws_blocked_fops, ws_blocked_open, seq_release_private);
WS_SEQ_FOPS(ws_futex_fops, ws_futex_open, ws_futex_release);
WS_SEQ_FOPS(ws_stats_fops, ws_stats_open, single_release);

static const struct file_operations ws_events_fops = {
	.owner = THIS_MODULE,
	.open = ws_events_open,
	.read = ws_events_read,
	.llseek = ws_events_llseek,
	.release = ws_events_release,
};

static const struct file_operations ws_control_fops = {
	.owner = THIS_MODULE,
	.open = ws_control_open,
	.read = seq_read,
	.write = ws_control_write,
	.llseek = seq_lseek,
	.release = single_release,
};

void ws_debugfs_init(struct ws_state *ws)
{
	struct dentry *dir = debugfs_create_dir("waitscope", NULL);

	if (IS_ERR(dir)) {
		/* Not an error for the module: parameters still control it. */
		pr_warn("no debugfs interface (%ld: debugfs is off); use the module parameters\n",
			PTR_ERR(dir));
		return;
	}
	ws->dir = dir;
	debugfs_create_file("threads", 0400, dir, ws, &ws_threads_fops);
	debugfs_create_file("histograms", 0400, dir, ws, &ws_hists_fops);
	debugfs_create_file("blocked", 0400, dir, ws, &ws_blocked_fops);
	debugfs_create_file("futex", 0400, dir, ws, &ws_futex_fops);
	debugfs_create_file("stats", 0400, dir, ws, &ws_stats_fops);
	debugfs_create_file("events", 0400, dir, ws, &ws_events_fops);
	debugfs_create_file("control", 0600, dir, ws, &ws_control_fops);
}

void ws_debugfs_exit(struct ws_state *ws)
{
	debugfs_remove_recursive(ws->dir);
	ws->dir = NULL;
}
