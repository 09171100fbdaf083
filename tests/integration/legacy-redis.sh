#!/bin/bash
# redis-server --daemonize yes under detach start --forking and
# --follow-pidfile, plain and --supervise.  Its data dir, log and pid
# file are in $T, --save '' (no dump, no background save child).  redis
# ignores SIGHUP (its daemonize sets SIG_IGN): HUP must leave the same
# process serving, with its data.
TOP=$(cd "${srcdir:-$(dirname "$0")/../..}" && pwd)
. "$TOP/tests/lib.sh"		# (it moves to $T)
. "$TOP/tests/legacy-lib.sh"
. "$TOP/tests/legacy-run.sh"

REDIS=$(need redis-server)
if [ -z "$REDIS" ]; then
	skip "redis-server not installed"
	plan "$TAP_N"
	done_testing
fi

R=$T/redis
mkdir -p "$R"
OWN_PID=$R/redis.pid
LOG=$R/redis.log
COMM=redis-server
PORT=$(free_port)

# daemonized, redis writes a pid file even when none is set
# (/var/run/redis.pid): always name one in $T.
CMD=("$REDIS" --daemonize yes --bind 127.0.0.1 --port "$PORT"
    --dir "$R" --logfile "$LOG" --pidfile "$OWN_PID" --save ''
    --appendonly no)

serves() {
	talk "$PORT" 'PING\r\n' '\+PONG'
}

# Give the instance something to remember: the same process keeps it
# across HUP.  Each run a new value, since --supervise's restart starts
# an empty one.
VAL=0
hup_before() {
	VAL=$((VAL + 1))
	talk "$PORT" "SET detachkey v$VAL.$$\r\n" '\+OK' >/dev/null
	cp "$LOG" "$LOG.mark"
}

# No visible effect of HUP on redis (ignored): it serves on, the same
# pid, with the key it held, and logs nothing about a shutdown.
hup_after() {
	local d=$1
	check "... redis ignores SIGHUP (SigIgn of /proc/$d/status)" \
	    ignores_hup "$d"
	check "... redis ($d) still runs, the same process" alive "$d"
	check "... it still serves" wait_serves 5
	check "... with the value set before HUP" \
	    eval 'talk "$PORT" "GET detachkey\r\n" "v$VAL\\.$$" >/dev/null'
	check "... and logged no shutdown" \
	    eval '! diff "$LOG.mark" "$LOG" | grep -qi "shutdown"'
}

# stop's TERM reached redis itself, which shut down cleanly
after_stop() {
	check "... redis logged the SIGTERM and its shutdown" \
	    grep -q "Received SIGTERM scheduling shutdown" "$LOG"
	: >"$LOG"
}

legacy_run "redis --forking" --forking
legacy_run "redis --follow-pidfile" --follow-pidfile="$OWN_PID"
legacy_run "redis --supervise --forking" --supervise --restart-delay=0.1 \
    --forking
legacy_run "redis --supervise --follow-pidfile" --supervise \
    --restart-delay=0.1 --follow-pidfile="$OWN_PID"

unset -f after_stop
legacy_killed "redis --follow-pidfile, stopped by KILL" \
    --follow-pidfile="$OWN_PID"

# a bad directive: redis exits 1 before it forks; its message goes to
# detach's -e file
unset -f after_stop
CMD=("$REDIS" --daemonize yes --bind 127.0.0.1 --port "$PORT"
    --dir "$R" --logfile "$LOG" --pidfile "$OWN_PID" --save ''
    --no-such-directive yes)
legacy_fail "redis, a bad directive, --forking" -e "$T/redis.err" --forking
check "... redis said why (in the -e file)" \
    grep -qi "bad directive" "$T/redis.err"
legacy_fail "redis, a bad directive, --supervise --follow-pidfile" \
    --supervise --follow-pidfile="$OWN_PID"
check "... no redis-server left on $PORT" none_with_cmdline "127.0.0.1:$PORT"

# the wrong pidfile followed: redis runs but the file never appears; the
# start fails after --ready-timeout and stops redis
CMD=("$REDIS" --daemonize yes --bind 127.0.0.1 --port "$PORT"
    --dir "$R" --logfile "$LOG" --pidfile "$OWN_PID" --save '')
legacy_wrong_follow redis "$R/never.pid"

plan "$TAP_N"
done_testing
