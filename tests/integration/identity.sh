#!/bin/bash
# Identity: detach knows its daemon by pid + start time (the record
# beside the pidfile), not only by who holds the lock, and stop leaves
# nothing of the service behind.
. "${srcdir:-$(dirname "$0")/../..}/tests/lib.sh"

# pids_in FILE: the pids a helper wrote, one per line
pids_in() {
	wait_file "$1" && cat "$1"
}

# --- 1. a child inherits the lock: sh -c 'helper & exec server'
f=$T/inherit.pid
"$DETACH" start -p "$f" -- sh -c \
    "sleep 300 & echo \$! >'$T/inherit.helper'; exec sleep 300"
main=$(pid_of "$f")
helper=$(pids_in "$T/inherit.helper")
track "$main" "$helper"
expect 0 "lock inherited by a helper: stop exits 0" "$DETACH" stop -p "$f"
check "... the daemon ($main) and the helper ($helper) are gone" \
    all_gone "$main" "$helper"
check "... the pidfile and its record are gone" \
    test ! -e "$f" -a ! -e "$f.state"
expect 0 "... and the next start works" "$DETACH" start -p "$f" -- sleep 300
track "$(pid_of "$f")"
"$DETACH" stop -p "$f"

# --main-only leaves the helpers be
"$DETACH" start -p "$f" -- sh -c \
    "sleep 300 & echo \$! >'$T/main-only.helper'; exec sleep 300"
main=$(pid_of "$f")
helper=$(pids_in "$T/main-only.helper")
track "$main" "$helper"
expect 0 "stop --main-only exits 0" "$DETACH" stop --main-only -p "$f"
check "... the daemon is gone, its helper ($helper) lives" \
    eval 'wait_gone "$main" && alive "$helper"'
expect 1 "... status: the daemon is gone, its session lives (1)" \
    "$DETACH" status -p "$f"
check "... naming the helper" grep -q "pid $helper of its session" "$T/out"
expect 1 "... start refuses to run beside it" "$DETACH" start -p "$f" -- \
    sleep 300
expect 0 "... a plain stop stops what is left" "$DETACH" stop -p "$f"
check "... the helper is gone, and so is the pidfile" \
    eval 'wait_gone "$helper" && test ! -e "$f"'

# --- 1b. a daemon that makes a session of its own once it runs (nginx's
# master does, after detach recorded it) and leaves its workers there
own_session() {
	f=$T/own.pid
	rm -f "$T/own.workers"
	"$DETACH" start -p "$f" -- setsid sh -c "sleep 300 & a=\$!;
	    sleep 300 & echo \$a \$! >'$T/own.tmp'; mv '$T/own.tmp' \
	    '$T/own.workers'; wait"
	main=$(pid_of "$f")
	workers=$(pids_in "$T/own.workers")
	track "$main" $workers
}
own_session
check "a daemon in a session of its own: it leads it ($main)" \
    test "$(ps -o sid= -p "$main" | tr -d ' ')" = "$main"
kill -9 "$main"
wait_gone "$main"
expect 1 "... killed, its workers live on: status exits 1" \
    "$DETACH" status -p "$f"
check "... naming them ($(echo $workers))" \
    grep -q "pids $(echo $workers | sed 's/ /, /') of its session" "$T/out"
expect 1 "... start refuses to run beside them" "$DETACH" start -p "$f" -- \
    sleep 300
expect 0 "... stop stops them" "$DETACH" stop -p "$f"
check "... they are gone" all_gone $workers
check "... the pidfile and its record are gone" nothing_left "$f"
own_session
expect 0 "stop -s KILL of a daemon in a session of its own exits 0" \
    "$DETACH" stop -s KILL -p "$f"
check "... it and its workers ($(echo $workers)) are gone" \
    all_gone "$main" $workers
check "... the pidfile and its record are gone" nothing_left "$f"

# --- 2, 3. a daemon that closes every inherited descriptor loses the lock
f=$T/closer.pid
closer='use POSIX; POSIX::close($_) for 3..1023;
    $SIG{USR1} = sub { open(my $o, ">>", "'"$T"'/closer.usr1");
	print $o "usr1\n"; close $o };
    open(my $r, ">", "'"$T"'/closer.ready"); close $r; sleep 1 while 1'
