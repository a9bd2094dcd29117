#!/bin/sh
# Build a gzip'd cpio initramfs for the test VM:
#   initramfs.sh OUT.cpio.gz "SUITE..." FILE...
# It holds busybox, /init, the guest test scripts (tests/guest/*.sh) and the
# given files (modules, programs) in /opt/ws/.  /init runs each
# /tests/SUITE.sh in turn, reports on the second serial port, and powers off.
# WS_INITRAMFS_BINS="/usr/bin/x ..." adds dynamically linked programs of
# this host, at their own paths, with every library ldd names.
set -eu

out=$1 suite=$2
shift 2
here=$(cd "$(dirname "$0")/.." && pwd)
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT

mkdir -p "$root/bin" "$root/proc" "$root/sys" "$root/dev" "$root/tmp" \
	"$root/tests" "$root/opt/ws" "$root/etc"
cp /bin/busybox "$root/bin/busybox"
for f in "$here"/guest/*.sh; do cp "$f" "$root/tests/"; done
for f in "$@"; do cp "$f" "$root/opt/ws/"; done
for b in ${WS_INITRAMFS_BINS:-}; do
	for f in "$b" $(ldd "$b" | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }'); do
		mkdir -p "$root$(dirname "$f")"
		cp -L "$f" "$root$f"
	done
done
echo "root:x:0:0:root:/:/bin/sh" > "$root/etc/passwd"
echo "nobody:x:65534:65534:nobody:/:/bin/sh" >> "$root/etc/passwd"
echo "root:x:0:" > "$root/etc/group"
echo "nogroup:x:65534:" >> "$root/etc/group"

cat > "$root/init" <<INIT
#!/bin/busybox sh
/bin/busybox --install -s /bin
export PATH=/bin:/opt/ws
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
mount -t tmpfs tmp /tmp
mount -t debugfs none /sys/kernel/debug 2>/dev/null
mount -t tracefs none /sys/kernel/tracing 2>/dev/null
# Kernel messages above warning level stay on the console; results go to ttyS1.
dmesg -n 5
cd /tmp
for s in $suite; do
	echo "WS-SUITE \$s" > /dev/ttyS1
	t0=\$(cut -d' ' -f1 /proc/uptime)
	sh /tests/\$s.sh > /dev/ttyS1 2>&1
	echo "# suite \$s took \$(awk -v t0=\$t0 '{ printf "%.1f", \$1 - t0 }' /proc/uptime) s" > /dev/ttyS1
done
echo "WS-DMESG-BEGIN" > /dev/ttyS1
dmesg > /dev/ttyS1
echo "WS-DMESG-END" > /dev/ttyS1
echo "WS-END" > /dev/ttyS1
sync
poweroff -f
INIT
chmod +x "$root/init"
# mktemp made the root 0700: the unprivileged-user tests need to get in.
chmod 755 "$root" "$root"/bin "$root"/opt "$root"/opt/ws "$root"/tests "$root"/etc
chmod 1777 "$root/tmp"
(cd "$root" && find . | cpio -o -H newc --quiet -R 0:0) | gzip -1 > "$out"
