# shellcheck shell=bash
# bench/list-worker.sh: the inner part of bench/run's list section.  It
# starts N named daemons (`detach start -n`) in the default pidfile
# directory, which bench/run makes private (root: a tmpfs /run in a mount
# namespace of its own; a user: XDG_RUNTIME_DIR in the bench's data), so
# no real daemon is listed or touched.  Then, REPS times in a fresh random
# order, it times `detach list`, `detach list --json`, `ps -o
# pid,etime,args -p PIDS` over the same processes, and `detach status -n`
# of a daemon picked at random; status is timed with one daemon too,
# before the others start.  Samples, in ns, go to SAMPLES as "KEY NS"
# lines.  Every daemon it started is stopped by name on the way out.
#
# Other detach builds, given as KEY=PATH, run list and list --json over
# the same daemons too (keys list.KEY, json.KEY).
#
# usage: list-worker.sh DETACH N REPS SAMPLES SLEEP_EXE [KEY=PATH...]
set -u
detach=$1 n=$2 reps=$3 out=$4 sleep_exe=$5
shift 5
declare -A other=()
for a in "$@"; do other[${a%%=*}]=${a#*=}; done
started=0

stop_all() {
	local i
	for ((i = 1; i <= started; i++)); do
		"$detach" stop -n "l$i" >/dev/null 2>&1
	done
}
trap stop_all EXIT
trap 'exit 130' INT TERM

now_ns() { local t=${EPOCHREALTIME/[.,]/}; echo "${t}000"; }

timed() {	# timed KEY CMD...: one sample
	local key=$1 t0 t1
	shift
	t0=$(now_ns)
	"$@" >/dev/null 2>&1 || { echo "list-worker: failed: $*" >&2; exit 1; }
	t1=$(now_ns)
	echo "$key $((t1 - t0))" >>"$out"
}

start_one() {
	"$detach" start -n "l$1" -- "$sleep_exe" 1000000 ||
	    { echo "list-worker: start of l$1 failed" >&2; exit 1; }
	started=$1
}

start_one 1
for ((r = 1; r <= reps; r++)); do
	timed status1 "$detach" status -n l1
done
for ((i = 2; i <= n; i++)); do
	start_one "$i"
done
if [ "$(id -u)" = 0 ]; then dir=/run/detach; else dir=$XDG_RUNTIME_DIR/detach; fi
pids=$(for ((i = 1; i <= n; i++)); do tr -dc 0-9 <"$dir/l$i.pid"; echo; done |
    paste -sd, -)
[ "$(tr ',' '\n' <<<"$pids" | grep -c .)" = "$n" ] ||
    { echo "list-worker: not every daemon runs" >&2; exit 1; }
rows=$("$detach" list | wc -l)
[ "$rows" = $((n + 1)) ] ||
    { echo "list-worker: list shows $rows lines for $n daemons" >&2; exit 1; }
for ((r = 1; r <= reps; r++)); do
	for what in $(printf '%s\n' list json ps status "${!other[@]}" | shuf); do
		case $what in
		list)	timed list "$detach" list ;;
		json)	timed json "$detach" list --json ;;
		ps)	timed ps ps -o pid,etime,args -p "$pids" ;;
		status)	timed status "$detach" status -n "l$((RANDOM % n + 1))" ;;
		*)	timed "list.$what" "${other[$what]}" list
			timed "json.$what" "${other[$what]}" list --json ;;
		esac
	done
done
exit 0
