# Shared helpers for the black-box tests (bash, TAP output).
#
# Each test sources this file, works in its own temporary directory and
# kills, by pid, only what it started.  $DETACH is the binary under test
# and $TESTTOOL the event helper (tests/testtool.c); both are set by the
# harness (tests/local.mk), or default to the build tree.

set -u
: "${DETACH:=$(cd "$(dirname "$0")/../.." && pwd)/src/detach}"
: "${TESTTOOL:=$(cd "$(dirname "$0")/../.." && pwd)/tests/testtool}"

# 0755 so that tests running detach as another user can reach it.
T=$(mktemp -d /tmp/detach-test.XXXXXX) || exit 99
chmod 755 "$T"
cd "$T" || exit 99

# shared PATH: copy PATH (the binary, a helper, a script under test) to
# $T/.shared and print the copy's path.  Whatever a test runs as another
# user (nobody, when we are root) must be such a copy: the build tree may
# be out of that user's reach (a clone under /root, the 0700 directory
# dpkg-buildpackage builds in), $T is not.  The original run by setpriv
# itself happens to work (setpriv execs with root's capabilities still
# raised), but not through env, timeout or a script.  A hidden name, so
# that file name completion in $T (completion.sh) does not offer it.
shared() {
	local d=$T/.shared
	local f=$d/${1##*/}
	if [ ! -e "$f" ]; then
		mkdir -p "$d" && chmod 755 "$d" &&
		    cp "$1" "$f" && chmod a+rX,go-w "$f" || return 1
	fi
	echo "$f"
}

TAP_N=0
TAP_FAILED=0
TRACKED=""

# start_time PID: its start time (field 22 of /proc/PID/stat); fails if
# there is no such process.
start_time() {
	local s
	s=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
	s=${s##*) }
	# shellcheck disable=SC2086 # split the fields on purpose
	set -- $s
	echo "${20}"
}

# track PID...: kill these at exit, if they are still the processes they
# were: each is kept with its start time, so that a pid given to someone
# else since (pids wrap: pid_max may be 32768) is left alone.  Empty, 0,
# 1 and other non-pids are ignored: cleanup's kill -9 0 would kill our
# own process group, and whatever runs beside us in it.
track() {
	local p st
	for p; do
		case $p in
		''|*[!0-9]*|0|1) continue ;;
		esac
		st=$(start_time "$p") || continue	# gone: nothing to kill
		TRACKED="$TRACKED $p:$st"
	done
}

# untrack PID: forget a pid we saw exit.
untrack() {
	TRACKED=$(echo " $TRACKED " | sed "s/ $1:[0-9]* / /g")
}

# Kill what we started: tracked pids that are still those processes, and
# any pid a pidfile in $T names if that process still holds the pidfile
# (so it is one of ours).
cleanup() {
	local f p
	for f in $(find "$T" -name '*.pid' -type f 2>/dev/null); do
		p=$(head -c 20 "$f" 2>/dev/null | tr -dc 0-9)
		[ -n "$p" ] && [ "$p" -gt 1 ] || continue
		if ls -l /proc/"$p"/fd 2>/dev/null | grep -qF -- "$f"; then
			kill -9 "$p" 2>/dev/null
		fi
	done
	for p in $TRACKED; do
		[ "$(start_time "${p%%:*}")" = "${p#*:}" ] &&
		    kill -9 "${p%%:*}" 2>/dev/null
	done
	cd /
	rm -rf "$T"
}
trap cleanup EXIT

plan() {
	echo "1..$1"
}

diag() {
	sed 's/^/# /'
}

ok() {
	TAP_N=$((TAP_N + 1))
	echo "ok $TAP_N - $*"
}

not_ok() {
	TAP_N=$((TAP_N + 1))
	TAP_FAILED=1
	echo "not ok $TAP_N - $*"
}

skip() {
	TAP_N=$((TAP_N + 1))
	echo "ok $TAP_N # SKIP $*"
}

# check DESC COMMAND...: ok when COMMAND succeeds.
check() {
	local desc=$1
	shift
	if "$@"; then
		ok "$desc"
	else
		not_ok "$desc"
	fi
}

# run COMMAND...: run it, keeping stdout in $T/out, stderr in $T/err and
# the exit code in $RC.
run() {
	"$@" >"$T/out" 2>"$T/err"
	RC=$?
}

# expect CODE DESC COMMAND...: run COMMAND and check its exit code.
expect() {
	local want=$1 desc=$2
	shift 2
	run "$@"
	if [ "$RC" = "$want" ]; then
		ok "$desc"
	else
		not_ok "$desc (exit $RC, expected $want)"
		{ echo "command: $*"; echo "stdout:"; cat "$T/out";
		  echo "stderr:"; cat "$T/err"; } | diag
	fi
}

# The pid a pidfile records.
pid_of() {
	tr -dc 0-9 <"$1"
}

# start_daemon PIDFILE ARGS...: detach start -p PIDFILE ARGS, which must
# succeed; tracks the daemon and prints its pid.
start_daemon() {
	local pf=$1 p
	shift
	"$DETACH" start -p "$pf" "$@" || return 1
	p=$(pid_of "$pf")
	track "$p"
	echo "$p"
}

# Perl daemons announce that their signal handlers are in place by
# creating $READY, so that a test never signals them too early.
PERL_READY='if ($ENV{READY}) { open(my $r, ">", $ENV{READY}); close $r }'

# start_perl PIDFILE CODE [DETACH-OPTIONS...]: start `perl -e CODE` (CODE
# sets up handlers; the loop is added), wait until it is ready, print
# its pid.  With --supervise among the options the pid is the
# supervisor's.
start_perl() {
	local pf=$1 code=$2 r="$1.ready" p
	shift 2
	rm -f "$r"
	p=$(start_daemon "$pf" -E "READY=$r" "$@" -- \
	    perl -e "$code; $PERL_READY; sleep 1 while 1;") || return 1
	"$TESTTOOL" waitfile "$r" 10 0 || return 1
	echo "$p"
}

# True if pid has exited (a zombie counts) or does not exist.
gone() {
	"$TESTTOOL" waitgone "$1" 0
}

alive() {
	! gone "$1"
}

# wait_gone PID [SECS]: wait for the exit of PID, by pidfd.
wait_gone() {
	"$TESTTOOL" waitgone "$1" "${2:-10}"
}

# all_gone_within SECS PID...: every PID exits within SECS (0: has already
# exited; a zombie counts).  An empty PID (never learnt) fails.
all_gone_within() {
	local secs=$1 p
	shift
	for p; do
		[ -n "$p" ] || { echo "# a pid was never learnt"; return 1; }
		wait_gone "$p" "$secs" || { echo "# pid $p is still alive"; return 1; }
	done
}

all_gone() {
	all_gone_within 10 "$@"
}

# nothing_left PIDFILE: neither the pidfile nor its record exists.
nothing_left() {
	local f
	for f in "$1" "$1.state"; do
		[ -e "$f" ] && { echo "# $f is still there"; return 1; }
	done
	return 0
}

# wait_file PATH [SECS [MINBYTES]]
wait_file() {
	"$TESTTOOL" waitfile "$1" "${2:-10}" "${3:-1}"
}

# wait_grep SECS FILE GREP-ARGS...: wait until `grep -q GREP-ARGS FILE`
# matches, waking on each growth of FILE (no polling).  The size is
# taken before grep: taken after, a line written in between would be
# waited for again, and in a quiet log never come.
wait_grep() {
	local end=$(($(now_ms) + $1 * 1000)) file=$2 size left
	shift 2
	while :; do
		size=$(stat -c %s "$file" 2>/dev/null || echo 0)
		grep -q "$@" "$file" 2>/dev/null && return 0
		left=$((end - $(now_ms)))
		[ "$left" -gt 0 ] || return 1
		wait_file "$file" "$((left / 1000 + 1))" "$((size + 1))" ||
		    return 1
	done
}

# private_run SCRIPT: run bash SCRIPT (with T, DETACH, TESTTOOL) where
# detach's default pidfile directory (-n, list) is the test's own: as a
# user, $XDG_RUNTIME_DIR in $T; as root, a private mount namespace with
# a tmpfs on /run.  Prints "user" or "root", or nothing (and runs nothing)
# where neither can be had.
private_run() {
	if [ "$(id -u)" != 0 ]; then
		mkdir -p -m 700 "$T/xdg"
		XDG_RUNTIME_DIR="$T/xdg" T="$T" DETACH="$DETACH" \
		    TESTTOOL="$TESTTOOL" timeout 60 bash "$1" >/dev/null 2>&1
		echo user
	elif unshare -m true 2>/dev/null; then
		T="$T" DETACH="$DETACH" TESTTOOL="$TESTTOOL" timeout 60 \
		    unshare -m bash -c 'mount -n -t tmpfs tmpfs /run &&
		    exec bash "$0"' "$1" >/dev/null 2>&1
		echo root
	fi
}

# says FILE TEXT: FILE holds TEXT (a fixed string).
says() {
	grep -qF -- "$2" "$1"
}

# names FILE TEXT: detach's message in FILE holds TEXT, and is not an
# "unknown option" (which would quote it too).
names() {
	says "$1" "$2" && ! grep -q "unknown option" "$1"
}

# wait_for FILE PATTERN [SECS]: a line matching the extended regexp.
wait_for() { wait_grep "${3:-10}" "$1" -E -- "$2"; }

# wait_for_line FILE LINE [SECS]: the line LINE itself.
wait_for_line() { wait_grep "${3:-10}" "$1" -xF -- "$2"; }

now_ms() {
	"$TESTTOOL" now
}

# True if someone holds a lock on FILE (util-linux flock cannot get it).
locked() {
	flock -n -E 99 "$1" true
	[ $? = 99 ]
}

# done_testing: exit status for the harness.
done_testing() {
	exit "$TAP_FAILED"
}
