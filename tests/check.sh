#!/bin/sh
# make check: every test of waitscope, ending with "N passed, N failed".
#
#   host:   style (checkpatch --strict), W=1 and sparse builds per kernel;
#           the CLI built with -Werror and with ASan/UBSan, its tests on
#           recorded fixtures, every truncated prefix, a bounded fuzz run
#   guests: each installed Debian kernel (6.1, 6.12, 6.12-rt) and the debug
#           kernel boot in qemu TCG with the hostile-input, module, CLI, cause,
#           recorder and lifecycle suites; the debug kernel also runs the KUnit suites and
#           kmemleak scans, and boots with lockdown=integrity and debugfs=off.
#
# WS_KERNELS="6.12 debug" limits the kernels (labels from tests/rig/kernels.sh).
set -u

top=$(cd "$(dirname "$0")/.." && pwd)
rig=$top/tests/rig
out=$top/tests/out
mkdir -p "$out"
pass=0 fail=0 skip=0 notes=
rm -f "$out/failures"
# The longest boots are the debug kernel's.  On 2026-12-03, on a host about
# half as fast as on 2026-12-01, its stress and main boots both ran out of
# 1200 s beside each other (alone: the lifecycle suite's 100 cycles took
# 692 s, the module suite's 20000 churned threads 371 s; now 50 and 2000
# there).  The limits leave room for a busy host without letting a hung
# guest linger.
BOOT_TIMEOUT=${WS_BOOT_TIMEOUT:-1200}
DEBUG_BOOT_TIMEOUT=${WS_DEBUG_BOOT_TIMEOUT:-1800}

pass() { pass=$((pass + 1)); echo "PASS: $*"; }
# Every failure is listed again at the end, with the notes just before it:
# CI shows the tail of a long log.
fail() { fail=$((fail + 1)); echo "FAIL: $*"; printf '%s%s\n' "${notes:-}" "FAIL: $*" >> "$out/failures"; notes=; }
skip() { skip=$((skip + 1)); echo "SKIP: $*"; }
# t NAME CMD...: one host-side test
t() {
	name=$1
	shift
	if "$@" > "$out/last.log" 2>&1; then
		pass "$name"
	else
		fail "$name"
		sed 's/^/    /' "$out/last.log" | tail -40
		sed 's/^/    /' "$out/last.log" | tail -5 >> "$out/failures"
	fi
}
wanted() { [ -z "${WS_KERNELS:-}" ] || echo " $WS_KERNELS " | grep -q " $1 "; }

finish() {
	echo
	if [ -s "$out/failures" ]; then
		echo "The failures again, each after the notes before it:"
		cat "$out/failures"
		echo
	fi
	echo "$pass passed, $fail failed, $skip skipped"
	[ "$fail" = 0 ]
	exit $?
}

# tally_lines LABEL FILE: the ok / not ok / skip lines of a test log; the
# last two notes go with a failure into the list at the end.
tally_lines() {
	note1= note2=
	while IFS= read -r line; do
		case $line in
		"ok - "*) pass "$1: ${line#ok - }" ;;
		"not ok - "*)
			notes="${note2:+$note2
}${note1:+$note1
}"
			fail "$1: ${line#not ok - }" ;;
		"skip - "*) skip "$1: ${line#skip - }" ;;
		"# "*) echo "      $line"; note2=${note1:-} note1="      $line" ;;
		esac
	done < "$2"
}

