# shellcheck shell=bash disable=SC2154 # the settings come from bench/run
# bench/throughput.sh: the throughput section of bench/run, which sources
# it; it uses the settings and helpers defined there ($D, $bt, $mib,
# $tp_reps, shuffled, stats, fail, ...).

# Throughput: a child writes N MiB to its stdout; the time runs from
# launching the tool until the file holds every byte.  libslack refuses
# to run a program below a world-writable directory unless --unsafe.
section_throughput() {
	note "throughput: $tp_reps x $mib MiB"
	tp=$D/tp.samples
	: >"$tp"
	mkdir -p "$D/tp"
	bytes=$((mib * 1024 * 1024))
	trows=(direct detach_sv libslack)
	declare -A tlabel=(
		[direct]='writer straight to the file (floor)'
		[detach_sv]='`detach start --supervise -o FILE`'
		[libslack]='libslack `daemon --output=FILE`'
	)
	for a in "${!alt[@]}"; do
		trows=("${trows[@]:0:2}" "$a" "${trows[@]:2}")
		tlabel[$a]="\`detach start --supervise -o FILE\` (${label[$a]##*(}"
	done
	for ((r = 1; r <= tp_reps; r++)); do
		shuffled "${trows[@]}"
		for row in "${order[@]}"; do
			[ -n "${skip[$row]:-}${broken[$row]:-}" ] && continue
			f=$D/tp/$row.out pf=$D/tp/$row.pid
			case $row in
			direct)		args=(-o -- "$bt" writer "$bytes") ;;
			detach_sv|also*) args=(-- "$(dbin "$row")" start --supervise -p
					    "$pf" -o "$f" -- "$bt" writer "$bytes") ;;
			libslack)	args=(-- daemon --unsafe --name=libslack
					    --pidfiles="$D/tp" --output="$f" --
					    "$bt" writer "$bytes") ;;
			esac
			: >"$D/err"
			if out=$("$bt" fill "$f" "$bytes" "$D/err" "${args[@]}" \
			    2>>"$D/err"); then
				echo "$row $out" >>"$tp"
			else
				fail "$row" "throughput: ${args[*]}" "$D/err"
			fi
			case $row in
			detach_sv|also*) cmd=("$(dbin "$row")" stop -p "$pf") ;;
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
			rm -f "$f"
		done
	done
	mibs() { awk -v b="$bytes" -v v="$1" 'BEGIN { if (v == "-") print "—"; else printf "%.0f", b / 1048576 / (v / 1e9) }'; }
	echo "### Throughput: a child writes $mib MiB to stdout"
	echo
	echo "MiB/s, median of $tp_reps (p10–p90), from launching the tool until the file on $(stat -f -c %T "$D") holds every byte; ratios are of time."
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
