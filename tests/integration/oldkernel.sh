#!/bin/bash
# Old kernels: every verb, plain and --supervise, behaves as on a new one
# when pidfd_open(), pidfd_send_signal(), pidfd_getfd() and close_range()
# fail with ENOSYS (kernels before 5.3) or EPERM (older container seccomp
# profiles).  tests/nosys makes them fail for detach and all it starts;
# the tests of the verbs run again with $DETACH pointing at a wrapper
# that runs detach under it, one result here per errno and test, with
# the failing sub-tests as diagnostics.  The sub-tests see DETACH_NOSYS
# set to the errno.

# Absolute, for the sub-tests run from $T.
srcdir=$(cd "${srcdir:-$(dirname "$0")/../..}" && pwd) || exit 99
: "${NOSYS:=$(cd "$(dirname "$0")/../.." && pwd)/tests/nosys}"
. "$srcdir/tests/lib.sh"
REAPER=$(dirname "$TESTTOOL")/reaper
export srcdir TESTTOOL

ERRNOS=(ENOSYS EPERM)
SCRIPTS=(start start-errors stop restart-signal hostile concurrency
    supervise supervise-fg supervise-output ready ready-probes health
    health-more list)
NTESTS=$(( ${#ERRNOS[@]} * (2 + ${#SCRIPTS[@]}) ))
plan "$NTESTS"

# Copies in $T (0755), so that what the sub-tests run as nobody can reach
# them whatever the permissions of the build tree.
mkdir -m 755 "$T/bin"
install -m 755 "$NOSYS" "$T/bin/nosys"
install -m 755 "$DETACH" "$T/bin/detach"
for e in "${ERRNOS[@]}"; do
	printf '#!/bin/sh\nexec "%s" %s "%s" "$@"\n' \
	    "$T/bin/nosys" "$e" "$T/bin/detach" >"$T/bin/detach-$e"
	chmod 755 "$T/bin/detach-$e"
done

"$T/bin/nosys" ENOSYS true 2>"$T/nosys.err"
rc=$?
if [ "$rc" != 0 ]; then
	why="nosys cannot run here: $(head -n 1 "$T/nosys.err")"
	[ "$rc" = 77 ] || { echo "Bail out! $why"; exit 1; }
	for ((i = 0; i < NTESTS; i++)); do
		skip "$why"
	done
	done_testing
fi

# The probe, from a child of a shell: "NAME RESULT ERRNO" for the four
# calls, and for their neighbours in the table (bad arguments: they
# fail, each with its own errno, and must fail the same way under nosys).
cat >"$T/probe.pl" <<'EOS'
use strict;
use Errno;
my @calls = (
    [pidfd_send_signal => 424, -1, 0, 0, 0],
    [pidfd_open => 434, $$ + 0, 0],
    [close_range => 436, 1000, 1000, 0],
    [pidfd_getfd => 438, -1, 0, 0],
    [clone3 => 435, 0, 0],
    [openat2 => 437, -1, 0, 0, 0],
    [faccessat2 => 439, -1, 0, 0, 0],
);
for my $c (@calls) {
	my ($name, $nr, @args) = @$c;
	my $r = syscall($nr, @args);
	my ($e) = $r == -1 ? grep { $!{$_} } keys %! : ("-");
	print "$name ", ($r == -1 ? -1 : "ok"), " $e\n";
}
open(my $f, "<", $0) or die "open: $!\n";
print "read ", (<$f> =~ /^use strict/ ? "ok" : "bad"), "\n";
EOS
sh -c 'perl "$0"; :' "$T/probe.pl" >"$T/probe.real" 2>&1

# The tool itself: exactly the four calls fail, with the errno asked.
nosys_works() {
	local e=$1 want
	"$T/bin/nosys" "$e" sh -c 'perl "$0"; :' "$T/probe.pl" \
	    >"$T/probe.$e" 2>&1 || return 1
	want=$(awk -v e="$e" 'NR <= 4 { $2 = -1; $3 = e } { print }' \
	    "$T/probe.real")
	[ "$(cat "$T/probe.$e")" = "$want" ] && return 0
	{ echo "expected:"; echo "$want"; echo "got:"; cat "$T/probe.$e"; } |
	    diag
	return 1
}

# holders PID...: the pids among them with $T/held open.
holders() {
	local p f
	for p; do
		for f in /proc/"$p"/fd/*; do
			[ "$(readlink "$f")" = "$T/held" ] && echo "$p"
		done
	done
}

# The supervisor closes what it inherited; close_range() is not the only
# way.  Its child, started close-on-exec, does not have it either.
supervisor_closes() {
	local e=$1 pf=$T/fd-$1.pid cpf=$T/fd-$1.child sup child h
	exec 7>"$T/held"
	"$T/bin/detach-$e" start --supervise -p "$pf" --child-pidfile="$cpf" \
	    -- sleep 300
	exec 7>&-
	sup=$(pid_of "$pf" 2>/dev/null) child=$(pid_of "$cpf" 2>/dev/null)
	track $sup $child
	[ -n "$sup" ] && [ -n "$child" ] || return 1
	h=$(holders "$sup" "$child")
	[ -z "$h" ] || echo "held by $h (supervisor $sup, child $child)" | diag
	test -z "$h"
	RC=$?
	"$T/bin/detach-$e" stop -p "$pf" >/dev/null 2>&1
	return $RC
}

# summary DESC OUT RC: one TAP line for a sub-test run, its failing
# lines (and their diagnostics) as ours.
summary() {
	local desc=$1 out=$2 rc=$3 planned ran failed
	planned=$(sed -n 's/^1\.\.\([0-9]*\).*/\1/p' "$out" | head -n 1)
	ran=$(grep -cE '^(not )?ok ' "$out")
	failed=$(grep -c '^not ok ' "$out")
	if [ "$rc" = 0 ] && [ "$planned" = 0 ]; then
		skip "$desc: $(sed -n 's/^1\.\.0 *# *SKIP *//p' "$out")"
		return
	fi
	if [ "$rc" = 0 ] && [ "$failed" = 0 ] && [ "${planned:-x}" = "$ran" ]
	then
		ok "$desc ($ran sub-tests)"
		return
	fi
	not_ok "$desc ($failed of ${planned:-?} failed, $ran ran, exit $rc)"
	# with what went to stderr since the last result, usually the why
	awk '/^not ok / { printf "%s", err; err = ""; on = 1; print; next }
	    /^(ok |1\.\.)/ { err = ""; on = 0; next }
	    /^#/ { if (on) print; else err = err $0 "\n"; next }
	    { err = err $0 "\n" }' "$out" | diag
	[ "$failed" != 0 ] || tail -n 5 "$out" | diag
}

# run_all ERRNO: the sub-tests in turn, each under its own reaper as the
# harness runs it, their output and "EXIT MS" in $T/ERRNO-SCRIPT.*.
run_all() {
	local e=$1 s t0 rc
	for s in "${SCRIPTS[@]}"; do
		t0=$(now_ms)
		DETACH=$T/bin/detach-$e DETACH_NOSYS=$e REAPER_TIMEOUT=90 \
		    "$REAPER" "$BASH" "$srcdir/tests/integration/$s.sh" \
		    >"$T/$e-$s.out" 2>&1 </dev/null
		rc=$?
		echo "$rc $(($(now_ms) - t0))" >"$T/$e-$s.rc"
	done
}

for e in "${ERRNOS[@]}"; do
	check "$e: nosys fails exactly the four calls, with $e" nosys_works "$e"
	check "$e: the supervisor and its child do not keep an inherited fd" \
	    supervisor_closes "$e"
done

# One errno after the other would double the time: mostly waiting.
pids=
for e in "${ERRNOS[@]}"; do
	run_all "$e" &
	pids="$pids $!"
done
track $pids
wait $pids

for e in "${ERRNOS[@]}"; do
	for s in "${SCRIPTS[@]}"; do
		read -r rc ms <"$T/$e-$s.rc"
		summary "$e: $s.sh, $((ms / 1000)).$((ms % 1000 / 100)) s" \
		    "$T/$e-$s.out" "$rc"
	done
done

done_testing
