. /tests/lib.sh
insmod /opt/ws/waitscope.ko && ok "insmod" || notok "insmod"
for f in stats threads histograms blocked futex control; do
	echo "=== $f"; head -c 3000 $D/$f
done
start_scenario sleeper
cat $D/histograms | grep sleeper
note "bucket $(bucket sleeper sleep 32768)"
tid=$(tcol sleeper tid)
cat /proc/$tid/sched
cat /proc/$tid/schedstat
stop_scenario
rmmod waitscope && ok rmmod || notok rmmod
