#!/bin/bash
# Health checks of --supervise (--health-cmd, --health-port, their
# interval, timeout, retries and start grace) and the sd_notify watchdog
# (--watchdog): a child that fails its checks, or stops pinging, is
# logged as unhealthy once, stopped and restarted as a failure; a
# healthy one never is; a check that hangs is killed at its timeout and
# at stop; status, status --json and list show starting, healthy and
# unhealthy.  Bad values are usage errors (64).  States are made by gate
# files the test creates, never by waiting a while: each wait is for an
# event (a file, a log line) or, for status, bounded polling.
TOP=$(cd "${srcdir:-$(dirname "$0")/../..}" && pwd)
. "$TOP/tests/lib.sh"		# (it moves to $T)
. "$TOP/tests/legacy-lib.sh"

plan 153

ROOT=0
[ "$(id -u)" = 0 ] && ROOT=1

# wait_status PIDFILE ERE [SECS]: until `detach status` says something
# matching ERE (the record is rewritten in place: no event to wait on,
# so it is polled every 50 ms); the last answer is in $T/st.
wait_status() {
	local end=$(($(now_ms) + ${3:-10} * 1000))
	while :; do
		"$DETACH" status -p "$1" >"$T/st" 2>&1
		grep -Eq -- "$2" "$T/st" && return 0
		if [ "$(now_ms)" -ge "$end" ]; then
			echo "# status said: $(cat "$T/st")"
			return 1
		fi
		sleep 0.05
	done
}

# svc FILE: a service that appends its pid to FILE, then sleeps: the
# first line names the first child, however soon it is replaced (the
# record's child may already be the next one, or 0 between the two).
cat >"$T/svc" <<'EOS'
#!/bin/sh
echo $$ >>"$1"
exec sleep 300
EOS
chmod 755 "$T/svc"

# nth FILE N [SECS]: the Nth line of FILE, once it has N lines.
nth() {
	local end=$(($(now_ms) + ${3:-10} * 1000))
	until [ "$(lines "$1")" -ge "$2" ]; do
		[ "$(now_ms)" -lt "$end" ] || return 1
		wait_file "$1" 1 "$(($(stat -c %s "$1" 2>/dev/null || echo 0) + 1))"
	done
	sed -n "${2}p" "$1"
}

# json PIDFILE: `detach status --json` into $T/out.
json() {
	run "$DETACH" status --json -p "$1"
}

# jnum KEY: the number KEY has in $T/out (JSON), or nothing.
jnum() {
	sed -n "s/.*\"$1\":\([0-9]*\).*/\1/p" "$T/out"
}

# lines FILE: how many lines FILE has (0 if it does not exist).
lines() {
	if [ -e "$1" ]; then wc -l <"$1"; else echo 0; fi
}

# srv PORT: a service at 127.0.0.1:PORT accepting and closing connections.
# Each run is counted in $SRV_DIR (run.N holds the pid of the Nth run,
# written atomically once its handlers are in place).  With
# SRV_LATER=gate, runs after the first wait for go.PID before they
# listen.  SIGUSR1 closes the listening socket (closed.PID marks it) and
# the service goes on.  SIGTERM creates term.PID, waits while the file
# hold exists, then dies of SIGTERM.
cat >"$T/srv" <<'EOS'
#!/usr/bin/perl
use strict;
use IO::Socket::INET;
use Time::HiRes qw(sleep);
my $port = shift;
my $dir = $ENV{SRV_DIR} or die "srv: no SRV_DIR\n";
my $later = $ENV{SRV_LATER} // "";
sub touch { open(my $f, ">", "$dir/$_[0]") or die "srv: $_[0]: $!\n"; close $f }
my ($s, $closed, $term);
$SIG{USR1} = sub { close $s if $s; $closed = 1; touch("closed.$$") };
# (a signal is blocked while its handler runs: die of it outside)
$SIG{TERM} = sub { $term = 1 };
sub term {
	return unless $term;
	touch("term.$$");
	sleep 0.01 while -e "$dir/hold";
	$SIG{TERM} = "DEFAULT";
	kill TERM => $$;
}
my $n = 1;
$n++ while -e "$dir/run.$n";
open(my $r, ">", "$dir/run.$n.new") or die "srv: $dir: $!\n";
print $r "$$\n";
close $r;
rename("$dir/run.$n.new", "$dir/run.$n") or die "srv: rename: $!\n";
if ($n > 1 && $later eq "gate") { term(), sleep 0.01 until -e "$dir/go.$$" }
$s = IO::Socket::INET->new(LocalAddr => "127.0.0.1", LocalPort => $port,
    Proto => "tcp", Listen => 16, ReuseAddr => 1)
    or die "srv: listen on $port: $@\n";
while (1) {
	term();
	if ($closed) { sleep 1; next }
	my $c = $s->accept or next;
	close $c;
}
EOS
chmod 755 "$T/srv"