# The documents a guest's CLI suite relayed, checked with real parsers.
check_relayed() {
	label=$1 dir=$2
	rm -rf "$dir/relayed"
	"$rig/relayed.sh" "$dir/results.log" "$dir/relayed"
	if [ -f "$dir/relayed/cause/report.json" ]; then
		t "$label: cause report --json parses as JSON" \
			python3 -m json.tool "$dir/relayed/cause/report.json"
	fi
	for w in leaker abba; do
		[ -f "$dir/relayed/watch/$w.json" ] || continue
		t "$label: watch $w: --json parses, schema waitscope.watch/1, 6 checks, its exit status" \
			python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["schema"] == "waitscope.watch/1" and len(d["checks"]) == 6
assert [c["name"] for c in d["checks"]] == ["stuck", "deadlock", "frozen", "leaked", "contention", "starvation"]
failed = sorted(c["name"] for c in d["checks"] if c["passed"] is False)
assert failed == sys.argv[2].split(","), failed
assert d["exit_status"] == int(sys.argv[3]), d["exit_status"]' "$dir/relayed/watch/$w.json" \
			"$( [ $w = leaker ] && echo leaked || echo deadlock,leaked)" "$( [ $w = leaker ] && echo 3 || echo 143)"
		t "$label: watch $w: --junit is well-formed XML, 6 test cases, a failure per finding" \
			python3 -c '
import json, sys, xml.etree.ElementTree as ET
suite = ET.parse(sys.argv[1]).getroot().find("testsuite")
cases = suite.findall("testcase")
d = json.load(open(sys.argv[2]))
assert [c.get("name") for c in cases] == [c["name"] for c in d["checks"]]
nfail = sum(len(c.findall("failure")) for c in cases)
assert nfail == sum(len(c["findings"]) for c in d["checks"]), nfail
# failures="N" counts the test cases that failed, as JUnit does.
assert int(suite.get("failures")) == sum(1 for c in cases if c.findall("failure")), suite.attrib' \
			"$dir/relayed/watch/$w.xml" "$dir/relayed/watch/$w.json"
	done
	if [ -f "$dir/relayed/recorder/metrics.prom" ]; then
		t "$label: recorder: the exposition with the slow-event counters passes promtool" \
			sh -c "promtool check metrics < '$dir/relayed/recorder/metrics.prom' &&
				grep -q '^waitscope_slow_events_total{reason=\"runq\"} ' '$dir/relayed/recorder/metrics.prom'"
	fi
	if [ -f "$dir/relayed/recorder/slow.json" ]; then
		t "$label: slow --json: every line is a JSON object of schema waitscope.event/1" \
			python3 -c 'import json,sys
n = 0
for line in open(sys.argv[1]):
    o = json.loads(line); n += 1
    assert o["schema"] == "waitscope.event/1", o
    assert o["kind"] == "missed" or {"seq", "time_ns", "tid", "tgid", "comm", "reason", "duration_ns", "cpu"} <= o.keys(), o
assert n > 0' "$dir/relayed/recorder/slow.json"
	fi
	[ -f "$dir/relayed/report.json" ] || return 0
	for j in report export blocked; do
		t "$label: cli $j --json output parses as JSON" python3 -m json.tool "$dir/relayed/$j.json"
	done
	t "$label: cli export --format prometheus passes promtool check metrics" \
		sh -c "promtool check metrics < '$dir/relayed/metrics.prom'"
	if [ -f "$dir/relayed/metrics2.prom" ]; then
		t "$label: cli export after a thread exited passes promtool check metrics" \
			sh -c "promtool check metrics < '$dir/relayed/metrics2.prom'"
		t "$label: cli export: no counter series fell across the thread exit (two scrapes)" \
			python3 "$top/tests/cli/counters.py" "$dir/relayed/metrics.prom" "$dir/relayed/metrics2.prom"
	fi
	t "$label: cli reads its own live snapshot offline" \
		"$cli/waitscope-asan" --debugfs "$dir/relayed/scenarios" status
}

# Tally one guest run: its ok/not ok lines, whether it finished, splats.
tally_guest() {
	label=$1 dir=$2
	sed -e 's/\r$//' -e '/^WS-DMESG-BEGIN/,/^WS-DMESG-END/d' "$dir/results.log" > "$dir/tests.log"
	tally_lines "$label" "$dir/tests.log"
	check_relayed "$label" "$dir"
	tally_ktap "$label" "$dir/tests.log"
	if grep -q '^WS-END' "$dir/results.log"; then
		pass "$label: guest ran every suite to the end"
	else
		fail "$label: guest did not finish (timeout or crash; see $dir/console.log)"
		tail -30 "$dir/console.log" | sed 's/^/    /'
		tail -8 "$dir/console.log" | sed 's/^/    /' >> "$out/failures"
	fi
	sed -n '/^WS-DMESG-BEGIN/,/^WS-DMESG-END/p' "$dir/results.log" > "$dir/dmesg.log"
	if "$rig/splats.sh" "$dir/console.log" "$dir/dmesg.log" > "$dir/splats.log"; then
		pass "$label: no kernel warning, BUG, lockdep, KASAN or kmemleak report"
	else
		fail "$label: kernel reports in the console log"
		head -40 "$dir/splats.log" | sed 's/^/    /'
		head -8 "$dir/splats.log" | sed 's/^/    /' >> "$out/failures"
	fi
}

