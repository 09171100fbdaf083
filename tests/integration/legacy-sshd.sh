#!/bin/bash
# sshd without -D forks into the background itself: detach start
# --forking and --follow-pidfile adopt its listener, plain and
# --supervise.  It serves (the port answers with an SSH-2.0- banner) on
# a free port of 127.0.0.1, status says it runs, a second start refuses,
# HUP makes it log and re-execute itself (same pid, it serves again), a
# supervised sshd killed with -9 is replaced, stop leaves nothing; a bad
# config makes start exit 3 and leaves nothing.
#
# Host key, config, pid file and log are in $T.  sshd as root needs its
# privilege separation directory /run/sshd: as root the script re-runs
# itself in a private mount namespace with a tmpfs on /run and creates
# /run/sshd there only; without mount namespaces it is skipped.  It is
# also the init of a private pid namespace there, so the plain --forking
# sshd's parent is pid 1 (see sshd_hup_skip), whatever subreaper runs
# the suite.  As another user sshd runs without privilege separation and
# needs none.

if [ -z "${LEGB_NS:-}" ] && [ "$(id -u)" = 0 ] &&
    unshare -m -p -f --mount-proc --propagation private true 2>/dev/null
then
	exec unshare -m -p -f --mount-proc --propagation private \
	    env LEGB_NS=1 bash -c '
	    mount -n -t tmpfs -o mode=755 tmpfs /run 2>/dev/null &&
	        mkdir -m 755 /run/sshd && export LEGB_RUN_PRIVATE=1
	    exec bash "$0" "$@"' "$0" "$@"
fi

top=$(cd "${srcdir:-$(dirname "$0")/../..}" && pwd)
. "$top/tests/lib.sh"
. "$top/tests/legacy-lib.sh"
. "$top/tests/legacy-case.sh"

SSHD=$(need sshd)
if [ -z "$SSHD" ] || ! command -v ssh-keygen >/dev/null; then
	echo "1..0 # SKIP sshd (openssh-server) not installed"
	exit 0
fi
if ! why=$(sshd_privsep_why); then
	echo "1..0 # SKIP $why"
	exit 0
fi
if ! sshd_setup "$T"; then
	echo "1..0 # SKIP ssh-keygen could not make a host key"
	exit 0
fi

# one host key and config for all; the port, pid file and log per case
sshd_cmd() {	# PORT TAG
	mkdir -p "$T/$2"
	CMD=("$SSHD" -f "$T/sshd_config" -E "$T/$2/sshd.log"
	    -o "PidFile=$T/$2/sshd.pid" -p "$1")
	OWNPID=$T/$2/sshd.pid
}
sshd_marker() {
	echo "PidFile=$T/$1/sshd.pid"
}
sshd_serves() {	# PORT
	wait_banner "$1" 10
}
# HUP: sshd logs it and re-executes itself, listening again.  Its parent
# is not pid 1 under --supervise, so it then daemonizes again: the pid
# changes, and the supervisor adopts the new one (hands over).
sshd_hup_setup() { :; }
sshd_hup_says() {
	echo "it logs it, re-executes itself and serves"
}
sshd_hup_hands_over() { :; }
sshd_hup_effect() {	# PORT TAG PID
	wait_for "$T/$2/sshd.log" 'Received SIGHUP; restarting' 10 &&
	    wait_for_listening_again "$T/$2/sshd.log" &&
	    sshd_serves "$1" && alive "$3"
}
# Without -D, sshd takes itself for daemonized only while its parent is
# PID 1; otherwise, when it re-executes itself on HUP, it forks into the
# background again and the pid detach adopted exits 0.  Under plain
# --forking that happens when the caller runs under a subreaper
# (tests/reaper in make check, systemd --user, some container inits):
# the new daemon is a process detach never knew, nothing it can follow.
# Under --supervise its parent is always the supervisor (see the last
# case).
sshd_hup_skip() {	# PID MODE
	local pp
	case $2 in sv-*) return 1 ;; esac
	pp=$(ppid_of "$1")
	[ "$pp" = 1 ] && return 1
	echo "sshd's parent is pid $pp, not 1 (a subreaper): sshd would fork again on HUP"
}
# a second "Server listening" line, after the HUP one
wait_for_listening_again() {	# LOG
	local end=$(($(now_ms) + 10000))
	until sed -n '/Received SIGHUP/,$p' "$1" | grep -q 'Server listening'
	do
		[ "$(now_ms)" -lt "$end" ] || return 1
		sleep 0.05
	done
}
# an unknown keyword: sshd exits 255 before it forks
sshd_badcmd() {	# PORT TAG
	mkdir -p "$T/$2"
	cp "$T/sshd_config" "$T/$2/sshd_config"
	echo "NoSuchKeyword yes" >>"$T/$2/sshd_config"
	CMD=("$SSHD" -f "$T/$2/sshd_config" -E "$T/$2/sshd.log"
	    -o "PidFile=$T/$2/sshd.pid" -p "$1")
	OWNPID=$T/$2/sshd.pid
}

for mode in forking follow sv-forking sv-follow; do
	run_forking_case sshd "$mode"
done
for mode in forking follow sv-forking; do
	run_bad_case sshd "$mode"
done

# --supervise --forking with the default policy (--restart=on-failure):
# sshd's parent is the supervisor, so on HUP it re-executes itself, forks
# into the background again and the adopted pid exits 0.  The service
# must survive a HUP: the supervisor still runs, status 0, it serves.
f=$T/sv-hup.pid
port=$(free_port)
sshd_cmd "$port" sv-hup
expect 0 "sshd --supervise --forking (default policy): start exits 0" \
    "$DETACH" start -p "$f" --supervise --forking --ready-timeout=10 \
    -o "$T/sv-hup.out" -- "${CMD[@]}"
sup=$(pid_of "$f" 2>/dev/null)
track "$sup"
track_cmdline "$(sshd_marker sv-hup)"
check "... it serves" sshd_serves "$port"
expect 0 "... signal HUP exits 0" "$DETACH" signal -p "$f" HUP
check "... sshd logs the HUP" \
    wait_for "$T/sv-hup/sshd.log" 'Received SIGHUP; restarting' 10
track_cmdline "$(sshd_marker sv-hup)"
check "... the supervisor ($sup) still runs a second later" \
    eval '! wait_gone "$sup" 1'
sed 's/^/# supervisor: /' "$T/sv-hup.out"
expect 0 "... status exits 0" "$DETACH" status -p "$f"
check "... it serves" sshd_serves "$port"
track_cmdline "$(sshd_marker sv-hup)"
before="$sup $(with_cmdline "$(sshd_marker sv-hup)")"
"$DETACH" stop -p "$f" >/dev/null 2>&1
check "... after stop nothing is left ($(echo $before))" \
    eval 'all_gone $before && none_with_cmdline "$(sshd_marker sv-hup)" &&
    wait_port_closed "$port"'

plan "$TAP_N"
done_testing