"$DETACH" start -p "$f" -- perl -e "$closer"
pid=$(pid_of "$f")
track "$pid"
wait_file "$T/closer.ready"
check "it closed the pidfile: nobody holds the lock" eval '! locked "$f"'
expect 0 "status: running (0)" "$DETACH" status -p "$f"
check "... with its pid" grep -q "pid $pid" "$T/out"
expect 1 "a second start exits 1" "$DETACH" start -p "$f" -- sleep 300
check "... saying it is already running" grep -q "already running" "$T/err"
check "... and the pidfile still names it" test "$(pid_of "$f")" = "$pid"
expect 0 "signal USR1 reaches it" "$DETACH" signal -p "$f" USR1
check "... it got USR1" wait_file "$T/closer.usr1"
expect 0 "stop exits 0" "$DETACH" stop -p "$f"
check "... it is gone, and so are the pidfile and record" \
    eval 'wait_gone "$pid" && test ! -e "$f" -a ! -e "$f.state"'

# --- 4. a failed start leaves nothing running
for how in "--wait=2" "--wait-ready=0.5" "--ready-fd=5"; do
	f=$T/fail.pid
	rm -f "$T/fail.helpers"
	case $how in
	--wait=2) cmd="sleep 300 & echo \$! >>'$T/fail.helpers';
	    (setsid sleep 300 & echo \$! >>'$T/fail.helpers');
	    sleep 0.1; exit 1" ;;
	*) cmd="sleep 300 & echo \$! >>'$T/fail.helpers';
	    (setsid sleep 300 & echo \$! >>'$T/fail.helpers');
	    exec sleep 300" ;;
	esac
	expect 3 "start $how of a command that forks and fails exits 3" \
	    "$DETACH" start -p "$f" -t 1 "$how" -- sh -c "$cmd"
	helpers=$(cat "$T/fail.helpers" 2>/dev/null)
	track $helpers
	check "... it forked two helpers ($(echo $helpers))" \
	    test "$(echo $helpers | wc -w)" = 2
	check "... both are gone, even the one in a session of its own" \
	    all_gone $helpers
	check "... no pidfile, no record" test ! -e "$f" -a ! -e "$f.state"
done

# --- stale records: the pid lives, but it is not the daemon recorded
sleep 300 &
sentinel=$!
disown
track "$sentinel"
f=$T/forged.pid
"$DETACH" start -p "$f" -- sleep 300
pid=$(pid_of "$f")
track "$pid"
kill -9 "$pid"
wait_gone "$pid"
echo "$sentinel" >"$f"
# the daemon's start time, unless both started within one clock tick:
# then one tick later, so that it is never the sentinel's
st=$(sed 's/.*) //' "/proc/$sentinel/stat" | cut -d' ' -f20)
old=$(sed -n 's/^start //p' "$f.state")
[ "$old" = "$st" ] && old=$((st + 1))
sed -i "s/^pid .*/pid $sentinel/; s/^start .*/start $old/" "$f.state"
expect 1 "a record whose start time is not the live pid's: status 1" \
    "$DETACH" status -p "$f"
expect 1 "... stop exits 1" "$DETACH" stop -s KILL -p "$f"
check "... naming the pid" grep -q "pid $sentinel" "$T/err"
expect 1 "... signal exits 1" "$DETACH" signal -p "$f" KILL
check "... the live pid was not signalled" alive "$sentinel"
expect 0 "... start replaces the stale pidfile" \
    "$DETACH" start -p "$f" -- sleep 300
pid=$(pid_of "$f")
track "$pid"
check "... with the new daemon ($pid)" \
    eval 'test "$pid" != "$sentinel" && alive "$pid"'

# another boot's record
sed -i 's/^boot .*/boot 00000000-0000-0000-0000-000000000000/' "$f.state"
expect 1 "a record from another boot: status 1" "$DETACH" status -p "$f"
expect 1 "... stop exits 1, signalling nothing" "$DETACH" stop -s KILL -p "$f"
check "... the process lives" alive "$pid"
kill -9 "$pid"
wait_gone "$pid"

