#!/bin/bash
# Real foreground programs that close every descriptor they inherit,
# pidfile lock included: `sshd -D` and `dnsmasq -k`, started with plain
# `detach start` and with `--supervise` (no --forking: they stay in the
# foreground).  detach must still know them: status 0, a second start
# refuses (1) and starts no second copy, HUP reaches them, stop exits 0
# and leaves nothing; under --supervise a kill -9 is followed by a new
# child that serves.
#
# Everything (configs, host keys, pid files, logs, hosts file) is in $T,
# on free high ports of 127.0.0.1.  sshd as root needs its privilege
# separation directory /run/sshd: as root the script re-runs itself in a
# private mount namespace with a tmpfs on /run, and creates /run/sshd
# there only; without mount namespaces the sshd cases are skipped.

if [ -z "${LEGB_NS:-}" ] && [ "$(id -u)" = 0 ] &&
    unshare -m --propagation private true 2>/dev/null; then
	exec unshare -m --propagation private env LEGB_NS=1 bash -c '
	    mount -n -t tmpfs -o mode=755 tmpfs /run 2>/dev/null &&
	        mkdir -m 755 /run/sshd && export LEGB_RUN_PRIVATE=1
	    exec bash "$0" "$@"' "$0" "$@"
fi

top=$(cd "${srcdir:-$(dirname "$0")/../..}" && pwd)
. "$top/tests/lib.sh"
. "$top/tests/legacy-lib.sh"
. "$top/tests/legacy-case.sh"

# Per case: sup (the supervisor, or empty), pid (the program), port.
SV_OPTS=(--supervise --restart=always --restart-delay=0.1
    --restart-delay-max=0.1)

# --- the programs: start command, "serves", the effect of HUP
SSHD=$(need sshd)
DNSMASQ=$(need dnsmasq)

sshd_cmd() {	# PORT TAG
	CMD=("$SSHD" -D -f "$T/sshd_config" -E "$T/sshd-$2.log"
	    -o "PidFile=$T/sshd-$2.pid" -p "$1")
}
sshd_serves() {	# PORT
	wait_banner "$1" 10
}
sshd_marker() {	# TAG: a string only this case's processes have
	echo "$T/sshd-$1.pid"
}
# sshd re-executes itself on HUP (same pid) and logs it
sshd_hup_setup() { :; }
sshd_hup_effect() {	# PORT TAG
	wait_for "$T/sshd-$2.log" 'Received SIGHUP; restarting' 10 &&
	    wait_for "$T/sshd-$2.log" 'Server listening' 10 &&
	    [ "$(grep -c 'Server listening' "$T/sshd-$2.log")" -ge 2 ] &&
	    sshd_serves "$1"
}

dnsmasq_cmd() {	# PORT TAG
	CMD=("$DNSMASQ" -k --port="$1" --listen-address=127.0.0.1
	    --bind-interfaces --no-resolv --no-hosts
	    --addn-hosts="$T/hosts-$2" --pid-file="$T/dnsmasq-$2.pid"
	    --conf-file=/dev/null --log-facility="$T/dnsmasq-$2.log"
	    $(dnsmasq_user))
	[ -e "$T/hosts-$2" ] || echo "10.1.2.3 alpha.test" >"$T/hosts-$2"
}
dnsmasq_serves() {	# PORT
	wait_resolves "$1" alpha.test 10.1.2.3 10
}
dnsmasq_marker() {
	echo "--pid-file=$T/dnsmasq-$1.pid"
}
# dnsmasq re-reads its hosts files on HUP: a name added before it
dnsmasq_hup_setup() {	# PORT TAG
	echo "10.4.5.6 after-hup.test" >>"$T/hosts-$2"
}
dnsmasq_hup_effect() {	# PORT TAG
	wait_resolves "$1" after-hup.test 10.4.5.6 10 &&
	    resolves "$1" alpha.test 10.1.2.3 tcp
}

