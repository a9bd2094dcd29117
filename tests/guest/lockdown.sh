# Hosts that restrict what the module may expose: booted with
# lockdown=integrity (the module signed with the debug kernel's own key), or
# with debugfs=off.  Either way the module loads, the module parameters
# control it, and it unloads cleanly.
. /tests/lib.sh

P=/sys/module/waitscope/parameters

param_fallback() {
	echo 0 > $P/enabled
	check "$1: enabled=0 through the module parameter" [ "$(cat $P/enabled)" = N ]
	echo 1 > $P/enabled
	check "$1: enabled=1 through the module parameter" [ "$(cat $P/enabled)" = Y ]
	check "$1: a bad parameter write is refused" sh -c "! echo maybe > $P/enabled 2>/dev/null"
}

lockdown() {
	mount -t securityfs none /sys/kernel/security 2>/dev/null
	note "lockdown: $(cat /sys/kernel/security/lockdown 2>/dev/null)"
	check "lockdown: the kernel is in integrity lockdown" \
		grep -q '\[integrity\]' /sys/kernel/security/lockdown
	dmesg -c > /dev/null
	check "lockdown: the unsigned module is refused" \
		sh -c '! insmod /opt/ws/waitscope-unsigned.ko 2>/dev/null'
	check "lockdown: ... because it is unsigned" \
		sh -c "dmesg | grep -q 'unsigned module loading is restricted'"
	check "lockdown: the signed module loads" insmod /opt/ws/waitscope.ko
	check "lockdown: read-only files read (stats, threads)" sh -c "
		grep -q '^enabled *1' $D/stats && head -n1 $D/threads | grep -q '^# waitscope threads'"
	check "lockdown: control cannot be opened for writing (EPERM)" \
		sh -c "! (echo disable > $D/control) 2>/dev/null"
	check "lockdown: ... and the state is unchanged" sh -c "grep -q '^enabled *1' $D/stats"
	waitscope disable > /tmp/cli.out 2>&1
	rc=$?
	check "lockdown: waitscope disable fails and points at the parameters" sh -c "
		[ $rc != 0 ] && grep -q 'parameters' /tmp/cli.out"
	sed 's/^/# /' /tmp/cli.out
	param_fallback lockdown
	check "lockdown: waitscope status reads" sh -c "waitscope status > /dev/null"
	check "lockdown: rmmod" rmmod waitscope
}

nodebugfs() {
	dmesg -c > /dev/null
	check "debugfs=off: the module loads" insmod /opt/ws/waitscope.ko
	check "debugfs=off: dmesg says there is no debugfs interface" \
		sh -c "dmesg | grep -q 'waitscope: no debugfs interface'"
	check "debugfs=off: no waitscope directory" [ ! -e $D ]
	check "debugfs=off: tracing is on (the parameter reads Y)" [ "$(cat $P/enabled)" = Y ]
	param_fallback debugfs=off
	waitscope status > /tmp/cli.out 2>&1
	rc=$?
	check "debugfs=off: waitscope status exits 2 with one line" sh -c "
		[ $rc = 2 ] && [ \$(wc -l < /tmp/cli.out) = 1 ]"
	sed 's/^/# /' /tmp/cli.out
	check "debugfs=off: rmmod" rmmod waitscope
}

case $(cat /proc/cmdline) in
*lockdown=integrity*) lockdown ;;
*debugfs=off*) nodebugfs ;;
*) notok "lockdown suite: booted with neither lockdown=integrity nor debugfs=off" ;;
esac
