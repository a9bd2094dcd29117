#!/bin/sh
# Install what the VM rig needs from Debian's packages (root only); otherwise
# name exactly what is missing.  Idempotent: installs only what is absent.
#   deps.sh [--bench]    --bench: also the tools make bench compares against
set -eu

PKGS="qemu-system-x86 busybox-static cpio gzip xz-utils kmod
linux-image-amd64 linux-headers-amd64
linux-image-6.12-amd64 linux-headers-6.12-amd64
linux-image-6.12-rt-amd64 linux-headers-6.12-rt-amd64
linux-source-6.12 bc bison flex libelf-dev libssl-dev
sparse dkms prometheus clang python3 lintian groff xz-utils libc6-dbg"
[ "${1:-}" = --bench ] && PKGS="$PKGS bpftrace linux-perf"

missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" != 0 ]; then
	echo "waitscope rig: missing Debian packages:$missing" >&2
	echo "  install them with: sudo apt-get install$missing" >&2
	exit 1
fi
echo "waitscope rig: installing$missing" >&2
export DEBIAN_FRONTEND=noninteractive
# In a container nothing boots from /boot: the guests boot our own busybox
# initramfs, so INITRD=No skips update-initramfs, which took 70-85 s per
# kernel, two thirds of a fresh install here.  On a real host the kernels
# keep their initramfs: the new default kernel must stay bootable.
if systemd-detect-virt -cq 2> /dev/null || [ -e /.dockerenv ] || [ -e /run/.containerenv ]; then
	export INITRD=No
fi
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