# wd DIR: the watchdog's client.  It writes "WATCHDOG_USEC WATCHDOG_PID
# PID NOTIFY_SOCKET" to DIR/env.PID, then sends WATCHDOG=1 every 0.1 s,
# a line in DIR/pings.PID for each, until DIR/stop.PID exists.
cat >"$T/wd" <<'EOS'
#!/usr/bin/perl
use strict;
use Socket;
use Time::HiRes qw(sleep);
my $dir = shift;
open(my $e, ">", "$dir/env.$$.new") or die "wd: $dir: $!\n";
print $e join(" ", map { $_ // "-" } $ENV{WATCHDOG_USEC}, $ENV{WATCHDOG_PID},
    $$, $ENV{NOTIFY_SOCKET}), "\n";
close $e;
rename("$dir/env.$$.new", "$dir/env.$$") or die "wd: rename: $!\n";
my $n = $ENV{NOTIFY_SOCKET} // die "wd: no NOTIFY_SOCKET\n";
$n =~ s/^@/\0/;
socket(my $s, AF_UNIX, SOCK_DGRAM, 0) or die "wd: socket: $!\n";
while (1) {
	unless (-e "$dir/stop.$$") {
		send($s, "WATCHDOG=1", 0, pack_sockaddr_un($n))
		    or die "wd: send: $!\n";
		open(my $p, ">>", "$dir/pings.$$") or die "wd: pings: $!\n";
		print $p "x\n";
		close $p;
	}
	sleep 0.1;
}
EOS
chmod 755 "$T/wd"

# --- 1. --health-cmd: healthy, then failing: unhealthy (one log line,
# the stop schedule), restarted, starting (the new child waits for its
# gate, in the grace), then healthy again
P=$(free_port)
mkdir "$T/h1"
sick='test ! -e sick || { echo sick since now; exit 1; }'
expect 0 "--supervise --health-cmd --ready-port: start exits 0" \
    "$DETACH" start --supervise -p "$T/h1.pid" -o "$T/h1.log" -C "$T/h1" \
    --ready-port="$P" --ready-timeout=30 --health-start=60 \
    --health-cmd="$sick" --health-interval=0.1 --health-retries=2 \
    --restart-delay=0.05 -t 30 -E SRV_DIR="$T/h1" -E SRV_LATER=gate -- \
    "$T/srv" "$P"
sup=$(pid_of "$T/h1.pid" 2>/dev/null)
c1=$(cat "$T/h1/run.1" 2>/dev/null)
track "$sup" "$c1"
check "... it passes its checks: status says healthy" \
    wait_status "$T/h1.pid" "^h1 is running \(pid $sup, supervising pid $c1, healthy; 0 restarts; last exit: none yet; last check [0-9]+ s ago: passed\)$"
json "$T/h1.pid"
check "... status --json: \"state\":\"healthy\", \"health\":\"healthy\", no failures" \
    eval 'says "$T/out" "\"state\":\"healthy\"" &&
    says "$T/out" "\"health\":\"healthy\"" &&
    says "$T/out" "\"health_failures\":0" &&
    says "$T/out" "\"health_result\":\"passed\"" &&
    test -n "$(jnum health_checked_at)"'
: >"$T/h1/hold"
: >"$T/h1/sick"
line="detach[$sup]: h1: pid $c1 is unhealthy: 2 checks failed in a row, the last: --health-cmd=$sick (exit 1: sick since now); stopping it, to restart it"
check "sick: the log says so, with the check's last line of output" \
    wait_for_line "$T/h1.log" "$line"
check "... once" test "$(grep -c "is unhealthy" "$T/h1.log")" = 1
check "... it is sent SIGTERM (the stop schedule)" wait_file "$T/h1/term.$c1" 10 0
run "$DETACH" status -p "$T/h1.pid"
check "... while it stops, status says unhealthy ($(cat "$T/out"))" \
    grep -Eq "^h1 is running \(pid $sup, supervising pid $c1, unhealthy; 0 restarts; last exit: none yet; last check [0-9]+ s ago: failed: --health-cmd=.* \(2 in a row\)\)$" \
    "$T/out"
json "$T/h1.pid"
check "... status --json: unhealthy, 2 failures, the result named" \
    eval 'says "$T/out" "\"state\":\"unhealthy\"" &&
    says "$T/out" "\"health\":\"unhealthy\"" &&
    says "$T/out" "\"health_failures\":2" &&
    says "$T/out" "\"health_result\":\"failed: --health-cmd=test ! -e sick"'
rm -f "$T/h1/hold"
check "... it dies of it, a second child is started" \
    eval 'all_gone "$c1" && wait_file "$T/h1/run.2"'
c2=$(cat "$T/h1/run.2" 2>/dev/null)
track "$c2"
check "... a new pid ($c1 -> $c2)" \
    eval 'test -n "$c2" && test "$c2" != "$c1"'
check "... the log shows the exit and the restart delay" \
    eval 'sed -n "/pid $c1 is unhealthy/,\$p" "$T/h1.log" |
    grep -A1 -xF "detach[$sup]: h1: pid $c1 killed by SIGTERM" |
    grep -qxF "detach[$sup]: h1: restarting in 0.050 s"'
check "the new child waits for its gate: status says starting" \
    wait_status "$T/h1.pid" "^h1 is running \(pid $sup, supervising pid $c2, starting; 1 restarts; last exit: killed by SIGTERM; last check [0-9]+ s ago: failed, in the grace: --health-cmd=.*\)$"
json "$T/h1.pid"
check "... status --json: \"state\":\"starting\", no failures counted" \
    eval 'says "$T/out" "\"state\":\"starting\"" &&
    says "$T/out" "\"health\":\"starting\"" &&
    says "$T/out" "\"health_failures\":0"'
rm -f "$T/h1/sick"
: >"$T/h1/go.$c2"
check "healed and let go: the log says \"pid $c2 is ready\"" \
    wait_for "$T/h1.log" "pid $c2 is ready"
check "... status says healthy" \
    wait_status "$T/h1.pid" "^h1 is running \(pid $sup, supervising pid $c2, healthy; 1 restarts; last exit: killed by SIGTERM; last check [0-9]+ s ago: passed\)$"
check "... the new child listens" port_open "$P"
check "... no second unhealthy line" \
    test "$(grep -c "is unhealthy" "$T/h1.log")" = 1
expect 0 "... stop exits 0" "$DETACH" stop -p "$T/h1.pid"
check "... supervisor and children gone, the port closed" \
    eval 'all_gone "$sup" "$c1" "$c2" && wait_port_closed "$P"'
check "... nothing left" nothing_left "$T/h1.pid"


# --- 2. --health-port: a server that closes its listening socket but
# goes on is restarted, and the new child listens again.  Two checks: a
# round fails when one does, and the message names that one only
# (a --health-cmd that takes 0.5 s is still running when the port fails)
P=$(free_port)
mkdir "$T/h2"
expect 0 "--health-port=127.0.0.1:$P and --health-cmd='sleep 0.5': start exits 0" \
    "$DETACH" start --supervise -p "$T/h2.pid" -o "$T/h2.log" \
    --ready-port="$P" --ready-timeout=30 --health-port="127.0.0.1:$P" \
    --health-cmd='sleep 0.5' --health-interval=0.1 --health-retries=2 \
    --restart-delay=0.05 -E SRV_DIR="$T/h2" -- "$T/srv" "$P"
sup=$(pid_of "$T/h2.pid" 2>/dev/null)
c1=$(cat "$T/h2/run.1" 2>/dev/null)
track "$sup" "$c1"
check "... healthy" wait_status "$T/h2.pid" \
    "^h2 is running \(pid $sup, supervising pid $c1, healthy; 0 restarts;"
kill -USR1 "$c1"
check "SIGUSR1: the server closed its socket and goes on" \
    eval 'wait_file "$T/h2/closed.$c1" 10 0 && wait_port_closed "$P" && alive "$c1"'
check "... the log says unhealthy, naming the port" \
    wait_for "$T/h2.log" "^detach\\[$sup\\]: h2: pid $c1 is unhealthy: 2 checks failed in a row, the last: --health-port=127\\.0\\.0\\.1:$P \\(Connection refused\\)"
check "... and not the --health-cmd that had not failed yet ($(grep -m1 -o "the last: .*" "$T/h2.log"))" \
    says "$T/h2.log" "the last: --health-port=127.0.0.1:$P (Connection refused); stopping it"
check "... it is stopped, a new child is started" \
    eval 'all_gone "$c1" && wait_file "$T/h2/run.2"'
c2=$(cat "$T/h2/run.2" 2>/dev/null)
track "$c2"
check "... which listens again ($c2)" wait_port "$P"
check "... and is healthy" wait_status "$T/h2.pid" \
    "^h2 is running \(pid $sup, supervising pid $c2, healthy; 1 restarts; last exit: killed by SIGTERM; last check [0-9]+ s ago: passed\)$"
expect 0 "... stop exits 0" "$DETACH" stop -p "$T/h2.pid"
check "... supervisor and children gone, nothing left" \
    eval 'all_gone "$sup" "$c1" "$c2" && nothing_left "$T/h2.pid"'


# --- 3. a healthy service is never restarted: 20 rounds at 0.1 s (the
# check counts them in runs); it runs in the service's cwd and env
mkdir "$T/h3"
wd3=$(cd "$T/h3" && pwd -P)
expect 0 "--health-cmd that passes, --health-interval=0.1: start exits 0" \
    "$DETACH" start --supervise -p "$T/h3.pid" -o "$T/h3.log" -C "$T/h3" \
    -E HV=hello --health-cmd='echo "$(pwd -P) $HV" >seen.new; mv seen.new seen; echo x >>runs' \
    --health-interval=0.1 --health-retries=1 --restart-delay=0.05 -- \
    sleep 300
sup=$(pid_of "$T/h3.pid" 2>/dev/null)
c=$(child_of "$T/h3.pid")
track "$sup" "$c"
check "... healthy after its first round" wait_status "$T/h3.pid" \
    "^h3 is running \(pid $sup, supervising pid $c, healthy; 0 restarts; last exit: none yet; last check [0-9]+ s ago: passed\)$"
json "$T/h3.pid"
at1=$(jnum health_checked_at)
n1=$(lines "$T/h3/runs")
check "... the check ran in the service's directory, with its environment ($(cat "$T/h3/seen" 2>/dev/null))" \
    test "$(cat "$T/h3/seen" 2>/dev/null)" = "$wd3 hello"
check "20 more rounds run" \
    wait_file "$T/h3/runs" 30 "$(((n1 + 20) * 2))"
json "$T/h3.pid"
at2=$(jnum health_checked_at)
check "... health_checked_at advanced ($at1 -> $at2)" \
    eval 'test -n "$at1" && test -n "$at2" && test "$at2" -gt "$at1"'
check "... no restart, the same child, no failure" \
    eval 'says "$T/out" "\"restarts\":0" && says "$T/out" "\"child_pid\":$c," &&
    says "$T/out" "\"health_failures\":0" &&
    says "$T/out" "\"state\":\"healthy\"" && alive "$c"'
check "... the log says nothing of health" \
    eval '! grep -q "unhealthy" "$T/h3.log"'
expect 0 "... stop exits 0" "$DETACH" stop -p "$T/h3.pid"
check "... nothing left" \
    eval 'all_gone "$sup" "$c" && nothing_left "$T/h3.pid"'


# --- 4. a check that hangs is killed at --health-timeout, with what it
# started, and counts as a failure: its first two runs hang
# (a script, named by its path, so that no other run's matches)
mkdir "$T/h4"
cat >"$T/h4/hang" <<EOS
#!/bin/sh
test -e h2 && exit 0
if test -e h1; then : >h2; else : >h1; fi
sleep 1000.$$
EOS
chmod 755 "$T/h4/hang"
expect 0 "--health-cmd whose first two runs hang, --health-timeout=0.3: start exits 0" \
    "$DETACH" start --supervise -p "$T/h4.pid" -o "$T/h4.log" -C "$T/h4" \
    --health-cmd="$T/h4/hang" --health-timeout=0.3 --health-interval=0.1 \
    --health-retries=2 --restart-delay=0.05 -- "$T/svc" "$T/h4.kids"
sup=$(pid_of "$T/h4.pid" 2>/dev/null)
c1=$(nth "$T/h4.kids" 1)
track "$sup" "$c1"
check "two runs hang: the log says unhealthy after the second" \
    wait_for "$T/h4.log" "pid $c1 is unhealthy: 2 checks failed in a row, the last: --health-cmd=$T/h4/hang \\(.*killed\\); stopping it, to restart it\$"
check "... both runs had begun" eval 'test -e "$T/h4/h1" && test -e "$T/h4/h2"'
check "... the reason gives --health-timeout (0.3 s), not the 5 s of a --ready-cmd run ($(grep -o "(a run took[^)]*)" "$T/h4.log" | head -n 1))" \
    eval '! grep -q "took over 5 s" "$T/h4.log"'
