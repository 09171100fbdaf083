#!/bin/bash
# detach start --supervise: the child's output reaches the -o and -e files
# complete and in order, through restarts and reopens.
. "${srcdir:-$(dirname "$0")/../..}/tests/lib.sh"

plan 51

# The child's lines in an output file: without the supervisor's own
# messages, which share the stderr destination.
child_lines() {
	grep -av '^detach\[' "$1"
}

# A message of the supervisor in FILE: "detach[PID]: NAME: TEXT".
said() {
	grep -aq "^detach\[[0-9]*\]: [^:]*: $2" "$1"
}

# --- 10 MB through the pipe, complete and in order -------------------------

# 9-byte lines, just over 10 MiB; buffered, so big writes.
N=1165085
cat >"$T/big.pl" <<'EOS'
printf "%08d\n", $_ for 1 .. $ARGV[0];
STDOUT->flush;
sleep;
EOS
sv=$(start_daemon "$T/big.pid" --supervise -o "$T/big.log" -- \
    perl "$T/big.pl" "$N")
check "10 MB written by the child arrive in the -o file" \
    wait_file "$T/big.log" 20 $((N * 9))
"$DETACH" stop -p "$T/big.pid"
check "the supervisor is gone after stop" gone "$sv"
size=$(child_lines "$T/big.log" | wc -c)
check "the file holds exactly the child's $((N * 9)) bytes ($size)" \
    test "$size" = $((N * 9))
check "line k holds number k, for all $N lines" \
    cmp -s <(child_lines "$T/big.log") <(seq -f %08.0f 1 "$N")
check "the supervisor's messages follow the output as whole lines" \
    test "$(tail -n 1 "$T/big.log" | grep -c '^detach\[.*supervisor exiting$')" = 1

# --- stdout and stderr, one pipe or two -------------------------------------

cat >"$T/alt.pl" <<'EOS'
select(STDERR); $| = 1; select(STDOUT); $| = 1;
for my $i (1 .. 2000) {
	if ($i % 2) { print STDOUT "out $i\n" } else { print STDERR "err $i\n" }
}
sleep;
EOS
perl -e 'print $_ % 2 ? "out $_\n" : "err $_\n" for 1 .. 2000' >"$T/alt.want"
grep '^out' "$T/alt.want" >"$T/alt.want.out"
grep '^err' "$T/alt.want" >"$T/alt.want.err"

sv=$(start_daemon "$T/alt.pid" --supervise -o "$T/alt.log" -- \
    perl "$T/alt.pl")
check "without -e, all 2000 lines arrive" \
    wait_file "$T/alt.log" 10 "$(wc -c <"$T/alt.want")"
"$DETACH" stop -p "$T/alt.pid"
check "without -e, stdout and stderr lines keep their exact interleaving" \
    cmp -s <(child_lines "$T/alt.log") "$T/alt.want"
check "without -e, the supervisor's messages go to the -o file" \
    said "$T/alt.log" "supervisor exiting"

sv=$(start_daemon "$T/two.pid" --supervise -o "$T/two.out" \
    -e "$T/two.err" -- perl "$T/alt.pl")
check "with -o and -e, the stdout lines arrive" \
    wait_file "$T/two.out" 10 "$(wc -c <"$T/alt.want.out")"
check "with -o and -e, the stderr lines arrive" \
    wait_file "$T/two.err" 10 "$(wc -c <"$T/alt.want.err")"
"$DETACH" stop -p "$T/two.pid"
check "the -o file holds exactly the stdout lines, in order" \
    cmp -s "$T/two.out" "$T/alt.want.out"
check "the -e file holds exactly the stderr lines, in order" \
    cmp -s <(child_lines "$T/two.err") "$T/alt.want.err"
check "with -e, the supervisor's messages go to the -e file" \
    said "$T/two.err" "stopping pid"
check "the created -o and -e files are mode 0640" \
    test "$(stat -c %a "$T/two.out") $(stat -c %a "$T/two.err")" = \
    "640 640"

# --- across restarts ----------------------------------------------------------

# Each run prints 100 numbered lines and fails; the first waits at a gate
# so that the supervisor's pid can be read before it is all over.
mkfifo "$T/gate"
cat >"$T/runs.sh" <<EOS
#!/bin/sh
n=\$(cat "$T/runs.count" 2>/dev/null || echo 0)
n=\$((n + 1))
echo \$n >"$T/runs.count"
[ \$n = 1 ] && read go <"$T/gate"
i=1
while [ \$i -le 100 ]; do
	if [ \$((i % 10)) = 0 ]; then
		echo "run \$n line \$i" >&2
	else
		echo "run \$n line \$i"
	fi
	i=\$((i + 1))
done
exit 1
EOS
chmod 755 "$T/runs.sh"
for n in 1 2 3 4; do
	for i in $(seq 100); do
		echo "run $n line $i"
	done
done >"$T/runs.want"

sv=$(start_daemon "$T/runs.pid" --supervise --restart=on-failure \
    --restart-delay=0 --max-restarts=3 -o "$T/runs.log" -- "$T/runs.sh")
