#!/bin/bash
# detach start --supervise --syslog: the child's output and the
# supervisor's messages reach a real syslogd (busybox), with the tag,
# facility and priorities asked for.
#
# The test runs in a mount namespace of its own with a private tmpfs on
# /dev, so that the syslogd it starts creates /dev/log there: the host's
# /dev (and /dev/log, if it has one) is neither used nor touched.  Needs
# root, unshare(1) and busybox with syslogd; skipped otherwise.

if [ "${DETACH_SYSLOG_NS:-}" != 1 ]; then
	why=
	if [ "$(id -u)" != 0 ]; then
		why="needs root for a private mount namespace"
	elif ! command -v unshare >/dev/null 2>&1; then
		why="no unshare"
	elif ! command -v busybox >/dev/null 2>&1 ||
	    ! busybox --list 2>/dev/null | grep -qx syslogd; then
		why="no busybox syslogd"
	elif ! unshare -m --propagation private true 2>/dev/null; then
		why="cannot create a mount namespace"
	fi
	if [ -n "$why" ]; then
		echo "1..0 # SKIP $why"
		exit 0
	fi
	DETACH_SYSLOG_NS=1 exec unshare -m --propagation private \
	    "${BASH:-bash}" "$0" "$@"
	echo "1..0 # SKIP cannot run under unshare"
	exit 0
fi

. "${srcdir:-$(dirname "$0")/../..}/tests/lib.sh"

# We are alone in this mount namespace: cover /dev with a tmpfs holding
# only binds of the few device nodes a test needs.  The nodes pass through
# $T one by one and are unmounted from there at once.
private_dev() {
	local n f
	mkdir "$T/devnodes" || return 1
	for n in null zero full random urandom tty; do
		[ -c "/dev/$n" ] || continue
		: >"$T/devnodes/$n" &&
		    mount --bind "/dev/$n" "$T/devnodes/$n" || return 1
	done
	mount -t tmpfs -o mode=0755,nosuid,noexec tmpfs /dev || return 1
	for f in "$T"/devnodes/*; do
		n=${f##*/}
		: >"/dev/$n" && mount --bind "$f" "/dev/$n" || return 1
		umount "$f" || return 1
	done
	ln -s /proc/self/fd /dev/fd &&
	    ln -s fd/0 /dev/stdin && ln -s fd/1 /dev/stdout &&
	    ln -s fd/2 /dev/stderr &&
	    mkdir -m 1777 /dev/shm && mkdir /dev/pts
}
if ! private_dev >"$T/mount.err" 2>&1; then
	echo "1..0 # SKIP cannot set up a private /dev: $(head -n 1 "$T/mount.err")"
	exit 0
fi

plan 17

LOG=$T/syslog.out

# wait_log PATTERN [COUNT]: wait until COUNT (default 1) lines of the
# syslog output match PATTERN (grep -E); at most 10 s.
wait_log() {
	local want=${2:-1} size n end=$((${EPOCHREALTIME/./} + 10000000))
	while :; do
		size=$(stat -c %s "$LOG" 2>/dev/null || echo 0)
		n=$(grep -Ec -- "$1" "$LOG" 2>/dev/null)
		[ "${n:-0}" -ge "$want" ] && return 0
		[ "${EPOCHREALTIME/./}" -lt "$end" ] || return 1
		wait_file "$LOG" 10 $((size + 1)) || return 1
	done
}

busybox syslogd -n -O "$LOG" </dev/null >"$T/syslogd.out" 2>&1 &
syslogd=$!
track "$syslogd"
check "the syslogd listens on the private /dev/log" \
    eval 'wait_file /dev/log 10 0 && test -S /dev/log'

cat >"$T/hello.sh" <<'EOS'
#!/bin/sh
echo hello-out
echo hello-err >&2
exec sleep 300
EOS
chmod 755 "$T/hello.sh"

sv=$(start_daemon "$T/sl.pid" --supervise --syslog=local3 \
    --syslog-tag=mytag --restart-delay=0 --child-pidfile="$T/sl.child" \
    -- "$T/hello.sh")
check "start --supervise --syslog exits 0" test -n "$sv"
check "the child's stdout line is logged" wait_log ': hello-out$'
check "the child's stderr line is logged" wait_log ': hello-err$'
check "under the tag and the supervisor's pid" \
    eval 'grep -q " mytag\[$sv\]: hello-out$" "$LOG" &&
    grep -q " mytag\[$sv\]: hello-err$" "$LOG"'

# busybox syslogd writes "facility.priority" before the tag unless
# built or run for smaller output; its own start line shows which.
if grep -Eq ' [a-z0-9]+\.[a-z]+ syslogd started' "$LOG"; then
	check "stdout is logged at local3.info" \
	    grep -q ' local3\.info mytag\[[0-9]*\]: hello-out$' "$LOG"
	check "stderr is logged at local3.err" \
	    grep -q ' local3\.err mytag\[[0-9]*\]: hello-err$' "$LOG"
else
	skip "this syslogd does not show priorities"
	skip "this syslogd does not show priorities"
fi

wait_file "$T/sl.child" 10 2
child=$(pid_of "$T/sl.child")
kill -9 "$child"
check "the supervisor reports the child's death to syslog" \
    wait_log " mytag\[$sv\]: pid $child killed by SIGKILL$"
check "... at facility local3" \
    grep -Eq " local3\.[a-z]+ mytag\[$sv\]: pid $child killed by SIGKILL$" \
    "$LOG"
check "... and the restart" wait_log " mytag\[$sv\]: restarting in 0\.000 s$"
check "the restarted child's stdout is logged too" wait_log ': hello-out$' 2
check "... and its stderr" wait_log ': hello-err$' 2
child2=$(pid_of "$T/sl.child")
check "... by a new child" test -n "$child2" -a "$child2" != "$child"

expect 0 "stop exits 0" "$DETACH" stop -p "$T/sl.pid"
check "the stop is logged" wait_log " mytag\[$sv\]: stopping pid $child2$"
check "so is the supervisor's exit" \
    wait_log " mytag\[$sv\]: supervisor exiting$"
check "nothing was logged under another tag" \
    test "$(grep -v ' syslogd started' "$LOG" | grep -vc ' mytag\[')" = 0

kill "$syslogd"
wait_gone "$syslogd"

done_testing