# KTAP test-case lines that the kunit suite relays ("    ok 3 name").
tally_ktap() {
	label=$1 log=$2
	awk '/^WS-KTAP-BEGIN/ { k = 1; next } /^WS-KTAP-END/ { k = 0 } k' "$log" |
	while IFS= read -r line; do
		case $line in
		*"# SKIP"*) echo "SKIP-KTAP $line" ;;
		"    ok "*) echo "PASS-KTAP $line" ;;
		"    not ok "*) echo "FAIL-KTAP $line" ;;
		esac
	done > "$log.ktap"
	while read -r kind rest; do
		case $kind in
		PASS-KTAP) pass "$label: kunit: $rest" ;;
		FAIL-KTAP) fail "$label: kunit: $rest" ;;
		SKIP-KTAP) skip "$label: kunit: $rest" ;;
		esac
	done < "$log.ktap"
}

# Guest runs are queued, then booted two at a time: single-threaded TCG
# keeps one host core busy per VM, and this machine has two.
: > "$out/boots.txt"
# queue_boot LABEL VMLINUZ "SUITES" FILE...  (WS_CMDLINE: extra kernel options)
queue_boot() {
	label=$1 vmlinuz=$2 suites=$3
	shift 3
	echo "$label" >> "$out/boots.txt"
	case $label in
	debug*) limit=$DEBUG_BOOT_TIMEOUT ;;
	*) limit=$BOOT_TIMEOUT ;;
	esac
	printf '%s\n' "$out/$label $vmlinuz $limit '$suites' '${WS_CMDLINE:-}' $*" >> "$out/boots.jobs"
}

# kernel_ko VMLINUZ DIR PATH: the kernel's module kernel/PATH(.ko, .ko.xz),
# uncompressed into DIR; prints its path, or nothing when the kernel has none.
kernel_ko() {
	rel=${1#/boot/vmlinuz-}
	name=$(basename "$3")
	for ko in /lib/modules/"$rel"/kernel/"$3".ko*; do
		case $ko in
		*.xz) xz -dc "$ko" > "$2/$name.ko" || return 0 ;;
		*.ko) cp "$ko" "$2/$name.ko" || return 0 ;;
		*) continue ;;
		esac
		echo "$2/$name.ko"
		return 0
	done
}

run_boots() {
	[ -s "$out/boots.jobs" ] || return 0
	# Longest first, so that no boot runs alone at the end: the debug
	# kernel's stress boot, then its main boot (each 10-17 minutes).
	{
		grep "^$out/debug-stress " "$out/boots.jobs"
		grep "^$out/debug " "$out/boots.jobs"
		grep -v "^$out/debug-stress \|^$out/debug " "$out/boots.jobs"
	} | xargs -P 2 -L 1 "$rig/run-boot.sh"
	while read -r label; do
		if [ -e "$out/$label/initramfs.failed" ]; then
			fail "$label: initramfs"
			continue
		fi
		tally_guest "$label" "$out/$label"
	done < "$out/boots.txt"
}

# ---- set up ----
if ! "$rig/deps.sh"; then
	fail "rig dependencies are installed"
	finish
fi
# The debug kernel builds (about 11 minutes on a fresh machine; cached
# after) beside the host tests and module builds below, which leave
# cores idle while they wait on fuzzing, linking and dpkg.
rm -f "$out/debug-kernel.rc"
debug_pid=
if wanted debug; then
	{ "$rig/debug-kernel.sh" > "$out/debug-tree" 2> "$out/debug-kernel.log"
	  echo $? > "$out/debug-kernel.rc"; } &
	debug_pid=$!
fi
t "scenario programs build (static, -Wall -Wextra -Werror)" \
	gcc -static -O2 -Wall -Wextra -Werror -pthread -o "$out/scenario" "$top/tests/scenarios/scenario.c"
t "hostile-input programs build (static, -Wall -Wextra -Werror)" \
	gcc -static -O2 -Wall -Wextra -Werror -pthread -o "$out/hostile" "$top/tests/stress/hostile.c"
