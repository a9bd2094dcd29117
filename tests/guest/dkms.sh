# The module DKMS built (tests/pkg.sh) loads, traces and unloads.
. /tests/lib.sh
ko=$(ls /opt/ws/dkms-*.ko)
check "dkms: the module DKMS built loads" insmod "$ko"
sleep 1
check "dkms: it traces (6/6 probes, switches counted)" sh -c "
	[ \"\$(awk '\$1 == \"probes_attached\" { print \$2 }' $D/stats)\" = 6/6 ] &&
	[ \"\$(awk '\$1 == \"events_sched_switch\" { print \$2 }' $D/stats)\" -gt 0 ]"
check "dkms: it unloads" rmmod waitscope
