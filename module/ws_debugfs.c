// SPDX-License-Identifier: GPL-2.0
/*
 * The views under /sys/kernel/debug/waitscope/.
 *
 * Every file starts with "# waitscope <file> v<N> key=value...", then a
 * "#" line naming the columns, aligned over them.  Rows are whitespace-
 * separated; a comm is escaped (bytes outside '!'..'~' and '\' become \xHH)
 * so it never contains a space.  Times are nanoseconds, bucket bounds
 * microseconds.  A reader copies each entry under its seqcount, so a row is
 * never torn; rows are not one atomic snapshot of the whole table.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/debugfs.h>
#include <linux/kallsyms.h>
#include <linux/pid.h>
#include <linux/pid_namespace.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/uaccess.h>
#include "waitscope.h"
#include "ws_account.h"
#include "ws_compat.h"
#include "ws_control.h"
#include "ws_probes.h"

#define WS_FMT_VERSION	1
/* v2: start_ns before the buckets, which old readers took for a bucket. */
#define WS_HIST_FMT_VERSION	2
#define WS_STACK_DEPTH	16
#define WS_COMM_ESC	(TASK_COMM_LEN * 4 + 1)

static struct dentry *ws_dir;

struct ws_col {
	const char *name;
	int width;
	bool left;
};

static void ws_put_header(struct seq_file *m, const struct ws_col *cols, int n)
{
	int i;

	seq_putc(m, '#');
	for (i = 0; i < n; i++) {
		int w = max_t(int, cols[i].width, strlen(cols[i].name));

		/* The '#' takes the place of the first column's lead space. */
		seq_printf(m, i ? " %*s" : "%*s", cols[i].left ? -w : w, cols[i].name);
	}
	seq_putc(m, '\n');
}

static int ws_colw(const struct ws_col *c)
{
	return max_t(int, c->width, strlen(c->name));
}

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

static void ws_put_comm(struct seq_file *m, const char *comm, int width)
{
	char esc[WS_COMM_ESC];

	ws_escape_comm(comm, esc);
	seq_printf(m, " %-*s", width, esc[0] ? esc : "-");
}

/*
 * The comm of the live task with this tid, if it is owner (any task with
 * the tid when owner is 0).  Read from the task, as the kernel's own trace
 * events do: a rename racing with the copy can show a mix of the two names,
 * never a byte past the buffer.
 */
static bool ws_live_comm(u32 tid, unsigned long owner, char *comm)
{
	struct task_struct *p;
	bool found;

	rcu_read_lock();
	p = pid_task(find_pid_ns(tid, &init_pid_ns), PIDTYPE_PID);
	found = p && (!owner || (unsigned long)p == owner);
	if (found)
		memcpy(comm, p->comm, TASK_COMM_LEN);
	rcu_read_unlock();
	comm[found ? TASK_COMM_LEN - 1 : 0] = '\0';
	return found;
}

/* The tid, tgid and comm columns every per-thread row starts with. */
static void ws_put_ident(struct seq_file *m, const struct ws_col *c, const struct ws_thread *e,
			 const char *comm)
{
	seq_printf(m, " %*u %*u", ws_colw(&c[0]), e->tid, ws_colw(&c[1]), e->tgid);
	ws_put_comm(m, comm, ws_colw(&c[2]));
}

static const char *ws_state_name(unsigned int state)
{
	if (state == WS_ST_ONCPU)
		return "running";
	if (state >= WS_ST_OFF)
		return ws_reason_name(state - WS_ST_OFF);
	return "unknown";
}

/*
 * The futex_addr, futex_op, futex_val and start_ns columns near the end of
 * a thread's row: the futex wait in progress, if any, and the start time
 * that with the tid names the thread.
 */