t "lifecycle stress program builds (static, -Wall -Wextra -Werror)" \
	gcc -static -O2 -Wall -Wextra -Werror -pthread -o "$out/stress" "$top/tests/stress/stress.c"

# ---- the CLI on the host ----
cli=$out/cli
mkdir -p "$cli"
t "cli builds with -Wall -Wextra -Werror" make -s -C "$top/userspace"
SAN="-g -O1 -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -fsanitize=address,undefined -fno-sanitize-recover=all"
CLI_SRC="$top/userspace/parse.c $top/userspace/snapshot.c $top/userspace/fmt.c $top/userspace/diagnose.c $top/userspace/render.c $top/userspace/cgroup.c $top/userspace/procfs.c $top/userspace/resolve.c $top/userspace/waits.c $top/userspace/graph.c $top/userspace/events.c $top/userspace/slow.c $top/userspace/evidence.c $top/userspace/watch.c $top/userspace/watch_tree.c $top/userspace/watch_poll.c $top/userspace/watch_out.c $top/userspace/uelf.c $top/userspace/ustack.c"
# shellcheck disable=SC2086
t "cli builds with ASan and UBSan" clang $SAN -o "$cli/waitscope-asan" $CLI_SRC \
	"$top/userspace/top.c" "$top/userspace/main.c"
# shellcheck disable=SC2086
t "cli builds static for the guests" gcc -static -O2 -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror \
	-o "$cli/waitscope" $CLI_SRC "$top/userspace/top.c" "$top/userspace/main.c"
