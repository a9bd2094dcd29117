# The cause suite (issue 13): scenarios whose waits have a known cause.
# Each prints its ground truth (tids, pids, addresses, inodes: see the top
# of tests/scenarios/scenario.c); with all of them blocked at once, the
# CLI's waits table, why chains, report and blocked view must name exactly
# those holders and roots, find the ABBA deadlock and the frozen process,
# and name no holder where none can be known (condition variables, a
# garbage or foreign owner field).  They run side by side, observed once:
# one 3 s wait for all, beyond the --stuck 2s the report is given.
. /tests/lib.sh

W=waitscope
relay() { echo "WS-FILE-BEGIN $1"; cat "$2"; echo "WS-FILE-END"; }
SCENARIOS="abba piabba pipechain selfpipe sockpeer flocker fullpipe semdead rwwriter condpool garbagemutex foreignowner"
WAITS=/tmp/cause.waits
FINDINGS=/tmp/cause.findings

# tv NAME KEY: a value of the truth line "NAME: pid P KEY VALUE ..."
tv() {
	awk -v n="$1:" -v k="$2" '
		$1 == n { for (i = 2; i < NF; i += 2) if ($i == k) { print $(i + 1); exit } }' /tmp/cause-$1.log
}
# up NAME: the scenario is in place (it printed its truth)
up() { grep -q "^$1: pid " /tmp/cause-$1.log; }
# csv TID...: the tids (space- or comma-separated) sorted, comma-separated
csv() { echo "$@" | tr ', ' '\n\n' | grep . | sort -n | tr '\n' , | sed 's/,$//'; }
# starts STRING PREFIX
starts() { [ "${1#"$2"}" != "$1" ]; }

