#!/bin/bash
# Readiness probes (issue 14): --ready-port, --ready-file, --ready-log,
# --ready-cmd and --ready-timeout, plain and --supervise.  start returns
# 0 only once every probe passed; a command that exits first, or is not
# ready in time, makes start exit 3 leaving nothing behind; status and
# list show "starting" and then "ready"; the supervisor probes every
# restart again.  Bad values are usage errors (64).  No check measures
# time: an order of events is asserted instead (a marker the service
# writes just before it becomes ready exists when start returns).
TOP=$(cd "${srcdir:-$(dirname "$0")/../..}" && pwd)
. "$TOP/tests/lib.sh"		# (it moves to $T)
. "$TOP/tests/legacy-lib.sh"

plan 146

ROOT=0
[ "$(id -u)" = 0 ] && ROOT=1

# usage_error PIDFILE: the last run said why on stderr (not the
# "unknown option" of a detach without probes) and left no pidfile.
usage_error() {
	test -s "$T/err" && ! grep -q "unknown option" "$T/err" &&
	    test ! -e "$1"
}

# lsn PORT DELAY [FILEDELAY FILE]: a service that becomes ready late.
# Each run is counted in $LSN_DIR (run.N holds the pid of the Nth run,
# written atomically).  It waits DELAY s, creates mark.PID, then listens
# on $LSN_HOST (default 127.0.0.1) at PORT and accepts forever; with
# FILE, it creates FILE FILEDELAY s after it listened.  With
# LSN_LATER=gate, runs after the first wait for go.PID before anything;
# with LSN_LATER=never, they never listen.
cat >"$T/lsn" <<'EOS'
#!/usr/bin/perl
use strict;
use IO::Socket::IP;
use Time::HiRes qw(sleep);
my ($port, $delay, $fdelay, $file) = @ARGV;
my $dir = $ENV{LSN_DIR} or die "lsn: no LSN_DIR\n";
my $later = $ENV{LSN_LATER} // "";
my $n = 1;
$n++ while -e "$dir/run.$n";
open(my $r, ">", "$dir/run.$n.new") or die "lsn: $dir: $!\n";
print $r "$$\n";
close $r;
rename("$dir/run.$n.new", "$dir/run.$n") or die "lsn: rename: $!\n";
if ($n > 1 && $later eq "never") { sleep 1 while 1 }
if ($n > 1 && $later eq "gate") { sleep 0.01 until -e "$dir/go.$$" }
sleep $delay if $delay > 0;
open(my $m, ">", "$dir/mark.$$") or die "lsn: mark: $!\n";
close $m;
my $s = IO::Socket::IP->new(LocalHost => $ENV{LSN_HOST} // "127.0.0.1",
    LocalPort => $port, Proto => "tcp", Listen => 16, ReuseAddr => 1)
    or die "lsn: listen on $port: $@\n";
if (defined $file) {
	sleep $fdelay;
	open(my $f, ">", $file) or die "lsn: $file: $!\n";
	close $f;
}
while (1) { my $c = $s->accept or next; close $c }
EOS
chmod 755 "$T/lsn"

# open6 PORT: something accepts connections on [::1]:PORT.
open6() {
	perl -MIO::Socket::IP -e '
		exit(IO::Socket::IP->new(PeerHost => "::1",
		    PeerPort => $ARGV[0], Proto => "tcp", Timeout => 2) ? 0 : 1)' "$1"
}

# a port nobody opens, for the probes that must not pass
CP=$(free_port)

# --- 1. --ready-port: a service that listens after 0.3 s
P=$(free_port)
mkdir "$T/c1"
expect 0 "--ready-port, listening after 0.3 s: start exits 0" \
    "$DETACH" start -p "$T/c1.pid" --ready-port="$P" --ready-timeout=10 \
    -E LSN_DIR="$T/c1" -- "$T/lsn" "$P" 0.3
d=$(pid_of "$T/c1.pid" 2>/dev/null); track "$d"
check "... the port accepts right after start returned" port_open "$P"
check "... the service had passed its delay (its marker was written before it listened)" \
    test -e "$T/c1/mark.$d"
expect 0 "... status exits 0" "$DETACH" status -p "$T/c1.pid"
check "... and says ready ($(cat "$T/out"))" \
    says "$T/out" "c1 is running (pid $d, ready)"
