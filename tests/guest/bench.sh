# make bench, inside the guest: every workload under every condition,
# conditions rotated each round so that no condition always runs first or
# right after the same neighbour.  Prints lines for tests/bench/table.py:
#   BENCH ROUND CONDITION MODE OPS NS_PER_OP SWITCHES_PER_OP
#   BENCH-STAT KEY VALUE          (waitscope's stats, loaded and enabled)
#   BENCH-MICRO PATH NS           (waitscope_bench.ko, one line per path)
#   BENCH-MICRO-BASE|NEW LOAD PATH NS  (the A/B against a base module)
#   BENCH-MICRO-REC off|default|all LOAD PATH NS  (the recorder off, at its
#                                 default, and with every wait an event)
. /tests/lib.sh
export PATH=$PATH:/usr/bin:/usr/sbin	# bpftrace and perf, at their own paths

ROUNDS=10 SECONDS_PER_RUN=1 PAIRS=16
# none-again is a second untraced arm: its spread against none (A/A) says
# how large an effect this host can tell from noise.
CONDITIONS="none enabled norec disabled runqlat runqlat+offcpu perf none-again"
WORKLOADS="pipe pipe-x futex futex-x pairs churn"
[ -f /opt/ws/bench.conf ] && . /opt/ws/bench.conf
TOOL_WAIT=120	# seconds a tool may take to attach
STOP_WAIT=30	# ... and to exit after SIGINT

# bpftrace equivalents of runqlat and of offcputime without stacks.
cat > /tmp/runqlat.bt <<'BT'
tracepoint:sched:sched_wakeup, tracepoint:sched:sched_wakeup_new
{
	@qtime[args->pid] = nsecs;
}
tracepoint:sched:sched_switch
{
	if (args->prev_state == 0) {
		@qtime[args->prev_pid] = nsecs;
	}
	$ns = @qtime[args->next_pid];
	if ($ns) {
		@usecs = hist((nsecs - $ns) / 1000);
	}
	delete(@qtime[args->next_pid]);
}
interval:ms:100 /@ready == 0/ { printf("WS-READY\n"); @ready = 1; }
BT
cat > /tmp/offcpu.bt <<'BT'
tracepoint:sched:sched_switch
{
	@start[args->prev_pid] = nsecs;
	$s = @start[args->next_pid];
	if ($s) {
		@offcpu_ns[args->next_pid] = sum(nsecs - $s);
		delete(@start[args->next_pid]);
	}
}
interval:ms:100 /@ready == 0/ { printf("WS-READY\n"); @ready = 1; }
BT

TOOL_PIDS=

# wait_for PID FILE PATTERN: until FILE holds PATTERN, while PID lives, at
# most TOOL_WAIT s.
wait_for() {
	local i=0
	while ! grep -q "$3" "$2" 2>/dev/null; do
		kill -0 "$1" 2>/dev/null || return 1
		[ $i -ge $((TOOL_WAIT * 10)) ] && return 1
		sleep 0.1
		i=$((i + 1))
	done
}

start_bpftrace() {
	local name=$1
	bpftrace /tmp/$name.bt > /tmp/$name.out 2>&1 &
	TOOL_PIDS="$TOOL_PIDS $!"
	wait_for $! /tmp/$name.out WS-READY || { note "bpftrace $name did not attach:"; cat /tmp/$name.out; return 1; }
}

start_perf() {
	rm -f /tmp/perf.data
	perf sched record -o /tmp/perf.data -- sleep 100000 > /tmp/perf.out 2>&1 &
	TOOL_PIDS="$TOOL_PIDS $!"
	# perf writes the file's header once its events are enabled.
	local i=0
	while [ ! -s /tmp/perf.data ] && [ $i -lt $((TOOL_WAIT * 10)) ] && kill -0 $! 2>/dev/null; do
		sleep 0.1
		i=$((i + 1))
	done
	[ -s /tmp/perf.data ] || { note "perf sched record did not start:"; cat /tmp/perf.out; return 1; }
	sleep 1
}

# stop PID: SIGINT (bpftrace prints its maps, perf writes its header), then
# SIGKILL if it has not exited within STOP_WAIT s.
stop() {
	local i=0
	kill -INT "$1" 2>/dev/null
	while kill -0 "$1" 2>/dev/null && [ $i -lt $((STOP_WAIT * 10)) ]; do
		sleep 0.1
		i=$((i + 1))
	done
	if kill -0 "$1" 2>/dev/null; then
		note "pid $1 ($(cat /proc/$1/comm 2>/dev/null)) ignored SIGINT for ${STOP_WAIT}s: killed"
		kill -9 "$1"
	fi
	wait "$1" 2>/dev/null
}

