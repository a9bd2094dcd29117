#!/bin/sh
# make soak: one long boot (default: Debian's 6.1; WS_SOAK_KERNEL=6.12-rt,
# debug and so on) running tests/guest/lifecycle.sh with 100 load/unload cycles
# under load (WS_SOAK_CYCLES), then tests/guest/soak.sh: 50,000 parked
# threads and both CPUs switching for 5 minutes with the module loaded, and
# a 1 ms sleeper's wakeup latency with and without it.  Prints the guest's numbers and
# "N passed, N failed"; a kernel warning or splat fails it.
#   WS_SOAK_THREADS=50000 WS_SOAK_MINUTES=5 tests/soak.sh
# WS_SOAK_AB="off off" makes the latency A/B an A/A run, to see how much
# the measurement moves with nothing changed.
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
rig=$top/tests/rig
out=$top/tests/out/soak
label=${WS_SOAK_KERNEL:-6.1}
case ${WS_SOAK_AB:-off on} in
"off on" | "off off" | "on on" | "on off") ;;
*) echo "soak: WS_SOAK_AB is two of off and on (\"off on\", \"off off\"), not \"$WS_SOAK_AB\"" >&2; exit 2 ;;
esac
mkdir -p "$out"
"$rig/deps.sh"
if [ "$label" = debug ]; then
	kdir=$("$rig/debug-kernel.sh")
	vmlinuz=$kdir/arch/x86/boot/bzImage
else
	line=$("$rig/kernels.sh" "$label")
	[ -n "$line" ] || { echo "soak: no installed kernel labelled $label" >&2; exit 1; }
	set -- $line
	vmlinuz=$2 kdir=$3
fi
"$rig/build-module.sh" "$kdir" "$out/build" > "$out/build.log" 2>&1 ||
	{ tail -20 "$out/build.log" >&2; exit 1; }
for prog in bench/wsbench stress/stress stress/hostile scenarios/scenario; do
	gcc -static -O2 -Wall -Wextra -Werror -pthread -o "$out/${prog#*/}" "$top/tests/$prog.c"
done
printf 'THREADS=%s\nMINUTES=%s\nAB_ARMS="%s"\n' "${WS_SOAK_THREADS:-50000}" \
	"${WS_SOAK_MINUTES:-5}" "${WS_SOAK_AB:-off on}" > "$out/soak.conf"
echo "soak: booting $label with ${WS_SOAK_THREADS:-50000} threads for ${WS_SOAK_MINUTES:-5} minutes" >&2
start=$(date +%s)
WS_VM_MEM=${WS_VM_MEM:-4096} "$rig/run-boot.sh" "$out/vm" "$vmlinuz" 3600 "lifecycle soak" \
	"ws.lifecycle_cycles=${WS_SOAK_CYCLES:-100}" "$out/build/waitscope.ko" "$out/wsbench" \
	"$out/stress" "$out/hostile" "$out/scenario" "$out/soak.conf"
echo "soak: guest ran $(( $(date +%s) - start ))s" >&2
log=$out/vm/results.log
sed -n '/^WS-SUITE/,/^WS-DMESG-BEGIN/p' "$log" | grep -v '^WS-'
sed -n '/^WS-DMESG-BEGIN/,/^WS-DMESG-END/p' "$log" > "$out/vm/dmesg.log"
pass=$(grep -c '^ok - ' "$log" || true)
fail=$(grep -c '^not ok - ' "$log" || true)
if ! grep -q '^WS-END' "$log"; then
	echo "not ok - soak: the guest did not finish (see $out/vm/console.log)"
	fail=$((fail + 1))
fi
if ! "$rig/splats.sh" "$out/vm/console.log" "$out/vm/dmesg.log" > "$out/splats.log"; then
	echo "not ok - soak: kernel reports in the console log"
	head -20 "$out/splats.log"
	fail=$((fail + 1))
fi
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
