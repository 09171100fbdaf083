# shellcheck shell=bash disable=SC2154 # the settings come from bench/run
# bench/throughput.sh: the throughput section of bench/run, which sources
# it; it uses the settings and helpers defined there ($D, $bt, $mib,
# $tp_reps, shuffled, stats, fail, ...).

# Throughput: a child writes N MiB of 100-byte text lines to its stdout
# (bench/benchtool writer, 65,500 bytes a write); the time runs from
# launching the tool until the output is all there, and MiB/s are of
# that payload, the child's bytes, whatever the tool adds to them.
#
# The floor is the same writer writing the same lines straight to the
# file.  "time ÷ floor" is the row's median time over the floor's: its
# inverse is the fraction of the direct throughput a row reaches (the
# targets for detach: at least 0.9 of it without --timestamps, i.e. time
# ÷ floor at most 1.11, and 0.8 with, at most 1.25).  "time ÷ detach" is
# over the plain `detach start --supervise -o FILE`: what a feature costs.
#
# "All there": a single file holds every byte (inotify, then fstat); a
# timestamp adds 25 bytes a line for detach, 26 for svlogd -tt and
# multilog t, and the file must hold exactly that much.  A rotated file
# (-d/-D of benchtool fill, each row in a directory of its own): the
# live file, or a file renamed in the directory, ends with the writer's
# last line; loggers write in order, so every byte before it is written
# too.  With --log-keep=1000, svlogd's n0 and multilog's n1000 nothing is
# deleted, and the files of the directory must then hold every byte; with
# detach's default --log-keep=5 they must hold at most that.
#
# The peers read their stdin, so the writer pipes into them (benchtool
# writer -- CMD), and both run until killed, as the supervised writer
# does.  svlogd and multilog rotate at 1 MiB here (svlogd's config:
# s1048576, n0 keeps every file; multilog's s1048576 n1000); svlogd reads
# with its default 1024-byte buffer and writes each line with a write(2)
# of its own.  libslack refuses to run a program below a world-writable
# directory unless --unsafe.
#
# --only=logs: the floor, plain detach and the log rows, without libslack
# and other detach builds.
section_throughput() {
	local line=100 lines bytes logs_only=0 f dir out stamp writer sv
	case ",$only," in
	*,logs,*) case ",$only," in *,throughput,*) ;; *) logs_only=1 ;; esac ;;
	esac
	lines=$((mib * 1048576 / line)) bytes=$((mib * 1048576 / line * line))
	note "throughput: $tp_reps x $mib MiB"
	tp=$D/tp.samples
	: >"$tp"
	mkdir -p "$D/tp"
	trows=(direct detach_sv)
	declare -A tlabel=(
		[direct]='writer straight to the file (floor)'
		[detach_sv]='`detach start --supervise -o FILE`'
		[libslack]='libslack `daemon --output=FILE`'
		[detach_ts]='`detach start --supervise -o FILE --timestamps`'
		[detach_rot]='`detach start --supervise -o FILE --log-max-size=1M --log-keep=1000`'
		[detach_ts_rot]='`detach start --supervise -o FILE --timestamps --log-max-size=1M --log-keep=1000`'
		[detach_rot5]='`detach start --supervise -o FILE --log-max-size=1M` (keeps 5)'
		[detach_ts_rot5]='`detach start --supervise -o FILE --timestamps --log-max-size=1M` (keeps 5)'
		[svlogd]='`svlogd -tt DIR`, piped (config `s1048576`, `n0`: rotates at 1 MiB, keeps all)'
		[multilog]='`multilog t s1048576 n1000 DIR`, piped'
	)
	if [ "$logs_only" = 0 ]; then
		for a in "${!alt[@]}"; do
			trows+=("$a")
			tlabel[$a]="\`detach start --supervise -o FILE\` (${label[$a]##*(}"
		done
		trows+=(libslack)
	fi
	trows+=(detach_ts detach_rot detach_ts_rot detach_rot5 detach_ts_rot5
	    svlogd multilog)
	for ((r = 1; r <= tp_reps; r++)); do
		shuffled "${trows[@]}"
		for row in "${order[@]}"; do
			[ -n "${skip[$row]:-}${broken[$row]:-}" ] && continue
			dir=$D/tp/$row f=$dir/out pf=$D/tp/$row.pid
			mkdir -p "$dir"
			writer=("$bt" writer "$bytes" "$line")
			sv=("$(dbin "$row")" start --supervise -p "$pf" -o "$f")
			stamp=0
			case $row in detach_ts*) stamp=25 ;; esac
			case $row in
			direct)		args=(-o -- "${writer[@]}") ;;
			detach_sv|also*) args=(-- "${sv[@]}" -- "${writer[@]}") ;;
			libslack)	args=(-- daemon --unsafe --name=libslack
					    --pidfiles="$D/tp" --output="$f" --
					    "${writer[@]}") ;;
			detach_ts)	args=(-- "${sv[@]}" --timestamps --
					    "${writer[@]}") ;;
			detach_rot)	args=(-d -- "${sv[@]}" --log-max-size=1M
					    --log-keep=1000 -- "${writer[@]}") ;;
			detach_ts_rot)	args=(-d -- "${sv[@]}" --timestamps
					    --log-max-size=1M --log-keep=1000 --
					    "${writer[@]}") ;;
			detach_rot5)	args=(-D -- "${sv[@]}" --log-max-size=1M --
					    "${writer[@]}") ;;
			detach_ts_rot5)	args=(-D -- "${sv[@]}" --timestamps
					    --log-max-size=1M -- "${writer[@]}") ;;
			svlogd)		printf 's1048576\nn0\n' >"$dir/config"
					f=$dir/current stamp=26
					args=(-d -k -- "${writer[@]}" -- svlogd -tt
					    "$dir") ;;
			multilog)	f=$dir/current stamp=26
					args=(-d -k -- "${writer[@]}" -- multilog t
					    s1048576 n1000 "$dir") ;;
			esac
			: >"$D/err"
			if out=$("$bt" fill "$f" $((bytes + lines * stamp)) \
			    "$D/err" "${args[@]}" 2>>"$D/err"); then
				echo "$row $out" >>"$tp"
			else
				fail "$row" "throughput: ${args[*]}" "$D/err"
			fi
			case $row in
			detach*|also*)	cmd=("$(dbin "$row")" stop -p "$pf") ;;
			libslack)	cmd=(daemon --name=libslack --pidfiles="$D/tp"
					    --stop) ;;
			*)		cmd=() ;;
			esac
			: >"$D/err"
			# libslack writes its pidfile after it returns
			for ((i = 0; i < 500; i++)); do
				[ ${#cmd[@]} -eq 0 ] || [ -s "$pf" ] && break
				sleep 0.01
			done
			if [ ${#cmd[@]} -gt 0 ] && [ -f "$pf" ] && ! "$bt" stop "$pf" \
			    "$D/err" -- "${cmd[@]}" >/dev/null 2>>"$D/err"; then
				fail "$row" "stop failed: ${cmd[*]}" "$D/err"
			fi
			untimed_stop "$pf"
			rm -rf "$dir"
		done
	done
	mibs() { awk -v b="$bytes" -v v="$1" 'BEGIN { if (v == "-") print "—"; else printf "%.0f", b / 1048576 / (v / 1e9) }'; }
	echo "### Throughput: a child writes $mib MiB of $line-byte lines to stdout"
	echo
	echo "MiB/s of the child's bytes, median of $tp_reps (p10–p90), from launching the tool until the files on $(stat -f -c %T "$D") hold every line (a timestamp adds 25 bytes a line, 26 for svlogd and multilog; rotated files: until the last line is in, then every byte is checked to be there, except with --log-keep=5); ratios are of time, and 1 ÷ (time ÷ floor) is the fraction of the direct throughput."
	echo
	echo "| output path | MiB/s | (p10–p90) | time ÷ floor | time ÷ detach |"
	echo "|---|--:|--:|--:|--:|"
	ft=$(median "$tp" direct) dt=$(median "$tp" detach_sv)
	for row in "${trows[@]}"; do
		st=$(row_status "$row")
		if [ -n "$st" ]; then
			echo "| ${tlabel[$row]} | $st | | | |"
			continue
		fi
		read -r _ med p10 p90 _ <<<"$(stats "$tp" "$row")"
		echo "| ${tlabel[$row]} | $(mibs "$med") | $(mibs "$p90")–$(mibs "$p10") | $(ratio "$med" "$ft") | $(ratio "$med" "$dt") |"
	done
	echo
}
