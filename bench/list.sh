# shellcheck shell=bash disable=SC2154 # the settings come from bench/run
# bench/list.sh: the list section of bench/run, which sources it; it
# uses the settings and helpers defined there ($D, $detach, $list_n,
# $list_reps, stats, median, ms, ratio, fail, ...).
#
# `detach list` and `list --json` over N running daemons (1000; quick
# 100; --scale=N sets it) against `ps -o pid,etime,args -p PIDS` reading
# the same processes, in the same minutes, in a fresh random order each
# repetition; and `detach status -n NAME` among N daemons against status
# with one.  bench/list-worker.sh does the work in a private default
# pidfile directory: as root in a mount namespace with a tmpfs on /run
# (unshare), as a user in XDG_RUNTIME_DIR under the bench's data.
section_list() {
	local samples=$D/list.samples worker=$here/list-worker.sh uid
	local pm s1 a builds=()
	note "list: $list_reps repetitions over $list_n daemons"
	: >"$samples"
	: >"$D/err"
	uid=$(id -u)
	for a in "${!alt[@]}"; do builds+=("$a=${alt[$a]}"); done
	if [ "$uid" = 0 ]; then
		if ! have unshare || ! unshare -m --propagation private \
		    sh -c 'mount -t tmpfs detach-bench /run' 2>/dev/null; then
			echo "### List: skipped (root, and no mount namespace with a private /run here: unshare -m failed)"
			echo
			return 0
		fi
		unshare -m --propagation private "$BASH" -c \
		    'mount -t tmpfs -o mode=0755 detach-bench /run &&
		    exec "$BASH" "$@"' list "$worker" "$detach" "$list_n" \
		    "$list_reps" "$samples" "$sleep_exe" "${builds[@]}" \
		    2>>"$D/err" || fail list "the list section failed" "$D/err"
	else
		mkdir -p -m 0700 "$D/xdg"
		XDG_RUNTIME_DIR=$D/xdg "$BASH" "$worker" "$detach" "$list_n" \
		    "$list_reps" "$samples" "$sleep_exe" "${builds[@]}" \
		    2>>"$D/err" || fail list "the list section failed" "$D/err"
	fi
	[ -n "${broken[list]:-}" ] && return 0
	pm=$(median "$samples" ps) s1=$(median "$samples" status1)
	echo "### List: $list_n daemons"
	echo
	echo "ms, median of $list_reps (p10–p90), each command run whole (fork and exec included); \`ps\` reads the same $list_n processes (\`-p\` with every pid); status is of one daemon picked at random, and \"status, 1 daemon\" was timed before the others started."
	echo
	echo "| command | time | (p10–p90) | ÷ ps | ÷ status, 1 daemon |"
	echo "|---|--:|--:|--:|--:|"
	row_list() {	# row_list LABEL KEY
		local med p10 p90
		read -r _ med p10 p90 _ <<<"$(stats "$samples" "$2")"
		case $2 in
		status*) echo "| $1 | $(ms "$med") | $(spread_ms "$p10" "$p90") | — | $(ratio "$med" "$s1") |" ;;
		*) echo "| $1 | $(ms "$med") | $(spread_ms "$p10" "$p90") | $(ratio "$med" "$pm") | — |" ;;
		esac
	}
	row_list "\`ps -o pid,etime,args -p PIDS\`" ps
	row_list '`detach list`' list
	row_list '`detach list --json`' json
	for a in "${!alt[@]}"; do
		row_list "\`detach list\` (${label[$a]##*(}" "list.$a"
		row_list "\`detach list --json\` (${label[$a]##*(}" "json.$a"
	done
	row_list "\`detach status -n NAME\` among $list_n" status
	row_list '`detach status -n NAME`, 1 daemon' status1
	echo
}
