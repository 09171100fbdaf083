#!/bin/bash
# detach logs: the last lines of a daemon's output files, exactly as
# tail -n prints them (headers with -o and -e, a last line without a
# newline, a file past one read block), also after stop; the cases that
# have no files (unknown, --syslog, no -o), -n NAME; and -f: appended
# lines, copytruncate, a file missing at first, reopens after a rename
# (to FILE.1 or to another name, with and without logrotate's create),
# two rotations before it wakes, the supervisor's own --log-max-size
# rotation (bursts, five rotations while it is stopped, a steady pace),
# headers as tail -f, the poll it falls back to without inotify, and its
# end on SIGTERM, SIGINT and a closed pipe.  Every line must come exactly
# once, in order.
#
# The daemons write numbered lines in batches, each let go by a gate file
# the test creates; -f is seen to follow by waiting for its output.
TOP=$(cd "${srcdir:-$(dirname "$0")/../..}" && pwd)
. "$TOP/tests/lib.sh"		# (it moves to $T)
: "${NOSYS:=$(cd "$(dirname "$0")/../.." && pwd)/tests/nosys}"

# batch.sh DIR N: lines N*(k-1)+1 to N*k once DIR/go.k exists, k = 1, 2...
cat >"$T/batch.sh" <<EOF
#!/bin/sh
k=0
while :; do
	k=\$((k + 1))
	"$TESTTOOL" waitfile "\$1/go.\$k" 600 0 || exit 1
	seq \$((\$2 * (k - 1) + 1)) \$((\$2 * k))
done
EOF
# twice.sh DIR: batch k is "out k" on stdout, then "err k" on stderr.
cat >"$T/twice.sh" <<EOF
#!/bin/sh
k=0
while :; do
	k=\$((k + 1))
	"$TESTTOOL" waitfile "\$1/go.\$k" 600 0 || exit 1
	echo "out \$k"
	echo "err \$k" >&2
done
EOF
chmod 755 "$T/batch.sh" "$T/twice.sh"

# go DIR K: let batch K of the daemon of DIR go.
go() {
	: >"$T/$1/go.$2"
}

# same_as_tail DESC N FILE... : logs --lines=N ($T/out) is what tail
# -n N FILE... prints, and says nothing on stderr.
same_as_tail() {
	local desc=$1 n=$2
	shift 2
	tail -n "$n" "$@" >"$T/tail.out" 2>/dev/null
	if cmp -s "$T/out" "$T/tail.out" && [ ! -s "$T/err" ]; then
		ok "$desc"
	else
		not_ok "$desc"
		{ echo "logs:"; cat "$T/out" "$T/err"; echo "tail:";
		    cat "$T/tail.out"; } | head -n 30 | diag
	fi
}

# only_once FILE FROM TO: FILE, less the supervisor's lines, is exactly
# FROM..TO, one number a line.
only_once() {
	if grep -v '^detach\[' "$1" | cmp -s - <(seq "$2" "$3"); then
		return 0
	fi
	grep -v '^detach\[' "$1" | diff - <(seq "$2" "$3") | head -n 20 | diag
	return 1
}

# follow OUT ARGS...: detach logs -f ARGS in the background, its stdout
# in OUT and stderr in OUT.err; its pid in LP, tracked.
follow() {
	local out=$1
	shift
	"$DETACH" logs -f "$@" >"$out" 2>"$out.err" &
	LP=$!
	track "$LP"
}

# ends_with CODE DESC: the logs -f in $LP exits with CODE.
ends_with() {
	local rc
	if wait_gone "$LP" 10; then
		wait "$LP"
		rc=$?
	else
		rc=timeout
	fi
	untrack "$LP"
	if [ "$rc" = "$1" ]; then ok "$2"; else not_ok "$2 (exit $rc)"; fi
}