# ---- the waits table: tid pid type scope holder_tid holder_pid holder_comm object evidence...
# edge TID TYPE HOLDER_TID [HOLDER_PID [HOLDER_COMM [OBJECT]]]: TID has that
# edge ("" matches anything); OBJECT is text of the line (an address, not
# followed by another hex digit, or "pipe:[N]")
edge() {
	awk -v t="$1" -v ty="$2" -v h="$3" -v hp="${4:-}" -v hc="${5:-}" -v x="${6:-}" '
		!/^#/ && $1 == t && $3 == ty && $5 == h && (hp == "" || $6 == hp) && (hc == "" || $7 == hc) {
			l = tolower($0); p = index(l, tolower(x))
			if (x == "" || (p && substr(l, p + length(x), 1) !~ /[0-9a-f]/)) f = 1
		}
		END { exit !f }' $WAITS
}
# no_holder TID...: each TID has an edge, and every edge of it is unknown,
# with no holder
no_holder() {
	local t
	for t in "$@"; do
		awk -v t="$t" '
			!/^#/ && $1 == t {
				n++
				if ($3 != "unknown" || ($5 != "0" && $5 != "-") || ($6 != "0" && $6 != "-")) bad = 1
			}
			END { exit !(n > 0 && !bad) }' $WAITS || return 1
	done
}
# scope_is TID TYPE SCOPE [TID TYPE SCOPE]...: each TID has a TYPE edge, and
# every one has that scope
scope_is() {
	while [ $# -ge 3 ]; do
		awk -v t="$1" -v ty="$2" -v sc="$3" '
			!/^#/ && $1 == t && $3 == ty { n++; if ($4 != sc) bad = 1 }
			END { exit !(n > 0 && !bad) }' $WAITS || return 1
		shift 3
	done
}
# not_held_by TID HOLDER: no edge of TID names HOLDER as its holder
not_held_by() {
	awk -v t="$1" -v h="$2" '!/^#/ && $1 == t && ($5 == h || $6 == h) { f = 1 } END { exit f }' $WAITS
}

# ---- why TID: WHY_RC its exit status, WHY_LAST its last line; the chain as notes
why() {
	$W why "$1" > /tmp/cause-why.$1 2> /tmp/cause-why.$1.err
	WHY_RC=$?
	WHY_LAST=$(awk 'NF { l = $0 } END { print l }' /tmp/cause-why.$1)
	sed "s/^/# why $1: /" /tmp/cause-why.$1 /tmp/cause-why.$1.err
}
# root_is TID PID: why TID exits 0, its root the process PID
root_is() { why "$1"; [ "$WHY_RC" = 0 ] && starts "$WHY_LAST" "root: pid $2 "; }
# why_unknown TID: why TID exits 1 (an edge stayed unknown)
why_unknown() { why "$1"; [ "$WHY_RC" = 1 ]; }
# why_says TID WORD...: why TID runs (not exit 2) and names every WORD
why_says() {
	local t=$1 x
	shift
	why "$t"
	[ "$WHY_RC" = 0 ] || [ "$WHY_RC" = 1 ] || return 1
	for x in "$@"; do grep -qw "$x" /tmp/cause-why.$t || return 1; done
}
# why_deadlock TID WORD...: why TID names every WORD, its last line "deadlock:"
why_deadlock() { why_says "$@" && starts "$WHY_LAST" deadlock:; }
# root_via TID ROOT VIA: why TID exits 0 with root pid ROOT, naming VIA on the way
root_via() { root_is "$1" "$2" && grep -qw "$3" /tmp/cause-why.$1; }
# why_self TID VIA PID: why TID names VIA and ends at its own process PID
# (a root there, or a deadlock)
why_self() {
	why_says "$1" "$2" && { starts "$WHY_LAST" "root: pid $3 " || starts "$WHY_LAST" deadlock:; }
}
# why_not_root TID PID: why TID exits 1, with no root in process PID
why_not_root() { why_unknown "$1" && ! starts "$WHY_LAST" "root: pid $2 "; }

# ---- report --json: one line per finding, "KIND PID TIDS CYCLE" (TIDS and
# CYCLE sorted, comma-separated, "-" when absent).  A small scanner that
# keeps strings, nesting and escapes apart: busybox has no JSON parser.
findings() {
	awk '
	function sorted(s,   a, n, i, j, t, o) {
		n = split(s, a, ",")
		for (i = 2; i <= n; i++)
			for (j = i; j > 1 && a[j - 1] + 0 > a[j] + 0; j--) { t = a[j]; a[j] = a[j - 1]; a[j - 1] = t }
		o = ""
		for (i = 1; i <= n; i++) if (a[i] != "") o = o (o == "" ? "" : ",") a[i]
		return o == "" ? "-" : o
	}
	# the top-level members of object o into val[key] (raw text)
	function members(o,   n, p, c, d, ins, esc, key, kstart, vstart, wantkey) {
		delete val
		n = length(o); d = 0; ins = 0; esc = 0; wantkey = 0; vstart = 0
		for (p = 1; p <= n; p++) {
			c = substr(o, p, 1)
			if (ins) {
				if (esc) esc = 0
				else if (c == "\\") esc = 1
				else if (c == "\"") { ins = 0; if (wantkey == 2) { key = substr(o, kstart, p - kstart); wantkey = 3 } }
				continue
			}
			if (c == "\"") { ins = 1; if (d == 1 && wantkey == 1) { wantkey = 2; kstart = p + 1 } continue }
			if (d == 1 && wantkey == 3 && c == ":") { wantkey = 0; vstart = p + 1; continue }
			if (c == "{" || c == "[") { d++; if (d == 1) wantkey = 1; continue }
			if (d == 1 && (c == "," || c == "}")) {
				if (vstart) val[key] = substr(o, vstart, p - vstart)
				vstart = 0; wantkey = 1
			}
			if (c == "}" || c == "]") d--
		}
	}
	function finding(o,   kind, pid, tids, cyc, s) {
		members(o)
		kind = val["kind"]; gsub(/[" ]/, "", kind)
		pid = val["pid"]; gsub(/ /, "", pid); if (pid == "") pid = "-"
		tids = val["tids"]; gsub(/[][ ]/, "", tids)
		s = val["cycle"]; cyc = ""
		while (match(s, /"tid": *[0-9]+/)) {
			t = substr(s, RSTART, RLENGTH); sub(/.*: */, "", t)
			cyc = cyc (cyc == "" ? "" : ",") t
			s = substr(s, RSTART + RLENGTH)
		}
		print (kind == "" ? "-" : kind), pid, sorted(tids), sorted(cyc)
	}
	{ doc = doc $0 }
	END {
		i = index(doc, "\"findings\":[")
		if (!i) exit 1
		n = length(doc); d = 0; ins = 0; esc = 0
		for (p = i + 12; p <= n; p++) {
			c = substr(doc, p, 1)
			if (ins) { if (esc) esc = 0; else if (c == "\\") esc = 1; else if (c == "\"") ins = 0; continue }
			if (c == "\"") { ins = 1; continue }
			if (c == "{" || c == "[") { if (d == 0) start = p; d++; continue }
			if (c == "}" || c == "]") {
				if (d == 0) break
				if (--d == 0 && c == "}") finding(substr(doc, start, p - start + 1))
			}
		}
	}' "$1"
}
# has_finding KIND PID TIDS CYCLE: such a finding ("" matches anything)
has_finding() {
	awk -v k="$1" -v p="$2" -v t="$3" -v c="$4" '
		$1 == k && (p == "" || $2 == p) && (t == "" || $3 == t) && (c == "" || $4 == c) { f = 1 }
		END { exit !f }' $FINDINGS
}
# finding_tids_have KIND PID TID...: a KIND finding of PID whose tids hold every TID
finding_tids_have() {
	awk -v k="$1" -v p="$2" -v want="$3" '
		$1 == k && (p == "" || $2 == p) {
			n = split(want, w, ","); ok = 1
			for (i = 1; i <= n; i++) if (index("," $3 ",", "," w[i] ",") == 0) ok = 0
			if (ok) f = 1
		}
		END { exit !f }' $FINDINGS
}
# involved KIND PID TIDS: the findings (of KIND, or any if "") that name PID
# as theirs or one of TIDS in their tids or cycle
involved() {
	awk -v k="$1" -v p="$2" -v want="$3" '
		k == "" || $1 == k {
			hit = (p != "" && $2 == p)
			n = split(want, w, ",")
			for (i = 1; i <= n; i++)
				if (index("," $3 ",", "," w[i] ",") || index("," $4 ",", "," w[i] ",")) hit = 1
			if (hit) print
		}' $FINDINGS
}
# none_involved KIND PID TIDS: no such finding
none_involved() { [ -z "$(involved "$@")" ]; }
# no_deadlock_frozen PID TIDS: no deadlock and no frozen finding names them
no_deadlock_frozen() { none_involved deadlock "$1" "$2" && none_involved frozen "$1" "$2"; }
# no_wait_finding PID TIDS: no finding about a wait names them
no_wait_finding() {
	for k in deadlock frozen stuck lock-contention; do
		none_involved $k "$1" "$2" || return 1
	done
}

# ---- blocked: the HOLDER column.  row_names TID X: the row of TID holds X
# as a whole token (split at anything but letters and digits).
row_names() {
	awk -v t="$1" -v x="$2" '
		$1 == t { n = split($0, a, /[^0-9A-Za-z]+/); for (i = 1; i <= n; i++) if (a[i] == x) f = 1 }
		END { exit !f }' /tmp/cause.blocked
}

# sock_diag for unix sockets (a module on Debian's kernels; none on debug).
[ -f /opt/ws/unix_diag.ko ] && insmod /opt/ws/unix_diag.ko 2>/dev/null
check "cause: insmod" insmod /opt/ws/waitscope.ko

# ---- start them all, then wait until each is in place ----
for s in $SCENARIOS; do
	rm -f /tmp/cause-$s.log /tmp/$s.done
	scenario $s > /tmp/cause-$s.log 2>&1 &
	eval "bg_$s=$!"
done
KILL=
for s in $SCENARIOS; do
	eval "p=\$bg_$s"
	KILL="$KILL $p"
	wait_line /tmp/cause-$s.log "^$s: " "$p" 30
	if up $s; then
		note "truth: $(grep "^$s: pid " /tmp/cause-$s.log)"
		# the child processes, killed with it (they also die with it)
		case $s in
		pipechain|sockpeer|fullpipe) KILL="$KILL $(tv $s child)" ;;
		flocker) KILL="$KILL $(tv $s waiter)" ;;
		foreignowner) KILL="$KILL $(tv $s foreign)" ;;
		esac
	elif grep -q "^$s: unsupported" /tmp/cause-$s.log; then
		echo "skip - cause: $s: this kernel has no $(sed -n "s/^$s: unsupported //p" /tmp/cause-$s.log)"
	else
		notok "cause: $s sets up and prints its truth: $(tr '\n' ' ' < /tmp/cause-$s.log)"
	fi
