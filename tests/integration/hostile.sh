#!/bin/bash
# Never signal the wrong process: hostile and bogus pidfiles.
#
# A broken detach must not be able to harm the machine, so the test
# re-runs itself in a private pid namespace when it can (everything a
# wrong signal could reach is then ours, and the namespace dies with the
# test).  Otherwise, as root, detach and every process it could hit run
# as nobody; as another user, they run as that user.

if [ -z "${DETACH_IN_NS:-}" ] && [ -z "${DETACH_NO_NS:-}" ] &&
    unshare -p -f --mount-proc true 2>/dev/null; then
	exec unshare -p -f --mount-proc env DETACH_IN_NS=1 bash "$0" "$@"
fi

. "${srcdir:-$(dirname "$0")/../..}/tests/lib.sh"

# RUNAS: the prefix that runs detach and the processes it could signal.
RUNAS=()
W=$T/w		# where the pidfiles go; writable by whoever runs detach
mkdir "$W"
if [ -n "${DETACH_IN_NS:-}" ]; then
	MODE="a private pid namespace"
elif [ "$(id -u)" = 0 ]; then
	MODE="user nobody (no pid namespace)"
	RUNAS=(setpriv --reuid=nobody --regid=nogroup --clear-groups)
	DETACH=$(shared "$DETACH") && TESTTOOL=$(shared "$TESTTOOL") ||
	    exit 99
	chown nobody:nogroup "$W"
else
	MODE="the calling user (no pid namespace)"
fi

contents=(0 -1 1 4294967296 99999999999999999999 abc 12abc " 123" "")
# sentinels, and contents that name them in ways a lenient parser accepts
"${RUNAS[@]}" sleep 300 &
S1=$!
disown
"${RUNAS[@]}" sleep 300 &
S2=$!
disown
track "$S1" "$S2"
contents+=("$S1 $S2" "+$S1" "0$S1" "$S1 " " $S1" $'\n'"$S1" "$S1"$'\n\n'
    "$S1"$'\r\n' "$S1.0" "-$S1")
# Re-run under tests/nosys by oldkernel.sh: the parser is the same on
# every kernel; keep what a careless kill() fallback would turn into a
# group or broadcast signal.
[ -n "${DETACH_NOSYS:-}" ] && contents=(0 -1 "-$S1" "$S1 $S2")

