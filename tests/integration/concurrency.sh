#!/bin/bash
# Concurrency: racing starts, probes racing starts, parallel daemons.
. "${srcdir:-$(dirname "$0")/../..}/tests/lib.sh"

plan 15

# Cycles of sections 2 and 3; fewer when oldkernel.sh re-runs this under
# tests/nosys, where only detach's way of waiting differs.
CYCLES=10 WORKERS=10 ROUNDS=5
[ -n "${DETACH_NOSYS:-}" ] && CYCLES=4 WORKERS=4 ROUNDS=3

# holders PATTERN: the pids that have a file matching PATTERN open.
holders() {
	find /proc/[0-9]*/fd -maxdepth 1 -lname "$1" 2>/dev/null |
	    cut -d/ -f3 | sort -un
}

# 1. Twenty starts at once on one pidfile: exactly one wins.
f=$T/same.pid
N=20
for i in $(seq $N); do
	"$DETACH" start -p "$f" -- sleep 300 >"$T/start$i.out" 2>&1 &
	spid[i]=$!
done
won=0 lost=0 other=""
for i in $(seq $N); do
	wait "${spid[i]}"
	rc[i]=$?
	case ${rc[i]} in
	0) won=$((won + 1)) ;;
	1) lost=$((lost + 1)) ;;
	*) other="$other $i:${rc[i]}" ;;
	esac
done
h=$(holders "$f" | tr '\n' ' ')
track $h
check "$N concurrent starts: exactly one exits 0 ($won)" test "$won" = 1
check "the other $((N - 1)) exit 1 ($lost; others:${other:- none})" \
    test "$lost" = $((N - 1)) -a -z "$other"
for i in $(seq $N); do
	if [ "${rc[i]}" != 0 ] && ! grep -q "already running" "$T/start$i.out"
	then
		echo "start $i (exit ${rc[i]}) said: $(cat "$T/start$i.out")" |
		    diag
		bad=1
	fi
done
check "every loser says \"already running\"" test -z "${bad:-}"
pid=$(pid_of "$f")
track "$pid"
check "exactly one process has the pidfile open ($h)" \
    test "$(echo $h)" != "" -a "$(echo $h | wc -w)" = 1
check "it is the pid in the pidfile ($pid)" test "$(echo $h)" = "$pid"
expect 0 "stop exits 0" "$DETACH" stop -p "$f"
check "the daemon is gone, and so is the pidfile" \
    eval 'wait_gone "$pid" && test ! -e "$f"'

# 2. Start/stop cycles while status probes the pidfile without pause: the
# probe's instant shared lock must never make a start fail.
f=$T/probed.pid
true &
dead=$!
wait "$dead"
echo "$dead" >"$f"	# a stale pidfile
probe_loop() {
	local n=0
	while [ "$n" -lt 2000 ] && [ ! -e "$T/cycles.done" ]; do
		"$DETACH" status -p "$f" >/dev/null 2>&1
		echo $? >>"$T/probe.$1"
		n=$((n + 1))
	done
}
probe_loop a &
loop1=$!
probe_loop b &
loop2=$!
track "$loop1" "$loop2"
wait_file "$T/probe.a"
wait_file "$T/probe.b"
before=$(cat "$T/probe.a" "$T/probe.b" | wc -l)
fails=""
for c in $(seq "$CYCLES"); do
	[ -e "$f" ] || echo "$dead" >"$f"	# stale again
	if ! "$DETACH" start -p "$f" -- sleep 300 2>"$T/cycle.err"; then
		fails="$fails start$c"
		diag <"$T/cycle.err"
		continue
	fi
	pid=$(pid_of "$f")
	track "$pid"
	"$DETACH" stop -p "$f" 2>"$T/cycle.err" ||
	    { fails="$fails stop$c"; diag <"$T/cycle.err"; }
	wait_gone "$pid" || fails="$fails gone$c"
done
after=$(cat "$T/probe.a" "$T/probe.b" | wc -l)
touch "$T/cycles.done"
wait "$loop1"
wait "$loop2"
check "$CYCLES start/stop cycles under constant probing all succeed" \
    test -z "$fails"
[ -z "$fails" ] || echo "failed:$fails" | diag
check "the probes ran during the cycles ($((after - before)) probes)" \
    test "$after" -gt "$before"
sort "$T/probe.a" "$T/probe.b" | uniq -c |
    sed 's/^ *\([0-9]*\) \(.*\)/status exit \2: \1 times/' | diag
# Not asserted: a status that overlaps a stop can answer 4 ("locked by
# an unknown process") when the daemon exits between the lock test and
# the holder check; see the report on the status/stop race.
check "nothing is left of the probed pidfile" test ! -e "$f"

# 3. Ten workers, each cycling its own pidfile, all at once.
mkdir "$T/par"
worker() {
	local j=$1 c p pf=$T/par/w$1.pid
	for c in $(seq "$ROUNDS"); do
		if ! "$DETACH" start -p "$pf" -- sleep 300 \
		    2>>"$T/par/errors"; then
			echo "worker $j cycle $c: start failed" >>"$T/par/errors"
			return 1
		fi
		p=$(pid_of "$pf")
		echo "$p" >>"$T/par/pids"
		if ! "$DETACH" stop -p "$pf" 2>>"$T/par/errors"; then
			echo "worker $j cycle $c: stop failed" >>"$T/par/errors"
			return 1
		fi
	done
}
wpids=()
for j in $(seq "$WORKERS"); do
	worker "$j" &
	wpids+=($!)
done
wfail=0
for w in "${wpids[@]}"; do
	wait "$w" || wfail=$((wfail + 1))
done
track $(cat "$T/par/pids" 2>/dev/null)
check "$WORKERS parallel workers x $ROUNDS start/stop cycles succeed\
 ($wfail failed)" test "$wfail" = 0
[ -s "$T/par/errors" ] && diag <"$T/par/errors"
check "$((WORKERS * ROUNDS)) distinct daemons ran" \
    test "$(sort -u "$T/par/pids" | grep -c .)" = $((WORKERS * ROUNDS))
left=""
for p in $(cat "$T/par/pids"); do
	wait_gone "$p" 5 || left="$left $p"
done
check "every daemon is gone${left:+ (left:$left)}" test -z "$left"
check "no pidfile is left ($(ls "$T/par" | grep '\.pid$' | tr '\n' ' '))" \
    eval '! ls "$T/par" | grep -q "\.pid$"'
h=$(holders "$T/par/*" | tr '\n' ' ')
check "no process holds a file there (${h:-none})" test -z "$h"

done_testing
