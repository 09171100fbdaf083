#!/bin/bash
# detach list and status --json.  As root the default directory is
# /run/detach: the test then runs in a private mount namespace with a
# tmpfs on /run, so the real /run is never touched.
if [ "$(id -u)" = 0 ] && [ -z "${DETACH_IN_NS:-}" ] &&
    unshare -m true 2>/dev/null; then
	exec unshare -m env DETACH_IN_NS=1 bash -c \
	    'mount -n -t tmpfs tmpfs /run && exec bash "$0"' "$0"
fi
. "${srcdir:-$(dirname "$0")/../..}/tests/lib.sh"

if [ "$(id -u)" = 0 ] && [ -z "${DETACH_IN_NS:-}" ]; then
	echo "1..0 # SKIP root without mount namespaces: /run is not ours"
	exit 0
fi
export XDG_RUNTIME_DIR="$T/xdg"
mkdir -m 700 "$XDG_RUNTIME_DIR"
dir=$( [ "$(id -u)" = 0 ] && echo /run/detach || echo "$XDG_RUNTIME_DIR/detach")

plan 31

expect 0 "list with no daemons exits 0" "$DETACH" list
check "... printing only the header" \
    test "$(cat "$T/out")" = "$(printf '%-16s %-8s %-12s %-8s %s' NAME PID STATE UPTIME COMMAND)"

"$DETACH" start -n web -- sleep 301
web=$(pid_of "$dir/web.pid"); track "$web"
"$DETACH" start --supervise -n sup -- sleep 302
sup=$(pid_of "$dir/sup.pid"); track "$sup"
child=$(awk '$1 == "child" { print $2 }' "$dir/sup.pid.state"); track "$child"
"$DETACH" start -n gone -- sleep 303
gonepid=$(pid_of "$dir/gone.pid"); kill -9 "$gonepid"; wait_gone "$gonepid"

expect 0 "list exits 0" "$DETACH" list
check "web: running, with its pid and command" \
    grep -Eq "^web +$web +running +[0-9]+m[0-9]+s +sleep 301\$" "$T/out"
check "sup: supervisor/child pids and the restart count" \
    grep -Eq "^sup +$sup/$child +running .*sleep 302 \[supervised, 0 restarts\]\$" "$T/out"
check "gone: stale" grep -Eq "^gone +$gonepid +stale " "$T/out"
check "sorted by name" \
    test "$(sed 1d "$T/out" | awk '{ print $1 }' | tr '\n' ' ')" = "gone sup web "

expect 0 "list --json exits 0" "$DETACH" list --json
check "one object per daemon" test "$(wc -l <"$T/out")" = 3
check "web's object" grep -qx "{\"name\":\"web\",\"pidfile\":\"$dir/web.pid\",\"state\":\"running\",\"pid\":$web,\"uptime_s\":[0-9]*,\"command\":\"sleep 301\",\"supervised\":false}" "$T/out"
up=$(sed -n 's/.*"name":"web".*"uptime_s":\([0-9]*\),.*/\1/p' "$T/out")
etimes=$(ps -o etimes= -p "$web" | tr -d ' ')
check "web's uptime_s is what ps says of the process (at most 1 s apart)" \
    test -n "$up" -a -n "$etimes" -a $((up - etimes)) -le 1 -a \
    $((etimes - up)) -le 1
check "sup's object names the child and restarts" \
    grep -q "\"name\":\"sup\",.*\"state\":\"running\",\"pid\":$sup,.*\"supervised\":true,\"child_pid\":$child,\"restarts\":0}" "$T/out"
check "every line is valid JSON" \
    perl -MJSON::PP -ne 'JSON::PP::decode_json($_); END { exit 0 }' "$T/out"

expect 0 "status --json of a running daemon exits 0" \
    "$DETACH" status --json -n web
check "... printing the same object" \
    grep -q "\"name\":\"web\".*\"state\":\"running\",\"pid\":$web" "$T/out"
expect 1 "status --json of a stale pidfile exits 1" \
    "$DETACH" status --json -n gone
check "... with state stale" grep -q '"state":"stale"' "$T/out"

# A name and a command line that would break the table, the terminal or
# the JSON if printed raw: newline, ESC [ 2J, tab, DEL, bytes that are not
# UTF-8, and a valid "é" (U+00E9) to keep.
oddname=$'odd\e[2Jname\n\xff'
"$DETACH" start -n "$oddname" -- perl -e 'sleep 304' -- $'line1\nline2' \
    $'\e[2J' $'a\tb' $'\x7f' $'\xff\xfe' 'é' 'x"y\z'
odd=$(pid_of "$dir/$oddname.pid"); track "$odd"
# vis(3) in the C locale: every byte outside printable ASCII in octal
# (or \n, \t in C style), backslash doubled, argv separators kept spaces
ename='odd\033[2Jname\n\377'
ecmd='perl -e sleep 304 -- line1\nline2 \033[2J a\tb \177 \377\376 \303\251 x"y\\z'

expect 0 "list with an odd name and command exits 0" "$DETACH" list
check "... one line for the header and each of the 4 daemons" \
    test "$(wc -l <"$T/out")" = 5
check "... no ESC byte reaches the terminal" \
    test "$(LC_ALL=C grep -c $'\e' "$T/out")" = 0
check "... nor any other control byte" \
    test "$(LC_ALL=C grep -c '[[:cntrl:]]' "$T/out")" = 0
check "... nor a byte outside ASCII" \
    test "$(LC_ALL=C grep -c $'[\x80-\xff]' "$T/out")" = 0
read -r n p s u rest < <(grep -F -- "$ename " "$T/out")
check "... the name shown encoded" test "${n:-}" = "$ename"
check "... pid and state in their columns" \
    test "${p:-}/${s:-}" = "$odd/running"
check "... the command shown encoded" test "${rest:-}" = "$ecmd"

# Each line must be strict UTF-8 (no surrogate, overlong, ...) and
# strict JSON; the odd object keeps every valid character and has
# U+FFFD for each invalid byte.
json_odd() {
	perl -MEncode -MJSON::PP -e '
	my $found = 0;
	while (my $l = <STDIN>) {
		my $obj = JSON::PP->new->decode(
		    Encode::decode("UTF-8", $l, Encode::FB_CROAK));
		next unless $obj->{name} =~ /^odd/;
		$found++;
		$obj->{name} eq "odd\e[2Jname\n\x{fffd}" or die "name\n";
		$obj->{command} eq "perl -e sleep 304 -- line1\nline2 " .
		    "\e[2J a\tb \x7f \x{fffd}\x{fffd} \x{e9} x\"y\\z"
		    or die "command\n";
	}
	exit($found == 1 ? 0 : 1);' <"$1"
}

expect 0 "list --json with the odd daemon exits 0" "$DETACH" list --json
check "... one object per daemon" test "$(wc -l <"$T/out")" = 4
check "... with no raw control byte" \
    test "$(LC_ALL=C grep -c '[[:cntrl:]]' "$T/out")" = 0
check "... valid UTF-8 and JSON, round-tripping the valid characters" \
    json_odd "$T/out"
expect 0 "status --json of the odd daemon exits 0" \
    "$DETACH" status --json -n "$oddname"
check "... valid UTF-8 and JSON, round-tripping the valid characters" \
    json_odd "$T/out"

"$DETACH" stop -n "$oddname"

"$DETACH" stop -n web; "$DETACH" stop -n sup; "$DETACH" stop -n gone 2>/dev/null

done_testing
