#!/bin/bash
# The supervisor's output files: --timestamps on every line of both
# streams, a partial last line stamped once; --log-max-size rotation at
# line boundaries (1 MB kept to 3 files, 200,000 lines each once and in
# order, a line longer than the limit alone in its file, owner and mode
# kept, with reopen); the usage errors.  Each child writes and exits
# (--restart=never): the supervisor drains its output, then exits, so
# waiting for the supervisor to be gone is waiting for the last byte.
TOP=$(cd "${srcdir:-$(dirname "$0")/../..}" && pwd)
. "$TOP/tests/lib.sh"		# (it moves to $T)

plan 52

STAMP='[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}Z'

# run_out NAME ARGS... -- COMMAND...: a supervised run of COMMAND that
# ends once it has written: COMMAND runs, then waits for a gate that is
# opened once start returned (a command that ended before start looked
# would be "exited at once"); waits until the supervisor is gone.
cat >"$T/gated" <<EOF
#!/bin/sh
gate=\$1
shift
"\$@"
"$TESTTOOL" waitfile "\$gate" 60 0
EOF
chmod +x "$T/gated"
run_out() {
	local name=$1 sup
	local -a opts=()
	shift
	while [ "$1" != -- ]; do
		opts+=("$1")
		shift
	done
	shift
	"$DETACH" start -p "$T/$name.pid" --supervise --restart=never \
	    "${opts[@]}" -- "$T/gated" "$T/$name.gate" "$@" || return 1
	sup=$(pid_of "$T/$name.pid")
	track "$sup"
	: >"$T/$name.gate"
	wait_gone "$sup" 60
}

# in_order FILE...: the files, one after the other, are `seq 1 N`.
in_order() {
	local n
	n=$(cat "$@" | wc -l)
	[ "$n" -gt 0 ] && cat "$@" | cmp -s - <(seq 1 "$n")
}

# rotated FILE: FILE.N ... FILE.1 FILE, oldest first, those there.
rotated() {
	local k=1000 list=""
	while [ "$k" -ge 1 ]; do
		[ -e "$1.$k" ] && list="$list $1.$k"
		k=$((k - 1))
	done
	echo "$list $1"
}

# --- 1. timestamps: both streams, partial last lines, our messages
t0=$(date -u +%s)
check "--timestamps with -o and -e: the run ends" run_out ts \
    --timestamps -o "$T/ts.out" -e "$T/ts.err" -- sh -c \
    'echo out one; echo err one >&2; echo out two; printf "out tail";
    printf "err tail" >&2'
t1=$(date -u +%s)
check "... every line of stdout is stamped" eval \
    '! grep -qvE "^$STAMP " "$T/ts.out" && test "$(wc -l <"$T/ts.out")" = 3'
check "... every line of stderr is stamped, detach's own too" eval \
    '! grep -qvE "^$STAMP " "$T/ts.err" &&
    grep -qE "^$STAMP detach\[[0-9]+\]: ts: " "$T/ts.err"'
check "... the partial last line is ended and stamped once" eval \
    'grep -qxE "$STAMP out tail" "$T/ts.out" &&
    grep -qxE "$STAMP err tail" "$T/ts.err"'
check "... the lines keep their text and order" eval \
    'test "$(cut -d" " -f2- "$T/ts.out" | tr "\n" /)" = \
    "out one/out two/out tail/"'
first=$(head -n 1 "$T/ts.out" | cut -d' ' -f1)
fs=$(date -u -d "$first" +%s 2>/dev/null || echo 0)
check "... the stamp is the UTC time of the run ($first)" \
    test "$fs" -ge "$t0" -a "$fs" -le "$t1"

# --- 2. 1 MB of numbered lines at 64K, keeping 3
printf 'older\n' >"$T/big.out"
chmod 604 "$T/big.out"
check "--log-max-size=64K --log-keep=3: 1 MB of lines, the run ends" \
    run_out big -o "$T/big.out" --log-max-size=64K --log-keep=3 -- \
    seq 1 150000
check "... FILE and FILE.1 to FILE.3, no FILE.4" eval \
    'test -s "$T/big.out.1" -a -s "$T/big.out.2" -a -s "$T/big.out.3" &&
    test ! -e "$T/big.out.4"'
check "... none is over 64K" eval '! find "$T" -name "big.out*" \
    -size +65536c | grep -q .'
check "... each holds whole lines" eval \
    '! grep -qvxE "[0-9]+|detach\[[0-9]+\]: .*" $(rotated "$T/big.out") &&
    for f in $(rotated "$T/big.out"); do
	test "$(tail -c 1 "$f" | od -An -c | tr -d " ")" = "\\n" || exit 1
    done'
