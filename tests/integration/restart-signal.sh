#!/bin/bash
# detach restart and detach signal.
. "${srcdir:-$(dirname "$0")/../..}/tests/lib.sh"

plan 18

# A daemon that records the signals it gets.
catcher='for my $s (qw(USR1 HUP)) {
    $SIG{$s} = sub { open(my $f, ">>", "'"$T"'/got"); print $f "$_[0]\n";
    close $f } }'

pid=$(start_perl "$T/a.pid" "$catcher")
expect 0 "signal USR1 exits 0" "$DETACH" signal -p "$T/a.pid" USR1
wait_file "$T/got" 10 5
check "the daemon received USR1" grep -qx USR1 "$T/got"
expect 0 "signal by number and with SIG prefix" \
    "$DETACH" signal -p "$T/a.pid" SIGHUP
wait_file "$T/got" 10 9
check "the daemon received HUP and still runs" \
    sh -c "grep -qx HUP '$T/got' && kill -0 $pid"
expect 0 "signal takes its SIGNAL before or after the options" \
    "$DETACH" signal 10 -p "$T/a.pid"
expect 1 "signal to a daemon that is not running exits 1" \
    "$DETACH" signal -p "$T/none.pid" HUP
expect 0 "... and 0 with --oknodo" \
    "$DETACH" signal --oknodo -p "$T/none.pid" HUP
expect 64 "an unknown signal is a usage error" \
    "$DETACH" signal -p "$T/a.pid" NOSUCHSIG

old=$pid
expect 0 "restart of a running daemon exits 0" \
    "$DETACH" restart -p "$T/a.pid" -t 5 -- sleep 300
new=$(pid_of "$T/a.pid")
track "$new"
check "the old process is gone" gone "$old"
check "a new one runs and holds the pidfile" \
    test -n "$new" -a "$new" != "$old" -a "$(cat /proc/"$new"/comm)" = sleep

expect 0 "restart of a daemon that is not running starts it" \
    "$DETACH" restart -p "$T/b.pid" -- sleep 300
pid=$(pid_of "$T/b.pid")
track "$pid"
check "... and it runs" alive "$pid"

pid=$(start_perl "$T/c.pid" '$SIG{TERM} = "IGNORE"')
expect 2 "restart aborts with 2 when stop's schedule runs out" \
    "$DETACH" restart -p "$T/c.pid" -R TERM/0.2 -- sleep 300
check "... leaving the old process, still in the pidfile" \
    test "$(pid_of "$T/c.pid")" = "$pid"
pid=$(pid_of "$T/b.pid")
expect 3 "restart with a start that cannot work (unknown user) exits 3" \
    "$DETACH" restart -p "$T/b.pid" -u detach-no-such-user -- sleep 300
check "... without stopping the running daemon" alive "$pid"
expect 127 "restart reports start's exit codes" \
    "$DETACH" restart -p "$T/d.pid" -- detach-no-such-command
done_testing
