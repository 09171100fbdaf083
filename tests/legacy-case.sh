# Helpers for legacy-lighttpd.sh, legacy-dnsmasq.sh, legacy-sshd.sh and
# fdclose-real.sh, sourced after lib.sh and legacy-lib.sh.  Everything a
# program uses lives in $T; nothing here touches a system path.

# dns_query PORT NAME [udp|tcp [SECS]]: ask 127.0.0.1:PORT for the A
# records of NAME; prints "rcode N" and one address a line; true when
# there is at least one address.  Exit 2: no answer at all.
dns_query() {
	perl -MIO::Socket::INET -MIO::Select -e '
		my ($port, $name, $proto, $secs) = @ARGV;
		my $id = int(rand(65536));
		my $q = pack("nnnnnn", $id, 0x0100, 1, 0, 0, 0);
		$q .= pack("C", length $_) . $_ for split /\./, $name;
		$q .= pack("Cnn", 0, 1, 1);
		my $s = IO::Socket::INET->new(PeerAddr => "127.0.0.1",
		    PeerPort => $port, Proto => $proto, Timeout => 2) or exit 2;
		my $sel = IO::Select->new($s);
		my $ans;
		if ($proto eq "udp") {
			for (1 .. $secs) {
				send($s, $q, 0) or exit 2;
				next unless $sel->can_read(1);
				defined recv($s, $ans, 4096, 0) or exit 2;
				last if length $ans >= 12 && unpack("n", $ans) == $id;
				undef $ans;
			}
		} else {
			print $s pack("n", length $q) . $q;
			my $buf = "";
			while ($sel->can_read($secs)) {
				sysread($s, $buf, 4096, length $buf) or last;
				if (length $buf >= 2 &&
				    length $buf >= 2 + unpack("n", $buf)) {
					$ans = substr($buf, 2, unpack("n", $buf));
					last;
				}
			}
		}
		exit 2 unless defined $ans && length $ans >= 12;
		my ($rid, $flags, $qd, $an) = unpack("nnnn", $ans);
		exit 2 unless $rid == $id;
		my $off = 12;
		my $skip = sub {
			while ($off < length $ans) {
				my $l = unpack("C", substr($ans, $off, 1));
				if (($l & 0xc0) == 0xc0) { $off += 2; return }
				$off++;
				return if $l == 0;
				$off += $l;
			}
		};
		for (1 .. $qd) { $skip->(); $off += 4 }
		my @a;
		for (1 .. $an) {
			$skip->();
			my ($type, $class, $ttl, $len) =
			    unpack("nnNn", substr($ans, $off, 10));
			$off += 10;
			push @a, join(".", unpack("C4", substr($ans, $off, 4)))
			    if $type == 1 && $len == 4;
			$off += $len;
		}
		print "rcode ", $flags & 15, "\n";
		print "$_\n" for @a;
		exit(@a ? 0 : 1)' "$1" "$2" "${3:-udp}" "${4:-3}"
}

# resolves PORT NAME ADDR [udp|tcp]: NAME resolves to ADDR.
resolves() {
	dns_query "$1" "$2" "${4:-udp}" | grep -qxF -- "$3"
}

# wait_resolves PORT NAME ADDR [SECS]: until NAME resolves to ADDR (UDP).
wait_resolves() {
	local end=$(($(now_ms) + ${4:-10} * 1000))
	until resolves "$1" "$2" "$3"; do
		[ "$(now_ms)" -lt "$end" ] || return 1
		sleep 0.05
	done
}

# banner PORT: the port answers with an SSH-2.0- banner.
banner() {
	talk "$1" '' '^SSH-2\.0-' 5 >/dev/null
}

# wait_banner PORT [SECS]: until it does.
wait_banner() {
	wait_port "$1" "${2:-10}" && banner "$1"
}

