#!/bin/bash
# memcached -d under detach start --forking and --follow-pidfile, plain
# and --supervise.  As root memcached needs -u (nobody here); it writes
# its pid file (-P, through a .tmp and rename) and removes it at exit as
# that user, so the pid file lives in a directory of $T that user owns.
# memcached -d ignores SIGHUP (SIG_IGN): HUP must leave the same process
# serving, with its data.
TOP=$(cd "${srcdir:-$(dirname "$0")/../..}" && pwd)
. "$TOP/tests/lib.sh"		# (it moves to $T)
. "$TOP/tests/legacy-lib.sh"
. "$TOP/tests/legacy-run.sh"

MEMCACHED=$(need memcached)
if [ -z "$MEMCACHED" ]; then
	skip "memcached not installed"
	plan "$TAP_N"
	done_testing
fi

M=$T/mc
mkdir -p "$M"
USER_OPT=()
if [ "$(id -u)" = 0 ]; then
	if ! id nobody >/dev/null 2>&1; then
		skip "memcached as root needs -u, and there is no user nobody"
		plan "$TAP_N"
		done_testing
	fi
	USER_OPT=(-u nobody)
	chown nobody "$M"
fi
COMM=memcached
PORT=$(free_port)
ERR=$T/memcached.err		# detach's -e: memcached -v keeps stderr

# mc_cmd [MEMCACHED-OPTIONS...]: CMD, listening on 127.0.0.1:$PORT (TCP
# only), with -v so that it tells its exit on stderr
mc_cmd() {
	CMD=("$MEMCACHED" -d -v "${USER_OPT[@]}" -l 127.0.0.1 -p "$PORT" -U 0
	    "$@")
}

serves() {
	talk "$PORT" 'version\r\n' '^VERSION '
}

VAL=0
hup_before() {
	VAL=$((VAL + 1))
	V=hup$VAL.$$
	talk "$PORT" "set detachkey 0 0 ${#V}\r\n$V\r\n" STORED >/dev/null
}

# No visible effect of HUP on memcached (ignored): the same process goes
# on serving the value it held.
hup_after() {
	local d=$1
	check "... memcached ignores SIGHUP (SigIgn of /proc/$d/status)" \
	    ignores_hup "$d"
	check "... memcached ($d) still runs, the same process" alive "$d"
	check "... it still serves" wait_serves 5
	check "... with the value set before HUP" eval \
	    'talk "$PORT" "get detachkey\r\n" "VALUE detachkey 0 ${#V}\r\n$V\r\n" >/dev/null'
}

# stop's TERM reached memcached, which exited normally
after_stop() {
	check "... memcached said it exited normally" \
	    grep -q "Exiting normally" "$ERR"
	: >"$ERR"
}

# --forking alone: memcached writes no pid file
OWN_PID=
mc_cmd
legacy_run "memcached --forking" -e "$ERR" --forking
legacy_run "memcached --supervise --forking" -e "$ERR" --supervise \
    --restart-delay=0.1 --forking

# --follow-pidfile: memcached's -P
OWN_PID=$M/mc.pid
mc_cmd -P "$OWN_PID"
legacy_run "memcached --follow-pidfile" -e "$ERR" --follow-pidfile="$OWN_PID"
legacy_run "memcached --supervise --follow-pidfile" -e "$ERR" --supervise \
    --restart-delay=0.1 --follow-pidfile="$OWN_PID"

unset -f after_stop
legacy_killed "memcached --follow-pidfile, stopped by KILL" -e "$ERR" \
    --follow-pidfile="$OWN_PID"

# a bad option value: memcached exits 1 before it forks
mc_cmd -t 0
legacy_fail "memcached -t 0, --forking" -e "$ERR" --forking
check "... memcached said why (in the -e file)" \
    grep -q "threads must be greater than 0" "$ERR"
mc_cmd -P "$OWN_PID" -t 0
legacy_fail "memcached -t 0, --supervise --follow-pidfile" --supervise \
    --follow-pidfile="$OWN_PID"
check "... no memcached left on $PORT" none_with_cmdline "127.0.0.1 -p $PORT "

# the wrong pidfile followed: memcached runs but the file never appears;
# the start fails after --ready-timeout and stops memcached
mc_cmd -P "$OWN_PID"
legacy_wrong_follow memcached "$M/never.pid"

plan "$TAP_N"
done_testing
