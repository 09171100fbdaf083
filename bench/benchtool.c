/*
 * benchtool: the timing and bookkeeping half of bench/run.  Every time is
 * taken here, in C, around one posix_spawn() of the tool under test, so
 * the shell's own fork/exec never lands inside a measurement.  Times are
 * printed in nanoseconds of CLOCK_MONOTONIC.
 *
 *   benchtool reap CMD [ARG...]
 *	run CMD as a child subreaper: every orphaned daemon becomes ours
 *	and is reaped; what is still running when CMD exits is killed (by
 *	pid, each one a child of ours), named on stderr, and makes the exit
 *	status non-zero.
 *   benchtool start [-n] [-s] PIDFILE EXE ERRFILE -- CMD [ARG...]
 *	"RETURNS READY CPU": the time until CMD returned, and until PIDFILE
 *	names a live process that is EXE (/proc/PID/exe), or with -s (a
 *	resident supervisor) has a child that is: the start of the first
 *	check that finds it so (RETURNS if the first one does).  -n: no
 *	pidfile, READY is "-".  CPU: user + system time of CMD and of the
 *	children it reaped (wait4's rusage), not the daemon's.  CMD's
 *	stderr goes to ERRFILE; a non-zero exit or no ready daemon within
 *	10 s is a failure (exit 1).
 *   benchtool stop PIDFILE ERRFILE -- CMD [ARG...]
 *	"RETURNS GONE CPU": pins the pid in PIDFILE and all its descendants
 *	with pidfds, runs CMD, and times its return and the exit of the
 *	last pinned process, watched while CMD runs (pidfd poll, no
 *	sleeping: GONE may come before RETURNS), 15 s at most; CPU as for
 *	start.
 *   benchtool kill [-a ANCESTOR] PIDFILE
 *	the stop floor: pidfd_open + pidfd_send_signal(TERM) + poll (KILL
 *	after 5 s).  -a: only a descendant of pid ANCESTOR (clean-up).
 *   benchtool fill FILE BYTES ERRFILE [-o] [-k] [-d|-D] -- CMD [ARG...]
 *	"NS": from spawning CMD until FILE holds BYTES bytes (inotify, no
 *	polling).  -o: CMD's stdout is FILE itself (opened O_APPEND).  -k:
 *	CMD runs in a process group of its own, killed (SIGTERM) once the
 *	bytes are there; -o implies it.  -d, for a logger that rotates FILE
 *	within its directory: until FILE, or a file renamed in the
 *	directory, ends with the writer's last line (the output is in
 *	order, so every byte before it is there too); then the regular
 *	files of the directory, but for those there before CMD, must hold
 *	BYTES together.  -D: as -d, for a logger that deletes old files:
 *	they must hold BYTES at most.
 *   benchtool writer BYTES [LINE [-- CMD [ARG...]]]
 *	write BYTES of LINE-byte text lines (default 64) to stdout, in
 *	whole lines of up to 64 KiB per write(2), the last line ending in
 *	"#end", then wait for a signal.  With CMD: into a pipe that is
 *	CMD's stdin (CMD a child of ours), and on SIGTERM close it and
 *	wait for CMD.
 *   benchtool port
 *	a TCP port free on 127.0.0.1 (a bind to it succeeds), at random
 *	outside the ephemeral range where possible: a client whose own
 *	port happened to be the one it probes could connect to itself.
 *   benchtool listen PORT DELAY_MS TIMEFILE [COUNTFILE]
 *	the service of the ready section: sleep DELAY_MS, bind and listen
 *	on 127.0.0.1:PORT, write the CLOCK_MONOTONIC ns taken right after
 *	listen() into TIMEFILE (whole, by rename), then accept and close
 *	connections until killed.  COUNTFILE (the health section): one
 *	byte appended to it per connection accepted.
 *   benchtool tick FILE
 *	the health section's --health-cmd: append one byte to FILE
 *	(O_APPEND, created if need be) and exit 0.
 *   benchtool count FILE N TIMEOUT_S
 *	"NS BYTES": wait (inotify) until FILE holds at least N bytes, then
 *	print CLOCK_MONOTONIC ns and FILE's size; none within TIMEOUT_S
 *	seconds is a failure (exit 1, the size on stderr).
 *   benchtool latency PIDFILE EXE TIMEFILE ERRFILE -- CMD [ARG...]
 *	"LATENCY RETURNS CPU": the time from the instant in TIMEFILE (a
 *	listener's listen()) to CMD's return, and from spawning CMD to its
 *	return; CPU as for start.  CMD must return within 30 s, with status
 *	0, not before the listen(), and PIDFILE must then name a live EXE.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

#define MAX_PINNED	64
#define SPAWN_APPEND	1	/* stdout opened O_APPEND, not O_TRUNC */
#define SPAWN_GROUP	2	/* in a process group of its own */
#define END_LINE	"#end\n"	/* how the writer's last line ends */
#define END_LEN		(sizeof(END_LINE) - 1)
#define MAX_SKIP	8

