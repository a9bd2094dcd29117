#!/bin/sh
# Host tests of the CLI on recorded fixture snapshots (tests/fixtures/,
# recorded from the scenario programs in the 6.12 VM, plus hand-made odd
# ones), with the binary given (the ASan/UBSan build in make check).
#   run.sh WAITSCOPE_BINARY
# Prints "ok - ..." / "not ok - ..." lines.
set -u
W=$1
F=$(cd "$(dirname "$0")/../fixtures" && pwd)
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
export ASAN_OPTIONS=exitcode=99:detect_leaks=1
export UBSAN_OPTIONS=halt_on_error=1:exitcode=98

check() {
	what=$1
	shift
	if "$@" > "$T/out" 2>&1; then echo "ok - $what"; else echo "not ok - $what"; sed 's/^/#   /' "$T/out" | head -10; fi
}
# status CODE CMD...: the command exits with CODE
status() {
	want=$1
	shift
	"$@" > "$T/s.out" 2> "$T/s.err"
	got=$?
	[ "$got" = "$want" ] || { echo "exit $got, wanted $want"; cat "$T/s.err"; return 1; }
}
kinds() {
	"$W" --debugfs "$1" report --stuck 2s --json |
		python3 -c 'import json,sys; d=json.load(sys.stdin); print(" ".join(sorted(set(f["kind"]+":"+str(f["pid"]) for f in d["findings"]))))'
}

S=$F/scenarios-6.12
# The recorded run: stuck 20636, locker 20641, vfork 20656, starve 20675.
found=$(kinds "$S")
check "report finds exactly the planted problems in the recorded scenarios" \
	[ "$found" = 'cpu-pressure:0 hidden-blocking:20656 lock-contention:20641 starving:20675 stuck:20636' ]