timeout 10 sh -c 'echo go >"$1"' sh "$T/gate"
check "the supervisor gives up and exits" wait_gone "$sv" 10
check "it removed its pidfile" test ! -e "$T/runs.pid"
check "the child ran 4 times" test "$(cat "$T/runs.count")" = 4
check "all 4 x 100 lines are there, in order, none doubled" \
    cmp -s <(child_lines "$T/runs.log") "$T/runs.want"
check "each exit is reported" \
    test "$(grep -c '^detach\[.*exited with status 1$' "$T/runs.log")" = 4
check "so is giving up" said "$T/runs.log" "giving up"

# --- reopen, mid-stream -----------------------------------------------------

# Numbered lines, about 4 per ms, until TERM; then the last number written.
# The handler only raises a flag: run between the print and the count, it
# would record one line too few.
cat >"$T/stream.pl" <<'EOS'
$| = 1;
my ($i, $term) = (0, 0);
$SIG{TERM} = sub { $term = 1 };
until ($term) {
	$i++;
	print "$i\n";
	select(undef, undef, undef, 0.001) if $i % 4 == 0;
}
open(my $f, ">", $ARGV[0]) or die "$ARGV[0]: $!";
print $f "$i\n";
close $f;
EOS
# The caller's umask must not matter: files get 0640 less the daemon's.
sv=$( (umask 077; start_daemon "$T/rot.pid" --supervise -o "$T/rot.log" -- \
    perl "$T/stream.pl" "$T/rot.last") )
track "$sv"
check "the child writes" wait_file "$T/rot.log" 10 20000
check "the -o file created by start is mode 0640 (caller umask 077)" \
    test "$(stat -c %a "$T/rot.log")" = 640
mv "$T/rot.log" "$T/rot.log.1"
expect 0 "reopen exits 0" "$DETACH" reopen -p "$T/rot.pid"
check "when reopen returns, the -o file exists again" test -f "$T/rot.log"
check "the file created by the supervisor is mode 0640" \
    test "$(stat -c %a "$T/rot.log")" = 640
check "the child's output goes on into the new file" \
    wait_file "$T/rot.log" 10 20000
expect 0 "stop" "$DETACH" stop -p "$T/rot.pid"
last=$(cat "$T/rot.last" 2>/dev/null)
old_end=$(child_lines "$T/rot.log.1" | tail -n 1)
new_start=$(child_lines "$T/rot.log" | head -n 1)
check "the rotated file ends where the new one begins ($old_end, $new_start)" \
    test -n "$old_end" -a "$new_start" = "$((old_end + 1))"
check "old + new file hold exactly 1..$last: nothing lost, nothing doubled" \
    cmp -s <(child_lines "$T/rot.log.1"; child_lines "$T/rot.log") \
    <(seq 1 "${last:-0}")
check "the rotated file got no supervisor message after the reopen" \
    test "$(grep -ac '^detach\[' "$T/rot.log.1")" = 0
check "the new file got the supervisor's messages" \
    said "$T/rot.log" "supervisor exiting"

# With -o and -e: both files are reopened, each keeps its stream.
cat >"$T/bye.pl" <<'EOS'
select(STDERR); $| = 1; select(STDOUT); $| = 1;
$SIG{TERM} = sub { print STDOUT "out-bye\n"; print STDERR "err-bye\n"; exit 0 };
print STDOUT "out-hello\n";
print STDERR "err-hello\n";
sleep 1 while 1;
EOS
sv=$(start_daemon "$T/bye.pid" --supervise -o "$T/bye.out" -e "$T/bye.err" \
    -- perl "$T/bye.pl")
wait_file "$T/bye.out" 10 10
wait_file "$T/bye.err" 10 10
mv "$T/bye.out" "$T/bye.out.1"
mv "$T/bye.err" "$T/bye.err.1"
expect 0 "reopen with -o and -e exits 0" "$DETACH" reopen -p "$T/bye.pid"
check "both files are created again, mode 0640" \
    test "$(stat -c %a "$T/bye.out") $(stat -c %a "$T/bye.err")" = \
    "640 640"
"$DETACH" stop -p "$T/bye.pid"
check "the old -o file has the output from before" \
    test "$(cat "$T/bye.out.1")" = out-hello
check "the old -e file has the errors from before" \
    test "$(child_lines "$T/bye.err.1")" = err-hello
check "the new -o file has the output from after" \
    test "$(cat "$T/bye.out")" = out-bye
check "the new -e file has the errors from after" \
    test "$(child_lines "$T/bye.err")" = err-bye
check "and the supervisor's messages" said "$T/bye.err" "stopping pid"