expect 0 "... status --json exits 0" "$DETACH" status --json -p "$T/c1.pid"
check "... with \"state\":\"ready\"" says "$T/out" '"state":"ready"'
expect 0 "... stop exits 0" "$DETACH" stop -p "$T/c1.pid"
check "... the service is gone, nothing left" \
    eval 'all_gone "$d" && nothing_left "$T/c1.pid"'

# without a probe the state stays "running"
"$DETACH" start -p "$T/np.pid" -- sleep 300
d=$(pid_of "$T/np.pid" 2>/dev/null); track "$d"
run "$DETACH" status -p "$T/np.pid"
check "no probe: status says plain running ($(cat "$T/out"))" \
    test "$(cat "$T/out")" = "np is running (pid $d)"
run "$DETACH" status --json -p "$T/np.pid"
check "... status --json has \"state\":\"running\"" \
    says "$T/out" '"state":"running"'
"$DETACH" stop -p "$T/np.pid"

# a host name (tried at each of its addresses)
P=$(free_port)
mkdir "$T/cn"
expect 0 "--ready-port=localhost:PORT, listening on 127.0.0.1 after 0.3 s: exit 0" \
    "$DETACH" start -p "$T/cn.pid" --ready-port="localhost:$P" \
    --ready-timeout=10 -E LSN_DIR="$T/cn" -- "$T/lsn" "$P" 0.3
d=$(pid_of "$T/cn.pid" 2>/dev/null); track "$d"
check "... the port accepts, the marker was written" \
    eval 'port_open "$P" && test -e "$T/cn/mark.$d"'
"$DETACH" stop -p "$T/cn.pid"

# an IPv6 address in brackets
P6=$(free_port)
if perl -MIO::Socket::IP -e 'IO::Socket::IP->new(LocalHost => "::1",
    LocalPort => $ARGV[0], Listen => 1) or exit 1' "$P6" 2>/dev/null; then
	mkdir "$T/c6"
	expect 0 "--ready-port=[::1]:PORT, listening after 0.3 s: exit 0" \
	    "$DETACH" start -p "$T/c6.pid" --ready-port="[::1]:$P6" \
	    --ready-timeout=10 -E LSN_DIR="$T/c6" -E LSN_HOST=::1 -- \
	    "$T/lsn" "$P6" 0.3
	d=$(pid_of "$T/c6.pid" 2>/dev/null); track "$d"
	check "... [::1]:$P6 accepts, the marker was written" \
	    eval 'open6 "$P6" && test -e "$T/c6/mark.$d"'
	"$DETACH" stop -p "$T/c6.pid"
else
	skip "no IPv6 loopback: cannot listen on [::1]"
	skip "no IPv6 loopback: cannot listen on [::1]"
fi

# --- 2. --ready-file, relative to where detach runs ($T; the daemon's
# working directory is /)
expect 0 "--ready-file=f2 (relative), created after 0.3 s: start exits 0" \
    "$DETACH" start -p "$T/c2.pid" --ready-file=f2 --ready-timeout=10 -- \
    sh -c 'sleep 0.3; : >"$0"; exec sleep 300' "$T/f2"
d=$(pid_of "$T/c2.pid" 2>/dev/null); track "$d"
check "... the file exists when start returns" test -e "$T/f2"
"$DETACH" stop -p "$T/c2.pid"

# fresh_file_starts START-OPTIONS...: 20 starts in a row of a service
# that makes the --ready-file at once, none there before the start: each
# exits 0 (what was there before is looked at before the command runs,
# not after, when the file may already be the service's).
fresh_file_starts() {
	local i
	for i in $(seq 1 20); do
		rm -f "$T/ff"
		if ! "$DETACH" start -p "$T/ff.pid" "$@" --ready-file="$T/ff" \
		    --ready-timeout=2 -- sh -c ': >"$0"; exec sleep 300' "$T/ff" \
		    2>"$T/ff.err"; then
			echo "# start $i: $(head -n 1 "$T/ff.err")"
			return 1
		fi
		track "$(pid_of "$T/ff.pid")"
		"$DETACH" stop -p "$T/ff.pid" >/dev/null 2>&1 || return 1
	done
}
check "a --ready-file the service makes at once: 20 starts exit 0" \
    fresh_file_starts
check "... the same with --supervise" fresh_file_starts --supervise

