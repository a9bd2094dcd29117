# make demo: the main job, shown as an operator would see it.
. /tests/lib.sh
W=waitscope
say() { printf '\n=== %s\n' "$*"; }
QUICK=0
grep -q 'ws.quick' /proc/cmdline && QUICK=1

insmod /opt/ws/waitscope.ko
say "waitscope status: the module is loaded and tracing"
$W status
say "starting four programs with planted problems"
start_scenario stuck && echo "  stuck   (pid $SCENARIO_PID): a thread blocked forever on a pipe read"
start_scenario locker 4 200 sleep && echo "  locker  (pid $SCENARIO_PID): 4 threads fighting over one mutex"
start_scenario vfork 5 200 && echo "  vfork   (pid $SCENARIO_PID): a parent in uninterruptible sleep while its child runs"
start_scenario starve 4 3 && echo "  starve  (pid $SCENARIO_PID): 4 workers pinned to CPU 0 beside a busy hog"
[ $QUICK = 1 ] || sleep 5
# Thresholds for this VM, as in tests/guest/cli.sh: under TCG the two vCPUs
# take turns on one host thread, so every thread (this shell too) sees run-
# queue p99s of 10-20 ms that no real machine would.  At the default 10 ms
# the demo would flag its own shell as starving; the planted starvation (80%
# of the time in the run queue) is found by its run-queue share either way.
RQ="--stuck 5s --runq-p99 40ms"
say "waitscope report $RQ: the diagnosis, most thread time first"
$W report $RQ
cat <<'TXT'

How to read it:
  [stuck]            threads blocked right now for longer than --stuck; the
                     thread-level goroutine leak no interval tracer can see
  [starving]         threads that wait for a CPU more than they run
  [lock-contention]  a futex word (a mutex) that threads queue on
  [hidden-blocking]  threads losing their time in D state or I/O waits
  [cpu-pressure]     CPUs whose run queue is long
Each says what crossed which threshold, the likely cause, and what to run next.
(--runq-p99 40ms: under qemu's TCG every thread waits 10-20 ms for a CPU.)
TXT
say "waitscope top -b: where each thread's time went, refreshed every second"
$W top -b -n $([ $QUICK = 1 ] && echo 2 || echo 3) -d 1 --lines 12
say "waitscope hist: the log2 histogram of one worker's run-queue waits"
$W hist -t "$(tcol worker-1 tid)" --reason runq
say "demo done"
