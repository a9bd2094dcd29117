# The watch suite (issue 15): `waitscope watch -- CMD` as a CI gate, on
# programs with known answers (tests/scenarios/scenario.c, "programs that
# end"): clean ones pass, each planted problem fails exactly its check,
# statuses pass through, bad input is refused.  JSON and JUnit are relayed
# to the host, which parses them with real parsers.
. /tests/lib.sh

W=waitscope
relay() { echo "WS-FILE-BEGIN $1"; cat "$2"; echo "WS-FILE-END"; }
# wt NAME [OPTIONS] -- CMD...: watch CMD with JSON and JUnit reports;
# everything it wrote in /tmp/wt-NAME.{out,err,json,xml,rc}
wt() {
	local n=$1
	shift
	$W watch --interval 200ms --json /tmp/wt-$n.json --junit /tmp/wt-$n.xml "$@" \
		> /tmp/wt-$n.out 2> /tmp/wt-$n.err
	echo $? > /tmp/wt-$n.rc
	sed "s/^/# $n: /" /tmp/wt-$n.err | head -24
}
rc() { cat /tmp/wt-$1.rc; }
# failed NAME: the checks with a failure in the JUnit file, sorted
failed() {
	tr -d '\n' < /tmp/wt-$1.xml | grep -o '<testcase [^>]*>[[:space:]]*<failure' |
		sed 's/.*name="\([a-z]*\)".*/\1/' | sort | tr '\n' ' ' | sed 's/ $//'
}
ncases() { tr -d '\n' < /tmp/wt-$1.xml | grep -o '<testcase ' | wc -l; }
# tv NAME KEY: a value of a scenario's truth line "NAME: pid P KEY VALUE ..."
tv() { awk -v k="$2" '{ for (i = 2; i < NF; i++) if ($i == k) { print $(i + 1); exit } }' /tmp/wt-$1.out; }

mkdir -p /sys/fs/cgroup
mount -t cgroup2 none /sys/fs/cgroup 2> /dev/null
check "watch: insmod" insmod /opt/ws/waitscope.ko

