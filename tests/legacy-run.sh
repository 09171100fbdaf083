# Helpers for tests/integration/legacy-{memcached,redis,nginx}.sh, sourced
# after lib.sh and legacy-lib.sh: a real self-daemonizing program started
# by detach start --forking or --follow-pidfile, plain and --supervise,
# is taken through start, status, HUP, (kill -9 and restart), stop.
#
# A test sets, before calling legacy_run:
#   CMD       array: the program's command line (it daemonizes itself)
#   PORT      the port it listens on, 127.0.0.1
#   OWN_PID   the program's own pidfile (empty if it writes none)
#   COMM      the daemon's /proc/PID/comm
# and defines:
#   serves             true when 127.0.0.1:$PORT answers as the program
#   hup_before DAEMON  (optional) prepare an observable effect of HUP
#   hup_after DAEMON   emit the checks that HUP reached DAEMON
#   after_stop         (optional) more checks once stop returned

: "${READY_TIMEOUT:=10}"

# comm_of PID: its command name.
comm_of() {
	cat "/proc/$1/comm" 2>/dev/null
}

# stat_field PID N: field N (3 = state, 4 = ppid, 5 = pgrp, 6 = session)
# of /proc/PID/stat, counted as in proc(5) whatever the comm holds.
stat_field() {
	local s n=$2
	s=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
	s=${s##*) }
	set -- $s
	shift $((n - 3))
	echo "$1"
}

session_of() {
	stat_field "$1" 6
}

# in_session SID: the live (not zombie) processes of session SID.
in_session() {
	local d s
	for d in /proc/[0-9]*; do
		s=$(cat "$d/stat" 2>/dev/null) || continue
		s=${s##*) }
		set -- $s
		[ "$1" != Z ] && [ "$4" = "$SID_WANTED" ] && echo "${d#/proc/}"
	done
}

# session_empty SID: no live process is left in session SID (10 s).
session_empty() {
	local end=$(($(now_ms) + 10000)) left
	SID_WANTED=$1
	while :; do
		left=$(in_session)
		[ -z "$left" ] && return 0
		[ "$(now_ms)" -gt "$end" ] && break
		sleep 0.05
	done
	echo "session $1 still holds: $(echo $left)" | diag
	return 1
}

# ignores_hup PID: PID has SIGHUP (bit 0) in its ignored set, so HUP
# cannot show.
ignores_hup() {
	local m
	m=$(sed -n 's/^SigIgn:[[:space:]]*//p' "/proc/$1/status" 2>/dev/null)
	[ -n "$m" ] && [ $((0x$m & 1)) = 1 ]
}

# wait_serves [SECS]: until serves succeeds.
wait_serves() {
	local end=$(($(now_ms) + ${1:-10} * 1000))
	until serves >/dev/null 2>&1; do
		[ "$(now_ms)" -gt "$end" ] && return 1
		sleep 0.05
	done
}

# disjoint "A B" "C D": the two lists hold no common element.
disjoint() {
	local a b
	for a in $1; do
		for b in $2; do
			[ "$a" = "$b" ] && return 1
		done
	done
	return 0
}

# legacy_run LABEL DETACH-OPTIONS...: the whole life of the service.
legacy_run() {
	local label=$1 pf=$T/d.pid sup="" daemon procs sid new old
	shift
	local supervised=0
	case " $* " in *" --supervise "*) supervised=1 ;; esac
	rm -f "$pf" "$pf.state"

	expect 0 "$label: start exits 0" "$DETACH" start -p "$pf" \
	    --ready-timeout="$READY_TIMEOUT" "$@" -- "${CMD[@]}"
	if [ "$RC" != 0 ]; then
		# whatever it left, by the port or our directory
		track $(with_cmdline "$T/") $(with_cmdline "127.0.0.1:$PORT")
		return
	fi
	if [ "$supervised" = 1 ]; then
		sup=$(pid_of "$pf")
		daemon=$(child_of "$pf")
		track "$sup" "$daemon"
		check "$label: the pidfile names the supervisor ($sup), the record its child ($daemon)" \
		    test -n "$daemon" -a "$daemon" != 0 -a "$daemon" != "$sup"
		check "... the supervisor is detach ($(comm_of "$sup"))" \
		    test "$(comm_of "$sup")" = detach
	else
		daemon=$(pid_of "$pf")
		track "$daemon"
	fi
	check "$label: the daemon ($daemon) is $COMM ($(comm_of "$daemon")), alive" \
	    eval 'alive "$daemon" && test "$(comm_of "$daemon")" = "$COMM"'
	if [ -n "$OWN_PID" ]; then
		check "... $COMM's own pidfile names it too" \
		    wait_pidfile_is "$OWN_PID" "$daemon"
	fi
	check "$label: it serves on 127.0.0.1:$PORT" wait_serves 10
	expect 0 "$label: status exits 0" "$DETACH" status -p "$pf"

	if declare -F hup_before >/dev/null; then
		hup_before "$daemon"
	fi
	expect 0 "$label: signal HUP exits 0" "$DETACH" signal -p "$pf" HUP
	hup_after "$daemon"
	[ -n "$sup" ] && check "... the supervisor ($sup) still runs" alive "$sup"

	if [ "$supervised" = 1 ]; then
		old=$(descendants "$daemon")
		track $old
		kill -9 "$daemon"
		check "$label: after kill -9 of the daemon, it and its processes are gone ($(echo $old))" \
		    all_gone $old
		new=$(wait_child "$pf" "$daemon" 15)
		track "$new"
		check "... the supervisor started a new daemon (${new:-none})" \
		    test -n "$new"
		if [ -n "$new" ]; then
			daemon=$new
			check "... which is $COMM ($(comm_of "$daemon"))" \
			    test "$(comm_of "$daemon")" = "$COMM"
		fi
		check "... it serves again" wait_serves 15
		if [ -n "$OWN_PID" ]; then
			check "... $COMM's own pidfile names the new daemon" \
			    wait_pidfile_is "$OWN_PID" "$daemon"
		fi
		check "... detach's pidfile still names the supervisor" \
		    test "$(pid_of "$pf")" = "$sup"
		expect 0 "... status exits 0" "$DETACH" status -p "$pf"
	fi

	# everything of the service, collected before stop
	procs=$(descendants "${sup:-$daemon}")
	track $procs
	sid=$(session_of "$daemon")
	expect 0 "$label: stop exits 0" "$DETACH" stop -p "$pf"
	check "... the port is closed" port_closed "$PORT"
	check "... every process of the service is gone ($(echo $procs))" \
	    all_gone $procs
	check "... nothing is left in the daemon's session ($sid)" \
	    session_empty "$sid"
	check "... detach's pidfile and record are gone" \
	    test ! -e "$pf" -a ! -e "$pf.state"
	if [ -n "$OWN_PID" ]; then
		check "... $COMM's own pidfile is gone" test ! -e "$OWN_PID"
	fi
	if declare -F after_stop >/dev/null; then
		after_stop
	fi
}

# legacy_fail LABEL DETACH-OPTIONS...: a start that must fail (exit 3),
# leaving no process, no pidfile and the port free.  CMD as above.
legacy_fail() {
	local label=$1 pf=$T/bad.pid
	shift
	rm -f "$pf" "$pf.state"
	expect 3 "$label: start exits 3" "$DETACH" start -p "$pf" \
	    --ready-timeout="$READY_TIMEOUT" "$@" -- "${CMD[@]}"
	check "... with a message" test -s "$T/err"
	sed 's/^/stderr: /' "$T/err" | diag
	[ -e "$pf" ] && track "$(pid_of "$pf")"
	track $(with_cmdline "$T/") $(with_cmdline "127.0.0.1:$PORT")
	check "... no pidfile, no record" test ! -e "$pf" -a ! -e "$pf.state"
	check "... nothing listens on $PORT" port_closed "$PORT"
}

# legacy_killed LABEL DETACH-OPTIONS...: start, then stop -s KILL: the
# program cannot remove its own pidfile ($OWN_PID), which is left naming
# the daemon just stopped, so detach's stop removes it.
legacy_killed() {
	local label=$1 pf=$T/k.pid daemon procs
	shift
	rm -f "$pf" "$pf.state"
	expect 0 "$label: start exits 0" "$DETACH" start -p "$pf" \
	    --ready-timeout="$READY_TIMEOUT" "$@" -- "${CMD[@]}"
	[ "$RC" = 0 ] || return
	daemon=$(pid_of "$pf")
	track "$daemon"
	check "... it serves" wait_serves 10
	check "... its own pidfile names the daemon ($daemon)" \
	    wait_pidfile_is "$OWN_PID" "$daemon"
	procs=$(descendants "$daemon")
	track $procs
	expect 0 "$label: stop -s KILL exits 0" "$DETACH" stop -s KILL -p "$pf"
	sed 's/^/stop: /' "$T/err" | diag
	check "... every process of the service is gone ($(echo $procs))" \
	    all_gone $procs
	# what is left, if anything, for the log
	ps -o pid,ppid,sid,stat,user,args -p "$(echo $procs | tr ' ' ,)" \
	    >"$T/ps" 2>&1 && cat "$T/ps" "$pf.state" 2>&1 | diag
	check "... the port is closed" port_closed "$PORT"
	check "... detach removed the pidfile the killed program left" \
	    test ! -e "$OWN_PID"
	check "... and its own pidfile and record" \
	    test ! -e "$pf" -a ! -e "$pf.state"
}

# legacy_wrong_follow LABEL PATH: --follow-pidfile=PATH, which the program
# (CMD, writing OWN_PID) never writes: it runs, but start fails after
# --ready-timeout, stops it and leaves nothing.
legacy_wrong_follow() {
	local label=$1 st daemon=""
	rm -f "$OWN_PID"
	"$DETACH" start -p "$T/wrong.pid" --ready-timeout=2 \
	    --follow-pidfile="$2" -- "${CMD[@]}" >"$T/out" 2>"$T/err" &
	st=$!
	wait_file "$OWN_PID" 5 && daemon=$(pid_of "$OWN_PID")
	track $daemon
	wait "$st"
	RC=$?
	check "$label, following a pidfile it never writes: start exits 3 ($RC)" \
	    test "$RC" = 3
	sed 's/^/stderr: /' "$T/err" | diag
	check "... $label had started (${daemon:-no pid})" test -n "$daemon"
	check "... it is gone" all_gone $daemon
	check "... nothing listens on $PORT" port_closed "$PORT"
	check "... no pidfile, no record" \
	    test ! -e "$T/wrong.pid" -a ! -e "$T/wrong.pid.state"
}
