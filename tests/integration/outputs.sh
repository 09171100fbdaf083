#!/bin/bash
# Output files and /dev/null: what start and reopen accept, refuse and
# create, and that nothing is left half-done after a failure.
. "${srcdir:-$(dirname "$0")/../..}/tests/lib.sh"

# --- 7. a FIFO without a reader is refused at once, not waited on
mkfifo "$T/fifo"
t0=$(now_ms)
expect 3 "-o FIFO without a reader: start exits 3" \
    timeout 10 "$DETACH" start -p "$T/f.pid" -o "$T/fifo" -- sleep 300
check "... at once ($(($(now_ms) - t0)) ms, not the 10 s guard)" \
    test $(($(now_ms) - t0)) -lt 5000
check "... saying why" grep -q "a FIFO without a reader" "$T/err"
check "... no pidfile left, the FIFO untouched" \
    eval 'test ! -e "$T/f.pid" -a -p "$T/fifo"'
exec 3<>"$T/fifo"	# we are its reader from now on
expect 0 "-o FIFO with a reader: start exits 0" \
    "$DETACH" start -p "$T/f.pid" -o "$T/fifo" -- sh -c 'echo via-fifo; exec sleep 300'
track "$(pid_of "$T/f.pid")"
line=
read -r -t 10 line <&3
check "... the output arrives through it ($line)" test "$line" = via-fifo
exec 3<&-
"$DETACH" stop -p "$T/f.pid"

# a supervisor's reopen onto a FIFO without a reader fails at once
f=$T/s.pid
"$DETACH" start --supervise -p "$f" -o "$T/s.log" -- sleep 300
track "$(pid_of "$f")"
mv "$T/s.log" "$T/s.log.1"
mkfifo "$T/s.log"
expect 3 "reopen onto a FIFO without a reader exits 3" \
    timeout 10 "$DETACH" reopen -p "$f"
check "... saying why" grep -q "a FIFO without a reader" "$T/err"
expect 0 "... and the supervisor still stops (0)" \
    timeout 20 "$DETACH" stop -p "$f"

# other things that are not output files
mkdir "$T/dir"
expect 3 "-o DIRECTORY: start exits 3" \
    "$DETACH" start -p "$T/d.pid" -o "$T/dir" -- sleep 300
check "... no pidfile left" test ! -e "$T/d.pid"
echo before >"$T/target"
ln -s target "$T/link.log"
expect 3 "-o SYMLINK: start exits 3" \
    "$DETACH" start -p "$T/d.pid" -o "$T/link.log" -- echo after
check "... saying why, the target untouched" \
    eval 'grep -q "symbolic link" "$T/err" && test "$(cat "$T/target")" = before'

# --- 10. running out of descriptors never leaves an empty pidfile
bad=""
for n in 3 4 5 6 7 8 9 10 12; do
	rm -f "$T/fd.pid" "$T/fd.pid.state"
	bash -c "ulimit -n $n; exec \"\$0\" start -p '$T/fd.pid' -- sleep 300" \
	    "$DETACH" >/dev/null 2>&1
	rc=$?
	if [ "$rc" = 0 ]; then
		track "$(pid_of "$T/fd.pid")"
		"$DETACH" stop -p "$T/fd.pid" || bad="$bad $n:stop"
	elif [ -e "$T/fd.pid" ] || [ -e "$T/fd.pid.state" ]; then
		bad="$bad $n:left($rc)"
	fi
done
check "with 3..12 descriptors, start works or leaves nothing (${bad:-ok})" \
    test -z "$bad"

# --- 11. messages name the daemon; --oknodo is quiet
expect 3 "a command that exits within --wait: start exits 3" \
    "$DETACH" start -p "$T/web.pid" --wait=2 -- sh -c 'exit 7'
check "... the message names the daemon, not the command" \
    grep -q "^detach: web (pid [0-9]*) exited with status 7" "$T/err"
"$DETACH" start -p "$T/web.pid" -- sleep 300
track "$(pid_of "$T/web.pid")"
expect 0 "start --oknodo of a running daemon exits 0" \
    "$DETACH" start --oknodo -p "$T/web.pid" -- sleep 300
check "... and says nothing" test ! -s "$T/err"
expect 1 "without --oknodo it exits 1" \
    "$DETACH" start -p "$T/web.pid" -- sleep 300