done
sleep 3

$W waits > $WAITS 2> /tmp/cause.err; rc=$?
$W report --stuck 2s --json > /tmp/cause.json 2>> /tmp/cause.err; jrc=$?
$W report --stuck 2s > /tmp/cause.txt 2>> /tmp/cause.err
$W blocked --min 1s > /tmp/cause.blocked 2>> /tmp/cause.err
findings /tmp/cause.json > $FINDINGS
# The snapshot keeps the edges: offline, the same deadlocks, frozen
# processes and roots (checked per scenario below).
rm -rf /tmp/cause-snap
$W snapshot /tmp/cause-snap > /dev/null 2>> /tmp/cause.err
$W --debugfs /tmp/cause-snap report --stuck 2s --json > /tmp/cause-off.json 2>> /tmp/cause.err
findings /tmp/cause-off.json > /tmp/cause-off.findings
note "waits exit $rc, report --json exit $jrc"
sed 's/^/# err: /' /tmp/cause.err
relay cause/waits $WAITS
relay cause/report.json /tmp/cause.json
relay cause/report.txt /tmp/cause.txt
# The edges of the scenarios' processes, and every finding, as notes.
pids=" $KILL "
awk -v p="$pids" '!/^#/ && index(p, " " $2 " ")' $WAITS | sed 's/^/# waits: /'
sed 's/^/# finding: /' $FINDINGS