# restart takes the probes too
rm -f "$T/f2b"
"$DETACH" start -p "$T/c2.pid" -- sleep 300
old=$(pid_of "$T/c2.pid" 2>/dev/null); track "$old"
expect 0 "restart --ready-file, created after 0.3 s: exit 0" \
    "$DETACH" restart -p "$T/c2.pid" --ready-file="$T/f2b" \
    --ready-timeout=10 -- sh -c 'sleep 0.3; : >"$0"; exec sleep 300' \
    "$T/f2b"
d=$(pid_of "$T/c2.pid" 2>/dev/null); track "$d"
check "... the file exists when restart returns" test -e "$T/f2b"
check "... a new service ($d) replaced the old one ($old)" \
    eval 'test -n "$d" && test "$d" != "$old" && all_gone "$old" &&
    alive "$d"'
"$DETACH" stop -p "$T/c2.pid"

# --- 3, 4. a real program: redis-server in the foreground.  Not under
# oldkernel.sh (DETACH_NOSYS): there, its stop check failed twice in CI
# under load, unexplained yet (the other probes still run there; the
# failure's diagnostics now reach oldkernel's output).
REDIS=$(need redis-server)
RCLI=$(need redis-cli)
if [ -n "${DETACH_NOSYS-}" ]; then
	for i in 1 2 3 4 5 6 7 8 9; do
		skip "under nosys ($DETACH_NOSYS): see the comment above"
	done
elif [ -n "$REDIS" ] && [ -n "$RCLI" ]; then
	RP=$(free_port)
	mkdir "$T/redis"
	RCMD=("$REDIS" --port "$RP" --dir "$T/redis" --save '' --appendonly no
	    --daemonize no --pidfile "$T/redis/redis.pid" --bind 127.0.0.1
	    --logfile '')
	expect 0 "redis --ready-log='Ready to accept connections': exit 0" \
	    "$DETACH" start -p "$T/rl.pid" -o "$T/redis.log" \
	    --ready-log='Ready to accept connections' --ready-timeout=20 -- \
	    "${RCMD[@]}"
	d=$(pid_of "$T/rl.pid" 2>/dev/null); track "$d"
	check "... redis-cli ping answers PONG at once" \
	    eval 'test "$(timeout 5 "$RCLI" -p "$RP" ping)" = PONG'
	check "... the line is in the log" \
	    grep -q "Ready to accept connections" "$T/redis.log"
	expect 0 "... stop exits 0" "$DETACH" stop -p "$T/rl.pid"
	check "... redis is gone, nothing left" \
	    eval 'all_gone "$d" && nothing_left "$T/rl.pid"'

	expect 0 "redis --ready-cmd='redis-cli -p $RP ping | grep -q PONG': exit 0" \
	    "$DETACH" start -p "$T/rc.pid" -o "$T/redis2.log" \
	    --ready-cmd="$RCLI -p $RP ping | grep -q PONG" --ready-timeout=20 \
	    -- "${RCMD[@]}"
	d=$(pid_of "$T/rc.pid" 2>/dev/null); track "$d"
	check "... redis-cli ping answers PONG at once" \
	    eval 'test "$(timeout 5 "$RCLI" -p "$RP" ping)" = PONG'
	expect 0 "... stop exits 0" "$DETACH" stop -p "$T/rc.pid"
	check "... redis is gone, nothing left" \
	    eval 'all_gone "$d" && nothing_left "$T/rc.pid"'
else
	for i in 1 2 3 4 5 6 7 8 9; do
		skip "redis-server or redis-cli is not installed"
	done
fi

# --- 4b. --ready-cmd: retried until it exits 0, then no more; run in
# the service's working directory, environment and user
expect 0 "--ready-cmd that passes on its third run: exit 0" \
    "$DETACH" start -p "$T/n3.pid" --ready-timeout=10 \
    --ready-cmd="echo run >>'$T/n3.runs'; test \$(wc -l <'$T/n3.runs') -ge 3" \
    -- sleep 300
d=$(pid_of "$T/n3.pid" 2>/dev/null); track "$d"
check "... it ran exactly 3 times ($(wc -l <"$T/n3.runs" 2>/dev/null))" \
    test "$(wc -l <"$T/n3.runs" 2>/dev/null)" = 3
"$DETACH" stop -p "$T/n3.pid"

# a run that hangs is killed after 5 s, and the next one runs
expect 0 "--ready-cmd whose first run hangs: killed after 5 s, the next passes" \
    "$DETACH" start -p "$T/k5.pid" --ready-timeout=20 \
    --ready-cmd="test -e '$T/k5.once' || { : >'$T/k5.once'; sleep 1002.$$; }" \
    -- sleep 300
