#!/bin/sh
# Print every kernel report in a console log or dmesg dump: warnings, BUGs,
# oopses, lockdep, KASAN, kmemleak, atomic-sleep and RCU-stall reports.
# Exit 0 when there is none, 1 otherwise.
set -eu
pattern='WARNING:|BUG:|Oops|Kernel panic|KASAN|kmemleak: .*(leak|unreferenced)|unreferenced object|lockdep is turned off|DEBUG_LOCKS_WARN_ON|possible circular locking|possible recursive locking|inconsistent lock state|sleeping function called from invalid context|scheduling while atomic|rcu.*self-detected stall|rcu_preempt detected stalls|blocked for more than|general protection fault|UBSAN'
# Lines every debug kernel prints at boot, naming a checker without a report.
benign='kmemleak: Kernel memory leak detector initialized|kmemleak: Automatic memory scanning thread started|KASAN: .*(initialized|enabled|mode)'
if grep -aE "$pattern" "$@" | grep -avE "$benign"; then
	exit 1
fi
exit 0
