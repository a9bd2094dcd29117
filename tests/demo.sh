#!/bin/sh
# make demo: install what is missing (root), build the module for Debian's
# 6.12 kernel (or the newest one installed), the CLI and the scenario
# programs, boot it in qemu and show status, report, top and hist on four
# programs with planted problems.  WS_DEMO_QUICK=1 shortens the waits.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
rig=$top/tests/rig
out=$top/build/demo
mkdir -p "$out"
"$rig/deps.sh"
set -- $("$rig/kernels.sh" 6.12)
[ $# = 3 ] || set -- $("$rig/kernels.sh" | tail -n 1)
[ $# = 3 ] || { echo "demo: no kernel with headers installed (run as root to install)" >&2; exit 1; }
label=$1 vmlinuz=$2 kdir=$3
echo "demo: building waitscope for Debian's $label kernel ..." >&2
"$rig/build-module.sh" "$kdir" "$out/module" > "$out/build.log" 2>&1 || { cat "$out/build.log" >&2; exit 1; }
make -s -C "$top/userspace" >/dev/null
gcc -static -O2 -std=c11 -D_GNU_SOURCE -o "$out/waitscope" "$top"/userspace/*.c
gcc -static -O2 -pthread -o "$out/scenario" "$top/tests/scenarios/scenario.c"
"$rig/initramfs.sh" "$out/initrd.cpio.gz" demo "$out/module/waitscope.ko" "$out/waitscope" "$out/scenario"
echo "demo: booting $label in qemu (TCG, 2 CPUs; about a minute) ..." >&2
extra=
[ "${WS_DEMO_QUICK:-0}" = 1 ] && extra=ws.quick
"$rig/boot.sh" "$vmlinuz" "$out/initrd.cpio.gz" "$out/vm" 300 "$extra" ||
	{ tail -20 "$out/vm/console.log" >&2; exit 1; }
sed -e 's/\r$//' -e '/^WS-DMESG-BEGIN/,$d' -e '/^WS-SUITE/d' "$out/vm/results.log"
if "$rig/splats.sh" "$out/vm/console.log" > /dev/null; then :; else
	echo "demo: the kernel reported a problem, see $out/vm/console.log" >&2
	exit 1
fi