check "... the hanging runs are gone (hang and its sleep), the supervisor still runs" \
    eval 'none_with_cmdline "sleep 1000.$$" && none_with_cmdline "$T/h4/hang" &&
    alive "$sup"'
c2=$(nth "$T/h4.kids" 2)
track "$c2"
check "... a new child ($c2) passes its checks" wait_status "$T/h4.pid" \
    "^h4 is running \(pid $sup, supervising pid $c2, healthy; 1 restarts;"
expect 0 "... stop exits 0" "$DETACH" stop -p "$T/h4.pid"
check "... nothing left" \
    eval 'all_gone "$sup" "$c1" "$c2" && nothing_left "$T/h4.pid"'


# --- 5. -u nobody: the check runs as the service user
mkdir -m 777 "$T/h5"
if [ "$ROOT" = 1 ] && getent passwd nobody >/dev/null; then
	expect 0 "-u nobody --health-cmd='id -un >seen.new; mv ...': start exits 0" \
	    "$DETACH" start --supervise -p "$T/h5.pid" -o "$T/h5.log" \
	    -C "$T/h5" -u nobody --health-cmd='id -un >seen.new; mv seen.new seen' \
	    --health-interval=0.1 -- sleep 300
	sup=$(pid_of "$T/h5.pid" 2>/dev/null)
	c=$(child_of "$T/h5.pid")
	track "$sup" "$c"
	wait_file "$T/h5/seen" 10
	check "... the check ran as nobody ($(cat "$T/h5/seen" 2>/dev/null))" \
	    test "$(cat "$T/h5/seen" 2>/dev/null)" = nobody
	"$DETACH" stop -p "$T/h5.pid"
	check "... stopped, nothing left" \
	    eval 'all_gone "$sup" "$c" && nothing_left "$T/h5.pid"'
