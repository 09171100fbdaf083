#!/bin/bash
# Usage errors exit 64 with one line and a hint; --help and --version
# print to stdout and exit 0.
. "${srcdir:-$(dirname "$0")/../..}/tests/lib.sh"

cases=(
	""
	"bogus"
	"start"
	"start -p $T/x.pid"
	"start -p $T/x.pid --"
	"start --no-such-option -p $T/x.pid -- true"
	"start -p"
	"start -p $T/x.pid -m 8 -- true"
	"start -p $T/x.pid -m 01000 -- true"
	"start -p $T/x.pid -E novalue -- true"
	"start -p $T/x.pid -E =v -- true"
	"start -p $T/x.pid -f --wait-ready -- true"
	"start -p $T/x.pid --wait=1 --ready-fd=3 -- true"
	"start -p $T/x.pid --keep-fd=2 -- true"
	"start -p $T/x.pid --nice=20 -- true"
	"start -p $T/x.pid --limit=nofile -- true"
	"start -p $T/x.pid --limit=bogus=1 -- true"
	"start -p $T/x.pid --restart=always -- true"
	"start -p $T/x.pid --supervise --syslog -o $T/log -- true"
	"stop -p $T/x.pid -u nobody"
	"status -p $T/x.pid --oknodo"
	"list --oknodo"
	"list -p $T/x.pid"
	"reopen"
	"start -n a/b -- true"
	"start -n .hidden -- true"
	"start -- ./.hidden"
	"stop"
	"stop -p $T/x.pid extra"
	"stop -p $T/x.pid -o $T/log"
	"stop -p $T/x.pid -t abc"
	"stop -p $T/x.pid -t -1"
	"stop -p $T/x.pid -R TERM"
	"stop -p $T/x.pid -R TERM//5"
	"stop -p $T/x.pid -R TERM/forever"
	"stop -p $T/x.pid -R TERM/5/NOSIG"
	"stop -p $T/x.pid -s NOSIG"
	"status"
	"status -p $T/x.pid -f"
	"signal -p $T/x.pid"
	"signal -p $T/x.pid HUP USR1"
	"signal -p $T/x.pid 0"
	"signal HUP"
	"restart -p $T/x.pid"
)

plan $((${#cases[@]} * 2 + 6))

for c in "${cases[@]}"; do
	# shellcheck disable=SC2086
	expect 64 "'detach $c' is a usage error" "$DETACH" $c
	check "... with one message line and a hint at --help" \
	    test "$(wc -l <"$T/err")" = 2 -a ! -s "$T/out" \
	    -a "$(tail -n 1 "$T/err")" = \
	    "Try 'detach --help' for more information."
done
check "no usage error created a file" test ! -e "$T/x.pid"

expect 0 "--help exits 0" "$DETACH" --help
check "... printing usage on stdout, nothing on stderr" \
    sh -c "grep -q '^usage: detach start' '$T/out' && test ! -s '$T/err'"
expect 0 "--version exits 0" "$DETACH" --version
check "... printing the version on stdout" grep -q '^detach [0-9]' "$T/out"
expect 0 "'detach start --help' is help too" "$DETACH" start --help

done_testing
