#!/bin/bash
# detach start --supervise: pidfiles, restarts and their delays, giving
# up, stop escalation, signals, and nothing left behind.
. "${srcdir:-$(dirname "$0")/../..}/tests/lib.sh"

plan 51

# holds FILE PID: true if PID has FILE open
holds() {
	local f
	for f in /proc/"$2"/fd/*; do
		[ "$(readlink "$f")" = "$1" ] && return 0
	done
	return 1
}

# wait_child_change CHILDPIDFILE OLDPID: wait for a new child pid
wait_child_change() {
	local i p
	wait_gone "$2" 10 || return 1
	for i in 1 2 3 4 5 6 7 8 9 10; do
		wait_file "$1" 10 || return 1
		p=$(pid_of "$1")
		[ -n "$p" ] && [ "$p" != "$2" ] && { echo "$p"; return 0; }
		"$TESTTOOL" waitgone "$2" 0.5 >/dev/null
	done
	return 1
}

cat >"$T/catcher" <<EOS
#!/usr/bin/perl
\$| = 1;
\$SIG{HUP} = sub { open(my \$f, ">>", "$T/got"); print \$f "HUP \$\$\\n";
    close \$f };
print "child \$\$ up\\n";
open(my \$r, ">", "$T/up.\$\$"); close \$r;
sleep 1 while 1;
EOS
chmod 755 "$T/catcher"

# --- pidfiles and locks
"$DETACH" start --supervise -p "$T/s.pid" --child-pidfile="$T/c.pid" \
    -o "$T/s.log" --restart-delay=0.2 -- "$T/catcher"
check "start --supervise exits 0" test $? = 0
sup=$(pid_of "$T/s.pid")
child=$(pid_of "$T/c.pid")
track "$sup" "$child"
check "the pidfile names the supervisor, which holds it" holds "$T/s.pid" "$sup"
check "the pidfile is locked" locked "$T/s.pid"
check "the child pidfile names the supervisor's child" \
    test "$(awk '/^PPid:/ { print $2 }' /proc/"$child"/status)" = "$sup"
check "the child pidfile is locked (by the supervisor)" locked "$T/c.pid"
check "the child holds neither pidfile" \
    sh -c "! ls -l /proc/$child/fd | grep -q '\\.pid'"
check "the child leads its own process group" \
    test "$(cut -d' ' -f5 /proc/"$child"/stat)" = "$child"
check "the supervisor's title says what it supervises" \
    grep -q "supervising $T/catcher (pid $child)" /proc/"$sup"/cmdline
expect 0 "status exits 0" "$DETACH" status -p "$T/s.pid"
check "... naming supervisor, child and restart count" \
    grep -q "running (pid $sup, supervising pid $child; 0 restarts" "$T/out"
expect 4 "status refuses the child pidfile" "$DETACH" status -p "$T/c.pid"
check "... with a hint at the supervisor's" grep -q "child pidfile" "$T/out"
expect 3 "stop refuses the child pidfile" "$DETACH" stop -s KILL -p "$T/c.pid"
expect 3 "signal refuses the child pidfile" \
    "$DETACH" signal -p "$T/c.pid" KILL
check "... and the child still runs" alive "$child"

# --- detach signal reaches the child, and only the child
wait_file "$T/up.$child" 10 0
expect 0 "signal HUP exits 0" "$DETACH" signal -p "$T/s.pid" HUP
wait_file "$T/got"
check "the child received HUP" grep -qx "HUP $child" "$T/got"
check "... and was neither stopped nor restarted" \
    sh -c "kill -0 $child && kill -0 $sup && test \$(cat '$T/c.pid') = $child"

# --- a killed child is restarted, and the child pidfile follows
kill -9 "$child"
new=$(wait_child_change "$T/c.pid" "$child")
check "kill -9 of the child: a new child runs" test -n "$new"
check "... under the same supervisor" \
    test "$(awk '/^PPid:/ { print $2 }' /proc/"$new"/status)" = "$sup"
track "$new"
expect 0 "status counts the restart and the last exit" \
    "$DETACH" status -p "$T/s.pid"
check "... ($(cat "$T/out"))" \
    grep -q "supervising pid $new; 1 restarts; last exit: killed by SIGKILL" \
    "$T/out"
check "the exit was logged" grep -q "pid $child killed by SIGKILL" "$T/s.log"

# --- stop: returns when supervisor and child are gone
expect 0 "stop exits 0" "$DETACH" stop -p "$T/s.pid"
check "the supervisor is gone" gone "$sup"
check "the child is gone" gone "$new"
check "both pidfiles and the state file are removed" \
    test ! -e "$T/s.pid" -a ! -e "$T/c.pid" -a ! -e "$T/s.pid.state"

# --- giving up
"$DETACH" start --supervise -p "$T/g.pid" -o "$T/g.log" --restart-delay=0 \
    --max-restarts=3 -- sh -c 'echo run; exit 1'
# it may be done before we could read its pidfile: its log names it
wait_grep 20 "$T/g.log" -F "supervisor exiting"
sup=$(sed -n 's/^detach\[\([0-9]*\)\]: .*/\1/p' "$T/g.log" | head -n 1)
track "$sup"
check "a child that keeps failing: the supervisor gives up and exits" \
    eval 'test -n "$sup" && wait_gone "$sup"'
check "it ran 1 + 3 times" test "$(grep -c '^run$' "$T/g.log")" = 4
check "it logged why" grep -q "giving up: 3 restarts" "$T/g.log"
check "it removed its pidfile" test ! -e "$T/g.pid"
expect 3 "status: not running" "$DETACH" status -p "$T/g.pid"

# --- delays double and are capped
"$DETACH" start --supervise -p "$T/d.pid" -o "$T/d.log" \
    --restart-delay=0.1 --restart-delay-max=0.4 --max-restarts=5 -- \
    sh -c "$TESTTOOL now >>'$T/starts'; exit 1"
sup=$(pid_of "$T/d.pid"); track "$sup"
wait_gone "$sup" 20
check "delays logged: 0.1, 0.2, 0.4, 0.4, 0.4 s" \
    test "$(grep -o 'restarting in [0-9.]* s' "$T/d.log" | tr '\n' ' ')" = \
    "restarting in 0.100 s restarting in 0.200 s restarting in 0.400 s restarting in 0.400 s restarting in 0.400 s "
gaps=$(awk 'NR > 1 { printf "%d ", $1 - prev } { prev = $1 }' "$T/starts")
check "gaps between child starts respect them ($gaps ms)" \
    awk -v g="$gaps" 'BEGIN { n = split(g, a, " "); split("100 200 400 400 400", w, " ");
        for (i = 1; i <= 5; i++) if (a[i] < w[i]) exit 1; exit n != 5 }'

