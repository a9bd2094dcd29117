# The lifecycle suite: failed init, a second load, unload while a reader
# holds a file open, CPU hotplug while tracing, and many load/unload cycles
# under a context-switch-heavy load with readers and a control writer.
# Needs /opt/ws/stress (tests/stress/stress.c) and /opt/ws/scenario.
. /tests/lib.sh

KO=/opt/ws/waitscope.ko
# 100 cycles on Debian's kernels, 50 on the debug kernel.  Under TCG a
# cycle takes 1-2.5 s on Debian's kernels and 3-7 s on the debug kernel
# (692 s for 100 there, alone on a slow host, 2026-12-03): with both vCPUs
# busy, every cross-CPU sync of a load, unload or enable (text patching for
# the tracepoints' static keys, RCU grace periods) waits out the other
# vCPU's TCG time slice.  ws.lifecycle_cycles=N on the kernel command line
# overrides it.
CYCLES=100
[ -e /proc/lockdep ] && CYCLES=50
for a in $(cat /proc/cmdline); do
	case $a in ws.lifecycle_cycles=*) CYCLES=${a#*=} ;; esac
done

uptime_cs() { awk '{ printf "%d\n", $1 * 100 }' /proc/uptime; }
secs() { echo "$(($1 / 100)).$(($1 % 100 / 10))"; }
SUITE_T0=$(uptime_cs)
loaded() { grep -q '^waitscope ' /proc/modules; }
# unload: rmmod, retried while busy (readers hold files), each try under a
# timeout.  Sets TRIES; fails on a hang or after MAX tries.
unload() {
	local max=${1:-100} rc
	TRIES=0
	while :; do
		TRIES=$((TRIES + 1))
		timeout -s KILL 30 rmmod waitscope 2> /tmp/rmmod.err
		rc=$?
		[ $rc = 0 ] && return 0
		[ $rc -ge 128 ] && { note "rmmod hung (killed after 30 s)"; return 1; }
		loaded || { note "rmmod failed but the module is gone: $(cat /tmp/rmmod.err)"; return 1; }
		[ $TRIES -ge "$max" ] && { note "rmmod still failing after $TRIES tries: $(cat /tmp/rmmod.err)"; return 1; }
		usleep 20000
	done
}
cleanup() { loaded && unload 50 > /dev/null; }

# ---- a failed init unwinds: no debugfs, no half-loaded module ----
cleanup
dmesg -c > /dev/null
timeout -s KILL 60 insmod $KO capacity=4194304 > /tmp/ins.out 2>&1
rc=$?
note "insmod capacity=4194304: exit $rc, $(cat /tmp/ins.out)"
check "failed init: insmod capacity=4194304 (4 GiB in a 1 GiB guest) is refused, no hang" \
	[ $rc != 0 -a $rc -lt 128 ]
check "failed init: the error is ENOMEM" grep -q "Cannot allocate memory" /tmp/ins.out
# Debian's kernels add taint lines for an unsigned out-of-tree module.
dmesg | grep -v "taints kernel\|tainting kernel" > /tmp/ins.dmesg
grep -i "waitscope\|vmalloc\|alloc.*fail\|Call Trace" /tmp/ins.dmesg | sed 's/^/# dmesg: /'
check "failed init: dmesg gives the reason in one line per attempt" sh -c '
	n=$(grep -c "waitscope: cannot allocate the thread table (capacity=4194304" /tmp/ins.dmesg)
	[ "$n" -ge 1 ] && [ "$(grep -c waitscope /tmp/ins.dmesg)" = "$n" ] &&
	! grep -qi "vmalloc error\|allocation failure\|Call Trace" /tmp/ins.dmesg'
check "failed init: no module left" sh -c '! grep -q "^waitscope " /proc/modules'
check "failed init: no debugfs directory left" [ ! -e $D ]
check "failed init: a normal insmod works after it" timeout -s KILL 60 insmod $KO
check "failed init: ... and traces (enabled, 6/6 probes)" sh -c "
	[ \"\$(awk '\$1 == \"enabled\" { print \$2 }' $D/stats)\" = 1 ] &&
	[ \"\$(awk '\$1 == \"probes_attached\" { print \$2 }' $D/stats)\" = 6/6 ]"

# ---- a second insmod is refused; the first instance keeps working ----
loaded || timeout -s KILL 60 insmod $KO
echo reset > $D/control
sw1=$(stat_of events_sched_switch)
timeout -s KILL 60 insmod $KO capacity=64 > /tmp/ins2.out 2>&1
rc=$?
note "second insmod: exit $rc, $(cat /tmp/ins2.out)"
check "second insmod: refused with EEXIST" sh -c "[ $rc != 0 ] && [ $rc -lt 128 ] && grep -q 'File exists' /tmp/ins2.out"
sleep 0.3
sw2=$(stat_of events_sched_switch)
note "second insmod: sched_switch events $sw1 then $sw2"
check "second insmod: the first instance keeps its settings (capacity 16384, 6/6 probes, enabled)" sh -c "
	[ \"$(stat_of capacity)\" = 16384 ] && [ \"$(stat_of probes_attached)\" = 6/6 ] &&
	[ \"$(stat_of enabled)\" = 1 ]"
check "second insmod: the first instance is still tracing" gt "${sw2:-0}" "${sw1:-0}"
check "second insmod: its files still read" sh -c "
	for f in threads histograms blocked futex stats events control; do
		head -n1 $D/\$f | grep -q '^# waitscope \|^enabled=1' || exit 1
	done"
check "second insmod: control still takes commands" sh -c "echo disable > $D/control && echo enable > $D/control &&
	[ \"\$(awk '\$1 == \"probes_attached\" { print \$2 }' $D/stats)\" = 6/6 ]"

# ---- unload while a reader holds a file open mid-read ----
hold_test() {
	local f=$1 pid i rc out
	rm -f /tmp/hold.pid /tmp/hold.out
	stress hold $D/$f 10 > /tmp/hold.out 2>&1 &
	i=0
	while [ ! -s /tmp/hold.pid ] && [ $i -lt 100 ]; do usleep 50000; i=$((i + 1)); done
	if [ ! -s /tmp/hold.pid ]; then
		notok "hold $f: the reader did not start: $(cat /tmp/hold.out)"
		return
	fi
	pid=$(cat /tmp/hold.pid)
	note "hold $f: refcnt $(cat /sys/module/waitscope/refcnt) with the reader at byte 10"
	timeout -s KILL 30 rmmod waitscope > /tmp/rm.out 2>&1
	rc=$?
	note "hold $f: rmmod exit $rc: $(cat /tmp/rm.out)"
	if [ $rc = 0 ]; then
		# Allowed if clean: the module gone, the reader's read ending cleanly.
		kill -USR1 $pid
		wait $pid
		out=$?
		note "hold $f: module unloaded under the reader; reader exit $out: $(cat /tmp/hold.out)"
		check "hold $f: unload under an open file left no directory" [ ! -e $D ]
		check "hold $f: the reader's read ended cleanly" [ $out = 0 ]
		timeout -s KILL 60 insmod $KO
		return
	fi
	check "hold $f: rmmod with the file open fails (busy), no hang" sh -c "[ $rc -lt 128 ] &&
		grep -qi 'in use\|busy\|temporarily unavailable' /tmp/rm.out"
	check "hold $f: the module stays loaded and its refcount held" sh -c "
		grep -q '^waitscope ' /proc/modules && [ \$(cat /sys/module/waitscope/refcnt) -ge 1 ] &&
		[ -e $D/stats ]"
	kill -USR1 $pid
	wait $pid
	rc=$?
	check "hold $f: the reader then reads on to a clean EOF" sh -c "[ $rc = 0 ] && grep -q 'clean EOF' /tmp/hold.out"
	note "$(cat /tmp/hold.out)"
	check "hold $f: after the reader closed, rmmod succeeds" unload 50
	check "hold $f: ... and the directory is gone" [ ! -e $D ]
	timeout -s KILL 60 insmod $KO
}
loaded || timeout -s KILL 60 insmod $KO
hold_test threads
hold_test stats
hold_test futex
hold_test events
cleanup

# ---- CPU hotplug while tracing ----
CPU1=/sys/devices/system/cpu/cpu1/online
sleeper_run() {
	echo reset > $D/control
	if ! start_scenario sleeper; then
		return
	fi
	sleeper_check "hotplug $1"
	stop_scenario
}
# runq_buckets N: the bucket fields of stats' runq_cpuN line
runq_buckets() { awk -v k="runq_cpu$1" '$1 == k { $1 = ""; print }' $D/stats; }
if [ ! -w $CPU1 ]; then
	echo "skip - hotplug: cpu1 has no online control (no CPU hotplug for it in this kernel)"
elif ! timeout -s KILL 60 insmod $KO; then
	notok "hotplug: insmod"
elif ! timeout -s KILL 60 sh -c "echo 0 > $CPU1" 2> /tmp/hp.err; then
	echo "skip - hotplug: cpu1 cannot be taken offline: $(cat /tmp/hp.err)"
	cleanup
else
	check "hotplug: cpu1 is offline" [ "$(cat /sys/devices/system/cpu/online)" = 0 ]
	check "hotplug: tracing survives the offline (enabled, 6/6 probes)" sh -c "
		[ \"$(stat_of enabled)\" = 1 ] && [ \"$(stat_of probes_attached)\" = 6/6 ]"
	sleeper_run "cpu1 offline"
	check "hotplug: with cpu1 offline no run-queue wait ends on it" [ -z "$(runq_buckets 1)" ]
	check "hotplug: cpu1 comes back online" timeout -s KILL 60 sh -c "echo 1 > $CPU1"
	check "hotplug: both CPUs online" [ "$(cat /sys/devices/system/cpu/online)" = 0-1 ]
	sleeper_run "cpu1 online again"
	# Pairs pinned to every CPU: run-queue waits now end on cpu1 too.
	stress load 1 > /tmp/load1.out 2>&1
	note "hotplug: $(cat /tmp/load1.out); runq_cpu1:$(runq_buckets 1)"
	check "hotplug: run-queue waits are counted on cpu1 again" [ -n "$(runq_buckets 1)" ]
	# Offline and online again under load while tracing, three times.
	rm -f /tmp/load.pid
	stress load > /tmp/load.out 2>&1 &
	lp=$!
	i=0
	while [ ! -s /tmp/load.pid ] && [ $i -lt 100 ]; do usleep 50000; i=$((i + 1)); done
	bad=0
	for i in 1 2 3; do
		timeout -s KILL 60 sh -c "echo 0 > $CPU1" || bad=1
		cat $D/threads $D/stats > /dev/null || bad=1
		echo reset > $D/control || bad=1
		timeout -s KILL 60 sh -c "echo 1 > $CPU1" || bad=1
		cat $D/threads $D/histograms > /dev/null || bad=1
	done
	kill $lp
	wait $lp
	note "hotplug under load: $(cat /tmp/load.out)"
	check "hotplug: three offline/online rounds under load, files read, reset works" [ $bad = 0 ]
	check "hotplug: cpu1 online at the end" [ "$(cat $CPU1)" = 1 ]
	check "hotplug: still tracing (6/6 probes) and the table consistent (used <= capacity)" sh -c "
		[ \"$(stat_of probes_attached)\" = 6/6 ] && [ $(stat_of used) -le $(stat_of capacity) ]"
	check "hotplug: rmmod" unload 50
fi
[ -w $CPU1 ] && [ "$(cat $CPU1)" = 0 ] && echo 1 > $CPU1

# ---- load/unload cycles under load, readers and a control writer ----
# The load runs at nice 19: it fills every idle moment with context
# switches and thread churn without starving the loads and unloads (at
# nice 0 under TCG a cycle takes seconds, not a fraction of one).
cleanup
rm -f /tmp/lc.stop /tmp/lc.* /tmp/load.pid
stress load -n 19 > /tmp/lc.load 2>&1 &
LOADPID=$!
i=0
while [ ! -s /tmp/load.pid ] && [ $i -lt 100 ]; do usleep 50000; i=$((i + 1)); done
check "cycles: the load runs" [ -s /tmp/load.pid ]

# The writer toggles tracing through the control file and the module
# parameters; a write that finds the module gone is refused, fine.
# Reader R: cat every file in the directory, over and over; a cat killed by
# its timeout is a hang.  A cat that finds the module gone fails; fine.
reader() {
	local ok=0 fail=0 hang=0 rc
	while [ ! -e /tmp/lc.stop ]; do
		timeout -s KILL 20 cat $D/threads $D/histograms $D/blocked $D/futex \
			$D/stats $D/control > /dev/null 2>&1
		rc=$?
		if [ $rc = 0 ]; then ok=$((ok + 1))
		elif [ $rc -ge 128 ]; then hang=$((hang + 1))
		else fail=$((fail + 1)); fi
		usleep 50000
	done
	echo "$ok $fail $hang" > /tmp/lc.reader$1
}
writer() {
	local ok=0 gone=0 bad=0 c f rc
	while [ ! -e /tmp/lc.stop ]; do
		for c in disable enable reset disable reset enable P:enabled=0 P:enabled=1 P:reset=1; do
			f=$D/control
			case $c in P:*)
				# The lockdown fallback: the same knobs as module parameters.
				f=/sys/module/waitscope/parameters/${c#P:}
				f=${f%=*} c=${c#*=} ;;
			esac
			timeout -s KILL 20 stress write $f $c 2>> /tmp/lc.werr
			rc=$?
			case $rc in
			0) ok=$((ok + 1)) ;;
			1) gone=$((gone + 1)) ;;
			*) bad=$((bad + 1)); echo "$c: exit $rc" >> /tmp/lc.werr ;;
			esac
			usleep 100000
		done
	done
	echo "$ok $gone $bad" > /tmp/lc.writer
}
for r in 1 2 3 4; do reader $r & done
writer &

t0=$(uptime_cs)
done_n=0 tries=0 maxtries=0 why=
while [ $done_n -lt "$CYCLES" ]; do
	timeout -s KILL 30 insmod $KO capacity=1024 2> /tmp/lc.ins
	rc=$?
	if [ $rc != 0 ]; then
		why="insmod in cycle $((done_n + 1)) failed (exit $rc): $(cat /tmp/lc.ins)"
		break
	fi
	# Stay loaded a little, varying: 0, 20, 40 or 60 ms.
	[ $((done_n % 4)) = 0 ] || usleep $((done_n % 4 * 20000))
	# rmmod, retried while a reader holds a file open (EAGAIN).
	timeout -s KILL 30 stress unload waitscope 20 > /tmp/lc.rm 2>&1
	rc=$?
	if [ $rc != 0 ]; then
		why="unload in cycle $((done_n + 1)) failed (exit $rc): $(cat /tmp/lc.rm)"
		break
	fi
	n=$(cat /tmp/lc.rm)
	n=${n#unload: }
	n=${n% tries}
	tries=$((tries + n))
	[ "$n" -gt $maxtries ] && maxtries=$n
	done_n=$((done_n + 1))
done
t1=$(uptime_cs)
touch /tmp/lc.stop
note "cycles: $done_n of $CYCLES in $(secs $((t1 - t0))) s; delete_module tries $tries (at most $maxtries in one cycle)"
[ -z "$why" ] || note "$why"
check "cycles: $CYCLES insmod/rmmod cycles under load, none failed or hung" [ $done_n = "$CYCLES" ]

# Readers and writer stop within their timeouts.
i=0
while [ $i -lt 300 ]; do
	[ -s /tmp/lc.writer ] && [ -s /tmp/lc.reader1 ] && [ -s /tmp/lc.reader2 ] &&
		[ -s /tmp/lc.reader3 ] && [ -s /tmp/lc.reader4 ] && break
	usleep 100000
	i=$((i + 1))
done
rok=0 rfail=0 rhang=0
for r in 1 2 3 4; do
	[ -s /tmp/lc.reader$r ] || continue
	read -r a b c < /tmp/lc.reader$r
	rok=$((rok + a)) rfail=$((rfail + b)) rhang=$((rhang + c))
done
note "cycles: readers $rok passes over all files, $rfail passes hit the module gone, $rhang hung"
check "cycles: readers finished, no read hung" sh -c "
	[ -s /tmp/lc.reader1 ] && [ -s /tmp/lc.reader4 ] && [ $rhang = 0 ]"
check "cycles: readers read the live module" [ $rok -gt 0 ]
wok=0 wgone=0 wbad=0
[ -s /tmp/lc.writer ] && read -r wok wgone wbad < /tmp/lc.writer
note "cycles: writer $wok commands taken, $wgone refused (unloaded), $wbad other errors"
[ -s /tmp/lc.werr ] && sort /tmp/lc.werr | uniq -c | head -5 | sed 's/^/# writer: /'
check "cycles: writer finished, every write taken or refused as unloaded" sh -c "
	[ -s /tmp/lc.writer ] && [ $wbad = 0 ]"
check "cycles: the writer's commands reached the live module" [ $wok -gt 0 ]

kill $LOADPID 2> /dev/null
i=0
while [ -d /proc/$LOADPID ] && [ $i -lt 100 ]; do usleep 100000; i=$((i + 1)); done
wait $LOADPID 2> /dev/null
note "cycles: $(cat /tmp/lc.load)"
check "cycles: the load stops" [ ! -d /proc/$LOADPID ]
check "cycles: the load did its work" grep -q "load: [1-9][0-9]* pipe, [1-9][0-9]* futex round trips, [1-9][0-9]* threads" /tmp/lc.load
cleanup
check "cycles: module unloaded at the end, directory gone" sh -c "! grep -q '^waitscope ' /proc/modules && [ ! -e $D ]"
check "cycles: a final load traces and unloads" sh -c "
	timeout -s KILL 60 insmod $KO && sleep 0.2 &&
	[ \$(awk '\$1 == \"events_sched_switch\" { print \$2 }' $D/stats) -gt 0 ] &&
	timeout -s KILL 60 rmmod waitscope"
note "lifecycle: suite took $(secs $(($(uptime_cs) - SUITE_T0))) s, $CYCLES cycles"