else
	for i in 1 2 3; do
		skip "not root (or no user nobody): -u is root's"
	done
fi


# --- 6. --watchdog
mkdir "$T/w1"
expect 0 "--watchdog=0.5, a child that pings every 0.1 s: start exits 0" \
    "$DETACH" start --supervise -p "$T/w1.pid" -o "$T/w1.log" \
    --watchdog=0.5 --restart-delay=0.05 -- "$T/wd" "$T/w1"
sup=$(pid_of "$T/w1.pid" 2>/dev/null)
c1=$(child_of "$T/w1.pid")
track "$sup" "$c1"
wait_file "$T/w1/env.$c1" 10
read -r usec wpid self sock <"$T/w1/env.$c1"
check "... it got WATCHDOG_USEC=500000 ($usec)" test "$usec" = 500000
check "... WATCHDOG_PID, its own pid ($wpid, $self, $c1)" \
    eval 'test "$wpid" = "$self" && test "$self" = "$c1"'
check "... and an abstract NOTIFY_SOCKET ($sock)" \
    eval 'case $sock in @detach-?*) true;; *) false;; esac'
check "20 pings (2 s, four times the watchdog)" \
    wait_file "$T/w1/pings.$c1" 30 40
check "... no restart, the same child" \
    eval 'alive "$c1" && test "$(child_of "$T/w1.pid")" = "$c1" &&
    ! grep -q "unhealthy" "$T/w1.log"'
