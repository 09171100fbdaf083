#!/bin/bash
# More of --supervise's health checks (health.sh has the core): the
# sd_notify watchdog (--watchdog), an always-unhealthy service that
# backs off and gives up, the --health-start grace, a check that runs
# when stop comes, states before the first round, detach list, and the
# usage errors (64).
TOP=$(cd "${srcdir:-$(dirname "$0")/../..}" && pwd)
. "$TOP/tests/lib.sh"		# (it moves to $T)
. "$TOP/tests/legacy-lib.sh"
. "$TOP/tests/health-lib.sh"

plan 98
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


# --- 8b. nor do failures before the child is ready: start reports that
expect 3 "--health-cmd=false while start waits for --ready-file: start exits 3" \
    "$DETACH" start --supervise -p "$T/h8b.pid" -o "$T/h8b.log" \
    --ready-file="$T/h8b.never" --ready-timeout=1 --health-cmd=false \
    --health-interval=0.1 --health-retries=1 -- sleep 300
check "... as not ready, not as unhealthy ($(head -n 1 "$T/err"))" \
    eval 'says "$T/err" "was not ready within 1.000 s" &&
    ! grep -q unhealthy "$T/h8b.log" && nothing_left "$T/h8b.pid"'

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
how=$(private_run "$T/listrun")
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