check "... saying it is already running" grep -q "web is already running" "$T/err"
"$DETACH" stop -p "$T/web.pid"

# --- 6. a missing /dev/null is never created (in a private mount
# namespace, with a /dev of our own: the machine's is not touched)
NS=()
if [ "$(id -u)" = 0 ] && unshare -m true 2>/dev/null; then
	NS=(unshare -m --propagation private)
elif unshare -rm true 2>/dev/null; then
	NS=(unshare -rm --propagation private)
fi
if [ ${#NS[@]} -gt 0 ]; then
	echo input >"$T/in"
	"${NS[@]}" bash -c '
		mount -t tmpfs detach-test /dev || exit 99
		"$1" start -i "$2/in" -p "$2/n.pid" -- sleep 300 2>"$2/n.err"
		echo "$?" >"$2/n.rc"
		[ -e /dev/null ] && echo created >"$2/n.created"
		echo regular >/dev/null	# now a regular file, in here only
		"$1" start -p "$2/r.pid" -- sleep 300 2>"$2/r.err"
		echo "$?" >"$2/r.rc"
		exit 0' bash "$DETACH" "$T" <"$T/in" >"$T/ns.out" 2>&1
	check "no /dev/null: start -i FILE exits 3 ($(cat "$T/n.rc"))" \
	    test "$(cat "$T/n.rc")" = 3
	check "... naming /dev/null" grep -q "/dev/null" "$T/n.err"
	check "... and does not create it" test ! -e "$T/n.created"
	check "... nor leaves a pidfile" test ! -e "$T/n.pid"
	check "a regular file as /dev/null: start exits 3 ($(cat "$T/r.rc"))" \
	    test "$(cat "$T/r.rc")" = 3
	check "... saying it is not the null device" \
	    grep -q "not the null device" "$T/r.err"
else
	for d in "exits 3" "naming /dev/null" "does not create it" \
	    "no pidfile" "regular file: exits 3" "not the null device"; do
		skip "no /dev/null: $d (no mount namespace here)"
	done
fi

# --- 5. reopen in a root supervisor of a -u service: as the service user
if [ "$(id -u)" = 0 ] && id nobody >/dev/null 2>&1; then
	logs=$T/logs
	mkdir "$logs"
	chown nobody "$logs"
	f=$T/u.pid
	"$DETACH" start --supervise -u nobody -p "$f" -o "$logs/app.log" -- \
	    perl -e '$| = 1; $SIG{USR1} = sub { print "ping\n" };
	    print "started\n"; sleep 1 while 1'
	track "$(pid_of "$f")"
	check "start created the log owned by nobody" \
	    eval 'wait_grep 10 "$logs/app.log" -x started &&
	    test "$(stat -c %U "$logs/app.log")" = nobody'
	echo secret >"$T/victim"
	chmod 600 "$T/victim"
	mv "$logs/app.log" "$logs/app.log.1"
	ln -s "$T/victim" "$logs/app.log"	# what the service user could plant
	expect 3 "reopen onto a symlink the service user planted exits 3" \
	    "$DETACH" reopen -p "$f"
	"$DETACH" signal -p "$f" USR1
	check "... the output goes on to the old file" \
	    wait_grep 10 "$logs/app.log.1" -x ping
	check "... and the link's root-owned target is untouched" \
	    test "$(cat "$T/victim")" = secret
	rm "$logs/app.log"
	expect 0 "reopen with the link gone exits 0" "$DETACH" reopen -p "$f"
	check "... the new log is the service user's, as start made it" \
	    test "$(stat -c %U "$logs/app.log")" = nobody
	"$DETACH" signal -p "$f" USR1
	check "... and receives the output" wait_grep 10 "$logs/app.log" -x ping
	rm "$logs/app.log"
	touch "$logs/app.log"
	chmod 600 "$logs/app.log"	# root's, not writable by nobody
	expect 3 "reopen onto a file the service user may not write exits 3" \
	    "$DETACH" reopen -p "$f"
	"$DETACH" stop -p "$f"
else
	for i in 1 2 3 4 5 6 7 8 9; do
		skip "reopen as the service user: case $i (needs root and nobody)"
	done
fi

plan "$TAP_N"
done_testing
