#!/bin/bash
# Named pidfiles: -n NAME, and start with neither -p nor -n.
#
# Root's named pidfiles live in /run/detach: as root the test re-runs
# itself in a private mount namespace with a tmpfs on /run, so the real
# /run is never touched.  Without that, the root cases are skipped.  The
# other cases run as nobody (as root) or as the calling user.

if [ -z "${DETACH_NAMED_NS:-}" ] && [ "$(id -u)" = 0 ] &&
    unshare -m true 2>/dev/null; then
	exec unshare -m env DETACH_NAMED_NS=1 bash -c '
	    mount -n -t tmpfs -o mode=755 tmpfs /run 2>/dev/null &&
	        export DETACH_RUN_PRIVATE=1
	    exec bash "$0" "$@"' "$0" "$@"
fi

. "${srcdir:-$(dirname "$0")/../..}/tests/lib.sh"

plan 41

D() {
	timeout 20 "$DETACH" "$@"
}

# Root, /run private.
ROOT_CASES=16
if [ "$(id -u)" != 0 ]; then
	for i in $(seq $ROOT_CASES); do skip "root cases: not root"; done
elif [ -z "${DETACH_RUN_PRIVATE:-}" ]; then
	for i in $(seq $ROOT_CASES); do
		skip "root cases: no private mount namespace for /run"
	done
else
	echo "# root cases in a private mount namespace, tmpfs on /run"
	mkdir "$T/rootxdg"
	(umask 077; XDG_RUNTIME_DIR=$T/rootxdg D start -n web -- sleep 300)
	RC=$?
	pf=/run/detach/web.pid
	pid=$(pid_of "$pf" 2>/dev/null)
	[ -n "$pid" ] && track "$pid"
	check "start -n web exits 0 ($RC)" test "$RC" = 0
	check "/run/detach/web.pid names the daemon ($pid)" \
	    eval 'test -f "$pf" -a -n "$pid" && alive "$pid" &&
	    test "$(cat /proc/$pid/comm)" = sleep'
	check "it is locked" locked "$pf"
	check "/run/detach is a directory of mode 755, despite umask 077" \
	    test -d /run/detach -a "$(stat -c %a /run/detach 2>/dev/null)" = 755
	check "root ignores XDG_RUNTIME_DIR" test ! -e "$T/rootxdg/detach"
	expect 0 "status -n web exits 0" D status -n web
	check "status says \"web is running (pid $pid)\"" \
	    test "$(cat "$T/out")" = "web is running (pid $pid)"
	expect 1 "a second start -n web exits 1" D start -n web -- sleep 300
	check "it says already running" grep -q "already running" "$T/err"
	expect 0 "stop -n web exits 0" D stop -n web
	check "the daemon is gone, and so is its pidfile" \
	    eval 'wait_gone "$pid" && test ! -e "$pf"'

	D start -- sleep 300
	RC=$?
	pf=/run/detach/sleep.pid
	pid=$(pid_of "$pf" 2>/dev/null)
	[ -n "$pid" ] && track "$pid"
	check "start without -p or -n exits 0 ($RC)" test "$RC" = 0
	check "the pidfile is /run/detach/sleep.pid, named after the command" \
	    eval 'test -f "$pf" -a -n "$pid" && alive "$pid" &&
	    test "$(cat /proc/$pid/comm)" = sleep'
	expect 0 "status -n sleep exits 0" D status -n sleep
	expect 0 "stop -n sleep exits 0" D stop -n sleep
	check "the daemon is gone, and so is its pidfile" \
	    eval 'wait_gone "$pid" && test ! -e "$pf"'
fi

# Not root: nobody, or ourselves.
if [ "$(id -u)" = 0 ]; then
	RUNAS=(setpriv --reuid=nobody --regid=nogroup --clear-groups)
	DETACH=$(shared "$DETACH") || exit 99
	uid=$(id -u nobody)
	who=nobody
else
	RUNAS=()
	uid=$(id -u)
	who="uid $uid"
fi
U() {
	timeout 20 "${RUNAS[@]}" "$@"
}
xdg=$T/xdg
mkdir -m 700 "$xdg"
[ "$(id -u)" = 0 ] && chown "$uid" "$xdg"

expect 0 "as $who, start -n x exits 0" \
    U env XDG_RUNTIME_DIR="$xdg" "$DETACH" start -n x -- sleep 300
pf=$xdg/detach/x.pid
pid=$(pid_of "$pf" 2>/dev/null)
[ -n "$pid" ] && track "$pid"
check "the pidfile is \$XDG_RUNTIME_DIR/detach/x.pid ($pid)" \
    eval 'test -f "$pf" -a -n "$pid" && alive "$pid" &&
    test "$(cat /proc/$pid/comm)" = sleep'
