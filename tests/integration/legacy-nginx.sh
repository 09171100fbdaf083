#!/bin/bash
# nginx, which daemonizes by default and whose master forks workers,
# under detach start --forking and --follow-pidfile, plain and
# --supervise: the master is the daemon, HUP reloads it (new config, new
# workers), stop leaves no worker, kill -9 of the master under
# --supervise brings a new master.  Everything nginx uses is in $T.
TOP=$(cd "${srcdir:-$(dirname "$0")/../..}" && pwd)
. "$TOP/tests/lib.sh"		# (it moves to $T)
. "$TOP/tests/legacy-lib.sh"
. "$TOP/tests/legacy-run.sh"

NGINX=$(need nginx)
if [ -z "$NGINX" ]; then
	skip "nginx not installed"
	plan "$TAP_N"
	done_testing
fi

N=$T/nginx
mkdir -p "$N/html"
echo "hello from detach's nginx" >"$N/html/index.html"
OWN_PID=$N/nginx.pid
COMM=nginx

# write_conf GEN [EXTRA]: the config; /gen answers GEN, so that a reload
# shows.  As root, workers run as nobody (the user directive makes sense
# only then).
write_conf() {
	local user=""
	[ "$(id -u)" = 0 ] && user="user nobody nogroup;"
	cat >"$N/nginx.conf" <<EOF
$user
worker_processes 2;
pid $N/nginx.pid;
error_log $N/error.log notice;
events { worker_connections 64; }
http {
	access_log $N/access.log;
	client_body_temp_path $N/body;
	proxy_temp_path $N/proxy;
	fastcgi_temp_path $N/fastcgi;
	uwsgi_temp_path $N/uwsgi;
	scgi_temp_path $N/scgi;
	server {
		listen 127.0.0.1:$PORT;
		root $N/html;
		location = /gen { return 200 "gen $1\n"; }
	}
	${2:-}
}
EOF
}
# as root, nobody needs to reach the document root
[ "$(id -u)" = 0 ] && chmod 755 "$N" "$N/html"

CMD=("$NGINX" -e "$N/error.log" -p "$N/" -c "$N/nginx.conf")

serves() {
	talk "$PORT" 'GET / HTTP/1.0\r\n\r\n' "hello from detach's nginx"
}

GEN=1
# workers: the children of the master
workers_of() {
	cat /proc/"$1"/task/*/children 2>/dev/null
}

hup_before() {
	OLD_WORKERS=$(workers_of "$1")
	track $OLD_WORKERS
	GEN=$((GEN + 1))
	write_conf "$GEN"
}

# HUP: the master re-reads its config (/gen answers the new generation),
# logs it, and replaces its workers; the master keeps its pid.
hup_after() {
	local d=$1 end new
	check "... the master had workers ($(echo $OLD_WORKERS))" \
	    test -n "$OLD_WORKERS"
	check "... nginx logged the reload" \
	    wait_for "$N/error.log" "signal 1 \(SIGHUP\) received.*reconfiguring"
	end=$(($(now_ms) + 10000))
	until talk "$PORT" 'GET /gen HTTP/1.0\r\n\r\n' "gen $GEN" >/dev/null ||
	    [ "$(now_ms)" -gt "$end" ]; do
		sleep 0.05
	done
	check "... it serves the new config (gen $GEN)" eval \
	    'talk "$PORT" "GET /gen HTTP/1.0\r\n\r\n" "gen $GEN" >/dev/null'
	check "... the old workers are gone" all_gone $OLD_WORKERS
	new=$(workers_of "$d")
	track $new
	check "... new workers ($(echo $new)) replaced them" \
	    eval 'test -n "$new" && disjoint "$OLD_WORKERS" "$new"'
	check "... the master ($d) is the same" alive "$d"
}

PORT=$(free_port)
write_conf "$GEN"
legacy_run "nginx --forking" --forking
legacy_run "nginx --follow-pidfile" --follow-pidfile="$OWN_PID"
legacy_run "nginx --supervise --forking" --supervise --restart-delay=0.1 \
    --forking
legacy_run "nginx --supervise --follow-pidfile" --supervise \
    --restart-delay=0.1 --follow-pidfile="$OWN_PID"

legacy_killed "nginx --follow-pidfile, stopped by KILL" \
    --follow-pidfile="$OWN_PID"

# a bad config: nginx exits 1 before it forks
write_conf "$GEN" "bogus_directive on;"
legacy_fail "nginx, a bad config, --forking" --forking
check "... nginx logged why" \
    grep -q 'unknown directive "bogus_directive"' "$N/error.log"
legacy_fail "nginx, a bad config, --follow-pidfile" \
    --follow-pidfile="$OWN_PID"
legacy_fail "nginx, a bad config, --supervise --forking" --supervise \
    --forking
check "... no master left" none_with_cmdline "$N/"

# the wrong pidfile followed: nginx runs, but the file never appears; the
# start fails after --ready-timeout and stops the master and its workers
write_conf "$GEN"
rm -f "$OWN_PID"
"$DETACH" start -p "$T/wrong.pid" --ready-timeout=2 \
    --follow-pidfile="$N/never.pid" -- "${CMD[@]}" >"$T/out" 2>"$T/err" &
st=$!
procs=""
if wait_file "$OWN_PID" 5; then
	master=$(pid_of "$OWN_PID")
	track "$master"
	end=$(($(now_ms) + 2000))
	until [ "$(workers_of "$master" | wc -w)" -ge 2 ] ||
	    [ "$(now_ms)" -gt "$end" ]; do
		sleep 0.02
	done
	procs=$(descendants "$master")
	track $procs
fi
wait "$st"
RC=$?
check "nginx, following a pidfile it never writes: start exits 3 ($RC)" \
    test "$RC" = 3
sed 's/^/stderr: /' "$T/err" | diag
check "... nginx had started, master and workers ($(echo $procs))" \
    test "$(echo $procs | wc -w)" -ge 3
check "... all of them are gone" all_gone $procs
check "... nothing listens on $PORT" port_closed "$PORT"
check "... no pidfile, no record" \
    test ! -e "$T/wrong.pid" -a ! -e "$T/wrong.pid.state"

plan "$TAP_N"
done_testing
