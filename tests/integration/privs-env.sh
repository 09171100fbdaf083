#!/bin/bash
# detach start -u/-g (privilege drop), the daemon's environment
# (--clear-env, -E, --unset, --env-file, inherited notification
# variables), --keep-fd, --limit, --nice and --chroot.
. "${srcdir:-$(dirname "$0")/../..}/tests/lib.sh"

plan 65

# The reaper runs a command as a child subreaper and reports, on stderr,
# anything the command left running: proof that a failed start forked
# nothing.
REAPER=${REAPER:-$(dirname "$TESTTOOL")/reaper}

ROOT=0
[ "$(id -u)" = 0 ] && ROOT=1

STD_PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

# env_of PID: the daemon's environment, one variable a line.
env_of() {
	tr '\0' '\n' <"/proc/$1/environ"
}

# ids PID KEY: the values of the Uid:, Gid: or Groups: line, joined by
# single spaces.
ids() {
	awk -v k="$2:" '$1 == k { $1 = ""; sub(/^ +/, ""); sub(/ +$/, "");
	    print }' "/proc/$1/status"
}

# locked_by FILE PID: FILE is locked and PID holds it open.
locked_by() {
	locked "$1" && holds "$2" "$1"
}

# nice_of PID: field 19 of /proc/PID/stat (after the command name).
nice_of() {
	sed 's/^.*) //' "/proc/$1/stat" | cut -d' ' -f17
}