check "the daemon runs as $who" \
    test "$(stat -c %u /proc/"$pid" 2>/dev/null)" = "$uid"
check "\$XDG_RUNTIME_DIR/detach is created with mode 755, owned by $who" \
    test "$(stat -c %a:%u "$xdg/detach" 2>/dev/null)" = "755:$uid"
expect 0 "status -n x exits 0" \
    U env XDG_RUNTIME_DIR="$xdg" "$DETACH" status -n x
check "status says \"x is running (pid $pid)\"" \
    test "$(cat "$T/out")" = "x is running (pid $pid)"
expect 0 "stop -n x exits 0" \
    U env XDG_RUNTIME_DIR="$xdg" "$DETACH" stop -n x
check "the daemon is gone, and so is its pidfile" \
    eval 'wait_gone "$pid" && test ! -e "$pf"'

# No XDG_RUNTIME_DIR and no /run/user/UID: an error that asks for -p.
if [ -e /run/user/"$uid" ]; then
	for i in 1 2 3 4; do
		skip "no runtime directory: /run/user/$uid exists here"
	done
else
	expect 3 "without XDG_RUNTIME_DIR or /run/user/$uid, start -n x exits 3" \
	    U env -u XDG_RUNTIME_DIR "$DETACH" start -n x -- sleep 300
	check "the message mentions -p" grep -q -- "-p" "$T/err"
	cat "$T/err" | diag
	expect 3 "a relative XDG_RUNTIME_DIR counts as unset" \
	    U env XDG_RUNTIME_DIR=xdg "$DETACH" start -n x -- sleep 300
	check "nothing was created for it" test ! -e "$T/xdg/detach/x.pid"
fi

# /run/user/UID, when it exists and is ours (private /run only).
if [ "$(id -u)" = 0 ] && [ -n "${DETACH_RUN_PRIVATE:-}" ]; then
	mkdir -p -m 755 /run/user
	mkdir -m 700 /run/user/"$uid"
	chown "$uid" /run/user/"$uid"
	expect 0 "without XDG_RUNTIME_DIR, start -n y uses /run/user/$uid" \
	    U env -u XDG_RUNTIME_DIR "$DETACH" start -n y -- sleep 300
	pf=/run/user/$uid/detach/y.pid
	pid=$(pid_of "$pf" 2>/dev/null)
	[ -n "$pid" ] && track "$pid"
	check "the pidfile is /run/user/$uid/detach/y.pid ($pid)" \
	    eval 'test -f "$pf" -a -n "$pid" && alive "$pid"'
	expect 0 "stop -n y exits 0" \
	    U env -u XDG_RUNTIME_DIR "$DETACH" stop -n y
	check "the daemon is gone, and so is its pidfile" \
	    eval 'wait_gone "$pid" && test ! -e "$pf"'
	rm -rf /run/user/"$uid"
	mkdir -m 777 /run/user/"$uid"	# usable, but not ours
	expect 3 "a /run/user/$uid that is not ours is not used" \
	    U env -u XDG_RUNTIME_DIR "$DETACH" start -n y -- sleep 300
	check "nothing was created in it" test ! -e /run/user/"$uid"/detach
	rm -rf /run/user
else
	for i in 1 2 3 4 5 6; do
		skip "/run/user/UID cases: need root and a private /run"
	done
fi

# Usage errors, 64.  As root without a private /run, run them as $who.
if [ "$(id -u)" = 0 ] && [ -n "${DETACH_RUN_PRIVATE:-}" ]; then
	V() { timeout 20 "$DETACH" "$@"; }
else
	V() { U env XDG_RUNTIME_DIR="$xdg" "$DETACH" "$@"; }
fi
expect 64 "start -n a/b exits 64" V start -n a/b -- sleep 300
expect 64 "start -n .x exits 64" V start -n .x -- sleep 300
expect 64 "start -n '' exits 64" V start -n '' -- sleep 300
expect 64 "stop without -p or -n exits 64" V stop
expect 64 "status without -p or -n exits 64" V status
expect 64 "signal HUP without -p or -n exits 64" V signal HUP
# /run/detach only when it is our private one: the machine's may hold
# the pidfiles of its own daemons.
dirs=$xdg
[ -n "${DETACH_RUN_PRIVATE:-}" ] && dirs="$dirs /run/detach"
check "none of them created a pidfile" \
    eval '! find $dirs -name "*.pid" 2>/dev/null | grep -q .'

done_testing