if [ -x "$cli/waitscope-asan" ]; then
	"$top/tests/cli/run.sh" "$cli/waitscope-asan" > "$cli/run.log" 2>&1
	tally_lines cli "$cli/run.log"
	# shellcheck disable=SC2086
	if clang $SAN -o "$cli/prefixes" "$top/tests/cli/prefixes.c" $CLI_SRC 2> "$cli/prefixes.build"; then
		"$cli/prefixes" "$top"/tests/fixtures/* > "$cli/prefixes.log" 2>&1
		tally_lines cli "$cli/prefixes.log"
	else
		fail "cli: truncated-prefix harness builds"
	fi
	# shellcheck disable=SC2086
	if clang $SAN -o "$cli/cgroup_map" "$top/tests/cli/cgroup_map.c" $CLI_SRC 2> "$cli/cgroup_map.build"; then
		"$cli/cgroup_map" > "$cli/cgroup_map.log" 2>&1
		tally_lines cli "$cli/cgroup_map.log"
	else
		fail "cli: cgroup map harness builds"
	fi
	# shellcheck disable=SC2086
	if clang $SAN -pthread -o "$cli/resolve_test" "$top/tests/cli/resolve_test.c" $CLI_SRC 2> "$cli/resolve_test.build"; then
		"$cli/resolve_test" > "$cli/resolve_test.log" 2>&1
		tally_lines cli "$cli/resolve_test.log"
	else
		fail "cli: waits-for resolver harness builds"
	fi
	# User stacks of threads blocked for real: with frame pointers (clang
	# -O0 and ASan keep them), without, and static as the guests' programs.
	for opt in O2 O0; do
		# shellcheck disable=SC2086
		if clang $SAN -$opt -pthread -DUST_OPT="\"clang -$opt\"" -o "$cli/ustack-$opt" \
			"$top/tests/cli/ustack_test.c" $CLI_SRC 2> "$cli/ustack-$opt.build"; then
			"$cli/ustack-$opt" > "$cli/ustack-$opt.log" 2>&1
			tally_lines cli "$cli/ustack-$opt.log"
		else
			fail "cli: user stack harness builds (-$opt)"
		fi
	done
fi
# shellcheck disable=SC2086
if gcc -static -O2 -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -pthread -DUST_OPT='"gcc -O2 static"' \
	-o "$cli/ustack-static" "$top/tests/cli/ustack_test.c" $CLI_SRC -lm 2> "$cli/ustack-static.build"; then
	"$cli/ustack-static" > "$cli/ustack-static.log" 2>&1
	tally_lines cli "$cli/ustack-static.log"
else
	fail "cli: user stack harness builds (static)"
fi
# shellcheck disable=SC2086
if clang $SAN -fsanitize=fuzzer -o "$cli/fuzz" "$top/tests/fuzz/fuzz_parse.c" $CLI_SRC 2> "$cli/fuzz.build"; then
	mkdir -p "$cli/corpus"
	t "cli: the parser fuzz target runs ${WS_FUZZ_SECONDS:-30}s without a crash" \
		"$cli/fuzz" -max_total_time="${WS_FUZZ_SECONDS:-30}" -timeout=10 -rss_limit_mb=2048 \
		"$cli/corpus" "$top/tests/fuzz/corpus"
else
	fail "cli: fuzz target builds"
	sed 's/^/    /' "$cli/fuzz.build" | tail -10
fi

# The ELF/.eh_frame reader on hostile objects, seeded with real ones.
if clang -g -O1 -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -fsanitize=fuzzer,address,undefined \
	-fno-sanitize-recover=all -o "$cli/fuzz-elf" "$top/tests/fuzz/fuzz_uelf.c" \
	"$top/userspace/uelf.c" "$top/userspace/parse.c" "$top/userspace/fmt.c" \
	"$top/userspace/snapshot.c" 2> "$cli/fuzz-elf.build"; then
	mkdir -p "$cli/corpus-elf"
	cp "$out/scenario" "$cli/corpus-elf/scenario" 2> /dev/null
	cp "$cli/fuzz-elf" "$cli/corpus-elf/self"
	t "cli: the ELF fuzz target runs ${WS_FUZZ_ELF_SECONDS:-20}s without a crash" \
		"$cli/fuzz-elf" -max_total_time="${WS_FUZZ_ELF_SECONDS:-20}" -timeout=10 -rss_limit_mb=2048 \
		-max_len=4194304 "$cli/corpus-elf"
else
	fail "cli: ELF fuzz target builds"
	sed 's/^/    /' "$cli/fuzz-elf.build" | tail -10
fi

# ---- packaging: DKMS, make install, .deb (modules built here load below) ----
# In the background, beside the module builds: each build is one make job.
"$top/tests/pkg.sh" "$out/pkg" > "$out/pkg.log" 2>&1 &
pkg_pid=$!

# ---- kernels ----
"$rig/kernels.sh" > "$out/kernels.txt"
rm -f "$out/boots.jobs"
# Every module build, two at a time: build-module.sh KDIR OUT FLAGS, its
# output in OUT.log and its exit status in OUT.rc.
# The debug kernel's module joins the queue once that kernel is built.
{
	while read -r label vmlinuz kdir; do
		wanted "$label" && echo "$kdir $out/build-$label --sparse"
	done < "$out/kernels.txt"
	if [ -n "$debug_pid" ]; then
		while [ ! -s "$out/debug-kernel.rc" ] && kill -0 "$debug_pid" 2> /dev/null; do
			sleep 2
		done
		[ "$(cat "$out/debug-kernel.rc" 2> /dev/null)" = 0 ] &&
			echo "$(cat "$out/debug-tree") $out/build-debug --kunit --sparse"
	fi
} | xargs -P 2 -L 1 sh -c '"$0" "$@" > "$2.log" 2>&1; echo $? > "$2.rc"' "$rig/build-module.sh"
built() { [ "$(cat "$1.rc" 2>/dev/null)" = 0 ]; }

debug_tree=
if [ -n "$debug_pid" ]; then
	if [ "$(cat "$out/debug-kernel.rc" 2> /dev/null)" = 0 ]; then
		debug_tree=$(cat "$out/debug-tree")
		pass "debug kernel (KASAN, lockdep, kmemleak, KUnit) is built"
	else
		fail "debug kernel build"
		tail -20 "$out/debug-kernel.log" | sed 's/^/    /'
	fi
fi

# ---- style ----
checkpatch=
for c in "$debug_tree/scripts/checkpatch.pl" "${HOME:-/root}"/.cache/waitscope/debug-*/linux/scripts/checkpatch.pl; do
	[ -f "$c" ] && { checkpatch=$c; break; }