check "cause: waits runs (exit not 2) with its two '#' header lines" \
	sh -c "[ $rc != 2 ] && [ \"\$(head -n 2 $WAITS | grep -c '^#')\" = 2 ]"
check "cause: every waits edge has 8+ columns, numeric tids, a known type and scope" awk '
	/^#/ { next }
	NF < 8 || $1 !~ /^[0-9]+$/ || $2 !~ /^[0-9]+$/ || ($5 !~ /^[0-9]+$/ && $5 != "-") ||
	($6 !~ /^[0-9]+$/ && $6 != "-") ||
	$3 !~ /^(mutex-owner|pi-owner|rwlock-writer|join|pipe|socket|flock|child|unknown)$/ ||
	$4 !~ /^(process|external|timed)$/ { print "# bad edge: " $0; bad = 1 }
	END { exit bad }' $WAITS
check "cause: report --json is schema waitscope.report/2" grep -Eq '"schema": *"waitscope.report/2"' /tmp/cause.json
check "cause: blocked has a HOLDER column" grep -qw HOLDER /tmp/cause.blocked

# ---- abba: a deadlock of two default mutexes ----
if up abba; then
	P=$(tv abba pid) A=$(tv abba tid_a) B=$(tv abba tid_b) MA=$(tv abba mutex_a) MB=$(tv abba mutex_b)
	check "cause: abba: tid_a waits for mutex_b, a mutex-owner edge held by tid_b" \
		edge "$A" mutex-owner "$B" "$P" abba-b "$MB"
	check "cause: abba: tid_b waits for mutex_a, a mutex-owner edge held by tid_a" \
		edge "$B" mutex-owner "$A" "$P" abba-a "$MA"
	check "cause: abba: report --json has a deadlock whose cycle is exactly {tid_a, tid_b}" \
		has_finding deadlock "" "" "$(csv $A $B)"
	check "cause: abba: ... and its tids hold both" finding_tids_have deadlock "" "$A,$B"
	check "cause: abba: the snapshot's offline report has the same deadlock" \
		awk -v c="$(csv $A $B)" '$1 == "deadlock" && $4 == c { f = 1 } END { exit !f }' \
		/tmp/cause-off.findings
	check "cause: abba: why tid_a ends in 'deadlock:', naming both threads" \
		why_deadlock "$A" "$A" "$B"
	check "cause: abba: the text report names the deadlock and both threads" \
		sh -c "grep -qi deadlock /tmp/cause.txt && grep -qw $A /tmp/cause.txt && grep -qw $B /tmp/cause.txt"
	check "cause: abba: blocked's row of tid_a names tid_b" row_names "$A" "$B"
	# The user stack, read from /proc/PID/mem by .eh_frame: the lock call in abba_thread.
	check "cause: abba: the deadlock says where: a thread of the cycle in pthread_mutex_lock < abba_thread < start_thread" \
		grep -Eq "^   where: +thread ($A|$B): .*mutex_lock[^<]* < abba_thread < start_thread" /tmp/cause.txt
	check "cause: abba: why tid_a shows its user stack with offsets, abba_thread+0x..." \
		sh -c "$W why $A | grep -Eq '^     user: .*mutex_lock.* < abba_thread\+0x[0-9a-f]+ < start_thread'"
fi

