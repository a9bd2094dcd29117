# Shared helpers for the guest test scripts (busybox sh).  Each check prints
# one TAP-like line, "ok - NAME" or "not ok - NAME: why", which the host tallies.

D=/sys/kernel/debug/waitscope
export PATH=/bin:/opt/ws

ok() { echo "ok - $*"; }
notok() { echo "not ok - $*"; }

# check NAME CMD...: ok when CMD succeeds.
check() {
	local what=$1
	shift
	if "$@"; then ok "$what"; else notok "$what"; fi
}

note() { echo "# $*"; }

# col FILE KEYCOL KEY COL: the COL value of the first row whose KEYCOL is KEY,
# using the column names of the file's "#" header line.
col() {
	awk -v kc="$2" -v key="$3" -v c="$4" '
		/^# waitscope/ { next }
		/^#/ { for (i = 2; i <= NF; i++) idx[$i] = i - 1; next }
		(kc in idx) && $(idx[kc]) == key { print $(idx[c]); found = 1; exit }
		END { if (!found) print "" }' "$1"
}

# tcol COMM COL: a column of the thread named COMM in a fresh threads read.
tcol() {
	cat $D/threads > /tmp/threads.now
	col /tmp/threads.now comm "$1" "$2"
}

# hbucket FIELD KEY REASON LOW_US: samples in one histogram bucket of the
# thread whose FIELD (1: tid, 3: comm) is KEY.
hbucket() {
	awk -v f="$1" -v key="$2" -v r="$3" -v lo="$4" '
		/^#/ { next }
		$f == key && $4 == r {
			for (i = 8; i <= NF; i++) if (split($i, kv, ":") == 2 && kv[1] == lo) n = kv[2]
		}
		END { print n + 0 }' $D/histograms
}

# hrange FIELD KEY REASON LO_US HI_US: samples in the buckets whose low
# bound is in [LO_US, HI_US).
hrange() {
	awk -v f="$1" -v key="$2" -v r="$3" -v lo="$4" -v hi="$5" '
		/^#/ { next }
		$f == key && $4 == r {
			for (i = 8; i <= NF; i++)
				if (split($i, kv, ":") == 2 && kv[1] + 0 >= lo && kv[1] + 0 < hi) n += kv[2]
		}
		END { print n + 0 }' $D/histograms
}

# bucket COMM REASON LOW_US: samples in one histogram bucket.
bucket() { hbucket 3 "$@"; }

stat_of() { awk -v k="$1" '$1 == k { print $2 }' $D/stats; }

# within A B PCT ABS: |A - B| <= max(B * PCT / 100, ABS)
within() {
	awk -v a="$1" -v b="$2" -v p="$3" -v abs="$4" 'BEGIN {
		d = a - b; if (d < 0) d = -d
		t = b * p / 100; if (t < abs) t = abs
		exit !(d <= t) }'
}

# gt A B: A > B, numbers of any size
gt() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a > b) }'; }

# wait_line FILE TEXT PID SECONDS: wait until FILE holds TEXT, PID exits or
# SECONDS pass; true if TEXT came.
wait_line() {
	local i=0
	while ! grep -q "$2" "$1" && kill -0 "$3" 2>/dev/null && [ $i -lt $(($4 * 10)) ]; do
		sleep 0.1
		i=$((i + 1))
	done
	grep -q "$2" "$1"
}

# start_scenario NAME ARGS...: run it in the background, wait until parked.
start_scenario() {
	local name=$1 i
	rm -f /tmp/$name.done
	scenario "$@" > /tmp/$name.log 2>&1 &
	i=0
	while [ ! -s /tmp/$name.done ] && [ $i -lt 600 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	[ -s /tmp/$name.done ] || { notok "$name: scenario did not finish"; return 1; }
	SCENARIO_PID=$(cat /tmp/$name.done)
}

stop_scenario() {
	kill -9 "$SCENARIO_PID" 2>/dev/null
	wait 2>/dev/null
}

# sched_ns TID FIELD: a field of /proc/TID/sched (milliseconds there) in ns.
sched_ns() {
	awk -v f="$2" '$1 ~ ("(^|\\.)" f "$") { printf "%.0f\n", $NF * 1000000 }' /proc/$1/sched
}

# sleeper_check LABEL: the sleeper's 20 sleeps of 50 ms are its only sleep
# samples, all in the 32-64 ms bucket but those its own clock saw late.
sleeper_check() {
	local late n total
	late=$(awk '$1 == "sleeper:" { print $9 }' /tmp/sleeper.log)
	n=$(bucket sleeper sleep 32768)
	total=$(awk '$3 == "sleeper" && $4 == "sleep" { print $5 }' $D/histograms)
	note "$1: sleeper 32768 us bucket $n, sleep samples $total, late by its own clock ${late:-?}"
	check "$1: sleeper has 20 sleep samples, in the 32-64 ms bucket but the late ones" \
		sh -c "[ -n '$late' ] && [ '$total' = 20 ] && [ '$n' -ge $((20 - ${late:-0})) ]"
}

run_delay() { awk '{ print $2 }' /proc/$1/schedstat; }