run "$DETACH" status -p "$T/w1.pid"
check "... status: 0 restarts ($(cat "$T/out"))" \
    says "$T/out" "supervising pid $c1; 0 restarts;"
: >"$T/w1/stop.$c1"
check "it stops pinging: the log says unhealthy" \
    wait_for_line "$T/w1.log" "detach[$sup]: w1: pid $c1 is unhealthy: no WATCHDOG=1 within 0.500 s; stopping it, to restart it"
c2=$(wait_child "$T/w1.pid" "$c1" 10)
track "$c2"
check "... it is stopped, a new child runs ($c2)" \
    eval 'test -n "$c2" && all_gone "$c1"'
check "... which pings in turn" wait_file "$T/w1/pings.$c2" 10
run "$DETACH" status -p "$T/w1.pid"
check "... status: 1 restarts ($(cat "$T/out"))" \
    says "$T/out" "supervising pid $c2; 1 restarts; last exit: killed by SIGTERM"
expect 0 "... stop exits 0" "$DETACH" stop -p "$T/w1.pid"
check "... nothing left" \
    eval 'all_gone "$sup" "$c1" "$c2" && nothing_left "$T/w1.pid"'

# pings from a process below the child count too
mkdir "$T/w2"
expect 0 "--watchdog=0.5, the pings sent by the child's child: start exits 0" \
    "$DETACH" start --supervise -p "$T/w2.pid" -o "$T/w2.log" \
    --watchdog=0.5 --restart-delay=0.05 -- \
    sh -c '"$1" "$0" & echo $! >"$0/kid"; wait' "$T/w2" "$T/wd"
sup=$(pid_of "$T/w2.pid" 2>/dev/null)
c=$(child_of "$T/w2.pid")
track "$sup" "$c"
wait_file "$T/w2/kid" 10
k=$(cat "$T/w2/kid" 2>/dev/null)
track "$k"
read -r usec wpid self sock <"$T/w2/env.$k" 2>/dev/null
check "... the grandchild ($k) sees WATCHDOG_PID of the child ($wpid, $c)" \
    eval 'test -n "$k" && test "$wpid" = "$c" && test "$self" = "$k"'
check "... 20 of its pings, no restart" \
    eval 'wait_file "$T/w2/pings.$k" 30 40 && alive "$c" &&
    test "$(child_of "$T/w2.pid")" = "$c" && ! grep -q "unhealthy" "$T/w2.log"'
expect 0 "... stop exits 0" "$DETACH" stop -p "$T/w2.pid"
check "... both gone, nothing left" \
    eval 'all_gone "$sup" "$c" "$k" && nothing_left "$T/w2.pid"'


# --- 7. always unhealthy: restarted with the backoff, until it gives up
expect 0 "--health-cmd=false --health-retries=1 --max-restarts=3: start exits 0" \
    "$DETACH" start --supervise -p "$T/h7.pid" -o "$T/h7.log" \
    --health-cmd=false --health-interval=0.1 --health-retries=1 \
    --restart-delay=0.05 --max-restarts=3 --restart-window=60 -- sleep 300
