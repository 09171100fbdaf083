#!/bin/bash
# detach stop: returns only when the process is gone, escalates on time,
# follows -R schedules, and reclaims stale pidfiles.
. "${srcdir:-$(dirname "$0")/../..}/tests/lib.sh"

plan 27

# A daemon that takes a moment to exit on TERM.
slow_exit='$SIG{TERM} = sub { select(undef, undef, undef, 0.3); exit 0 }'
ignore_term='$SIG{TERM} = "IGNORE"'

pid=$(start_perl "$T/a.pid" "$slow_exit")
expect 0 "stop exits 0" "$DETACH" stop -p "$T/a.pid"
check "the process is gone when stop returns" gone "$pid"
check "the pidfile is removed" test ! -e "$T/a.pid"

pid=$(start_perl "$T/b.pid" "$ignore_term")
t0=$(now_ms)
expect 0 "a TERM-ignoring daemon is stopped with -t 0.5" \
    "$DETACH" stop -p "$T/b.pid" -t 0.5
t1=$(now_ms)
check "it is gone" gone "$pid"
check "stop waited out the timeout before KILL ($((t1 - t0)) ms)" \
    test $((t1 - t0)) -ge 500

pid=$(start_perl "$T/c.pid" "$ignore_term")
expect 0 "-R TERM/0.2/KILL/5 kills it" \
    "$DETACH" stop -p "$T/c.pid" -R TERM/0.2/KILL/5
check "it is gone" gone "$pid"

pid=$(start_perl "$T/c.pid" "$ignore_term")
expect 0 "-R N means SIG/N/KILL/N" "$DETACH" stop -p "$T/c.pid" -R 0.2
check "it is gone" gone "$pid"

# -s: the first signal
pid=$(start_perl "$T/s.pid" '$SIG{TERM} = "IGNORE";
    $SIG{INT} = sub { open(my $f, ">", "'"$T"'/got-int"); close $f; exit 0 }')
expect 0 "-s INT sends INT first" "$DETACH" stop -p "$T/s.pid" -s INT -t 30
check "the daemon received INT" test -e "$T/got-int"

# An exhausted schedule leaves the process running.
pid=$(start_perl "$T/e.pid" "$ignore_term")
expect 2 "a schedule that runs out exits 2" \
    "$DETACH" stop -p "$T/e.pid" -R TERM/0.2
check "the process still runs" alive "$pid"
check "its pidfile is still there and locked" locked "$T/e.pid"
expect 0 "stop -s KILL then stops it" "$DETACH" stop -p "$T/e.pid" -s KILL

# forever keeps waiting: stop returns only once someone else kills it.
pid=$(start_perl "$T/f.pid" "$ignore_term")
"$DETACH" stop -p "$T/f.pid" -R TERM/0.1/forever >"$T/f.out" 2>&1 &
stopper=$!
track "$stopper"
"$TESTTOOL" waitgone "$stopper" 1
check "with TERM/0.1/forever stop is still waiting after 1 s" \
    test $? = 1
kill -9 "$pid"
wait "$stopper"
rc=$?
check "and exits 0 once the process is gone ($rc)" test "$rc" = 0

pid=$(start_perl "$T/g.pid" "$ignore_term")
expect 0 "TERM/0.1/forever/KILL/1 repeats KILL/1 (dpkg semantics)" \
    "$DETACH" stop -p "$T/g.pid" -R TERM/0.1/forever/KILL/1
check "it is gone" gone "$pid"

# Nothing to stop.
expect 1 "stop without a pidfile exits 1" "$DETACH" stop -p "$T/none.pid"
expect 0 "... and 0 with --oknodo" "$DETACH" stop -p "$T/none.pid" --oknodo

# Stale pidfile after kill -9.
pid=$(start_daemon "$T/k.pid" -- sleep 300)
kill -9 "$pid"
wait_gone "$pid"
expect 1 "status of a stale pidfile exits 1" "$DETACH" status -p "$T/k.pid"
check "... and says it is not running" grep -q "not running" "$T/out"
pid2=$(start_daemon "$T/k.pid" -- sleep 300)
check "start reclaims a stale pidfile" test -n "$pid2" -a "$pid2" != "$pid"
kill -9 "$pid2"
wait_gone "$pid2"
expect 1 "stop of a stale pidfile exits 1" "$DETACH" stop -p "$T/k.pid"
check "... and removes it" test ! -e "$T/k.pid"

done_testing
