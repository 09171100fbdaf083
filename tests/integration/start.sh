#!/bin/bash
# detach start: the daemon is set up as promised.
. "${srcdir:-$(dirname "$0")/../..}/tests/lib.sh"

plan 32

pid=$(start_daemon "$T/d.pid" -- sleep 300)
check "start exits 0 and the pidfile holds a pid" test -n "$pid"
check "the pidfile ends with a newline" \
    test "$(tail -c 1 "$T/d.pid" | od -An -c | tr -d ' ')" = '\n'
check "the pid is the command's own" \
    test "$(cat /proc/"$pid"/comm)" = sleep
check "the pidfile is locked" locked "$T/d.pid"
check "the pidfile is mode 0644" test "$(stat -c %a "$T/d.pid")" = 644

stat=$(cut -d' ' -f5-7 /proc/"$pid"/stat)	# pgrp session tty_nr
set -- $stat
check "the daemon is not a session leader" test "$2" != "$pid"
check "the daemon is not a process group leader" test "$1" != "$pid"
check "the daemon has no controlling terminal" test "$3" = 0
ppid=$(awk '/^PPid:/ { print $2 }' /proc/"$pid"/status)
check "the daemon's parent is init or the test's reaper ($ppid)" \
    test "$ppid" = 1 -o "$ppid" = "$PPID"
check "the working directory is /" test "$(readlink /proc/"$pid"/cwd)" = /
check "the umask is 022" \
    test "$(awk '/^Umask:/ { print $2 }' /proc/"$pid"/status)" = 0022
check "stdin is /dev/null" test "$(readlink /proc/"$pid"/fd/0)" = /dev/null
check "stdout and stderr are /dev/null" \
    test "$(readlink /proc/"$pid"/fd/1) $(readlink /proc/"$pid"/fd/2)" = \
    "/dev/null /dev/null"
fds=$(ls /proc/"$pid"/fd | sort -n | tr '\n' ' ')
pidfd=$(for f in /proc/"$pid"/fd/*; do
	[ "$(readlink "$f")" = "$T/d.pid" ] && basename "$f"; done)
check "only 0-2 and the pidfile are open ($fds)" \
    test "$fds" = "0 1 2 $pidfd " -a -n "$pidfd"
sigs=$(awk '/^SigBlk:|^SigIgn:/ { print $2 }' /proc/"$pid"/status |
    tr '\n' ' ')
check "signal mask and ignored signals are reset ($sigs)" \
    test "$(echo "$sigs" | tr -d '0 ')" = ""

# The caller's descriptors and ignored signals must not leak.
exec 7>"$T/leak"
pid=$( (trap '' TERM HUP; start_daemon "$T/leak.pid" -- sleep 300) )
track "$pid"
exec 7>&-
check "an inherited descriptor is not passed on" \
    test ! -e /proc/"$pid"/fd/7
check "a signal ignored by the caller is not ignored by the daemon" \
    test "$(awk '/^SigIgn:/ { print $2 }' /proc/"$pid"/status |
    tr -d 0)" = ""

# Called with 0-2 closed: nothing detach opens may land on them.
pid=$( ("$DETACH" start -p "$T/closed.pid" -- sleep 300 <&- >&- 2>&-;
    echo $? >"$T/closed.rc") | cat; cat "$T/closed.pid")
track "$pid"
check "with 0-2 closed, start exits 0" test "$(cat "$T/closed.rc")" = 0
check "... the daemon has /dev/null on 0-2 and the pidfile names it" \
    test "$(readlink /proc/"$pid"/fd/0) $(readlink /proc/"$pid"/fd/1) \
$(readlink /proc/"$pid"/fd/2)" = "/dev/null /dev/null /dev/null" \
    -a "$(cat "$T/closed.pid")" = "$pid"
check "... and the pidfile stays locked" locked "$T/closed.pid"

# -C, -m, -E, -i
mkdir "$T/wd"
echo "input line" >"$T/in"
pid=$(start_daemon "$T/o.pid" -C "$T/wd" -m 077 -E DETACH_A=1 \
    -E DETACH_B=x=y -i "$T/in" -- sleep 300)
check "-C sets the working directory" \
    test "$(readlink /proc/"$pid"/cwd)" = "$T/wd"
check "-m sets the umask" \
    test "$(awk '/^Umask:/ { print $2 }' /proc/"$pid"/status)" = 0077
check "-E sets variables (values may hold '=')" \
    sh -c "tr '\\0' '\\n' </proc/$pid/environ | grep -qx DETACH_A=1 &&
    tr '\\0' '\\n' </proc/$pid/environ | grep -qx DETACH_B=x=y"
check "-i sets stdin" test "$(readlink /proc/"$pid"/fd/0)" = "$T/in"

# -o and -e, appending, modes
echo "old" >"$T/app.log"
"$DETACH" start -p "$T/w.pid" -o "$T/app.log" -e "$T/err.log" -m 027 -- \
    sh -c 'echo out; echo err >&2; exec sleep 300'
pid=$(pid_of "$T/w.pid"); track "$pid"
wait_file "$T/err.log" 10 4
wait_file "$T/app.log" 10 8
check "-o appends stdout to an existing file" \
    test "$(cat "$T/app.log")" = "$(printf 'old\nout')"
check "-e receives stderr" test "$(cat "$T/err.log")" = err
check "a created output file has mode 0640 & ~umask" \
    test "$(stat -c %a "$T/err.log")" = 640
"$DETACH" stop -p "$T/w.pid"
"$DETACH" start -p "$T/w.pid" -o "$T/app.log" --truncate -- \
    sh -c 'echo new; exec sleep 300'
pid=$(pid_of "$T/w.pid"); track "$pid"
wait_file "$T/app.log" 10 4
check "--truncate replaces the old contents" \
    test "$(cat "$T/app.log")" = new
"$DETACH" stop -p "$T/w.pid"

# Without -e, stderr follows -o
"$DETACH" start -p "$T/x.pid" -o "$T/both.log" -- \
    sh -c 'echo one; echo two >&2; exec sleep 300'
track "$(pid_of "$T/x.pid")"
wait_file "$T/both.log" 10 8
check "without -e stderr goes to the -o file" \
    test "$(sort "$T/both.log" | tr '\n' ' ')" = "one two "

# Relative paths and ./command
mkdir "$T/rel"
cat >"$T/rel/prog" <<'EOS'
#!/bin/sh
echo "$0"
exec sleep 300
EOS
chmod 755 "$T/rel/prog"
(cd "$T/rel" && "$DETACH" start -p r.pid -o r.log -- ./prog)
pid=$(pid_of "$T/rel/r.pid"); track "$pid"
wait_file "$T/rel/r.log"
check "relative -p, -o and ./command work from the caller's directory" \
    test -n "$pid" -a "$(cat "$T/rel/r.log")" = "$T/rel/prog"

# -f keeps the pid
"$DETACH" start -f -p "$T/f.pid" -- sh -c 'echo $$ >"$1"; exec sleep 300' \
    sh "$T/f.self" &
fpid=$!
disown
track "$fpid"
wait_file "$T/f.self"
check "-f execs in place: pidfile, command and detach share one pid" \
    test "$(pid_of "$T/f.pid")" = "$fpid" -a "$(cat "$T/f.self")" = "$fpid"
check "-f keeps the pidfile locked" locked "$T/f.pid"

done_testing