# sshd_setup DIR: a host key and DIR/sshd_config for an sshd on
# 127.0.0.1 that keeps everything in DIR.  The port (-p PORT), the pid
# file (-o PidFile=...) and the log (-E FILE) go on the command line.
sshd_setup() {
	ssh-keygen -q -t ed25519 -N '' -C legacy-test \
	    -f "$1/ssh_host_ed25519_key" </dev/null || return 1
	cat >"$1/sshd_config" <<-EOF
	ListenAddress 127.0.0.1
	HostKey $1/ssh_host_ed25519_key
	UsePAM no
	StrictModes no
	AuthorizedKeysFile none
	PasswordAuthentication no
	KbdInteractiveAuthentication no
	X11Forwarding no
	EOF
}

# sshd_privsep_why: true if sshd can run here, else prints why not.  As
# root sshd needs /run/sshd, which the scripts create only on a private
# tmpfs over /run (LEGB_RUN_PRIVATE, set by the re-exec at their top).
sshd_privsep_why() {
	if [ "$(id -u)" = 0 ] && [ -z "${LEGB_RUN_PRIVATE:-}" ]; then
		echo "sshd as root needs /run/sshd: no private mount namespace for /run"
		return 1
	fi
	return 0
}

# dnsmasq_user: the --user option for dnsmasq: as root it drops to
# nobody (a user every system has; Debian's own is "dnsmasq"), as
# another user it stays that user (nothing to add).
dnsmasq_user() {
	[ "$(id -u)" = 0 ] && echo "--user=nobody"
	return 0
}

# --- a self-daemonizing program under --forking / --follow-pidfile
#
# run_forking_case PROG MODE, MODE one of forking, follow, sv-forking,
# sv-follow.  PROG provides:
#   PROG_cmd PORT TAG      set CMD (the command) and OWNPID (the pid file
#                          the program writes), everything in $T/TAG
#   PROG_marker TAG        a string in the command line of its processes
#   PROG_serves PORT       true once it serves on 127.0.0.1:PORT
#   PROG_hup_setup PORT TAG, PROG_hup_effect PORT TAG PID
#                          prepare and check the effect of a HUP
#   PROG_hup_says          what that effect is (for the test names)
#   PROG_hup_skip PID MODE (optional) true, printing why, if HUP cannot
#                          be tested here
#   PROG_hup_hands_over    (optional) defined if, supervised, the daemon
#                          hands over to a new process on HUP
#   PROG_shape PID, PROG_shape_says
#                          (optional) the daemon's tree is as expected
#   PROG_badcmd PORT TAG   set CMD to a start that fails (bad config)
# The tests use $DETACH with --ready-timeout=10.

FORKING_SV=(--supervise --restart=always --restart-delay=0.1
    --restart-delay-max=0.1)

# forking_opts MODE: set OPTS for MODE (after PROG_cmd set OWNPID)
forking_opts() {
	case $1 in
	forking) OPTS=(--forking) ;;
	follow) OPTS=(--follow-pidfile="$OWNPID") ;;
	sv-forking) OPTS=("${FORKING_SV[@]}" --forking) ;;
	sv-follow) OPTS=("${FORKING_SV[@]}" --follow-pidfile="$OWNPID") ;;
	esac
	OPTS+=(--ready-timeout=10)
}

# is_top MARKER PID: PID runs with MARKER and its parent does not (the
# master, not one of its workers)
is_top() {
	local all
	all=$(with_cmdline "$1")
	echo "$all" | grep -qx "$2" &&
	    ! echo "$all" | grep -qx "$(ppid_of "$2")"
}