static long long
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static int
pidfd_open_(pid_t pid)
{
	return (int)syscall(SYS_pidfd_open, pid, 0);
}

static int
pidfd_signal_(int fd, int sig)
{
	return (int)syscall(SYS_pidfd_send_signal, fd, sig, NULL, 0);
}

static void
pause_us(long us)
{
	struct timespec ts = { 0, us * 1000 };

	nanosleep(&ts, NULL);
}

static void
pause_ms(long long ms)
{
	struct timespec ts = { ms / 1000, ms % 1000 * 1000000 };

	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

/* The parent of pid and its state letter, from /proc/PID/stat. */
static pid_t
stat_of(pid_t pid, char *state)
{
	char path[64], buf[512], *p;
	ssize_t n;
	long ppid;
	char st;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	if ((p = strrchr(buf, ')')) == NULL ||
	    sscanf(p + 1, " %c %ld", &st, &ppid) != 2)
		return -1;
	if (state != NULL)
		*state = st;
	return (pid_t)ppid;
}

/* The pid in a pidfile, or -1. */
static pid_t
read_pidfile(const char *path)
{
	char buf[32], *end;
	ssize_t n;
	long v;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return -1;
	n = pread(fd, buf, sizeof(buf) - 1, 0);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	v = strtol(buf, &end, 10);
	if (end == buf || (*end != '\0' && *end != '\n') || v <= 1 ||
	    v > INT_MAX)
		return -1;
	return (pid_t)v;
}

static int
is_exe(pid_t pid, const char *exe)
{
	char path[64], buf[PATH_MAX];
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%d/exe", (int)pid);
	if ((n = readlink(path, buf, sizeof(buf) - 1)) <= 0)
		return 0;
	buf[n] = '\0';
	return strcmp(buf, exe) == 0;
}

/* The last pid handed out, or -1. */
static pid_t
last_pid(void)
{
	char buf[32];
	ssize_t n;
	int fd;

	if ((fd = open("/proc/sys/kernel/ns_last_pid", O_RDONLY | O_CLOEXEC))
	    == -1)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	return (pid_t)atol(buf);
}

/*
 * Children of parent (direct, or every descendant): up to max pids.  A
 * scan of /proc: /proc/PID/task/TID/children is not on every kernel.
 * Unless pids wrapped since parent was born, its descendants have larger
 * pids, and only those are read (a full scan costs a millisecond).
 */
static int
children(pid_t parent, int all, pid_t *out, int max)
{
	static pid_t pids[32768], ppids[32768];
	struct dirent *de;
	int n = 0, k = 0, i, j, found;
	pid_t pid, last = last_pid(), above;
	char *end;
	DIR *d;

	above = last >= parent ? parent : 0;
	if ((d = opendir("/proc")) == NULL)
		return 0;
	while (n < 32768 && (de = readdir(d)) != NULL) {
		pid = (pid_t)strtol(de->d_name, &end, 10);
		if (*end != '\0' || pid <= above)
			continue;
		pids[n] = pid;
		ppids[n++] = stat_of(pid, NULL);
	}
	closedir(d);
	/* breadth first from parent; out[] doubles as the queue */
	for (i = 0; i < n && k < max; i++)
		if (ppids[i] == parent)
			out[k++] = pids[i];
	for (j = 0; all && j < k; j++)
		for (i = 0; i < n && k < max; i++) {
			if (ppids[i] != out[j])
				continue;
			found = 0;
			for (int m = 0; m < k; m++)
				found |= out[m] == pids[i];
			if (!found)
				out[k++] = pids[i];
		}
	return k;
}

/*
 * PIDFILE names a live process that is exe or (supervised) has a child
 * that is.
 */
static int
ready(const char *pidfile, const char *exe, int supervised)
{
	pid_t pid, kids[64];
	char st;
	int i, n;

	if ((pid = read_pidfile(pidfile)) == -1)
		return 0;
	if (stat_of(pid, &st) == -1 || st == 'Z' || st == 'X')
		return 0;
	if (!supervised)
		return is_exe(pid, exe);
	n = children(pid, 0, kids, 64);
	for (i = 0; i < n; i++)
		if (is_exe(kids[i], exe) && stat_of(kids[i], &st) != -1 &&
		    st != 'Z')
			return 1;
	return 0;
}

/*
 * Spawn argv with stdin /dev/null, stdout out (or /dev/null), stderr err;
 * flags: SPAWN_*.
 */
static pid_t
spawn(char **argv, const char *out, int flags, const char *err)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t sa;
	pid_t pid;
	int r;

	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 1, out != NULL ? out :
	    "/dev/null", O_WRONLY | O_CREAT |
	    (flags & SPAWN_APPEND ? O_APPEND : O_TRUNC), 0644);
	posix_spawn_file_actions_addopen(&fa, 2, err != NULL ? err :
	    "/dev/null", O_WRONLY | O_CREAT | O_APPEND, 0644);
	posix_spawnattr_init(&sa);
	if (flags & SPAWN_GROUP) {
		posix_spawnattr_setpgroup(&sa, 0);
		posix_spawnattr_setflags(&sa, POSIX_SPAWN_SETPGROUP);
	}
	r = posix_spawnp(&pid, argv[0], &fa, &sa, argv, environ);
	posix_spawnattr_destroy(&sa);
	posix_spawn_file_actions_destroy(&fa);
	if (r != 0) {
		errno = r;
		return -1;
	}
	return pid;
}