d=$(pid_of "$T/k5.pid" 2>/dev/null); track "$d"
check "... the hung run is gone (sleep 1002.$$)" none_with_cmdline "1002.$$"
"$DETACH" stop -p "$T/k5.pid"

mkdir -m 777 "$T/rcw"
wd=$(cd "$T/rcw" && pwd -P)
if [ "$ROOT" = 1 ] && getent passwd nobody >/dev/null; then
	uopt=(-u nobody)
	uid=$(id -u nobody)
else
	uopt=()
	uid=$(id -u)
fi
expect 0 "--ready-cmd with -C, -E${uopt[*]:+ and ${uopt[*]}}: exit 0" \
    "$DETACH" start -p "$T/env.pid" -C "$T/rcw" -E RP_VAR=hello "${uopt[@]}" \
    --ready-timeout=10 \
    --ready-cmd='echo "$(id -u) $(pwd -P) $RP_VAR" >seen' -- sleep 300
d=$(pid_of "$T/env.pid" 2>/dev/null); track "$d"
check "... it ran as uid $uid, in $wd, with RP_VAR ($(cat "$T/rcw/seen" \
    2>/dev/null))" \
    test "$(cat "$T/rcw/seen" 2>/dev/null)" = "$uid $wd hello"
"$DETACH" stop -p "$T/env.pid"

# --- 5. two probes: the port at 0.1 s, the file 0.3 s later
P=$(free_port)
mkdir "$T/c5"
expect 0 "--ready-port and --ready-file, the file later: exit 0" \
    "$DETACH" start -p "$T/c5.pid" --ready-port="127.0.0.1:$P" \
    --ready-file="$T/c5.file" --ready-timeout=10 -E LSN_DIR="$T/c5" -- \
    "$T/lsn" "$P" 0.1 0.3 "$T/c5.file"
d=$(pid_of "$T/c5.pid" 2>/dev/null); track "$d"
check "... when start returns, the port accepts and the file exists" \
    eval 'port_open "$P" && test -e "$T/c5.file"'
"$DETACH" stop -p "$T/c5.pid"

# ... and the port later than the files: two --ready-file, one of them
# left from before the start (a stale file counts only once made anew,
# man detach.1), which the service writes again as it starts
P=$(free_port)
mkdir "$T/c5b"
: >"$T/c5b.stale"
expect 0 "two --ready-file (one stale, renewed) and --ready-port, the port last: exit 0" \
    "$DETACH" start -p "$T/c5b.pid" --ready-file="$T/c5b.stale" \
    --ready-port="$P" --ready-file="$T/c5b.file" --ready-timeout=10 \
    -E LSN_DIR="$T/c5b" -- \
    sh -c 'echo up >"$0"; : >"$1"; exec "$2" "$3" 0.3' "$T/c5b.stale" \
    "$T/c5b.file" "$T/lsn" "$P"
d=$(pid_of "$T/c5b.pid" 2>/dev/null); track "$d"
check "... when start returns, the service had listened" \
    eval 'port_open "$P" && test -e "$T/c5b/mark.$d"'
"$DETACH" stop -p "$T/c5b.pid"

# --- 6. not ready in time: stopped by the schedule, each unmet probe
# named (the service and its child ignore TERM: -t 0.5 brings KILL); a
# file there before the start and never changed does not count
: >"$T/stale"
expect 3 "--ready-timeout=0.5, a port and files that never come: exit 3" \
    "$DETACH" start -p "$T/to.pid" --ready-port="127.0.0.1:$CP" \
    --ready-file="$T/never" --ready-file="$T/stale" --ready-timeout=0.5 \
    -t 0.5 -- \
    sh -c 'trap "" TERM; sleep 300 & echo $! >"$0.kid"; echo $$ >"$0"; wait' \
    "$T/to.self"
self=$(cat "$T/to.self" 2>/dev/null); kid=$(cat "$T/to.self.kid" 2>/dev/null)
track $self $kid
check "... saying it was not ready in time" says "$T/err" "was not ready within"
check "... naming --ready-port=127.0.0.1:$CP" \
    names "$T/err" "--ready-port=127.0.0.1:$CP"
check "... naming --ready-file=$T/never" names "$T/err" "--ready-file=$T/never"
check "... naming the stale --ready-file=$T/stale" \
    names "$T/err" "--ready-file=$T/stale"
