/*
 * testtool: small event-driven helpers for the black-box tests, so that
 * no test has to sleep and hope.
 *
 *   testtool waitgone PID SECS        exit 0 once PID has exited (a zombie
 *                                     counts), 1 after SECS
 *   testtool waitfile PATH SECS [N]   exit 0 once PATH holds at least N
 *                                     bytes (default 1), 1 after SECS
 *   testtool lockhold PATH TEXT READY lock PATH (flock), write TEXT into
 *                                     it, create READY, then wait for a
 *                                     signal
 *   testtool now                      print CLOCK_MONOTONIC in ms
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "sys.h"	/* pidfd_open() without a glibc wrapper */

static long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* True if pid is a zombie, dead or missing, by /proc/PID/stat. */
static int
stat_gone(pid_t pid)
{
	char path[64], buf[512], *p;
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if ((f = fopen(path, "r")) == NULL)
		return 1;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	/* "pid (comm) state ...": comm may hold anything but ')' last */
	if ((p = strrchr(buf, ')')) == NULL || p[1] != ' ')
		return n == 0;
	return p[2] == 'Z' || p[2] == 'X';
}

/*
 * Without pidfds (an old kernel, a seccomp profile) no event tells of
 * the exit: poll /proc, backing off from 1 ms to 50 ms.
 */
static int
waitgone_proc(pid_t pid, double secs)
{
	long long end = now_ms() + (long long)(secs * 1000);
	int ms = 1;

	while (!stat_gone(pid)) {
		if (now_ms() >= end)
			return 1;
		poll(NULL, 0, ms);
		if (ms < 50)
			ms *= 2;
	}
	return 0;
}

static int
waitgone(pid_t pid, double secs)
{
	struct pollfd pfd;
	int fd = sys_pidfd_open(pid);

	if (fd == -1 && (errno == ENOSYS || errno == EPERM))
		return waitgone_proc(pid, secs);
	if (fd == -1)
		return errno == ESRCH ? 0 : 2;
	pfd.fd = fd;
	pfd.events = POLLIN;
	return poll(&pfd, 1, (int)(secs * 1000)) == 1 ? 0 : 1;
}

static int
big_enough(const char *path, off_t min)
{
	struct stat sb;

	return stat(path, &sb) == 0 && sb.st_size >= min;
}

static int
waitfile(const char *path, double secs, off_t min)
{
	char *copy = strdup(path), buf[4096];
	long long end = now_ms() + (long long)(secs * 1000);
	struct pollfd pfd;
	int in, left, w = -1;

	in = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
	if (in != -1 && copy != NULL)
		w = inotify_add_watch(in, dirname(copy), IN_CREATE |
		    IN_MODIFY | IN_MOVED_TO | IN_CLOSE_WRITE | IN_ATTRIB);
	free(copy);
	if (w == -1) {
		perror("inotify");
		return 2;
	}
	pfd.fd = in;
	pfd.events = POLLIN;
	while (!big_enough(path, min)) {
		left = (int)(end - now_ms());
		if (left <= 0)
			return 1;
		if (poll(&pfd, 1, left) == 1)
			while (read(in, buf, sizeof(buf)) > 0)
				;
	}
	return 0;
}

static int
lockhold(const char *path, const char *text, const char *ready)
{
	int fd = open(path, O_RDWR | O_CREAT, 0644), r;

	if (fd == -1 || flock(fd, LOCK_EX) == -1) {
		perror(path);
		return 2;
	}
	if (ftruncate(fd, 0) == -1 ||
	    write(fd, text, strlen(text)) != (ssize_t)strlen(text)) {
		perror(path);
		return 2;
	}
	if ((r = open(ready, O_WRONLY | O_CREAT, 0644)) == -1 ||
	    write(r, "1", 1) != 1) {
		perror(ready);
		return 2;
	}
	close(r);
	for (;;)
		pause();
}

int
main(int argc, char **argv)
{
	if (argc == 4 && strcmp(argv[1], "waitgone") == 0)
		return waitgone((pid_t)atol(argv[2]), atof(argv[3]));
	if ((argc == 4 || argc == 5) && strcmp(argv[1], "waitfile") == 0)
		return waitfile(argv[2], atof(argv[3]),
		    argc == 5 ? atoll(argv[4]) : 1);
	if (argc == 5 && strcmp(argv[1], "lockhold") == 0)
		return lockhold(argv[2], argv[3], argv[4]);
	if (argc == 2 && strcmp(argv[1], "now") == 0) {
		printf("%lld\n", now_ms());
		return 0;
	}
	fprintf(stderr, "usage: testtool waitgone|waitfile|lockhold|now ...\n");
	return 2;
}
