#!/bin/bash
# Health checks of --supervise (--health-cmd, --health-port, their
# interval, timeout, retries): a child that fails its checks is logged
# as unhealthy once, stopped and restarted as a failure; a server that
# closes its listener, or hangs (a real redis-server), is replaced; a
# healthy one never is; a check that hangs is killed at its timeout; the
# check runs as the service user.  health-more.sh has the watchdog, the
# backoff, the grace, stop, list and the usage errors.  States are made
# by gate files the test creates, never by waiting a while.
TOP=$(cd "${srcdir:-$(dirname "$0")/../..}" && pwd)
. "$TOP/tests/lib.sh"		# (it moves to $T)
. "$TOP/tests/legacy-lib.sh"
. "$TOP/tests/health-lib.sh"

plan 57
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

done_testing
