#!/bin/sh
# One guest run: build its initramfs and boot it (results tallied later).
#   run-boot.sh OUTDIR VMLINUZ TIMEOUT "SUITES" "EXTRA_CMDLINE" FILE...
set -u
dir=$1 vmlinuz=$2 limit=$3 suites=$4 extra=$5
shift 5
rig=$(cd "$(dirname "$0")" && pwd)
rm -rf "$dir"
mkdir -p "$dir"
if ! "$rig/initramfs.sh" "$dir/initrd.cpio.gz" "$suites" "$@" 2> "$dir/initramfs.log"; then
	echo "initramfs failed" > "$dir/initramfs.failed"
	exit 0
fi
"$rig/boot.sh" "$vmlinuz" "$dir/initrd.cpio.gz" "$dir" "$limit" "$extra" 2> "$dir/boot.log" || true