check "report exits 1 on findings" status 1 "$W" --debugfs "$S" report --stuck 2s
check "report on the recorded idle system finds nothing, exits 0" status 0 "$W" --debugfs "$F/idle-6.12" report --stuck 2s
check "report --pid limits the findings to one process" sh -c "
	[ \"\$(\"$W\" --debugfs $S report --stuck 2s --pid 20636 --json | grep -o '\"kind\"' | wc -l)\" = 1 ]"
check "report --allow syscall=read silences the stuck pipe reader" sh -c "
	! \"$W\" --debugfs $S report --stuck 2s --allow syscall=read | grep -q '\[stuck\]'"
check "report --stuck 1h finds no stuck thread" sh -c "
	! \"$W\" --debugfs $S report --stuck 1h | grep -q '\[stuck\]'"
check "report --json is valid JSON with the schema" sh -c "
	\"$W\" --debugfs $S report --stuck 2s --json | python3 -c 'import json,sys; assert json.load(sys.stdin)[\"schema\"] == \"waitscope.report/1\"'"
check "hist: 20 sleeps in the 32768 -> 65535 us bucket, 40-star bar" sh -c "
	\"$W\" --debugfs $S hist -t 20713 --reason sleep | grep -qE '^ +32768 -> 65535 +: 20 +\|\*{40}\|'"
check "hist --ms shows msecs" sh -c "\"$W\" --debugfs $S hist -t 20713 --ms | grep -q msecs"
check "blocked lists the stuck thread first among user threads, with pipe_read" sh -c "
	\"$W\" --debugfs $S blocked --min 1s -p 20636 | grep -A3 ' stuck ' | grep -q pipe_read"
check "futex shows the locker's mutex as a lock wait" sh -c "
	\"$W\" --debugfs $S futex -p 20641 | grep -q ' 0x4bc360 *wait '"
for fx in scenarios-6.12 idle-6.12 odd; do
	check "export prometheus passes promtool ($fx)" sh -c "
		\"$W\" --debugfs $F/$fx export --format prometheus --min-thread 0 > $T/m.prom && promtool check metrics < $T/m.prom"
	check "export json is valid JSON ($fx)" sh -c "
		\"$W\" --debugfs $F/$fx export --format json | python3 -c 'import json,sys; d=json.load(sys.stdin); assert d[\"schema\"] == \"waitscope/1\" and d[\"threads\"]'"
	check "blocked --json and futex --json are valid JSON ($fx)" sh -c "
		\"$W\" --debugfs $F/$fx blocked --json | python3 -m json.tool > /dev/null &&
		\"$W\" --debugfs $F/$fx futex --json | python3 -m json.tool > /dev/null"
done
check "odd comms: JSON keeps the bytes (space, quote, escape, newline)" sh -c "
	\"$W\" --debugfs $F/odd export --format json | python3 -c '
import json,sys
c = [t[\"comm\"] for t in json.load(sys.stdin)[\"threads\"]]
assert \"sl ee\\\"p\\x1b[2J\" in c, c
assert \"w\\\\q\\x27\\n1\" in c, c'"
check "odd comms: no control byte reaches the terminal" sh -c "
	for c in 'report --stuck 2s' 'blocked' 'futex' 'top -b -n 1 -d 0.1' 'hist'; do
		\"$W\" --debugfs $F/odd \$c > $T/t.out 2>&1
		! grep -q \"\$(printf '\\033')\" $T/t.out || exit 1
	done"

# ---- bad input: exit 2 with one line, never a crash ----
bad() {
	name=$1 file=$2 edit=$3
	rm -rf "$T/bad" && cp -r "$S" "$T/bad"
	sh -c "$edit" < "$S/$file" > "$T/bad/$file"
	check "bad input ($name) exits 2 with one line on stderr" sh -c "
		\"$W\" --debugfs $T/bad report > /dev/null 2> $T/err; rc=\$?
		[ \$rc = 2 ] && [ \$(wc -l < $T/err) = 1 ] && grep -q . $T/err"
}
bad "unknown format version" threads "sed '1s/ v1 / v9 /'"
bad "a histograms format newer than v2" histograms "sed '1s/ v1 / v3 /'"
bad "a garbled lost= in the futex header" futex "sed '1s/\$/ lost=x9/'"
bad "truncated threads" threads "head -c 5000"
bad "a missing column" threads "sed '2s/ nivcsw / nivcsw_x /'"
bad "a non-number" threads "sed '3s/ sleep / sleep /; 3s/[0-9][0-9]* /12x4 /3'"
bad "a NUL byte" histograms "sed '3s/ \\([0-9]*\\):/ \\x00:/'"
bad "a row with a field missing" futex "sed '3s/ wait\$//'"
bad "an empty file" stats "true"
bad "a wrong file" blocked "cat $S/futex"
bad "a bucket that is not a power of two" histograms "sed '3s/ [0-9]*:\\([0-9]*\\)\$/ 3:\\1/'"
check "a missing directory exits 2" status 2 "$W" --debugfs /nonexistent report
check "an unknown command exits 2" status 2 "$W" frobnicate
check "a bad option value exits 2" status 2 "$W" --debugfs "$S" report --runq-share 250
check "--help exits 0 and lists the commands" sh -c "\"$W\" --help | grep -q 'report'"

# ---- from the review: module frames, snapshot safety, exposition ----
rm -rf "$T/mod" && cp -r "$S" "$T/mod"
awk 'NR == 3 { print; print "        jbd2_log_wait_commit+0xb5/0x120 [jbd2]"; next } { print }' \
	"$S/blocked" > "$T/mod/blocked"
check "a kernel stack frame inside a module ('sym [mod]') parses" sh -c "
	\"$W\" --debugfs $T/mod blocked | grep -q 'jbd2_log_wait_commit+0xb5/0x120 \[jbd2\]'"
rm -rf "$T/snap" "$T/victim" && mkdir "$T/snap" && echo keep > "$T/victim"
ln -s "$T/victim" "$T/snap/threads"
check "snapshot refuses to follow a symlink in the target directory" sh -c "
	! \"$W\" --debugfs $S snapshot $T/snap 2>/dev/null && [ \"\$(cat $T/victim)\" = keep ]"
rm -rf "$T/snap2"
check "snapshot files are root-only (0600)" sh -c "
	\"$W\" --debugfs $S snapshot $T/snap2 > /dev/null &&
	[ \"\$(stat -c %a $T/snap2/threads)\" = 600 ]"
# Per process, the live threads' interval counts (gauges since item 14 of
# issue 12: a histogram of sums over live threads fell at each exit) stay
# cumulative over the upper label, ending at +Inf.
check "exported per-process interval counts are cumulative up to +Inf" sh -c "
	\"$W\" --debugfs $S export --min-thread 0 | python3 -c '
import re, sys
series = {}
for line in sys.stdin:
    m = re.match(r\"waitscope_process_live_threads_offcpu_intervals\\{(.*?),upper=\\\"([^\\\"]*)\\\"\\} (\\S+)\", line)
    if m:
        series.setdefault(m.group(1), []).append((m.group(2), float(m.group(3))))
assert series
for key, rows in series.items():
    v = [x for le, x in rows]
    assert v == sorted(v) and rows[-1][0] == \"+Inf\" and v[-1] > 0, key'"
check "status reads a snapshot given with WAITSCOPE_DEBUGFS" sh -c "
	WAITSCOPE_DEBUGFS=$S \"$W\" status | grep -q 'tracing:  enabled'"

# ---- issue 12: futex kinds, reads without stacks, drops, pools, locks, quotas ----
# kinds_env DIR [VAR=VALUE...]: the sorted kind:pid pairs of report (default thresholds)
kinds_env() {
	d=$1
	shift
	env "$@" "$W" --debugfs "$d" report --json |
		python3 -c 'import json,sys; d=json.load(sys.stdin); print(" ".join(sorted(set(f["kind"]+":"+str(f["pid"]) for f in d["findings"]))))'
}
# report_json DIR [VAR=VALUE...]: report --json into $T/r.json
report_json() {
	d=$1
	shift
	env "$@" "$W" --debugfs "$d" report --json > "$T/r.json"
}
# A fake /proc: fake_syscall PID TID LINE; fake_fd PID FD TARGET
fake_syscall() { mkdir -p "$T/proc/$1/task/$2" && echo "$3" > "$T/proc/$1/task/$2/syscall"; }
fake_fd() { mkdir -p "$T/proc/$1/fd" && ln -sfn "$3" "$T/proc/$1/fd/$2"; }

FK=$F/futex-kinds
found=$(kinds_env "$FK")
check "futex_val: an idle Go service (FUTEX_WAIT value 0) is neither stuck nor contended; value 2, LOCK_PI and a timed lock (WAIT_BITSET value 2) are stuck" \
	[ "$found" = 'stuck:3100 stuck:3200' ]
check "futex_val: the deadlock's finding says lock wait, the Go process is not named" sh -c "
	\"$W\" --debugfs $FK report > $T/fk.out; grep -q 'blocked in a lock wait on futex 0x4c6140' $T/fk.out && ! grep -q 'pid 3000' $T/fk.out"
check "futex_val: blocked names a non-2 value as not a lock wait" sh -c "
	\"$W\" --debugfs $FK blocked -p 3000 | grep -q 'expected value 0: not a lock wait'"
FO=$F/futex-old
check "no futex_val (older module, offline): the wait kind is unknown, not 'a lock that is never released'" sh -c "
	\"$W\" --debugfs $FO report > $T/fo.out; grep -q 'futex wait on 0xc000200148 of unknown kind' $T/fo.out &&
	! grep -q 'a lock that is never released' $T/fo.out"
fake_syscall 3300 3301 "202 0xc000200148 0x80 0x0 0x0 0x0 0x0 0x7ffd8b1c4e20 0x46b3a3"
found=$(kinds_env "$FO" WAITSCOPE_PROC="$T/proc")
check "no futex_val, /proc/TID/syscall says expected value 0: not stuck" [ "$found" = '' ]
fake_syscall 3300 3301 "202 0xc000200148 0x80 0x2 0x0 0x0 0x0 0x7ffd8b1c4e20 0x46b3a3"
check "no futex_val, /proc/TID/syscall says expected value 2: a stuck lock wait" sh -c "
	WAITSCOPE_PROC=$T/proc \"$W\" --debugfs $FO report | grep -q 'blocked in a lock wait on futex 0xc000200148'"
check "no lock_n: a wait_bitset word with 2 waiters and 100s of waits is not lock contention" sh -c "
	! \"$W\" --debugfs $FO report | grep -q 'lock-contention'"

NS=$F/nostack-6.1
rm -rf "$T/proc"
fake_syscall 4000 4000 "0 0x0 0x55d0c2a1e000 0x1 0x0 0x0 0x0 0x7ffc1c7e3a28 0x7f0e0c8f1992"
fake_fd 4000 0 /dev/pts/0
fake_syscall 4100 4101 "0 0x5 0x7f0e0c000b70 0x4000 0x0 0x0 0x0 0x7f0e0bfffd28 0x7f0e0c8f1992"
fake_fd 4100 5 "socket:[48211]"
fake_syscall 4200 4201 "0 0x3 0x7ffc1c7e3a28 0x1000 0x0 0x0 0x0 0x7ffc1c7e3a00 0x7f0e0c8f1992"
fake_fd 4200 3 "pipe:[5555]"
fake_syscall 4400 4401 running
fake_syscall 4500 4501 "0 0x7 0x7ffc1c7e3a28 0x8 0x0 0x0 0x0 0x7ffc1c7e3a00 0x7f0e0c8f1992"
fake_fd 4500 7 "anon_inode:[eventfd]"
found=$(kinds_env "$NS" WAITSCOPE_PROC="$T/proc")
check "no stacks (6.1): tty, socket and eventfd reads are idle, a vanished or moved-on thread is not stuck, the pipe reader is" \
	[ "$found" = 'stuck:4200' ]
check "no stacks (6.1): the pipe reader's finding names the pipe" sh -c "
	WAITSCOPE_PROC=$T/proc \"$W\" --debugfs $NS report | grep -q 'blocked in read() on a pipe (pipe:\[5555\])'"
check "no stacks (6.1): the vanished and the moved-on thread are noted as unknown, not findings" sh -c "
	WAITSCOPE_PROC=$T/proc \"$W\" --debugfs $NS report --json | python3 -c '
import json, sys
n = json.load(sys.stdin)[\"notes\"]
assert any(\"thread 4301 of pid 4300\" in x and \"unknown\" in x for x in n), n
assert any(\"thread 4401 of pid 4400\" in x for x in n), n'"
found=$(kinds_env "$NS")
check "no stacks and no /proc (a snapshot elsewhere): every read is judged as before" \
	[ "$found" = 'stuck:4000 stuck:4100 stuck:4200 stuck:4300 stuck:4400 stuck:4500' ]

rm -rf "$T/drop" && cp -r "$F/idle-6.12" "$T/drop"
sed 's/^dropped_total .*/dropped_total                 7/' "$F/idle-6.12/stats" > "$T/drop/stats"
check "past drops only (dropped 0, dropped_total 7): no finding, exit 0" status 0 "$W" --debugfs "$T/drop" report
check "past drops only: a note in the report and in --json notes, not a finding" sh -c "
	\"$W\" --debugfs $T/drop report | grep -q '^note: 7 threads were not tracked' &&
	\"$W\" --debugfs $T/drop report --json | python3 -c 'import json,sys; d=json.load(sys.stdin); assert not d[\"findings\"] and \"7 threads\" in d[\"notes\"][0]'"
sed -e 's/^dropped_total .*/dropped_total                 7/' -e 's/^dropped  .*/dropped                       3/' "$F/idle-6.12/stats" > "$T/drop/stats"
check "threads untracked now (dropped 3): a module-health finding, exit 1" sh -c "
	\"$W\" --debugfs $T/drop report > $T/d.out; [ \$? = 1 ] && grep -q 'module-health.*3 threads are not tracked now' $T/d.out"

found=$(kinds_env "$F/pool2")
check "a pool of two: the starving worker is compared with its sibling, not with itself" [ "$found" = 'starving:5000' ]
check "a pool of two: the finding names worker 5001 at 8.0x its one sibling" sh -c "
	\"$W\" --debugfs $F/pool2 report | grep -q 'worker 5001 (worker-1) of pid 5000 waits for a CPU 40% of its time, 8.0x the median of its 1 sibling;'"

CT=$F/contention
found=$(kinds_env "$CT")
check "contention by cost: a saturated machine's hot mutex and 2 lock waiters for 0.5s are found; 2 waiters for 50us, 2 parked (value 0) are not" \
	[ "$found" = 'lock-contention:6000 lock-contention:6200 lock-contention:6300 starving:6000' ]
check "contention: 2 threads in a lock wait now are named as such" sh -c "
	\"$W\" --debugfs $CT report | grep -q 'pid 6300 (queued2) on futex 0x710000: .*; 2 threads in a lock wait on it now, the longest for 500.0ms'"
check "contention: the message gives waits a second and seconds per second, no share over 100%" sh -c "
	\"$W\" --debugfs $CT report --json | python3 -c '
import json, re, sys
ms = [f[\"message\"] for f in json.load(sys.stdin)[\"findings\"] if f[\"kind\"] == \"lock-contention\"]
assert any(\"0x4e0000: 50000 lock waits in 5.0s (10000 a second) totalling 1.2s, 0.24s of waiting per second\" in m for m in ms), ms
assert all(int(p) <= 100 for m in ms for p in re.findall(r\"(\\d+)%\", m)), ms'"
check "contention: --contention-rate 30 silences the 0.24s/s mutex" sh -c "
	! \"$W\" --debugfs $CT report --contention-rate 30 | grep -q 'on futex 0x4e0000'"
check "contention: a bad --contention-waits exits 2" status 2 "$W" --debugfs "$CT" report --contention-waits x

rm -rf "$T/quota" "$T/cg" && mkdir -p "$T/cg/quota" && cp -r "$F/quota" "$T/quota"
printf 'usage_usec 9000000\nnr_periods 200\nnr_throttled 139\nthrottled_usec 15700000\n' > "$T/cg/quota/cpu.stat"
echo "150000 100000" > "$T/cg/quota/cpu.max"
ino=$(stat -c %i "$T/cg/quota")
sed "s/ 424242 / $ino /" "$F/quota/threads" > "$T/quota/threads"
report_json "$T/quota" WAITSCOPE_CGROUP="$T/cg"
check "quota: two processes starving on one cgroup's quota are one finding naming both" python3 -c "
import json
d = json.load(open('$T/r.json'))
s = [f for f in d['findings'] if f['kind'] == 'starving']
assert len(s) == 1 and s[0]['pids'] == [7000, 7100] and s[0]['threads'] == 6, s"
check "quota: next says to change cpu.max or the runnable threads (GOMAXPROCS), not taskset" python3 -c "
import json
f = json.load(open('$T/r.json'))['findings'][0]
assert 'cgroup /quota hit its CPU quota 139 times (throttled 15.7s)' in f['cause'], f
assert 'cpu.max' in f['next'] and '150000 100000, 1.5 CPUs' in f['next'] and 'GOMAXPROCS' in f['next'] and 'taskset' not in f['next'], f"

check "histograms v2 (start_ns before the buckets) is read; v1 and v2 both accepted" sh -c "
	\"$W\" --debugfs $F/reuse-start hist > /dev/null && \"$W\" --debugfs $S hist > /dev/null"

rm -rf "$T/lost" && cp -r "$S" "$T/lost"
sed -i '1s/$/ lost=3/' "$T/lost/futex"
echo "read_busy                     2" >> "$T/lost/stats"
echo "blocks_unwoken                5" >> "$T/lost/stats"
check "status shows futex rows lost from the module's snapshot and busy rows skipped" sh -c "
	\"$W\" --debugfs $T/lost status > $T/st.out &&
	grep -q '3 rows lost from the futex file' $T/st.out && grep -q '2 rows skipped' $T/st.out &&
	grep -q '5 blocks ended with no wakeup seen' $T/st.out &&
	\"$W\" --debugfs $T/lost status --json | python3 -c 'import json,sys; d=json.load(sys.stdin); assert d[\"futex_lost\"] == 3 and d[\"read_busy\"] == 2, d'"

# ---- a tid listed twice (issue 12, item 6) ----
D=$F/dup-tid
check "dup-tid (no start_ns): report does not fail on a tid listed twice" status 0 "$W" --debugfs "$D" report
check "dup-tid: the first row of tid 300 stands, its stack too, the later one ignored" sh -c "
	\"$W\" --debugfs $D blocked > $T/b.out &&
	[ \$(grep -c '^ *300 ' $T/b.out) = 1 ] && grep -q '^ *300 .*exec-old' $T/b.out &&
	grep -q old_frame $T/b.out && ! grep -q new_frame $T/b.out"
check "dup-tid: the first histogram row of tid 300 stands" sh -c "
	\"$W\" --debugfs $D hist -t 300 | grep -qE '^ +524288 -> 1048575 +: 5 '"
check "dup-tid: status counts the 3 rows ignored (threads, histograms, blocked)" sh -c "
	\"$W\" --debugfs $D status | grep -q 'rows:     3 listed twice' &&
	\"$W\" --debugfs $D status --json | python3 -c 'import json,sys; assert json.load(sys.stdin)[\"duplicate_rows\"] == 3'"
D=$F/reuse-start
check "reuse-start: report does not fail on a reused tid and an exact duplicate" status 0 "$W" --debugfs "$D" report
check "reuse-start: blocked shows both threads with tid 400, each with its own stack, not the duplicate's" sh -c "
	\"$W\" --debugfs $D blocked > $T/b.out &&
	[ \$(grep -c '^ *400 ' $T/b.out) = 2 ] && grep -A1 'old-400' $T/b.out | grep -q old_frame &&
	grep -A1 'new-400' $T/b.out | grep -q new_frame && ! grep -q dup_frame $T/b.out"
check "reuse-start: histogram rows attach by (tid, start_ns)" sh -c "
	\"$W\" --debugfs $D hist > $T/h.out &&
	grep -A3 '(old-400) pid 400, sleep' $T/h.out | grep -qE '^ +524288 -> 1048575 +: 3 ' &&
	grep -A3 '(new-400) pid 400, runq' $T/h.out | grep -qE '^ +16 -> 31 +: 10 ' &&
	! grep -q 'new-400) pid 400, sleep' $T/h.out && ! grep -qE '^ +8 -> 15 ' $T/h.out"
check "reuse-start: hist -t 400 shows the newest thread and says so" sh -c "
	\"$W\" --debugfs $D hist -t 400 > $T/h.out 2> $T/h.err &&
	grep -q '(new-400)' $T/h.out && ! grep -q '(old-400)' $T/h.out &&
	grep -q 'tid 400 is 2 threads.*newest, started 5.000s after boot' $T/h.err"
check "reuse-start: export json lists both threads with their start_ns" sh -c "
	\"$W\" --debugfs $D export --format json | python3 -c '
import json,sys
t = sorted((x[\"tid\"], x[\"start_ns\"], x[\"comm\"]) for x in json.load(sys.stdin)[\"threads\"])
assert t == [(400, 1000000000, \"old-400\"), (400, 5000000000, \"new-400\"), (401, 2000000000, \"other\")], t'"
check "reuse-start: prometheus export passes promtool (two threads with one tid)" sh -c "
	\"$W\" --debugfs $D export --min-thread 0 > $T/m.prom && promtool check metrics < $T/m.prom"

# ---- quantiles interpolated within log2 buckets (item 11) ----
D=$F/quantiles
# tid 500: 980 runq waits in [4096, 8192) us, 20 in [8192, 16384) us, max
# 11.192 ms.  p99 rank 990 is the 10th of the 20: 8.192 + 0.5 * (11.192 -
# 8.192) = 9.692 ms.  tid 501: 100 in [1024, 2048) us, max 1.8 ms: p50 =
# 1.024 + 0.5 * 0.776 = 1.412 ms, p99 = 1.024 + 0.99 * 0.776 = 1.79224 ms.
check "quantiles: exact interpolated p50/p99 and the p99's bucket in export json" sh -c "
	\"$W\" --debugfs $D export --format json | python3 -c '
import json,sys
t = {x[\"tid\"]: x[\"reasons\"][\"runq\"] for x in json.load(sys.stdin)[\"threads\"]}
q = t[500]
assert (q[\"p99_ns\"], q[\"p99_low_ns\"], q[\"p99_high_ns\"]) == (9692000, 8192000, 11192000), q
assert q[\"p50_ns\"] == 4096000 + round(500 / 980 * 4096000), q
q = t[501]
assert (q[\"p50_ns\"], q[\"p99_ns\"], q[\"p99_low_ns\"], q[\"p99_high_ns\"]) == (1412000, 1792240, 1024000, 1800000), q'"
check "quantiles: hist prints the interpolated p99 and its bucket" sh -c "
	\"$W\" --debugfs $D hist -t 500 | grep -q 'p99 ≈ 9.69ms (interpolated in log2 buckets: the p99 lies in 8.19ms-11.2ms)'"
check "quantiles: a p99 of 9.69ms (bucket upper bound 16.4ms, max 11.2ms) is not starving at --runq-p99 10ms" \
	status 0 "$W" --debugfs "$D" report
check "quantiles: it is at --runq-p99 9ms, and the report marks it approximate" sh -c "
	\"$W\" --debugfs $D report --runq-p99 9ms | grep -q 'thread 500 (quant).*p99 run-queue wait ≈9.69ms'"

# ---- top: each reason's share of the refresh window (item 13) ----
# window-a at 100 s, window-b at 102 s (see the comments in the numbers):
# 600 wakes 1.5 s into the window from a 59.5 s sleep, then runs; 601 is
# blocked on a futex throughout; 602 runs 1.2 s, waits 0.3 s for a CPU and
# sleeps 0.5 s; 603 is born in the window (0.2 s on CPU, a 0.5 s sleep, and
# asleep for the last 1 s); 604 and 605 exit, a new pool-605 reuses tid 605.
check "top --from: each reason's part of the window, no row above 100%" sh -c "
	\"$W\" --debugfs $F/window-b top -b --from $F/window-a --lines 0 | python3 -c '
import sys
rows = {}
for line in sys.stdin:
    f = line.split()
    if len(f) >= 10 and f[0].isdigit():
        rows[int(f[0])] = [float(x) for x in f[3:9]]
want = {  # CPU RUNQ FUTEX IO D SLEEP
    600: [25.0, 0, 0, 0, 0, 75.0],
    601: [0, 0, 100.0, 0, 0, 0],
    602: [60.0, 15.0, 0, 0, 0, 25.0],
    603: [10.0, 0, 0, 0, 0, 75.0],
    605: [5.0, 0.1, 0, 0, 0, 25.0],
}
assert rows == want, rows
for tid, r in rows.items():
    assert max(r) <= 100 and sum(r) <= 100.2, (tid, r)'"
check "top --from --group process: a process's share is at most 100%" sh -c "
	\"$W\" --debugfs $F/window-b top -b --from $F/window-a --group process --lines 0 | python3 -c '
import sys
n = 0
for line in sys.stdin:
    f = line.split()
    if len(f) >= 10 and f[0].isdigit():
        r = [float(x) for x in f[3:9]]
        assert max(r) <= 100 and sum(r) <= 100.2, line
        n += 1
assert n == 5, n'"
check "top --from a bad directory exits 2" status 2 "$W" --debugfs "$F/window-b" top -b --from /nonexistent

# ---- Prometheus counters survive thread exits (item 14) ----
# window-a then window-b: 604 and the first 605 exit in between (their rows
# gone, the stats totals grown), a new thread reuses tid 605, same comm.
check "export: every counter of window-a is <= its value in window-b (counters.py)" sh -c "
	\"$W\" --debugfs $F/window-a export --min-thread 0 > $T/a.prom &&
	\"$W\" --debugfs $F/window-b export --min-thread 0 > $T/b.prom &&
	python3 $(dirname "$0")/counters.py $T/a.prom $T/b.prom"
check "export: both scrapes pass promtool" sh -c "
	\"$W\" --debugfs $F/window-a export --min-thread 0 | promtool check metrics &&
	\"$W\" --debugfs $F/window-b export --min-thread 0 | promtool check metrics"
check "export: the machine-wide counters are the module's totals" sh -c "
	\"$W\" --debugfs $F/window-b export > $T/b.prom &&
	grep -qx 'waitscope_offcpu_seconds_total{reason=\"sleep\"} 427.700000000' $T/b.prom &&
	grep -qx 'waitscope_offcpu_waits_total{reason=\"runq\"} 645' $T/b.prom &&
	grep -qx 'waitscope_oncpu_seconds_total 113.300000000' $T/b.prom &&
	grep -qx 'waitscope_live_threads_offcpu_seconds{reason=\"runq\"} 1.301000000' $T/b.prom"
check "export: per-thread counters carry the start label (tid 605 reused)" sh -c "
	\"$W\" --debugfs $F/window-b export --min-thread 0 |
	grep -qx 'waitscope_thread_offcpu_seconds_total{tid=\"605\",pid=\"605\",start=\"101500000000\",comm=\"pool-605\",reason=\"sleep\"} 0.200000000'"
check "export: without totals or start_ns (an old module) no series is typed counter but dropped_total" sh -c "
	\"$W\" --debugfs $S export --min-thread 0 | grep '^# TYPE .* counter' > $T/c.out;
	[ \"\$(cat $T/c.out)\" = '# TYPE waitscope_threads_dropped_total counter' ]"
check "export json stays valid on the window fixtures" sh -c "
	\"$W\" --debugfs $F/window-b export --format json | python3 -c 'import json,sys; assert json.load(sys.stdin)[\"schema\"] == \"waitscope/1\"'"

# ---- top --group cgroup names cgroups from one walk of the tree (item 17) ----
rm -rf "$T/cg" "$T/cgfx" && mkdir -p "$T/cg/app/web" "$T/cg/db" && cp -r "$F/window-b" "$T/cgfx"
python3 - "$T/cgfx/threads" "$(stat -c %i "$T/cg/app/web")" "$(stat -c %i "$T/cg/db")" <<'PY'
import sys
path, web, db = sys.argv[1:]
lines = open(path).read().split("\n")
col = lines[1].split().index("cgroup") - 1
for i in range(2, len(lines)):
    f = lines[i].split()
    if f:
        f[col] = web if f[0] in ("600", "601") else db
        lines[i] = " ".join(f)
open(path, "w").write("\n".join(lines))
PY
check "top --group cgroup --cgroup-root names each cgroup by its path" sh -c "
	\"$W\" --debugfs $T/cgfx top -b --from $F/window-a --group cgroup --cgroup-root $T/cg > $T/cg.out &&
	grep -qE '^ *[0-9]+ /app/web +2 ' $T/cg.out && grep -qE '^ *[0-9]+ /db +3 ' $T/cg.out"