check "... the service ($self) and its child ($kid) are gone" \
    all_gone "$self" "$kid"
check "... no pidfile, no record" nothing_left "$T/to.pid"

# a --ready-cmd that hangs: its process goes with the timeout
hang="sleep 1000.$$; : rp-hang"
expect 3 "--ready-cmd='$hang' --ready-timeout=1: exit 3" \
    "$DETACH" start -p "$T/hg.pid" --ready-cmd="$hang" --ready-timeout=1 -- \
    sh -c 'echo $$ >"$0"; exec sleep 300' "$T/hg.self"
self=$(cat "$T/hg.self" 2>/dev/null); track $self
check "... naming --ready-cmd=$hang" names "$T/err" "--ready-cmd=$hang"
check "... the service is gone, nothing left" \
    eval 'all_gone "$self" && nothing_left "$T/hg.pid"'
check "... and so is the hanging probe (sh and sleep 1000.$$)" \
    none_with_cmdline "1000.$$"

# --- 7. the command exits first: exit 3 at once, not at the timeout
expect 3 "sh -c 'exit 7', --ready-port of a closed port, timeout 20: exit 3" \
    "$DETACH" start -p "$T/ex.pid" --ready-port="127.0.0.1:$CP" \
    --ready-timeout=20 -- sh -c 'exit 7'
check "... \"exited with status 7 before it was ready\"" \
    says "$T/err" "exited with status 7 before it was ready"
check "... not the timeout's message" \
    eval '! grep -q "was not ready within" "$T/err"'
check "... no pidfile, no record" nothing_left "$T/ex.pid"

# ... while a --ready-cmd probe runs: the probe goes too
expect 3 "exit 5 after 0.3 s while a --ready-cmd hangs: exit 3" \
    "$DETACH" start -p "$T/ex2.pid" --ready-cmd="sleep 1001.$$; :" \
    --ready-timeout=20 -- sh -c 'sleep 0.3; exit 5'
check "... \"exited with status 5 before it was ready\"" \
    says "$T/err" "exited with status 5 before it was ready"
check "... the probe is gone, nothing left" \
    eval 'none_with_cmdline "1001.$$" && nothing_left "$T/ex2.pid"'

# --- status "starting" while start waits, then "ready"
"$DETACH" start -p "$T/st.pid" --ready-file="$T/st.go" --ready-timeout=20 \
    -- sleep 300 >"$T/st.out" 2>"$T/st.err" &
bg=$!
track "$bg"
wait_file "$T/st.pid" 10 && wait_file "$T/st.pid.state" 10
d=$(pid_of "$T/st.pid" 2>/dev/null); track "$d"
expect 0 "while start waits: status exits 0" "$DETACH" status -p "$T/st.pid"
check "... and says starting ($(cat "$T/out"))" \
    says "$T/out" "st is running (pid $d, starting)"
expect 0 "... status --json exits 0" "$DETACH" status --json -p "$T/st.pid"
check "... with \"state\":\"starting\"" says "$T/out" '"state":"starting"'
: >"$T/st.go"
wait "$bg"
rc=$?
check "the file created: start exits 0 ($rc: $(cat "$T/st.err"))" \
    test "$rc" = 0
run "$DETACH" status -p "$T/st.pid"
check "... status says ready ($(cat "$T/out"))" \
    says "$T/out" "st is running (pid $d, ready)"
run "$DETACH" status --json -p "$T/st.pid"
check "... status --json has \"state\":\"ready\"" \
    says "$T/out" '"state":"ready"'
"$DETACH" stop -p "$T/st.pid"

# --- detach list: its STATE column.  It walks the default directory:
# $XDG_RUNTIME_DIR/detach for a user (pointed into $T); /run/detach for
# root, which then runs it in a private mount namespace with a tmpfs on
# /run (as list.sh does), so the real /run is never touched.
cat >"$T/listrun" <<'EOS'
set -u
dir=$( [ "$(id -u)" = 0 ] && echo /run/detach || echo "$XDG_RUNTIME_DIR/detach")
"$DETACH" start -n rpl --ready-file="$T/l.go" --ready-timeout=20 -- \
    sleep 300 >/dev/null 2>&1 &
