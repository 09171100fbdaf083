# Helpers for the tests with real network programs (tests/integration/
# legacy-*.sh and fdclose-*.sh), sourced after lib.sh.  Every program
# listens on 127.0.0.1 at a free high port, with its config, pid file and
# data inside $T.

# need PROGRAM...: the path of the first that exists (PATH, /usr/sbin,
# /sbin), or nothing.
need() {
	local p
	for p in "$@"; do
		command -v "$p" 2>/dev/null && return 0
		for d in /usr/sbin /sbin /usr/bin; do
			[ -x "$d/$p" ] && { echo "$d/$p"; return 0; }
		done
	done
	return 1
}

# free_port: a TCP port on 127.0.0.1 nobody listens on, above 20000 (the
# kernel picks it; it is free again once perl closes it).
free_port() {
	perl -MIO::Socket::INET -e '
		for (1..50) {
			my $s = IO::Socket::INET->new(LocalAddr => "127.0.0.1",
			    LocalPort => 0, Proto => "tcp", Listen => 1) or next;
			my $p = $s->sockport;
			if ($p > 20000) { print "$p\n"; exit 0 }
		}
		exit 1'
}

# port_open PORT: something accepts connections on 127.0.0.1:PORT.
port_open() {
	perl -MIO::Socket::INET -e '
		exit(IO::Socket::INET->new(PeerAddr => "127.0.0.1",
		    PeerPort => $ARGV[0], Proto => "tcp", Timeout => 2) ? 0 : 1)' "$1"
}

# wait_port PORT [SECS]: until 127.0.0.1:PORT accepts (a listening socket
# gives no event to wait on: connect is retried every 10 ms).
wait_port() {
	perl -MIO::Socket::INET -MTime::HiRes=time,sleep -e '
		my $end = time + $ARGV[1];
		while (time < $end) {
			exit 0 if IO::Socket::INET->new(PeerAddr => "127.0.0.1",
			    PeerPort => $ARGV[0], Proto => "tcp", Timeout => 1);
			sleep 0.01;
		}
		exit 1' "$1" "${2:-10}"
}

# port_closed PORT: nothing accepts on 127.0.0.1:PORT any more.
port_closed() {
	! port_open "$1"
}

# talk PORT REQUEST REGEX [SECS]: send REQUEST (perl escapes such as \r\n
# are expanded) and read until the answer matches REGEX; prints it.
talk() {
	perl -MIO::Socket::INET -MIO::Select -e '
		my ($port, $req, $re, $secs) = @ARGV;
		my $s = IO::Socket::INET->new(PeerAddr => "127.0.0.1",
		    PeerPort => $port, Proto => "tcp", Timeout => 2) or exit 1;
		$req =~ s/\\r/\r/g; $req =~ s/\\n/\n/g;
		print $s $req;
		my ($buf, $sel) = ("", IO::Select->new($s));
		my $end = time + $secs;
		while (time <= $end && $sel->can_read(1)) {
			my $n = sysread($s, $buf, 4096, length $buf);
			last unless $n;
			last if $buf =~ /$re/;
		}
		print $buf;
		exit($buf =~ /$re/ ? 0 : 1)' "$1" "$2" "$3" "${4:-5}"
}

# descendants PID: PID and every process below it, one per line.
descendants() {
	local p=$1 c
	echo "$p"
	for c in $(cat /proc/"$p"/task/*/children 2>/dev/null); do
		descendants "$c"
	done
}

# tree PID: PID and its descendants on one line (for track and all_gone).
tree() {
	descendants "$1" | tr '\n' ' '
}

# ppid_of PID: its parent's pid (from /proc, after the command name).
ppid_of() {
	sed 's/.*) //' /proc/"$1"/stat 2>/dev/null | cut -d' ' -f2
}

# child_of PIDFILE: the child a supervisor records in PIDFILE.state.
child_of() {
	sed -n 's/^child //p' "$1.state" 2>/dev/null
}

# wait_child PIDFILE OLD [SECS]: until the supervisor records a live child
# other than OLD (0 or empty for any); prints it.
wait_child() {
	local end=$(($(now_ms) + ${3:-10} * 1000)) c
	while [ "$(now_ms)" -lt "$end" ]; do
		c=$(child_of "$1")
		if [ -n "$c" ] && [ "$c" != 0 ] && [ "$c" != "$2" ] &&
		    alive "$c"; then
			echo "$c"
			return 0
		fi
		sleep 0.05
	done
	return 1
}

# wait_pidfile_is FILE PID [SECS]: until FILE holds PID.
wait_pidfile_is() {
	local end=$(($(now_ms) + ${3:-10} * 1000))
	until [ "$(pid_of "$1" 2>/dev/null)" = "$2" ]; do
		[ "$(now_ms)" -gt "$end" ] && return 1
		sleep 0.05
	done
}

# with_cmdline STRING: the pids whose command line contains STRING (the
# processes of ours that run with a config path in $T or a given port),
# its arguments joined by spaces.
with_cmdline() {
	M=$1 perl -e '
		for my $f (glob "/proc/[0-9]*/cmdline") {
			open(my $h, "<", $f) or next;
			local $/;
			my $c = <$h>;
			next unless defined $c;
			$c =~ tr/\0/ /;
			print "$1\n" if index($c, $ENV{M}) >= 0 &&
			    $f =~ m{^/proc/(\d+)/};
		}'
}

# none_with_cmdline STRING: no process runs with STRING in its command
# line (bounded: waits up to 5 s for exits in progress).
none_with_cmdline() {
	local end=$(($(now_ms) + 5000)) left
	while :; do
		left=$(with_cmdline "$1" | grep -vx "$$")
		[ -z "$left" ] && return 0
		[ "$(now_ms)" -lt "$end" ] || break
		sleep 0.05
	done
	echo "# still running with \"$1\":" $left
	return 1
}

# track_cmdline STRING: track whatever runs with STRING in its command
# line (a safety net for cleanup: these programs close the lock).
track_cmdline() {
	track $(with_cmdline "$1" | grep -vx "$$")
}

# wait_port_closed PORT [SECS]: until nothing accepts on 127.0.0.1:PORT.
wait_port_closed() {
	local end=$(($(now_ms) + ${2:-5} * 1000))
	while port_open "$1"; do
		[ "$(now_ms)" -lt "$end" ] || return 1
		sleep 0.05
	done
}