# --- exit 0 with on-failure: no restart
mkfifo "$T/fifo"
"$DETACH" start --supervise -p "$T/z.pid" -o "$T/z.log" -- \
    sh -c "read x <'$T/fifo'; exit 0"
sup=$(pid_of "$T/z.pid"); track "$sup"
timeout 10 sh -c "echo go >'$T/fifo'"
wait_gone "$sup"
check "exit 0 under --restart=on-failure: supervisor exits, no restart" \
    sh -c "grep -q 'not restarting' '$T/z.log' && test ! -e '$T/z.pid'"

# --- stop escalates through the caller's schedule
sup=$(start_perl "$T/t.pid" '$SIG{TERM} = "IGNORE"' --supervise \
    --child-pidfile="$T/tc.pid")
child=$(pid_of "$T/tc.pid"); track "$child"
t0=$(now_ms)
expect 0 "stop -t 0.3 of a TERM-ignoring child" "$DETACH" stop -p "$T/t.pid" -t 0.3
t1=$(now_ms)
check "both are gone, after the timeout ($((t1 - t0)) ms)" \
    sh -c "$TESTTOOL waitgone $sup 0 && $TESTTOOL waitgone $child 0 && test $((t1 - t0)) -ge 300"

sup=$(start_perl "$T/x.pid" '$SIG{TERM} = "IGNORE"' --supervise \
    --child-pidfile="$T/xc.pid")
