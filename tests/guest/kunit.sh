# The KUnit suites: load the test module, relay the KTAP of every suite.
. /tests/lib.sh

K=/sys/kernel/debug/kunit
check "insmod waitscope_kunit.ko" insmod /opt/ws/waitscope_kunit.ko
echo "WS-KTAP-BEGIN"
for s in waitscope_classify waitscope_table waitscope_control; do
	if [ -f $K/$s/results ]; then
		cat $K/$s/results
	else
		echo "    not ok 1 $s: no results in debugfs"
	fi
done
echo "WS-KTAP-END"
check "rmmod waitscope_kunit" rmmod waitscope_kunit
