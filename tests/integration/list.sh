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

plan 16

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

"$DETACH" stop -n web; "$DETACH" stop -n sup; "$DETACH" stop -n gone 2>/dev/null

done_testing
