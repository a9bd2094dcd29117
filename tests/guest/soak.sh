# make soak, inside the guest: waitscope under many threads and busy CPUs
# for a long time, then a latency-sensitive thread with and without it.
#   1. THREADS parked threads, both CPUs switching (pipe ping-pong pairs)
#      for MINUTES with the module loaded: every thread tracked, nothing
#      dropped, memory_bytes fixed at load and within the stated bound,
#      the load's progress sampled every SAMPLE_S.
#   2. A thread sleeping 1 ms in a loop beside the same load, in blocks of
#      BLOCK_S alternating module unloaded / loaded: its mean and p99 wakeup
#      delay with the module within 10% of without (medians over the blocks).
. /tests/lib.sh

THREADS=50000 MINUTES=5 SAMPLE_S=30 BLOCKS=5 BLOCK_S=20 PAIRS=4
[ -f /opt/ws/soak.conf ] && . /opt/ws/soak.conf
CAPACITY=$(( (THREADS / 1024 + 2) * 1024 ))
# A 2-CPU guest's defaults allow 32768 pids and about as many threads, and
# each parked thread's stack takes two of the 65530 mappings allowed.
echo 4194304 > /proc/sys/kernel/pid_max
echo $((THREADS * 2 + 10000)) > /proc/sys/kernel/threads-max
echo $((THREADS * 3 + 65536)) > /proc/sys/vm/max_map_count

wsbench park "$THREADS" > /tmp/park.out 2>&1 &
PARK=$!
i=0
while ! grep -q parked /tmp/park.out && kill -0 $PARK 2>/dev/null && [ $i -lt 3000 ]; do
	sleep 0.2
	i=$((i + 1))
done
check "soak: $THREADS threads parked" grep -q "parked $THREADS" /tmp/park.out ||
	sed 's/^/# /' /tmp/park.out
note "live threads: $(ls /proc/*/task 2>/dev/null | grep -c '^[0-9]')"

check "soak: insmod capacity=$CAPACITY" insmod /opt/ws/waitscope.ko capacity=$CAPACITY
mem0=$(stat_of memory_bytes)
entry=$(stat_of thread_entry_bytes)
note "memory_bytes $mem0 at capacity $CAPACITY ($((mem0 / CAPACITY)) bytes per entry in all), entry $entry bytes"
# lockdep puts a lock map in each entry's seqcount: 1072 bytes on the debug kernel.
check "soak: a thread entry is 1 KiB ($entry bytes; more only with lockdep)" \
	sh -c "[ '$entry' = 1024 ] || [ -e /proc/lockdep ]"
check "soak: memory at most capacity x entry plus 4% and 1 MiB of indexes" \
	[ "$mem0" -le $((CAPACITY * entry * 104 / 100 + 1048576)) ]

wsbench pairs $((MINUTES * 60)) $PAIRS > /tmp/pairs.out 2>&1 &
LOAD=$!
elapsed=0 worst_used=0 bad_mem=0
while [ $elapsed -lt $((MINUTES * 60)) ]; do
	sleep $SAMPLE_S
	elapsed=$((elapsed + SAMPLE_S))
	used=$(stat_of used) dropped=$(stat_of dropped) mem=$(stat_of memory_bytes)
	sw=$(stat_of events_sched_switch)
	note "t=${elapsed}s used $used dropped $dropped memory_bytes $mem sched_switch events $sw"
	[ "$mem" = "$mem0" ] || bad_mem=1
	[ "$used" -gt "$worst_used" ] && worst_used=$used
done
wait $LOAD
note "load: $(cat /tmp/pairs.out)"
check "soak: the load ran to the end" grep -q '^pairs ' /tmp/pairs.out
check "soak: memory_bytes never changed" [ $bad_mem = 0 ]
check "soak: every parked thread tracked (used $worst_used >= $THREADS)" [ "$worst_used" -ge "$THREADS" ]
check "soak: nothing dropped" [ "$(stat_of dropped_total)" = 0 ]
check "soak: the parked threads show in blocked" sh -c "
	[ \$(awk '\$1 ~ /^[0-9]+\$/ && \$3 == \"wsbench\"' $D/blocked | wc -l) -ge $THREADS ]"
check "soak: rmmod" rmmod waitscope

# ---- wakeup latency of a 1 ms sleeper beside the load, A/B ----
: > /tmp/lat.txt
b=1
while [ $b -le $BLOCKS ]; do
	for cond in off on; do
		[ $cond = on ] && insmod /opt/ws/waitscope.ko capacity=$CAPACITY
		wsbench pairs $BLOCK_S $PAIRS > /dev/null 2>&1 &
		load=$!
		line=$(wsbench latency $BLOCK_S)
		wait $load
		[ $cond = on ] && rmmod waitscope
		echo "$cond $line" >> /tmp/lat.txt
		note "block $b module $cond: $line (n mean_us p50_us p99_us max_us)"
	done
	b=$((b + 1))
done
median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
off=$(awk '$1 == "off" { print $4 }' /tmp/lat.txt | median)
on=$(awk '$1 == "on" { print $4 }' /tmp/lat.txt | median)
off99=$(awk '$1 == "off" { print $6 }' /tmp/lat.txt | median)
on99=$(awk '$1 == "on" { print $6 }' /tmp/lat.txt | median)
echo "SOAK-LATENCY mean_us off $off on $on p99_us off $off99 on $on99"
check "soak: mean wakeup delay with the module ($on us) within 10% of without ($off us)" \
	awk -v a="$on" -v b="$off" 'BEGIN { exit !(a <= b * 1.10) }'
check "soak: p99 wakeup delay with the module ($on99 us) within 10% of without ($off99 us)" \
	awk -v a="$on99" -v b="$off99" 'BEGIN { exit !(a <= b * 1.10) }'
# The parked threads are left to the poweroff: killing 50,000 threads at
# once on the debug kernel under TCG stalled an RCU grace period for 26 s
# (an RCU stall report from release_task, with the module unloaded).
