# Shared by the health check tests (health.sh, health-more.sh): the
# services, the watchdog client and the status helpers they use.  Sourced
# after lib.sh and legacy-lib.sh, in the test's $T.
ROOT=0
[ "$(id -u)" = 0 ] && ROOT=1

# wait_status PIDFILE ERE [SECS]: until `detach status` says something
# matching ERE (the record is rewritten in place: no event to wait on,
# so it is polled every 50 ms); the last answer is in $T/st.
wait_status() {
	local end=$(($(now_ms) + ${3:-10} * 1000))
	while :; do
		"$DETACH" status -p "$1" >"$T/st" 2>&1
		grep -Eq -- "$2" "$T/st" && return 0
		if [ "$(now_ms)" -ge "$end" ]; then
			echo "# status said: $(cat "$T/st")"
			return 1
		fi
		sleep 0.05
	done
}

# svc FILE: a service that appends its pid to FILE, then sleeps: the
# first line names the first child, however soon it is replaced (the
# record's child may already be the next one, or 0 between the two).
cat >"$T/svc" <<'EOS'
#!/bin/sh
echo $$ >>"$1"
exec sleep 300
EOS
chmod 755 "$T/svc"

# nth FILE N [SECS]: the Nth line of FILE, once it has N lines.
nth() {
	local end=$(($(now_ms) + ${3:-10} * 1000))
	until [ "$(lines "$1")" -ge "$2" ]; do
		[ "$(now_ms)" -lt "$end" ] || return 1
		wait_file "$1" 1 "$(($(stat -c %s "$1" 2>/dev/null || echo 0) + 1))"
	done
	sed -n "${2}p" "$1"
}

# json PIDFILE: `detach status --json` into $T/out.
json() {
	run "$DETACH" status --json -p "$1"
}

# jnum KEY: the number KEY has in $T/out (JSON), or nothing.
jnum() {
	sed -n "s/.*\"$1\":\([0-9]*\).*/\1/p" "$T/out"
}

# lines FILE: how many lines FILE has (0 if it does not exist).
lines() {
	if [ -e "$1" ]; then wc -l <"$1"; else echo 0; fi
}

# srv PORT: a service at 127.0.0.1:PORT accepting and closing connections.
# Each run is counted in $SRV_DIR (run.N holds the pid of the Nth run,
# written atomically once its handlers are in place).  With
# SRV_LATER=gate, runs after the first wait for go.PID before they
# listen.  SIGUSR1 closes the listening socket (closed.PID marks it) and
# the service goes on.  SIGTERM creates term.PID, waits while the file
# hold exists, then dies of SIGTERM.
cat >"$T/srv" <<'EOS'
#!/usr/bin/perl
use strict;
use IO::Socket::INET;
use Time::HiRes qw(sleep);
my $port = shift;
my $dir = $ENV{SRV_DIR} or die "srv: no SRV_DIR\n";
my $later = $ENV{SRV_LATER} // "";
sub touch { open(my $f, ">", "$dir/$_[0]") or die "srv: $_[0]: $!\n"; close $f }
my ($s, $closed, $term);
$SIG{USR1} = sub { close $s if $s; $closed = 1; touch("closed.$$") };
# (a signal is blocked while its handler runs: die of it outside)
$SIG{TERM} = sub { $term = 1 };
sub term {
	return unless $term;
	touch("term.$$");
	sleep 0.01 while -e "$dir/hold";
	$SIG{TERM} = "DEFAULT";
	kill TERM => $$;
}
my $n = 1;
$n++ while -e "$dir/run.$n";
open(my $r, ">", "$dir/run.$n.new") or die "srv: $dir: $!\n";
print $r "$$\n";
close $r;
rename("$dir/run.$n.new", "$dir/run.$n") or die "srv: rename: $!\n";
if ($n > 1 && $later eq "gate") { term(), sleep 0.01 until -e "$dir/go.$$" }
$s = IO::Socket::INET->new(LocalAddr => "127.0.0.1", LocalPort => $port,
    Proto => "tcp", Listen => 16, ReuseAddr => 1)
    or die "srv: listen on $port: $@\n";
while (1) {
	term();
	if ($closed) { sleep 1; next }
	my $c = $s->accept or next;
	close $c;
}
EOS
chmod 755 "$T/srv"

# wd DIR: the watchdog's client.  It writes "WATCHDOG_USEC WATCHDOG_PID
# PID NOTIFY_SOCKET" to DIR/env.PID, then sends WATCHDOG=1 every 0.1 s,
# a line in DIR/pings.PID for each, until DIR/stop.PID exists.
cat >"$T/wd" <<'EOS'
#!/usr/bin/perl
use strict;
use Socket;
use Time::HiRes qw(sleep);
my $dir = shift;
open(my $e, ">", "$dir/env.$$.new") or die "wd: $dir: $!\n";
print $e join(" ", map { $_ // "-" } $ENV{WATCHDOG_USEC}, $ENV{WATCHDOG_PID},
    $$, $ENV{NOTIFY_SOCKET}), "\n";
close $e;
rename("$dir/env.$$.new", "$dir/env.$$") or die "wd: rename: $!\n";
my $n = $ENV{NOTIFY_SOCKET} // die "wd: no NOTIFY_SOCKET\n";
$n =~ s/^@/\0/;
socket(my $s, AF_UNIX, SOCK_DGRAM, 0) or die "wd: socket: $!\n";
while (1) {
	unless (-e "$dir/stop.$$") {
		send($s, "WATCHDOG=1", 0, pack_sockaddr_un($n))
		    or die "wd: send: $!\n";
		open(my $p, ">>", "$dir/pings.$$") or die "wd: pings: $!\n";
		print $p "x\n";
		close $p;
	}
	sleep 0.1;
}
EOS
chmod 755 "$T/wd"
