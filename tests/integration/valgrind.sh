#!/bin/bash
# Memcheck: a foreground supervisor through 50 restarts, a reopen and a
# stop; and the short-lived start, status and stop.
. "${srcdir:-$(dirname "$0")/../..}/tests/lib.sh"

if [ "${DETACH_SANITIZED:-no}" = yes ]; then
	echo "1..0 # SKIP valgrind cannot run a sanitizer build"
	exit 0
fi
if ! command -v valgrind >/dev/null 2>&1; then
	echo "1..0 # SKIP valgrind is not installed"
	exit 0
fi

plan 24

# summary LOG: the numbers of a valgrind log, on one line
summary() {
	local e d i
	e=$(sed -n 's/.*ERROR SUMMARY: \([0-9,]*\) errors.*/\1/p' "$1" | tr -d ,)
	d=$(sed -n 's/.*definitely lost: \([0-9,]*\) bytes in \([0-9,]*\) blocks.*/\1 bytes in \2 blocks/p' "$1")
	i=$(sed -n 's/.*indirectly lost: \([0-9,]*\) bytes in \([0-9,]*\) blocks.*/\1 bytes in \2 blocks/p' "$1")
	if [ -z "$e" ]; then
		echo "${1##*/}: no summary (it exec'd)"
		return
	fi
	echo "${1##*/}: $e errors; definitely lost: ${d:-0 bytes}; indirectly lost: ${i:-0 bytes}"
}

# zero_errors LOG...: every log that ends with an error summary (the
# others are children that exec'd or were killed) says 0 errors, and at
# least one does.
zero_errors() {
	local f n=0
	for f in "$@"; do
		grep -q "ERROR SUMMARY:" "$f" || continue
		n=$((n + 1))
		grep -q "ERROR SUMMARY: 0 errors" "$f" || return 1
	done
	[ "$n" -gt 0 ]
}

# lost KIND LOG: the bytes lost of KIND (definitely, indirectly); 0 when
# the log says nothing about it (no leaks at all).
lost() {
	local b
	b=$(sed -n "s/.*$1 lost: \\([0-9,]*\\) bytes.*/\\1/p" "$2" | tr -d ,)
	echo "${b:-0}"
}

# show LOG: the loss records and errors of a log, as diagnostics
show() {
	sed -n '/lost in loss record/,/^==[0-9]*== $/p; /Invalid\|uninitialised\|Mismatched\|Syscall param/,/^==[0-9]*== $/p' "$1" |
	    head -n 60 | diag
}

# count_lines PATTERN FILE: lines of FILE matching PATTERN (0 if none)
count_lines() {
	local n
	n=$(grep -c -- "$1" "$2" 2>/dev/null)
	echo "${n:-0}"
}

# wait_lines PATTERN FILE N SECS: until FILE holds N lines matching
# PATTERN; an inotify wait for growth between counts.
wait_lines() {
	local end=$(($(now_ms) + $4 * 1000)) left size
	for (( ; ; )); do
		# the size first, so that no growth after the count goes unseen
		size=$(stat -c %s "$2" 2>/dev/null || echo 0)
		[ "$(count_lines "$1" "$2")" -ge "$3" ] && return 0
		left=$(( (end - $(now_ms) + 999) / 1000 ))
		[ "$left" -gt 0 ] || return 1
		"$TESTTOOL" waitfile "$2" "$left" $((size + 1)) || return 1
	done
}

VG_SUP=(valgrind --leak-check=full --show-leak-kinds=definite,indirect
    --errors-for-leak-kinds=definite,indirect --error-exitcode=99
    --track-fds=no --trace-children=no)

# --- 1. the supervisor: 50 restarts, a reopen, a stop
#
# With -f the supervisor is this very process: valgrind's pid, which the
# pidfile holds.  Its children fork from it (each leaves a vg.PID header
# until it execs, untraced).
"${VG_SUP[@]}" --log-file="$T/vg.%p" "$DETACH" start -f --supervise \
    --restart=always --restart-delay=0 --max-restarts=0 -p "$T/v.pid" \
    -o "$T/v.log" -- sh -c 'echo line; exit 1' >"$T/vg.out" 2>&1 &
vg=$!
track "$vg"
t0=$(now_ms)
wait_file "$T/v.pid" 60
check "the pidfile names the supervisor, valgrind's process ($vg)" \
    test "$(pid_of "$T/v.pid")" = "$vg"
wait_lines "restarting" "$T/v.log" 50 60
n=$(count_lines "restarting" "$T/v.log")
t1=$(now_ms)
check "the child restarted 50 times under valgrind ($n in $((t1 - t0)) ms)" \
    test "$n" -ge 50

mv "$T/v.log" "$T/v.log.1"
expect 0 "reopen exits 0" "$DETACH" reopen -p "$T/v.pid"
check "... and the supervisor created a new log" test -f "$T/v.log"
wait_file "$T/v.log" 60
check "... which receives output" test -s "$T/v.log"