# second_start_refused WHAT PROG TAG PIDFILE HOLDER PORT OPTION...: a
# second start on PIDFILE (PROG_cmd on a new port, with the options given)
# exits 1 saying so and starts nothing; PIDFILE still names HOLDER, and
# the first one still serves on PORT.
second_start_refused() {
	local what=$1 prog=$2 tag=$3 f=$4 holder=$5 port=$6 port2 marker
	shift 6
	port2=$(free_port)
	"${prog}_cmd" "$port2" "$tag-2"
	marker=$("${prog}_marker" "$tag-2")
	expect 1 "$what: a second start on the same pidfile exits 1" \
	    "$DETACH" start -p "$f" "$@" -- "${CMD[@]}"
	check "$what: ... saying it is already running" \
	    grep -q "already running" "$T/err"
	track_cmdline "$marker"
	check "$what: ... it started no second copy (port $port2 closed)" \
	    eval 'none_with_cmdline "$marker" && port_closed "$port2"'
	check "$what: ... the pidfile still names $holder" \
	    test "$(pid_of "$f")" = "$holder"
	check "$what: ... the first one still serves" "${prog}_serves" "$port"
}

# stop_leaves_nothing WHAT PIDFILE SUPERVISOR DAEMON MARKER PORT: stop
# exits 0, and whatever ran before (the supervisor, if any, the daemon's
# tree, anything with MARKER in its command line) is gone after, the port
# closed, detach's pidfile and record removed.
stop_leaves_nothing() {
	local what=$1 f=$2 sup=$3 pid=$4 marker=$5 port=$6 before
	before="$sup $(tree "$pid") $(with_cmdline "$marker" | grep -vx "$$")"
	before=$(echo $before | tr ' ' '\n' | sort -un | tr '\n' ' ')
	expect 0 "$what: stop exits 0" "$DETACH" stop -p "$f"
	check "$what: ... every process is gone ($(echo $before))" \
	    all_gone $before
	check "$what: ... none runs with its config" none_with_cmdline "$marker"
	check "$what: ... the port is closed" wait_port_closed "$port"
	check "$what: ... detach's pidfile and record are gone" \
	    test ! -e "$f" -a ! -e "$f.state"
}