static void ws_put_tail(struct seq_file *m, const struct ws_col *c, const struct ws_thread *e)
{
	if (e->state != ws_state_off(WS_R_FUTEX))
		seq_printf(m, " %*s %-*s %*s", ws_colw(c), "-", ws_colw(c + 1), "-",
			   ws_colw(c + 2), "-");
	else
		seq_printf(m, " 0x%0*llx %-*s %*u", ws_colw(c) - 2, e->futex_uaddr,
			   ws_colw(c + 1), ws_futex_op_name(e->futex_op), ws_colw(c + 2),
			   e->futex_val);
	seq_printf(m, " %*llu", ws_colw(c + 3), e->start);
}

static u64 ws_off_ns(const struct ws_thread *e, u64 now)
{
	if (e->state < WS_ST_OFF || !e->since || now < e->since)
		return 0;
	return now - e->since;
}

/* ---- iteration over the thread table, shared by three files ---- */

struct ws_iter {
	struct ws_thread copy;
	char comm[TASK_COMM_LEN];	/* of the copy's live task */
	u64 now;
	u32 min_ms;
	bool (*want)(struct ws_iter *it);
	unsigned long stack[WS_STACK_DEPTH];
};

static void *ws_iter_find(struct seq_file *m, loff_t *pos)
{
	struct ws_iter *it = m->private;

	if (*pos == 0)
		return SEQ_START_TOKEN;
	for (; *pos <= ws_table_capacity(&ws_threads); ++*pos) {
		cond_resched();
		/*
		 * Only threads that are still there: an exited thread's entry
		 * waits for its last switch or the collector, and an old
		 * leader's, after an exec, shares its tid and start time with
		 * the thread that exec'd.
		 */
		if (ws_table_read(&ws_threads, *pos - 1, &it->copy) &&
		    ws_live_comm(it->copy.tid, it->copy.owner, it->comm) &&
		    (!it->want || it->want(it)))
			return &it->copy;
	}
	return NULL;
}

static void *ws_iter_start(struct seq_file *m, loff_t *pos)
{
	struct ws_iter *it = m->private;

	ws_data_read_lock();
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
	ws_data_read_unlock();
}

/* ---- threads ---- */

/* Column indexes in ws_thread_cols, up to the per-reason triples. */
enum {
	WS_TC_COMM = 2,
	WS_TC_STATE,
	WS_TC_ONCPU,
	WS_TC_NVCSW,
	WS_TC_NIVCSW,
	WS_TC_REASONS,
};

static const struct ws_col ws_thread_cols[] = {
	{ "tid", 7 }, { "tgid", 7 }, { "comm", 16, true }, { "state", 15, true },
	{ "oncpu_ns", 14 }, { "nvcsw", 9 }, { "nivcsw", 9 },
	{ "runq_n", 8 }, { "runq_ns", 14 }, { "runq_max_ns", 12 },
	{ "futex_n", 8 }, { "futex_ns", 14 }, { "futex_max_ns", 12 },
	{ "io_n", 8 }, { "io_ns", 14 }, { "io_max_ns", 12 },
	{ "uninterruptible_n", 8 }, { "uninterruptible_ns", 14 },
	{ "uninterruptible_max_ns", 12 },
	{ "sleep_n", 8 }, { "sleep_ns", 14 }, { "sleep_max_ns", 12 },
	{ "waker", 7 }, { "waker_comm", 16, true },
	{ "preemptor", 7 }, { "preemptor_comm", 16, true },
	{ "cgroup", 6 }, { "off_ns", 14 }, { "partial", 1 }, { "syscall", 4 },
	{ "kthread", 1 }, { "futex_addr", 18 }, { "futex_op", 11, true },
	{ "futex_val", 10 }, { "start_ns", 14 }, { "unwoken", 7 },
};

static void ws_put_peer(struct seq_file *m, const struct ws_col *c, u32 tid, bool irq_ok)
{
	char comm[TASK_COMM_LEN];

	if (!tid) {
		seq_printf(m, " %*s", ws_colw(c), irq_ok ? "0" : "-");
		ws_put_comm(m, irq_ok ? "[irq]" : "", ws_colw(c + 1));
		return;
	}
	seq_printf(m, " %*u", ws_colw(c), tid);
	if (!ws_live_comm(tid, 0, comm))
		strscpy(comm, "?", sizeof(comm));
	ws_put_comm(m, comm, ws_colw(c + 1));
}