sup=$(pid_of "$T/h7.pid" 2>/dev/null)
track "$sup"
check "the log says \"giving up: 3 restarts within 60.000 s\"" \
    wait_for_line "$T/h7.log" "detach[$sup]: h7: giving up: 3 restarts within 60.000 s" 30
check "... the supervisor exits" wait_gone "$sup" 10
check "... pidfile and record are gone" nothing_left "$T/h7.pid"
check "... four children were found unhealthy" \
    test "$(grep -c "is unhealthy: 1 check failed in a row, the last: --health-cmd=false (exit 1); stopping it, to restart it" "$T/h7.log")" = 4
check "... restarted after 0.05, 0.1 and 0.2 s" \
    test "$(sed -n 's/.*: restarting in \(.*\) s$/\1/p' "$T/h7.log" | tr '\n' ' ')" = "0.050 0.100 0.200 "
kids=$(sed -n 's/.*: pid \([0-9]*\) is unhealthy.*/\1/p' "$T/h7.log" | tr '\n' ' ')
check "... the children are gone ($kids)" all_gone $kids


# --- 7b. a long --health-cmd: the log line still says why it failed
long=": $(printf '%080d' 0); false"
expect 0 "a --health-cmd of ${#long} characters that fails: start exits 0" \
    "$DETACH" start --supervise -p "$T/h7b.pid" -o "$T/h7b.log" \
    --health-cmd="$long" --health-interval=0.1 --health-retries=1 \
    --restart-delay=0.05 -- "$T/svc" "$T/h7b.kids"
sup=$(pid_of "$T/h7b.pid" 2>/dev/null)
c=$(nth "$T/h7b.kids" 1)
track "$sup" "$c"
check "... the log says unhealthy" wait_for "$T/h7b.log" "pid $c is unhealthy"
check "... giving the whole command and its exit ($(grep -m1 -o "the last: .*" "$T/h7b.log"))" \
    says "$T/h7b.log" "the last: --health-cmd=$long (exit 1); stopping it"
expect 0 "... stop exits 0" "$DETACH" stop -p "$T/h7b.pid"
check "... nothing left" eval 'all_gone "$sup" $(cat "$T/h7b.kids") && nothing_left "$T/h7b.pid"'


# --- 8. --health-start: failures in the grace do not count
mkdir "$T/h8"
expect 0 "--health-start=30 --health-cmd=false: start exits 0" \
    "$DETACH" start --supervise -p "$T/h8.pid" -o "$T/h8.log" -C "$T/h8" \
    --health-start=30 --health-cmd='echo x >>runs; false' \
    --health-interval=0.1 --health-retries=1 --restart-delay=0.05 -- \
    sleep 300
sup=$(pid_of "$T/h8.pid" 2>/dev/null)
c=$(child_of "$T/h8.pid")
track "$sup" "$c"
check "5 rounds run" wait_file "$T/h8/runs" 10 10
check "... status: starting, failed in the grace" wait_status "$T/h8.pid" \
    "^h8 is running \(pid $sup, supervising pid $c, starting; 0 restarts; last exit: none yet; last check [0-9]+ s ago: failed, in the grace: --health-cmd=echo x >>runs; false \(exit 1\)\)$"
json "$T/h8.pid"
check "... status --json: starting, health_failures 0" \
    eval 'says "$T/out" "\"state\":\"starting\"" &&
    says "$T/out" "\"health_failures\":0" &&
    says "$T/out" "\"health_result\":\"failed, in the grace: "'
check "... not restarted, the log says nothing of health" \
    eval 'alive "$c" && test "$(child_of "$T/h8.pid")" = "$c" &&
    ! grep -q "unhealthy" "$T/h8.log"'
expect 0 "... stop exits 0" "$DETACH" stop -p "$T/h8.pid"
check "... nothing left" \
    eval 'all_gone "$sup" "$c" && nothing_left "$T/h8.pid"'


# --- 9. before the first round; a check that runs when stop comes
expect 0 "--health-interval=30: start exits 0" \
    "$DETACH" start --supervise -p "$T/h9a.pid" -o "$T/h9a.log" \
    --health-cmd=true --health-interval=30 -- sleep 300
sup=$(pid_of "$T/h9a.pid" 2>/dev/null)
c=$(child_of "$T/h9a.pid")
track "$sup" "$c"
run "$DETACH" status -p "$T/h9a.pid"
check "before its first round, status says starting, not checked yet ($(cat "$T/out"))" \
    test "$(cat "$T/out")" = "h9a is running (pid $sup, supervising pid $c, starting; 0 restarts; last exit: none yet; not checked yet)"
