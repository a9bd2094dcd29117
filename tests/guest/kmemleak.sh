# After the module suite has loaded and unloaded the module: no leak.
. /tests/lib.sh

KM=/sys/kernel/debug/kmemleak
if [ -w $KM ]; then
	echo scan > $KM
	sleep 1
	echo scan > $KM
	check "kmemleak: no leak after load, use and unload" sh -c "! grep -q unreferenced $KM"
	grep -A12 unreferenced $KM | head -40 | sed 's/^/# /'
else
	notok "kmemleak: $KM not available"
fi