plan $(( ${#contents[@]} * 8 + 7 + 8 + 7 + 5 * 4 + 3 ))
echo "# running detach as $MODE; sentinels $S1 and $S2"

# D ARGS...: run detach, killed if it hangs.
D() {
	timeout 10 "${RUNAS[@]}" "$DETACH" "$@"
}

sentinels_alive() {
	local p
	for p in "$S1" "$S2" "$@"; do
		alive "$p" || return 1
	done
}

# lockhold PATH TEXT: a helper holding PATH locked with TEXT in it; sets
# $HOLDER to its pid.
HOLDER=
lockhold() {
	rm -f "$W/ready"
	"${RUNAS[@]}" "$TESTTOOL" lockhold "$1" "$2" "$W/ready" &
	HOLDER=$!
	disown
	track "$HOLDER"
	wait_file "$W/ready"
}

release() {
	kill -9 "$HOLDER" 2>/dev/null
	wait_gone "$HOLDER"
}

both_in_output() {
	grep -q -- "$1" "$T/out" "$T/err" && grep -q -- "$2" "$T/out" "$T/err"
}

# Every content, unlocked then locked.
i=0
for c in "${contents[@]}"; do
	i=$((i + 1))
	q=$(printf %q "$c")
	f=$W/c$i.pid

	# (a) unlocked: stale, whatever it says
	printf %s "$c" >"$f"
	chmod 666 "$f"
	expect 1 "unlocked $q: status 1 (dead with a pidfile)" \
	    D status -p "$f"
	expect 1 "unlocked $q: signal KILL 1" D signal -p "$f" KILL
	printf %s "$c" >"$f"
	chmod 666 "$f"
	expect 1 "unlocked $q: stop -s KILL 1" D stop -s KILL -p "$f"
	check "unlocked $q: stop left the file, not detach's, as it was" \
	    eval 'test "$(cat "$f"; echo x)" = "$c"x'
	rm -f "$f"

	# (b) locked by a helper that wrote it
	lockhold "$f" "$c"
	expect 4 "locked $q: status 4" D status -p "$f"
	expect 3 "locked $q: stop -s KILL 3" D stop -s KILL -p "$f"
	expect 3 "locked $q: signal KILL 3" D signal -p "$f" KILL
	check "locked $q: sentinels and the lock holder live, file intact" \
	    eval 'sentinels_alive "$HOLDER" && test -f "$f" &&
	    test "$(cat "$f"; echo x)" = "$c"x'
	release
	rm -f "$f"
done

# An unlocked pidfile naming a live sentinel.
f=$W/stale.pid
echo "$S1" >"$f"
chmod 666 "$f"
expect 1 "unlocked, naming live pid $S1: status 1" D status -p "$f"
check "status names pid $S1 as not the daemon" \
    grep -q "names pid $S1, which is not the process detach started" "$T/out"
expect 1 "unlocked, naming live pid $S1: signal KILL 1" \
    D signal -p "$f" KILL
echo "$S1" >"$f"
chmod 666 "$f"
expect 1 "unlocked, naming live pid $S1: stop -s KILL 1" \
    D stop -s KILL -p "$f"
check "stop left it: detach did not write it" grep -qx "$S1" "$f"
rm -f "$f"
expect 3 "no pidfile: status 3" D status -p "$f"
check "the sentinels live" sentinels_alive

# Locked by a helper, naming a live sentinel that does not hold it.
f=$W/foreign.pid
lockhold "$f" "$S1"$'\n'
expect 4 "locked by $HOLDER, naming $S1: status 4" D status -p "$f"
check "status names both pids" both_in_output "$HOLDER" "$S1"
expect 3 "locked by $HOLDER, naming $S1: stop -s KILL 3" \
    D stop -s KILL -p "$f"
check "stop names both pids" both_in_output "$HOLDER" "$S1"
expect 3 "locked by $HOLDER, naming $S1: signal KILL 3" \
    D signal -p "$f" KILL
check "signal names both pids" both_in_output "$HOLDER" "$S1"
check "the sentinels, the holder and the pidfile survive" \
    eval 'sentinels_alive "$HOLDER" && test -f "$f"'
expect 1 "start: already running (locked by someone)" \
    D start -p "$f" -- sleep 300
release

# A real daemon whose pidfile is rewritten, in place, to name a sentinel.
f=$W/real.pid
D start -p "$f" -- sleep 300
dpid=$(pid_of "$f")
track "$dpid"
check "a daemon runs ($dpid)" eval 'test -n "$dpid" && alive "$dpid"'
echo "$S1" >"$f"
check "the daemon still holds the lock" locked "$f"
expect 4 "daemon $dpid, pidfile naming $S1: status 4" D status -p "$f"
check "status names both pids" both_in_output "$dpid" "$S1"
expect 3 "daemon $dpid, pidfile naming $S1: stop -s KILL 3" \
    D stop -s KILL -p "$f"
check "stop names both pids" both_in_output "$dpid" "$S1"
check "the daemon and the sentinels live" sentinels_alive "$dpid"
kill -9 "$dpid"
wait_gone "$dpid"

# Objects that are not regular files: refused, untouched, no hang.
# not_a_file DESC PATH DESCRIBE: DESCRIBE prints what must not change.
not_a_file() {
	local desc=$1 path=$2 describe=$3 before
	before=$(eval "$describe")
	expect 3 "$desc: start exits 3" D start -p "$path" -- sleep 300
	check "$desc: left as it was" \
	    test "$(eval "$describe")" = "$before" -a -n "$before"
	expect 4 "$desc: status 4" D status -p "$path"
	expect 3 "$desc: stop 3" D stop -s KILL -p "$path"
}

mkfifo "$W/fifo.pid"
not_a_file "a FIFO" "$W/fifo.pid" 'stat -c "%F %s %i" "$W/fifo.pid"'

if mknod "$W/nulldev.pid" c 1 3 2>/dev/null; then
	not_a_file "a character device" "$W/nulldev.pid" \
	    'stat -c "%F %t:%T %i" "$W/nulldev.pid"'
else
	for d in "start exits 3" "left as it was" "status 4" "stop 3"; do
		skip "a character device: $d (mknod not permitted)"
	done
fi

mkdir "$W/dir.pid"
not_a_file "a directory" "$W/dir.pid" \
    'stat -c "%F %i" "$W/dir.pid"; ls -A "$W/dir.pid"'

echo "target content" >"$W/target"
chmod 666 "$W/target"
ln -s target "$W/link.pid"
not_a_file "a symlink to a file" "$W/link.pid" \
    'stat -c "%F %i" "$W/link.pid"; readlink "$W/link.pid";
    stat -c "%i %s %Y" "$W/target"; cat "$W/target"'

ln -s "$W/nothing" "$W/dangling.pid"
not_a_file "a dangling symlink" "$W/dangling.pid" \
    'stat -c "%F %i" "$W/dangling.pid"; readlink "$W/dangling.pid"'
check "the dangling symlink's target was not created" test ! -e "$W/nothing"

expect 3 "signal on a FIFO exits 3" D signal -p "$W/fifo.pid" KILL
check "the sentinels survived everything" sentinels_alive

done_testing