# What the child wrote before the reopen request goes to the old file,
# even if the supervisor had not read it yet: freeze the supervisor, have
# the child write, request the reopen, and only then let it go on.
mkfifo "$T/feed"
cat >"$T/feed.pl" <<'EOS'
$| = 1;
open(my $in, "+<", $ARGV[0]) or die "$ARGV[0]: $!";
my $n = 0;
while (my $l = <$in>) {
	print $l;
	$n++;
	open(my $ack, ">", "$ARGV[0].ack$n") or die; close $ack;
}
EOS
# proc_wait PID FIELD PATTERN: wait, reading /proc/PID/status with
# builtins only, until FIELD matches PATTERN; at most 5 s.
proc_wait() {
	local end=$((${EPOCHREALTIME/./} + 5000000)) l
	while [ "${EPOCHREALTIME/./}" -lt "$end" ]; do
		while read -r l; do
			case $l in
			"$2:"*) [[ ${l#*:} =~ $3 ]] && return 0 ;;
			esac
		done <"/proc/$1/status"
	done
	return 1
}
sv=$(start_daemon "$T/feed.pid" --supervise -o "$T/feed.log" -- \
    perl "$T/feed.pl" "$T/feed")
echo first >"$T/feed"
wait_file "$T/feed.log" 10 6
kill -STOP "$sv"
check "the supervisor is frozen" proc_wait "$sv" State '^[[:space:]]*T'
echo second >"$T/feed"
wait_file "$T/feed.ack2" 10 0
mv "$T/feed.log" "$T/feed.log.1"
"$DETACH" reopen -p "$T/feed.pid" >"$T/reopen.out" 2>&1 &
rpid=$!
track "$rpid"
check "the reopen request is pending" proc_wait "$sv" ShdPnd '[1-9a-f]'
kill -CONT "$sv"
wait "$rpid"
check "then reopen exits 0" test $? = 0
echo third >"$T/feed"
wait_file "$T/feed.log" 10 6
"$DETACH" stop -p "$T/feed.pid"
check "a line written before the request, unread, went to the old file" \
    test "$(cat "$T/feed.log.1")" = "$(printf 'first\nsecond')"
check "the next line went to the new one" \
    test "$(child_lines "$T/feed.log")" = third

# Only a supervisor reopens.
pid=$(start_daemon "$T/plain.pid" -o "$T/plain.log" -- sleep 300)
expect 3 "reopen of a daemon that is not supervised exits 3" \
    "$DETACH" reopen -p "$T/plain.pid"
check "... and says why" grep -q "not supervised" "$T/err"
check "... and leaves it running" alive "$pid"
"$DETACH" stop -p "$T/plain.pid"
expect 1 "reopen without a pidfile exits 1" \
    "$DETACH" reopen -p "$T/none.pid"
expect 0 "... and 0 with --oknodo" \
    "$DETACH" reopen -p "$T/none.pid" --oknodo

# --- a burst's share of the pump buffer is given back ----------------------
# With the supervisor stopped, the child puts ~1 MB into the pipe; woken,
# the supervisor takes it in one read, which dirties most of its buffer.
# Once output has been quiet for a second, that memory goes back.
rss_anon() { awk '$1 == "RssAnon:" { print $2 }' /proc/"$1"/status; }
anon_below() {	# anon_below PID KIB: within 5 s
	local end=$((${EPOCHREALTIME/./} + 5000000))
	while [ "${EPOCHREALTIME/./}" -lt "$end" ]; do
		[ "$(rss_anon "$1")" -le "$2" ] && return 0
		sleep 0.05
	done
	return 1
}
mkfifo "$T/go"
sv=$(start_daemon "$T/burst.pid" --supervise -o "$T/burst.out" -- \
    sh -c 'perl -e "open(F, \">\", \$ARGV[0]); print F fcntl(STDOUT, 1032, 0) + 0" "$1.size"
    read x <"$1"; head -c 1000000 /dev/zero; : >"$1.done"
    exec sleep 300' sh "$T/go")
wait_file "$T/go.size" 10 1
size=$(cat "$T/go.size")	# F_GETPIPE_SZ: 1 MiB unless limits refused it
a0=$(rss_anon "$sv")
if [ "${size:-0}" -ge 1000000 ]; then
	kill -STOP "$sv"
	echo go >"$T/go"
	wait_file "$T/go.done" 10 0
	kill -CONT "$sv"
	wait_file "$T/burst.out" 10 1000000
	a1=$(rss_anon "$sv")
	check "a 1 MB burst is taken in one read ($a0 -> $a1 KiB anonymous)" \
	    test "$((a1 - a0))" -ge 512
	if [ "${DETACH_SANITIZED:-no}" = yes ]; then
		# ASan's allocator keeps what is freed (its quarantine), so
		# RssAnon says nothing about our buffer here
		skip "... and the buffer is given back: RssAnon under AddressSanitizer"
	else
		anon_below "$sv" "$((a0 + 128))"
		check "... and the buffer is given back once output is quiet ($(rss_anon "$sv") KiB)" \
		    test "$(rss_anon "$sv")" -le "$((a0 + 128))"
	fi
else
	echo go >"$T/go"
	wait_file "$T/burst.out" 10 1000000
	skip "a 1 MB burst in one read: the pipe holds only ${size:-?} bytes"
	skip "... and the buffer is given back"
fi
"$DETACH" stop -p "$T/burst.pid"
check "the burst arrived whole" test "$(wc -c <"$T/burst.out")" -ge 1000000

done_testing
