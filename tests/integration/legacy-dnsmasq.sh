#!/bin/bash
# dnsmasq forks into the background by default (a double fork): detach
# start --forking and --follow-pidfile adopt it, plain and --supervise.
# It answers DNS queries (UDP and TCP, packets made in perl) for a hosts
# file on a free port of 127.0.0.1, status says it runs, a second start
# refuses, HUP makes it re-read the hosts file, a supervised dnsmasq
# killed with -9 is replaced, stop leaves nothing; a bad option makes
# start exit 3 and leaves nothing.
#
# As root dnsmasq drops to nobody (--user) and then cannot remove its own
# pid file from root's $T when it exits: with --follow-pidfile, stop
# removes it while it still names the daemon just stopped, and leaves it
# when it names another process.  (As another user, dnsmasq removes it
# itself.)  Its pid file, log and hosts file are in $T; no upstream
# servers (--no-resolv), no /etc/hosts (--no-hosts), config /dev/null.

top=$(cd "${srcdir:-$(dirname "$0")/../..}" && pwd)
. "$top/tests/lib.sh"
. "$top/tests/legacy-lib.sh"
. "$top/tests/legacy-case.sh"

DNSMASQ=$(need dnsmasq)
if [ -z "$DNSMASQ" ]; then
	echo "1..0 # SKIP dnsmasq not installed"
	exit 0
fi

dnsmasq_cmd() {	# PORT TAG
	mkdir -p "$T/$2"
	echo "10.1.2.3 alpha.test" >"$T/$2/hosts"
	CMD=("$DNSMASQ" --port="$1" --listen-address=127.0.0.1
	    --bind-interfaces --no-resolv --no-hosts
	    --addn-hosts="$T/$2/hosts" --pid-file="$T/$2/dnsmasq.pid"
	    --conf-file=/dev/null --log-facility="$T/$2/dnsmasq.log"
	    $(dnsmasq_user))
	OWNPID=$T/$2/dnsmasq.pid
}
dnsmasq_marker() {
	echo "--pid-file=$T/$1/dnsmasq.pid"
}
dnsmasq_serves() {	# PORT
	wait_resolves "$1" alpha.test 10.1.2.3 10 &&
	    resolves "$1" alpha.test 10.1.2.3 tcp
}
# HUP: dnsmasq re-reads its hosts files; a name added before HUP
# resolves after it, not before
dnsmasq_hup_setup() {	# PORT TAG
	echo "10.4.5.6 after-hup.test" >>"$T/$2/hosts"
	resolves "$1" after-hup.test 10.4.5.6 &&
	    echo "# after-hup.test resolved before HUP"
}
dnsmasq_hup_says() {
	echo "it re-reads its hosts file, same pid"
}
dnsmasq_hup_effect() {	# PORT TAG PID
	wait_resolves "$1" after-hup.test 10.4.5.6 10 &&
	    wait_for "$T/$2/dnsmasq.log" "read $T/$2/hosts - 2 names" 5 &&
	    alive "$3"
}
# an option with a bad value: dnsmasq exits 1 before it forks
dnsmasq_badcmd() {	# PORT TAG
	dnsmasq_cmd "$1" "$2"
	CMD+=(--address=/bad.test/not-an-address)
}

for mode in forking follow sv-forking sv-follow; do
	run_forking_case dnsmasq "$mode"
done
for mode in forking follow sv-forking; do
	run_bad_case dnsmasq "$mode"
done

# --follow-pidfile: its own pidfile, rewritten to name another process
# of ours, is left where it is by stop (and that process is not touched)
port=$(free_port)
dnsmasq_cmd "$port" other
f=$T/other.pid
expect 0 "dnsmasq --follow: start exits 0" "$DETACH" start -p "$f" \
    --follow-pidfile="$OWNPID" --ready-timeout=10 -- "${CMD[@]}"
pid=$(pid_of "$f" 2>/dev/null)
track "$pid"
track_cmdline "$(dnsmasq_marker other)"
check "... it serves" dnsmasq_serves "$port"
sleep 300 &
other=$!
disown
track "$other"
echo "$other" >"$OWNPID"
expect 0 "... its own pidfile names another process: stop exits 0" \
    "$DETACH" stop -p "$f"
check "... dnsmasq ($pid) is gone, the port is closed" \
    eval 'all_gone $pid && wait_port_closed "$port"'
if [ "$(id -u)" = 0 ]; then
	check "... its own pidfile is left, still naming $other" \
	    test "$(pid_of "$OWNPID" 2>/dev/null)" = "$other"
else
	# as nobody, under root's $T, dnsmasq cannot remove it; as the
	# owner of $T it removes it itself when it exits
	skip "... its own pidfile is left: dnsmasq, running as us, removes it itself"
fi
check "... which lives" alive "$other"
kill -9 "$other"

plan "$TAP_N"
done_testing