# run_case PROG MODE: MODE plain or supervise
run_case() {
	local prog=$1 mode=$2 tag="$1-$2" f="$T/$1-$2.pid" port port2
	local pid sup opts=() what marker before new
	port=$(free_port)
	marker=$("${prog}_marker" "$tag")
	[ "$mode" = supervise ] && opts=("${SV_OPTS[@]}")
	what="$prog ($mode)"

	"${prog}_cmd" "$port" "$tag"
	expect 0 "$what: detach start exits 0" \
	    "$DETACH" start -p "$f" "${opts[@]}" -- "${CMD[@]}"
	track_cmdline "$marker"
	if [ "$mode" = supervise ]; then
		sup=$(pid_of "$f" 2>/dev/null)
		track "$sup"
		pid=$(wait_child "$f" 0 10)
	else
		sup=
		pid=$(pid_of "$f" 2>/dev/null)
	fi
	track "$pid"
	check "$what: it serves on 127.0.0.1:$port" "${prog}_serves" "$port"
	check "$what: the pid is the program's ($pid)" eval \
	    'test -n "$pid" && with_cmdline "$marker" | grep -qx "$pid"'
	if [ "$mode" = plain ]; then
		check "$what: it closed the pidfile: nobody holds the lock" \
		    eval '! locked "$f"'
	else
		check "$what: the pidfile names the supervisor ($sup)" eval \
		    'test -n "$sup" && test "$sup" != "$pid" &&
		    test "$(ppid_of "$pid")" = "$sup"'
	fi
	expect 0 "$what: status exits 0" "$DETACH" status -p "$f"
	check "$what: ... naming its pid" grep -q "pid ${sup:-$pid}" "$T/out"

	second_start_refused "$what" "$prog" "$tag" "$f" "${sup:-$pid}" \
	    "$port" "${opts[@]}"

	# HUP
	"${prog}_hup_setup" "$port" "$tag"
	expect 0 "$what: signal HUP exits 0" "$DETACH" signal -p "$f" HUP
	check "$what: ... HUP reached it ($prog: $(hup_says "$prog"))" \
	    "${prog}_hup_effect" "$port" "$tag"
	check "$what: ... same pid, still alive" alive "$pid"
	[ -n "$sup" ] && check "$what: ... the supervisor did not restart it" \
	    test "$(child_of "$f")" = "$pid"

	if [ "$mode" = supervise ]; then
		kill -9 "$pid"
		check "$what: after kill -9 the supervisor starts a new child" \
		    eval 'new=$(wait_child "$f" "$pid" 10)'
		track "$new"
		check "$what: ... which serves again" "${prog}_serves" "$port"
		check "$what: ... the supervisor is the same ($sup)" \
		    test "$(pid_of "$f")" = "$sup"
		pid=$new
	fi

	stop_leaves_nothing "$what" "$f" "$sup" "$pid" "$marker" "$port"
}

hup_says() {
	case $1 in
	sshd) echo "logs it, re-executes, serves" ;;
	dnsmasq) echo "re-reads its hosts file" ;;
	esac
}

CASE_TESTS_PLAIN=19
CASE_TESTS_SV=23

skip_case() {	# PROG MODE WHY
	local n=$CASE_TESTS_PLAIN i
	[ "$2" = supervise ] && n=$CASE_TESTS_SV
	for i in $(seq "$n"); do
		skip "$1 ($2): $3"
	done
}

# sshd
if [ -z "$SSHD" ] || ! command -v ssh-keygen >/dev/null; then
	why="sshd not installed"
elif why=$(sshd_privsep_why); then
	why=
fi
if [ -z "$why" ] && ! sshd_setup "$T"; then
	why="ssh-keygen could not make a host key"
fi
for mode in plain supervise; do
	if [ -n "$why" ]; then
		skip_case sshd "$mode" "$why"
	else
		run_case sshd "$mode"
	fi
done

# dnsmasq
for mode in plain supervise; do
	if [ -z "$DNSMASQ" ]; then
		skip_case dnsmasq "$mode" "dnsmasq not installed"
	else
		run_case dnsmasq "$mode"
	fi
done

plan "$TAP_N"
done_testing