done
if [ -n "$checkpatch" ]; then
	t "module sources are checkpatch --strict clean" \
		perl "$checkpatch" --strict --no-tree --terse --show-types -f \
		"$top"/module/*.c "$top"/module/*.h
else
	skip "checkpatch: no kernel source tree with scripts/checkpatch.pl"
fi

wait "$pkg_pid"
tally_lines pkg "$out/pkg.log"

while read -r label vmlinuz kdir; do
	wanted "$label" || continue
	build=$out/build-$label
	if built "$build"; then
		pass "$label: module builds with W=1 and sparse, no warning"
	else
		fail "$label: module build"
		tail -30 "$out/build-$label.log" | sed 's/^/    /'
		continue
	fi
	dkms_ko=
	# hostile first: its pid-reuse part needs pid 300 free.
	suites="hostile module cli cause recorder watch lifecycle"
	if [ -s "$out/pkg/dkms-$label.ko" ]; then
		dkms_ko=$out/pkg/dkms-$label.ko
		suites="hostile dkms module cli cause recorder watch lifecycle"
	fi
	# The cause suite resolves unix socket peers through sock_diag, which
	# Debian builds as a module (unix_diag); the module suite's known-answer
	# disk is null_blk, which needs configfs: the boot's own copies.
	kos=
	for m in net/unix/unix_diag fs/configfs/configfs drivers/block/null_blk/null_blk; do
		kos="$kos $(kernel_ko "$vmlinuz" "$build" $m)"
	done
	# shellcheck disable=SC2086
	queue_boot "$label" "$vmlinuz" "$suites" "$build/waitscope.ko" "$out/scenario" \
		"$cli/waitscope" "$out/hostile" "$out/stress" $dkms_ko $kos
done < "$out/kernels.txt"

if [ -n "$debug_tree" ]; then
	build=$out/build-debug
	if built "$build"; then
		pass "debug: module and KUnit module build with W=1 and sparse, no warning"
		queue_boot debug "$debug_tree/arch/x86/boot/bzImage" "kunit module cli cause recorder watch kmemleak" \
			"$build/waitscope.ko" "$build/waitscope_kunit.ko" "$out/scenario" "$cli/waitscope" \
			"$out/stress" "$debug_tree/drivers/block/null_blk/null_blk.ko"
		# Lockdown: the module signed with the kernel's own key, beside an
		# unsigned copy that must be refused; and a boot without debugfs.
		mkdir -p "$build/signed"
		cp "$build/waitscope.ko" "$build/waitscope-unsigned.ko"
		cp "$build/waitscope.ko" "$build/signed/waitscope.ko"
		if "$debug_tree/scripts/sign-file" sha256 "$debug_tree/certs/signing_key.pem" \
			"$debug_tree/certs/signing_key.x509" "$build/signed/waitscope.ko"; then
			pass "debug: the module is signed with the debug kernel's key"
			WS_CMDLINE=lockdown=integrity queue_boot debug-lockdown \
				"$debug_tree/arch/x86/boot/bzImage" lockdown \
				"$build/signed/waitscope.ko" "$build/waitscope-unsigned.ko" "$cli/waitscope"
		else
			fail "debug: the module is signed with the debug kernel's key"
		fi
		# The stress suites in a boot of their own: 100 load/unload cycles
		# take 5-6 minutes on this kernel.
		queue_boot debug-stress "$debug_tree/arch/x86/boot/bzImage" "hostile lifecycle kmemleak" \
			"$build/waitscope.ko" "$out/hostile" "$cli/waitscope" "$out/scenario" "$out/stress"
		WS_CMDLINE=debugfs=off queue_boot debug-nodebugfs "$debug_tree/arch/x86/boot/bzImage" \
			lockdown "$build/waitscope.ko" "$cli/waitscope"
	else
		fail "debug: module build"
		tail -30 "$out/build-debug.log" | sed 's/^/    /'
	fi
fi

run_boots

# ---- make demo, quick: what a newcomer sees ----
if wanted demo || [ -z "${WS_KERNELS:-}" ]; then
	if WS_DEMO_QUICK=1 "$top/tests/demo.sh" > "$out/demo.log" 2>&1; then
		pass "make demo runs and exits 0"
		for k in stuck lock-contention starving hidden-blocking; do
			t "make demo shows the $k finding" grep -q "\[$k\]" "$out/demo.log"
		done
		t "make demo shows status, top and hist" sh -c "
			grep -q 'tracing:  enabled' '$out/demo.log' && grep -q '^waitscope top' '$out/demo.log' &&
			grep -q 'usecs' '$out/demo.log'"
	else
		fail "make demo runs and exits 0"
		tail -20 "$out/demo.log" | sed 's/^/    /'
	fi
fi

finish