# a record detach cannot read: nothing is signalled, exit 3 (status 4)
"$DETACH" start -p "$f" -- sleep 300
pid=$(pid_of "$f")
track "$pid"
echo garbage >"$f.state"
expect 4 "an unreadable record: status 4" "$DETACH" status -p "$f"
expect 3 "... stop exits 3" "$DETACH" stop -s KILL -p "$f"
check "... saying why" grep -q "cannot read the record" "$T/err"
expect 3 "... signal exits 3" "$DETACH" signal -p "$f" KILL
expect 3 "... start exits 3" "$DETACH" start -p "$f" -- sleep 300
check "... the daemon lives" alive "$pid"
if [ "$(id -u)" = 0 ] && id nobody >/dev/null 2>&1; then
	"$DETACH" start -p "$T/theirs.pid" -- sleep 300 2>/dev/null
	kill -9 "$(pid_of "$T/theirs.pid")"
	wait_gone "$(pid_of "$T/theirs.pid")"
	sed "s/^pid .*/pid $sentinel/" "$f.state" >/dev/null
	echo "$sentinel" >"$T/theirs.pid"
	printf 'pid %s\nstart %s\nboot -\nsession 0\nsupervisor 0\nchild 0\nrestarts 0\nlast_status -1\nreopened 0\nreopen_err 0\n' \
	    "$sentinel" "$(awk '{ print $22 }' /proc/"$sentinel"/stat)" \
	    >"$T/theirs.pid.state"
	chown nobody "$T/theirs.pid.state"
	expect 4 "a record another user wrote, naming a live pid: status 4" \
	    "$DETACH" status -p "$T/theirs.pid"
	expect 3 "... stop exits 3" "$DETACH" stop -s KILL -p "$T/theirs.pid"
	check "... the pid it names lives" alive "$sentinel"
else
	for d in "status 4" "stop exits 3" "the pid it names lives"; do
		skip "a record another user wrote: $d (needs root and nobody)"
	done
fi
rm -f "$f.state"
kill -9 "$pid"

# --- 8. signal racing start --supervise reaches the child, never the
# supervisor: STOP, sent while start still runs, must stop the child.
# A PATH of 40000 missing directories makes the child's execvp() slow,
# which widens the time between the supervisor's start and its child's.
SLOW_PATH=$(printf '/x%.0s:' $(seq 40000))$PATH
state_of() {
	awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null
}
f=$T/race.pid
hit_sup=0 missed=0
for i in 1 2 3 4 5 6 7 8; do
	# a stopped supervisor never reports: start would wait forever
	timeout 15 "$DETACH" start --supervise -p "$f" -E "PATH=$SLOW_PATH" \
	    -- sleep 300 &
	st=$!
	"$TESTTOOL" waitfile "$f" 10
	"$DETACH" signal -p "$f" STOP 2>>"$T/race.err"
	wait "$st" || hit_sup=$((hit_sup + 1))
	sup=$(pid_of "$f")
	child=$(sed -n 's/^child //p' "$f.state")
	track "$sup" "$child"
	[ "$(state_of "$sup")" = T ] && hit_sup=$((hit_sup + 1))
	end=$(($(now_ms) + 5000))
	until [ "$(state_of "$child")" = T ] || [ "$(now_ms)" -gt "$end" ]; do
		:
	done
	[ "$(state_of "$child")" = T ] || missed=$((missed + 1))
	kill -CONT "$sup" "$child" 2>/dev/null
	"$DETACH" stop -p "$f"
done
check "signal while start --supervise runs never hit the supervisor ($hit_sup)" \
    test "$hit_sup" = 0
check "... and each reached the child ($missed missed)" test "$missed" = 0

# six parallel restart --supervise, five rounds: one supervisor and one
# child after each, none after stop
f=$T/par.pid
marker=3001.$$
# the children running sleep $marker, and their parents, in $kids/$sups
count() {
	local p c
	kids=0 sups=""
	for p in /proc/[0-9]*; do
		c=$(tr '\0' ' ' <"$p/cmdline" 2>/dev/null) || continue
		[ "$c" = "sleep $marker " ] || continue
		kids=$((kids + 1))
		sups="$sups $(awk '{ print $4 }' "$p/stat" 2>/dev/null)"
	done
	sups=$(echo $sups | tr ' ' '\n' | sort -u | wc -w)
}
bad=""
"$DETACH" start --supervise -p "$f" -- sleep "$marker"
track "$(pid_of "$f")"
for round in 1 2 3 4 5; do
	for i in 1 2 3 4 5 6; do
		"$DETACH" restart --supervise -p "$f" -R TERM/2/KILL/2 -- \
		    sleep "$marker" >/dev/null 2>&1 &
		rp[i]=$!
	done
	for i in 1 2 3 4 5 6; do wait "${rp[i]}"; done
	track "$(pid_of "$f")"
	count
	[ "$kids" = 1 ] && [ "$sups" = 1 ] || bad="$bad round$round:$kids/$sups"
done
check "six parallel restarts, five times: one supervisor, one child (${bad:-ok})" \
    test -z "$bad"
"$DETACH" stop -p "$f"
count
check "... and stop leaves no child ($kids)" test "$kids" = 0

plan "$TAP_N"
done_testing