# wait_stopped PID: until PID is stopped (SIGSTOP), at most 5 s.
wait_stopped() {
	local end=$(($(now_ms) + 5000)) s
	while [ "$(now_ms)" -lt "$end" ]; do
		s=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
		s=${s##*) }
		[ "${s%% *}" = T ] && return 0
	done
	return 1
}

# --- the last lines, as tail -n ------------------------------------------
mkdir "$T/a"
start_daemon "$T/a.pid" -o "$T/a.log" -- "$T/batch.sh" "$T/a" 25 >/dev/null
go a 1
wait_for_line "$T/a.log" 25
expect 0 "logs --lines=3 exits 0" "$DETACH" logs -p "$T/a.pid" --lines=3
check "... and prints the last 3 lines" cmp -s "$T/out" <(seq 23 25)
same_as_tail "... as tail -n 3 does" 3 "$T/a.log"
expect 0 "logs without --lines exits 0" "$DETACH" logs -p "$T/a.pid"
check "... and prints the last 10 lines" cmp -s "$T/out" <(seq 16 25)
expect 0 "logs --lines=0 exits 0" "$DETACH" logs -p "$T/a.pid" --lines=0
check "... and prints nothing" test ! -s "$T/out"
expect 0 "logs --lines=100 of 25 lines exits 0" \
    "$DETACH" logs -p "$T/a.pid" --lines=100
check "... and prints all 25" cmp -s "$T/out" <(seq 1 25)

# a last line without a newline counts as a line
start_daemon "$T/nl.pid" -o "$T/nl.log" -- sh -c \
    'printf "one\ntwo\nthree"; exec "$0" waitfile /nonexistent 600 0' \
    "$TESTTOOL" >/dev/null
wait_file "$T/nl.log" 10 13
run "$DETACH" logs -p "$T/nl.pid" --lines=2
check "a last line without a newline is a line: 'two' and 'three'" \
    test "$(cat "$T/out")" = "$(printf 'two\nthree')"
same_as_tail "... as tail -n 2 prints it, no newline added" 2 "$T/nl.log"

# more than one block back (64 KiB)
seq 1 30000 >"$T/big.log"
start_daemon "$T/big.pid" -o "$T/big.log" -- sleep 300 >/dev/null
run "$DETACH" logs -p "$T/big.pid" --lines=20000
same_as_tail "20000 lines of 30000 (two blocks back): as tail" 20000 \
    "$T/big.log"
run "$DETACH" logs -p "$T/big.pid" --lines=30001
same_as_tail "... all of them, asked for more" 30001 "$T/big.log"
"$DETACH" stop -p "$T/big.pid"

# -o and -e: both, under tail's headers
mkdir "$T/b"
start_daemon "$T/b.pid" -o "$T/b.out" -e "$T/b.err" -- \
    sh -c 'seq 1 12; seq 101 112 >&2; exec "$0" waitfile /nonexistent 600 0' \
    "$TESTTOOL" >/dev/null
wait_for_line "$T/b.out" 12
wait_for_line "$T/b.err" 112
expect 0 "-o and -e: logs --lines=3 exits 0" \
    "$DETACH" logs -p "$T/b.pid" --lines=3
check "... '==> $T/b.out <==' first" \
    test "$(head -n 1 "$T/out")" = "==> $T/b.out <=="
same_as_tail "... both files, with headers, as tail -n 3 OUT ERR" 3 \
    "$T/b.out" "$T/b.err"
run "$DETACH" logs -p "$T/b.pid"
same_as_tail "... and the last 10 of each by default" 10 "$T/b.out" \
    "$T/b.err"
mv "$T/b.err" "$T/b.err.away"
expect 3 "one of the two files missing: exit 3" \
    "$DETACH" logs -p "$T/b.pid" --lines=2
check "... saying which and why ($(head -n 1 "$T/err"))" \
    says "$T/err" "$T/b.err: No such file or directory"
check "... and the other is shown all the same" \
    eval 'tail -n 2 "$T/b.out" "$T/b.err" 2>/dev/null | cmp -s - "$T/out"'
mv "$T/b.err.away" "$T/b.err"
chmod 000 "$T/b.err"
if [ "$(id -u)" != 0 ]; then
	expect 3 "a file that cannot be read: exit 3" \
	    "$DETACH" logs -p "$T/b.pid" --lines=2
	check "... saying why" says "$T/err" "$T/b.err: Permission denied"
else
	skip "a file that cannot be read: root reads it"
	skip "... saying why"
fi
chmod 644 "$T/b.err"

# -o and -e the same file: shown once, no header
start_daemon "$T/c.pid" -o "$T/c.log" -e "$T/c.log" -- \
    sh -c 'seq 1 5; seq 6 9 >&2; exec "$0" waitfile /nonexistent 600 0' \
    "$TESTTOOL" >/dev/null
wait_for_line "$T/c.log" 9
run "$DETACH" logs -p "$T/c.pid" --lines=4
same_as_tail "-o and -e the same file: once, without a header" 4 "$T/c.log"
"$DETACH" stop -p "$T/c.pid"

# after stop: the files remain, and so does the record
expect 0 "stop" "$DETACH" stop -p "$T/a.pid"
check "... the pidfile is gone, PIDFILE.logs is not" \
    eval 'nothing_left "$T/a.pid" && test -f "$T/a.pid.logs"'
expect 0 "logs after stop exits 0" "$DETACH" logs -p "$T/a.pid" --lines=3
check "... and prints the last 3 lines still" cmp -s "$T/out" <(seq 23 25)

# --- no files to show ----------------------------------------------------
expect 1 "logs of a daemon never started: exit 1" \
    "$DETACH" logs -p "$T/none.pid"
check "... saying so ($(cat "$T/err"))" says "$T/err" \
    "detach: none: no daemon of that name was started here (no $T/none.pid.logs)"
check "... and printing nothing" test ! -s "$T/out"
start_daemon "$T/sys.pid" --supervise --syslog -- sleep 300 >/dev/null
expect 1 "logs of a --syslog daemon: exit 1" "$DETACH" logs -p "$T/sys.pid"
check "... saying its output went to syslog ($(cat "$T/err"))" \
    says "$T/err" "sys: its output went to syslog"
"$DETACH" stop -p "$T/sys.pid"
start_daemon "$T/q.pid" -- sleep 300 >/dev/null
expect 1 "logs of a daemon started without -o: exit 1" \
    "$DETACH" logs -p "$T/q.pid"
check "... saying its output was not kept ($(cat "$T/err"))" \
    says "$T/err" "q: its output was not kept"
"$DETACH" stop -p "$T/q.pid"
expect 64 "logs needs -p or -n" "$DETACH" logs
expect 64 "logs takes no operand" "$DETACH" logs -p "$T/a.pid" extra
expect 64 "--lines=-1 is refused" "$DETACH" logs -p "$T/a.pid" --lines=-1

# -n NAME, in a pidfile directory of the test's own
cat >"$T/named.sh" <<EOS
"\$DETACH" start -n web -o "\$T/web.log" -- sh -c \
    'seq 1 7; exec "\$0" waitfile /nonexistent 600 0' "\$TESTTOOL"
"\$TESTTOOL" waitfile "\$T/web.log" 10 14
"\$DETACH" logs -n web --lines=2 >"\$T/web.out" 2>&1
echo \$? >"\$T/web.rc"
"\$DETACH" stop -n web
"\$DETACH" logs -n web --lines=1 >"\$T/web.after" 2>&1
"\$DETACH" logs -n nosuch >"\$T/nosuch.out" 2>&1
echo \$? >"\$T/nosuch.rc"
EOS
how=$(private_run "$T/named.sh")
if [ -n "$how" ]; then
	check "-n web ($how): the last 2 lines, exit 0" \
	    eval 'test "$(cat "$T/web.rc")" = 0 &&
	    cmp -s "$T/web.out" <(seq 6 7)'
	check "... and after stop" cmp -s "$T/web.after" <(seq 7 7)
	check "-n nosuch: exit 1, no such daemon ($(cat "$T/nosuch.out"))" \
	    eval 'test "$(cat "$T/nosuch.rc")" = 1 &&
	    says "$T/nosuch.out" "detach: nosuch: no daemon of that name was started here"'
else
	for i in 1 2 3; do
		skip "root without mount namespaces: /run/detach is not ours"
	done
fi

# --- -f: appends, copytruncate, a closed pipe, the signals ---------------
mkdir "$T/f"
start_daemon "$T/f.pid" -o "$T/f.log" -- "$T/batch.sh" "$T/f" 25 >/dev/null
go f 1
wait_for_line "$T/f.log" 25
follow "$T/f.out" -p "$T/f.pid" --lines=5
check "logs -f: the last 5 lines first" wait_for_line "$T/f.out" 25
go f 2
check "... then the lines appended" wait_for_line "$T/f.out" 50
cp "$T/f.log" "$T/f.log.1"
: >"$T/f.log"			# logrotate's copytruncate
check "the file cut to 0 (copytruncate): 'file truncated' on stderr" \
    wait_grep 10 "$T/f.out.err" -xF "detach: $T/f.log: file truncated"
go f 3
check "... and what is written after, from the start of the file" \
    wait_for_line "$T/f.out" 75
check "... every line once, in order: 21..75" only_once "$T/f.out" 21 75
kill -TERM "$LP"
ends_with 0 "logs -f ends with status 0 on SIGTERM"
check "... having said nothing else on stderr" \
    test "$(grep -cv 'file truncated' "$T/f.out.err")" = 0

follow "$T/f2.out" -p "$T/f.pid" --lines=1
wait_for_line "$T/f2.out" 75
kill -INT "$LP"
ends_with 0 "logs -f ends with status 0 on SIGINT"
timeout 20 "$DETACH" logs -p "$T/f.pid" --follow --lines=5 | head -n 2 \
    >"$T/head.out"
codes="${PIPESTATUS[*]}"
check "logs --follow | head -n 2: it ends with head, status 0 ($codes)" \
    test "$codes" = "0 0"
check "... head got 2 lines" cmp -s "$T/head.out" <(seq 71 72)
"$DETACH" stop -p "$T/f.pid"

# a file missing at first is waited for
mkdir "$T/m"
start_daemon "$T/m.pid" -o "$T/m.log" -- "$T/batch.sh" "$T/m" 3 >/dev/null
rm "$T/m.log"
follow "$T/m.out" -p "$T/m.pid"
check "logs -f of a file not there: it says so" \
    wait_grep 10 "$T/m.out.err" -F "$T/m.log: No such file or directory"
check "... and waits" alive "$LP"
seq 1 4 >"$T/m.log"
check "... the file, once there, is shown from its start" \
    wait_for_line "$T/m.out" 4
check "... all of it" only_once "$T/m.out" 1 4
kill -TERM "$LP"
ends_with 0 "... and it ends with 0 on SIGTERM all the same"
"$DETACH" stop -p "$T/m.pid"

# -o and -e: a header each time the output moves to the other file
mkdir "$T/h"
start_daemon "$T/h.pid" -o "$T/h.out" -e "$T/h.err" -- "$T/twice.sh" \
    "$T/h" >/dev/null
go h 1
wait_for_line "$T/h.err" "err 1"
follow "$T/hf.out" -p "$T/h.pid" --lines=1
wait_for_line "$T/hf.out" "err 1"
go h 2
wait_for_line "$T/hf.out" "err 2"
go h 3
wait_for_line "$T/hf.out" "err 3"
kill -TERM "$LP"
ends_with 0 "logs -f of -o and -e: ends with 0"
{
	for k in 1 2 3; do
		[ "$k" = 1 ] || echo
		echo "==> $T/h.out <=="
		echo "out $k"
		echo
		echo "==> $T/h.err <=="
		echo "err $k"
	done
} >"$T/hf.want"
check "... a header whenever the file changes, as tail -f" \
    cmp -s "$T/hf.out" "$T/hf.want"
diff "$T/hf.out" "$T/hf.want" | head -n 10 | diag
"$DETACH" stop -p "$T/h.pid"

# --- -f: renames and reopens of a supervised daemon -----------------------
# follow_reopens DIR: the rename cases, against the supervisor of DIR
# that writes batches of 20; logs -f (in $LP) started after batch 1.
follow_reopens() {
	local d=$1 pf=$T/$1.pid log=$T/$1.log out=$T/$1.out
	mv "$log" "$log.1"
	expect 0 "renamed to FILE.1: reopen exits 0" \
	    "$DETACH" reopen -p "$pf"
	go "$d" 2
	check "... the lines written to the new file follow" \
	    wait_for_line "$out" 40

	kill -STOP "$LP"
	wait_stopped "$LP"
	mv "$log.1" "$log.2"
	mv "$log" "$log.1"
	"$DETACH" reopen -p "$pf"
	go "$d" 3
	wait_for_line "$log" 60
	mv "$log.2" "$log.3"
	mv "$log.1" "$log.2"
	mv "$log" "$log.1"
	"$DETACH" reopen -p "$pf"
	go "$d" 4
	wait_for_line "$log" 80
	kill -CONT "$LP"
	check "two rotations while logs -f slept: it prints FILE.1 whole, then FILE" \
	    wait_for_line "$out" 80

	mv "$log" "$log-20260101"
	"$DETACH" reopen -p "$pf"
	go "$d" 5
	check "renamed to another name (FILE.1 an older file): followed" \
	    wait_for_line "$out" 100

	# logrotate's create: a new empty file first, the reopen only later;
	# three batches, each a few wake-ups, to the old file meanwhile
	mv "$log" "$log-20260102"
	: >"$log"
	go "$d" 6
	wait_for_line "$out" 120 &&
	    go "$d" 7 && wait_for_line "$out" 140 &&
	    go "$d" 8
	check "a new empty file, the daemon still writing to the old one: read" \
	    wait_for_line "$out" 160
	"$DETACH" reopen -p "$pf"
	go "$d" 9
	check "... then, reopened, the new one" wait_for_line "$out" 180
	check "every line once, in order, across it all: 20..180" \
	    only_once "$out" 20 180
}

mkdir "$T/r"
start_daemon "$T/r.pid" --supervise -o "$T/r.log" -- "$T/batch.sh" \
    "$T/r" 20 >/dev/null
go r 1
wait_for_line "$T/r.log" 20
follow "$T/r.out" -p "$T/r.pid" --lines=1
wait_for_line "$T/r.out" 20
follow_reopens r
check "... nothing on stderr" test ! -s "$T/r.out.err"
kill -TERM "$LP"
ends_with 0 "... and it ends with 0 on SIGTERM"
"$DETACH" stop -p "$T/r.pid"

# --- -f across the supervisor's own rotation (--log-max-size) ------------
# burst.pl DIR N: batch k (once DIR/go.k exists) is lines N*(k-1)+1 to
# N*k, 50 bytes each, written at once, or one a millisecond from batch
# $PACE_FROM on.
cat >"$T/burst.pl" <<'EOS'
$| = 1;
my ($dir, $n) = @ARGV;
for (my $k = 1; ; $k++) {
	system($ENV{TESTTOOL}, "waitfile", "$dir/go.$k", 600, 0) == 0 or exit 1;
	for my $i ($n * ($k - 1) + 1 .. $n * $k) {
		my $l = "$i ";
		print $l, "." x (49 - length $l), "\n";
		select(undef, undef, undef, 0.001) if $k >= $ENV{PACE_FROM};
	}
}
EOS
# numbers FILE: the first field of each line, the supervisor's left out.
numbers() {
	grep -v '^detach\[' "$1" | awk '{ print $1 }'
}
mkdir "$T/z"
start_daemon "$T/z.pid" --supervise -o "$T/z.log" --log-max-size=4K \
    --log-keep=20 -E TESTTOOL="$TESTTOOL" -E PACE_FROM=8 -- \
    perl "$T/burst.pl" "$T/z" 200 >/dev/null
go z 1
wait_for "$T/z.log" "^200 "
follow "$T/z.out" -p "$T/z.pid" --lines=5
wait_for "$T/z.out" "^200 "
for k in 2 3 4 5; do
	go z "$k"
	wait_for "$T/z.out" "^$((200 * k)) " || break
done
check "--log-max-size=4K: logs -f follows bursts of 200 lines (2-3 rotations each)" \
    wait_for "$T/z.out" "^1000 "
kill -STOP "$LP"
wait_stopped "$LP"
go z 6
wait_for "$T/z.log" "^1200 "
go z 7
wait_for "$T/z.log" "^1400 "
kill -CONT "$LP"
check "... and 5 rotations while it slept (FILE.k between printed whole)" \
    wait_for "$T/z.out" "^1400 "
go z 8
check "... and lines written one a millisecond" wait_for "$T/z.out" "^1600 " 20
check "... the supervisor rotated: $T/z.log.15 is there" test -e "$T/z.log.15"
check "every line once, in order: 196..1600" \
    eval 'numbers "$T/z.out" | cmp -s - <(seq 196 1600)'
numbers "$T/z.out" | diff - <(seq 196 1600) | head -n 10 | diag
check "... nothing on stderr" test ! -s "$T/z.out.err"
kill -TERM "$LP"
ends_with 0 "... and it ends with 0 on SIGTERM"
"$DETACH" stop -p "$T/z.pid"

# the same without inotify: logs -f looks every 200 ms instead
NOSYS_INOTIFY=1 "$NOSYS" ENOSYS true 2>/dev/null
if [ $? = 0 ]; then
	mkdir "$T/p"
	start_daemon "$T/p.pid" --supervise -o "$T/p.log" -- "$T/batch.sh" \
	    "$T/p" 20 >/dev/null
	go p 1
	wait_for_line "$T/p.log" 20
	NOSYS_INOTIFY=1 "$NOSYS" ENOSYS "$DETACH" logs -f -p "$T/p.pid" \
	    --lines=1 >"$T/p.out" 2>"$T/p.out.err" &
	LP=$!
	track "$LP"
	wait_for_line "$T/p.out" 20
	follow_reopens p
	kill -TERM "$LP"
	ends_with 0 "without inotify: ends with 0 on SIGTERM"
	"$DETACH" stop -p "$T/p.pid"
else
	for i in $(seq 8); do
		skip "no seccomp here: inotify cannot be taken away"
	done
fi

plan "$TAP_N"
done_testing