last=$(grep -xE '[0-9]+' "$T/big.out" | tail -n 1)
from=$(head -n 1 "$T/big.out.3")
check "... the newest lines are there, contiguous ($from to $last)" eval \
    'test "$last" = 150000 && cat $(rotated "$T/big.out") |
    grep -xE "[0-9]+" | cmp -s - <(seq "$from" 150000)'
check "... the new files have the old one's mode (604)" \
    test "$(stat -c %a "$T/big.out")" = 604 -a \
    "$(stat -c %a "$T/big.out.1")" = 604
check "... and its owner" test "$(stat -c %u:%g "$T/big.out")" = \
    "$(stat -c %u:%g "$T/big.out.3")"
check "... no temporary file is left" eval \
    '! ls -a "$T" | grep -q "rotating"'

# --- 3. 200,000 lines as fast as seq writes them, 256K, all kept
check "--log-max-size=256K: 200,000 lines, the run ends" run_out fast \
    -o "$T/fast.out" -e "$T/fast.err" --log-max-size=256K \
    --log-keep=100 -- seq 1 200000
check "... every line exactly once, in order" in_order \
    $(rotated "$T/fast.out")
n=$(rotated "$T/fast.out" | wc -w)
check "... in $n files (1.3 MB at 256K: at least 5)" test "$n" -ge 5
check "... nothing about rotation went wrong" eval \
    '! grep -q "cannot" "$T/fast.err"'

# --- 4. with --timestamps, the stamps count in the size
check "--timestamps --log-max-size=4K: the run ends" run_out tsr \
    --timestamps -o "$T/tsr.out" -e "$T/tsr.err" --log-max-size=4K \
    --log-keep=1000 -- seq 1 3000
check "... no file is over 4K" eval '! find "$T" -name "tsr.out*" \
    -size +4096c | grep -q .'
check "... every line stamped, all there, in order" eval \
    '! grep -qvE "^$STAMP [0-9]+$" $(rotated "$T/tsr.out") &&
    cat $(rotated "$T/tsr.out") | cut -d" " -f2 | cmp -s - <(seq 1 3000)'

# --- 5. a line longer than the limit goes whole into its own file
long=$(head -c 5000 /dev/zero | tr '\0' x)
check "a 5000-byte line at --log-max-size=1K: the run ends" run_out long \
    -o "$T/long.out" --log-max-size=1K -- perl -e \
    'syswrite STDOUT, "a\n" . ("x" x 5000) . "\nb\n"'
check "... the short line before it is alone in FILE.2" \
    test "$(cat "$T/long.out.2")" = a
check "... the long line is alone and whole in FILE.1" \
    test "$(cat "$T/long.out.1")" = "$long"
check "... the next line is in FILE" eval \
    'test "$(head -n 1 "$T/long.out")" = b'

# --- 6. rotation and reopen together: logrotate moves the file away
cat >"$T/twice" <<EOF
#!/bin/sh
seq 1 100
"$TESTTOOL" waitfile "$T/go" 60 0 || exit 1
seq 101 600
EOF
chmod +x "$T/twice"
"$DETACH" start -p "$T/ro.pid" --supervise --restart=never \
    -o "$T/ro.out" -e "$T/ro.err" --log-max-size=1K --log-keep=50 -- \
    "$T/twice"
sup=$(pid_of "$T/ro.pid")
track "$sup"
check "rotation with reopen: the first 100 lines are written" \
    wait_for_line "$T/ro.out" 100
mv "$T/ro.out" "$T/ro.moved"
expect 0 "... reopen after logrotate moved the file exits 0" \
    "$DETACH" reopen -p "$T/ro.pid"
: >"$T/go"
check "... the run ends" wait_gone "$sup" 60
check "... the moved file keeps lines 1 to 100, nothing more" \
    cmp -s "$T/ro.moved" <(seq 1 100)
check "... the new file is rotated from its own size: 101 to 600" eval \
    'cat $(rotated "$T/ro.out") | cmp -s - <(seq 101 600) &&
    test -e "$T/ro.out.1" && ! find "$T" -name "ro.out*" -size +1024c |
    grep -q .'

# ... and without reopen: the next rotation finds the file moved away and
# goes on in a new one, renaming nothing of logrotate's
rm -f "$T/go"
"$DETACH" start -p "$T/mv.pid" --supervise --restart=never \
    -o "$T/mv.out" -e "$T/mv.err" --log-max-size=1K --log-keep=50 -- \
    "$T/twice"
