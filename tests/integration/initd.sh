#!/bin/bash
# scripts/init.d-example, the LSB init script template: every verb and
# its LSB exit status, against a test daemon, with everything set
# through the environment (nothing in /etc is read or written).
top=$(cd "${srcdir:-$(dirname "$0")/../..}" && pwd)
script="$top/scripts/init.d-example"
. "$top/tests/lib.sh"
. "$top/tests/legacy-lib.sh"	# free_port

plan 103

PERL=$(command -v perl)

# The test daemon: stays in the foreground, logs its start, TERM and
# HUP to stdout, and once its handlers are set writes its pid to the
# file named by its first argument.
cat >"$T/testd" <<EOS
#!$PERL
\$| = 1;
my \$self = shift;
\$SIG{TERM} = sub { print "term \$\$\\n"; exit 0 };
\$SIG{HUP} = sub { print "hup \$\$\\n" };
print "started \$\$ @ARGV\\n";
open(my \$f, ">", "\$self.new") or die "\$self.new: \$!";
print \$f "\$\$\\n";
close \$f;
rename("\$self.new", \$self) or die "\$self: \$!";
sleep 1 while 1;
EOS
chmod 755 "$T/testd"

# initd [NAME=VALUE...] [ARG...]: run the init script in a clean
# environment, as service(8) does, with the settings of the test; the
# leading NAME=VALUE arguments override them.  USER=nobody must not be
# taken for the daemon's user.  The command in the array AS, if any,
# runs it (as another user).
AS=()
initd() {
	local -a vars=()
	while [ $# -gt 0 ] && [[ $1 == [A-Z]*=* ]]; do
		vars+=("$1")
		shift
	done
	"${AS[@]}" env -i PATH="$PATH" USER=nobody \
	    ${ASAN_OPTIONS+"ASAN_OPTIONS=$ASAN_OPTIONS"} \
	    ${UBSAN_OPTIONS+"UBSAN_OPTIONS=$UBSAN_OPTIONS"} \
	    NAME=initd-test DESC="initd test daemon" DAEMON="$T/testd" \
	    DAEMON_ARGS="$T/self one  two" PIDFILE="$T/d.pid" \
	    LOGFILE="$T/d.log" DETACH="$DETACH" INIT_FUNCTIONS= \
	    DEFAULT_FILE="$T/defaults" "${vars[@]}" \
	    timeout 60 "$script" "$@"
}

# started [SELF]: wait for the daemon to write SELF ($T/self), track it
# and print its pid.
started() {
	local f=${1:-$T/self} p
	wait_file "$f" || return 1
	p=$(pid_of "$f")
	track "$p"
	echo "$p"
}

# mark_log, then wait_log LINE: wait until the log has grown by at
# least LINE since the mark, and holds LINE.
mark_log() {
	LOG_MARK=$(stat -c %s "$T/d.log")
}
wait_log() {
	wait_file "$T/d.log" 10 $((LOG_MARK + ${#1} + 1)) &&
	    grep -qxF -- "$1" "$T/d.log"
}

# has_lsb_header FILE: the INIT INFO block has the keywords LSB requires.
has_lsb_header() {
	local h k
	h=$(sed -n '/^### BEGIN INIT INFO$/,/^### END INIT INFO$/p' "$1")
	for k in Provides Required-Start Required-Stop Default-Start \
	    Default-Stop Short-Description; do
		printf '%s\n' "$h" | grep -q "^# $k: *[^ ]" || return 1
	done
}

# uid_of PID
uid_of() {
	awk '$1 == "Uid:" { print $2 }' "/proc/$1/status"
}

# --- the script itself
check "the script is executable" test -x "$script"
check "sh -n accepts it" sh -n "$script"
if command -v dash >/dev/null 2>&1; then
	check "dash -n accepts it" dash -n "$script"
else
	skip "dash is not installed"
fi
check "it has an LSB header with Provides, Required-Start/Stop, Default-Start/Stop and Short-Description" \
    has_lsb_header "$script"

# --- start
expect 0 "start exits 0" initd start
pid=$(started)
check "the daemon runs and the pidfile names it ($pid)" \
    eval 'test -n "$pid" && alive "$pid" && test "$(pid_of "$T/d.pid")" = "$pid"'
check "the pidfile is locked" locked "$T/d.pid"
check "without init-functions the output is plain: \"Starting initd test daemon: initd-test.\"" \
    test "$(cat "$T/out")" = "Starting initd test daemon: initd-test."
wait_file "$T/d.log"
check "the daemon got DAEMON_ARGS and logs to LOGFILE" \
    test "$(head -n 1 "$T/d.log")" = "started $pid one two"
check "USER in the environment is not the daemon's user" \
    test "$(uid_of "$pid")" = "$(id -u)"

expect 0 "start again exits 0 (already running)" initd start
check "... still the one daemon ($pid)" \
    eval 'alive "$pid" && test "$(pid_of "$T/d.pid")" = "$pid" &&
    test "$(grep -c "^started" "$T/d.log")" = 1'
check "... quietly (--oknodo: nothing to report)" test ! -s "$T/err"

# --- status
expect 0 "status exits 0 while it runs" initd status
check "status says \"initd-test is running (pid $pid)\"" \
    test "$(cat "$T/out")" = "initd-test is running (pid $pid)"

# --- restart, force-reload, try-restart
for verb in restart force-reload try-restart; do
	rm -f "$T/self"
	expect 0 "$verb exits 0 while it runs" initd "$verb"
	new=$(started)
	check "$verb: a new daemon ($new), the old one ($pid) gone after a TERM" \
	    eval 'test -n "$new" -a "$new" != "$pid" && gone "$pid" &&
	    alive "$new" && test "$(pid_of "$T/d.pid")" = "$new" &&
	    grep -qx "term $pid" "$T/d.log"'
	check "$verb says \"Restarting initd test daemon: initd-test.\"" \
	    test "$(cat "$T/out")" = "Restarting initd test daemon: initd-test."
	pid=$new
done

# --- reload
expect 3 "reload without RELOAD_SIGNAL exits 3 (not implemented)" \
    initd reload
check "... and says so on stderr" grep -q "not implemented" "$T/err"
mark_log
expect 0 "reload with RELOAD_SIGNAL=HUP exits 0" \
    initd RELOAD_SIGNAL=HUP reload
check "the daemon got the HUP and still runs ($pid)" \
    eval 'wait_log "hup $pid" && alive "$pid" &&
    test "$(pid_of "$T/d.pid")" = "$pid"'

# --- stop
expect 0 "stop exits 0" initd stop
check "the daemon is gone when stop returns" gone "$pid"
check "it was stopped with TERM" grep -qx "term $pid" "$T/d.log"
check "the pidfile is removed" test ! -e "$T/d.pid"
check "stop says \"Stopping initd test daemon: initd-test.\"" \
    test "$(cat "$T/out")" = "Stopping initd test daemon: initd-test."
expect 0 "stop again exits 0 (not running)" initd stop
expect 3 "status after stop exits 3" initd status
check "status says \"initd-test is not running\"" \
    test "$(cat "$T/out")" = "initd-test is not running"
rm -f "$T/self"
expect 0 "try-restart when not running exits 0" initd try-restart
check "... and starts nothing" test ! -e "$T/d.pid" -a ! -e "$T/self"
expect 7 "reload when not running exits 7" initd RELOAD_SIGNAL=HUP reload
expect 0 "restart when not running exits 0" initd restart
pid=$(started)
check "... and starts the daemon ($pid)" \
    eval 'test -n "$pid" && alive "$pid" && test "$(pid_of "$T/d.pid")" = "$pid"'

# --- a stale pidfile: the daemon was killed with KILL
kill -9 "$pid"
wait_gone "$pid"
expect 1 "status with a stale pidfile exits 1" initd status
check "status names the stale pidfile" grep -q "stale pidfile $T/d.pid" "$T/out"
rm -f "$T/self"
expect 0 "start over a stale pidfile exits 0" initd start
pid=$(started)
check "... and starts the daemon ($pid)" \
    eval 'test -n "$pid" && alive "$pid" && test "$(pid_of "$T/d.pid")" = "$pid"'
kill -9 "$pid"
wait_gone "$pid"
expect 0 "stop with a stale pidfile exits 0" initd stop
check "... and removes it" test ! -e "$T/d.pid"

# --- bad invocations
expect 2 "an unknown verb exits 2" initd frobnicate
check "... with the usage on stderr and nothing on stdout" \
    eval 'grep -q "^Usage: .*{start|stop|status|restart|try-restart|reload|force-reload}" "$T/err" &&
    test ! -s "$T/out"'
expect 2 "no verb exits 2" initd
check "... with the usage on stderr" grep -q "^Usage: " "$T/err"
expect 2 "an extra argument exits 2" initd start now
check "... and starts nothing" test ! -e "$T/d.pid"
expect 5 "start with DAEMON not installed exits 5" \
    initd DAEMON="$T/nosuchd" start
check "... says \"failed!\" and names it, and starts nothing" \
    eval 'grep -q "failed!\$" "$T/out" && grep -q "$T/nosuchd" "$T/err" &&
    test ! -e "$T/d.pid"'
expect 5 "restart with DAEMON not installed exits 5" \
    initd DAEMON="$T/nosuchd" restart
expect 5 "start with DETACH not installed exits 5" \
    initd DETACH="$T/nodetach" start
expect 4 "status with DETACH not installed exits 4" \
    initd DETACH="$T/nodetach" status
expect 2 "start with a bad option in DETACH_OPTS exits 2 (invalid argument)" \
    initd DETACH_OPTS=--no-such-option start
check "... and starts nothing" test ! -e "$T/d.pid"

# --- /etc/default/$NAME: read last, it wins over the environment
cat >"$T/defaults" <<EOS
DAEMON_ARGS="$T/self from defaults"
STOP_SCHEDULE=HUP/1/TERM/5
EOS
rm -f "$T/self" "$T/d.log"
expect 0 "start with a defaults file exits 0" \
    initd DAEMON_ARGS="$T/self from env" start
pid=$(started)
wait_file "$T/d.log"
check "the defaults file's DAEMON_ARGS win over the environment's" \
    test "$(head -n 1 "$T/d.log")" = "started $pid from defaults"
expect 0 "stop with the defaults file's STOP_SCHEDULE exits 0" initd stop
check "... which sent HUP, then TERM" \
    eval 'gone "$pid" && test "$(tail -n 2 "$T/d.log" | tr "\\n" " ")" = "hup $pid term $pid "'
rm -f "$T/defaults"

# --- SUPERVISE=yes
rm -f "$T/self" "$T/d.log"
expect 0 "start with SUPERVISE=yes exits 0" initd SUPERVISE=yes start
child=$(started)
sup=$(pid_of "$T/d.pid")
track "$sup"
check "the pidfile names a supervisor ($sup) whose child is the daemon ($child)" \
    eval 'test -n "$child" -a -n "$sup" -a "$child" != "$sup" &&
    test "$(awk "/^PPid:/ { print \$2 }" /proc/$child/status)" = "$sup"'
expect 0 "status exits 0" initd status
check "status names supervisor and child" \
    grep -q "^initd-test is running (pid $sup, supervising pid $child;" "$T/out"
mark_log
expect 0 "reload with RELOAD_SIGNAL=HUP exits 0" \
    initd SUPERVISE=yes RELOAD_SIGNAL=HUP reload
check "the HUP reached the child, not the supervisor" \
    eval 'wait_log "hup $child" && alive "$sup" && alive "$child"'
rm -f "$T/self"
expect 0 "restart with SUPERVISE=yes exits 0" initd SUPERVISE=yes restart
new=$(started)
newsup=$(pid_of "$T/d.pid")
track "$newsup"
check "a new supervisor and child; the old ones are gone" \
    eval 'test -n "$new" -a "$new" != "$child" -a "$newsup" != "$sup" &&
    gone "$child" && gone "$sup" && alive "$newsup" && alive "$new"'
expect 0 "stop exits 0" initd stop
check "supervisor and child are gone, and the pidfile" \
    eval 'gone "$newsup" && gone "$new" && test ! -e "$T/d.pid"'

# --- LSB logging functions
cat >"$T/functions" <<'EOS'
echo "sourced for $1"
log_daemon_msg() { echo "begin [$1] [$2]"; }
log_end_msg() { echo "end [$1]"; return "$1"; }
EOS
rm -f "$T/self"
expect 0 "start with INIT_FUNCTIONS set exits 0" \
    initd INIT_FUNCTIONS="$T/functions" start
pid=$(started)
check "they are sourced with the verb as \$1 and log the start" \
    test "$(cat "$T/out")" = "$(printf '%s\n' 'sourced for start' \
    'begin [Starting initd test daemon] [initd-test]' 'end [0]')"
expect 0 "stop with INIT_FUNCTIONS set exits 0" \
    initd INIT_FUNCTIONS="$T/functions" stop
check "... logs the stop" grep -qx "begin \[Stopping initd test daemon\] \[initd-test\]" "$T/out"
if [ -r /lib/lsb/init-functions ]; then
	rm -f "$T/self"
	expect 0 "start with /lib/lsb/init-functions exits 0" \
	    initd INIT_FUNCTIONS=/lib/lsb/init-functions start
	pid=$(started)
	check "... and starts the daemon ($pid)" \
	    eval 'test -n "$pid" && test "$(pid_of "$T/d.pid")" = "$pid"'
	expect 0 "stop with /lib/lsb/init-functions exits 0" \
	    initd INIT_FUNCTIONS=/lib/lsb/init-functions stop
	check "... and stops it" eval 'gone "$pid" && test ! -e "$T/d.pid"'
else
	for i in 1 2 3 4; do skip "/lib/lsb/init-functions is not installed"; done
fi

# --- the default pidfile, detach -n NAME, in $XDG_RUNTIME_DIR/detach
# (root's, /run/detach, is not touched): as nobody when root, else as
# ourselves.
mkdir -m 700 "$T/xdg" "$T/home"
if [ "$(id -u)" = 0 ]; then
	chown nobody "$T/home" "$T/xdg"
	AS=(setpriv --reuid=nobody --regid=nogroup --clear-groups)
	script=$(shared "$script") && DETACH=$(shared "$DETACH") || exit 99
fi
expect 0 "start with PIDFILE empty exits 0" \
    initd PIDFILE= XDG_RUNTIME_DIR="$T/xdg" LOGFILE= \
    DAEMON_ARGS="$T/home/self" start
pid=$(started "$T/home/self")
check "the pidfile is \$XDG_RUNTIME_DIR/detach/initd-test.pid ($pid)" \
    eval 'test -n "$pid" &&
    test "$(pid_of "$T/xdg/detach/initd-test.pid")" = "$pid"'
expect 0 "status with PIDFILE empty exits 0" \
    initd PIDFILE= XDG_RUNTIME_DIR="$T/xdg" status
expect 0 "stop with PIDFILE empty exits 0" \
    initd PIDFILE= XDG_RUNTIME_DIR="$T/xdg" stop
check "... and stops it" \
    eval 'gone "$pid" && test ! -e "$T/xdg/detach/initd-test.pid"'
AS=()

# --- READY_*: start returns once the daemon is ready, or fails
rm -f "$T/self"
expect 0 "start with READY_FILE and READY_LOG exits 0" \
    initd READY_FILE="$T/self" READY_LOG="^started [0-9]+ .*one +two" start
check "... once the daemon wrote its file and its line" \
    eval 'test -s "$T/self" && grep -qE "^started [0-9]+ .*one +two" "$T/d.log"'
track "$(pid_of "$T/self")"
check "... and status calls it ready" \
    eval 'initd status >"$T/out" && grep -q "pid [0-9]*, ready)$" "$T/out"'
expect 0 "stop exits 0" initd stop
port=$(free_port)
expect 1 "start with READY_PORT nobody opens and READY_TIMEOUT=0.3 exits 1" \
    initd READY_PORT="$port" READY_TIMEOUT=0.3 start
check "... names the check, and leaves nothing" \
    eval 'grep -q -- "--ready-port=$port (Connection refused)" "$T/err" &&
    test ! -e "$T/d.pid" && test ! -e "$T/d.pid.state"'

# --- HEALTH_*: the supervisor checks the daemon and restarts it when sick
rm -f "$T/self" "$T/hc" "$T/sick"
expect 0 "start with SUPERVISE=yes and HEALTH_CMD exits 0" \
    initd SUPERVISE=yes HEALTH_INTERVAL=0.1 HEALTH_RETRIES=1 \
    HEALTH_CMD="echo run >>'$T/hc'; test ! -e '$T/sick'" start
pid=$(started)
check "... the check runs, as HEALTH_CMD says" wait_for_line "$T/hc" run
: >"$T/sick"
check "... and a failure restarts the daemon (HEALTH_RETRIES=1)" \
    wait_for "$T/d.log" "pid $pid is unhealthy: 1 check failed in a row"
rm -f "$T/sick"
expect 0 "stop exits 0" initd SUPERVISE=yes stop

# --- DAEMON_USER (as root)
if [ "$(id -u)" = 0 ]; then
	rm -f "$T/home/self" "$T/d.log"
	expect 0 "start with DAEMON_USER=nobody exits 0" \
	    initd DAEMON_USER=nobody DAEMON_ARGS="$T/home/self" start
	pid=$(started "$T/home/self")
	check "the daemon runs as nobody, the pidfile stays root's ($pid)" \
	    eval 'test -n "$pid" &&
	    test "$(uid_of "$pid")" = "$(id -u nobody)" &&
	    test "$(stat -c %U "$T/d.pid")" = root'
	expect 0 "stop exits 0" initd stop
	check "... and stops it" eval 'gone "$pid" && test ! -e "$T/d.pid"'
	printf '#!/bin/sh\nexec sleep 300\n' >"$T/private"
	chmod 700 "$T/private"
	expect 4 "start of a DAEMON that DAEMON_USER may not execute exits 4" \
	    initd DAEMON_USER=nobody DAEMON="$T/private" start
	check "... and starts nothing" test ! -e "$T/d.pid"
else
	for i in 1 2 3 4 5 6; do skip "DAEMON_USER: not root"; done
fi

done_testing