json "$T/h9a.pid"
check "... status --json: \"state\":\"starting\", \"health_checked_at\":null" \
    eval 'says "$T/out" "\"state\":\"starting\"" &&
    says "$T/out" "\"health_checked_at\":null"'
"$DETACH" stop -p "$T/h9a.pid"
check "... stopped, nothing left" \
    eval 'all_gone "$sup" "$c" && nothing_left "$T/h9a.pid"'

# the first child's first round fails and makes the next round hang:
# the second child is found sick by nobody, and its check runs at stop
mkdir "$T/h9"
: >"$T/h9/sick"
expect 0 "a first round that fails, a second that hangs: start exits 0" \
    "$DETACH" start --supervise -p "$T/h9.pid" -o "$T/h9.log" -C "$T/h9" \
    --health-cmd="if test -e sick; then rm sick; exit 1; fi; : >began; sleep 1001.$$" \
    --health-interval=0.1 --health-timeout=60 --health-retries=1 \
    --restart-delay=0.05 -- "$T/svc" "$T/h9.kids"
sup=$(pid_of "$T/h9.pid" 2>/dev/null)
c1=$(nth "$T/h9.kids" 1)
track "$sup" "$c1"
check "the first child is unhealthy" \
    wait_for "$T/h9.log" "pid $c1 is unhealthy: 1 check failed in a row"
c2=$(nth "$T/h9.kids" 2)
track "$c2"
check "... the second one's first round hangs" wait_file "$T/h9/began" 10 0
run "$DETACH" status -p "$T/h9.pid"
check "... meanwhile status says starting, not the first child's unhealthy ($(cat "$T/out"))" \
    grep -Eq "^h9 is running \(pid $sup, supervising pid $c2, starting; 1 restarts; last exit: killed by SIGTERM; not checked yet\)$" \
    "$T/out"
check "... its sleep runs" eval 'test -n "$(with_cmdline "sleep 1001.$$")"'
expect 0 "stop while the check runs: exit 0" "$DETACH" stop -p "$T/h9.pid"
check "... the check is killed (sh and sleep 1001.$$)" \
    none_with_cmdline "1001.$$"
check "... supervisor and children gone, nothing left" \
    eval 'all_gone "$sup" "$c1" "$c2" && nothing_left "$T/h9.pid"'


# --- detach list: its STATE column, in the default directory:
# $XDG_RUNTIME_DIR/detach for a user (pointed into $T); /run/detach for
# root, in a private mount namespace with a tmpfs on /run (as list.sh
# and ready-probes.sh do), so the real /run is never touched.
cat >"$T/listrun" <<'EOS'
set -u
dir=$( [ "$(id -u)" = 0 ] && echo /run/detach || echo "$XDG_RUNTIME_DIR/detach")
# until list shows hl in state $1 (bounded)
until_list() {
	local i
	for i in $(seq 200); do
		"$DETACH" list >"$T/l.out" 2>&1
		grep -Eq "^hl +[0-9]+/[0-9]+ +$1 " "$T/l.out" && return 0
		sleep 0.05
	done
	return 1
}
: >"$T/hl/sick"
"$DETACH" start -n hl --supervise -C "$T/hl" --health-cmd='test ! -e sick' \
    --health-interval=0.1 --health-retries=1000 -- sleep 300 >/dev/null 2>&1
tr -dc 0-9 <"$dir/hl.pid" >"$T/l.daemon"
until_list starting && cp "$T/l.out" "$T/l1.out"
rm -f "$T/hl/sick"
until_list healthy && cp "$T/l.out" "$T/l2.out"
"$DETACH" stop -n hl >/dev/null 2>&1
EOS
mkdir "$T/hl"
how=
if [ "$ROOT" = 0 ]; then
	mkdir -m 700 "$T/xdg"
	XDG_RUNTIME_DIR="$T/xdg" T="$T" DETACH="$DETACH" timeout 60 \
	    bash "$T/listrun"
	how=user
elif unshare -m true 2>/dev/null; then
	T="$T" DETACH="$DETACH" timeout 60 \
	    unshare -m bash -c 'mount -n -t tmpfs tmpfs /run && exec bash "$0"' \
	    "$T/listrun"
	how=root
fi
if [ -n "$how" ]; then
	d=$(cat "$T/l.daemon" 2>/dev/null); track "$d"
	check "list, no round passed yet: STATE starting ($(grep hl "$T/l1.out" 2>/dev/null))" \
	    grep -Eq "^hl +$d/[0-9]+ +starting " "$T/l1.out"
	check "... once one passed: STATE healthy ($(grep hl "$T/l2.out" 2>/dev/null))" \
	    grep -Eq "^hl +$d/[0-9]+ +healthy " "$T/l2.out"
	check "... stopped, it is gone" all_gone "$d"
else
	for i in 1 2 3; do
		skip "root without mount namespaces: list's /run/detach is not ours"
	done
fi