# ---- piabba: PI mutexes; one side got EDEADLK and is parked by glibc ----
if up piabba; then
	P=$(tv piabba pid) WT=$(tv piabba waiter) O=$(tv piabba owner) M=$(tv piabba mutex)
	check "cause: piabba: the FUTEX_LOCK_PI waiter has a pi-owner edge held by the owner" \
		edge "$WT" pi-owner "$O" "$P" "" "$M"
	check "cause: piabba: why waiter names the owner" why_says "$WT" "$O"
	check "cause: piabba: the owner (EDEADLK, parked on its stack) is held by no one" \
		not_held_by "$O" "$WT"
fi

# ---- pipechain: 3 waiters -> mutex held by H -> pipe written only by child C ----
if up pipechain; then
	P=$(tv pipechain pid) H=$(tv pipechain holder) C=$(tv pipechain child) M=$(tv pipechain mutex)
	I=$(tv pipechain pipe)
	for w in $(tv pipechain waiters | tr , ' '); do
		check "cause: pipechain: waiter $w has a mutex-owner edge held by H" \
			edge "$w" mutex-owner "$H" "$P" chain-holder "$M"
	done
	check "cause: pipechain: H has a pipe edge on pipe:[$I] held by C (holder_tid = holder_pid = C, comm chain-writer)" \
		edge "$H" pipe "$C" "$C" chain-writer "pipe:[$I]"
	check "cause: pipechain: no edge of H names its own process" not_held_by "$H" "$P"
	check "cause: pipechain: H's pipe edge is external (another process holds it)" scope_is "$H" pipe external
	w1=$(tv pipechain waiters | cut -d, -f1)
	check "cause: pipechain: why waiter exits 0, through H, root pid C" root_via "$w1" "$C" "$H"
	check "cause: pipechain: why H exits 0, root pid C" root_is "$H" "$C"
	check "cause: pipechain: the text report names the root C" grep -qw "$C" /tmp/cause.txt
	check "cause: pipechain: blocked's row of a waiter names H" row_names "$w1" "$H"
	check "cause: pipechain: no deadlock or frozen finding for the process" \
		no_deadlock_frozen "$P" "$H,$(tv pipechain waiters)"
fi

# ---- selfpipe: main joins J; J reads a pipe only its own process can write ----
if up selfpipe; then
	P=$(tv selfpipe pid) J=$(tv selfpipe joined) I=$(tv selfpipe pipe)
	check "cause: selfpipe: main has a join edge held by J" edge "$P" join "$J" "$P"
	check "cause: selfpipe: J has a pipe edge on pipe:[$I] held by its own pid" \
		edge "$J" pipe "$P" "$P" "" "pipe:[$I]"
	check "cause: selfpipe: both edges are process-scoped (only the process can end them)" \
		scope_is "$P" join process "$J" pipe process
	check "cause: selfpipe: why main goes through J and ends at its own process" why_self "$P" "$J" "$P"
fi

# ---- sockpeer: a unix socket whose peer a silent child holds ----
if up sockpeer; then
	R=$(tv sockpeer reader) C=$(tv sockpeer child)
	check "cause: sockpeer: the reader has a socket edge held by the child" edge "$R" socket "$C" "$C" sock-peer
	check "cause: sockpeer: why reader exits 0, root pid child" root_is "$R" "$C"
fi

# ---- flocker: a child waits for the parent's flock ----
if up flocker; then
	P=$(tv flocker holder) C=$(tv flocker waiter)
	check "cause: flocker: the waiter has a flock edge held by the holder's pid" edge "$C" flock "$P" "$P"
	check "cause: flocker: why waiter exits 0, root pid holder" root_is "$C" "$P"
fi

# ---- fullpipe: a writer into a full pipe whose reader, a child, sleeps ----
if up fullpipe; then
	WT=$(tv fullpipe writer) C=$(tv fullpipe child) I=$(tv fullpipe pipe)
	check "cause: fullpipe: the writer has a pipe edge on pipe:[$I] held by the child" \
		edge "$WT" pipe "$C" "$C" pipe-sink "pipe:[$I]"
	check "cause: fullpipe: why writer exits 0, root pid child" root_is "$WT" "$C"
fi

