#!/bin/bash
# lighttpd without -D forks into the background itself: detach start
# --forking and --follow-pidfile adopt its master (with two workers,
# server.max-worker = 2), plain and --supervise.  It serves a page on a
# free port of 127.0.0.1, status says it runs, a second start refuses,
# HUP makes it reopen its logs, a supervised master killed with -9 is
# replaced, stop leaves nothing (workers included); a bad config makes
# start exit 3 and leaves nothing.  Config, document root, pid file and
# logs are in $T.

top=$(cd "${srcdir:-$(dirname "$0")/../..}" && pwd)
. "$top/tests/lib.sh"
. "$top/tests/legacy-lib.sh"
. "$top/tests/legacy-case.sh"

LIGHTTPD=$(need lighttpd)
if [ -z "$LIGHTTPD" ]; then
	echo "1..0 # SKIP lighttpd not installed"
	exit 0
fi

# lighttpd_conf DIR PORT: DIR/lighttpd.conf, DIR/www/index.html
lighttpd_conf() {
	mkdir -p "$1/www"
	echo "hello from $1" >"$1/www/index.html"
	cat >"$1/lighttpd.conf" <<-EOF
	server.document-root = "$1/www"
	server.bind = "127.0.0.1"
	server.port = $2
	server.pid-file = "$1/lighttpd.pid"
	server.errorlog = "$1/error.log"
	server.modules = ( "mod_accesslog" )
	accesslog.filename = "$1/access.log"
	index-file.names = ( "index.html" )
	server.max-worker = 2
	EOF
}

lighttpd_cmd() {	# PORT TAG
	lighttpd_conf "$T/$2" "$1"
	CMD=("$LIGHTTPD" -f "$T/$2/lighttpd.conf")
	OWNPID=$T/$2/lighttpd.pid
}
lighttpd_marker() {
	echo "$T/$1/lighttpd.conf"
}
# the page of this port's instance
lighttpd_get() {	# PORT
	talk "$1" 'GET / HTTP/1.0\r\n\r\n' '(?s)^HTTP/1\.[01] 200 .*hello from ' 5
}
lighttpd_serves() {	# PORT
	wait_port "$1" 10 && lighttpd_get "$1" >/dev/null
}
lighttpd_shape_says() {
	echo "its two workers are its children"
}
lighttpd_shape() {	# PID
	local kids
	kids=$(cat /proc/"$1"/task/*/children 2>/dev/null | wc -w)
	[ "$kids" = 2 ] || { echo "# $kids children"; return 1; }
}
# HUP: lighttpd reopens its logs (the master passes it to the workers):
# move them away first, they come back and the access log gets the next
# request
lighttpd_hup_setup() {	# PORT TAG
	mv "$T/$2/access.log" "$T/$2/access.log.old"
	mv "$T/$2/error.log" "$T/$2/error.log.old"
}
lighttpd_hup_says() {
	echo "it reopens its logs, same pid"
}
lighttpd_hup_effect() {	# PORT TAG PID
	wait_for "$T/$2/error.log" 'logfiles cycled' 10 &&
	    lighttpd_get "$1" >/dev/null &&
	    wait_for "$T/$2/access.log" '"GET / HTTP/1.0" 200' 10 &&
	    alive "$3"
}
# a config with a syntax error: lighttpd exits 255 before it forks
lighttpd_badcmd() {	# PORT TAG
	lighttpd_cmd "$1" "$2"
	echo 'server.port = ' >>"$T/$2/lighttpd.conf"
}

for mode in forking follow sv-forking sv-follow; do
	run_forking_case lighttpd "$mode"
done
for mode in forking follow sv-forking; do
	run_bad_case lighttpd "$mode"
done

plan "$TAP_N"
done_testing