# ---- clean commands pass ----
wt joiner -- scenario joiner 4
check "watch: a program that joins its 4 threads passes: exit 0, 6 cases, no failure" sh -c "
	[ $(rc joiner) = 0 ] && [ $(ncases joiner) = 6 ] && [ -z \"$(failed joiner)\" ]"
wt pipeline -- sh -c 'seq 1 2000 | sort -rn | wc -l'
check "watch: a shell pipeline passes, its output untouched on stdout" sh -c "
	[ $(rc pipeline) = 0 ] && [ \"\$(tr -d ' ' < /tmp/wt-pipeline.out)\" = 2000 ]"
wt forkwait -- sh -c 'sleep 0.3 & wait'
check "watch: a program that forks and waits passes" [ "$(rc forkwait)" = 0 ]

# ---- each planted problem fails exactly its check ----
wt leaker -- scenario leaker
lw=$(tv leaker worker)
check "watch: a worker left blocked in a pipe read at exit: exit 3, leaked only" sh -c "
	[ $(rc leaker) = 3 ] && [ \"$(failed leaker)\" = leaked ]"
check "watch: the leaked finding names the worker $lw, killed in its read" \
	grep -q "thread $lw (leaker-worker) of pid [0-9]* (scenario) was still blocked when its process ended: killed in .*read" /tmp/wt-leaker.err
relay watch/leaker.json /tmp/wt-leaker.json
relay watch/leaker.xml /tmp/wt-leaker.xml

# busybox timeout runs the command in its own process (its watcher is a
# child): CMD dies of timeout's SIGTERM, 143 as a shell says.  Its two
# threads are killed in their lock waits: leaked as well.  The contention
# budget is on: the deadlocked locks' waits (6 s, over --max-lock-wait 1s
# when the last poll sees them, which is a race) are the deadlock's, never
# a contention finding of their own.
wt abba --stuck 2s -- timeout 6 scenario abba
check "watch: a deadlock killed by timeout: its SIGTERM death (143) passes through; deadlock and leaked failed, not contention" sh -c "
	[ $(rc abba) = 143 ] && [ \"$(failed abba)\" = 'deadlock leaked' ]"
check "watch: the deadlock was reported at once (a line on stderr before the summary)" \
	grep -q '^waitscope watch: deadlock: ' /tmp/wt-abba.err
relay watch/abba.json /tmp/wt-abba.json
relay watch/abba.xml /tmp/wt-abba.xml

# semdead: two threads in sem_wait() on semaphores nobody posts, main
# joining them: every thread of the process waits, nothing can wake it.
wt semdead --stuck 2s -- timeout 5 scenario semdead
check "watch: a frozen process (semdead) under timeout: frozen failed, told at once" sh -c "
	[ $(rc semdead) = 143 ] && echo ' $(failed semdead) ' | grep -q ' frozen ' &&
	grep -q '^waitscope watch: frozen: ' /tmp/wt-semdead.err"

wt daemon -- scenario daemonizer
dpid=$(tv daemon daemon)
check "watch: a daemonized child left behind: exit 3, leaked" sh -c "
	[ $(rc daemon) = 3 ] && [ \"$(failed daemon)\" = leaked ]"
check "watch: the leaked process is the daemon $dpid, still alive and left alone" sh -c "
	grep -q 'pid $dpid (scenario) was still running' /tmp/wt-daemon.err && kill -0 $dpid"
kill -9 "$dpid" 2> /dev/null

# Under TCG every thread's run-queue p99 is 10-20 ms (tests/guest/cli.sh);
# the workers beside the hog wait 17 ms on average, their p99 far more.
WS_SCENARIO_EXIT=1 wt starve --max-runq-p99 10ms -- scenario starve 4 3
check "watch: workers beside a CPU hog: exit 3, starvation failed" sh -c "
	[ $(rc starve) = 3 ] && echo ' $(failed starve) ' | grep -q ' starvation '"
WS_SCENARIO_EXIT=1 wt locker --max-lock-wait 100ms -- scenario locker 4 200
check "watch: a hot lock above --max-lock-wait 100ms: exit 3, contention failed" sh -c "
	[ $(rc locker) = 3 ] && echo ' $(failed locker) ' | grep -q ' contention '"
WS_SCENARIO_EXIT=1 wt locker2 --max-lock-wait 1h -- scenario locker 4 200
check "watch: the same lock under --max-lock-wait 1h passes contention" sh -c "
	! echo ' $(failed locker2) ' | grep -q ' contention '"

wt brief --stuck 3s -- scenario brief 1000
check "watch: a thread blocked 1 s, below --stuck 3s, passes (exit 0)" [ "$(rc brief)" = 0 ]
wt brief2 --stuck 500ms -- scenario brief 1500
check "watch: the same wait above --stuck 500ms fails stuck, reported at once" sh -c "
	[ $(rc brief2) = 3 ] && [ \"$(failed brief2)\" = stuck ] &&
	grep -q '^waitscope watch: stuck: ' /tmp/wt-brief2.err"
check "watch: the stuck finding says where in the program: read < pipe_reader < start_thread" \
	grep -Eq '^   where: +thread [0-9]+: read[^<]* < pipe_reader < start_thread' /tmp/wt-brief2.err
check "watch: ... and its JSON user_stack has the frame pipe_reader" \
	grep -q '"user_stack":{"tid":[0-9]*,"frames":\[.*"function":"pipe_reader"' /tmp/wt-brief2.json

# ---- --ignore and --baseline silence exactly what they name ----
printf '# the leaker is known\ncomm=leaker-worker\n' > /tmp/ignore1
wt ignored --ignore /tmp/ignore1 -- scenario leaker
check "watch: --ignore comm=leaker-worker: the leak is silenced, exit 0" [ "$(rc ignored)" = 0 ]
printf 'comm=somebody-else\n' > /tmp/ignore2
wt notignored --ignore /tmp/ignore2 -- scenario leaker
check "watch: an --ignore rule that names another comm silences nothing" [ "$(rc notignored)" = 3 ]
# A user frame: the rule that names pipe_reader silences its stuck read, one that names a
# function not on its stack does not.
printf 'uframe=pipe_read*\n' > /tmp/ignore3
wt uignored --stuck 500ms --ignore /tmp/ignore3 -- scenario brief 1500
check "watch: --ignore uframe=pipe_read*: the stuck read in pipe_reader is silenced, exit 0" \
	[ "$(rc uignored)" = 0 ]
printf 'uframe=abba_thread\n' > /tmp/ignore4
wt unotignored --stuck 500ms --ignore /tmp/ignore4 -- scenario brief 1500
check "watch: an --ignore uframe= rule for a function not on its stack silences nothing (stuck, exit 3)" \
	sh -c "[ $(rc unotignored) = 3 ] && [ \"$(failed unotignored)\" = stuck ]"
if start_scenario stuck; then
	wt base -p "$SCENARIO_PID" --for 2s --stuck 1s --baseline
	check "watch -p --baseline: a thread blocked before watching began is not reported" [ "$(rc base)" = 0 ]
	wt nobase -p "$SCENARIO_PID" --for 2s --stuck 1s
	check "watch -p without --baseline: the same thread is stuck" sh -c "
		[ $(rc nobase) = 3 ] && [ \"$(failed nobase)\" = stuck ]"
	stop_scenario
fi

# ---- exit status passthrough and signals ----
wt st0 -- true
wt st1 -- sh -c 'exit 1'
wt st77 -- sh -c 'exit 77'
wt st9 -- sh -c 'kill -9 $$'
check "watch: exit status passes through: 0, 1, 77, and 137 for a SIGKILL death" sh -c "
	[ $(rc st0) = 0 ] && [ $(rc st1) = 1 ] && [ $(rc st77) = 77 ] && [ $(rc st9) = 137 ]"
$W watch -- sh -c 'trap "exit 42" TERM; sleep 30 & wait' > /tmp/wt-term.out 2> /tmp/wt-term.err &
wpid=$!
sleep 1.5
kill -TERM $wpid
wait $wpid
check "watch: SIGTERM is forwarded to CMD, whose status 42 comes back" [ $? = 42 ]
FOO=bar wt env -- sh -c 'echo "$FOO $(pwd)"; echo fd3 >&3' 3> /tmp/wt-fd3
check "watch: CMD sees the same environment, directory and inherited fds" sh -c "
	[ \"\$(cat /tmp/wt-env.out)\" = 'bar $(pwd)' ] && [ \"\$(cat /tmp/wt-fd3)\" = fd3 ]"

# ---- bad input ----
wt noopt --no-such-option -- true
check "watch: an unknown option exits 2 with one line" sh -c "
	[ $(rc noopt) = 2 ] && [ \$(wc -l < /tmp/wt-noopt.err) -le 2 ]"
wt nocmd -- /nonexistent/cmd
check "watch: a command that does not exist exits 127, like a shell" [ "$(rc nocmd)" = 127 ]
su nobody -s /bin/sh -c "/opt/ws/waitscope watch -- true" > /dev/null 2> /tmp/wt-nobody.err
check "watch: not root: exit 2, one line saying so" sh -c "[ $? = 2 ] && grep -q root /tmp/wt-nobody.err"

# ---- no cgroup v2: the subreaper fallback still catches the daemon ----
umount /sys/fs/cgroup
mount -t cgroup -o none,name=wsv1 none /sys/fs/cgroup 2> /dev/null
wt v1 -- scenario daemonizer
dpid=$(tv v1 daemon)
check "watch: under cgroup v1 it says so and falls back to a subreaper" grep -q subreaper /tmp/wt-v1.err
check "watch: ... which still finds the daemon $dpid leaked (exit 3)" sh -c "
	[ $(rc v1) = 3 ] && grep -q 'pid $dpid (scenario) was still running' /tmp/wt-v1.err"
kill -9 "$dpid" 2> /dev/null
umount /sys/fs/cgroup 2> /dev/null

rmmod waitscope
wt nomod -- true
check "watch: without the module: exit 2, one line" sh -c "[ $(rc nomod) = 2 ] && [ \$(wc -l < /tmp/wt-nomod.err) = 1 ]"