run_forking_case() {
	local prog=$1 mode=$2 tag="$1-$2" f="$T/$1-$2.pid" port port2
	local pid sup= what who why marker before old new own sv=
	port=$(free_port)
	marker=$("${prog}_marker" "$tag")
	case $mode in sv-*) sv=1 ;; esac
	what="$prog --$mode"
	[ -n "$sv" ] && what="$prog --supervise --${mode#sv-}"

	"${prog}_cmd" "$port" "$tag"
	own=$OWNPID
	forking_opts "$mode"
	expect 0 "$what: start exits 0" \
	    "$DETACH" start -p "$f" "${OPTS[@]}" -- "${CMD[@]}"
	track_cmdline "$marker"
	if [ -n "$sv" ]; then
		sup=$(pid_of "$f" 2>/dev/null)
		track "$sup"
		pid=$(wait_child "$f" 0 10)
	else
		pid=$(pid_of "$f" 2>/dev/null)
	fi
	track "$pid"
	check "$what: it serves on 127.0.0.1:$port" "${prog}_serves" "$port"
	who="detach's pidfile"
	[ -n "$sv" ] && who="the supervisor's child"
	check "$what: $who is the daemon ($pid), not a worker" \
	    eval 'test -n "$pid" && is_top "$marker" "$pid"'
	check "$what: ... the pid its own pidfile names ($(cat "$own" 2>/dev/null))" \
	    test "$(pid_of "$own" 2>/dev/null)" = "$pid"
	if [ -n "$sv" ]; then
		check "$what: the pidfile names the supervisor ($sup), the daemon's parent" \
		    eval 'test -n "$sup" && test "$sup" != "$pid" &&
		    test "$(ppid_of "$pid")" = "$sup"'
	fi
	if declare -F "${prog}_shape" >/dev/null; then
		check "$what: $("${prog}_shape_says")" "${prog}_shape" "$pid"
	fi
	expect 0 "$what: status exits 0" "$DETACH" status -p "$f"
	check "$what: ... naming pid ${sup:-$pid}" grep -q "pid ${sup:-$pid}" "$T/out"

	second_start_refused "$what" "$prog" "$tag" "$f" "${sup:-$pid}" \
	    "$port" "${OPTS[@]}"

	# HUP reaches the daemon
	if declare -F "${prog}_hup_skip" >/dev/null &&
	    why=$("${prog}_hup_skip" "$pid" "$mode"); then
		skip "$what: signal HUP: $why"
		skip "$what: ... it reached the daemon: $why"
	else
		"${prog}_hup_setup" "$port" "$tag"
		expect 0 "$what: signal HUP exits 0" \
		    "$DETACH" signal -p "$f" HUP
		if [ -n "$sv" ] && declare -F "${prog}_hup_hands_over" \
		    >/dev/null; then
			# it daemonizes again: the supervisor adopts the new one
			check "$what: ... the supervisor adopts the daemon it handed over to" \
			    eval 'new=$(wait_child "$f" "$pid" 10) &&
			    is_top "$marker" "$new" &&
			    test "$(ppid_of "$new")" = "$sup"'
			track "$new"
			check "$what: ... it reached the daemon: $("${prog}_hup_says")" \
			    "${prog}_hup_effect" "$port" "$tag" "$new"
			check "$what: ... the supervisor did not restart it (0 restarts)" \
			    grep -qx "restarts 0" "$f.state"
			pid=$new
		else
			check "$what: ... it reached the daemon: $("${prog}_hup_says")" \
			    "${prog}_hup_effect" "$port" "$tag" "$pid"
		fi
		track_cmdline "$marker"
	fi
	if [ -n "$sv" ]; then
		check "$what: ... the supervisor did not restart it" \
		    eval 'alive "$pid" && test "$(child_of "$f")" = "$pid"'
	fi

	if [ -n "$sv" ]; then
		# the current child (the same, unless the checks above failed)
		pid=$(wait_child "$f" 0 10)
		track "$pid"
		old=$(tree "$pid")
		kill -9 "$pid"
		check "$what: after kill -9 of the daemon a new one is adopted" \
		    eval 'new=$(wait_child "$f" "$pid" 15)'
		track "$new"
		track_cmdline "$marker"
		check "$what: ... the old daemon and its workers are gone ($(echo $old))" \
		    all_gone $old
		check "$what: ... it serves again" "${prog}_serves" "$port"
		check "$what: ... the new daemon ($new) is the one its own pidfile names" \
		    eval 'test -n "$new" && is_top "$marker" "$new" &&
		    wait_pidfile_is "$own" "$new"'
		check "$what: ... under the same supervisor ($sup)" \
		    eval 'test "$(pid_of "$f")" = "$sup" &&
		    test "$(ppid_of "$new")" = "$sup"'
		pid=$new
	fi

	stop_leaves_nothing "$what" "$f" "$sup" "$pid" "$marker" "$port"
	case $mode in
	*follow) check "$what: ... the program's own pidfile is gone" \
	    test ! -e "$own" ;;
	esac
}

# run_bad_case PROG MODE: a start that fails (PROG_badcmd) exits 3, says
# why, and leaves no process, no pidfile, the port free
run_bad_case() {
	local prog=$1 mode=$2 tag="$1-bad-$2" f="$T/$1-bad-$2.pid" port what
	port=$(free_port)
	what="$prog --$mode, bad config"
	case $mode in sv-*) what="$prog --supervise --${mode#sv-}, bad config" ;; esac
	"${prog}_badcmd" "$port" "$tag"
	forking_opts "$mode"
	expect 3 "$what: start exits 3" \
	    "$DETACH" start -p "$f" "${OPTS[@]}" -- "${CMD[@]}"
	check "$what: ... with a message" test -s "$T/err"
	[ -s "$T/err" ] && sed -n 1,3p "$T/err" | diag
	track_cmdline "$("${prog}_marker" "$tag")"
	check "$what: ... no process left" \
	    none_with_cmdline "$("${prog}_marker" "$tag")"
	check "$what: ... no pidfile, no record" test ! -e "$f" -a ! -e "$f.state"
	check "$what: ... the port is still free" port_closed "$port"
}
