#!/bin/bash
# --forking and --follow-pidfile with commands that daemonize themselves
# (shell and perl stand-ins; the real programs are in legacy-*.sh): the
# daemon is adopted, verified, and every bad case exits 3 leaving
# nothing behind.
. "${srcdir:-$(dirname "$0")/../..}/tests/lib.sh"

plan 64

# A perl program that forks, lets its parent exit 0, and in the child
# calls setsid, counts HUPs in $T/hup, announces itself in $READY and
# writes its pid to $OWN if set.
FORKER='if (fork) { exit 0 } require POSIX; POSIX::setsid();
    $SIG{HUP} = sub { open(my $h, ">>", "'"$T"'/hup"); print $h "hup\n";
    close $h };
    if ($ENV{OWN}) { open(my $o, ">", $ENV{OWN}); print $o "$$\n";
    close $o }
    if ($ENV{READY}) { open(my $r, ">", $ENV{READY}); close $r }
    sleep 1 while 1;'

# --- 1. --forking: the one survivor is adopted
f=$T/a.pid
expect 0 "--forking: start exits 0" "$DETACH" start -p "$f" --forking \
    -E "READY=$T/a.ready" -- perl -e "$FORKER"
d=$(pid_of "$f")
track "$d"
wait_file "$T/a.ready" 10 0
check "... the pidfile names the daemon (the forked perl that called setsid)" \
    test "$(ps -o comm= -p "$d")" = perl -a "$(ps -o sid= -p "$d" |
    tr -d ' ')" = "$d"
check "... its record has the daemon's own session" \
    grep -qx "session $d" "$f.state"
expect 0 "... status 0" "$DETACH" status -p "$f"
expect 0 "... signal HUP" "$DETACH" signal -p "$f" HUP
check "... HUP reached the daemon" wait_for_line "$T/hup" hup
expect 1 "... a second start exits 1" "$DETACH" start -p "$f" --forking \
    -- perl -e "$FORKER"
rm -f "$T/a.ready"
expect 0 "... restart exits 0" "$DETACH" restart -p "$f" --forking \
    -E "READY=$T/a.ready" -- perl -e "$FORKER"
d2=$(pid_of "$f")
track "$d2"
check "... the old daemon is gone, the pidfile names the new one ($d2)" \
    eval 'all_gone "$d" && test -n "$d2" && test "$d2" != "$d" &&
    grep -qx "session $d2" "$f.state"'
wait_file "$T/a.ready" 10 0
expect 0 "... status 0" "$DETACH" status -p "$f"
expect 0 "... stop exits 0" "$DETACH" stop -p "$f"
check "... the daemon is gone" all_gone "$d2"
check "... pidfile and record are gone" nothing_left "$f"

# --- 2. the command fails: exit 3, what it forked is stopped
f=$T/fail.pid
expect 3 "--forking, the command exits 1: start exits 3" "$DETACH" start \
    -p "$f" --forking -- sh -c "sleep 300 & echo \$! >'$T/fail.kid'; exit 1"
check "... the message gives its status" grep -q 'exited with status 1' \
    "$T/err"
kid=$(cat "$T/fail.kid")
track "$kid"
check "... what it forked ($kid) is stopped" all_gone "$kid"
check "... no pidfile, no record" nothing_left "$f"

# --- 3. it exits 0 but leaves nothing
expect 3 "--forking, nothing left: start exits 3" "$DETACH" start -p "$f" \
    --forking -- true
check "... says so" grep -q 'left no process running' "$T/err"
check "... no pidfile, no record" nothing_left "$f"
# A command that exits before start looks at it is not 'exited at once':
# exiting is its job.  A hundred tries meet that race a few times.
: >"$T/err100"
i=0
while [ $i -lt 100 ]; do
	"$DETACH" start -p "$f" --forking -- true 2>>"$T/err100"
	i=$((i + 1))
done
check "... a hundred times in a row, each time for that reason" \
    test "$(grep -c 'left no process running' "$T/err100")" = 100

# --- 4. it leaves two: which one is the daemon?
expect 3 "--forking, two survivors: start exits 3" "$DETACH" start -p "$f" \
    --forking -- sh -c "sleep 300 & echo \$! >'$T/two'; sleep 300 &
    echo \$! >>'$T/two'; exit 0"
read -r k1 k2 < <(tr '\n' ' ' <"$T/two")
track "$k1" "$k2"
check "... both are named" grep -q "pids .*$k1.*$k2\|pids .*$k2.*$k1" \
    "$T/err"
check "... both are stopped" all_gone "$k1" "$k2"
check "... no pidfile, no record" nothing_left "$f"

# --- 5. a double fork: the middle process exits after the command did
f=$T/double.pid
expect 0 "--forking, a double fork: start exits 0" "$DETACH" start -p "$f" \
    --forking -- perl -e 'if (fork) { exit 0 } select(undef, undef, undef,
    0.01); if (fork) { exit 0 } open(my $o, ">", "'"$T"'/double.own");
    print $o "$$\n"; close $o; sleep 1 while 1'
wait_file "$T/double.own"
check "... the grandchild is adopted" test "$(pid_of "$f")" = \
    "$(tr -dc 0-9 <"$T/double.own")"
track "$(pid_of "$f")"
expect 0 "... stop exits 0" "$DETACH" stop -p "$f"