bg=$!
# start makes the directory: wait for it before watching it
"$TESTTOOL" waitfile "$dir" 10 0 &&
    "$TESTTOOL" waitfile "$dir/rpl.pid" 10 1 &&
    "$TESTTOOL" waitfile "$dir/rpl.pid.state" 10 1
tr -dc 0-9 <"$dir/rpl.pid" >"$T/l.daemon"
"$DETACH" list >"$T/l1.out" 2>&1
: >"$T/l.go"
wait "$bg"
echo $? >"$T/l.rc"
"$DETACH" list >"$T/l2.out" 2>&1
"$DETACH" stop -n rpl >/dev/null 2>&1
EOS
how=$(private_run "$T/listrun")
if [ -n "$how" ]; then
	d=$(cat "$T/l.daemon" 2>/dev/null); track "$d"
	check "list while start waits: STATE starting ($(grep rpl "$T/l1.out"))" \
	    grep -Eq "^rpl +$d +starting " "$T/l1.out"
	check "start then exits 0 ($(cat "$T/l.rc" 2>/dev/null))" \
	    test "$(cat "$T/l.rc" 2>/dev/null)" = 0
	check "list once ready: STATE ready ($(grep rpl "$T/l2.out"))" \
	    grep -Eq "^rpl +$d +ready " "$T/l2.out"
	check "... stopped, it is gone" all_gone "$d"
else
	for i in 1 2 3 4; do
		skip "root without mount namespaces: list's /run/detach is not ours"
	done
fi

# --- 8. --supervise probes every restart again
P=$(free_port)
mkdir "$T/sv"
expect 0 "--supervise --ready-port, listening after 0.2 s: exit 0" \
    "$DETACH" start --supervise -p "$T/sv.pid" --child-pidfile="$T/svc.pid" \
    -o "$T/sv.log" --restart-delay=0.1 --ready-port="$P" \
    --ready-timeout=10 -E LSN_DIR="$T/sv" -E LSN_LATER=gate -- \
    "$T/lsn" "$P" 0.2
sup=$(pid_of "$T/sv.pid" 2>/dev/null)
child=$(pid_of "$T/svc.pid" 2>/dev/null)
track "$sup" "$child"
check "... the child ($child) listened when start returned" \
    eval 'port_open "$P" && test -e "$T/sv/mark.$child"'
expect 0 "... status exits 0" "$DETACH" status -p "$T/sv.pid"
check "... and says ready ($(cat "$T/out"))" says "$T/out" \
    "sv is running (pid $sup, supervising pid $child, ready; 0 restarts; last exit: "
expect 0 "... status --json exits 0" "$DETACH" status --json -p "$T/sv.pid"
check "... with \"state\":\"ready\"" says "$T/out" '"state":"ready"'

# the new child waits for go.PID: it is "starting" until the test says
kill -9 "$child"
new=$(wait_child "$T/sv.pid" "$child" 10); track "$new"
check "kill -9: a new child runs ($new)" test -n "$new"
wait_file "$T/sv/run.2" 10
expect 0 "... status exits 0" "$DETACH" status -p "$T/sv.pid"
check "... and says starting ($(cat "$T/out"))" says "$T/out" \
    "sv is running (pid $sup, supervising pid $new, starting; 1 restarts; last exit: killed by SIGKILL)"
expect 0 "... status --json exits 0" "$DETACH" status --json -p "$T/sv.pid"
check "... with \"state\":\"starting\"" says "$T/out" '"state":"starting"'
check "... the log does not call it ready" \
    eval '! grep -q "pid $new is ready" "$T/sv.log"'
: >"$T/sv/go.$new"
check "it listens: the log says \"pid $new is ready\"" \
    wait_for "$T/sv.log" "pid $new is ready"
check "... it had listened first" test -e "$T/sv/mark.$new"
run "$DETACH" status -p "$T/sv.pid"
check "... status says ready ($(cat "$T/out"))" says "$T/out" \
    "sv is running (pid $sup, supervising pid $new, ready; 1 restarts; last exit: killed by SIGKILL)"
run "$DETACH" status --json -p "$T/sv.pid"
check "... status --json has \"state\":\"ready\"" \
    says "$T/out" '"state":"ready"'
expect 0 "... stop exits 0" "$DETACH" stop -p "$T/sv.pid"
check "... supervisor and children gone, the port closed" \
    eval 'all_gone "$sup" "$child" "$new" && wait_port_closed "$P"'
check "... no pidfile, record or child pidfile" \
    eval 'nothing_left "$T/sv.pid" && test ! -e "$T/svc.pid"'