static void ws_put_thread(struct seq_file *m, const struct ws_iter *it)
{
	const struct ws_thread *e = &it->copy;
	const struct ws_col *c = ws_thread_cols;
	u64 now = it->now;
	int r;

	ws_put_ident(m, c, e, it->comm);
	seq_printf(m, " %-*s %*llu %*llu %*llu", ws_colw(&c[WS_TC_STATE]), ws_state_name(e->state),
		   ws_colw(&c[WS_TC_ONCPU]), e->oncpu_ns, ws_colw(&c[WS_TC_NVCSW]), e->nvcsw,
		   ws_colw(&c[WS_TC_NIVCSW]), e->nivcsw);
	c += WS_TC_REASONS;
	for (r = 0; r < WS_NR_REASONS; r++, c += 3)
		seq_printf(m, " %*llu %*llu %*llu", ws_colw(c), ws_hist_count(&e->hist[r]),
			   ws_colw(c + 1), e->hist[r].total_ns, ws_colw(c + 2), e->hist[r].max_ns);
	ws_put_peer(m, c, READ_ONCE(e->waker_tid), e->nvcsw > 0);
	ws_put_peer(m, c + 2, e->preempt_tid, false);
	c += 4;
	seq_printf(m, " %*llu %*llu %*u %*d %*u", ws_colw(c), e->cgroup_id, ws_colw(c + 1),
		   ws_off_ns(e, now), ws_colw(c + 2), !!(e->flags & WS_F_PARTIAL),
		   ws_colw(c + 3), e->syscall, ws_colw(c + 4), !!(e->flags & WS_F_KTHREAD));
	ws_put_tail(m, c + 5, e);
	seq_printf(m, " %*u\n", ws_colw(c + 9), e->unwoken);
}