# --- 6. a command that does not fork: --ready-timeout
f=$T/fg.pid
expect 3 "--forking, the command stays: start exits 3 after the timeout" \
    "$DETACH" start -p "$f" --forking --ready-timeout=0.3 -- sleep 300
check "... says it did not exit" grep -q 'did not exit' "$T/err"
check "... no pidfile, no record" nothing_left "$f"

# --- 7. --follow-pidfile names the daemon, and stop removes it
f=$T/fol.pid own=$T/own.pid
expect 0 "--follow-pidfile: start exits 0" "$DETACH" start -p "$f" \
    --follow-pidfile="$own" -E "OWN=$own" -- perl -e "$FORKER"
d=$(pid_of "$f")
track "$d"
check "... detach's pidfile names the pid the program wrote" \
    test "$d" = "$(pid_of "$own")"
check "... the record keeps the program's pidfile" \
    grep -qx "follow $own" "$f.state"
expect 0 "... stop exits 0" "$DETACH" stop -p "$f"
check "... the daemon is gone" all_gone "$d"
check "... the program's pidfile, naming it, is removed" test ! -e "$own"
check "... detach's pidfile and record too" nothing_left "$f"

# --- 8. the program's pidfile is the program's: one naming another pid
# stays, and is never written by detach
expect 0 "--follow-pidfile: start exits 0" "$DETACH" start -p "$f" \
    --follow-pidfile="$own" -E "OWN=$own" -- perl -e "$FORKER"
d=$(pid_of "$f")
track "$d"
echo 99999999 >"$own"
expect 0 "... stop exits 0" "$DETACH" stop -p "$f"
check "... the program's pidfile, now naming another pid, stays" \
    grep -qx 99999999 "$own"
rm -f "$own"

# --- 9. bad pidfiles: garbage, empty, another process's pid, none
sleep 300 &
sentinel=$!
track "$sentinel"
for bad in garbage empty foreign missing; do
	rm -f "$own"
	case $bad in
	garbage) write="echo not-a-pid >'$own'" ;;
	empty) write=": >'$own'" ;;
	foreign) write="echo $sentinel >'$own'" ;;
	missing) write=":" ;;
	esac
	expect 3 "--follow-pidfile, $bad: start exits 3" "$DETACH" start \
	    -p "$f" --follow-pidfile="$own" --ready-timeout=0.5 -- sh -c \
	    "sleep 300 & echo \$! >'$T/bad.kid'; $write; exit 0"
	kid=$(cat "$T/bad.kid")
	track "$kid"
	check "... the daemon it left ($kid) is stopped, no pidfile" \
	    eval 'all_gone "$kid" && nothing_left "$f"'
done
check "... the process a hostile pidfile named survives" alive "$sentinel"
rm -f "$own"

# --- 10. --supervise --forking: adopted, restarted, stopped
f=$T/sv.pid
expect 0 "--supervise --forking: start exits 0" "$DETACH" start -p "$f" \
    --supervise --restart-delay=0.1 --forking -E "READY=$T/sv.ready" \
    -- perl -e "$FORKER"
sup=$(pid_of "$f")
track "$sup"
child=$(awk '$1 == "child" {print $2}' "$f.state")
track "$child"
check "... the supervisor's child is the adopted daemon" \
    test "$(ps -o ppid= -p "$child" | tr -d ' ')" = "$sup" -a \
    "$(ps -o sid= -p "$child" | tr -d ' ')" = "$child"
wait_file "$T/sv.ready" 10 0
rm -f "$T/hup"
expect 0 "... signal HUP" "$DETACH" signal -p "$f" HUP
check "... HUP reached the daemon" wait_for_line "$T/hup" hup
rm -f "$T/sv.ready"
kill -9 "$child"
check "... killed, it is started and adopted again" wait_file "$T/sv.ready" 10 0
# the daemon writes $READY before the supervisor has adopted it: wait
# for the record to name it (it is replaced by rename: nothing to watch)
new_child() {
	local end=$(($(now_ms) + 5000))
	while [ "$(now_ms)" -lt "$end" ]; do
		new=$(awk '$1 == "child" {print $2}' "$f.state" 2>/dev/null)
		[ -n "$new" ] && [ "$new" != 0 ] && [ "$new" != "$child" ] &&
		    return 0
		sleep 0.02
	done
	return 1
}
new_child
track "$new"
check "... as a new daemon ($new, was $child)" \
    test -n "$new" -a "$new" != "$child" -a "$new" != 0
expect 0 "... stop exits 0" "$DETACH" stop -p "$f"
check "... supervisor and daemon are gone" all_gone "$sup" "$new"
check "... no pidfile, no record" nothing_left "$f"

# --- 11. --supervise --forking, the command fails: exit 3, nothing left
expect 3 "--supervise --forking, the command exits 2: start exits 3" \
    "$DETACH" start -p "$f" --supervise --forking -- sh -c "exit 2"
check "... the message reaches the caller" grep -q 'exited with status 2' \
    "$T/err"
check "... no pidfile, no record" nothing_left "$f"

# --- 12. usage
expect 64 "--forking -f without --supervise is a usage error" \
    "$DETACH" start -p "$f" -f --forking -- true
expect 64 "--ready-timeout=0 is a usage error" \
    "$DETACH" start -p "$f" --forking --ready-timeout=0 -- true

done_testing