# --- 9. --supervise: a restarted child that is never ready is stopped
# and restarted, as a failure
P=$(free_port)
mkdir "$T/nv"
expect 0 "--supervise, only the first child listens: exit 0" \
    "$DETACH" start --supervise -p "$T/nv.pid" -o "$T/nv.log" \
    --restart-delay=0.1 --ready-port="$P" --ready-timeout=1 -t 2 \
    -E LSN_DIR="$T/nv" -E LSN_LATER=never -- "$T/lsn" "$P" 0
sup=$(pid_of "$T/nv.pid" 2>/dev/null)
c1=$(cat "$T/nv/run.1" 2>/dev/null)
track "$sup" "$c1"
kill -9 "$c1"
wait_file "$T/nv/run.2" 10
c2=$(cat "$T/nv/run.2" 2>/dev/null); track "$c2"
check "the second child ($c2) is not ready in 1 s: the log says so" \
    wait_for "$T/nv.log" "was not ready within" 10
check "... it is stopped" all_gone "$c2"
check "... and a third child is started" wait_file "$T/nv/run.3" 10
c3=$(cat "$T/nv/run.3" 2>/dev/null); track "$c3"
check "... the log shows the restart after the timeout" \
    eval 'sed -n "/was not ready within/,\$p" "$T/nv.log" |
    grep -q "restarting in"'
check "... the supervisor goes on" alive "$sup"
expect 0 "... stop exits 0" "$DETACH" stop -p "$T/nv.pid"
all=$(cat "$T"/nv/run.* 2>/dev/null | tr '\n' ' ')
check "... supervisor and every child gone ($all)" all_gone "$sup" $all
check "... no pidfile, no record" nothing_left "$T/nv.pid"

# --- supervised first child: not ready in time, or exits first
expect 3 "--supervise, first child never ready (--ready-timeout=0.5): exit 3" \
    "$DETACH" start --supervise -p "$T/svto.pid" --child-pidfile="$T/svtoc.pid" \
    --ready-port="127.0.0.1:$CP" --ready-timeout=0.5 -t 1 -- \
    sh -c 'echo $$ >"$0"; exec sleep 300' "$T/svto.self"
self=$(cat "$T/svto.self" 2>/dev/null); track $self
check "... saying it was not ready, naming the probe" \
    eval 'says "$T/err" "was not ready within" &&
    names "$T/err" "--ready-port=127.0.0.1:$CP"'
check "... the child is gone, and the supervisor" \
    eval 'all_gone "$self" && none_with_cmdline "$T/svto."'
check "... no pidfile, record or child pidfile" \
    eval 'nothing_left "$T/svto.pid" && test ! -e "$T/svtoc.pid"'

expect 3 "--supervise, first child exits 7 first (timeout 20): exit 3" \
    "$DETACH" start --supervise -p "$T/svex.pid" -o "$T/svex.log" \
    --restart-delay=0.1 --ready-port="127.0.0.1:$CP" --ready-timeout=20 -- \
    sh -c 'exit 7' "$T/svex.self"
check "... \"exited with status 7 before it was ready\", not the timeout" \
    eval 'says "$T/err" "exited with status 7 before it was ready" &&
    ! grep -q "was not ready within" "$T/err"'
check "... no restart, nothing left" \
    eval 'none_with_cmdline "$T/svex.self" && nothing_left "$T/svex.pid"'

# --- 10. usage errors: exit 64, a reason, no pidfile
mkfifo "$T/fifo"
u=$T/u.pid
expect 64 "--ready-log without -o or -e" \
    "$DETACH" start -p "$u" --ready-log=x -- sleep 300
check "... names --ready-log, no pidfile" \
    eval 'names "$T/err" "--ready-log" && test ! -e "$u"'
# the FIFO has a reader (perl holds it open read-write, which does not
# block), so that it would be a usable output but for --ready-log
perl -e 'open(my $f, "+<", $ARGV[0]) or die "fifo: $!\n";
    open(my $r, ">", $ARGV[1]); close $r; sleep 60' "$T/fifo" "$T/fifo.held" &
holder=$!
track "$holder"
wait_file "$T/fifo.held" 10 0
expect 64 "--ready-log with -o naming a FIFO (not a regular file)" \
    timeout 10 "$DETACH" start -p "$u" -o "$T/fifo" --ready-log=x -- sleep 300
