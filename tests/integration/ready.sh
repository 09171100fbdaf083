#!/bin/bash
# detach start --wait-ready (sd_notify), --ready-fd and --wait: start
# returns once the service is ready, and fails, leaving nothing behind,
# when it dies first or is not ready in time; the same for the first
# child of --supervise.
. "${srcdir:-$(dirname "$0")/../..}/tests/lib.sh"

plan 69

# notify DELAY MESSAGE: after DELAY seconds, send MESSAGE (newlines
# between KEY=VALUE pairs) to $NOTIFY_SOCKET; "@name" is abstract.
cat >"$T/notify" <<'EOS'
#!/usr/bin/perl
use strict;
use Socket;
my ($delay, $msg) = @ARGV;
select(undef, undef, undef, $delay) if $delay > 0;
my $p = $ENV{NOTIFY_SOCKET} or die "notify: no NOTIFY_SOCKET\n";
$p =~ s/^@/\0/;
socket(my $s, AF_UNIX, SOCK_DGRAM, 0) or die "notify: socket: $!\n";
my $sa = pack_sockaddr_un($p);
# an abstract name must not be padded with NULs
$sa = pack("S a*", AF_UNIX, $p) if $p =~ /^\0/ && length($sa) > 2 + length($p);
send($s, $msg, 0, $sa) or die "notify: send: $!\n";
EOS
chmod 755 "$T/notify"

ROOT=0
[ "$(id -u)" = 0 ] && ROOT=1

