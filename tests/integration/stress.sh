#!/bin/bash
# Stress: 200 start/stop cycles on one pidfile, 50 daemons started and
# stopped at once (with their descriptors checked), and a supervisor
# whose child restarts 1000 times without its memory or descriptors
# growing.
. "${srcdir:-$(dirname "$0")/../..}/tests/lib.sh"

plan 19

# holders PATTERN: the pids that have a file matching PATTERN open.
holders() {
	find /proc/[0-9]*/fd -maxdepth 1 -lname "$1" 2>/dev/null |
	    cut -d/ -f3 | sort -un
}

# fd_list PID: "N->TARGET" for each descriptor of PID, sorted by N.
fd_list() {
	local f
	for f in /proc/"$1"/fd/*; do
		echo "${f##*/}->$(readlink "$f")"
	done | sort -n
}

# Descriptors that a careless daemonizer would hand on: every daemon
# below is started with these open in its caller.
exec 7>"$T/caller-file" 8<"$T"

# --- 1. 200 sequential start/stop cycles on one pidfile
f=$T/cycle.pid
sfail="" pfail="" gfail=""
for c in $(seq 200); do
	if ! "$DETACH" start -p "$f" -- sleep 300 2>"$T/cycle.err"; then
		sfail="$sfail $c"
		diag <"$T/cycle.err"
		continue
	fi
	pid=$(pid_of "$f")
	track "$pid"
	"$DETACH" stop -p "$f" 2>"$T/cycle.err" ||
	    { pfail="$pfail $c"; diag <"$T/cycle.err"; }
	if gone "$pid"; then
		untrack "$pid"
	else
		gfail="$gfail $c:$pid"
	fi
done
check "200 sequential starts on one pidfile all exit 0${sfail:+ (failed:$sfail)}" \
    test -z "$sfail"
check "200 sequential stops all exit 0${pfail:+ (failed:$pfail)}" \
    test -z "$pfail"
check "the daemon is gone after every stop${gfail:+ (left:$gfail)}" \
    test -z "$gfail"
check "the pidfile is gone after the last cycle" test ! -e "$f"

# --- 2. 50 daemons started at once, then stopped at once
N=50
for i in $(seq $N); do
	"$DETACH" start -p "$T/d$i.pid" -- sleep 300 >"$T/start$i.out" 2>&1 &
	spid[i]=$!
done
bad=""
for i in $(seq $N); do
	wait "${spid[i]}"
	rc=$?
	if [ -s "$T/d$i.pid" ]; then
		dpid[i]=$(pid_of "$T/d$i.pid")
		track "${dpid[i]}"
	else
		dpid[i]=""
	fi
	[ "$rc" = 0 ] || { bad="$bad $i:$rc";
	    echo "start $i: exit $rc: $(cat "$T/start$i.out")" | diag; }
done
check "$N concurrent starts all exit 0${bad:+ (failed:$bad)}" test -z "$bad"
running=$(for i in $(seq $N); do
	[ -n "${dpid[i]}" ] && alive "${dpid[i]}" && echo "${dpid[i]}"
done | sort -u | wc -l)
check "$N distinct daemons run ($running)" test "$running" = $N

# Every daemon holds exactly 0, 1, 2 and its pidfile: nothing of detach
# and nothing of its caller (fds 7 and 8 above) leaks into it.
bad=""
for i in $(seq $N); do
	p=${dpid[i]}
	[ -n "$p" ] || { bad="$bad $i"; continue; }
	l=$(fd_list "$p")
	want=$(printf '0->/dev/null\n1->/dev/null\n2->/dev/null\n')
	if [ "$(echo "$l" | grep -v '^[012]->')" != \
	    "$(echo "$l" | grep -v '^[012]->' | grep -- "->$T/d$i.pid\$")" ] ||
	    [ "$(echo "$l" | wc -l)" != 4 ] ||
	    [ "$(echo "$l" | grep '^[012]->')" != "$want" ]; then
		bad="$bad $i"
		{ echo "daemon $i (pid $p):"; echo "$l"; } | diag
	fi
done
check "each daemon has exactly fds 0, 1, 2 (/dev/null) and its pidfile${bad:+ (not:$bad)}" \
    test -z "$bad"

for i in $(seq $N); do
	"$DETACH" stop -p "$T/d$i.pid" >"$T/stop$i.out" 2>&1 &
	spid[i]=$!
done
bad=""
for i in $(seq $N); do
	wait "${spid[i]}"
	rc=$?
	[ "$rc" = 0 ] || { bad="$bad $i:$rc";
	    echo "stop $i: exit $rc: $(cat "$T/stop$i.out")" | diag; }
done
check "$N concurrent stops all exit 0${bad:+ (failed:$bad)}" test -z "$bad"
left=""
for i in $(seq $N); do
	p=${dpid[i]}
	[ -n "$p" ] || continue
	if gone "$p"; then untrack "$p"; else left="$left $p"; fi
done
check "none of the $N daemons is alive${left:+ (alive:$left)}" test -z "$left"
pf=$(cd "$T" && ls -- *.pid 2>/dev/null | tr '\n' ' ')
check "no pidfile is left in \$T${pf:+ ($pf)}" test -z "$pf"
h=$(holders "$T/d*.pid" | tr '\n' ' ')
check "no process has any of the pidfiles open${h:+ ($h)}" test -z "$h"

# --- 3. a supervisor whose child restarts 1000 times
#
# The child is `exit 0` (restarted at once by --restart=always), except
# while $T/hold exists: then it says "held PID" and sleeps.  The
# supervisor only reads that line from its pipe once it is back in its
# loop (spawn done, pidfd, state file and title written), so once the
# line is in the log the supervisor sits idle in poll(2): a stable point
# to read /proc, with no exec confirmation pipe or state.new open.
sp=$T/sup.pid
log=$T/sup.log
rm -f "$T/hold"
"$DETACH" start --supervise --restart=always --restart-delay=0 -p "$sp" \
    -o "$log" -- sh -c "[ -e '$T/hold' ] && { echo \"held \$\$\";
    exec sleep 300; }; exit 0"
