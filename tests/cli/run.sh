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
check "report on a snapshot: an --allow uframe= rule matches nothing (no user stacks offline), no where: line, user_stack null" sh -c "
	\"$W\" --debugfs $S report --stuck 2s --allow 'uframe=*' | grep -q '\[stuck\]' &&
	! \"$W\" --debugfs $S report --stuck 2s | grep -q '^   where:' &&
	\"$W\" --debugfs $S report --stuck 2s --json | grep -q '\"user_stack\":null'"
check "report --stuck 1h finds no stuck thread" sh -c "
	! \"$W\" --debugfs $S report --stuck 1h | grep -q '\[stuck\]'"
check "report --json is valid JSON with the schema" sh -c "
	\"$W\" --debugfs $S report --stuck 2s --json | python3 -c 'import json,sys; assert json.load(sys.stdin)[\"schema\"] == \"waitscope.report/2\"'"
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
# JSON keeps well-formed UTF-8 as it is (the report's own "≈", a comm in
# UTF-8) and turns any other byte into \u00XX: valid JSON either way.
check "report --json keeps its UTF-8 (the p99's ≈ decodes as U+2248)" sh -c "
	\"$W\" --debugfs $S report --json --stuck 2s | python3 -c '
import json, sys
d = json.load(sys.stdin)
assert any(chr(0x2248) in f[\"message\"] for f in d[\"findings\"])'"
rm -rf "$T/utf" && cp -r "$S" "$T/utf"
sed -i 's/^\( *20713 *20711 \)sleeper /\1gr\\xc3\\xbcn\\xff /' "$T/utf/threads"
check "a comm with UTF-8 and a stray byte is valid JSON: the UTF-8 kept, the byte as U+00FF" sh -c "
	\"$W\" --debugfs $T/utf blocked --json | python3 -c '
import json, sys
d = json.load(sys.stdin)
assert any(t[\"comm\"] == \"gr\" + chr(0xfc) + \"n\" + chr(0xff) for t in d[\"threads\"]), [t[\"comm\"] for t in d[\"threads\"]][:12]'"
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

# ---- issue 13: the waits-for graph (tests/fixtures/*/waits) ----
# jq_report DIR [ARGS...]: report --json into $T/g.json
jq_report() {
	d=$1
	shift
	"$W" --debugfs "$d" report "$@" --json > "$T/g.json"
}
AB=$F/deadlock-abba
# pid 900: 901 waits for the mutex 0x4c6180, which 902 owns; 902 for 0x4c6140,
# which 901 owns; the leader joins 901; 903 has been reading a pipe for an hour.
found=$(kinds_env "$AB")
check "ABBA: a deadlock finding (and 903's stuck read), no stuck or frozen finding for the cycle" \
	[ "$found" = 'deadlock:900 stuck:900' ]
check "ABBA: report exits 1" status 1 "$W" --debugfs "$AB" report
jq_report "$AB"
check "ABBA: the deadlock is ranked first (above the hour-long stuck read), tids 901 and 902, cycle with both" python3 -c "
import json
d = json.load(open('$T/g.json'))
assert d['schema'] == 'waitscope.report/2' and d['waits_resolved'] is True, d
f = d['findings'][0]
assert f['kind'] == 'deadlock' and f['tids'] == [901, 902] and f['threads'] == 2, f
assert f['cycle'] == [{'tid': 901, 'pid': 900, 'holds': 'futex 0x4c6140', 'waits_for': 'futex 0x4c6180'},
                      {'tid': 902, 'pid': 900, 'holds': 'futex 0x4c6180', 'waits_for': 'futex 0x4c6140'}], f['cycle']
assert sorted((e['tid'], e['holder_tid']) for e in f['waits_for']) == [(901, 902), (902, 901)], f['waits_for']
assert f['root'] is None and f['next'].startswith('waitscope why 901'), f
s = [x for x in d['findings'] if x['kind'] == 'stuck']
assert len(s) == 1 and s[0]['tids'] == [903] and s[0]['impact_ns'] > f['impact_ns'], s"
check "ABBA: the sentence names each thread, the lock it holds and the one it waits for" sh -c "
	\"$W\" --debugfs $AB report | grep -q 'deadlock in pid 900 (abba): thread 901 (abba-w1) holds the mutex 0x4c6140 and waits for the mutex 0x4c6180; thread 902 (abba-w2) holds the mutex 0x4c6180 and waits for the mutex 0x4c6140'"
check "ABBA: why 901 ends in a deadlock: line naming both, exit 0" sh -c "
	\"$W\" --debugfs $AB why 901 > $T/w.out; [ \$? = 0 ] &&
	tail -1 $T/w.out | grep -q '^deadlock: thread 901 (abba-w1) holds the mutex 0x4c6140 and waits for the mutex 0x4c6180; thread 902 (abba-w2) holds' &&
	[ \$(grep -c '^  [0-9]\\. ' $T/w.out) = 2 ] && ! grep -q '^root:' $T/w.out"
check "ABBA: why --json 901 gives the hops 901, 902 and the cycle" sh -c "
	\"$W\" --debugfs $AB why --json 901 | python3 -c '
import json, sys
d = json.load(sys.stdin)
assert d[\"schema\"] == \"waitscope.why/1\" and d[\"resolved\"], d
c = d[\"chains\"][0]
assert [h[\"tid\"] for h in c[\"hops\"]] == [901, 902] and c[\"root\"] is None, c
assert [x[\"tid\"] for x in c[\"cycle\"]] == [901, 902], c'"
check "ABBA: why 900 (the process): the leader's join leads into the deadlock; 903 is its own root" sh -c "
	\"$W\" --debugfs $AB why 900 > $T/w.out; [ \$? = 0 ] &&
	grep -q '^why thread 900 (abba)' $T/w.out && grep -q 'waits for thread 901 to exit (pthread_join), held by thread 901' $T/w.out &&
	[ \$(grep -c '^deadlock:' $T/w.out) = 3 ] && grep -qx 'root: pid 900 tid 903 (abba-io) sleep: sleeps in read()' $T/w.out"
rm -rf "$T/self" && cp -r "$AB" "$T/self"
sed -i 's/^\(     902 .*process \)        901 /\1        902 /' "$T/self/waits"
jq_report "$T/self"
check "a thread waiting for the mutex it holds itself is a deadlock of one; 901 behind it is stuck with that root" python3 -c "
import json
d = json.load(open('$T/g.json'))
k = {(f['kind'], tuple(f['tids'])): f for f in d['findings']}
assert ('deadlock', (902,)) in k, list(k)
s = k[('stuck', (901,))]
assert s['root']['kind'] == 'deadlock' and s['root']['tid'] == 902, s['root']
assert 'it waits behind thread 902 (abba-w2) of pid 900, in a deadlock of 1 thread:' in s['message'], s['message']"

PC=$F/pipe-cycle
jq_report "$PC"
check "pipe cycle: two processes each reading a pipe only the other writes are one deadlock across both pids" python3 -c "
import json
f = json.load(open('$T/g.json'))['findings']
assert [x['kind'] for x in f] == ['deadlock'], f
assert f[0]['pids'] == [700, 710] and f[0]['tids'] == [700, 710], f[0]
assert [(c['tid'], c['holds'], c['waits_for']) for c in f[0]['cycle']] == [(700, 'pipe:[7002]', 'pipe:[7001]'), (710, 'pipe:[7001]', 'pipe:[7002]')], f[0]['cycle']
assert 'holds the only write end of pipe:[7002] and waits to read from pipe:[7001]' in f[0]['message'], f[0]"
rm -rf "$T/pc2" && cp -r "$PC" "$T/pc2"
# pong gets a second thread, running: it may yet write, so ping's wait has a way out.
awk 'NR == 4 { print; l = $0; sub(/^710 710 pong sleep/, "711 710 pong running", l); print l; next } { print }' \
	"$PC/threads" > "$T/pc2/threads"
jq_report "$T/pc2"
check "pipe cycle with a way out (a running thread in pong): no deadlock; the chain's root is that thread" python3 -c "
import json
f = json.load(open('$T/g.json'))['findings']
assert not [x for x in f if x['kind'] == 'deadlock'], f
s = [x for x in f if x['kind'] == 'stuck' and x['tids'] == [700]]
assert s and s[0]['root']['tid'] == 711 and s[0]['root']['state'] == 'running', f"

CH=$F/chain
# 813-817 (pid 810) wait for the mutex 0x601040, which 818 owns; 818 reads
# pipe:[4411], whose only write end pid 812 holds; 812 sleeps in pause().
found=$(kinds_env "$CH")
check "chain: the mutex waiters and the pipe reader are stuck, the mutex contended; nothing else" \
	[ "$found" = 'lock-contention:810 stuck:810' ]
jq_report "$CH"
check "chain: every finding's root is pid 812 tid 812 (feeder), asleep; the waiters' tids are 813-817" python3 -c "
import json
f = json.load(open('$T/g.json'))['findings']
assert len(f) == 3, f
for x in f:
    r = x['root']
    assert (r['pid'], r['tid'], r['comm'], r['state'], r['kind']) == (812, 812, 'feeder', 'sleep', 'thread'), x
    assert r['why'] == 'sleeps in pause() and holds the only write end of pipe:[4411]', r
s = {tuple(x['tids']): x for x in f if x['kind'] == 'stuck'}
assert set(s) == {(813, 814, 815, 816, 817), (818,)}, list(s)
w = s[(818,)]['waits_for']
assert len(w) == 1 and (w[0]['type'], w[0]['holder_tid'], w[0]['holder_pid'], w[0]['object']) == ('pipe', None, 812, 'pipe:[4411]'), w
assert s[(813, 814, 815, 816, 817)]['next'].startswith('waitscope why 813'), s
c = [x for x in f if x['kind'] == 'lock-contention'][0]
assert c['tids'] == [813, 814, 815, 816, 817] and c['next'].startswith('waitscope why 813'), c"
check "chain: the stuck sentences name the holder and the root" sh -c "
	\"$W\" --debugfs $CH report > $T/c.out;
	grep -q '5 threads of pid 810 (app) have been blocked in a lock wait on futex 0x601040 for 30.0s-34.0s; none has been woken since it blocked; they wait behind thread 818 (reader) of pid 810, which holds the mutex 0x601040; the chain ends at pid 812 (feeder), which sleeps in pause() and holds the only write end of pipe:\[4411\]' $T/c.out &&
	grep -q 'thread 818 of pid 810 (app) has been blocked in read() at pipe_read for 35.0s; none has been woken since it blocked; it waits behind pid 812 (feeder), which sleeps in pause() and holds the only write end of pipe:\[4411\]' $T/c.out &&
	grep -q 'its waiters wait behind thread 818 (reader)' $T/c.out"
check "chain: why 813 gives 3 hops (813, 818, 812) with their evidence and the root, exit 0" sh -c "
	\"$W\" --debugfs $CH why 813 > $T/w.out; [ \$? = 0 ] &&
	[ \"\$(grep -o '^  [0-9]\\. thread [0-9]*' $T/w.out | awk '{ print \$3 }' | tr '\\n' ' ')\" = '813 818 812 ' ] &&
	grep -q '^  1\\. thread 813 (worker-1) of pid 810, in a futex wait for 30.0s, in futex() on 0x601040 (wait, expected value 2: a lock wait), at futex_wait_queue < futex_wait < do_futex: waits for the mutex 0x601040, held by thread 818 (reader) of pid 810 \[mutex-owner, process: __owner of the mutex at 0x601040 (+8) reads 818' $T/w.out &&
	grep -q '^  2\\. thread 818 (reader) of pid 810, asleep for 35.0s, in read(), at pipe_read < vfs_read < ksys_read: waits to read from pipe:\[4411\], held by pid 812 (feeder) \[pipe, external: fd 3 of pid 810' $T/w.out &&
	tail -1 $T/w.out | grep -qx 'root: pid 812 tid 812 (feeder) sleep: sleeps in pause() and holds the only write end of pipe:\[4411\]'"
check "chain: why --json 813: hops 813, 818, 812 and root 812" sh -c "
	\"$W\" --debugfs $CH why 813 --json | python3 -c '
import json, sys
c = json.load(sys.stdin)[\"chains\"][0]
assert [h[\"tid\"] for h in c[\"hops\"]] == [813, 818, 812], c
assert c[\"hops\"][1][\"waits_for\"][\"holder_pid\"] == 812 and c[\"hops\"][2][\"waits_for\"] is None, c
assert (c[\"root\"][\"pid\"], c[\"root\"][\"tid\"]) == (812, 812) and c[\"cycle\"] is None, c'"
check "chain: why 810 (the process) shows each of its 7 blocked threads once, joined chains not walked again" sh -c "
	\"$W\" --debugfs $CH why 810 > $T/w.out; [ \$? = 0 ] && [ \$(grep -c '^why thread' $T/w.out) = 7 ] &&
	[ \$(grep -c 'whose chain is shown above' $T/w.out) = 5 ] && [ \$(grep -c '^root: pid 812 tid 812' $T/w.out) = 6 ]"
check "chain: blocked's HOLDER column: 818 for the mutex waiters, pid:812 for the reader, - for the writer" sh -c "
	\"$W\" --debugfs $CH blocked > $T/b.out && grep -q '^ *TID .* HOLDER ' $T/b.out &&
	grep -qE '^ +813 +810 worker-1 .* futex +818 +0x601040' $T/b.out &&
	grep -qE '^ +818 +810 reader .* read +pid:812 +-\$' $T/b.out && grep -qE '^ +812 +812 feeder .* pause +- +-\$' $T/b.out"
check "chain: blocked --json carries each thread's waits_for" sh -c "
	\"$W\" --debugfs $CH blocked --json | python3 -c '
import json, sys
t = {x[\"tid\"]: x for x in json.load(sys.stdin)[\"threads\"]}
assert [e[\"holder_tid\"] for e in t[813][\"waits_for\"]] == [818] and t[812][\"waits_for\"] == [], t[813]'"
rm -rf "$T/ch2" && cp -r "$CH" "$T/ch2"
sed -n '$p' "$CH/waits" | sed 's/     812 feeder          /     830 gone-writer     /' >> "$T/ch2/waits"
jq_report "$T/ch2"
check "a pipe with two writers: the chain follows the first, counts the other root (a writer not in the snapshot)" python3 -c "
import json
f = [x for x in json.load(open('$T/g.json'))['findings'] if x['tids'] == [818]][0]
assert f['root']['tid'] == 812 and f['root']['other_roots'] == 1, f['root']
assert f['root']['why'] == 'sleeps in pause() and holds a write end of pipe:[4411] (one of 2 holders)', f['root']
assert '(1 other root on branches not followed)' in f['message'], f['message']"
check "a pipe with two writers: HOLDER says pid:812+1" sh -c "
	\"$W\" --debugfs $T/ch2 blocked | grep -qE '^ +818 .* read +pid:812\\+1 '"
rm -rf "$T/ch3" && cp -r "$CH" "$T/ch3"
sed -i 's/     818        810 reader /    8888        810 reader /' "$T/ch3/waits"
jq_report "$T/ch3"
check "a holder not in the snapshot ends the chain as gone; why still resolves (exit 0)" sh -c "
	python3 -c \"
import json
f = [x for x in json.load(open('$T/g.json'))['findings'] if x['tids'] == [813, 814, 815, 816, 817]][0]
assert (f['root']['state'], f['root']['tid'], f['root']['kind']) == ('gone', 8888, 'gone'), f['root']
assert 'is not in the snapshot' in f['message'], f\" &&
	\"$W\" --debugfs $T/ch3 why 813 > $T/w.out && grep -q '^  2\\. thread 8888, not in the snapshot' $T/w.out"
rm -rf "$T/ch4" && cp -r "$CH" "$T/ch4"
sed -i 's/ feeder           pipe/ fe\\x1b[2Jder      pipe/' "$T/ch4/waits"
check "a holder comm with an escape sequence: no control byte reaches the terminal, JSON keeps it" sh -c "
	for c in 'report' 'why 818' 'blocked'; do
		\"$W\" --debugfs $T/ch4 \$c > $T/t.out 2>&1
		! grep -q \"\$(printf '\\033')\" $T/t.out || exit 1
	done
	\"$W\" --debugfs $T/ch4 blocked --json | python3 -c '
import json, sys
t = {x[\"tid\"]: x for x in json.load(sys.stdin)[\"threads\"]}
assert t[818][\"waits_for\"][0][\"holder_comm\"] == \"fe\\x1b[2Jder\", t[818]'"

FZ=$F/frozen
# pid 950: 3 threads in sem_wait-style waits (unknown edges, scope process);
# pid 960: two condvar workers and a thread in epoll_wait (external).
found=$(kinds_env "$FZ")
check "frozen: pid 950 is frozen; the idle pool 960 woken from outside (epoll) is not; unknown edges make no deadlock" \
	[ "$found" = 'frozen:950' ]
jq_report "$FZ"
check "frozen: the finding lists the 3 tids, their edges, and names the wait" python3 -c "
import json
f = json.load(open('$T/g.json'))['findings']
assert len(f) == 1 and f[0]['tids'] == [950, 951, 952] and f[0]['threads'] == 3, f
assert sorted(e['tid'] for e in f[0]['waits_for']) == [950, 951, 952] and f[0]['root'] is None, f[0]
assert 'every thread of pid 950 (sempool), 3 in all, has been blocked for 1m00s-1m02s in waits only its own threads could end: futex 0x602000 (3 waits, unknown)' in f[0]['message'], f[0]['message']"
check "frozen: why 951 stops at an unknown edge: exit 1, root line says no holder" sh -c "
	\"$W\" --debugfs $FZ why 951 > $T/w.out; [ \$? = 1 ] &&
	tail -1 $T/w.out | grep -qx 'root: pid 950 tid 951 (sempool) futex: waits on futex 0x602000 (no holder known)'"
check "frozen: --stuck 2m (above the threads' 1m00s) finds nothing" status 0 "$W" --debugfs "$FZ" report --stuck 2m
rm -rf "$T/fz" && cp -r "$FZ" "$T/fz"
sed -i '/^     951 /s/ process / timed   /' "$T/fz/waits"
check "frozen: one wait with a timeout (scope timed) and the process is not frozen" sh -c "
	[ \"\$(env \"$W\" --debugfs $T/fz report --json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)[\"findings\"]))')\" = 0 ]"
cp "$FZ/waits" "$T/fz/waits"
sed -i '/^     960 /d' "$T/fz/waits"
found=$(kinds_env "$T/fz")
check "frozen: the epoll thread without any edge still keeps its pool from being frozen" [ "$found" = 'frozen:950' ]
cp "$FZ/waits" "$T/fz/waits"
sed -i '/^     960 /s/ external / process  /' "$T/fz/waits"
found=$(kinds_env "$T/fz")
check "frozen: control: the same pool with its epoll wait made scope process is frozen" [ "$found" = 'frozen:950 frozen:960' ]

# ---- why: exit status and errors ----
check "why: an unknown tid exits 2 with one line on stderr, nothing on stdout" sh -c "
	\"$W\" --debugfs $CH why 99999 > $T/o 2> $T/e; [ \$? = 2 ] && [ ! -s $T/o ] && [ \$(wc -l < $T/e) = 1 ] &&
	grep -q 'no thread or process 99999' $T/e"
check "why: a bad argument exits 2" status 2 "$W" --debugfs "$CH" why abc
check "why: a snapshot without a waits file: exit 1, root unknown with the reason" sh -c "
	\"$W\" --debugfs $S why 20638 > $T/w.out; [ \$? = 1 ] &&
	tail -1 $T/w.out | grep -qx 'root: unknown (the waits-for graph is not resolved: the snapshot has no waits file)'"
check "report: a snapshot without a waits file says so in one note" sh -c "
	\"$W\" --debugfs $S report --stuck 2s --json | python3 -c '
import json, sys
d = json.load(sys.stdin)
n = [x for x in d[\"notes\"] if \"waits-for graph\" in x]
assert len(n) == 1 and \"not resolved (the snapshot has no waits file)\" in n[0] and not d[\"waits_resolved\"], d[\"notes\"]'"
rm -rf "$T/r0" && cp -r "$CH" "$T/r0"
printf '# waitscope waits v1 resolved=0\n#    tid     pid type          scope    holder_tid holder_pid holder_comm      object evidence\n# why_not: not\\x20run\\x20as\\x20root\n' > "$T/r0/waits"
check "a waits file with resolved=0: the note gives its why_not; why exits 1" sh -c "
	\"$W\" --debugfs $T/r0 report | grep -q '^note: the waits-for graph is not resolved (not run as root)' &&
	\"$W\" --debugfs $T/r0 why 813 > /dev/null; [ \$? = 1 ]"
for fx in deadlock-abba chain frozen pipe-cycle; do
	check "waits prints the edges as the file has them ($fx)" sh -c "\"$W\" --debugfs $F/$fx waits | cmp -s - $F/$fx/waits"
	check "report, why and blocked --json are valid JSON ($fx)" sh -c "
		\"$W\" --debugfs $F/$fx report --json | python3 -m json.tool > /dev/null &&
		\"$W\" --debugfs $F/$fx blocked --json | python3 -m json.tool > /dev/null &&
		for t in \$(awk 'NR > 2 { print \$1 }' $F/$fx/threads); do
			\"$W\" --debugfs $F/$fx why --json \$t | python3 -m json.tool > /dev/null || exit 1
		done"
done
check "waits -p 810 lists only pid 810's edges" sh -c "
	[ \"\$(\"$W\" --debugfs $CH waits -p 810 | awk 'NR > 2 { print \$2 }' | sort -u)\" = 810 ] &&
	[ \"\$(\"$W\" --debugfs $CH waits -p 812 | wc -l)\" = 2 ]"
check "every finding of every fixture has tids; those about blocked threads waits_for and root" sh -c "
	for d in $F/*/; do
		\"$W\" --debugfs \$d report --stuck 2s --json | python3 -c '
import json, sys
for f in json.load(sys.stdin)[\"findings\"]:
    assert isinstance(f[\"tids\"], list), f
    if f[\"kind\"] in (\"stuck\", \"lock-contention\", \"deadlock\", \"frozen\"):
        assert isinstance(f[\"waits_for\"], list) and \"root\" in f, f
    if f[\"kind\"] == \"stuck\":
        assert len(f[\"tids\"]) == f[\"threads\"], f' || exit 1
	done"

# ---- a garbled or truncated waits file: exit 2 with one line, never a crash ----
badw() {
	name=$1 edit=$2
	rm -rf "$T/bw" && cp -r "$AB" "$T/bw"
	sh -c "$edit" < "$AB/waits" > "$T/bw/waits"
	check "bad waits ($name): report, why, blocked and waits exit 2 with one line naming the waits file" sh -c "
		for c in report 'why 901' blocked waits; do
			\"$W\" --debugfs $T/bw \$c > /dev/null 2> $T/err; rc=\$?
			[ \$rc = 2 ] && [ \$(wc -l < $T/err) = 1 ] && grep -q '^waitscope: waits' $T/err || exit 1
		done"
}
badw "unknown version" "sed '1s/ v1 / v9 /'"
badw "no resolved=" "sed '1s/ resolved=1//'"
badw "an unknown edge type" "sed '4s/mutex-owner/mutex-ownr /'"
badw "an unknown scope" "sed '4s/ process / proc    /'"
badw "a missing column" "sed '2s/ holder_pid//'"
badw "a non-numeric tid" "sed '3s/^     900/     9x0/'"
badw "a row with fields missing" "sed '5s/ futex.*//'"
badw "truncated in the middle of a row" "head -c 300"
badw "truncated after the first line" "head -n 1"
badw "an empty file" "true"
badw "a NUL byte" "sed '4s/ process / proc\\x00ss /'"
badw "an object too long" "sed '4s/futex\\\\x200x4c6180/$(printf 'x%.0s' $(seq 100))/'"

# ---- snapshot keeps the waits file optional ----
rm -rf "$T/sw"
check "snapshot of a snapshot with a waits file copies it (0600), and the copy reads the same" sh -c "
	\"$W\" --debugfs $CH snapshot $T/sw > $T/sw.out && grep -q '8 threads and 6 waits-for edges saved' $T/sw.out &&
	cmp -s $CH/waits $T/sw/waits && [ \"\$(stat -c %a $T/sw/waits)\" = 600 ] &&
	\"$W\" --debugfs $T/sw why 813 | tail -1 | grep -q '^root: pid 812 tid 812'"
check "snapshot of a snapshot without one leaves none behind (a stale one is removed); it still loads" sh -c "
	\"$W\" --debugfs $S snapshot $T/sw > $T/sw.out && grep -q 'waits not resolved' $T/sw.out &&
	[ ! -e $T/sw/waits ] && \"$W\" --debugfs $T/sw status > /dev/null"
check "why --help and waits --help exit 0; --help lists why and waits" sh -c "
	\"$W\" why --help | grep -q 'usage: waitscope why' && \"$W\" waits --help | grep -q 'usage: waitscope waits' &&
	\"$W\" --help | grep -q '^  why TID|PID' && \"$W\" --help | grep -q '^  waits '"

# ---- the flight recorder: waitscope slow (tests/fixtures/events-basic/events) ----
# seq 1 missed; waits 2 runq 812 (prev 900 backup), 3 sleep 813 ([irq]), 4 futex
# 814 (partial, woken by 815 locker), 5 io 820, 6 uninterruptible 821, 9 runq 813
# (no preemptor known), 10 sleep 840 ("sl ow"), 11 futex 812 (20.0ms); exits 7
# (816, killed in a lock_pi wait) and 8 (830).  Times are printed in UTC here.
EV=$F/events-basic
slow() { TZ=UTC "$W" --debugfs "$EV" slow "$@"; }
# nevents ARGS...: how many event lines slow prints (lines that start with the time)
nevents() { slow "$@" 2> /dev/null | grep -c '^[0-9][0-9]:[0-9][0-9]:'; }
check "slow: the column header, the missed line and the 8 waits, nothing else" sh -c "
	TZ=UTC \"$W\" --debugfs $EV slow > $T/sl.out 2> $T/sl.err && [ ! -s $T/sl.err ] && [ \$(wc -l < $T/sl.out) = 10 ] &&
	head -1 $T/sl.out | grep -qx 'TIME         COMM             TID     REASON          LAT(ms)  WAKER/PREEMPTOR          SYSCALL' &&
	sed -n 2p $T/sl.out | grep -qx -- '-- missed 1 event (overwritten before they were read) --' &&
	[ \$(grep -c '^[0-9][0-9]:' $T/sl.out) = 8 ] && ! grep -q EXIT $T/sl.out"
check "slow: a runq wait names its preemptor (prev), 12.0ms, no syscall" sh -c "
	TZ=UTC \"$W\" --debugfs $EV slow | grep -qx '10:06:39.100 worker           812     runq               12.0  prev 900 (backup)        -'"
check "slow: a partial futex wait is a floor (>4000.0), woken by its waker, with the word and op" sh -c "
	TZ=UTC \"$W\" --debugfs $EV slow | grep -qx '10:06:39.300 worker           814     futex           >4000.0  woken by 815 (locker)    futex 0x7f2a1c000b20 (wait)'"
check "slow: an interrupt's wakeup is 'woken by [irq]'; an unknown preemptor '-'; comms unescaped" sh -c "
	TZ=UTC \"$W\" --debugfs $EV slow > $T/sl.out &&
	grep -qx '10:06:39.200 worker           813     sleep              50.1  woken by \[irq\]           nanosleep' $T/sl.out &&
	grep -qx '10:06:39.850 worker           813     runq               15.5  -                        -' $T/sl.out &&
	grep -qx '10:06:39.900 sl ow            840     sleep            1000.0  -                        clock_nanosleep' $T/sl.out"
counts="$(nevents --reason runq,futex) $(nevents -p 810) $(nevents -t 813) $(nevents --min 100ms) $(nevents --min 20ms) $(nevents --reason io -p 820) $(nevents --reason sleep --min 1s) $(nevents -p 999)"
check "slow: --reason runq,futex 4, -p 810 5, -t 813 2, --min 100ms 4, --min 20ms 6 (20.0ms counts), --reason io -p 820 1, sleep 1s 1, -p 999 0" \
	[ "$counts" = '4 5 2 4 6 1 1 0' ]
check "slow: --min below the module's threshold says once, on stderr, how to lower it; at it says nothing" sh -c "
	TZ=UTC \"$W\" --debugfs $EV slow --min 5ms > $T/sl.out 2> $T/sl.err && [ \$(wc -l < $T/sl.err) = 1 ] &&
	grep -q 'below the module.s threshold of 10.0ms: waits shorter than 10.0ms were never recorded.*echo slow_min_us=5000 > /sys/kernel/debug/waitscope/control' $T/sl.err &&
	[ \$(grep -c '^[0-9][0-9]:' $T/sl.out) = 8 ] &&
	TZ=UTC \"$W\" --debugfs $EV slow --min 10ms > /dev/null 2> $T/sl.err && [ ! -s $T/sl.err ]"
check "slow --exits: the killed exit with its wait and totals, the normal exit's totals" sh -c "
	TZ=UTC \"$W\" --debugfs $EV slow --exits > $T/sl.out && [ \$(grep -c '^[0-9][0-9]:' $T/sl.out) = 10 ] &&
	grep -qx '10:06:39.600 worker           816     EXIT             4100.0  killed while blocked: futex wait of 4100.0ms in futex 0x7f2a1c000b40 (lock_pi); totals: 1.20ms on CPU, 15 switches (3 involuntary), runq 3 (1us), futex 2 (4.0s)' $T/sl.out &&
	grep -qx '10:06:39.700 short            830     EXIT                  -  exited; totals: 800us on CPU, 6 switches (1 involuntary), runq 2 (30us), sleep 1 (20.0ms)' $T/sl.out"
counts="$(nevents --exits --min 1h) $(nevents --exits --reason io) $(nevents --exits -p 830) $(nevents --min 1h)"
check "slow --exits: --min and --reason choose among waits only, -p among exits too (2, 3, 1; 0 without --exits)" \
	[ "$counts" = '2 3 1 0' ]
check "slow --stack: each wait's frames under it, indented; a module's frame as 'sym [mod]'" sh -c "
	TZ=UTC \"$W\" --debugfs $EV slow --stack -t 820 > $T/sl.out &&
	[ \"\$(sed -n '3,\$p' $T/sl.out)\" = \"\$(printf '%s\n' '10:06:39.450 dd               820     io                250.0  woken by [irq]           read' \
		'        io_schedule+0x42/0x70' '        jbd2_log_wait_commit+0xb5/0x120 [jbd2]' '        ext4_sync_file+0x1e0/0x3a0')\" ] &&
	[ \$(TZ=UTC \"$W\" --debugfs $EV slow --stack | grep -c '^        [a-z]') = 11 ]"
check "slow --json: NDJSON, every line an object of schema waitscope.event/1; the missed object; known fields" sh -c "
	TZ=UTC \"$W\" --debugfs $EV slow --json --exits | python3 -c '
import json, sys
lines = sys.stdin.read().splitlines()
o = [json.loads(x) for x in lines]
assert len(o) == 11 and all(x[\"schema\"] == \"waitscope.event/1\" for x in o), o
assert o[0] == {\"schema\": \"waitscope.event/1\", \"kind\": \"missed\", \"count\": 1, \"after\": 0}, o[0]
e = {x[\"seq\"]: x for x in o[1:]}
assert sorted(e) == list(range(2, 12)), sorted(e)
f = e[4]
want = {\"time_ns\": 90300000000, \"time\": \"2025-12-02T10:06:39.300Z\", \"kind\": \"wait\", \"cpu\": 1, \"tid\": 814, \"tgid\": 810,
        \"comm\": \"worker\", \"reason\": \"futex\", \"duration_ns\": 4000000000, \"partial\": True, \"syscall\": 202,
        \"syscall_name\": \"futex\", \"futex_addr\": \"0x7f2a1c000b20\", \"futex_op\": \"wait\", \"cgroup_id\": 1,
        \"waker_tid\": 815, \"waker_comm\": \"locker\",
        \"stack\": [\"futex_wait_queue+0x5f/0x90\", \"futex_wait+0x164/0x250\", \"do_futex+0x10e/0x1b0\"]}
assert all(f[k] == v for k, v in want.items()), f
assert \"preemptor_tid\" not in f and \"killed\" not in f, f
r = e[2]
assert (r[\"preemptor_tid\"], r[\"preemptor_comm\"], r[\"stack\"], r[\"syscall\"], r[\"syscall_name\"], r[\"futex_addr\"]) == (900, \"backup\", [], -1, None, None), r
assert \"waker_tid\" not in r, r
assert (e[3][\"waker_tid\"], e[3][\"waker_comm\"]) == (0, \"[irq]\"), e[3]
assert (e[9][\"preemptor_tid\"], e[9][\"preemptor_comm\"]) == (None, None), e[9]
assert e[10][\"comm\"] == \"sl ow\" and (e[10][\"waker_tid\"], e[10][\"waker_comm\"]) == (None, None), e[10]
assert e[5][\"stack\"][1] == \"jbd2_log_wait_commit+0xb5/0x120 [jbd2]\", e[5]
k = e[7]
assert (k[\"kind\"], k[\"killed\"], k[\"reason\"], k[\"duration_ns\"], k[\"futex_op\"]) == (\"exit\", True, \"futex\", 4100000000, \"lock_pi\"), k
assert k[\"totals\"] == {\"nvcsw\": 12, \"nivcsw\": 3, \"oncpu_ns\": 1200000, \"runq\": {\"n\": 3, \"ns\": 1200},
                       \"futex\": {\"n\": 2, \"ns\": 4000000000}, \"io\": {\"n\": 0, \"ns\": 0},
                       \"uninterruptible\": {\"n\": 0, \"ns\": 0}, \"sleep\": {\"n\": 0, \"ns\": 0}}, k
x = e[8]
assert (x[\"killed\"], x[\"reason\"], x[\"totals\"][\"sleep\"]) == (False, None, {\"n\": 1, \"ns\": 20000000}), x
assert \"stack\" not in x and \"waker_tid\" not in x, x'"
check "slow --json: the filters hold (--reason runq: 2 events and the missed object)" sh -c "
	[ \"\$(TZ=UTC \"$W\" --debugfs $EV slow --json --reason runq | python3 -c 'import json,sys; print(\" \".join(str(json.loads(l).get(\"seq\", \"m\")) for l in sys.stdin))')\" = 'm 2 9' ]"
check "slow: a bad --reason exits 2 with one line listing the five" sh -c "
	\"$W\" --debugfs $EV slow --reason runq,fuetx > $T/o 2> $T/e; [ \$? = 2 ] && [ ! -s $T/o ] && [ \$(wc -l < $T/e) = 1 ] &&
	grep -q 'runq, futex, io, uninterruptible, sleep' $T/e"
check "slow: a bad --min, -p or --interval exits 2" sh -c "
	for a in '--min x' '-p 0' '-t -3' '--interval 1ms' '--interval 2h' 'extra'; do
		\"$W\" --debugfs $EV slow \$a > /dev/null 2>&1; [ \$? = 2 ] || exit 1
	done"
check "slow: no events file (an older snapshot or module): exit 2, one line; other commands do not need it" sh -c "
	\"$W\" --debugfs $F/dup-tid slow > $T/o 2> $T/e; [ \$? = 2 ] && [ \$(wc -l < $T/e) = 1 ] &&
	grep -qx 'waitscope: no events file in $F/dup-tid (a waitscope.ko without the recorder?)' $T/e"
check "slow reads only the events file: a directory with nothing else works" sh -c "
	rm -rf $T/only && mkdir $T/only && cp $EV/events $T/only/ && [ \$(TZ=UTC \"$W\" --debugfs $T/only slow | wc -l) = 10 ]"
rm -rf "$T/none" && mkdir "$T/none"
sed -e '2s/.*/# after=0 last=11 kept=0 missed=11 overwritten=11/' -e '4,$d' "$EV/events" > "$T/none/events"
check "slow with no event kept: the header and a line giving the threshold, exit 0" sh -c "
	\"$W\" --debugfs $T/none slow > $T/o 2> $T/e && [ \$(wc -l < $T/o) = 3 ] &&
	tail -1 $T/o | grep -qx '(no events recorded; the module records waits of 10.0ms or more)' &&
	\"$W\" --debugfs $T/none slow --json | python3 -c 'import json,sys; l = sys.stdin.readlines(); assert len(l) == 1 and json.loads(l[0])[\"count\"] == 11, l'"
sed -i '1s/slow_min_us=10000/slow_min_us=0/' "$T/none/events"
check "slow with the recorder off (slow_min_us=0): says so, and how to turn it on" sh -c "
	\"$W\" --debugfs $T/none slow > $T/o 2> $T/e && tail -1 $T/o | grep -q 'the recorder is off' &&
	grep -q 'echo slow_min_us=10000 > /sys/kernel/debug/waitscope/control' $T/e"

# badev NAME EDIT: a garbled events file: slow, and report (which reads it
# for its findings' evidence, issue 14), exit 2 with one line naming it
badev() {
	name=$1 edit=$2
	rm -rf "$T/be" && cp -r "$EV" "$T/be"
	sh -c "$edit" < "$EV/events" > "$T/be/events"
	check "bad events ($name): slow and report exit 2 with one line naming the events file and line" sh -c "
		\"$W\" --debugfs $T/be slow > /dev/null 2> $T/err; rc=\$?
		[ \$rc = 2 ] && [ \$(wc -l < $T/err) = 1 ] && grep -q '^waitscope: events:[0-9]' $T/err &&
		\"$W\" --debugfs $T/be report > $T/o 2> $T/err; rc=\$?
		[ \$rc = 2 ] && [ ! -s $T/o ] && [ \$(wc -l < $T/err) = 1 ] && grep -q '^waitscope: events:[0-9]' $T/err"
}
badev "a row with a column missing" "sed '5s/ 1 hrtimer/ hrtimer/'"
badev "a row with a column too many" "sed '5s/ 1 hrtimer/ 1 2 hrtimer/'"
badev "seq not strictly increasing" "sed '6s/^       4/       3/'"
badev "unknown version" "sed '1s/ v1 / v2 /'"
badev "an unknown kind" "sed '4s/ wait / wiat /'"
badev "an unknown reason" "sed '4s/ runq / rnq  /'"
badev "an unknown flag" "sed '4s/ -  *-1 / partial,late -1 /'"
badev "a non-number" "sed '4s/ 12000000 / 12OOOOOO /'"
badev "no slow_min_us in the header" "sed '1s/ slow_min_us=10000//'"
badev "the column header changed" "sed '3s/ other_tid / waker_tid /'"
badev "bad exit totals" "sed '10s/,sleep=1\\/20000000//'"
badev "truncated in a row" "head -c 1500"
badev "a NUL byte" "sed '5s/ sleep / sl\\x00ep /'"
check "bad events: truncated at a line end (fewer rows than kept) exits 2" sh -c "
	rm -rf $T/be && mkdir $T/be && head -n 8 $EV/events > $T/be/events &&
	\"$W\" --debugfs $T/be slow > /dev/null 2> $T/err; [ \$? = 2 ] && grep -q 'events: 5 rows, but the header says kept=10' $T/err"

check "slow --follow on a saved snapshot exits 2 with one line" sh -c "
	\"$W\" --debugfs $EV slow --follow > $T/o 2> $T/e; [ \$? = 2 ] && [ ! -s $T/o ] && [ \$(wc -l < $T/e) = 1 ] &&
	grep -q 'saved snapshot' $T/e"

# ---- snapshot copies the events file, optional ----
rm -rf "$T/se"
check "snapshot copies the events file (0600, the same bytes), and slow reads the copy" sh -c "
	\"$W\" --debugfs $EV snapshot $T/se > $T/se.out && grep -q '^waitscope: 10 events of the flight recorder saved to $T/se/events' $T/se.out &&
	cmp -s $EV/events $T/se/events && [ \"\$(stat -c %a $T/se/events)\" = 600 ] &&
	[ \"\$(TZ=UTC \"$W\" --debugfs $T/se slow --exits --json)\" = \"\$(TZ=UTC \"$W\" --debugfs $EV slow --exits --json)\" ]"
check "snapshot of a source without events leaves none behind (a stale one is removed), and does not fail" sh -c "
	\"$W\" --debugfs $S snapshot $T/se > $T/se.out && ! grep -q 'flight recorder' $T/se.out && [ ! -e $T/se/events ] &&
	\"$W\" --debugfs $T/se slow > /dev/null 2>&1; [ \$? = 2 ]"
rm -rf "$T/be" && cp -r "$EV" "$T/be" && sed -i '4s/ wait / wiat /' "$T/be/events"
check "snapshot of a source with a garbled events file exits 2 with one line" sh -c "
	rm -rf $T/se2; \"$W\" --debugfs $T/be snapshot $T/se2 > /dev/null 2> $T/err; [ \$? = 2 ] && [ \$(wc -l < $T/err) = 1 ] &&
	grep -q '^waitscope: events:4: unknown kind' $T/err"

# ---- --follow on a fake live directory (a control file; events a regular file) ----
# A regular file is never written into ("after N" is for the module's file):
# the CLI reads it whole and keeps the events after the last seq it saw.
fake_live() {
	rm -rf "$T/live" && mkdir "$T/live" && cp "$EV/events" "$T/live/" && : > "$T/live/control"
}
# the events file again with one event more (seq 14; 12 and 13 lost), replaced at once
grow_live() {
	{ sed '2s/.*/# after=0 last=14 kept=11 missed=3 overwritten=3/' "$EV/events"
	  echo '      14      90990000000   1 wait     812     810 worker           runq                    11000000 -                    -1                  - -                     900 backup                    1 -'
	} > "$T/live/events.new" && mv "$T/live/events.new" "$T/live/events"
}
# follow_live OUT ARGS...: slow --follow on $T/live; the file grows after 0.8s;
# SIGTERM after 1.6s; OUT.rc its exit status, OUT.dt tenths of a second it took to go
follow_live() {
	out=$1
	shift
	fake_live
	TZ=UTC "$W" --debugfs "$T/live" slow --follow --interval 100ms "$@" > "$out" 2> "$out.err" &
	pid=$!
	sleep 0.8
	grow_live
	sleep 0.8
	kill -TERM "$pid"
	i=0
	while kill -0 "$pid" 2> /dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
	kill -KILL "$pid" 2> /dev/null
	wait "$pid"
	echo $? > "$out.rc"
	echo $i > "$out.dt"
}
fake_live
check "slow --follow on a fake live dir: prints the events once, exits 0 on SIGTERM (timeout -s TERM 2)" sh -c "
	TZ=UTC timeout --preserve-status -s TERM 2 \"$W\" --debugfs $T/live slow --follow --interval 100ms > $T/fo.out 2> $T/fo.err; [ \$? = 0 ] &&
	[ ! -s $T/fo.err ] && [ \$(wc -l < $T/fo.out) = 10 ] && [ \$(grep -c ' 812     runq  ' $T/fo.out) = 1 ] &&
	cmp -s $EV/events $T/live/events"
follow_live "$T/fl.out"
check "slow --follow: a new event once, the gap before it as missed, exit 0 within a second of SIGTERM" sh -c "
	[ \$(cat $T/fl.out.rc) = 0 ] && [ \$(cat $T/fl.out.dt) -lt 10 ] && [ ! -s $T/fl.out.err ] &&
	[ \$(wc -l < $T/fl.out) = 12 ] && [ \$(grep -c '^10:06:39.100 ' $T/fl.out) = 1 ] &&
	[ \"\$(tail -2 $T/fl.out)\" = \"\$(printf '%s\n' '-- missed 2 events (overwritten before they were read) --' \
		'10:06:39.990 worker           812     runq               11.0  prev 900 (backup)        -')\" ]"
follow_live "$T/fj.out" --json
check "slow --follow --json: every seq once, then the missed object (after 11, count 2) and seq 14" sh -c "
	[ \$(cat $T/fj.out.rc) = 0 ] && python3 -c '
import json
o = [json.loads(l) for l in open(\"$T/fj.out\")]
seqs = [x.get(\"seq\") for x in o if x[\"kind\"] != \"missed\"]
assert seqs == [2, 3, 4, 5, 6, 9, 10, 11, 14], seqs
m = [x for x in o if x[\"kind\"] == \"missed\"]
assert [(x[\"count\"], x[\"after\"]) for x in m] == [(1, 0), (2, 11)], m
assert o[-2] == m[-1] and o[-1][\"seq\"] == 14, o[-2:]'"
check "slow --help explains events, the threshold knob and the columns; --help lists slow" sh -c "
	\"$W\" slow --help > $T/h.out && grep -q 'slow_min_us' $T/h.out && grep -q 'WAKER/PREEMPTOR' $T/h.out &&
	grep -q 'An event' $T/h.out && grep -q 'Examples' $T/h.out && \"$W\" --help | grep -q '^  slow '"
# The example of the format contract (README, the events file), verbatim.
rm -rf "$T/contract" && mkdir "$T/contract" && cat > "$T/contract/events" <<'EVENTS'
# waitscope events v1 now_ns=91000000000 realtime_ns=1764670000000000000 unit=ns slow_min_us=10000 exit_events=1 capacity=1024 cpus=2 stack=available
# after=0 last=5 kept=4 missed=1 overwritten=1
#      seq          time_ns cpu kind     tid    tgid comm             reason               duration_ns flags           syscall         futex_addr futex_op        other_tid other_comm            cgroup detail
       2      90100000000   0 wait     812     810 worker           runq                    12000000 -                    -1                  - -                     900 backup                     1 -
       3      90200000000   1 wait     813     810 worker           sleep                   50100000 -                    35                  - -                       0 [irq]                      1 hrtimer_nanosleep+0xd1/0x1b0,do_nanosleep+0x6d/0x160
       4      90300000000   1 wait     814     810 worker           futex                 4000000000 partial             202     0x7f2a1c000b20 wait                  815 locker                     1 futex_wait_queue+0x5f/0x90
       5      90400000000   0 exit     814     810 worker           futex                 4100000000 killed            202     0x7f2a1c000b20 wait                    0 -                          1 nvcsw=12,nivcsw=3,oncpu_ns=1200000,runq=3/1200,futex=2/4000000000,io=0/0,uninterruptible=0/0,sleep=0/0
EVENTS
check "slow reads the format contract's example: 3 waits, the killed exit, 1 missed" sh -c "
	TZ=UTC \"$W\" --debugfs $T/contract slow --exits > $T/o && [ \$(wc -l < $T/o) = 6 ] &&
	grep -q '^10:06:39.400 worker           814     EXIT             4100.0  killed while blocked: futex wait of 4100.0ms in futex 0x7f2a1c000b20 (wait);' $T/o"

# ---- issue 14: the recorder's events in report, top and export (tests/fixtures/events-starve) ----
# pid 700: worker-1 (701) starves (52% of its time in the run queue, 15.5x
# its siblings); its 12 run-queue waits of 10ms or more (seq 2-7, 10-15)
# ended at 14:02:11.1-14:02:13.4 UTC, 9 behind backup (pid 900), 2 behind
# worker-2 (702), 1 with no preemptor known.  Not its: seq 1 (tid 701 of
# an earlier process, 650), 8 (its sleep), 9 (worker-3's).  pid 800: flush-1
# and flush-2 (801, 803) hide blocking; their waits seq 16-20 (4 io, 1
# uninterruptible) ended at 14:02:15.1-15.9, 3 woken from interrupts, 1 by
# the kernel thread 850 (jbd2/sda1-8, not in the snapshot), 1 by no known
# waker.  Seq 21 is an exit.  stats: slow_runq_n 14, io 4, uninterruptible
# 1, sleep 1, futex 0, exit 1.  Times are printed in UTC here.
ES=$F/events-starve
STARVE='   recorded:  its 12 run-queue waits of 10.0ms or more happened at 14:02:11–14:02:13, 9 of them behind pid 900 (backup).'
HIDDEN='   recorded:  their 5 I/O and uninterruptible waits of 10.0ms or more happened at 14:02:15, 3 of them woken from interrupts.'
# recorded DIR [ARGS...]: report's "recorded:" lines, in order
recorded() {
	d=$1
	shift
	TZ=UTC "$W" --debugfs "$d" report "$@" | grep '^   recorded:  '
}
check "report: the starving worker's slow waits, when (14:02:11–14:02:13) and behind whom (pid 900, 9 of 12), under its headline" sh -c "
	TZ=UTC \"$W\" --debugfs $ES report > $T/r.out; [ \$? = 1 ] &&
	[ \"\$(grep -A1 '^[0-9]\\. \\[starving\\] worker 701 (worker-1) of pid 700 ' $T/r.out | tail -1)\" = '$STARVE' ]"
check "report: the hidden-blocking pool's: their 5 io and uninterruptible waits, one second, 3 woken from interrupts" sh -c "
	TZ=UTC \"$W\" --debugfs $ES report > $T/r.out;
	[ \"\$(grep -A1 '^[0-9]\\. \\[hidden-blocking\\] 2 threads of pid 800 (flush-N) ' $T/r.out | tail -1)\" = '$HIDDEN' ] &&
	[ \$(grep -c '^   recorded:' $T/r.out) = 2 ]"
cat > "$T/slowev.py" <<'PY'
import json, sys
d = json.load(sys.stdin)
want = json.loads(sys.argv[1])
f = {x["kind"]: x for x in d["findings"]}
assert d["schema"] == "waitscope.report/2", d["schema"]
assert sorted(f) == sorted(want), sorted(f)
wall = lambda ms: 1764684140000000000 - (200000 - ms) * 1000000
for kind, w in want.items():
    if w is None:
        assert "slow_events" not in f[kind], f[kind]
        continue
    for k in ("first_ns", "last_ns"):
        if isinstance(w.get(k), int):
            w[k] = wall(w[k])
    assert f[kind]["slow_events"] == w, (kind, f[kind]["slow_events"], w)
PY
# slowev DIR WANT [ARGS...]: report --json's slow_events per kind are WANT
# (JSON; first_ns and last_ns as ms of the module clock; null: none)
slowev() {
	d=$1 want=$2
	shift 2
	"$W" --debugfs "$d" report --json "$@" | python3 "$T/slowev.py" "$want"
}
check "report --json: slow_events of both findings, exact (count, min_ns, wall times, cause, its count, overwritten)" slowev "$ES" '{
	"starving": {"count": 12, "reasons": ["runq"], "min_ns": 10000000, "first_ns": 191100, "last_ns": 193400,
		"cause_tid": 900, "cause_pid": 900, "cause_comm": "backup", "cause_role": "preemptor", "cause_count": 9, "overwritten": 0},
	"hidden-blocking": {"count": 5, "reasons": ["io", "uninterruptible"], "min_ns": 10000000, "first_ns": 195100,
		"last_ns": 195900, "cause_tid": 0, "cause_pid": null, "cause_comm": "[irq]", "cause_role": "waker", "cause_count": 3,
		"overwritten": 0}}'
# The rings lost 3 older events: the same rows numbered 4-24.
rm -rf "$T/ow" && cp -r "$ES" "$T/ow"
awk 'NR == 2 { print "# after=0 last=24 kept=21 missed=3 overwritten=3"; next } NR > 3 { $1 += 3 } { print }' \
	"$ES/events" > "$T/ow/events"
check "report: overwritten events are said, '(3 older events overwritten)', and in JSON" sh -c "
	[ \"\$(TZ=UTC \"$W\" --debugfs $T/ow report | grep '^   recorded:' | sed -n 2p)\" = \"\$(echo '$STARVE' | sed 's/\\.\$/ (3 older events overwritten)./')\" ] &&
	\"$W\" --debugfs $T/ow report --json | python3 -c '
import json, sys
assert [f[\"slow_events\"][\"overwritten\"] for f in json.load(sys.stdin)[\"findings\"]] == [3, 3]'"
rm -rf "$T/day" && cp -r "$ES" "$T/day"
# 00:00:08 UTC on 3 December at now_ns: worker-1's waits cross midnight.
sed '1s/realtime_ns=[0-9]*/realtime_ns=1764720008000000000/' "$ES/events" > "$T/day/events"
check "report: a span across midnight has both dates; one within a second is one time" sh -c "
	recorded() { TZ=UTC \"$W\" --debugfs \$1 report | grep '^   recorded:'; }
	[ \"\$(recorded $T/day)\" = \"\$(printf '%s\n' \
		'   recorded:  their 5 I/O and uninterruptible waits of 10.0ms or more happened at 00:00:03, 3 of them woken from interrupts.' \
		'   recorded:  its 12 run-queue waits of 10.0ms or more happened at 2025-12-02 23:59:59–2025-12-03 00:00:01, 9 of them behind pid 900 (backup).')\" ]"
rm -rf "$T/noev" && cp -r "$ES" "$T/noev" && rm "$T/noev/events"
rm -rf "$T/off" && cp -r "$ES" "$T/off" && sed -i '1s/slow_min_us=10000/slow_min_us=0/' "$T/off/events"
check "report without an events file, or with the recorder off: the same report without the recorded lines, no slow_events" sh -c "
	TZ=UTC \"$W\" --debugfs $ES report | grep -v '^   recorded:' > $T/want.out
	for d in $T/noev $T/off; do
		TZ=UTC \"$W\" --debugfs \$d report > $T/got.out; [ \$? = 1 ] && cmp -s $T/want.out $T/got.out || exit 1
		\"$W\" --debugfs \$d report --json | grep -q slow_events && exit 1
	done; true"
check "report --json without events: the findings have no slow_events" slowev "$T/noev" '{"starving": null, "hidden-blocking": null}'
check "report --pid 800: only the hidden-blocking finding, with its recorded sentence" sh -c "
	[ \"\$(TZ=UTC \"$W\" --debugfs $ES report --pid 800 | grep -c '^[0-9]\\. \\[')\" = 1 ] &&
	[ \"\$(TZ=UTC \"$W\" --debugfs $ES report --pid 800 | grep '^   recorded:')\" = '$HIDDEN' ]"
# Who is named: a thread of another process than its own, a kernel thread not
# in the snapshot, no known preemptor, every wait behind one thread.
rm -rf "$T/who" && cp -r "$ES" "$T/who"
sed -e 's/ 900 backup / 702 worker-2 /' -e 's/       0 \[irq\]  /     850 jbd2\/sda1-8/' "$ES/events" > "$T/who/events"
check "report names a thread of a process 'thread 702 (worker-2) of pid 700', one not in the snapshot 'thread 850 (...)'" sh -c "
	[ \"\$(recorded() { TZ=UTC \"$W\" --debugfs \$1 report | grep '^   recorded:'; }; recorded $T/who)\" = \"\$(printf '%s\n' \
		'   recorded:  their 5 I/O and uninterruptible waits of 10.0ms or more happened at 14:02:15, 4 of them woken by thread 850 (jbd2/sda1-8).' \
		'   recorded:  its 12 run-queue waits of 10.0ms or more happened at 14:02:11–14:02:13, 11 of them behind thread 702 (worker-2) of pid 700.')\" ]"
check "report --json: a cause not in the snapshot has cause_pid null" slowev "$T/who" '{
	"starving": {"count": 12, "reasons": ["runq"], "min_ns": 10000000, "first_ns": 191100, "last_ns": 193400,
		"cause_tid": 702, "cause_pid": 700, "cause_comm": "worker-2", "cause_role": "preemptor", "cause_count": 11, "overwritten": 0},
	"hidden-blocking": {"count": 5, "reasons": ["io", "uninterruptible"], "min_ns": 10000000, "first_ns": 195100,
		"last_ns": 195900, "cause_tid": 850, "cause_pid": null, "cause_comm": "jbd2/sda1-8", "cause_role": "waker", "cause_count": 4,
		"overwritten": 0}}'
rm -rf "$T/unk" && cp -r "$ES" "$T/unk"
awk 'NR > 3 && $4 == "wait" && $5 == 701 && $8 == "runq" { $14 = 0; $15 = "-" }
     NR > 3 && $5 == 801 { $14 = 900; $15 = "backup" } { print }' "$ES/events" > "$T/unk/events"
check "report: no known preemptor is said; all waits behind one thread is 'all'" sh -c "
	[ \"\$(recorded() { TZ=UTC \"$W\" --debugfs \$1 report | grep '^   recorded:'; }; recorded $T/unk)\" = \"\$(printf '%s\n' \
		'   recorded:  their 5 I/O and uninterruptible waits of 10.0ms or more happened at 14:02:15, 4 of them woken by pid 900 (backup).' \
		'   recorded:  its 12 run-queue waits of 10.0ms or more happened at 14:02:11–14:02:13, with no preemptor known.')\" ] &&
	\"$W\" --debugfs $T/unk report --json | python3 -c '
import json, sys
s = [f for f in json.load(sys.stdin)[\"findings\"] if f[\"kind\"] == \"starving\"][0][\"slow_events\"]
assert (s[\"cause_tid\"], s[\"cause_pid\"], s[\"cause_comm\"], s[\"cause_role\"], s[\"cause_count\"]) == (None, None, None, None, 0), s'"
rm -rf "$T/all" && cp -r "$ES" "$T/all"
awk 'NR > 3 && $5 == 701 && $8 == "runq" { $14 = 900; $15 = "backup" } { print }' "$ES/events" > "$T/all/events"
check "report: every wait behind one thread: 'all behind pid 900 (backup)'" sh -c "
	TZ=UTC \"$W\" --debugfs $T/all report | grep -qxF '   recorded:  its 12 run-queue waits of 10.0ms or more happened at 14:02:11–14:02:13, all behind pid 900 (backup).'"
# --interval: the window's events only.  The first snapshot (at 195 s, every
# counter 0) is swapped for the fixture's (at 200 s) 1 s into the 2.5 s
# interval: the window is the last 5 s of the module clock, which has the
# hidden waits but none of worker-1's.
rm -rf "$T/iv" && cp -r "$ES" "$T/iv"
python3 - "$ES/threads" "$T/iv/threads" <<'PY'
import sys
src, dst = sys.argv[1:]
out = []
for i, line in enumerate(open(src)):
    f = line.split()
    if i == 0:
        line = line.replace("now_ns=200000000000", "now_ns=195000000000")
    elif i > 1:
        for k in list(range(4, 22)):
            f[k] = "0"
        line = "  " + " ".join(f) + "\n"
    out.append(line)
open(dst, "w").write("".join(out))
PY
head -2 "$ES/histograms" > "$T/iv/histograms"
( sleep 1; cp "$ES/threads" "$T/iv/threads.new" && mv "$T/iv/threads.new" "$T/iv/threads"
  cp "$ES/histograms" "$T/iv/histograms.new" && mv "$T/iv/histograms.new" "$T/iv/histograms" ) &
TZ=UTC "$W" --debugfs "$T/iv" report --interval 2.5 > "$T/iv.out" 2> "$T/iv.err"
echo $? > "$T/iv.rc"
wait
check "report --interval: only the window's events (the last 5.0s): the hidden waits, none of worker-1's" sh -c "
	[ \$(cat $T/iv.rc) = 1 ] && grep -q '(the last 5.0s)' $T/iv.out &&
	[ \"\$(grep '^   recorded:' $T/iv.out)\" = \"\$(printf '%s\n' '$HIDDEN' \
		'   recorded:  the recorder kept none of its run-queue waits (it keeps those of 10.0ms or more).')\" ]"
check "report --help tells of the recorded sentence and slow_events" sh -c "
	\"$W\" report --help | grep -q 'recorded:' && \"$W\" report --help | grep -q 'slow_events'"

# export: the recorder's counters from the stats file's slow_<reason>_n and slow_exit_n
check "export prometheus: the recorder's counters pass promtool (events-starve, events-basic)" sh -c "
	for d in $ES $EV; do \"$W\" --debugfs \$d export --min-thread 0 | promtool check metrics || exit 1; done"
check "export prometheus: waitscope_slow_events_total per reason and waitscope_exit_events_total, exact, typed counter" sh -c "
	\"$W\" --debugfs $ES export > $T/m.prom &&
	[ \"\$(grep -E '^(# (HELP|TYPE) )?waitscope_(slow|exit)_events_total' $T/m.prom | sed 's/^# HELP \\([a-z_]*\\) .*/# HELP \\1/')\" = \"\$(printf '%s\n' \
		'# HELP waitscope_slow_events_total' '# TYPE waitscope_slow_events_total counter' \
		'waitscope_slow_events_total{reason=\"runq\"} 14' 'waitscope_slow_events_total{reason=\"futex\"} 0' \
		'waitscope_slow_events_total{reason=\"io\"} 4' 'waitscope_slow_events_total{reason=\"uninterruptible\"} 1' \
		'waitscope_slow_events_total{reason=\"sleep\"} 1' \
		'# HELP waitscope_exit_events_total' '# TYPE waitscope_exit_events_total counter' 'waitscope_exit_events_total 1')\" ] &&
	\"$W\" --debugfs $EV export | grep -qx 'waitscope_slow_events_total{reason=\"runq\"} 3' &&
	\"$W\" --debugfs $EV export | grep -qx 'waitscope_exit_events_total 2'"
check "export prometheus: a stats file without the keys (an older module) has no recorder counters" sh -c "
	! \"$W\" --debugfs $S export | grep -q 'waitscope_\\(slow\\|exit\\)_events_total'"
check "export json: stats.recorded per reason and exit; absent without the keys" sh -c "
	\"$W\" --debugfs $ES export --format json | python3 -c '
import json, sys
r = json.load(sys.stdin)[\"stats\"][\"recorded\"]
assert r == {\"runq\": 14, \"futex\": 0, \"io\": 4, \"uninterruptible\": 1, \"sleep\": 1, \"exit\": 1}, r' &&
	\"$W\" --debugfs $EV export --format json | python3 -c '
import json, sys
r = json.load(sys.stdin)[\"stats\"][\"recorded\"]
assert r == {\"runq\": 3, \"futex\": 2, \"io\": 1, \"uninterruptible\": 1, \"sleep\": 2, \"exit\": 2}, r' &&
	\"$W\" --debugfs $S export --format json | python3 -c '
import json, sys
assert \"recorded\" not in json.load(sys.stdin)[\"stats\"]'"
rm -rf "$T/half" && cp -r "$ES" "$T/half" && sed -i '/^slow_io_n\|^slow_exit_n/d' "$T/half/stats"
check "export: a key absent leaves out just its series" sh -c "
	\"$W\" --debugfs $T/half export > $T/m.prom && promtool check metrics < $T/m.prom &&
	! grep -q 'reason=\"io\"} 4\$' $T/m.prom && ! grep -q waitscope_exit_events_total $T/m.prom &&
	grep -qx 'waitscope_slow_events_total{reason=\"runq\"} 14' $T/m.prom"

# top: SLOW, the recorder's wait events of each thread in the interval
rm -rf "$T/t192" && cp -r "$ES" "$T/t192" && sed -i '1s/now_ns=200000000000/now_ns=192000000000/' "$T/t192/threads"
cat > "$T/slowcol.py" <<'PY'
import json, sys
want = json.loads(sys.argv[1])
head, rows = None, {}
for line in sys.stdin:
    f = line.split()
    if f and f[0] in ("TID", "PID"):
        head = f
    elif head and len(f) == len(head) and f[0].isdigit():
        rows[f[0]] = f[head.index("SLOW")]
assert rows == want, rows
PY
check "top --from (192 s): SLOW counts each thread's wait events after the first snapshot" sh -c "
	\"$W\" --debugfs $ES top -b --from $T/t192 --lines 0 | python3 $T/slowcol.py '{
		\"701\": \"8\", \"702\": \"0\", \"703\": \"1\", \"801\": \"4\", \"803\": \"1\", \"700\": \"0\", \"800\": \"0\", \"900\": \"0\"}'"
check "top --from --group process: SLOW sums a process's threads" sh -c "
	\"$W\" --debugfs $ES top -b --from $T/t192 --group process --lines 0 | python3 $T/slowcol.py '{\"700\": \"9\", \"800\": \"5\", \"900\": \"0\"}'"
check "top: SLOW is '-' without an events file or with the recorder off" sh -c "
	for d in $T/noev $T/off; do
		\"$W\" --debugfs \$d top -b --from $T/t192 --lines 0 | python3 $T/slowcol.py '{
			\"701\": \"-\", \"702\": \"-\", \"703\": \"-\", \"801\": \"-\", \"803\": \"-\", \"700\": \"-\", \"800\": \"-\", \"900\": \"-\"}' || exit 1
	done"
rm -rf "$T/be2" && cp -r "$ES" "$T/be2" && sed -i '5s/ wait / wiat /' "$T/be2/events"
check "top with a garbled events file exits 2 with one line" sh -c "
	\"$W\" --debugfs $T/be2 top -b -n 1 -d 0.1 > $T/o 2> $T/err; [ \$? = 2 ] && [ \$(wc -l < $T/err) = 1 ] &&
	grep -q '^waitscope: events:5: unknown kind' $T/err"
# Two refreshes 2 s apart of a directory whose events file gains one event
# (seq 22, worker-2's) at 3 s, between them: the first counts the events
# after its first snapshot (none: the threads file does not change), the
# second only seq 22.
rm -rf "$T/tl" && cp -r "$ES" "$T/tl"
( sleep 3
  { sed '2s/.*/# after=0 last=22 kept=22 missed=0 overwritten=0/' "$ES/events"
    echo '      22     199000000000   1 wait     702     700 worker-2         runq                    13000000 -                    -1                  - -                     900 backup                      1 -'
  } > "$T/tl/events.new" && mv "$T/tl/events.new" "$T/tl/events" ) &
"$W" --debugfs "$T/tl" top -b -n 2 -d 2 --lines 0 > "$T/tl.out" 2> "$T/tl.err"
echo $? > "$T/tl.rc"
wait
check "top -n 2: the second refresh counts only the events after the first's last seq" sh -c "
	[ \$(cat $T/tl.rc) = 0 ] && [ ! -s $T/tl.err ] &&
	awk '/^waitscope top/ { n++ } n == 1' $T/tl.out | python3 $T/slowcol.py '{
		\"701\": \"0\", \"702\": \"0\", \"703\": \"0\", \"801\": \"0\", \"803\": \"0\", \"700\": \"0\", \"800\": \"0\", \"900\": \"0\"}' &&
	awk '/^waitscope top/ { n++ } n == 2' $T/tl.out | python3 $T/slowcol.py '{
		\"701\": \"0\", \"702\": \"1\", \"703\": \"0\", \"801\": \"0\", \"803\": \"0\", \"700\": \"0\", \"800\": \"0\", \"900\": \"0\"}'"
check "top --help explains SLOW" sh -c "\"$W\" top --help | grep -q 'SLOW'"
# ---- watch: run a command and watch its process tree ----
# A fake live directory (a copy of events-basic with a control file): its
# threads are not the commands' (their tgids and cgroups are other), so the
# checks pass unless a test plants something; -p PID with a fake /proc
# ($WAITSCOPE_PROC) watches a recorded process.  Each run's stdout, stderr
# and status: $T/w.out, $T/w.err, $T/w.rc; --json $T/w.json, --junit $T/w.xml.
WL=$T/wlive
rm -rf "$WL" && cp -r "$EV" "$WL" && : > "$WL/control"
# Absolute: one test runs CMD in another directory.
WA=$(realpath "$W")
wrun() {
	"$WA" --debugfs "$WL" watch --interval 100ms "$@" > "$T/w.out" 2> "$T/w.err"
	echo $? > "$T/w.rc"
}
wrc() {
	[ "$(cat "$T/w.rc")" = "$1" ] || { echo "exit $(cat "$T/w.rc"), wanted $1"; cat "$T/w.err"; return 1; }
}
# wjson PYTHON: assertions over the JSON document d and the JUnit root x
wjson() {
	python3 -c "
import json, xml.etree.ElementTree as E
d = json.load(open('$T/w.json'))
x = E.parse('$T/w.xml').getroot()
s = x.find('testsuite')
cases = {c.get('name'): c for c in s.findall('testcase')}
checks = {c['name']: c for c in d['checks']}
$1"
}

t_watch_true() {
	wrun --json "$T/w.json" --junit "$T/w.xml" -- true && wrc 0 && [ ! -s "$T/w.out" ] &&
	tail -1 "$T/w.err" | grep -qE '^waitscope watch: true exited 0 after [0-9.]+m?s; all checks passed: exit 0$' &&
	[ "$(grep -c '^PASS ' "$T/w.err")" = 6 ] && wjson '
assert d["schema"] == "waitscope.watch/1" and d["command"] == ["true"], d
assert len(d["checks"]) == 6 and [c["name"] for c in d["checks"]] == ["stuck", "deadlock", "frozen", "leaked", "contention", "starvation"], d["checks"]
assert all(c["enabled"] and c["passed"] and c["findings"] == [] for c in d["checks"]), d["checks"]
assert d["exit_status"] == 0 and d["cmd_exit"] == {"status": 0, "signal": None}, d
assert checks["stuck"]["threshold"] == "30s" and checks["contention"]["threshold"] == "1s" and checks["starvation"]["threshold"] == "50ms", checks
assert d["tree"]["mode"] in ("cgroup", "subreaper") and d["duration_ns"] > 0 and d["polls"] >= 2, d
main = [p for p in d["processes"] if p["main"]]
assert len(main) == 1 and main[0]["pid"] == d["pid"] and main[0]["state"] == "exited", d["processes"]
assert (s.get("name"), s.get("tests"), s.get("failures"), s.get("skipped")) == ("waitscope watch", "6", "0", "0"), s.attrib
assert list(cases) == ["stuck", "deadlock", "frozen", "leaked", "contention", "starvation"], list(cases)
assert all(c.get("classname") == "waitscope.watch" and not list(c) for c in cases.values())'
}
check "watch -- true: exit 0, nothing on stdout, 6 PASS lines; JSON waitscope.watch/1 with 6 checks passing; JUnit 6 testcases, no failure" t_watch_true

t_watch_exit() {
	wrun --json "$T/w.json" --junit "$T/w.xml" -- sh -c "$2" && wrc "$1" && wjson "
assert d['exit_status'] == $1 and d['cmd_exit'] == $3, d
assert all(c['passed'] for c in d['checks']) and s.get('failures') == '0', d" &&
	tail -1 "$T/w.err" | grep -q "; all checks passed: exit $1\$"
}
check "watch: CMD's exit status passes through (exit 1 -> 1), JSON written anyway" t_watch_exit 1 'exit 1' '{"status": 1, "signal": None}'
check "watch: CMD's exit status passes through (exit 77 -> 77)" t_watch_exit 77 'exit 77' '{"status": 77, "signal": None}'
check "watch: CMD killed by SIGKILL -> 137, as a shell says; JSON cmd_exit.signal 9" t_watch_exit 137 'kill -9 $$' '{"status": None, "signal": 9}'

t_watch_notfound() {
	wrun -- /nonexistent/cmd && wrc 127 && [ "$(cat "$T/w.err")" = 'waitscope watch: /nonexistent/cmd: No such file or directory' ] &&
	wrun -- no-such-command-anywhere && wrc 127 &&
	printf 'echo hi\n' > "$T/noexec" && chmod 644 "$T/noexec" &&
	wrun -- "$T/noexec" && wrc 126 && [ "$(cat "$T/w.err")" = "waitscope watch: $T/noexec: Permission denied" ]
}
check "watch: a command that does not exist exits 127, one not executable 126, one line each (as a shell)" t_watch_notfound

t_watch_usage() {
	for a in '--bogus -- true' '' '--' '-p 1 -- true' '--for 1s -- true' '--interval 1ms -- true' \
		'--stuck x -- true' '--max-lock-wait -1 -- true' '--allow color=red -- true' '-p 0'; do
		# shellcheck disable=SC2086
		wrun $a; wrc 2 || { echo "for: $a"; return 1; }
		[ ! -s "$T/w.out" ] || return 1
	done
}
check "watch: unknown options, no command, -p with a command, --for without -p, bad values exit 2" t_watch_usage

t_watch_ignore_bad() {
	printf 'comm=foo\n\n# a comment\nsyscall\n' > "$T/ign" && wrun --ignore "$T/ign" -- true && wrc 2 &&
	[ "$(cat "$T/w.err")" = "waitscope watch: $T/ign:4: not a rule KEY=GLOB (KEY is comm, syscall, reason, futex_op, futex_val, frame or uframe)" ] &&
	printf 'uframe=wait_for_*\nframe=pipe_read\n' > "$T/ign" && wrun --ignore "$T/ign" -- true && wrc 0 &&
	printf 'colour=red\n' > "$T/ign" && wrun --ignore "$T/ign" -- true && wrc 2 && grep -q "$T/ign:1: " "$T/w.err" &&
	wrun --ignore "$T/no-such-file" -- true && wrc 2 && [ "$(wc -l < "$T/w.err")" = 1 ]
}
check "watch: a garbled --ignore file exits 2 with FILE:LINE (blank lines and comments skipped); a missing one too; uframe= and frame= rules are taken" t_watch_ignore_bad

t_watch_nomodule() {
	"$W" --debugfs "$T/no-such-dir" watch -- true > "$T/w.out" 2> "$T/w.err"
	[ $? = 2 ] && [ "$(cat "$T/w.err")" = "waitscope: $T/no-such-dir: No such file or directory" ] && [ ! -s "$T/w.out" ]
}
check "watch: no module directory exits 2 with one line, before running anything" t_watch_nomodule

t_watch_passthrough() {
	mkdir -p "$T/wd"
	# shellcheck disable=SC2016
	(cd "$T/wd" && FOO='a  b' wrun --json "$T/w.json" --junit "$T/w.xml" -- sh -c 'echo "$FOO"; pwd; echo x >&3' 3> "$T/fd3")
	wrc 0 && [ "$(cat "$T/w.out")" = "$(printf 'a  b\n%s' "$T/wd")" ] && [ "$(cat "$T/fd3")" = x ] &&
	wrun --json "$T/w.json" --junit "$T/w.xml" -- env && wrc 0 && env > "$T/env.direct" && cmp -s "$T/w.out" "$T/env.direct" &&
	wrun --json "$T/w.json" --junit "$T/w.xml" -- ls /proc/self/fd && wrc 0 && ls /proc/self/fd > "$T/fd.direct" && cmp -s "$T/w.out" "$T/fd.direct"
}
check "watch: CMD gets the environment, working directory and descriptors watch got (an inherited fd 3; no fd of watch's own)" t_watch_passthrough

t_watch_signal_state() {
	for pre in : "trap '' INT QUIT"; do
		sh -c "$pre; \"$W\" --debugfs \"$WL\" watch --interval 100ms -- grep -E '^Sig(Blk|Ign)' /proc/self/status" > "$T/sig.w" 2> /dev/null
		sh -c "$pre; grep -E '^Sig(Blk|Ign)' /proc/self/status" > "$T/sig.d"
		if ! cmp -s "$T/sig.w" "$T/sig.d"; then
			echo "for '$pre':"; cat "$T/sig.w" "$T/sig.d"; return 1
		fi
	done
}
check "watch: CMD gets the signal mask and ignored signals watch got (also with SIGINT and SIGQUIT ignored)" t_watch_signal_state

t_watch_sigterm() {
	"$W" --debugfs "$WL" watch --interval 100ms --json "$T/w.json" --junit "$T/w.xml" -- sh -c 'trap "exit 42" TERM; while :; do sleep 0.1; done' > /dev/null 2> "$T/w.err" &
	pid=$!
	sleep 0.6
	kill -TERM "$pid"
	wait "$pid"
	echo $? > "$T/w.rc"
	wrc 42 && tail -1 "$T/w.err" | grep -q 'exit 42$' && wjson 'assert d["exit_status"] == 42 and d["cmd_exit"]["status"] == 42, d'
}
check "watch: SIGTERM to watch reaches CMD (it traps TERM and exits 42: watch exits 42, JSON and JUnit written)" t_watch_sigterm

t_watch_sigint_sent() {
	python3 - "$W" "$WL" <<'PY'
import signal, subprocess, sys, time
w, live = sys.argv[1], sys.argv[2]
p = subprocess.Popen([w, "--debugfs", live, "watch", "--interval", "100ms", "--", "sh", "-c",
                      'trap "exit 43" INT; while :; do sleep 0.1; done'],
                     stderr=subprocess.DEVNULL, preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
time.sleep(0.6)
p.send_signal(signal.SIGINT)
rc = p.wait(10)
sys.exit(0 if rc == 43 else print("exit", rc) or 1)
PY
}
check "watch: a SIGINT sent to watch (kill, not the terminal) is passed on to CMD (it traps INT and exits 43)" t_watch_sigint_sent

t_watch_json_stdout() {
	wrun --json - -- sh -c 'echo from-cmd' && wrc 0 && head -1 "$T/w.out" | grep -qx from-cmd &&
	sed 1d "$T/w.out" | python3 -c 'import json,sys; d=json.load(sys.stdin); assert d["schema"] == "waitscope.watch/1" and d["exit_status"] == 0, d'
}
check "watch --json -: the document on stdout after CMD's own output" t_watch_json_stdout

t_watch_broken() {
	rm -rf "$T/wbroken" && cp -r "$WL" "$T/wbroken"
	( sleep 0.4; rm "$T/wbroken/threads" ) &
	"$W" --debugfs "$T/wbroken" watch --interval 100ms --json "$T/w.json" --junit "$T/w.xml" -- sleep 1 > /dev/null 2> "$T/w.err"
	echo $? > "$T/w.rc"
	wait
	wrc 2 && [ "$(grep -c "cannot read the module's files any more: cannot read $T/wbroken/threads" "$T/w.err")" = 1 ] &&
	tail -1 "$T/w.err" | grep -q 'sleep exited 0 after .*; all checks passed until polling stopped: exit 2$' &&
	wjson 'assert d["exit_status"] == 2 and "threads" in d["polling_error"], d'
}
check "watch: the module's files gone during the run: said once, CMD waited for, exit 2, JSON says why" t_watch_broken

t_watch_fallback() {
	WAITSCOPE_CGROUP2=none wrun --json "$T/w.json" --junit "$T/w.xml" -- true && wrc 0 &&
	grep -qx 'waitscope watch: note: no cgroup v2 hierarchy is mounted (cgroup v1 only?): following the process tree by parent chain instead, as a child subreaper (a process that moves away between two polls is not seen)' "$T/w.err" &&
	wjson 'assert d["tree"] == {"mode": "subreaper", "cgroup": None} and d["exit_status"] == 0, d' &&
	WAITSCOPE_CGROUP2="$T/no-such-mount" wrun -- true && wrc 0 &&
	grep -q "^waitscope watch: note: cannot create the cgroup $T/no-such-mount/.*/\?waitscope-watch\.[0-9]*: No such file or directory: following the process tree by parent chain instead" "$T/w.err" &&
	wrun --no-cgroup --json "$T/w.json" --junit "$T/w.xml" -- true && wrc 0 && ! grep -q note: "$T/w.err" && wjson 'assert d["tree"]["mode"] == "subreaper", d'
}
check "watch: without a usable cgroup v2 (none mounted, mkdir fails) one note says why and the subreaper fallback works; --no-cgroup chooses it quietly" t_watch_fallback

t_watch_cgroup() {
	wrun --json "$T/w.json" --junit "$T/w.xml" -- cat /proc/self/cgroup && wrc 0 || return 1
	mode=$(python3 -c "import json; print(json.load(open('$T/w.json'))['tree']['mode'])")
	if [ "$mode" = subreaper ]; then
		# No cgroup v2 to write here: the note says why.
		grep -q '^waitscope watch: note: .*: following the process tree by parent chain instead' "$T/w.err"
		return
	fi
	cg=$(python3 -c "import json; print(json.load(open('$T/w.json'))['tree']['cgroup'])")
	grep -qx "0::$cg" "$T/w.out" && case $cg in */waitscope-watch.[0-9]*) ;; *) false ;; esac &&
	mnt=$(awk '$9 == "cgroup2" || $(NF-2) == "cgroup2" { print $5; exit }' /proc/self/mountinfo) &&
	[ ! -e "$mnt$cg" ]
}
check "watch: CMD runs in a cgroup of its own (waitscope-watch.PID, removed at the end), or the fallback note says why not" t_watch_cgroup

# gone PID: the process ended (a zombie its new parent has not reaped yet counts)
gone() {
	state=$(sed 's/.*) //' "/proc/$1/stat" 2> /dev/null | cut -d' ' -f1)
	[ -z "$state" ] || [ "$state" = Z ]
}
t_watch_leftover() {
	mode=$1
	rm -f "$T/bg.pid"
	# Daemonized: the subshell exits at once, its sleep is an orphan.
	wrun ${mode:+"$mode"} --kill-leftovers --json "$T/w.json" --junit "$T/w.xml" -- sh -c "(sleep 30 & echo \$! > $T/bg.pid); exit 0" && wrc 3 || return 1
	bg=$(cat "$T/bg.pid")
	grep -q "^waitscope watch: note: 1 process of the tree still running: pid $bg (sleep); killing them (--kill-leftovers)" "$T/w.err" &&
	grep -q '^FAIL leaked: 1 finding$' "$T/w.err" && tail -1 "$T/w.err" | grep -q 'sh exited 0 after .*; 1 check failed: exit 3$' &&
	gone "$bg" && wjson "
f = checks['leaked']['findings']
assert len(f) == 1 and f[0]['kind'] == 'leaked' and f[0]['pid'] == $bg and f[0]['killed'] is False, f
assert 'was still running 500.0ms after the main process' in f[0]['message'], f
assert d['exit_status'] == 3 and d['cmd_exit']['status'] == 0 and not checks['leaked']['passed'], d
l = cases['leaked'].findall('failure')
assert len(l) == 1 and l[0].get('type') == 'leaked' and s.get('failures') == '1', s.attrib
assert '(--kill-leftovers ends it)' in l[0].text, l[0].text"
}
check "watch: a daemonized child still running after CMD (cgroup or fallback) is leaked: exit 3, JSON and JUnit say so, --kill-leftovers ends it" t_watch_leftover ''
check "watch --no-cgroup: the same daemon is found by its parent chain (a child subreaper)" t_watch_leftover --no-cgroup

t_watch_left_alone() {
	rm -f "$T/bg.pid"
	wrun --no-cgroup -- sh -c "(sleep 30 & echo \$! > $T/bg.pid); exit 0"
	bg=$(cat "$T/bg.pid")
	ok=0
	wrc 3 && kill -0 "$bg" && grep -q "pid $bg (sleep); left alone (--kill-leftovers ends them)" "$T/w.err" || ok=1
	kill "$bg" 2> /dev/null
	return $ok
}
check "watch: without --kill-leftovers a leftover is said and left running" t_watch_left_alone

t_watch_junit_escape() {
	cp "$(command -v sleep)" "$T/a<b&c'd" &&
	wrun --kill-leftovers --json "$T/w.json" --junit "$T/w.xml" -- sh -c "\"\$0\" 30 & exit 0" "$T/a<b&c'd" && wrc 3 && wjson "
l = cases['leaked'].findall('failure')
assert len(l) == 1 and \"(a<b&c'd)\" in l[0].get('message') and \"(a<b&c'd)\" in l[0].text, l[0].attrib
assert \"(a<b&c'd)\" in checks['leaked']['findings'][0]['message']" &&
	grep -q '&lt;b&amp;c&apos;d' "$T/w.xml"
}
check "watch --junit: markup characters in a comm are escaped (the XML parses, the text is intact)" t_watch_junit_escape

# -p PID on the recorded scenarios, with a fake /proc holding pid 20636 (its
# thread 20638 blocked in read() on a pipe for 14.2s).
WP=$T/wproc
mkdir -p "$WP/20636" "$WP/810" "$WP/900" "$WP/950"
echo '20636 (scenario) S 1 20636 20636 0 -1 4194560 0 0 0 0 0 0 0 0 20 0 2 0 12345 0 0' > "$WP/20636/stat"
echo '810 (app) S 1 810 810 0 -1 4194560 0 0 0 0 0 0 0 0 20 0 3 0 777 0 0' > "$WP/810/stat"
prun() {
	dir=$1
	shift
	WAITSCOPE_PROC=$WP "$W" --debugfs "$dir" watch --interval 100ms "$@" > "$T/w.out" 2> "$T/w.err"
	echo $? > "$T/w.rc"
}
t_watch_pid_stuck() {
	prun "$S" -p 20636 --for 400ms --stuck 2s --json "$T/w.json" --junit "$T/w.xml" && wrc 3 &&
	[ "$(grep -c '^waitscope watch: stuck: thread 20638 of pid 20636 (scenario) has been blocked in read() at pipe_read for 14.2s' "$T/w.err")" = 1 ] &&
	grep -q '^FAIL stuck: 1 finding$' "$T/w.err" &&
	tail -1 "$T/w.err" | grep -q '^waitscope watch: watched pid 20636 (scenario): --for ended after .*; 1 check failed: exit 3$' && wjson '
f = checks["stuck"]["findings"]
assert len(f) == 1 and f[0]["kind"] == "stuck" and f[0]["tids"] == [20638] and "waits_for" in f[0] and "root" in f[0], f
assert checks["stuck"]["threshold"] == "2s" and d["tree"]["mode"] == "pid" and d["command"] is None, d
assert d["cmd_exit"] == {"status": None, "signal": None} and d["exit_status"] == 3, d
assert [p["state"] for p in d["processes"]] == ["running"], d["processes"]
st = cases["stuck"].findall("failure")
assert len(st) == 1 and st[0].get("type") == "stuck" and "pipe_read" in st[0].get("message") and s.get("failures") == "1", s.attrib'
}
check "watch -p: a thread stuck in a pipe read is told at once (once, though polled 4 times), FAIL stuck, exit 3, JSON and JUnit" t_watch_pid_stuck

t_watch_pid_quiet() {
	printf '# the pipe reader is known\nsyscall=read\n' > "$T/ign"
	prun "$S" -p 20636 --for 300ms --stuck 2s --ignore "$T/ign" && wrc 0 && ! grep -q 'watch: stuck:' "$T/w.err" &&
	prun "$S" -p 20636 --for 300ms --stuck 2s --allow comm=stuck && wrc 0 &&
	prun "$S" -p 20636 --for 300ms --stuck 2s --baseline && wrc 0 && ! grep -q 'watch: stuck:' "$T/w.err" &&
	prun "$S" -p 20636 --for 300ms --stuck 1h && wrc 0 &&
	for off in --no-stuck '--stuck off'; do
		# shellcheck disable=SC2086
		prun "$S" -p 20636 --for 300ms $off --json "$T/w.json" --junit "$T/w.xml" && wrc 0 && grep -qx 'SKIP stuck (--no-stuck)' "$T/w.err" && wjson '
assert checks["stuck"]["enabled"] is False and checks["stuck"]["passed"] is None, checks["stuck"]
assert s.get("skipped") == "1" and cases["stuck"].find("skipped") is not None' || return 1
	done
}
check "watch -p: --ignore FILE, --allow, --baseline, a longer --stuck silence it; --no-stuck and --stuck off SKIP it (JUnit skipped)" t_watch_pid_quiet

t_watch_pid_gone() {
	prun "$S" -p 4000000 && wrc 2 && [ "$(cat "$T/w.err")" = 'waitscope watch: no process 4000000' ]
}
check "watch -p of a process that does not exist exits 2 with one line" t_watch_pid_gone

t_watch_pid_exits() {
	rm -rf "$WP/20637" && mkdir "$WP/20637" && sed 's/^20636 /20637 /' "$WP/20636/stat" > "$WP/20637/stat"
	( sleep 0.5; rm -rf "$WP/20637" ) &
	prun "$S" -p 20637 --stuck 1h && wrc 0 && tail -1 "$T/w.err" | grep -q 'watched pid 20637 (scenario): it exited after'
}
check "watch -p ends when the process does (no --for)" t_watch_pid_exits

# The fake live dir again, for pid 810: before the watch, thread 816 is
# blocked in a PI lock wait (threads, blocked with its stack); during it the
# events file gains killed exits (816 in that wait, 817 in a FUTEX_WAIT of
# unknown kind, 818 in a condition variable, 819 in clock_nanosleep, and
# 821 of another process), a futex word of 810 gains 2s of lock waits, and
# thread 812's run-queue histogram 30 waits of 8-12ms.
plant_live() {
	rm -rf "$WL" && cp -r "$EV" "$WL" && : > "$WL/control"
	echo '  816 810 worker futex 1000 1 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 - - - - 1 4500000000 0 202 0 0x7f2a1c000b40 lock_pi' >> "$WL/threads"
	printf '%s\n' '  816 810 worker futex 4500000000 0 202 0x7f2a1c000b40 lock_pi' \
		'        futex_lock_pi+0x1a0/0x3c0' '        do_futex+0x10e/0x1b0' '        __x64_sys_futex+0x7c/0x1a0' >> "$WL/blocked"
}
grow_planted() {
	ex='nvcsw=1,nivcsw=0,oncpu_ns=100,runq=0/0,futex=1/3000000000,io=0/0,uninterruptible=0/0,sleep=0/0'
	{ sed '2s/.*/# after=0 last=16 kept=15 missed=1 overwritten=1/' "$EV/events"
	  echo "      12      90990000000   1 exit     817     810 worker           futex                 3000000000 killed              202     0x7f2a1c000b20 wait                    0 -                         1 $ex"
	  echo "      13      90991000000   1 exit     818     810 worker           futex                 2000000000 killed              202     0x7f2a1c000c00 wait_bitset             0 -                         1 $ex"
	  echo "      14      90992000000   1 exit     819     810 worker           sleep                 1000000000 killed              230                  - -                       0 -                         1 $ex"
	  echo "      15      90993000000   1 exit     821     821 other            futex                 3000000000 killed              202     0x7f2a1c000b20 wait                    0 -                         2 $ex"
	  echo "      16      90994000000   0 exit     816     810 worker           futex                 4494000000 killed              202     0x7f2a1c000b40 lock_pi                 0 -                         1 $ex"
	} > "$WL/events.new" && mv "$WL/events.new" "$WL/events"
	sed 's/^  812 810 worker runq 30 60000000 12000000 1024:20 8192:10$/  812 810 worker runq 60 300000000 12000000 1024:20 8192:40/' "$EV/histograms" > "$WL/h.new" &&
		mv "$WL/h.new" "$WL/histograms"
	{ cat "$EV/futex"; echo '     810 0x00007f2a1c000d00       0         50       2000000000       90000000              0 wait'; } > "$WL/f.new" &&
		mv "$WL/f.new" "$WL/futex"
}
planted_run() {
	plant_live
	( sleep 0.5; grow_planted ) &
	prun "$WL" -p 810 --for 1200ms --max-runq-p99 5ms --json "$T/w.json" --junit "$T/w.xml" "$@"
	wait
}
t_watch_planted() {
	planted_run && wrc 3 && grep -qx 'FAIL leaked: 2 findings' "$T/w.err" && grep -qx 'FAIL contention: 1 finding' "$T/w.err" &&
	grep -qx 'FAIL starvation: 1 finding' "$T/w.err" && grep -qx '   stack:     futex_lock_pi+0x1a0/0x3c0' "$T/w.err" && wjson '
lk = {f["tid"]: f for f in checks["leaked"]["findings"]}
assert sorted(lk) == [816, 817], lk
a, b = lk[816], lk[817]
assert a["killed"] is True and a["reason"] == "futex" and a["futex_op"] == "lock_pi" and a["wait_ns"] == 4494000000, a
assert a["stack"] == ["futex_lock_pi+0x1a0/0x3c0", "do_futex+0x10e/0x1b0", "__x64_sys_futex+0x7c/0x1a0"] and a["stack_seen_ns"] is not None, a
assert "stack as last seen at +" in a["message"], a
assert b["stack"] == [] and b["stack_seen_ns"] is None and "stack unavailable (never seen blocked)" in b["message"], b
assert b["syscall"] == 202 and b["syscall_name"] == "futex" and b["futex_addr"] == "0x7f2a1c000b20", b
c = checks["contention"]["findings"]
assert len(c) == 1 and c[0]["kind"] == "lock-contention" and c[0]["pid"] == 810 and "0x7f2a1c000d00" in c[0]["message"], c
assert "50 lock waits during the run totalling 2.0s" in c[0]["message"], c
v = checks["starvation"]["findings"]
assert len(v) == 1 and v[0]["kind"] == "starving" and v[0]["tids"] == [812] and "over 30 waits" in v[0]["message"], v
p = d["processes"][0]
assert p["pid"] == 810 and p["totals"]["futex"] == {"n": 4, "ns": 12000000000} and p["totals"]["sleep"]["n"] == 0, p
assert s.get("failures") == "3" and len(cases["leaked"].findall("failure")) == 2, s.attrib
assert d["missed_events"] == 0, d'
}
check "watch -p on planted events: killed in a lock wait leaks (with its stack as last seen, or none), idle waits and other processes do not; a lock over --max-lock-wait and a starving thread fail; exit totals exact" t_watch_planted

# A thread that exits between the module's threads and histograms reads is
# in the threads file with no histogram rows: that poll must not take its
# run-queue waits to be none (seen on the debug kernel and 6.12-rt: a
# starving worker's last poll zeroed its 80 waits).
t_watch_hist_gone() {
	plant_live
	( sleep 0.5; grow_planted; sleep 0.3
	  grep -v '^  812 810 worker ' "$WL/histograms" > "$WL/h.new" && mv "$WL/h.new" "$WL/histograms" ) &
	prun "$WL" -p 810 --for 1200ms --max-runq-p99 5ms --no-leaked --no-contention \
		--json "$T/w.json" --junit "$T/w.xml"
	wait
	wrc 3 && grep -qx 'FAIL starvation: 1 finding' "$T/w.err" && wjson '
v = checks["starvation"]["findings"]
assert len(v) == 1 and v[0]["tids"] == [812] and "over 30 waits" in v[0]["message"], v'
}
check "watch: a poll that finds a thread's row but not its histogram (it exited between the reads) keeps the histogram seen before" t_watch_hist_gone

t_watch_planted_off() {
	planted_run --baseline --leaked-min 4s --no-contention --max-runq-p99 off && wrc 0 &&
	grep -qx 'SKIP contention (--no-contention)' "$T/w.err" && grep -qx 'SKIP starvation (--no-starvation)' "$T/w.err" &&
	planted_run --leaked-min 4s --max-lock-wait 3s --max-runq-p99 20ms && wrc 3 && grep -qx 'FAIL leaked: 1 finding' "$T/w.err" &&
	grep -qx 'PASS contention (threshold 3s)' "$T/w.err" && grep -qx 'PASS starvation (threshold 20ms)' "$T/w.err"
}
check "watch -p on planted events: --baseline (816 was blocked at the first poll), --leaked-min, the budgets' thresholds and off" t_watch_planted_off

# The hand-made deadlock and frozen snapshots, judged from their waits files.
echo '900 (abba) S 1 900 900 0 -1 4194560 0 0 0 0 0 0 0 0 20 0 4 0 555 0 0' > "$WP/900/stat"
echo '950 (sempool) S 1 950 950 0 -1 4194560 0 0 0 0 0 0 0 0 20 0 3 0 556 0 0' > "$WP/950/stat"
t_watch_deadlock() {
	prun "$F/deadlock-abba" -p 900 --for 300ms --stuck 2s --json "$T/w.json" --junit "$T/w.xml" && wrc 3 &&
	[ "$(grep -c '^waitscope watch: deadlock: deadlock in pid 900 (abba): thread 901 (abba-w1) holds the mutex 0x4c6140 and waits for the mutex 0x4c6180' "$T/w.err")" = 1 ] &&
	grep -qx 'FAIL deadlock: 1 finding' "$T/w.err" && wjson '
f = checks["deadlock"]["findings"]
assert len(f) == 1 and f[0]["tids"] == [901, 902] and [h["tid"] for h in f[0]["cycle"]] == [901, 902], f
r = [c.get("name") for c in s.findall("testcase") if c.findall("failure")]
assert r == ["stuck", "deadlock"], r' &&
	prun "$F/deadlock-abba" -p 900 --for 300ms --stuck 2s --no-deadlock --no-stuck && wrc 0 &&
	grep -qx 'SKIP deadlock (--no-deadlock)' "$T/w.err" && ! grep -q 'watch: deadlock:' "$T/w.err"
}
check "watch -p: a deadlock is told at once (once) with its cycle, FAIL deadlock; --no-deadlock skips it" t_watch_deadlock
# Killed while deadlocked (seen on 6.12-rt): a poll caught the cycle with
# its holders gone, and the two threads were told again as stuck.
t_watch_deadlock_dying() {
	rm -rf "$T/dl" && cp -r "$F/deadlock-abba" "$T/dl"
	( sleep 0.35; grep -v '^ *90[12] ' "$F/deadlock-abba/waits" > "$T/dl/waits.new" &&
	  mv "$T/dl/waits.new" "$T/dl/waits" ) &
	prun "$T/dl" -p 900 --for 800ms --stuck 2s --json "$T/w.json"
	wait
	wrc 3 && [ "$(grep -c '^waitscope watch: stuck: ' "$T/w.err")" = 1 ] &&
	wjson 'assert [f["tids"] for f in checks["stuck"]["findings"]] == [[903]], checks["stuck"]'
}
check "watch -p: threads told in a deadlock are not told again as stuck when the cycle breaks up" t_watch_deadlock_dying

t_watch_frozen() {
	prun "$F/frozen" -p 950 --for 300ms --stuck 2s --json "$T/w.json" --junit "$T/w.xml" && wrc 3 &&
	[ "$(grep -c '^waitscope watch: frozen: every thread of pid 950 (sempool), 3 in all' "$T/w.err")" = 1 ] &&
	wjson 'assert [f["tids"] for f in checks["frozen"]["findings"]] == [[950, 951, 952]], checks["frozen"]' &&
	prun "$F/frozen" -p 950 --for 300ms --stuck 2s --no-frozen && wrc 0 && grep -qx 'SKIP frozen (--no-frozen)' "$T/w.err"
}
check "watch -p: a frozen process is told at once, FAIL frozen; --no-frozen skips it" t_watch_frozen

# Ctrl-C on a terminal reaches CMD's process group itself: watch must not
# pass it on again.  CMD takes its SIGINTs with sigwaitinfo, which says who
# sent each: the terminal's (si_code SI_KERNEL, 128), and no other within 1s.
t_watch_tty_sigint() {
	sock="ws-watch-$$"
	rm -f "$T/ints" "$T/tty.rc"
	cat > "$T/ints.py" <<'PY'
import signal, sys
signal.pthread_sigmask(signal.SIG_BLOCK, [signal.SIGINT])
out = open(sys.argv[1], "a")
for si in (signal.sigwaitinfo([signal.SIGINT]), signal.sigtimedwait([signal.SIGINT], 1.0)):
    if si:
        out.write("%d %d\n" % (si.si_code, si.si_pid))
        out.flush()
PY
	# The outer shell gets the Ctrl-C too: caught, so that it goes on (CMD gets SIGINT's default).
	printf '%s\n' 'trap : INT' "\"$W\" --debugfs \"$WL\" watch --interval 100ms -- python3 \"$T/ints.py\" \"$T/ints\" 2> /dev/null" \
		"echo \$? > \"$T/tty.rc\"" > "$T/tty.sh"
	tmux -L "$sock" new-session -d -x 80 -y 24 "sh $T/tty.sh" || return 1
	sleep 1
	tmux -L "$sock" send-keys C-c
	i=0
	while [ ! -s "$T/tty.rc" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
	tmux -L "$sock" kill-server 2> /dev/null
	if [ "$(cat "$T/ints" 2> /dev/null)" != '128 0' ] || [ "$(cat "$T/tty.rc")" != 0 ]; then
		echo "SIGINTs (si_code si_pid): $(cat "$T/ints" 2> /dev/null); rc $(cat "$T/tty.rc" 2> /dev/null)"
		return 1
	fi
}
if command -v tmux > /dev/null; then
	check "watch: Ctrl-C on a terminal reaches CMD once (watch does not pass it on again); CMD's exit 0 passes through" t_watch_tty_sigint
else
	echo "skip - watch: Ctrl-C on a terminal (no tmux)"
fi

check "watch --help documents the checks, defaults and exit statuses; waitscope --help lists watch" sh -c "
	\"$W\" watch --help > $T/h.out && grep -q 'default 30s' $T/h.out && grep -q 'default 1s' $T/h.out &&
	grep -q 'default 50ms' $T/h.out && grep -q '500ms' $T/h.out && grep -q 'waitscope.watch/1' $T/h.out &&
	grep -q '127 when CMD is not' $T/h.out && grep -q 'else 3 when a check failed' $T/h.out &&
	\"$W\" --help | grep -q '^  watch '"