# holds PID FILE: PID has FILE open.
holds() {
	local f
	for f in /proc/"$1"/fd/*; do
		[ "$(readlink "$f")" = "$2" ] && return 0
	done
	return 1
}

# running PIDFILE PID: PID runs, the pidfile names it, and it holds the
# pidfile's lock.
running() {
	alive "$2" && test "$(pid_of "$1" 2>/dev/null)" = "$2" && locked "$1" &&
	    holds "$2" "$1"
}

# sv_running PIDFILE SUPERVISOR CHILD
sv_running() {
	running "$1" "$2" && test -n "$3" && alive "$3"
}

# between LOW HIGH VALUE
between() {
	test "$3" -ge "$1" -a "$3" -lt "$2"
}

# timed COMMAND...: run it; the elapsed time goes to $MS.
timed() {
	local t0
	t0=$(now_ms)
	run "$@"
	MS=$(($(now_ms) - t0))
}

# left_nothing PIDFILE PID...: no pidfile, and every PID has exited.
left_nothing() {
	test ! -e "$1" || return 1
	shift
	all_gone_within 0 "$@"
}

# --- sd_notify
timed "$DETACH" start -p "$T/a.pid" --wait-ready -- \
    sh -c '"$0" 0.5 READY=1 && exec sleep 300' "$T/notify"
pid=$(pid_of "$T/a.pid" 2>/dev/null); track "$pid"
check "--wait-ready, READY=1 after 0.5 s: exit 0 ($RC)" test "$RC" = 0
check "... start returned after the notification ($MS ms)" \
    between 500 10000 "$MS"
check "... the service runs and holds the locked pidfile" \
    running "$T/a.pid" "$pid"
check "... NOTIFY_SOCKET was an abstract @detach-... name" \
    sh -c "tr '\\0' '\\n' </proc/$pid/environ |
    grep -q '^NOTIFY_SOCKET=@detach-'"
expect 0 "... and stops" "$DETACH" stop -p "$T/a.pid"

if command -v systemd-notify >/dev/null; then
	# The service goes on either way; whether systemd-notify itself
	# succeeded (it waits on a BARRIER=1 after READY=1) goes to sn.rc.
	timed "$DETACH" start -p "$T/sn.pid" --wait-ready=10 -- \
	    sh -c 'systemd-notify --ready 2>"$0.err"; echo $? >"$0";
	    exec sleep 300' "$T/sn.rc"
	pid=$(pid_of "$T/sn.pid" 2>/dev/null); track "$pid"
	check "systemd-notify --ready as sender: exit 0 ($RC, $MS ms)" \
	    test "$RC" = 0 -a "$MS" -lt 5000
	check "... the service runs and holds the locked pidfile" \
	    running "$T/sn.pid" "$pid"
	wait_file "$T/sn.rc" 10 2
	why="exit $(cat "$T/sn.rc" 2>/dev/null):"
	why="$why $(head -n 1 "$T/sn.rc.err" 2>/dev/null)"
	check "... and systemd-notify --ready itself succeeded ($why)" \
	    test "$(cat "$T/sn.rc" 2>/dev/null)" = 0
	"$DETACH" stop -p "$T/sn.pid"
else
	skip "systemd-notify is not installed"
	skip "systemd-notify is not installed"
	skip "systemd-notify is not installed"
fi

# Never ready, and ignoring TERM: start's own -t 1 applies (the default
# 10 s would take more than 11 s).
timed "$DETACH" start -p "$T/n.pid" --wait-ready=1 -t 1 -- \
    sh -c 'trap "" TERM; echo $$ >"$0"; exec sleep 300' "$T/n.self"
pid=$(cat "$T/n.self" 2>/dev/null); track "$pid"
check "never ready, --wait-ready=1 -t 1: exit 3 ($RC)" test "$RC" = 3
check "... after 1 s and start's own stop schedule ($MS ms)" \
    between 2000 6000 "$MS"
check "... saying it was not ready" grep -q "not ready" "$T/err"
check "... the service is gone" all_gone_within 0 "$pid"
check "... and the pidfile removed" test ! -e "$T/n.pid"

timed "$DETACH" start -p "$T/d.pid" --wait-ready=10 -- \
    sh -c 'sleep 0.2; exit 7'
check "dies before it is ready (exit 7): start exits 3 ($RC)" test "$RC" = 3
check "... at once, not after the 10 s ($MS ms)" between 200 5000 "$MS"
check "... with the status in the message" grep -q "status 7" "$T/err"
check "... leaving no pidfile" test ! -e "$T/d.pid"

timed "$DETACH" start -p "$T/k.pid" --wait-ready=10 -- \
    sh -c 'sleep 0.2; kill -9 $$'
check "killed before it is ready: exit 3 naming the signal ($RC)" \
    sh -c "test $RC = 3 && grep -q KILL '$T/err'"

expect 3 "STATUS= then exit 1 before READY=1: exit 3" \
    "$DETACH" start -p "$T/s.pid" --wait-ready=10 -- \
    sh -c '"$0" 0 "STATUS=cannot bind port 8080"; exit 1' "$T/notify"
check "... the STATUS= text is shown" \
    grep -q "cannot bind port 8080" "$T/err"
expect 3 "STATUS= but never READY=1 (--wait-ready=0.5): exit 3" \
    "$DETACH" start -p "$T/s.pid" --wait-ready=0.5 -- \
    sh -c '"$0" 0 "STATUS=still loading"; exec sleep 300' "$T/notify"
check "... the last STATUS= text is shown" grep -q "still loading" "$T/err"
check "... leaving no pidfile" test ! -e "$T/s.pid"

timed "$DETACH" start -p "$T/m.pid" --wait-ready -- \
    sh -c '"$0" 0.2 "$(printf "STATUS=almost\nREADY=1")" && exec sleep 300' \
    "$T/notify"
pid=$(pid_of "$T/m.pid" 2>/dev/null); track "$pid"
check "READY=1 among other lines of a datagram: exit 0 ($RC, $MS ms)" \
    sh -c "test $RC = 0 && test $MS -ge 200"
"$DETACH" stop -p "$T/m.pid" >/dev/null 2>&1

if [ "$ROOT" = 1 ] && getent passwd nobody >/dev/null; then
	timed "$DETACH" start -p "$T/u.pid" -u nobody --wait-ready=10 -- \
	    sh -c '"$0" 0.2 READY=1 && exec sleep 300' "$T/notify"
	pid=$(pid_of "$T/u.pid" 2>/dev/null); track "$pid"
	check "-u nobody --wait-ready: the service's READY=1 counts ($RC, $MS ms)" \
	    sh -c "test $RC = 0 && test $MS -ge 200 &&
	    test \$(stat -c %U /proc/$pid) = nobody"
	"$DETACH" stop -p "$T/u.pid"
else
	skip "-u nobody needs root"
fi

# --- --ready-fd
timed "$DETACH" start -p "$T/f3.pid" --ready-fd=3 -- \
    sh -c 'sleep 0.3; echo >&3; exec 3>&-; exec sleep 300'
pid=$(pid_of "$T/f3.pid" 2>/dev/null); track "$pid"
check "--ready-fd=3, a newline after 0.3 s: exit 0 ($RC)" test "$RC" = 0
check "... after the newline ($MS ms)" between 300 10000 "$MS"
check "... the service runs and holds the locked pidfile" \
    running "$T/f3.pid" "$pid"
"$DETACH" stop -p "$T/f3.pid"

timed "$DETACH" start -p "$T/f9.pid" --ready-fd=9 -- \
    sh -c 'echo $$ >"$0"; sleep 0.3; echo >&9; exec 9>&-; exec sleep 300' \
    "$T/f9.self"
pid=$(cat "$T/f9.self" 2>/dev/null); track "$pid"
check "--ready-fd=9, a newline after 0.3 s: exit 0 ($RC: $(head -n 1 \
    "$T/err"))" \
    test "$RC" = 0
check "... after the newline ($MS ms)" between 300 10000 "$MS"
check "... the service runs and holds the locked pidfile" \
    running "$T/f9.pid" "$pid"
"$DETACH" stop -p "$T/f9.pid" >/dev/null 2>&1

timed "$DETACH" start -p "$T/f12.pid" --ready-fd=12 -- \
    perl -e 'select(undef, undef, undef, 0.3); open(my $r, ">&=", 12) or
    die; print $r "ready\n"; close $r; sleep 1 while 1'
pid=$(pid_of "$T/f12.pid" 2>/dev/null); track "$pid"
check "--ready-fd=12: exit 0 after the newline ($RC, $MS ms)" \
    sh -c "test $RC = 0 && test $MS -ge 300"
"$DETACH" stop -p "$T/f12.pid" >/dev/null 2>&1

rm -f "$T/c.self"
timed "$DETACH" start -p "$T/c.pid" --ready-fd=3 -- \
    sh -c 'echo $$ >"$0"; printf almost >&3; exec 3>&-; exec sleep 300' \
    "$T/c.self"
pid=$(cat "$T/c.self" 2>/dev/null); track "$pid"
check "--ready-fd closed without a newline: exit 3 ($RC)" test "$RC" = 3
check "... at once ($MS ms)" test "$MS" -lt 5000
check "... saying so ($(head -n 1 "$T/err"))" grep -q "ready" "$T/err"
check "... the service was stopped" all_gone_within 0 "$pid"
check "... and the pidfile removed" test ! -e "$T/c.pid"

timed "$DETACH" start -p "$T/x.pid" --ready-fd=3 -- sh -c 'sleep 0.2; exit 4'
check "--ready-fd, dies first (exit 4): exit 3 at once ($RC, $MS ms)" \
    sh -c "test $RC = 3 && test $MS -lt 5000"
check "... with its status ($(head -n 1 "$T/err"))" grep -q "status 4" "$T/err"
check "... leaving no pidfile" test ! -e "$T/x.pid"

# --- --wait without a protocol
timed "$DETACH" start -p "$T/w.pid" --wait=1 -- sh -c 'sleep 0.2; exit 6'
check "--wait=1, exits after 0.2 s: exit 3 ($RC)" test "$RC" = 3
check "... soon ($MS ms)" between 200 5000 "$MS"
check "... with its status" grep -q "status 6" "$T/err"
check "... leaving no pidfile" test ! -e "$T/w.pid"

timed "$DETACH" start -p "$T/w.pid" --wait=0.3 -- sleep 300
pid=$(pid_of "$T/w.pid" 2>/dev/null); track "$pid"
check "--wait=0.3 with a service that keeps running: exit 0 ($RC)" \
    test "$RC" = 0
check "... after 0.3 s ($MS ms)" between 300 10000 "$MS"
check "... the service runs and holds the locked pidfile" \
    running "$T/w.pid" "$pid"
"$DETACH" stop -p "$T/w.pid"

# --- -f
expect 64 "-f --wait-ready is a usage error" \
    "$DETACH" start -f -p "$T/fg.pid" --wait-ready -- sleep 300
expect 64 "-f --ready-fd=3 is a usage error" \
    "$DETACH" start -f -p "$T/fg.pid" --ready-fd=3 -- sleep 300
check "... nothing was started" test ! -e "$T/fg.pid"

# --- --supervise: readiness is the first child's
timed "$DETACH" start --supervise -p "$T/sv.pid" --child-pidfile="$T/svc.pid" \
    -o "$T/sv.log" --restart-delay=0.1 --wait-ready=10 -- \
    sh -c '"$0" 0.3 READY=1 && exec sleep 300' "$T/notify"
sup=$(pid_of "$T/sv.pid" 2>/dev/null)
child=$(pid_of "$T/svc.pid" 2>/dev/null)
track "$sup" "$child"
check "--supervise --wait-ready, READY=1 after 0.3 s: exit 0 ($RC)" \
    test "$RC" = 0
check "... after the notification ($MS ms)" between 300 10000 "$MS"
check "... the supervisor holds the locked pidfile, the child runs" \
    sv_running "$T/sv.pid" "$sup" "$child"
kill -9 "$child"
wait_for "$T/sv.log" "pid [0-9]+ is ready" 10
new=$(pid_of "$T/svc.pid" 2>/dev/null); track "$new"
check "a restarted child's READY=1 is logged ($(grep -c . "$T/sv.log") lines)" \
    grep -q "pid $new is ready" "$T/sv.log"
check "... the first child's was not" \
    sh -c "! grep -q 'pid $child is ready' '$T/sv.log'"
expect 0 "... and stop exits 0" "$DETACH" stop -p "$T/sv.pid"
check "... supervisor and child gone" all_gone_within 0 "$sup" "$new"

timed "$DETACH" start --supervise -p "$T/sn.pid" \
    --child-pidfile="$T/snc.pid" --wait-ready=0.5 -t 0.5 -- \
    sh -c 'trap "" TERM; echo $$ >"$0"; exec sleep 300' "$T/sn.self"
child=$(cat "$T/sn.self" 2>/dev/null)
sup=$(sed -n 's/.*(pid \([0-9]*\)).*/\1/p' "$T/err" | head -n 1)
track "$child" "$sup"
check "--supervise, first child never ready, --wait-ready=0.5 -t 0.5:\
 exit 3 ($RC)" \
    test "$RC" = 3
check "... after the timeout and start's stop schedule ($MS ms)" \
    between 1000 6000 "$MS"
check "... saying it was not ready" grep -q "not ready" "$T/err"
check "... supervisor ($sup) and child ($child) are gone" \
    all_gone_within 0 "$sup" "$child"
check "... no pidfile, child pidfile or state file is left" \
    test ! -e "$T/sn.pid" -a ! -e "$T/snc.pid" -a ! -e "$T/sn.pid.state"

timed "$DETACH" start --supervise -p "$T/sd.pid" --wait-ready=10 -- \
    sh -c 'echo $$ >"$0"; sleep 0.2; exit 7' "$T/sd.self"
child=$(cat "$T/sd.self" 2>/dev/null)
check "--supervise, first child dies before it is ready: exit 3 at once\
 ($RC, $MS ms)" \
    sh -c "test $RC = 3 && test $MS -lt 5000"
check "... with its status" grep -q "status 7" "$T/err"
check "... no restart, nothing left" left_nothing "$T/sd.pid" "$child"

timed "$DETACH" start --supervise -p "$T/sx.pid" --ready-fd=3 -- \
    sh -c 'sleep 0.2; exit 4'
check "--supervise --ready-fd, first child exits 4 first: exit 3 at once\
 ($RC, $MS ms)" \
    sh -c "test $RC = 3 && test $MS -lt 5000"
check "... with its status ($(head -n 1 "$T/err"))" grep -q "status 4" "$T/err"

timed "$DETACH" start --supervise -p "$T/sf.pid" --child-pidfile="$T/sfc.pid" \
    --ready-fd=3 -- sh -c 'sleep 0.3; echo >&3; exec 3>&-; exec sleep 300'
sup=$(pid_of "$T/sf.pid" 2>/dev/null)
child=$(pid_of "$T/sfc.pid" 2>/dev/null)
track "$sup" "$child"
check "--supervise --ready-fd=3: exit 0 after the newline ($RC, $MS ms)" \
    sh -c "test $RC = 0 && test $MS -ge 300"
"$DETACH" stop -p "$T/sf.pid" >/dev/null 2>&1

timed "$DETACH" start --supervise -p "$T/sw.pid" --child-pidfile="$T/swc.pid" \
    --wait=0.3 -- sleep 300
sup=$(pid_of "$T/sw.pid" 2>/dev/null)
child=$(pid_of "$T/swc.pid" 2>/dev/null)
track "$sup" "$child"
check "--supervise --wait=0.3: exit 0 after 0.3 s ($RC, $MS ms)" \
    sh -c "test $RC = 0 && test $MS -ge 300"
"$DETACH" stop -p "$T/sw.pid" >/dev/null 2>&1

done_testing