child=$(pid_of "$T/xc.pid"); track "$child"
expect 2 "a schedule without KILL runs out: exit 2" \
    "$DETACH" stop -p "$T/x.pid" -R TERM/0.2
check "... both still run" sh -c "kill -0 $sup && kill -0 $child"
expect 0 "a later stop finishes the job" "$DETACH" stop -p "$T/x.pid" -s KILL

# --- a plain TERM to the supervisor means stop
"$DETACH" start --supervise -p "$T/p.pid" --child-pidfile="$T/pc.pid" -- \
    sleep 300
sup=$(pid_of "$T/p.pid"); child=$(pid_of "$T/pc.pid"); track "$sup" "$child"
kill -TERM "$sup"
wait_gone "$sup"
check "TERM to the supervisor stops child and supervisor" \
    sh -c "$TESTTOOL waitgone $child 0 && $TESTTOOL waitgone $sup 0"

# --- stop during a restart delay
"$DETACH" start --supervise -p "$T/b.pid" --child-pidfile="$T/bc.pid" \
    -o "$T/b.log" --restart-delay=60 -- sleep 300
sup=$(pid_of "$T/b.pid"); child=$(pid_of "$T/bc.pid"); track "$sup" "$child"
kill -9 "$child"
wait_gone "$child"
wait_file "$T/b.log" 10 60
t0=$(now_ms)
expect 0 "stop during a 60 s restart delay" "$DETACH" stop -p "$T/b.pid"
t1=$(now_ms)
check "... returns at once ($((t1 - t0)) ms) and nothing respawned" \
    sh -c "test $((t1 - t0)) -lt 5000 && test ! -e '$T/bc.pid' && $TESTTOOL waitgone $sup 0"

# --- nothing the service spawned outlives it
"$DETACH" start --supervise -p "$T/k.pid" --child-pidfile="$T/kc.pid" -- \
    sh -c "sleep 301 & echo \$! >'$T/gc1'; setsid sleep 302 & echo \$! >'$T/gc2'; exec sleep 300"
sup=$(pid_of "$T/k.pid"); track "$sup" "$(pid_of "$T/kc.pid")"
wait_file "$T/gc1"; wait_file "$T/gc2"
gc1=$(cat "$T/gc1"); gc2=$(cat "$T/gc2"); track "$gc1" "$gc2"
expect 0 "stop of a child with background grandchildren" \
    "$DETACH" stop -p "$T/k.pid"
check "a grandchild in the child's group is gone" gone "$gc1"
check "a grandchild that left the group (setsid) is gone" gone "$gc2"

# --- a restart first kills what the dead child left behind
cat >"$T/leaves" <<'EOS'
if [ ! -e "$1.done" ]; then
	sleep 303 &
	echo $! >"$1.job"
	: >"$1.done"
	exit 1
fi
exec sleep 300
EOS
"$DETACH" start --supervise -p "$T/l.pid" --child-pidfile="$T/lc.pid" \
    --restart-delay=0.1 -- sh "$T/leaves" "$T/l"
sup=$(pid_of "$T/l.pid"); track "$sup"
wait_file "$T/l.job"
job=$(cat "$T/l.job"); track "$job"
# (the record is rewritten in place, the same size: poll it)
restarted() {
	local end=$(($(now_ms) + 10000))
	until grep -qx "restarts 1" "$1"; do
		[ "$(now_ms)" -lt "$end" ] || return 1
		sleep 0.05
	done
}
check "a child that exits and leaves a job is restarted" \
    restarted "$T/l.pid.state"
new=$(pid_of "$T/lc.pid"); track "$new"
check "... the new child ($new) runs" eval 'test -n "$new" && alive "$new"'
check "... and the background job its dead predecessor left is gone" \
    gone "$job"
"$DETACH" stop -p "$T/l.pid" >/dev/null 2>&1

# --- a command that cannot be run
expect 127 "start --supervise of a missing command exits 127" \
    "$DETACH" start --supervise -p "$T/m.pid" -- detach-no-such-command
check "... leaving no pidfile and no state file" \
    test ! -e "$T/m.pid" -a ! -e "$T/m.pid.state"

done_testing