/*
 * Wait for pid; its exit status (0-255), or 128+signal.  *cpu: the CPU
 * time (user + system) of pid and of the children it waited for.
 */
static int
wait_cpu(pid_t pid, long long *cpu)
{
	struct rusage ru;
	int st;

	while (wait4(pid, &st, 0, &ru) == -1)
		if (errno != EINTR)
			return -1;
	if (cpu != NULL)
		*cpu = (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000000LL +
		    (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1000LL;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static int
wait_for(pid_t pid)
{
	return wait_cpu(pid, NULL);
}

static int
tool_failed(char **argv, int code)
{
	fprintf(stderr, "benchtool: %s exited with status %d\n", argv[0],
	    code);
	return 1;
}

/*
 * Until pidfile names a running exe (ready()), checked every step_us: the
 * time it first did (first, if the first check finds it), or -1 (said on
 * stderr) 10 s after from.
 */
static long long
await_ready(const char *tool, const char *pidfile, const char *exe,
    int supervised, long long from, long long first, long step_us)
{
	long long t;

	for (t = first; !ready(pidfile, exe, supervised); t = now_ns()) {
		if (t - from > 10000000000LL) {
			fprintf(stderr, "benchtool: %s: after 10 s, %s does "
			    "not name a running %s\n", tool, pidfile, exe);
			return -1;
		}
		pause_us(step_us);
	}
	return t;
}

static int
cmd_start(int argc, char **argv)
{
	const char *pidfile, *exe, *err;
	long long t0, t1, t2, cpu;
	int nopid = 0, supervised = 0, code;
	pid_t pid;

	for (; argc > 0 && argv[0][0] == '-' && argv[0][1] != '-'; argc--,
	    argv++)
		if (strcmp(argv[0], "-n") == 0)
			nopid = 1;
		else if (strcmp(argv[0], "-s") == 0)
			supervised = 1;
		else
			return 64;
	if (argc < 5 || strcmp(argv[3], "--") != 0)
		return 64;
	pidfile = argv[0];
	exe = argv[1];
	err = argv[2];
	argv += 4;
	t0 = now_ns();
	if ((pid = spawn(argv, NULL, 0, err)) == -1) {
		perror(argv[0]);
		return 1;
	}
	code = wait_cpu(pid, &cpu);
	t1 = now_ns();
	if (code != 0)
		return tool_failed(argv, code);
	if (nopid) {
		printf("%lld - %lld\n", t1 - t0, cpu);
		return 0;
	}
	/*
	 * Ready at the start of the first check that finds it so; already
	 * ready when the tool returned if the first check does.
	 */
	if ((t2 = await_ready(argv[0], pidfile, exe, supervised, t0, t1,
	    20)) == -1)
		return 1;
	printf("%lld %lld %lld\n", t1 - t0, t2 - t0, cpu);
	return 0;
}

static int
cmd_stop(int argc, char **argv)
{
	struct pollfd pfd[MAX_PINNED + 1];
	pid_t pid, kids[MAX_PINNED - 1];
	long long t0, t1 = -1, gone = 0, left, cpu = 0;
	int n, i, code = 0, live, cmdfd;

	if (argc < 4 || strcmp(argv[2], "--") != 0)
		return 64;
	if ((pid = read_pidfile(argv[0])) == -1) {
		fprintf(stderr, "benchtool: %s names no pid\n", argv[0]);
		return 1;
	}
	n = children(pid, 1, kids, MAX_PINNED - 1);
	if ((pfd[0].fd = pidfd_open_(pid)) == -1) {
		fprintf(stderr, "benchtool: pid %d: %s\n", (int)pid,
		    strerror(errno));
		return 1;
	}
	for (i = 0; i < n; i++)
		pfd[i + 1].fd = pidfd_open_(kids[i]);	/* -1: gone, ignored */
	n++;
	t0 = now_ns();
	if ((pid = spawn(argv + 3, NULL, 0, argv[1])) == -1) {
		perror(argv[3]);
		return 1;
	}
	/*
	 * CMD is watched with the pinned processes, so that GONE is when the
	 * last of them exited, not when CMD returned (a tool that looks
	 * around after they died returns later: RETURNS tells that).
	 */
	if ((cmdfd = pidfd_open_(pid)) == -1) {
		perror("benchtool: pidfd_open");
		return 1;
	}
	for (;;) {
		for (i = live = 0; i < n; i++)
			if (pfd[i].fd != -1)
				live++;
		if (live == 0 && t1 != -1)
			break;
		left = 15000 - (now_ns() - t0) / 1000000;
		if (left <= 0) {
			fprintf(stderr, "benchtool: %s: processes of the "
			    "daemon still run after 15 s\n", argv[3]);
			return 1;
		}
		pfd[n].fd = t1 == -1 ? cmdfd : -1;
		for (i = 0; i <= n; i++) {
			pfd[i].events = POLLIN;
			pfd[i].revents = 0;
		}
		if (poll(pfd, (nfds_t)n + 1, (int)left) == -1) {
			if (errno == EINTR)
				continue;
			perror("benchtool: poll");
			return 1;
		}
		for (i = 0; i < n; i++)
			if (pfd[i].fd != -1 && pfd[i].revents != 0) {
				gone = now_ns();
				close(pfd[i].fd);
				pfd[i].fd = -1;
			}
		if (t1 == -1 && pfd[n].revents != 0) {
			code = wait_cpu(pid, &cpu);
			t1 = now_ns();
			close(cmdfd);
			if (code != 0)
				return tool_failed(argv + 3, code);
		}
	}
	printf("%lld %lld %lld\n", t1 - t0, (gone > 0 ? gone : t1) - t0, cpu);
	return 0;
}

/* ancestor is pid's parent, or its parent's, ... */
static int
descends(pid_t pid, pid_t ancestor)
{
	int depth;

	for (depth = 0; pid > 1 && depth < 64; depth++)
		if ((pid = stat_of(pid, NULL)) == ancestor)
			return 1;
	return 0;
}

/*
 * The stop floor: what any stop must do at least.  With -a (clean-up),
 * only a descendant of ANCESTOR is signalled: a stale pidfile may name a
 * recycled pid.
 */
static int
cmd_kill(int argc, char **argv)
{
	struct pollfd pfd;
	pid_t pid, ancestor = 0;

	if (argc == 3 && strcmp(argv[0], "-a") == 0) {
		ancestor = (pid_t)atol(argv[1]);
		argc -= 2, argv += 2;
	}
	if (argc != 1)
		return 64;
	if ((pid = read_pidfile(argv[0])) == -1 ||
	    (pfd.fd = pidfd_open_(pid)) == -1)
		return 1;
	if (ancestor > 0 && !descends(pid, ancestor))
		return 1;
	if (pidfd_signal_(pfd.fd, SIGTERM) == -1)
		return 1;
	pfd.events = POLLIN;
	if (poll(&pfd, 1, 5000) != 1) {
		pidfd_signal_(pfd.fd, SIGKILL);
		return poll(&pfd, 1, 5000) == 1 ? 2 : 1;
	}
	return 0;
}

/* Does the file name in dirfd end with the writer's last line? */
static int
ends_done(int dirfd, const char *name)
{
	char buf[END_LEN];
	struct stat sb;
	int fd, r = 0;

	if ((fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC)) == -1)
		return 0;
	if (fstat(fd, &sb) == 0 && sb.st_size >= (off_t)END_LEN &&
	    pread(fd, buf, END_LEN, sb.st_size - (off_t)END_LEN) ==
	    (ssize_t)END_LEN)
		r = memcmp(buf, END_LINE, END_LEN) == 0;
	close(fd);
	return r;
}

/*
 * The names in dir (n of them at most: -1 if more) or, with n == 0, the
 * bytes in its regular files whose names are not among the nskip in
 * skip; -1 on error.
 */
static long long
dir_scan(const char *dir, char skip[][NAME_MAX + 1], int nskip, int n)
{
	struct dirent *de;
	long long sum = 0;
	struct stat sb;
	int i, k = 0;
	DIR *d;

	if ((d = opendir(dir)) == NULL)
		return -1;
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (n > 0) {
			if (k == n) {
				closedir(d);
				return -1;
			}
			snprintf(skip[k++], NAME_MAX + 1, "%s", de->d_name);
			continue;
		}
		for (i = 0; i < nskip && strcmp(skip[i], de->d_name) != 0; i++)
			;
		if (i == nskip && fstatat(dirfd(d), de->d_name, &sb,
		    AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(sb.st_mode))
			sum += sb.st_size;
	}
	closedir(d);
	return n > 0 ? k : sum;
}

/*
 * -d: the names renamed into the directory (events read from the watch
 * into ev, len bytes): does one of them end with the last line?
 */
static int
renamed_done(int dirfd, const char *ev, ssize_t len, const char *live)
{
	const struct inotify_event *ie;
	ssize_t off;

	for (off = 0; off < len; off += (ssize_t)sizeof(*ie) + ie->len) {
		ie = (const struct inotify_event *)(ev + off);
		if ((ie->mask & IN_MOVED_TO) && ie->len > 0 &&
		    strcmp(ie->name, live) != 0 && ends_done(dirfd, ie->name))
			return 1;
	}
	return 0;
}

static int
cmd_fill(int argc, char **argv)
{
	char dir[PATH_MAX], skip[MAX_SKIP][NAME_MAX + 1], *slash;
	char ev[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
	const char *file, *err, *live;
	int flags = SPAWN_APPEND, direct = 0, rotated = 0, pruned = 0;
	int done = 0;
	int in, fd = -1, dfd = -1, nskip = 0, code, i;
	struct pollfd pfd[2];
	long long t0, t1, bytes, have = 0;
	struct stat sb;
	ssize_t len;
	pid_t pid;

	if (argc < 5)
		return 64;
	file = argv[0];
	bytes = atoll(argv[1]);
	err = argv[2];
	for (argc -= 3, argv += 3; argc > 0 && strcmp(argv[0], "--") != 0;
	    argc--, argv++)
		if (strcmp(argv[0], "-o") == 0)
			direct = 1, flags |= SPAWN_GROUP;
		else if (strcmp(argv[0], "-k") == 0)
			flags |= SPAWN_GROUP;
		else if (strcmp(argv[0], "-d") == 0)
			rotated = 1;
		else if (strcmp(argv[0], "-D") == 0)
			rotated = pruned = 1;
		else
			return 64;
	if (argc < 2 || (direct && rotated))
		return 64;
	argv++;
	snprintf(dir, sizeof(dir), "%s", file);
	if ((slash = strrchr(dir, '/')) != NULL) {
		*slash = '\0';
		live = file + (slash - dir) + 1;
	} else {
		snprintf(dir, sizeof(dir), ".");
		live = file;
	}
	/*
	 * A single file exists, empty, before anyone writes: inotify needs
	 * it.  A rotated one is watched through its directory, and what the
	 * directory holds already (svlogd's config) is not output.
	 */
	if (rotated) {
		if ((nskip = (int)dir_scan(dir, skip, 0, MAX_SKIP)) == -1 ||
		    (dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1 ||
		    (in = inotify_init1(IN_CLOEXEC)) == -1 ||
		    inotify_add_watch(in, dir, IN_MODIFY | IN_MOVED_TO |
		    IN_CREATE) == -1) {
			fprintf(stderr, "benchtool: %s: %s\n", dir, nskip == -1 ?
			    "holds too much already" : strerror(errno));
			return 1;
		}
	} else if ((fd = open(file, O_RDONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
	    0644)) == -1 || (in = inotify_init1(IN_CLOEXEC)) == -1 ||
	    inotify_add_watch(in, file, IN_MODIFY) == -1) {
		perror(file);
		return 1;
	}
	t0 = now_ns();
	if ((pid = spawn(argv, direct ? file : NULL, flags, err)) == -1) {
		perror(argv[0]);
		return 1;
	}
	pfd[0] = (struct pollfd){ .fd = in, .events = POLLIN };
	pfd[1] = (struct pollfd){ .fd = pidfd_open_(pid), .events = POLLIN };
	for (;;) {
		if (rotated ? done || ends_done(dfd, live) :
		    fstat(fd, &sb) == 0 && (have = sb.st_size) >= bytes)
			break;
		if (now_ns() - t0 > 120000000000LL) {
			if (rotated)
				have = dir_scan(dir, skip, nskip, 0);
			fprintf(stderr, "benchtool: %s: %s holds %lld of %lld "
			    "bytes after 120 s\n", argv[0], rotated ? dir : file,
			    have, bytes);
			return 1;
		}
		if (poll(pfd, pfd[1].fd == -1 ? 1 : 2, 1000) == -1 &&
		    errno != EINTR)
			return 1;
		if (pfd[0].revents & POLLIN) {
			while ((len = read(in, ev, sizeof(ev))) == -1 &&
			    errno == EINTR)
				;
			if (rotated && len > 0)
				done = renamed_done(dfd, ev, len, live);
		}
		if (pfd[1].fd != -1 && (pfd[1].revents & POLLIN)) {
			/* the tool returned (daemonized); the writer goes on */
			if ((code = wait_for(pid)) != 0)
				return tool_failed(argv, code);
			close(pfd[1].fd);
			pfd[1].fd = -1;
			pid = -1;
		}
	}
	t1 = now_ns();
	/* a rename may be under way: a scan can see a file twice, or miss it */
	for (i = 0; rotated && i < 200; i++) {
		have = dir_scan(dir, skip, nskip, 0);
		if (pruned && have > 0 && have <= bytes)
			have = bytes;	/* what can be checked is */
		if (have == bytes)
			break;
		pause_us(10000);
	}
	if (pid > 0 && (flags & SPAWN_GROUP)) {
		kill(-pid, SIGTERM);
		wait_for(pid);
	} else if (pid > 0 && (code = wait_for(pid)) != 0)
		return tool_failed(argv, code);
	if (have != bytes) {
		fprintf(stderr, "benchtool: %s: %s holds %lld bytes, not "
		    "%lld\n", argv[0], rotated ? dir : file, have, bytes);
		return 1;
	}
	printf("%lld\n", t1 - t0);
	return 0;
}

static volatile sig_atomic_t terminated;

static void
on_term(int sig)
{
	(void)sig;
	terminated = 1;
}

static int
cmd_writer(int argc, char **argv)
{
	static char buf[65536];
	long long left;
	size_t i, line = 64, chunk, len, off;
	sigset_t term, old;
	pid_t kid = -1;
	ssize_t n;
	int p[2];

	if (argc < 1 || argc == 3 || (argc > 3 && strcmp(argv[2], "--") != 0))
		return 64;
	if (argc >= 2 && ((line = (size_t)atoll(argv[1])) < END_LEN + 1 ||
	    line > sizeof(buf)))
		return 64;
	if (argc > 3) {
		if (pipe2(p, O_CLOEXEC) == -1 || (kid = fork()) == -1) {
			perror("benchtool writer");
			return 1;
		}
		if (kid == 0) {
			dup2(p[0], 0);
			execvp(argv[3], argv + 3);
			perror(argv[3]);
			_exit(127);
		}
		dup2(p[1], 1);
		close(p[0]);
		close(p[1]);
		sigemptyset(&term);
		sigaddset(&term, SIGTERM);
		sigprocmask(SIG_BLOCK, &term, &old);
		sigaction(SIGTERM, &(struct sigaction){ .sa_handler = on_term },
		    NULL);
	}
	chunk = sizeof(buf) / line * line;
	for (i = 0; i < chunk; i++)
		buf[i] = i % line == line - 1 ? '\n' : (char)('a' + i % line % 26);
	for (left = atoll(argv[0]); left > 0; left -= (long long)len) {
		len = left < (long long)chunk ? (size_t)left : chunk;
		if (left == (long long)len && len >= END_LEN)
			memcpy(buf + len - END_LEN, END_LINE, END_LEN);
		for (off = 0; off < len; off += (size_t)n)
			if ((n = write(1, buf + off, len - off)) == -1 &&
			    errno == EINTR)
				n = 0;
			else if (n <= 0)
				return 1;
	}
	if (kid == -1)
		for (;;)
			pause();
	while (!terminated)
		sigsuspend(&old);
	close(1);	/* EOF: multilog ends on TERM only at a newline */
	return wait_for(kid) == -1;
}

/* A socket bound to 127.0.0.1:port, or -1; reuse: SO_REUSEADDR. */
static int
bind_local(int port, int reuse)
{
	struct sockaddr_in sa;
	int fd, one = 1;

	if ((fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		return -1;
	if (reuse)
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((unsigned short)port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == -1) {
		close(fd);
		return -1;
	}
	return fd;
}

static int
cmd_port(int argc, char **argv)
{
	int lo = 32768, hi = 60999, from, to, port, fd, i;
	FILE *f;

	(void)argv;
	if (argc != 0)
		return 64;
	if ((f = fopen("/proc/sys/net/ipv4/ip_local_port_range", "r")) !=
	    NULL) {
		if (fscanf(f, "%d %d", &lo, &hi) != 2)
			lo = 32768, hi = 60999;
		fclose(f);
	}
	if (lo > 10000 + 1000)
		from = 10000, to = lo - 1;
	else if (hi < 65535 - 1000)
		from = hi + 1, to = 65535;
	else
		from = 10000, to = 65535;
	srandom((unsigned)(now_ns() ^ getpid()));
	for (i = 0; i < 1000; i++) {
		port = from + (int)(random() % (to - from + 1));
		if ((fd = bind_local(port, 0)) != -1) {
			close(fd);
			printf("%d\n", port);
			return 0;
		}
	}
	fprintf(stderr, "benchtool port: no free port in %d-%d\n", from, to);
	return 1;
}

static int
cmd_listen(int argc, char **argv)
{
	char tmp[PATH_MAX], buf[32];
	long long t, ms;
	int port, fd, out, c, count = -1;
	size_t len;

	if (argc != 3 && argc != 4)
		return 64;
	if (argc == 4 && (count = open(argv[3], O_WRONLY | O_CREAT | O_APPEND |
	    O_CLOEXEC, 0644)) == -1) {
		perror(argv[3]);
		return 1;
	}
	port = atoi(argv[0]);
	ms = atoll(argv[1]);
	if (port < 1 || port > 65535 || ms < 0)
		return 64;
	signal(SIGPIPE, SIG_IGN);
	pause_ms(ms);
	if ((fd = bind_local(port, 1)) == -1 || listen(fd, 128) == -1) {
		fprintf(stderr, "benchtool listen: 127.0.0.1:%d: %s\n", port,
		    strerror(errno));
		return 1;
	}
	t = now_ns();
	len = (size_t)snprintf(buf, sizeof(buf), "%lld\n", t);
	snprintf(tmp, sizeof(tmp), "%s.tmp", argv[2]);
	if ((out = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644))
	    == -1 || write(out, buf, len) != (ssize_t)len || close(out) == -1 ||
	    rename(tmp, argv[2]) == -1) {
		perror(argv[2]);
		return 1;
	}
	for (;;)
		if ((c = accept4(fd, NULL, NULL, SOCK_CLOEXEC)) != -1) {
			close(c);
			if (count != -1 && write(count, "c", 1) != 1) {
				perror(argv[3]);
				return 1;
			}
		} else if (errno != EINTR && errno != ECONNABORTED)
			pause_ms(10);	/* EMFILE and the like: do not spin */
}

static int
cmd_tick(int argc, char **argv)
{
	int fd;

	if (argc != 1)
		return 64;
	if ((fd = open(argv[0], O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC,
	    0644)) == -1 || write(fd, "t", 1) != 1 || close(fd) == -1) {
		perror(argv[0]);
		return 1;
	}
	return 0;
}

static int
cmd_count(int argc, char **argv)
{
	long long n, t0, left;
	struct pollfd pfd;
	struct stat sb;
	char ev[4096];
	int fd;

	if (argc != 3 || (n = atoll(argv[1])) < 0 || atoll(argv[2]) <= 0)
		return 64;
	/* the file exists before the watch: created empty if need be */
	if ((fd = open(argv[0], O_RDONLY | O_CREAT | O_CLOEXEC, 0644)) == -1 ||
	    (pfd.fd = inotify_init1(IN_CLOEXEC)) == -1 ||
	    inotify_add_watch(pfd.fd, argv[0], IN_MODIFY) == -1) {
		perror(argv[0]);
		return 1;
	}
	pfd.events = POLLIN;
	t0 = now_ns();
	for (;;) {
		if (fstat(fd, &sb) == -1) {
			perror(argv[0]);
			return 1;
		}
		if (sb.st_size >= n)
			break;
		left = atoll(argv[2]) * 1000 - (now_ns() - t0) / 1000000;
		if (left <= 0) {
			fprintf(stderr, "benchtool count: %s holds %lld of %lld "
			    "bytes after %s s\n", argv[0],
			    (long long)sb.st_size, n, argv[2]);
			return 1;
		}
		/* a second at most: a write between fstat and poll is seen */
		if (poll(&pfd, 1, left < 1000 ? (int)left : 1000) == 1)
			while (read(pfd.fd, ev, sizeof(ev)) == -1 &&
			    errno == EINTR)
				;
	}
	printf("%lld %lld\n", now_ns(), (long long)sb.st_size);
	return 0;
}

/* The number in a file (a listener's time), or -1 if none (yet). */
static long long
read_ns(const char *path)
{
	char buf[32], *end;
	long long v;
	ssize_t n;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	v = strtoll(buf, &end, 10);
	return end == buf || v <= 0 ? -1 : v;
}

static int
cmd_latency(int argc, char **argv)
{
	const char *pidfile, *exe, *timefile, *err;
	long long t0, t1, tl, cpu, t;
	struct pollfd pfd;
	int code;
	pid_t pid;

	if (argc < 6 || strcmp(argv[4], "--") != 0)
		return 64;
	pidfile = argv[0];
	exe = argv[1];
	timefile = argv[2];
	err = argv[3];
	argv += 5;
	t0 = now_ns();
	if ((pid = spawn(argv, NULL, 0, err)) == -1) {
		perror(argv[0]);
		return 1;
	}
	pfd = (struct pollfd){ .fd = pidfd_open_(pid), .events = POLLIN };
	while (pfd.fd != -1 && (code = poll(&pfd, 1, 30000)) != 1)
		if (code == 0 || errno != EINTR) {
			fprintf(stderr, "benchtool: %s has not returned after "
			    "30 s; killed\n", argv[0]);
			kill(pid, SIGKILL);
			wait_for(pid);
			return 1;
		}
	code = wait_cpu(pid, &cpu);
	t1 = now_ns();
	if (code != 0)
		return tool_failed(argv, code);
	/*
	 * The listener takes its time before it writes it: a probe may see
	 * the port open in between, so wait a little for the file.
	 */
	for (t = t1; (tl = read_ns(timefile)) == -1; t = now_ns()) {
		if (t - t1 > 2000000000LL) {
			fprintf(stderr, "benchtool: %s returned, but 2 s later "
			    "the port is still not open (no %s)\n", argv[0],
			    timefile);
			return 1;
		}
		pause_us(100);
	}
	if (tl > t1) {
		fprintf(stderr, "benchtool: %s returned %.3f ms before the "
		    "port was open\n", argv[0], (tl - t1) / 1e6);
		return 1;
	}
	if (await_ready(argv[0], pidfile, exe, 0, t1, t1, 100) == -1)
		return 1;
	printf("%lld %lld %lld\n", t1 - tl, t1 - t0, cpu);
	return 0;
}

/* Kill every child of ours; how many there were. */
static int
kill_children(void)
{
	pid_t kids[4096];
	int n, i;

	n = children(getpid(), 0, kids, 4096);
	for (i = 0; i < n; i++) {
		fprintf(stderr, "benchtool reap: killing leftover pid %d\n",
		    (int)kids[i]);
		kill(kids[i], SIGKILL);
	}
	return n;
}

static int
cmd_reap(int argc, char **argv)
{
	int st, code = 99, leftovers = 0;
	pid_t main_pid, pid;

	if (argc < 1)
		return 64;
	if (prctl(PR_SET_CHILD_SUBREAPER, 1) == -1) {
		perror("benchtool reap: PR_SET_CHILD_SUBREAPER");
		return 99;
	}
	if ((main_pid = fork()) == -1) {
		perror("benchtool reap: fork");
		return 99;
	}
	if (main_pid == 0) {
		execvp(argv[0], argv);
		perror(argv[0]);
		_exit(127);
	}
	signal(SIGINT, SIG_IGN);	/* ^C reaches the script; we clean up */
	sigaction(SIGTERM, &(struct sigaction){ .sa_handler = on_term }, NULL);
	for (;;) {
		pid = waitpid(-1, &st, 0);
		if (pid == -1 && errno == EINTR) {
			if (terminated)	/* the script cleans up, then we do */
				kill(main_pid, SIGTERM);
			terminated = 0;
			continue;
		}
		if (pid == -1)
			break;
		if (pid == main_pid) {
			code = WIFEXITED(st) ? WEXITSTATUS(st) :
			    128 + WTERMSIG(st);
			break;
		}
	}
	for (;;) {
		leftovers += kill_children();
		pid = waitpid(-1, &st, 0);
		if (pid == -1 && errno == ECHILD)
			break;
	}
	if (leftovers > 0 && code == 0) {
		fprintf(stderr, "benchtool reap: %d process(es) outlived the "
		    "benchmark\n", leftovers);
		code = 1;
	}
	return code;
}

int
main(int argc, char **argv)
{
	/* Nothing of ours leaks into the tools or their daemons. */
	syscall(SYS_close_range, 3U, ~0U, 4U /* CLOSE_RANGE_CLOEXEC */);
	prctl(PR_SET_TIMERSLACK, 1UL);
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc >= 2 && strcmp(argv[1], "reap") == 0)
		return cmd_reap(argc - 2, argv + 2);
	if (argc >= 2 && strcmp(argv[1], "start") == 0)
		return cmd_start(argc - 2, argv + 2);
	if (argc >= 2 && strcmp(argv[1], "stop") == 0)
		return cmd_stop(argc - 2, argv + 2);
	if (argc >= 2 && strcmp(argv[1], "kill") == 0)
		return cmd_kill(argc - 2, argv + 2);
	if (argc >= 2 && strcmp(argv[1], "fill") == 0)
		return cmd_fill(argc - 2, argv + 2);
	if (argc >= 2 && strcmp(argv[1], "writer") == 0)
		return cmd_writer(argc - 2, argv + 2);
	if (argc >= 2 && strcmp(argv[1], "port") == 0)
		return cmd_port(argc - 2, argv + 2);
	if (argc >= 2 && strcmp(argv[1], "listen") == 0)
		return cmd_listen(argc - 2, argv + 2);
	if (argc >= 2 && strcmp(argv[1], "latency") == 0)
		return cmd_latency(argc - 2, argv + 2);
	if (argc >= 2 && strcmp(argv[1], "tick") == 0)
		return cmd_tick(argc - 2, argv + 2);
	if (argc >= 2 && strcmp(argv[1], "count") == 0)
		return cmd_count(argc - 2, argv + 2);
	fprintf(stderr, "usage: benchtool reap|start|stop|kill|fill|writer|"
	    "port|listen|latency|tick|count ...\n");
	return 64;
}