sup=$(pid_of "$T/mv.pid")
track "$sup"
wait_for_line "$T/mv.out" 100
mv "$T/mv.out" "$T/mv.moved"
: >"$T/go"
check "moved without reopen: the run ends" wait_gone "$sup" 60
check "... every line once, in order: the moved file, then the new ones" \
    in_order "$T/mv.moved" $(rotated "$T/mv.out")

# --- 7. a full disk during rotation: reported once, output goes on
# (a private tmpfs in a mount namespace of its own, held by a waiting
# process, through whose /proc/PID/root the test reads it; root only)
if [ "$(id -u)" = 0 ] && unshare -m true 2>/dev/null; then
	mkdir "$T/small"
	cat >"$T/fill" <<EOF
#!/bin/sh
seq 1 4000
"$TESTTOOL" waitfile "$T/go2" 60 0 || exit 1
echo after
exec "$TESTTOOL" waitfile "$T/end" 60 0
EOF
	chmod +x "$T/fill"
	unshare -m sh -c 'mount -n -t tmpfs -o size=64k tmpfs "$1/small" &&
	    head -c 52000 /dev/zero >"$1/small/filler" &&
	    "$2" start -p "$1/full.pid" --supervise --restart=never \
	    -o "$1/small/out" -e "$1/full.err" --log-max-size=8K \
	    --log-keep=10 -- "$1/fill" &&
	    exec "$3" waitfile "$1/end" 120 0' sh "$T" "$DETACH" "$TESTTOOL" &
	holder=$!
	track "$holder"
	wait_file "$T/full.pid" 30
	sup=$(pid_of "$T/full.pid")
	track "$sup"
	S=/proc/$holder/root$T/small
	check "full disk: the supervisor says it cannot write" \
	    wait_for "$T/full.err" "cannot (write to|rotate) .*small/out" 30
	# (the line the disk filled in is cut short: the last, unended)
	check "... the lines written before are whole and in order" eval \
	    'cat $(rotated "$S/out") | perl -ne "print if /^[0-9]+\\n/" \
	    >"$T/kept";
	    test -s "$T/kept" &&
	    cmp -s "$T/kept" <(seq 1 "$(wc -l <"$T/kept")")'
	rm -f "$S/filler"
	: >"$T/go2"
	check "... once there is room, output goes on" \
	    wait_for "$T/full.err" "writing to .*small/out again" 30
	check "... with the line written after" eval \
	    'cat $(rotated "$S/out") | grep -qx after'
	check "... and the failure was said once" eval \
	    'test "$(grep -cE "cannot (write to|rotate)" "$T/full.err")" -le 2'
	"$DETACH" stop -p "$T/full.pid" >/dev/null
	: >"$T/end"
	wait_gone "$holder" 30
else
	for i in 1 2 3 4 5; do
		skip "full disk: needs root and unshare -m for a private tmpfs"
	done
fi

# --- 8. usage
for bad in 0 abc -1 10X 1.5M; do
	expect 64 "--log-max-size=$bad is a usage error" "$DETACH" start \
	    -p "$T/u.pid" --supervise -o "$T/u.out" --log-max-size="$bad" -- true
done
expect 64 "--log-keep=-1 is a usage error" "$DETACH" start -p "$T/u.pid" \
    --supervise -o "$T/u.out" --log-max-size=1M --log-keep=-1 -- true
expect 64 "--log-keep without --log-max-size is a usage error" \
    "$DETACH" start -p "$T/u.pid" --supervise -o "$T/u.out" \
    --log-keep=2 -- true
expect 64 "--log-max-size without -o or -e is a usage error" \
    "$DETACH" start -p "$T/u.pid" --supervise --log-max-size=1M -- true
check "... which says why" names "$T/err" "needs -o or -e"
expect 64 "--log-max-size without --supervise is a usage error" \
    "$DETACH" start -p "$T/u.pid" -o "$T/u.out" --log-max-size=1M -- true
expect 64 "--timestamps without --supervise is a usage error" \
    "$DETACH" start -p "$T/u.pid" -o "$T/u.out" --timestamps -- true
expect 64 "--timestamps with --syslog is a usage error" \
    "$DETACH" start -p "$T/u.pid" --supervise --syslog --timestamps -- true
mkfifo "$T/u.fifo"
exec 7<>"$T/u.fifo"
expect 64 "--log-max-size of a FIFO is a usage error" \
    "$DETACH" start -p "$T/u.pid" --supervise -o "$T/u.fifo" \
    --log-max-size=1M -- true
check "... which names it" names "$T/err" "$T/u.fifo is not a regular file"
exec 7>&-
check "... nothing is left of these" nothing_left "$T/u.pid"
done_testing