stop_tools() {
	local p
	for p in $TOOL_PIDS; do stop "$p"; done
	TOOL_PIDS=
	pkill -f 'sleep 100000' 2>/dev/null
	rm -f /tmp/perf.data /tmp/perf.data.old
}

setup() {
	case $1 in
	none | none-again) ;;
	enabled) insmod /opt/ws/waitscope.ko ;;
	# The flight recorder off (no slow events, no exit events): against
	# enabled, what the recorder at its default costs the workloads.
	norec) insmod /opt/ws/waitscope.ko slow_min_us=0 exit_events=0 ;;
	disabled) insmod /opt/ws/waitscope.ko && echo disable > $D/control ;;
	runqlat) start_bpftrace runqlat ;;
	runqlat+offcpu) start_bpftrace runqlat && start_bpftrace offcpu ;;
	perf) start_perf ;;
	esac
}

teardown() {
	case $1 in
	enabled | norec | disabled) rmmod waitscope ;;
	runqlat | runqlat+offcpu | perf) stop_tools ;;
	esac
}

stats_once() {
	[ -n "$STATS_DONE" ] && return
	STATS_DONE=1
	awk '!/^#/ && NF == 2 { print "BENCH-STAT", $1, $2 }' $D/stats
}

# microbench_load KO TAG [PARAM...]: load a microbenchmark module once,
# print its lines as "TAG PATH NS", unload it.
microbench_load() {
	local ko=$1 tag=$2
	shift 2
	dmesg -c > /dev/null
	insmod "$ko" "$@" || { notok "bench: $(basename "$ko") loads"; return 1; }
	dmesg | awk -v tag="$tag" '/waitscope_bench: .* ns per call/ {
		for (i = 1; i <= NF; i++) if ($i == "waitscope_bench:") print tag, $(i + 1), $(i + 2) }'
	rmmod waitscope_bench
}

# With a base module (make bench WS_BENCH_BASE=COMMIT), the two load in
# turn MICRO_LOADS times: an A/B in one boot, which drifts less than two.
microbench() {
	local i=1
	if [ ! -f /opt/ws/waitscope_bench_base.ko ]; then
		microbench_load /opt/ws/waitscope_bench.ko BENCH-MICRO
		return
	fi
	while [ $i -le "${MICRO_LOADS:-6}" ]; do
		microbench_load /opt/ws/waitscope_bench_base.ko "BENCH-MICRO-BASE $i" || return
		microbench_load /opt/ws/waitscope_bench.ko "BENCH-MICRO-NEW $i" || return
		i=$((i + 1))
	done
	microbench_load /opt/ws/waitscope_bench.ko BENCH-MICRO
}

# The recorder's cost per path: off, at its default, every wait an event;
# loads alternate, MICRO_LOADS rounds.
microbench_recorder() {
	local i=1
	while [ $i -le "${MICRO_LOADS:-6}" ]; do
		microbench_load /opt/ws/waitscope_bench.ko "BENCH-MICRO-REC off $i" \
			slow_min_us=0 exit_events=0 || return
		microbench_load /opt/ws/waitscope_bench.ko "BENCH-MICRO-REC default $i" || return
		microbench_load /opt/ws/waitscope_bench.ko "BENCH-MICRO-REC all $i" slow_min_us=1 || return
		i=$((i + 1))
	done
}

# rotate N WORDS...: the words, starting at the Nth (1-based, wrapping).
rotate() {
	local n=$1
	shift
	local i=1 w head= tail=
	n=$(( (n - 1) % $# + 1 ))
	for w in "$@"; do
		if [ $i -lt $n ]; then head="$head $w"; else tail="$tail $w"; fi
		i=$((i + 1))
	done
	echo $tail $head
}

echo "BENCH-INFO kernel $(uname -r) cpus $(nproc) rounds $ROUNDS seconds $SECONDS_PER_RUN pairs $PAIRS"
microbench
microbench_recorder
STATS_DONE=
r=1
while [ $r -le "$ROUNDS" ]; do
	for c in $(rotate "$r" $CONDITIONS); do
		note "round $r: $c at $(cut -d' ' -f1 /proc/uptime)s"
		if ! setup "$c"; then
			notok "bench: round $r: $c sets up"
			teardown "$c"
			continue
		fi
		for w in $(rotate "$r" $WORKLOADS); do
			line=$(wsbench "$w" "$SECONDS_PER_RUN" "$PAIRS") &&
				echo "BENCH $r $c $line" || notok "bench: round $r: $c: $w runs"
		done
		[ "$c" = enabled ] && stats_once
		teardown "$c"
	done
	r=$((r + 1))
done
echo "BENCH-DONE"
