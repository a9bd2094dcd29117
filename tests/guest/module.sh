# The module suite: load, control file, scenario programs with known answers,
# accuracy against the kernel's own schedstat accounting, unload.
. /tests/lib.sh

# Bad parameters refuse the load, with the reason in one dmesg line (busybox
# insmod tries finit_module, then init_module: one line for each attempt).
for bad in capacity=5 capacity=banana futex_capacity=99999999 blocked_min_ms=-1 enabled=maybe; do
	dmesg -c > /dev/null
	if insmod /opt/ws/waitscope.ko $bad 2>/dev/null; then
		notok "insmod $bad is refused"
		rmmod waitscope
	else
		reason=$(dmesg | grep -c "waitscope: ${bad%%=*}=.* refused")
		check "insmod $bad is refused with a one-line reason" [ "$reason" -ge 1 ]
	fi
done
check "a failed allocation (capacity=4194304: 4 GiB) unwinds: load refused" \
	sh -c "! insmod /opt/ws/waitscope.ko capacity=4194304 2>/dev/null"
check "... and a normal load works after it" insmod /opt/ws/waitscope.ko
rmmod waitscope
check "insmod waitscope.ko" insmod /opt/ws/waitscope.ko
check "debugfs files are root-only (0400, control 0600)" sh -c "
	[ \"\$(stat -c %a $D/threads $D/histograms $D/blocked $D/futex $D/stats | sort -u)\" = 400 ] &&
	[ \"\$(stat -c %a $D/control)\" = 600 ]"
check "stats: enabled with 6/6 probes" sh -c "
	[ \"$(stat_of enabled)\" = 1 ] && [ \"$(stat_of probes_attached)\" = 6/6 ]"
check "every file starts with its versioned header" sh -c '
	for f in threads blocked futex stats; do
		head -n1 '$D'/$f | grep -q "^# waitscope $f v1" || exit 1
	done
	head -n1 '$D'/histograms | grep -q "^# waitscope histograms v2"'

# ---- control: bad writes change nothing, good ones take effect ----
before=$(head -n1 $D/control)
bad=0
for cmd in bogus "reset now" "filter tgid=0" "filter tgid=-1" "filter tgid=abc" \
	"blocked_min_ms=" "blocked_min_ms=99999999999" "blocked_min_ms=+5" \
	"enable " " enable" "ENABLE" "blocked_min_ms=5\n\n"; do
	if printf "$cmd" > $D/control 2>/dev/null; then
		note "control accepted bad command '$cmd'"
		bad=1
	fi
done
check "control: bad commands are refused" [ $bad = 0 ]
check "control: refused commands leave the state as it was" [ "$(head -n1 $D/control)" = "$before" ]
check "control: a 65-byte write is refused" sh -c "! printf '%065d' 0 > $D/control 2>/dev/null"
echo blocked_min_ms=50 > $D/control
check "control: blocked_min_ms=50 takes effect" [ "$(stat_of blocked_min_ms)" = 50 ]
echo disable > $D/control
check "control: disable detaches the probes" [ "$(stat_of probes_attached)" = 0/6 ]
echo enable > $D/control
check "control: enable attaches them again" [ "$(stat_of probes_attached)" = 6/6 ]
echo blocked_min_ms=100 > $D/control

# ---- accuracy against schedstat ----
# accuracy TID NAME: runq vs run_delay, blocking vs sum_sleep_runtime and
# D-state vs sum_block_runtime.
#
# Known differences of the kernel's own accounting:
# - it skips its clock update when a wakeup preempts or ends idle
#   (rq_clock_skip_update), so its interval edges can lag: run_delay leaves
#   out the wakeup-to-switch latency that waitscope (like runqlat) counts,
#   and a sleep can start at a stale clock, longer than waitscope's.  That
#   is up to WAKE_SLACK_NS per interval under TCG (more on the debug kernel),
#   one way only, on top of the 5% (or 1 ms) bound;
# - the same skipped update hands that latency to sum_exec_runtime: when
#   the host does not run the guest's vCPU for a while, it is long (seen on
#   6.12-rt: runq 30.0 ms against run_delay 5.9 ms, 7 wakeups).  The
#   kernel's on-CPU time above waitscope's is what moved; it bounds runq's
#   excess.  A sleep booked as runq still fails (the sleep checks keep
#   their bounds);
# - where sched_clock is unstable (6.1 here: "TSCs unsynchronized", the
#   clocksource hpet), every CPU keeps a clock of its own, held within a
#   tick of the global time; a wakeup that moves a task to another CPU ends
#   the kernel's sleep on the new CPU's clock, begun on the old one's.  Seen
#   on 6.1: a starve worker's one D block 1.96 ms for waitscope, 3.90 ms for
#   sum_block_runtime (not in 6 other boots of 6.1; that it migrated, in its
#   sched_setaffinity, is our reading, not a measurement).
#   So there each migrating wakeup (nr_wakeups_migrate) may move a tick
#   (4 ms at Debian's HZ=250) between a sleep and the runq wait after it,
#   either way;
# - on PREEMPT_RT a wait for a sleeping spinlock (TASK_RTLOCK_WAIT) is D
#   state for waitscope (as for ps) but neither sleep nor block for
#   schedstat, so there the check compares interruptible sleep only, and
#   D state as a lower bound.
WAKE_SLACK_NS=500000
# The other way: the kernel starts run_delay at the enqueue, a little before
# the sched_wakeup tracepoint fires (wakeup_preempt runs in between).
ENQ_SLACK_NS=100000
# The debug kernel (KASAN, lockdep) takes several times longer on both
# paths (measured: 0.1-2 ms a wakeup either way).
if [ -e /proc/lockdep ]; then
	WAKE_SLACK_NS=2000000
	ENQ_SLACK_NS=2000000
fi
# 6.12's EEVDF may leave a sleeping task queued (delayed dequeue); schedstat
# then books part of its sleep as run delay, or loses it.  The oracle is
# exact only without it, so the accuracy checks run with it off (where the
# kernel has the feature; the module's numbers do not depend on it).
echo NO_DELAY_DEQUEUE > /sys/kernel/debug/sched/features 2>/dev/null &&
	note "sched feature DELAY_DEQUEUE off for the schedstat comparison"
RT=0
uname -v | grep -q PREEMPT_RT && RT=1
SKEW_NS=0
[ "$(cat /sys/devices/system/clocksource/clocksource0/current_clocksource)" = tsc ] ||
	SKEW_NS=4000000
note "clocksource $(cat /sys/devices/system/clocksource/clocksource0/current_clocksource): clock skew allowed per migrating wakeup $SKEW_NS ns"
# close A B ONE_WAY_SLACK [SKEW]: A within 5% (or 1 ms) of B, or below B by
# at most SLACK more (the kernel's interval started at a stale clock), and
# either way by SKEW more (per-CPU clocks).
close() {
	awk -v a="$1" -v b="$2" -v s="$3" -v k="${4:-0}" 'BEGIN {
		t = b * 0.05 + k; if (t < 1000000 + k) t = 1000000 + k
		exit !(a >= b - t - s && a <= b + t) }'
}

accuracy() {
	local tid=$1 name=$2 runq wakeups intr d dn rd ss sb slack oncpu ex moved migr skew
	cat $D/threads > /tmp/acc
	runq=$(col /tmp/acc tid $tid runq_ns)
	oncpu=$(col /tmp/acc tid $tid oncpu_ns)
	ex=$(awk '{ print $1 }' /proc/$tid/schedstat)
	moved=$((ex > oncpu ? ex - oncpu : 0))
	migr=$(awk '$1 ~ /nr_wakeups_migrate$/ { print $NF }' /proc/$tid/sched)
	skew=$((${migr:-0} * SKEW_NS))
	wakeups=$(col /tmp/acc tid $tid nvcsw)
	intr=$(( $(col /tmp/acc tid $tid futex_ns) + $(col /tmp/acc tid $tid sleep_ns) ))
	d=$(( $(col /tmp/acc tid $tid uninterruptible_ns) + $(col /tmp/acc tid $tid io_ns) ))
	dn=$(( $(col /tmp/acc tid $tid uninterruptible_n) + $(col /tmp/acc tid $tid io_n) ))
	rd=$(run_delay $tid)
	ss=$(sched_ns $tid sum_sleep_runtime)
	sb=$(sched_ns $tid sum_block_runtime)
	note "$name tid $tid: runq $runq run_delay $rd (wakeups $wakeups); interruptible $intr + D $d vs sum_sleep $ss with sum_block $sb; on-CPU $oncpu vs sum_exec $ex; migrating wakeups ${migr:-?}"
	slack=$((wakeups * WAKE_SLACK_NS))
	check "$name: runq within 5% (or 1 ms + wakeup latency) of run_delay" \
		awk -v a="$runq" -v b="$rd" -v s="$((slack + moved + skew))" -v e="$((wakeups * ENQ_SLACK_NS + skew))" 'BEGIN {
			t = b * 0.05; if (t < 1000000) t = 1000000
			exit !(a >= b - t - e && a <= b + t + s) }'
	if [ $RT = 0 ]; then
		check "$name: blocked time within 5% (or 1 ms + stale clock) of sum_sleep_runtime" \
			close "$((intr + d))" "$ss" "$slack" "$skew"
		check "$name: D-state time within 5% (or 1 ms + stale clock) of sum_block_runtime" \
			close "$d" "$sb" "$((dn * WAKE_SLACK_NS))" "$skew"
	else
		check "$name: interruptible sleep within 5% (or 1 ms + stale clock) of sum_sleep - sum_block" \
			close "$intr" "$((ss - sb))" "$slack" "$skew"
		# The same one-way allowance as above: the kernel's interval can
		# start at a stale clock (seen: the fsyncer's 200 io waits 1.03 ms
		# short of sum_block_runtime in total).
		check "$name: D-state time (with rtlock waits) at least sum_block_runtime (less 1 ms + stale clock)" \
			awk -v a="$d" -v b="$sb" -v s="$((dn * WAKE_SLACK_NS + skew))" 'BEGIN { exit !(a >= b - 1000000 - s) }'
	fi
}

# ---- sleeper: 20 x 50 ms ----
if start_scenario sleeper; then
	sleeper_check sleeper
	accuracy "$(tcol sleeper tid)" sleeper
	stop_scenario
fi

# ---- locker: 4 threads on one mutex ----
# Spinning outside the lock: schedstat's sleep accounting is exact only for
# tasks that do not sleep with lag on 6.12 (EEVDF delayed dequeue).
if start_scenario locker 4 200 spin; then
	pid=$SCENARIO_PID
	cat $D/threads > /tmp/t
	sum=0 all=1
	for i in 1 2 3 4; do
		n=$(col /tmp/t comm locker-$i futex_n)
		[ "${n:-0}" -gt 0 ] || all=0
		sum=$((sum + ${n:-0}))
	done
	check "locker: every locker thread has futex waits" [ $all = 1 ]
	cat $D/futex > /tmp/f
	rows=$(awk -v p=$pid '!/^#/ && $1 == p && $4 > 0' /tmp/f | wc -l)
	cnt=$(awk -v p=$pid '!/^#/ && $1 == p { s += $4 } END { print s + 0 }' /tmp/f)
	note "locker: futex_n sum $sum, futex file rows $rows count $cnt"
	check "locker: all futex waits are on one address" [ "$rows" = 1 ]
	check "locker: the futex file counts every wait the threads counted" [ "$cnt" = "$sum" ]
	for i in 1 2 3 4; do accuracy "$(col /tmp/t comm locker-$i tid)" locker-$i; done
	stop_scenario
fi

# ---- stuck: blocked forever on a pipe read ----
if start_scenario stuck; then
	sleep 1
	cat $D/blocked > /tmp/b1
	sleep 1
	cat $D/blocked > /tmp/b2
	o1=$(col /tmp/b1 comm stuck off_ns)
	o2=$(col /tmp/b2 comm stuck off_ns)
	note "stuck: off_ns $o1 then $o2"
	check "stuck: listed in blocked, reason sleep" [ "$(col /tmp/b2 comm stuck reason)" = sleep ]
	check "stuck: its duration grows between two reads" gt "${o2:-0}" "$((${o1:-0} + 500000000))"
	check "stuck: blocked in read (syscall 0)" [ "$(col /tmp/b2 comm stuck syscall)" = 0 ]
	if head -n1 /tmp/b2 | grep -q stack=indented; then
		check "stuck: kernel stack symbolized, no raw address" sh -c "
			awk '/ stuck / { s = 1; next } s && /^        / { print; next } s { exit }' /tmp/b2 > /tmp/stk
			grep -q pipe_read /tmp/stk && ! grep -q ' 0x\|^        ffff' /tmp/stk"
	fi
	stop_scenario
fi

# ---- D state: vfork parent ----
if start_scenario vfork 5 200; then
	tid=$(tcol vforker tid)
	n=$(col /tmp/threads.now tid $tid uninterruptible_n)
	ns=$(col /tmp/threads.now tid $tid uninterruptible_ns)
	note "vforker: uninterruptible $n waits, $ns ns"
	check "vforker: 5 uninterruptible waits" [ "$n" = 5 ]
	check "vforker: a D state without io stays uninterruptible (no io waits)" \
		[ "$(col /tmp/threads.now tid $tid io_n)" = 0 ]
	check "vforker: about 5 x 200 ms uninterruptible" within "$ns" 1000000000 10 0
	accuracy $tid vforker
	stop_scenario
fi

# ---- starve: 4 workers beside a hog on one CPU ----
if start_scenario starve 4 3; then
	cat $D/threads > /tmp/t
	for i in 1 2 3 4; do
		runq=$(col /tmp/t comm worker-$i runq_ns)
		off=$runq
		for r in futex io uninterruptible sleep; do
			off=$((off + $(col /tmp/t comm worker-$i ${r}_ns)))
		done
		note "worker-$i: runq $runq of $off off-CPU ns"
		check "starve: worker-$i off-CPU time is at least 90% runq" \
			awk -v a="$runq" -v b="$off" 'BEGIN { exit !(b > 0 && a >= 0.9 * b) }'
		accuracy "$(col /tmp/t comm worker-$i tid)" worker-$i
	done
	stop_scenario
fi

# ---- wakeups that cross CPUs ----
# Each wakeup is made on the other CPU than the wakee's, so the sleep starts
# on one CPU's clock and ends on the other's (or on the wakee's, when the
# wakeup is queued to it by IPI), for schedstat as for waitscope.  Where
# sched_clock is unstable (6.1 here) the two clocks differ; seen there: the
# threads' blocked time within 0.2 ms of sum_sleep_runtime over 200 wakeups.
if start_scenario xping 200; then
	for i in 0 1; do
		xtid=$(awk -v f=$((5 + i)) '$1 == "xping:" { print $f }' /tmp/xping.log)
		cat $D/threads > /tmp/t
		note "xping-$i: nvcsw $(col /tmp/t tid "$xtid" nvcsw), unwoken $(col /tmp/t tid "$xtid" unwoken), runq_n $(col /tmp/t tid "$xtid" runq_n), sleep_n $(col /tmp/t tid "$xtid" sleep_n)"
		# A token can be there before its read when the host holds the
		# reader's vCPU for over 1 ms (seen: 197 of 200 blocked on 6.1).
		check "xping-$i: a blocking read for at least 95% of its 200 tokens, each ended by a wakeup" sh -c "
			[ $(col /tmp/t tid "$xtid" nvcsw) -ge 190 ] && [ $(col /tmp/t tid "$xtid" unwoken) = 0 ]"
		accuracy "$xtid" xping-$i
	done
	stop_scenario
fi

# ---- exec from a non-leader: the thread keeps its own entry ----
if start_scenario execer; then
	pid=$SCENARIO_PID
	old=$(cat /tmp/execer.oldtid)
	cat $D/threads > /tmp/t
	rows=$(awk -v p="$pid" '!/^#/ && $2 == p { print $1 }' /tmp/t | tr '\n' ' ')
	note "execer: pid $pid, exec from tid $old; rows of the process: $rows"
	comm=$(col /tmp/t tid "$pid" comm)
	check "execer: one thread left, its tid the pid, named execed" \
		[ "$rows:$comm" = "$pid :execed" ]
	# /proc's starttime is in clock ticks (10 ms): the leader's start, not
	# the thread's own (which came 1.2 s of sleeps later).
	st=$(awk '{ print $22 }' /proc/$pid/stat)
	sns=$(col /tmp/t tid "$pid" start_ns)
	note "execer: start_ns $sns, /proc starttime $st ticks"
	check "execer: its start_ns is the leader's (the process start time, within 20 ms)" \
		awk -v a="$sns" -v t="$st" 'BEGIN { d = a - t * 10000000; if (d < 0) d = -d; exit !(a ~ /^[0-9]+$/ && d < 20000000) }'

	# 20 ms sleeps land in 16-33 ms, or 33-66 ms when TCG stretches them,
	# later only those its own clock saw late (a busy host: seen once on
	# the debug kernel); the leader's 200 ms ones from 131 ms on.  Its
	# sleeps of 16 ms or more are its 10, none of the leader's 5.
	late=$(awk '$1 == "execer:" { print $7 }' /tmp/execer.log)
	note "execer: sleeps 16-66 ms $(hrange 1 "$pid" sleep 16384 65536), from 16 ms $(hrange 1 "$pid" sleep 16384 999999999), late by its own clock ${late:-?}"
	check "execer: it keeps its own 10 sleeps of 20 ms from before the exec" sh -c "
		[ -n '$late' ] && [ $(hrange 1 "$pid" sleep 16384 999999999) = 10 ] &&
		[ $(hrange 1 "$pid" sleep 16384 65536) -ge $((10 - ${late:-0})) ]"
	check "execer: it inherits none of the leader's 5 sleeps of 200 ms" \
		[ "$(hrange 1 "$pid" sleep 131072 999999999)" -le "${late:-0}" ]
	check "execer: no entry is left under its old tid" \
		[ -z "$(awk -v t="$old" '!/^#/ && $1 == t' /tmp/t)" ]
	stop_scenario
fi

# ---- a reused tgid does not inherit a dead process's futex counts ----
# ns_last_pid (CONFIG_CHECKPOINT_RESTORE) picks the pid a new process gets.
futexer_at() {
	echo $(($1 - 1)) > /proc/sys/kernel/ns_last_pid && start_scenario futexer "$2"
}
if [ -w /proc/sys/kernel/ns_last_pid ]; then
	want=$(($(cat /proc/sys/kernel/ns_last_pid) + 500))
	if futexer_at $want 10; then
		first=$SCENARIO_PID
		addr=$(sed -n 's/.* on 0x\([0-9a-f]*\)$/\1/p' /tmp/futexer.log)
		stop_scenario
		# Within the collector's one-second delay after the exit.
		if futexer_at $want 3; then
			cat $D/futex > /tmp/f
			cnt=$(awk -v p="$SCENARIO_PID" -v a="$addr" '!/^#/ && $1 == p && $2 ~ a"$" { s += $4 } END { print s + 0 }' /tmp/f)
			note "futexer: pids $first then $SCENARIO_PID, word 0x$addr, count $cnt"
			check "futexer: the second process has the same pid" [ "$first" = "$SCENARIO_PID" ]
			check "futexer: its word counts its own 3 waits, not the dead process's 10 more" [ "$cnt" = 3 ]
			stop_scenario
		fi
	fi
else
	echo "skip - futexer: no ns_last_pid in this kernel"
fi

# ---- io, proven on a known-answer disk ----
# null_blk with timer completions (irqmode=2): every request completes
# completion_nsec after it is queued, so each O_DIRECT read of the reader
# is one io wait of about 5 ms, and each fsync of the writer waits for the
# write-back of its one block.  Oracles: the kernel's own iowait_count and
# iowait_sum (/proc/TID/sched, schedstats on) and the disk's request
# counts and busy time (/sys/block/nullb0/stat).
DISK_NS=5000000
DISK_N=200
# blkstat FIELD: a field of /sys/block/nullb0/stat (1 reads, 4 read ticks
# in ms, 5 writes, 8 write ticks, 10 io_ticks)
blkstat() { awk -v f="$1" '{ print $f }' /sys/block/nullb0/stat; }
sched_count() { awk -v f="$2" '$1 ~ ("(^|\\.)" f "$") { print $NF }' /proc/$1/sched; }
load_disk() {
	[ -f /opt/ws/configfs.ko ] && insmod /opt/ws/configfs.ko 2> /dev/null
	[ -f /opt/ws/null_blk.ko ] || return 1
	insmod /opt/ws/null_blk.ko irqmode=2 completion_nsec=$DISK_NS || return 1
	i=0
	while [ ! -b /dev/nullb0 ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
	[ -b /dev/nullb0 ]
}
if load_disk; then
	# Waits of 5 ms become events: the recorder's threshold below them,
	# and rings large enough that no read is overwritten meanwhile (on
	# 6.12-rt the kernel's own threads filled 1024 a CPU within the run).
	rmmod waitscope
	insmod /opt/ws/waitscope.ko slow_min_us=2000 slow_capacity=16384
	cat $D/events > /tmp/io.ev0
	io_last=$(awk 'NR == 2 { for (i = 2; i <= NF; i++) if ($i ~ /^last=/) print substr($i, 6) }' /tmp/io.ev0)
	r0=$(blkstat 1) rt0=$(blkstat 4) w0=$(blkstat 5)
	if start_scenario disk /dev/nullb0 $DISK_N; then
		r1=$(blkstat 1) rt1=$(blkstat 4) w1=$(blkstat 5)
		rtid=$(awk '$1 == "disk:" { print $5 }' /tmp/disk.log)
		wtid=$(awk '$1 == "disk:" { print $7 }' /tmp/disk.log)
		cat $D/threads > /tmp/io.t
		rn=$(col /tmp/io.t tid $rtid io_n) rns=$(col /tmp/io.t tid $rtid io_ns)
		wn=$(col /tmp/io.t tid $wtid io_n) wns=$(col /tmp/io.t tid $wtid io_ns)
		rb=$(hrange 1 $rtid io 4096 8192)
		ric=$(sched_count $rtid iowait_count) ris=$(sched_ns $rtid iowait_sum)
		wic=$(sched_count $wtid iowait_count) wis=$(sched_ns $wtid iowait_sum)
		note "disk: reads $((r1 - r0)) (read ticks $((rt1 - rt0)) ms) writes $((w1 - w0))"
		note "ioreader $rtid: io_n $rn io_ns $rns, 4-8 ms bucket $rb; iowait_count $ric iowait_sum $ris"
		note "fsyncer $wtid: io_n $wn io_ns $wns; iowait_count $wic iowait_sum $wis; uninterruptible_n $(col /tmp/io.t tid $wtid uninterruptible_n)"
		check "disk: the device served exactly the reader's $DISK_N reads" [ $((r1 - r0)) = $DISK_N ]
		# A request that completes before its task got to sleep on it costs
		# no wait, for the kernel's iowait_count as for waitscope: the path
		# from submission to sleep can take longer than the device's 5 ms
		# when the guest's CPU is not running (a busy TCG host) or slow
		# (KASAN).  So the count must equal iowait_count exactly, and may
		# fall short of the requests only by a few.  Seen: 198-200 of 200 on
		# Debian's kernels beside another guest, 196 reads and 185 fsyncs on
		# the debug kernel (iowait_count equal each time).  The same slow
		# submission shortens a wait against the device's busy time.
		io_min=$((DISK_N * 95 / 100)) io_lag_ms=1
		[ -e /proc/lockdep ] && io_min=$((DISK_N * 85 / 100)) io_lag_ms=2
		check "ioreader: an io wait per read ($DISK_N, at least $io_min)" \
			sh -c "[ $rn -le $DISK_N ] && [ $rn -ge $io_min ]"
		check "ioreader: the kernel's iowait_count agrees" [ "$rn" = "$ric" ]
		# iowait_sum can start at a stale clock (see accuracy above): waitscope
		# may be lower by WAKE_SLACK_NS a wait.  Seen on the debug kernel:
		# the fsyncer's 193 waits 1151 ms against 1234 ms.
		check "ioreader: io time within 5% (or 1 ms + stale clock) of iowait_sum" \
			close "$rns" "$ris" "$((rn * WAKE_SLACK_NS))"
		check "ioreader: io time within 5% (or $io_lag_ms ms a read) of the device's read ticks" \
			within "$rns" "$(((rt1 - rt0) * 1000000))" 5 $((DISK_N * io_lag_ms * 1000000))
		# A wait starts at the switch-out, after the request is queued: a
		# slow submission (the debug kernel's KASAN) shortens it below the
		# device's 5 ms, a late timer under a busy TCG host lengthens it,
		# for the device too (its read ticks are the upper oracle above).
		# Seen in 4-8 ms: 196-199 of 200 on Debian's kernels, 184-189 on
		# the debug kernel (with another guest running beside it), and 160
		# of 198 there once in CI.  A read its own clock saw take 16 ms or
		# more may be counted above; the rest: 95%, 80% on the debug kernel.
		rb2=$(hrange 1 $rtid io 4096 16384)
		rlate=$(awk '$1 == "disk:" { print $13 }' /tmp/disk.log)
		rpct=95
		[ -e /proc/lockdep ] && rpct=80
		note "ioreader: $rb2 waits in 4-16 ms, $rlate reads late by its own clock"
		check "ioreader: at least $rpct% of its waits in 4-16 ms, but the reads late by its own clock" \
			sh -c "[ -n '$rlate' ] && [ $rb2 -ge $(((rn - ${rlate:-0}) * rpct / 100)) ]"
		check "ioreader: its mean io wait is at least 4.5 ms (the device takes 5)" \
			[ $((rns / DISK_N)) -ge 4500000 ]
		check "ioreader: no wait of the reads is uninterruptible" [ "$(col /tmp/io.t tid $rtid uninterruptible_n)" = 0 ]
		check "fsyncer: the device wrote at least one request per fsync" [ $((w1 - w0)) -ge $DISK_N ]
		check "fsyncer: an io wait per fsync ($DISK_N, at least $io_min), as many as iowait_count" sh -c "
			[ $wn -ge $io_min ] && [ $wn = $wic ]"
		check "fsyncer: io time within 5% (or 1 ms + stale clock) of iowait_sum" \
			close "$wns" "$wis" "$((wn * WAKE_SLACK_NS))"
		accuracy $rtid ioreader
		accuracy $wtid fsyncer
		stress seekread $D/events "$io_last" > /tmp/io.ev 2> /dev/null
		# The threshold is 2 ms: one event per wait of the 2048 us bucket and
		# up, and at most those of the 1024 us bucket on top.
		ev_r=$(awk -v t=$rtid '!/^#/ && $4 == "wait" && $5 == t && $8 == "io"' /tmp/io.ev | wc -l)
		ev_rs=$(awk -v t=$rtid '!/^#/ && $4 == "wait" && $5 == t && $8 == "io" && $9 >= 2000000 && $9 < 50000000' /tmp/io.ev | wc -l)
		h2=$(hrange 1 $rtid io 2048 99999999999) h1=$(hrange 1 $rtid io 1024 99999999999)
		note "ioreader: $ev_r io events, $ev_rs of 2-50 ms (io waits from 2048 us: $h2, from 1024 us: $h1); wakers: $(awk -v t=$rtid '!/^#/ && $5 == t && $8 == "io" { print $15 }' /tmp/io.ev | sort | uniq -c | sort -rn | head -3 | tr '\n' ' ')"
		check "ioreader: no event was overwritten before it was read" \
			[ "$(sed -n 2p /tmp/io.ev | sed -n 's/.* missed=\([0-9]*\).*/\1/p')" = 0 ]
		check "ioreader: one slow event of reason io per io wait above the 2 ms threshold" sh -c "
			[ $ev_r -ge $h2 ] && [ $ev_r -le $h1 ]"
		check "ioreader: its io events last 2-50 ms, as its reads" [ "$ev_rs" = "$ev_r" ]
		check "ioreader: no slow event of another reason but runq during the reads" [ \
			"$(awk -v t=$rtid '!/^#/ && $4 == "wait" && $5 == t && $8 != "io" && $8 != "runq"' /tmp/io.ev | wc -l)" = 0 ]
		waitscope report > /tmp/io.report 2> /tmp/io.report.err
		grep 'hidden\|I/O' /tmp/io.report | head -4 | sed 's/^/# report: /'
		check "report: a hidden-blocking finding for the reader, mostly I/O" \
			grep -q "thread $rtid (ioreader) of pid $SCENARIO_PID spent .* mostly I/O" /tmp/io.report
		stop_scenario
	fi
	rmmod waitscope
	insmod /opt/ws/waitscope.ko
	rmmod null_blk
else
	echo "skip - io: no null_blk module for this kernel"
fi

# ---- churn: 20000 short-lived threads (2000 on the debug kernel) ----
# Under TCG the debug kernel (KASAN, lockdep) takes about 18 ms a thread:
# 20000 took 371 s there, 80% of this suite, for the same checks.
CHURN_N=20000
[ -e /proc/lockdep ] && CHURN_N=2000
sleep 1
base=$(stat_of used)
scenario churn $CHURN_N > /tmp/churn.log 2>&1
note "churn: $(cat /tmp/churn.log)"
sleep 1
after=$(stat_of used)
note "churn: used $base before, $after after"
check "churn: table usage returns to its baseline" [ "$after" -le "$((base + 2))" ]
# Readers (this shell's own awk) come and go: an entry is stale only if its
# thread is gone and the entry is still there a second later.
gone_tids() {
	awk '!/^#/ { print $1 }' $D/threads > /tmp/tids
	while read -r tid; do [ -d /proc/$tid ] || echo $tid; done < /tmp/tids
}
gone_tids > /tmp/gone1
sleep 1
gone_tids > /tmp/gone2
stale=$(grep -xFf /tmp/gone1 /tmp/gone2 | tr '\n' ' ')
[ -z "$stale" ] || note "stale entries: $stale"
check "churn: no entry left for a thread that is gone" [ -z "$stale" ]
check "churn: nothing dropped" [ "$(stat_of dropped_total)" = 0 ]

note "blocks_unwoken $(stat_of blocks_unwoken) after every scenario"
check "rmmod waitscope" rmmod waitscope
check "debugfs directory gone after rmmod" [ ! -e $D ]
