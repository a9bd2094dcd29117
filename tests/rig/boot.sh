#!/bin/sh
# Boot one kernel in qemu (TCG, 2 CPUs) with a hard timeout:
#   boot.sh VMLINUZ INITRD OUTDIR TIMEOUT_S [EXTRA_CMDLINE]
# Writes OUTDIR/console.log (ttyS0) and OUTDIR/results.log (ttyS1).
# Exit: 0 the guest finished, 1 it did not (timeout, panic, no end marker).
set -eu

vmlinuz=$1 initrd=$2 outdir=$3 limit=$4 extra=${5:-}
mkdir -p "$outdir"
: > "$outdir/console.log"
: > "$outdir/results.log"

# Single-threaded TCG by default: with one host thread per vCPU (MTTCG),
# a vCPU can run stale translated code while another patches kernel text,
# and the kernel's int3-based patching (static keys flipped when tracepoints
# are attached) then dies with "Oops: int3" (seen once in ~15 boots of
# 6.12-rt).  Single-threaded TCG has no such race and is steadier to
# measure; it costs about a quarter more time.  WS_TCG overrides.
# la57=off: with 5-level paging, 6.12's KASAN can misjudge an address in
# an interrupt that lands while identify_cpu() has cleared the boot CPU's
# feature bits (pgtable_l5_enabled() reads X86_FEATURE_LA57): "KASAN:
# wild-memory-access in do_raw_spin_lock" at boot, before any module, in
# about one debug boot of ten.  Production x86 is mostly 4-level anyway.
# shellcheck disable=SC2086
timeout --kill-after=10 "$limit" qemu-system-x86_64 \
	-accel "${WS_TCG:-tcg,thread=single}" -cpu max,la57=off -smp 2 -m "${WS_VM_MEM:-1024}" \
	-kernel "$vmlinuz" -initrd "$initrd" \
	-append "console=ttyS0 panic=-1 oops=panic schedstats=enable nokaslr $extra" \
	-display none -monitor none -no-reboot \
	-serial "file:$outdir/console.log" -serial "file:$outdir/results.log" \
	</dev/null >"$outdir/qemu.log" 2>&1 || true

if ! grep -q '^WS-END' "$outdir/results.log"; then
	echo "boot: the guest did not finish within ${limit}s (see $outdir/console.log)" >&2
	exit 1
fi
