#!/bin/bash
# detach start --foreground --supervise: the supervisor without
# daemonizing, for systemd Type=simple and containers (even as PID 1).
. "${srcdir:-$(dirname "$0")/../..}/tests/lib.sh"

plan 12

expect 3 "exits with the child's status once no restart follows" \
    "$DETACH" start -f --supervise --restart=never -p "$T/a.pid" -- \
    sh -c 'exit 3'
check "... and removes its pidfile" test ! -e "$T/a.pid"
expect 137 "a child killed by a signal: 128 + the signal" \
    "$DETACH" start -f --supervise --restart=never -p "$T/a.pid" -- \
    sh -c 'kill -9 $$'
expect 127 "a missing command: 127" \
    "$DETACH" start -f --supervise -p "$T/a.pid" -- detach-no-such-command

# Signals to the supervisor: HUP/USR1 are forwarded, TERM stops.
cat >"$T/child" <<EOS
#!/usr/bin/perl
\$| = 1;
for my \$s (qw(HUP USR1 USR2)) {
    \$SIG{\$s} = sub { open(my \$f, ">>", "$T/got"); print \$f "\$_[0]\\n";
    close \$f } }
\$SIG{TERM} = sub { exit 7 };
open(my \$f, ">", "$T/up"); print \$f "\$\$\\n"; close \$f;
sleep 1 while 1;
EOS
chmod 755 "$T/child"
"$DETACH" start -f --supervise -p "$T/b.pid" -- "$T/child" &
sup=$!
track "$sup"
wait_file "$T/up"
child=$(cat "$T/up")
track "$child"
check "-f: the pidfile holds detach's own pid" \
    test "$(pid_of "$T/b.pid")" = "$sup"
kill -HUP "$sup"
wait_file "$T/got" 10 4
kill -USR1 "$sup"
wait_file "$T/got" 10 9
check "HUP and USR1 sent to the supervisor reach the child" \
    test "$(tr '\n' ' ' <"$T/got")" = "HUP USR1 "
check "... which keeps running" alive "$child"
kill -TERM "$sup"
wait "$sup"
rc=$?
check "TERM: the child is stopped and detach exits with its status ($rc)" \
    test "$rc" = 7
check "... and the child is gone" gone "$child"

# As PID 1 of a pid namespace it reaps orphans.
if unshare -p -f --mount-proc true 2>/dev/null; then
	cat >"$T/orphans" <<'EOS'
#!/bin/sh
# Leave an orphan behind (double fork), wait until it has exited and been
# reaped by PID 1 (our supervisor), then report what is left in /proc.
echo "$PPID" >"$1/ppid"
sh -c 'sleep 0.1 & echo $! >"$1"' sh "$1/gc"
gc=$(cat "$1/gc")
i=0
while [ -e /proc/"$gc" ] && [ $i -lt 500 ]; do
	i=$((i + 1)); sleep 0.01	# bounded: reaping has no event to wait on
done
if [ -e /proc/"$gc" ]; then echo "left: $(cut -d' ' -f3 /proc/"$gc"/stat)"
else echo reaped; fi >"$1/verdict"
exit 0
EOS
	chmod 755 "$T/orphans"
	expect 0 "as PID 1: exits 0 with its child" \
	    unshare -p -f --mount-proc "$DETACH" start -f --supervise \
	    --restart=never -p "$T/n.pid" -- "$T/orphans" "$T"
	check "a double-forked orphan was reaped, not left a zombie" \
	    grep -qx reaped "$T/verdict"
	check "the supervisor was PID 1 there" grep -qx 1 "$T/ppid"
else
	skip "no pid namespaces"
	skip "no pid namespaces"
	skip "no pid namespaces"
fi

done_testing