kill "$holder"
check "... names --ready-log, no pidfile" \
    eval 'names "$T/err" "--ready-log" && test ! -e "$u"'
expect 64 "--supervise --ready-log without -o, -e or --syslog" \
    "$DETACH" start --supervise -p "$u" --ready-log=x -- sleep 300
check "... names --ready-log, no pidfile" \
    eval 'names "$T/err" "--ready-log" && test ! -e "$u"'
for bad in --ready-port=0 --ready-port=65536 --ready-port=abc \
    --ready-port=::1:80 --ready-log= "--ready-log=(" --ready-cmd= \
    --ready-file= --ready-timeout=-1 --ready-timeout=0; do
	expect 64 "start $bad" \
	    "$DETACH" start -p "$u" -o "$T/u.log" --ready-file="$T/f2" "$bad" \
	    -- sleep 300
	check "... says why, no pidfile ($(head -n 1 "$T/err"))" \
	    usage_error "$u"
done
expect 64 "-f with --ready-file" \
    "$DETACH" start -f -p "$u" --ready-file="$T/f2" -- sleep 300
check "... says why, no pidfile ($(head -n 1 "$T/err"))" usage_error "$u"
expect 64 "restart --ready-port=65536" \
    "$DETACH" restart -p "$u" --ready-port=65536 -- sleep 300
check "... says why, no pidfile ($(head -n 1 "$T/err"))" usage_error "$u"

# --- 11. --ready-log
# plain: only lines written after the start count (the log holds the
# line already), and only complete lines ("listen" comes first without
# its end)
echo "listening now" >"$T/pl.log"
expect 0 "plain --ready-log, the line printed after 0.3 s: exit 0" \
    "$DETACH" start -p "$T/pl.pid" -o "$T/pl.log" \
    --ready-log='^listening now$' --ready-timeout=10 -- \
    sh -c 'sleep 0.3; : >"$0.mark"; echo "listening now"; exec sleep 300' \
    "$T/pl"
d=$(pid_of "$T/pl.pid" 2>/dev/null); track "$d"
check "... the line from before the start did not count" test -e "$T/pl.mark"
"$DETACH" stop -p "$T/pl.pid"

expect 0 "plain --ready-log, a line completed 0.3 s after it began: exit 0" \
    "$DETACH" start -p "$T/pp.pid" -o "$T/pp.log" --ready-log='listen' \
    --ready-timeout=10 -- \
    sh -c 'printf listen; sleep 0.3; : >"$0.mark"; echo ing; exec sleep 300' \
    "$T/pp"
d=$(pid_of "$T/pp.pid" 2>/dev/null); track "$d"
check "... the incomplete line did not count" test -e "$T/pp.mark"
"$DETACH" stop -p "$T/pp.pid"

expect 0 "plain --ready-log, a line on stderr (-o and -e): exit 0" \
    "$DETACH" start -p "$T/pe.pid" -o "$T/pe.out" -e "$T/pe.err" \
    --ready-log='server (up|down)' --ready-timeout=10 -- \
    sh -c 'sleep 0.3; : >"$0.mark"; echo "server up" >&2; exec sleep 300' \
    "$T/pe"
d=$(pid_of "$T/pe.pid" 2>/dev/null); track "$d"
check "... after the line" test -e "$T/pe.mark"
"$DETACH" stop -p "$T/pe.pid"

# --supervise with -o: nothing is lost on the way
expect 0 "--supervise --ready-log: exit 0" \
    "$DETACH" start --supervise -p "$T/sl.pid" -o "$T/sl.log" \
    --ready-log='^listening now$' --ready-timeout=10 -- \
    sh -c 'echo booting; sleep 0.3; echo "listening now"; echo "after ready";
    exec sleep 300'
sup=$(pid_of "$T/sl.pid" 2>/dev/null); track "$sup"
check "... \"listening now\" is in the log when start returns" \
    grep -qx "listening now" "$T/sl.log"
check "... every line of the child is there, in order" \
    eval 'wait_for_line "$T/sl.log" "after ready" &&
    test "$(grep -xE "booting|listening now|after ready" "$T/sl.log" |
    tr "\n" /)" = "booting/listening now/after ready/"'
expect 0 "... stop exits 0" "$DETACH" stop -p "$T/sl.pid"
check "... nothing left" eval 'all_gone "$sup" && nothing_left "$T/sl.pid"'

done_testing
