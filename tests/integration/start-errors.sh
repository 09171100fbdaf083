#!/bin/bash
# detach start failures: the right exit code and message, and nothing
# left behind.
. "${srcdir:-$(dirname "$0")/../..}/tests/lib.sh"

plan 34

pid=$(start_daemon "$T/a.pid" -- sleep 300)
expect 1 "a second start exits 1" "$DETACH" start -p "$T/a.pid" -- sleep 300
check "... saying it is already running, with the pid" \
    grep -q "already running (pid $pid" "$T/err"
expect 0 "... and 0 with --oknodo" \
    "$DETACH" start --oknodo -p "$T/a.pid" -- sleep 300
check "the pidfile still names the first daemon" \
    test "$(pid_of "$T/a.pid")" = "$pid"

expect 127 "a command that does not exist exits 127" \
    "$DETACH" start -p "$T/b.pid" -o "$T/b.log" -- detach-no-such-command
check "... saying 'command not found'" \
    grep -q "detach-no-such-command: command not found" "$T/err"
check "... leaving no pidfile" test ! -e "$T/b.pid"
check "... and no output file it created" test ! -e "$T/b.log"

# execvp() says EACCES when a PATH entry cannot be searched: still "not found"
mkdir -m 700 "$T/closed"
if [ "$(id -u)" != 0 ]; then
	expect 127 "a missing command with an unsearchable PATH entry: 127" \
	    env PATH="$T/closed:$PATH" "$DETACH" start -p "$T/b.pid" -- \
	    detach-no-such-command
elif command -v setpriv >/dev/null; then
	mkdir -m 777 "$T/nb"; chmod +t "$T/nb"
	nb_detach=$(shared "$DETACH") || exit 99
	expect 127 "a missing command with an unsearchable PATH entry: 127" \
	    setpriv --reuid=nobody --regid=nogroup --clear-groups \
	    env PATH="$T/closed:$PATH" "$nb_detach" start -p "$T/nb/b.pid" -- \
	    detach-no-such-command
else
	skip "setpriv is missing"
fi
expect 127 "a missing path exits 127" "$DETACH" start -p "$T/b.pid" -- \
    "$T/nowhere/prog"
check "... leaving no pidfile" test ! -e "$T/b.pid"

echo 'echo hi' >"$T/noexec"
chmod 644 "$T/noexec"
expect 126 "a file that is not executable exits 126" \
    "$DETACH" start -p "$T/c.pid" -- "$T/noexec"
check "... saying why" grep -q "$T/noexec: Permission denied" "$T/err"
check "... leaving no pidfile" test ! -e "$T/c.pid"
mkdir "$T/dir"
expect 126 "a directory as command exits 126" \
    "$DETACH" start -p "$T/c.pid" -- "$T/dir"

echo keep >"$T/existing.log"
expect 3 "a missing working directory exits 3" \
    "$DETACH" start -p "$T/d.pid" -o "$T/existing.log" -C "$T/nodir" -- \
    sleep 300
check "... naming it" grep -q "$T/nodir" "$T/err"
check "... leaving no pidfile" test ! -e "$T/d.pid"
check "... and an existing output file untouched" \
    test "$(cat "$T/existing.log")" = keep

expect 3 "an output file that cannot be opened exits 3" \
    "$DETACH" start -p "$T/e.pid" -o "$T/nodir/out.log" -- sleep 300
check "... naming it" grep -q "$T/nodir/out.log" "$T/err"
check "... leaving no pidfile" test ! -e "$T/e.pid"
expect 3 "a missing stdin file exits 3" \
    "$DETACH" start -p "$T/e.pid" -i "$T/nofile" -- sleep 300
check "... leaving no pidfile" test ! -e "$T/e.pid"
expect 3 "a pidfile in a missing directory exits 3" \
    "$DETACH" start -p "$T/nodir/x.pid" -- sleep 300
check "... naming it" grep -q "$T/nodir/x.pid" "$T/err"

# Files that are not regular files are never used as pidfiles.
mkfifo "$T/fifo"
expect 3 "a FIFO as pidfile is refused" \
    timeout 10 "$DETACH" start -p "$T/fifo" -- sleep 300
check "... and left a FIFO" test -p "$T/fifo"
mkdir "$T/pdir"
expect 3 "a directory as pidfile is refused" \
    "$DETACH" start -p "$T/pdir" -- sleep 300
echo "precious" >"$T/target"
ln -s "$T/target" "$T/link.pid"
expect 3 "a symbolic link as pidfile is refused" \
    "$DETACH" start -p "$T/link.pid" -- sleep 300
check "... and its target is untouched" \
    test "$(cat "$T/target")" = precious
if mknod "$T/null" c 1 3 2>/dev/null; then
	expect 3 "a character device as pidfile is refused" \
	    "$DETACH" start -p "$T/null" -- sleep 300
	"$DETACH" stop -p "$T/null" >/dev/null 2>&1
	check "start and stop leave the device in place" test -c "$T/null"
else
	skip "mknod not permitted"
	skip "mknod not permitted"
fi

# A start that failed can be retried at once.
expect 0 "after all that, a normal start works" \
    "$DETACH" start -p "$T/b.pid" -- sleep 300
track "$(pid_of "$T/b.pid")"

done_testing