expect 0 "stop exits 0" "$DETACH" stop -t 60 -p "$T/v.pid"
wait_gone "$vg" 60
check "valgrind and the supervisor are gone" gone "$vg"
gone "$vg" || kill -9 "$vg"	# never wait forever below
wait "$vg"
st=$?
untrack "$vg"
check "valgrind's exit status is not 99, its error code (it is $st)" \
    test "$st" != 99
check "the pidfile and the state file are removed" \
    test ! -e "$T/v.pid" -a ! -e "$T/v.pid.state"

log=$T/vg.$vg
summary "$log" | diag
check "the supervisor's log: ERROR SUMMARY: 0 errors" \
    grep -q "ERROR SUMMARY: 0 errors" "$log"
check "... and in particular no invalid access or uninitialised value" \
    eval '! grep -Eq "Invalid (read|write|free)|uninitialised|Syscall param|Mismatched|overlap" "$log"'
check "no bytes definitely lost ($(lost definitely "$log"))" \
    test "$(lost definitely "$log")" = 0
check "no bytes indirectly lost ($(lost indirectly "$log"))" \
    test "$(lost indirectly "$log")" = 0
if [ "$(lost definitely "$log")" != 0 ] ||
    [ "$(lost indirectly "$log")" != 0 ]; then
	show "$log"
fi
# A leak per restart would show as a loss record of >= 50 blocks.
big=$(sed -n 's/.* bytes in \([0-9,]*\) blocks are .* lost in loss record.*/\1/p' "$log" |
    tr -d , | awk '$1 >= 50' | head -n 1)
check "no loss record grows with the restarts${big:+ ($big blocks)}" \
    test -z "$big"
# no_errors LOG...: no log reports a nonzero error count
no_errors() {
	! cat "$@" /dev/null | grep -q "ERROR SUMMARY: [1-9]"
}
forks=()
for f in "$T"/vg.[0-9]*; do
	[ "$f" = "$log" ] || forks+=("$f")
done
check "nor do the ${#forks[@]} forks for its children report errors" \
    no_errors "${forks[@]}"
lines=$(cat "$T/v.log.1" "$T/v.log" | grep -c '^line$')
exits=$(cat "$T/v.log.1" "$T/v.log" | grep -c 'exited with status 1$')
check "no output lost across restarts and the reopen ($lines lines, $exits exits)" \
    test "$lines" -ge "$exits" -a "$exits" -ge 50

# --- 2. the short-lived invocations: start, status, stop
#
# Leaks in a process that exits at once are reported, not asserted;
# errors (invalid reads and writes, uninitialised values) are.  With
# --leak-check=full a definite leak would count as an error by default,
# hence --errors-for-leak-kinds=none.
VG_CMD=(valgrind --leak-check=full --show-leak-kinds=definite,indirect
    --errors-for-leak-kinds=none --error-exitcode=99 --track-fds=no
    --trace-children=no)
mkdir "$T/start" "$T/status" "$T/stop"
expect 0 "start under valgrind exits 0" \
    "${VG_CMD[@]}" --log-file="$T/start/vg.%p" "$DETACH" start -p "$T/p.pid" -- \
    sleep 300
pid=$(pid_of "$T/p.pid")
track "$pid"
check "... and the daemon runs, untraced ($pid: $(cat /proc/"$pid"/comm 2>/dev/null))" \
    test "$(cat /proc/"$pid"/comm 2>/dev/null)" = sleep
for f in "$T"/start/vg.*; do summary "$f"; done | diag
check "start: ERROR SUMMARY: 0 errors" zero_errors "$T"/start/vg.*

expect 0 "status under valgrind exits 0" \
    "${VG_CMD[@]}" --log-file="$T/status/vg.%p" "$DETACH" status -p "$T/p.pid"
for f in "$T"/status/vg.*; do summary "$f"; done | diag
check "status: ERROR SUMMARY: 0 errors" zero_errors "$T"/status/vg.*

run "${VG_CMD[@]}" --log-file="$T/stop/vg.%p" "$DETACH" stop -p "$T/p.pid"
for f in "$T"/stop/vg.*; do summary "$f"; done | diag
# A valgrind that does not know pidfd_open (3.19) makes it fail with
# ENOSYS, as an old kernel would: detach falls back to pid + start time.
check "stop under valgrind exits 0 (exit $RC)" test "$RC" = 0
[ "$RC" = 0 ] || diag <"$T/err"
check "stop: ERROR SUMMARY: 0 errors" zero_errors "$T"/stop/vg.*
check "the daemon is gone and its pidfile removed" \
    eval 'gone "$pid" && test ! -e "$T/p.pid"'
gone "$pid" && untrack "$pid"

done_testing