static int ws_threads_show(struct seq_file *m, void *v)
{
	struct ws_iter *it = m->private;

	if (v == SEQ_START_TOKEN) {
		seq_printf(m, "# waitscope threads v%d now_ns=%llu unit=ns\n",
			   WS_FMT_VERSION, it->now);
		ws_put_header(m, ws_thread_cols, ARRAY_SIZE(ws_thread_cols));
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

static const struct ws_col ws_hist_cols[] = {
	{ "tid", 7 }, { "tgid", 7 }, { "comm", 16, true }, { "reason", 15, true },
	{ "count", 10 }, { "total_ns", 16 }, { "max_ns", 14 }, { "start_ns", 14 },
	{ "buckets", 0, true },
};

static int ws_hists_show(struct seq_file *m, void *v)
{
	const struct ws_col *c = ws_hist_cols;
	struct ws_iter *it = m->private;
	const struct ws_thread *e = v;
	u64 buckets[WS_NR_SLOTS];
	unsigned int r, s;

	if (v == SEQ_START_TOKEN) {
		/* Bucket k holds [2^k, 2^(k+1)) us, bucket 0 [0, 2) us, the last is open. */
		seq_printf(m, "# waitscope histograms v%d unit=ns buckets=low_us:count\n",
			   WS_HIST_FMT_VERSION);
		ws_put_header(m, ws_hist_cols, ARRAY_SIZE(ws_hist_cols));
		return 0;
	}
	for (r = 0; r < WS_NR_REASONS; r++) {
		const struct ws_hist *h = &e->hist[r];
		u64 n = ws_hist_count(h);

		if (!n)
			continue;
		ws_put_ident(m, c, e, it->comm);
		seq_printf(m, " %-*s %*llu %*llu %*llu %*llu", ws_colw(&c[3]), ws_reason_name(r),
			   ws_colw(&c[4]), n, ws_colw(&c[5]), h->total_ns,
			   ws_colw(&c[6]), h->max_ns, ws_colw(&c[7]), e->start);
		for (s = 0; s < WS_NR_SLOTS; s++)
			buckets[s] = ws_hist_bucket(h, s);
		ws_put_buckets(m, buckets);
	}
	return 0;
}

/* ---- blocked ---- */

static const struct ws_col ws_blocked_cols[] = {
	{ "tid", 7 }, { "tgid", 7 }, { "comm", 16, true }, { "reason", 15, true },
	{ "off_ns", 14 }, { "partial", 1 }, { "syscall", 4 }, { "futex_addr", 18 },
	{ "futex_op", 11, true }, { "futex_val", 10 }, { "start_ns", 14 },
};

static bool ws_blocked_want(struct ws_iter *it)
{
	return it->copy.state >= WS_ST_OFF &&
	       ws_off_ns(&it->copy, it->now) >= (u64)it->min_ms * NSEC_PER_MSEC;
}

/* The kernel stack of a thread that is off CPU, or 0 frames if it is gone. */
static unsigned int ws_stack_of(const struct ws_thread *e, unsigned long *store)
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
	const struct ws_col *c = ws_blocked_cols;
	struct ws_iter *it = m->private;
	const struct ws_thread *e = v;
	unsigned int i, n;

	if (v == SEQ_START_TOKEN) {
		seq_printf(m, "# waitscope blocked v%d now_ns=%llu min_ms=%u unit=ns stack=%s\n",
			   WS_FMT_VERSION, it->now, it->min_ms,
			   WS_HAVE_TASK_STACK ? "indented" : "unavailable");
		ws_put_header(m, ws_blocked_cols, ARRAY_SIZE(ws_blocked_cols));
		return 0;
	}
	ws_put_ident(m, c, e, it->comm);
	seq_printf(m, " %-*s %*llu %*u %*d", ws_colw(&c[3]), ws_state_name(e->state),
		   ws_colw(&c[4]), ws_off_ns(e, it->now), ws_colw(&c[5]),
		   !!(e->flags & WS_F_PARTIAL), ws_colw(&c[6]), e->syscall);
	ws_put_tail(m, &c[7], e);
	seq_putc(m, '\n');
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
	it->want = want;
	it->min_ms = READ_ONCE(ws_blocked_min_ms);
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

struct ws_futex_row {
	u32 tgid;
	u32 waiting;
	u32 op;
	u64 pstart;
	u64 uaddr;
	u64 count;
	u64 lock_n;
	u64 total_ns;
	u64 max_ns;
	u64 longest_now_ns;
};

struct ws_futex_snap {
	u32 n, cap;
	u64 lost;		/* rows that found the snapshot full */
	struct ws_futex_row rows[];
};

static int ws_row_cmp(const void *a, const void *b)
{
	const struct ws_futex_row *x = a, *y = b;

	if (x->tgid != y->tgid)
		return x->tgid < y->tgid ? -1 : 1;
	if (x->pstart != y->pstart)
		return x->pstart < y->pstart ? -1 : 1;
	if (x->uaddr != y->uaddr)
		return x->uaddr < y->uaddr ? -1 : 1;
	return 0;
}

/* Room for one more row, or count it as lost. */
static struct ws_futex_row *ws_snap_slot(struct ws_futex_snap *snap)
{
	if (snap->n == snap->cap) {
		snap->lost++;
		return NULL;
	}
	return &snap->rows[snap->n++];
}

static void ws_snap_completed(struct ws_futex_snap *snap)
{
	struct ws_futex_row *r;
	struct ws_futex f;
	u32 i;

	for (i = 0; i < ws_futexes.pool.capacity; i++) {
		cond_resched();
		/* A process that is gone is not shown, though not yet collected. */
		if (!ws_futex_read(&ws_futexes, i, &f) || !ws_futex_live(&f))
			continue;
		r = ws_snap_slot(snap);
		if (r)
			*r = (struct ws_futex_row){ .tgid = f.tgid, .pstart = f.pstart,
				.uaddr = f.uaddr, .op = f.op, .count = f.count,
				.lock_n = f.lock_n, .total_ns = f.total_ns, .max_ns = f.max_ns };
	}
}

/* The start time of live process tgid, 0 if it is gone. */
static u64 ws_live_process_start(u32 tgid)
{
	struct task_struct *p;
	u64 start = 0;

	rcu_read_lock();
	p = pid_task(find_pid_ns(tgid, &init_pid_ns), PIDTYPE_TGID);
	if (p)
		start = p->start_time;
	rcu_read_unlock();
	return start;
}

static void ws_snap_waiting(struct ws_futex_snap *snap, struct ws_thread *e, u64 now)
{
	struct ws_futex_row *r;
	u32 i;

	for (i = 0; i < ws_table_capacity(&ws_threads); i++) {
		cond_resched();
		if (!ws_table_read(&ws_threads, i, e) || e->state != ws_state_off(WS_R_FUTEX))
			continue;
		r = ws_snap_slot(snap);
		if (r)
			*r = (struct ws_futex_row){ .tgid = e->tgid, .uaddr = e->futex_uaddr,
				.pstart = ws_live_process_start(e->tgid), .op = e->futex_op,
				.waiting = 1, .longest_now_ns = ws_off_ns(e, now) };
	}
}

/* Fold rows with the same (tgid, pstart, uaddr) into the first of them. */
static u32 ws_rows_merge(struct ws_futex_row *rows, u32 n)
{
	u32 i, out = 0;

	sort(rows, n, sizeof(*rows), ws_row_cmp, NULL);
	for (i = 0; i < n; i++) {
		struct ws_futex_row *d = &rows[out - 1];

		if (out && !ws_row_cmp(d, &rows[i])) {
			d->waiting += rows[i].waiting;
			d->count += rows[i].count;
			d->lock_n += rows[i].lock_n;
			d->total_ns += rows[i].total_ns;
			d->max_ns = max(d->max_ns, rows[i].max_ns);
			d->longest_now_ns = max(d->longest_now_ns, rows[i].longest_now_ns);
		} else {
			rows[out++] = rows[i];
		}
	}
	return out;
}

static const struct ws_col ws_futex_cols[] = {
	{ "tgid", 7 }, { "uaddr", 18 }, { "waiting", 7 }, { "count", 10 },
	{ "total_ns", 16 }, { "max_ns", 14 }, { "longest_now_ns", 14 }, { "op", 11, true },
	{ "lock_n", 10 }, { "pstart_ns", 14 },
};

static int ws_futex_show(struct seq_file *m, void *v)
{
	const struct ws_col *c = ws_futex_cols;
	struct ws_futex_snap *snap = m->private;
	u32 i;

	/* lost: rows that did not fit; both are counted, never silently lost. */
	seq_printf(m, "# waitscope futex v%d unit=ns dropped=%lld lost=%llu\n", WS_FMT_VERSION,
		   (long long)atomic64_read(&ws_futexes.dropped), snap->lost);
	ws_put_header(m, ws_futex_cols, ARRAY_SIZE(ws_futex_cols));
	for (i = 0; i < snap->n; i++) {
		const struct ws_futex_row *r = &snap->rows[i];

		seq_printf(m, " %*u 0x%0*llx %*u %*llu %*llu %*llu %*llu %-*s %*llu %*llu\n",
			   ws_colw(&c[0]), r->tgid, ws_colw(&c[1]) - 2, r->uaddr,
			   ws_colw(&c[2]), r->waiting, ws_colw(&c[3]), r->count,
			   ws_colw(&c[4]), r->total_ns, ws_colw(&c[5]), r->max_ns,
			   ws_colw(&c[6]), r->longest_now_ns, ws_colw(&c[7]),
			   ws_futex_op_name(r->op), ws_colw(&c[8]), r->lock_n,
			   ws_colw(&c[9]), r->pstart);
	}
	return 0;
}

/* Rows for what is there now and some slack, not for the tables' capacity. */
static struct ws_futex_snap *ws_futex_snap_alloc(u32 cap)
{
	struct ws_futex_snap *snap = kvzalloc(struct_size(snap, rows, cap), GFP_KERNEL);

	if (snap)
		snap->cap = cap;
	return snap;
}

/*
 * Take the snapshot; the counts that size it are read without the lock, so
 * it may come out short: then it is taken once more at twice the size, and
 * whatever still does not fit is reported as lost.
 */
static struct ws_futex_snap *ws_futex_snap_take(struct ws_thread *scratch)
{
	u32 cap = ws_pool_used(&ws_futexes.pool) + ws_table_used(&ws_threads);
	struct ws_futex_snap *snap = NULL;
	int tries;

	cap += cap / 8 + 64;
	for (tries = 0; tries < 2; tries++, cap *= 2) {
		kvfree(snap);
		snap = ws_futex_snap_alloc(cap);
		if (!snap)
			return NULL;
		ws_data_read_lock();
		ws_snap_completed(snap);
		ws_snap_waiting(snap, scratch, ws_now());
		ws_data_read_unlock();
		if (!snap->lost)
			break;
	}
	snap->n = ws_rows_merge(snap->rows, snap->n);
	return snap;
}

static int ws_futex_open(struct inode *inode, struct file *file)
{
	struct ws_futex_snap *snap = NULL;
	struct ws_thread *scratch;
	int err = -ENOMEM;

	scratch = kmalloc(sizeof(*scratch), GFP_KERNEL);
	if (scratch)
		snap = ws_futex_snap_take(scratch);
	kfree(scratch);
	if (!snap)
		return -ENOMEM;
	err = single_open_size(file, ws_futex_show, snap, 4096 + snap->n * 160);
	if (err)
		kvfree(snap);
	return err;
}

static int ws_futex_release(struct inode *inode, struct file *file)
{
	kvfree(((struct seq_file *)file->private_data)->private);
	return single_release(inode, file);
}

/* ---- stats ---- */

static void ws_put_runq_hist(struct seq_file *m)
{
	int cpu;

	for_each_possible_cpu(cpu) {
		seq_printf(m, "runq_cpu%-3d", cpu);
		ws_put_buckets(m, per_cpu_ptr(&ws_cpu_stats, cpu)->runq);
	}
}

/*
 * Machine-wide totals since load or reset: they outlive the threads they
 * came from and only grow, so exporters can offer them as counters.
 */
static void ws_put_totals(struct seq_file *m)
{
	u64 n[WS_NR_REASONS] = {}, ns[WS_NR_REASONS] = {}, oncpu = 0, unwoken = 0;
	unsigned int r;
	int cpu;

	for_each_possible_cpu(cpu) {
		const struct ws_cpu_stats *st = per_cpu_ptr(&ws_cpu_stats, cpu);

		oncpu += READ_ONCE(st->oncpu_ns);
		unwoken += READ_ONCE(st->blocks_unwoken);
		for (r = 0; r < WS_NR_REASONS; r++) {
			n[r] += READ_ONCE(st->reason_n[r]);
			ns[r] += READ_ONCE(st->reason_ns[r]);
		}
	}
	/* Should stay 0: a block the probes saw end without a wakeup. */
	seq_printf(m, "blocks_unwoken                %llu\n", unwoken);
	seq_printf(m, "total_oncpu_ns                %llu\n", oncpu);
	for (r = 0; r < WS_NR_REASONS; r++) {
		seq_printf(m, "total_%s_n%*s %llu\n", ws_reason_name(r),
			   (int)(22 - strlen(ws_reason_name(r))), "", n[r]);
		seq_printf(m, "total_%s_ns%*s %llu\n", ws_reason_name(r),
			   (int)(21 - strlen(ws_reason_name(r))), "", ns[r]);
	}
}

static int ws_stats_show(struct seq_file *m, void *v)
{
	/* All of it is allocated at load, so this is also the most it uses. */
	u64 mem = ws_table_memory(&ws_threads) + ws_futex_memory(&ws_futexes) +
		  nr_cpu_ids * ws_account_percpu_bytes();

	ws_data_read_lock();
	seq_printf(m, "# waitscope stats v%d key value\n", WS_FMT_VERSION);
	seq_printf(m, "version                       %s\n", WS_VERSION);
	seq_printf(m, "enabled                       %d\n", ws_is_enabled());
	seq_printf(m, "probes_attached               %u/%u\n", ws_probes_attached(), WS_NR_PROBES);
	ws_probes_show(m);
	seq_printf(m, "capacity                      %u\n", ws_table_capacity(&ws_threads));
	seq_printf(m, "used                          %u\n", ws_table_used(&ws_threads));
	seq_printf(m, "dropped                       %d\n", atomic_read(&ws_threads.dropped_now));
	seq_printf(m, "dropped_total                 %lld\n",
		   (long long)atomic64_read(&ws_threads.dropped_total));
	seq_printf(m, "futex_capacity                %u\n", ws_futexes.pool.capacity);
	seq_printf(m, "futex_used                    %u\n", ws_pool_used(&ws_futexes.pool));
	seq_printf(m, "futex_dropped                 %lld\n",
		   (long long)atomic64_read(&ws_futexes.dropped));
	seq_printf(m, "filter_tgid                   %u\n", READ_ONCE(ws_filter_tgid));
	seq_printf(m, "blocked_min_ms                %u\n", READ_ONCE(ws_blocked_min_ms));
	seq_printf(m, "thread_entry_bytes            %zu\n", sizeof(struct ws_thread));
	seq_printf(m, "memory_bytes                  %llu\n", mem);
	seq_printf(m, "read_busy                     %lld\n",
		   (long long)atomic64_read(&ws_threads.read_busy));
	ws_put_totals(m);
	seq_puts(m, "# runq_cpuN: run-queue waits that ended on CPU N, low_us:count per log2 bucket\n");
	ws_put_runq_hist(m);
	ws_data_read_unlock();
	return 0;
}

static int ws_stats_open(struct inode *inode, struct file *file)
{
	return single_open(file, ws_stats_show, NULL);
}

/* ---- control ---- */

static ssize_t ws_control_write(struct file *file, const char __user *ubuf,
				size_t len, loff_t *ppos)
{
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
		err = ws_control_apply(&cmd);
	return err ? err : len;
}

static int ws_control_show(struct seq_file *m, void *v)
{
	seq_printf(m, "enabled=%d filter_tgid=%u blocked_min_ms=%u\n", ws_is_enabled(),
		   READ_ONCE(ws_filter_tgid), READ_ONCE(ws_blocked_min_ms));
	seq_puts(m, "# commands: reset | enable | disable | filter tgid=N | filter off | blocked_min_ms=N\n");
	return 0;
}

static int ws_control_open(struct inode *inode, struct file *file)
{
	return single_open(file, ws_control_show, NULL);
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

static const struct file_operations ws_control_fops = {
	.owner = THIS_MODULE,
	.open = ws_control_open,
	.read = seq_read,
	.write = ws_control_write,
	.llseek = seq_lseek,
	.release = single_release,
};

int ws_debugfs_init(void)
{
	ws_dir = debugfs_create_dir("waitscope", NULL);
	if (IS_ERR(ws_dir)) {
		/* Not an error for the module: parameters still control it. */
		pr_warn("no debugfs interface (%ld: debugfs is off); use the module parameters\n",
			PTR_ERR(ws_dir));
		return 0;
	}
	debugfs_create_file("threads", 0400, ws_dir, NULL, &ws_threads_fops);
	debugfs_create_file("histograms", 0400, ws_dir, NULL, &ws_hists_fops);
	debugfs_create_file("blocked", 0400, ws_dir, NULL, &ws_blocked_fops);
	debugfs_create_file("futex", 0400, ws_dir, NULL, &ws_futex_fops);
	debugfs_create_file("stats", 0400, ws_dir, NULL, &ws_stats_fops);
	debugfs_create_file("control", 0600, ws_dir, NULL, &ws_control_fops);
	return 0;
}

void ws_debugfs_exit(void)
{
	debugfs_remove_recursive(ws_dir);
	ws_dir = NULL;
}