# ---- semdead: two sem_waits nobody posts, main joining them: frozen ----
if up semdead; then
	P=$(tv semdead pid) T=$(tv semdead waiters)
	T1=${T%,*} T2=${T#*,}
	check "cause: semdead: main has a join edge held by the first waiter" edge "$P" join "$T1" "$P"
	check "cause: semdead: both sem_wait threads have only unknown edges, no holder" no_holder "$T1" "$T2"
	check "cause: semdead: the join and both sem waits are process-scoped" \
		scope_is "$P" join process "$T1" unknown process "$T2" unknown process
	check "cause: semdead: report --json has a frozen finding for its pid" has_finding frozen "$P" "" ""
	check "cause: semdead: ... whose tids are exactly its three threads" has_finding frozen "$P" "$(csv $P $T1 $T2)" ""
	check "cause: semdead: the snapshot's offline report finds it frozen too" \
		awk -v p="$P" '$1 == "frozen" && $2 == p { f = 1 } END { exit !f }' /tmp/cause-off.findings
	check "cause: semdead: no deadlock finding names it" none_involved deadlock "$P" "$T"
	check "cause: semdead: why a waiter exits 1 (no owner)" why_unknown "$T1"
fi

# ---- rwwriter: a reader and a second writer behind an rwlock's writer ----
if up rwwriter; then
	P=$(tv rwwriter pid) WR=$(tv rwwriter writer) R=$(tv rwwriter reader) X=$(tv rwwriter writer2)
	check "cause: rwwriter: the reader has an rwlock-writer edge held by the writer" \
		edge "$R" rwlock-writer "$WR" "$P" rw-writer
	check "cause: rwwriter: the second writer has an rwlock-writer edge held by the writer" \
		edge "$X" rwlock-writer "$WR" "$P" rw-writer
	check "cause: rwwriter: why reader exits 0, through the writer, root its own pid" \
		root_via "$R" "$P" "$WR"
	check "cause: rwwriter: the text report names the writer" grep -qw "$WR" /tmp/cause.txt
	check "cause: rwwriter: no deadlock or frozen finding (the writer sleeps in pause())" \
		no_deadlock_frozen "$P" "$WR,$R,$X"
fi

# ---- negatives ----
if up condpool; then
	P=$(tv condpool pid) T=$(tv condpool waiters) E=$(tv condpool epoll)
	note "condpool: woken through $(tv condpool wakeup)"
	check "cause: condpool: the 4 condvar waiters and the epoll thread have only unknown edges" \
		no_holder $(echo $T | tr , ' ') $E
	check "cause: condpool: the epoll thread's wait is external (the pool can be woken from outside)" \
		scope_is "$E" unknown external
	# Its main thread may starve for a CPU under TCG beside ten other
	# scenarios (seen on 6.12-rt and debug): only a wait finding is wrong.
	check "cause: condpool: report --json has no deadlock, frozen, stuck or contention finding for it" \
		no_wait_finding "$P" "$T,$E"
	check "cause: condpool: why a condvar waiter exits 1" why_unknown "${T%%,*}"
fi
if up garbagemutex; then
	P=$(tv garbagemutex pid) WT=$(tv garbagemutex waiter)
	check "cause: garbagemutex: the waiter's edges are unknown, no holder (owner field 0x7fffffff, kind 99)" \
		no_holder "$WT"
	check "cause: garbagemutex: no edge anywhere names tid 2147483647" \
		awk '!/^#/ && ($5 == 2147483647 || $6 == 2147483647) { f = 1 } END { exit f }' $WAITS
	check "cause: garbagemutex: no deadlock finding names it" none_involved deadlock "" "$WT"
	check "cause: garbagemutex: why waiter exits 1" why_unknown "$WT"
fi
if up foreignowner; then
	P=$(tv foreignowner pid) WT=$(tv foreignowner waiter) C=$(tv foreignowner foreign)
	check "cause: foreignowner: the waiter's edges are unknown, no holder (owner field names pid $C's thread)" \
		no_holder "$WT"
	check "cause: foreignowner: no edge of the waiter names the other process" not_held_by "$WT" "$C"
	check "cause: foreignowner: why waiter exits 1, no root in the other process" why_not_root "$WT" "$C"
	check "cause: foreignowner: no deadlock finding names it" none_involved deadlock "" "$WT"
fi

# ---- stop: the scenarios and their children ----
kill -9 $KILL 2>/dev/null
wait 2>/dev/null
left=
for i in 1 2 3 4 5 6 7 8 9 10; do
	left=
	for p in $KILL; do
		[ -d /proc/$p ] && [ "$(awk '{ print $3 }' /proc/$p/stat 2>/dev/null)" != Z ] && left="$left $p"
	done
	[ -z "$left" ] && break
	sleep 0.2
done
check "cause: every scenario process and child is gone after the kill${left:+ (left:$left)}" [ -z "$left" ]
rm -f /tmp/waitscope-flocker.lock /tmp/waitscope-condpool.fifo
check "cause: rmmod" rmmod waitscope