# --- a real server that hangs: redis-server, stopped with SIGSTOP, still
# accepts connections (the kernel's backlog) but answers nothing; the
# check's redis-cli hangs until --health-timeout, and the supervisor
# replaces the hung server with one that answers.
REDIS=$(need redis-server)
RCLI=$(need redis-cli)
if [ -n "$REDIS" ] && [ -n "$RCLI" ]; then
	RP=$(free_port)
	mkdir "$T/rh"
	expect 0 "redis-server --supervise --health-cmd='redis-cli ping': start exits 0" \
	    "$DETACH" start --supervise -p "$T/rh.pid" -o "$T/rh.log" \
	    --restart-delay=0.05 -t 0.5 --ready-log='Ready to accept' \
	    --health-cmd="$RCLI -p $RP ping | grep -q PONG" \
	    --health-interval=0.2 --health-timeout=0.5 --health-retries=2 -- \
	    "$REDIS" --port "$RP" --dir "$T/rh" --save '' --appendonly no \
	    --daemonize no --bind 127.0.0.1 --logfile ''
	sup=$(pid_of "$T/rh.pid" 2>/dev/null)
	r1=$(child_of "$T/rh.pid")
	track "$sup" "$r1"
	check "... healthy once a check passed" \
	    wait_status "$T/rh.pid" "supervising pid $r1, healthy;"
	kill -STOP "$r1"
	check "... hung with SIGSTOP: unhealthy after 2 checks that hang" \
	    wait_for "$T/rh.log" "pid $r1 is unhealthy: 2 checks failed in a row, the last: --health-cmd=.* \\(a run took over 0\\.500 s, killed\\)" 20
	check "... a new redis answers PONG" \
	    wait_status "$T/rh.pid" "healthy; 1 restarts" 20
	r2=$(child_of "$T/rh.pid")
	track "$r2"
	check "... the hung one is gone, the new one ($r2) answers" \
	    eval 'all_gone "$r1" && test "$r2" != "$r1" &&
	    test "$(timeout 5 "$RCLI" -p "$RP" ping)" = PONG'
	expect 0 "... stop exits 0" "$DETACH" stop -p "$T/rh.pid"
	check "... nothing left" \
	    eval 'all_gone "$sup" "$r2" && nothing_left "$T/rh.pid"'
else
	for i in 1 2 3 4 5 6 7; do skip "redis-server or redis-cli is missing"; done
fi

# --- 10. usage errors: exit 64, a reason, no pidfile
u=$T/u.pid
for bad in --health-cmd=true --health-port=80 --health-interval=1 \
    --health-timeout=1 --health-retries=1 --health-start=1 --watchdog=1; do
	expect 64 "start $bad without --supervise" \
	    "$DETACH" start -p "$u" "$bad" -- sleep 300
	check "... says why, no pidfile ($(head -n 1 "$T/err"))" \
	    eval 'names "$T/err" "${bad%%=*}" && test ! -e "$u"'
done
for bad in --health-interval=0 --health-interval=-1 --health-interval=abc \
    --health-timeout=0 --health-retries=0 --health-port=0 \
    --health-port=65536 --health-port=::1:80 --health-cmd= --watchdog=0; do
	expect 64 "start --supervise $bad" \
	    "$DETACH" start --supervise -p "$u" --health-cmd=true "$bad" -- \
	    sleep 300
	check "... says why, no pidfile ($(head -n 1 "$T/err"))" \
	    eval 'names "$T/err" "${bad%%=*}" && test ! -e "$u"'
done
expect 64 "start --supervise --health-interval=1 without a check" \
    "$DETACH" start --supervise -p "$u" --health-interval=1 -- sleep 300
check "... says why, no pidfile ($(head -n 1 "$T/err"))" \
    eval 'names "$T/err" "--health-cmd or --health-port" && test ! -e "$u"'
for other in --ready-fd=3 --wait=1; do
	expect 64 "start --supervise --watchdog=1 $other" \
	    "$DETACH" start --supervise -p "$u" --watchdog=1 "$other" -- \
	    sleep 300
	check "... says why, no pidfile ($(head -n 1 "$T/err"))" \
	    eval 'names "$T/err" "--watchdog" && test ! -e "$u"'
done
expect 64 "restart --health-cmd=true without --supervise" \
    "$DETACH" restart -p "$u" --health-cmd=true -- sleep 300
check "... says why, no pidfile ($(head -n 1 "$T/err"))" \
    eval 'names "$T/err" "--health-cmd" && test ! -e "$u"'
expect 64 "restart --supervise --health-retries=0" \
    "$DETACH" restart --supervise -p "$u" --health-cmd=true \
    --health-retries=0 -- sleep 300
check "... says why, no pidfile ($(head -n 1 "$T/err"))" \
    eval 'names "$T/err" "--health-retries" && test ! -e "$u"'

done_testing