check "start --supervise --restart=always --restart-delay=0 exits 0" \
    test $? = 0
sup=$(pid_of "$sp")
track "$sup"
deadline=$(($(now_ms) + 45000))	# for the whole part

restarts() {
	awk '$1 == "restarts" { print $2 }' "$sp.state" 2>/dev/null
}

# wait_restarts N: until the state file counts N restarts.  Each restart
# logs at least 77 bytes ("detach[P]: sup: pid C exited with status
# 0\n", "detach[P]: sup: restarting in 0.000 s\n"), so the log must grow
# by 70 bytes per missing restart first: a few inotify waits in all.
wait_restarts() {
	local r left size
	for (( ; ; )); do
		size=$(stat -c %s "$log")	# first: no growth goes unseen
		r=$(restarts)
		[ "${r:-0}" -ge "$1" ] && return 0
		left=$(( (deadline - $(now_ms)) / 1000 ))
		[ "$left" -gt 0 ] || return 1
		"$TESTTOOL" waitfile "$log" "$left" \
		    $((size + ($1 - ${r:-0}) * 70)) || return 1
	done
}

# wait_held N: until the log holds N "held" lines; prints the last pid.
wait_held() {
	local left size
	for (( ; ; )); do
		size=$(stat -c %s "$log")	# first: no growth goes unseen
		if [ "$(grep -c '^held ' "$log")" -ge "$1" ]; then
			grep '^held ' "$log" | tail -n 1 | cut -d' ' -f2
			return 0
		fi
		left=$(( (deadline - $(now_ms)) / 1000 ))
		[ "$left" -gt 0 ] || return 1
		"$TESTTOOL" waitfile "$log" "$left" $((size + 1)) || return 1
	done
}

# measure PID: "VmRSS RssAnon" of PID, in KiB
measure() {
	awk '$1 == "VmRSS:" { r = $2 } $1 == "RssAnon:" { a = $2 }
	    END { print r, a }' /proc/"$1"/status
}

t0=$(now_ms)
wait_restarts 50
r1=$(restarts)
touch "$T/hold"
held=$(wait_held 1) || echo "no held child after $r1 restarts" | diag
read -r rss1 anon1 <<<"$(measure "$sup")"
fds1=$(fd_list "$sup")
rm -f "$T/hold"
if [ -n "$held" ]; then
	track "$held"
	kill "$held"
	wait_gone "$held" && untrack "$held"
fi
t1=$(now_ms)

wait_restarts $((r1 + 1000))
r2=$(restarts)
touch "$T/hold"
held=$(wait_held 2) || echo "no held child after $r2 restarts" | diag
[ -n "$held" ] && track "$held"
read -r rss2 anon2 <<<"$(measure "$sup")"
fds2=$(fd_list "$sup")
t2=$(now_ms)

check "the child restarted 1000 times ($r1 restarts at the first reading, $r2 at the second, $((t2 - t1)) ms between)" \
    test -n "$r1" -a -n "$r2" -a "$((r2 - r1))" -ge 1000
echo "VmRSS ${rss1:-?} -> ${rss2:-?} KiB, RssAnon ${anon1:-?} -> ${anon2:-?} KiB" | diag
echo "descriptors after $r1 restarts:" "$(echo "$fds1" | tr "\n" " ")" | diag
echo "descriptors after $r2 restarts:" "$(echo "$fds2" | tr "\n" " ")" | diag
# A malloc chunk is at least 32 bytes: a leak of one allocation per
# restart grows the heap by >= 31 KiB over 1000 restarts.  8 KiB (two
# pages) leaves room for a page of stack or libc touched late, nothing
# more.  (Measured: no growth at all.)
if [ "${DETACH_SANITIZED:-no}" = yes ]; then
	# ASan's allocator keeps freed memory in quarantine: RSS says nothing
	skip "VmRSS under AddressSanitizer (${rss1:-?} -> ${rss2:-?} KiB)"
else
	check "VmRSS grew by at most 8 KiB over 1000 restarts (${rss1:-?} -> ${rss2:-?} KiB)" \
	    test -n "$rss1" -a -n "$rss2" -a "$((rss2 - rss1))" -le 8
fi
n1=$(echo "$fds1" | grep -c .)
n2=$(echo "$fds2" | grep -c .)
check "the supervisor's descriptor count is unchanged ($n1 -> $n2)" \
    test "$n1" = "$n2" -a "$n1" -gt 0
check "... and so are the descriptor numbers" \
    test "$(echo "$fds1" | cut -d'>' -f1)" = "$(echo "$fds2" | cut -d'>' -f1)"

# The supervisor never execs: it must close, not merely mark, what it
# inherited from its caller (here fds 7 and 8).
inh=$(echo "$fds2" | grep -E -- "->($T/caller-file|$T)\$" | tr '\n' ' ')
check "the supervisor holds none of its caller's descriptors ($inh)" \
    test -z "$inh"

expect 0 "stop of the supervisor exits 0" "$DETACH" stop -p "$sp"
check "the supervisor and its child are gone" \
    eval 'gone "$sup" && test -n "$held" && gone "$held"'
gone "$sup" && untrack "$sup"
[ -n "$held" ] && gone "$held" && untrack "$held"
echo "first 50 restarts and measuring: $((t1 - t0)) ms; 1000 restarts: $((t2 - t1)) ms" | diag

exec 7>&- 8<&-
done_testing
