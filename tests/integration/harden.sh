#!/bin/bash
# Hardening: pidfiles and output files others could tamper with, lock
# squatters, leftover holders, a supervisor killed under another user, a
# full file system.  Nothing here signals a process it did not start.
. "${srcdir:-$(dirname "$0")/../..}/tests/lib.sh"

plan 30

# --- shared directories
mkdir -m 1777 "$T/sticky" "$T/sticky2"
mkdir -m 0777 "$T/open"
echo precious >"$T/target"
ln -s "$T/target" "$T/sticky/x.pid"
expect 3 "a symlinked pidfile in a sticky directory is refused" \
    "$DETACH" start -p "$T/sticky/x.pid" -- sleep 300
check "... and its target is untouched" test "$(cat "$T/target")" = precious
expect 4 "status refuses it too" "$DETACH" status -p "$T/sticky/x.pid"
expect 3 "a pidfile in a world-writable, non-sticky directory is refused" \
    "$DETACH" start -p "$T/open/y.pid" -- sleep 300
check "... saying why, and creating nothing" \
    sh -c "grep -q 'other users can write' '$T/err' && test ! -e '$T/open/y.pid'"
if [ "$(id -u)" = 0 ]; then
	echo 4242 >"$T/sticky2/z.pid"
	chown nobody "$T/sticky2/z.pid"
	expect 3 "another user's pidfile in a sticky directory is refused" \
	    "$DETACH" start -p "$T/sticky2/z.pid" -- sleep 300
	check "... and left as it was" test "$(cat "$T/sticky2/z.pid")" = 4242
	expect 1 "stop leaves it in place (not ours to remove)" \
	    "$DETACH" stop -p "$T/sticky2/z.pid"
	check "... it is still there" test -e "$T/sticky2/z.pid"
else
	for i in 1 2 3 4; do skip "not root"; done
fi
ln -s "$T/target" "$T/sticky/out.log"
expect 3 "an output file that is a symlink in a shared directory is refused" \
    "$DETACH" start -p "$T/o.pid" -o "$T/sticky/out.log" -- sleep 300
check "... its target untouched, no pidfile left" \
    sh -c "test \"\$(cat '$T/target')\" = precious && test ! -e '$T/o.pid'"
pid=$(start_daemon "$T/p.pid" -o "$T/sticky/real.log" -- sleep 300)
check "a regular output file in a sticky directory is fine" test -n "$pid"
"$DETACH" stop -p "$T/p.pid"

# --- a squatter holds the lock
sleep 300 & victim=$!; disown; track "$victim"
"$TESTTOOL" lockhold "$T/s.pid" "$victim" "$T/s.ready" & squatter=$!
disown; track "$squatter"
wait_file "$T/s.ready"
expect 1 "start finds the lock held by a squatter: exit 1" \
    "$DETACH" start -p "$T/s.pid" -- sleep 300
check "... naming the squatter ($squatter)" grep -q "locked by pid $squatter" "$T/err"
check "the squatter and the pid it wrote are untouched" \
    sh -c "kill -0 $squatter && kill -0 $victim"

# --- leftover holders: the recorded pid is gone, its children hold the lock
"$DETACH" start -p "$T/l.pid" -- sh -c \
    "sleep 300 & echo \$! >'$T/l.child'; exec sleep 0.1"
wait_file "$T/l.child"
child=$(cat "$T/l.child"); track "$child"
main=$(pid_of "$T/l.pid"); wait_gone "$main"
expect 1 "status: not running, but the pidfile is held" \
    "$DETACH" status -p "$T/l.pid"
check "... naming the holder" grep -q "pid $child of its session" "$T/out"
expect 1 "start is refused" "$DETACH" start -p "$T/l.pid" -- sleep 300
check "... naming the holder" grep -q "pid $child of its session" "$T/err"
expect 0 "stop stops exactly the holders" "$DETACH" stop -p "$T/l.pid"
check "... the holder is gone and so is the pidfile" \
    sh -c "$TESTTOOL waitgone $child 0 && test ! -e '$T/l.pid'"
pid=$(start_daemon "$T/l.pid" -- sleep 300)
check "start works again" test -n "$pid"
"$DETACH" stop -p "$T/l.pid"

# --- the supervisor dies (even by SIGKILL): its child does not live on
if [ "$(id -u)" = 0 ]; then
	"$DETACH" start --supervise -u nobody -p "$T/k.pid" \
	    --child-pidfile="$T/kc.pid" -- sleep 300
	sup=$(pid_of "$T/k.pid"); child=$(pid_of "$T/kc.pid")
	track "$sup" "$child"
	check "the child runs as nobody" \
	    test "$(awk '/^Uid:/ { print $2 }' /proc/"$child"/status)" = 65534
	kill -9 "$sup"
	wait_gone "$child" 10
	check "SIGKILL of the supervisor: the child is gone too" gone "$child"
	expect 1 "status: stale" "$DETACH" status -p "$T/k.pid"
else
	for i in 1 2 3; do skip "not root"; done
fi

# --- a full file system under a chatty child
if [ "$(id -u)" = 0 ] && unshare -m true 2>/dev/null; then
	unshare -m bash -s "$T" "$DETACH" "$TESTTOOL" >"$T/full.out" 2>&1 <<'EOS'
T=$1 DETACH=$2 TESTTOOL=$3
mkdir "$T/full" && mount -n -t tmpfs -o size=1m tmpfs "$T/full" || exit 90
"$DETACH" start --supervise -p "$T/f.pid" --child-pidfile="$T/fc.pid" \
    -o "$T/full/log" -e "$T/f.err" -- \
    perl -e '$| = 1; $n = 0; while (1) { printf "%08d\n", ++$n;
	select(undef, undef, undef, 0.0002) if $n % 50 == 0 }' || exit 91
"$TESTTOOL" waitfile "$T/f.err" 20 10 || exit 92
sup=$(cat "$T/f.pid"); child=$(cat "$T/fc.pid")
# let it keep failing for a while: the log may grow only once per failure
"$TESTTOOL" waitgone "$child" 1
echo "failures=$(grep -c 'cannot write' "$T/f.err")"
kill -0 "$sup" && kill -0 "$child" && echo "alive=yes"
: >"$T/full/log"	# space returns
"$TESTTOOL" waitfile "$T/f.err" 20 "$(($(stat -c %s "$T/f.err") + 10))"
grep -q "writing to $T/full/log again; [0-9]* bytes were dropped" \
    "$T/f.err" && echo "resumed=yes"
"$TESTTOOL" waitfile "$T/full/log" 20 1000 && echo "written=yes"
"$DETACH" stop -p "$T/f.pid" && echo "stopped=yes"
umount -n "$T/full"
EOS
	check "full file system: the failure is reported once" \
	    grep -qx "failures=1" "$T/full.out"
	check "... supervisor and child keep running" grep -qx "alive=yes" "$T/full.out"
	check "... writing resumes when space returns, with a count" \
	    grep -qx "resumed=yes" "$T/full.out"
	check "... and new output arrives" grep -qx "written=yes" "$T/full.out"
	check "... stop works" grep -qx "stopped=yes" "$T/full.out"
	[ $TAP_FAILED = 0 ] || diag <"$T/full.out"
else
	for i in 1 2 3 4 5; do skip "needs root and mount namespaces"; done
fi

done_testing