# holds PID FILE: PID has FILE open.
holds() {
	local f
	for f in /proc/"$1"/fd/*; do
		[ "$(readlink "$f")" = "$2" ] && return 0
	done
	return 1
}

# forked_nothing MARKER: the last run (through $REAPER) left nothing
# running, and the command, which would have created MARKER, never ran.
forked_nothing() {
	! grep -q "reaper: killing leftover" "$T/err" && test ! -e "$1"
}

# run_reaped COMMAND...: run, through $REAPER when it is there.
run_reaped() {
	if [ -x "$REAPER" ]; then
		run "$REAPER" "$@"
	else
		run "$@"
	fi
}

# --- -u / -g (root only)
NB_ENT=$(getent passwd nobody)
IFS=: read -r NB_NAME _ NB_UID NB_GID _ NB_HOME NB_SHELL <<<"$NB_ENT"
NB_GROUP=$(getent group "${NB_GID:-none}" | cut -d: -f1)
# what -u nobody sets, sorted
NB_VARS="HOME=$NB_HOME LOGNAME=$NB_NAME SHELL=$NB_SHELL USER=$NB_NAME "

if [ "$ROOT" = 1 ] && [ -n "$NB_ENT" ] && [ -n "$NB_GROUP" ]; then
	echo "old line" >"$T/old.log"
	chmod 644 "$T/old.log"
	pid=$(start_daemon "$T/u.pid" -u nobody -o "$T/u.log" \
	    -e "$T/old.log" -- sh -c \
	    'echo reopened >>"$1"; echo to-stderr >&2; exec sleep 300' \
	    sh "$T/u.log")
	check "-u nobody: start exits 0" test -n "$pid"
	check "... the real, effective, saved and fs uids are nobody's" \
	    test "$(ids "$pid" Uid)" = "$NB_UID $NB_UID $NB_UID $NB_UID"
	check "... and so are the gids" \
	    test "$(ids "$pid" Gid)" = "$NB_GID $NB_GID $NB_GID $NB_GID"
	check "... the supplementary groups are nobody's only ($(ids "$pid" Groups))" \
	    test "$(ids "$pid" Groups)" = "$NB_GID"
	check "... no capability is left" \
	    test "$(awk '/^Cap(Inh|Prm|Eff|Amb):/ { print $2 }' \
	    /proc/"$pid"/status | tr -d '0\n')" = ""
	check "the pidfile stays root's" \
	    test "$(stat -c %u:%g "$T/u.pid")" = 0:0
	check "... and locked by the daemon" \
	    locked_by "$T/u.pid" "$pid"
	check "an output file detach created belongs to nobody" \
	    test "$(stat -c %u:%g "$T/u.log")" = "$NB_UID:$NB_GID"
	wait_for_line "$T/u.log" reopened 10
	check "... and the service could reopen it by path and append" \
	    grep -qx reopened "$T/u.log"
	wait_for_line "$T/old.log" to-stderr 10
	check "an output file that existed keeps its owner" \
	    test "$(stat -c %u:%g "$T/old.log")" = 0:0 -a \
	    "$(head -n 1 "$T/old.log")" = "old line"
	expect 0 "stop of a -u nobody daemon exits 0" \
	    "$DETACH" stop -p "$T/u.pid"
	check "... it is gone and the pidfile removed" \
	    sh -c "$TESTTOOL waitgone $pid 0 && test ! -e '$T/u.pid'"

	pid=$(start_daemon "$T/ug.pid" -u "nobody:$NB_GROUP" -- sleep 300)
	check "-u nobody:$NB_GROUP: uids and gids" \
	    test "$(ids "$pid" Uid | cut -d" " -f1)" = "$NB_UID" -a \
	    "$(ids "$pid" Gid)" = "$NB_GID $NB_GID $NB_GID $NB_GID" -a \
	    "$(ids "$pid" Groups)" = "$NB_GID"
	check "... HOME, USER, LOGNAME and SHELL come from the passwd entry" \
	    test "$(env_of "$pid" | grep -E '^(HOME|USER|LOGNAME|SHELL)=' |
	    sort | tr '\n' ' ')" = "$NB_VARS"
	"$DETACH" stop -p "$T/ug.pid"

	pid=$(start_daemon "$T/num.pid" -u "$NB_UID" -g "$NB_GID" -- \
	    sleep 300)
	check "-u $NB_UID -g $NB_GID (numeric): uids, gids and groups" \
	    test "$(ids "$pid" Uid)" = "$NB_UID $NB_UID $NB_UID $NB_UID" -a \
	    "$(ids "$pid" Gid)" = "$NB_GID $NB_GID $NB_GID $NB_GID" -a \
	    "$(ids "$pid" Groups)" = "$NB_GID"
	check "... HOME, USER, LOGNAME and SHELL come from the passwd entry" \
	    test "$(env_of "$pid" | grep -E '^(HOME|USER|LOGNAME|SHELL)=' |
	    sort | tr '\n' ' ')" = "$NB_VARS"
	"$DETACH" stop -p "$T/num.pid"

	pid=$(start_daemon "$T/uc.pid" -u nobody --clear-env -E DETACH_X=1 \
	    -- sleep 300)
	want=$(printf '%s\n' DETACH_X=1 $NB_VARS "PATH=$STD_PATH" | sort |
	    tr '\n' ' ')
	check "--clear-env -u nobody: exactly PATH, the passwd variables and -E" \
	    test "$(env_of "$pid" | sort | tr '\n' ' ')" = "$want"
	"$DETACH" stop -p "$T/uc.pid"
else
	for i in $(seq 17); do
		skip "-u/-g need root and a passwd entry for nobody"
	done
fi

# --- unknown user or group: exit 3 before anything is forked
run_reaped "$DETACH" start -p "$T/nu.pid" -o "$T/nu.log" \
    -u detach-no-such-user -- sh -c "touch '$T/nu.marker'; exec sleep 300"
check "an unknown user exits 3 ($RC)" test "$RC" = 3
check "... naming the user" grep -q "detach-no-such-user" "$T/err"
check "... leaving no pidfile and no output file" \
    test ! -e "$T/nu.pid" -a ! -e "$T/nu.log"
check "... and forking nothing" \
    forked_nothing "$T/nu.marker"

run_reaped "$DETACH" start -p "$T/ng.pid" -o "$T/ng.log" \
    -g detach-no-such-group -- sh -c "touch '$T/ng.marker'; exec sleep 300"
check "an unknown group exits 3 ($RC)" test "$RC" = 3
check "... naming the group" grep -q "detach-no-such-group" "$T/err"
check "... leaving no pidfile and no output file" \
    test ! -e "$T/ng.pid" -a ! -e "$T/ng.log"
check "... and forking nothing" \
    forked_nothing "$T/ng.marker"

run_reaped "$DETACH" start -p "$T/nug.pid" \
    -u "$(id -un):detach-no-such-group" -- sleep 300
check "an unknown group in -u USER:GROUP exits 3 and names it ($RC)" \
    sh -c "test $RC = 3 && grep -q detach-no-such-group '$T/err' &&
    test ! -e '$T/nug.pid'"

# --- the environment
pid=$(NOTIFY_SOCKET=/run/x LISTEN_FDS=2 DETACH_CALLER=1 \
    start_daemon "$T/ce.pid" --clear-env -E DETACH_X=1 -E DETACH_Y=a=b -- \
    sleep 300)
check "--clear-env: exactly the standard PATH and the -E variables" \
    test "$(env_of "$pid" | sort | tr '\n' ' ')" = \
    "DETACH_X=1 DETACH_Y=a=b PATH=$STD_PATH "
"$DETACH" stop -p "$T/ce.pid"

pid=$(start_daemon "$T/cp.pid" --clear-env -E PATH=/opt/bin -- \
    /bin/sleep 300)
check "--clear-env -E PATH=...: -E replaces the standard PATH" \
    test "$(env_of "$pid" | tr '\n' ' ')" = "PATH=/opt/bin "
"$DETACH" stop -p "$T/cp.pid"

pid=$(DETACH_GONE=1 DETACH_KEPT=2 start_daemon "$T/un.pid" \
    --unset=DETACH_GONE -- sleep 300)
check "--unset removes a variable of the caller's" \
    sh -c "! tr '\\0' '\\n' </proc/$pid/environ | grep -q '^DETACH_GONE='"
check "... and keeps the others" \
    sh -c "tr '\\0' '\\n' </proc/$pid/environ | grep -qx DETACH_KEPT=2"
"$DETACH" stop -p "$T/un.pid"

cat >"$T/good.env" <<'EOF'
# a comment
   # an indented comment

EF_A=1
EF_B=two words
EF_C=x=y
EF_D=from the file

EF_E=a#b
EOF
pid=$(EF_A=caller DETACH_KEPT=2 start_daemon "$T/ef.pid" \
    --env-file="$T/good.env" -E EF_D=from-E -- sleep 300)
check "--env-file sets its variables, values as written" \
    test "$(env_of "$pid" | grep '^EF_' | sort | tr '\n' '|')" = \
    "EF_A=1|EF_B=two words|EF_C=x=y|EF_D=from-E|EF_E=a#b|"
check "... comments and blank lines set nothing" \
    sh -c "! tr '\\0' '\\n' </proc/$pid/environ | grep -qE '^($|[ #])'"
check "... a later -E wins over the file" \
    sh -c "tr '\\0' '\\n' </proc/$pid/environ | grep -qx EF_D=from-E"
check "... the file wins over the caller's environment" \
    sh -c "tr '\\0' '\\n' </proc/$pid/environ | grep -qx EF_A=1"
check "... which is otherwise kept" \
    sh -c "tr '\\0' '\\n' </proc/$pid/environ | grep -qx DETACH_KEPT=2"
"$DETACH" stop -p "$T/ef.pid"

pid=$(NOTIFY_SOCKET=/run/x LISTEN_FDS=2 LISTEN_PID=$$ \
    LISTEN_FDNAMES=a start_daemon "$T/ns.pid" -- sleep 300)
check "NOTIFY_SOCKET and LISTEN_* of the caller's are not passed on" \
    sh -c "! tr '\\0' '\\n' </proc/$pid/environ |
    grep -qE '^(NOTIFY_SOCKET|LISTEN_[A-Z]*)='"
"$DETACH" stop -p "$T/ns.pid"

pid=$(NOTIFY_SOCKET=/run/x LISTEN_FDS=2 start_daemon "$T/ne.pid" \
    -E NOTIFY_SOCKET=x -E LISTEN_FDS=1 -- sleep 300)
check "-E NOTIFY_SOCKET=x and -E LISTEN_FDS=1 are passed on" \
    test "$(env_of "$pid" | grep -E '^(NOTIFY_SOCKET|LISTEN_[A-Z]*)=' |
    sort | tr '\n' ' ')" = "LISTEN_FDS=1 NOTIFY_SOCKET=x "
"$DETACH" stop -p "$T/ne.pid"

NOTIFY_SOCKET=/run/x LISTEN_FDS=2 "$DETACH" start -f -p "$T/nf.pid" -- \
    sh -c 'echo "$NOTIFY_SOCKET $LISTEN_FDS" >"$1"' sh "$T/nf.out"
check "with -f they are passed through" \
    test "$(cat "$T/nf.out" 2>/dev/null)" = "/run/x 2"

printf 'EF_OK=1\n\n# comment\nnot a valid line\n' >"$T/bad.env"
run_reaped "$DETACH" start -p "$T/be.pid" -o "$T/be.log" \
    --env-file="$T/bad.env" -- sh -c "touch '$T/be.marker'; exec sleep 300"
check "a malformed env-file line exits 3 ($RC)" test "$RC" = 3
check "... naming FILE:LINE ($(head -n 1 "$T/err"))" \
    grep -qF "$T/bad.env:4:" "$T/err"
check "... leaving no pidfile and no output file" \
    test ! -e "$T/be.pid" -a ! -e "$T/be.log"
check "... and forking nothing" \
    forked_nothing "$T/be.marker"
printf 'EF_OK=1\n1BAD=x\n' >"$T/bad2.env"
expect 3 "a name starting with a digit is malformed too" \
    "$DETACH" start -p "$T/be.pid" --env-file="$T/bad2.env" -- sleep 300
check "... naming FILE:LINE" grep -qF "$T/bad2.env:2:" "$T/err"
expect 3 "a missing env-file exits 3" \
    "$DETACH" start -p "$T/me.pid" --env-file="$T/no-such.env" -- sleep 300
check "... naming it, leaving no pidfile" \
    sh -c "grep -qF '$T/no-such.env' '$T/err' && test ! -e '$T/me.pid'"

# --- --keep-fd
exec 7>"$T/fd7" 8>"$T/fd8" 9>&-
pid=$(start_daemon "$T/kf.pid" --keep-fd=7 -- \
    sh -c 'echo via-7 >&7; exec sleep 300')
exec 7>&- 8>&-
check "--keep-fd=7: descriptor 7 is open in the daemon, on the same file" \
    test "$(readlink /proc/"$pid"/fd/7)" = "$T/fd7"
check "... but descriptor 8 is not" test ! -e /proc/"$pid"/fd/8
wait_file "$T/fd7" 10 6
check "... and the daemon can write to it" grep -qx via-7 "$T/fd7"
"$DETACH" stop -p "$T/kf.pid"
expect 3 "--keep-fd=9 when 9 is not open exits 3" \
    "$DETACH" start -p "$T/k9.pid" --keep-fd=9 -- sleep 300
check "... naming it, leaving no pidfile" \
    sh -c "grep -qw 9 '$T/err' && test ! -e '$T/k9.pid'"

# --- --limit and --nice
pid=$(start_daemon "$T/lim.pid" --limit=nofile=123:456 --limit=nproc=300 \
    -- sleep 300)
check "--limit=nofile=123:456 sets soft and hard limit" \
    test "$(awk '/^Max open files/ { print $4, $5 }' /proc/"$pid"/limits)" \
    = "123 456"
check "--limit=nproc=300 sets both limits to 300" \
    test "$(awk '/^Max processes/ { print $3, $4 }' /proc/"$pid"/limits)" \
    = "300 300"
"$DETACH" stop -p "$T/lim.pid"
if [ "$ROOT" = 1 ] || [ "$(ulimit -Hc)" = unlimited ]; then
	pid=$(start_daemon "$T/core.pid" --limit=core=unlimited -- sleep 300)
	check "--limit=core=unlimited" \
	    test "$(awk '/^Max core file size/ { print $5, $6 }' \
	    /proc/"$pid"/limits)" = "unlimited unlimited"
	"$DETACH" stop -p "$T/core.pid"
else
	skip "--limit=core=unlimited: the hard core limit is not unlimited"
fi
expect 64 "--limit with an unknown resource is a usage error" \
    "$DETACH" start -p "$T/bl.pid" --limit=detach-no-such=1 -- sleep 300

base=$(nice_of $$)
want=$((base + 5 > 19 ? 19 : base + 5))
pid=$(start_daemon "$T/n5.pid" --nice=5 -- sleep 300)
check "--nice=5: the daemon runs at nice $want ($(nice_of "$pid"))" \
    test "$(nice_of "$pid")" = "$want"
"$DETACH" stop -p "$T/n5.pid"
if [ "$ROOT" = 1 ]; then
	want=$((base - 5 < -20 ? -20 : base - 5))
	pid=$(start_daemon "$T/nm.pid" --nice=-5 -- sleep 300)
	check "--nice=-5 as root: nice $want ($(nice_of "$pid"))" \
	    test "$(nice_of "$pid")" = "$want"
	"$DETACH" stop -p "$T/nm.pid"
else
	skip "--nice=-5 needs root"
fi

# --- --chroot
BB=$(command -v busybox)
if [ "$ROOT" = 1 ] && [ -n "$BB" ]; then
	mkdir -p "$T/root/bin" "$T/root/data"
	cp "$BB" "$T/root/bin/busybox"
	# a dynamic busybox takes its libraries along
	for lib in $(ldd "$BB" 2>/dev/null | grep -o '/[^ ]*'); do
		mkdir -p "$T/root$(dirname "$lib")"
		cp -L "$lib" "$T/root$lib"
	done
	pid=$(start_daemon "$T/ch.pid" --chroot="$T/root" -C /data -- \
	    /bin/busybox sleep 300)
	check "--chroot: start exits 0 with a command inside the new root" \
	    test -n "$pid"
	check "... the daemon's root is DIR" \
	    test "$(readlink /proc/"$pid"/root)" = "$T/root"
	check "... and -C is a path inside it" \
	    test "$(readlink /proc/"$pid"/cwd)" = "$T/root/data"
	check "... the pidfile, outside it, is held and locked" \
	    locked_by "$T/ch.pid" "$pid"
	expect 0 "... and stop works" "$DETACH" stop -p "$T/ch.pid"
	check "... it is gone" gone "$pid"
else
	for i in 1 2 3 4 5 6; do
		skip "--chroot needs root and busybox"
	done
fi
if [ "$ROOT" = 1 ]; then
	if command -v setpriv >/dev/null && [ -n "$NB_UID" ]; then
		mkdir "$T/nb"
		chown "$NB_UID" "$T/nb"
		run setpriv --reuid="$NB_UID" --regid="$NB_GID" --clear-groups \
		    "$(shared "$DETACH")" start -p "$T/nb/ch.pid" --chroot=/ -- \
		    sleep 300
	else
		RC=skip
	fi
else
	mkdir "$T/nb"
	run "$DETACH" start -p "$T/nb/ch.pid" --chroot=/ -- sleep 300
fi
if [ "$RC" = skip ]; then
	skip "--chroot as non-root: no setpriv to drop root"
	skip "--chroot as non-root: no setpriv to drop root"
else
	check "--chroot as non-root exits 3 ($RC)" test "$RC" = 3
	check "... saying why, leaving no pidfile" \
	    sh -c "grep -q root '$T/err' && test ! -e '$T/nb/ch.pid'"
fi

done_testing
