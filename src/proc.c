/*
 * Process inspection for the holder check.  A pidfile proves nothing by
 * itself: detach signals pid N only if N has the pidfile open, which
 * /proc/N/fd shows (each entry, followed by stat(2), is the open file).
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/pidfd.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "parse.h"
#include "proc.h"

/* Is the entry name of directory dfd the file (dev, ino)? */
static int
stat_is(int dfd, const char *name, dev_t dev, ino_t ino)
{
	struct stat sb;

	return fstatat(dfd, name, &sb, 0) == 0 && sb.st_dev == dev &&
	    sb.st_ino == ino;
}

/*
 * 1 if pid has a descriptor open on (dev, ino), 0 if not, -1 with errno
 * (ESRCH: no such process; EACCES: not ours to inspect).
 */
int
proc_holds(pid_t pid, dev_t dev, ino_t ino)
{
	char path[64], name[2] = "0";
	struct dirent *de;
	DIR *d;
	int dfd, found = 0, saved, std = 0;

	snprintf(path, sizeof(path), "/proc/%ld/fd", (long)pid);
	if ((d = opendir(path)) == NULL) {
		if (errno == ENOENT)
			errno = ESRCH;
		return -1;
	}
	dfd = dirfd(d);
	errno = 0;
	while (!found && (de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		/* a lock is rarely a standard file: look at those last */
		if (de->d_name[0] >= '0' && de->d_name[0] <= '2' &&
		    de->d_name[1] == '\0') {
			std |= 1 << (de->d_name[0] - '0');
			continue;
		}
		found = stat_is(dfd, de->d_name, dev, ino);
		errno = 0;
	}
	saved = errno;
	for (name[0] = '0'; !found && name[0] <= '2'; name[0]++)
		if (std & 1 << (name[0] - '0'))
			found = stat_is(dfd, name, dev, ino);
	closedir(d);
	if (!found && saved != 0) {
		errno = saved;
		return -1;
	}
	return found;
}

/*
 * Every process that has (dev, ino) open, up to max of them; processes
 * we may not inspect are skipped.  Used to name the culprits when a
 * pidfile is held by someone other than the pid it records.
 */
int
proc_find_holders(dev_t dev, ino_t ino, pid_t *out, int max)
{
	struct dirent *de;
	DIR *d;
	pid_t pid;
	int n = 0;

	if ((d = opendir("/proc")) == NULL)
		return 0;
	while (n < max && (de = readdir(d)) != NULL) {
		if (parse_pid(de->d_name, strlen(de->d_name), &pid) == -1)
			continue;
		if (pid == getpid())
			continue;
		if (proc_holds(pid, dev, ino) == 1)
			out[n++] = pid;
	}
	closedir(d);
	return n;
}

int
proc_pidfd_open(pid_t pid)
{
	return pidfd_open(pid, 0);
}

/*
 * A pidfd polls readable once its process has exited, zombie or not:
 * a zombie still accepts signals, so this is checked before any.
 */
int
proc_pidfd_exited(int pidfd)
{
	return proc_pidfd_wait(pidfd, 0);
}

/*
 * Wait up to ms milliseconds (-1: forever) for the process to exit.
 * 1 exited, 0 still running, -1 error.
 */
int
proc_pidfd_wait(int pidfd, int64_t ms)
{
	struct pollfd pfd = { .fd = pidfd, .events = POLLIN };
	struct timespec now, end;
	int64_t left = ms;
	int r;

	clock_gettime(CLOCK_MONOTONIC, &end);
	end.tv_sec += ms / 1000;
	end.tv_nsec += (ms % 1000) * 1000000;
	for (;;) {
		r = poll(&pfd, 1, left < 0 ? -1 : left > INT32_MAX ? INT32_MAX :
		    (int)left);
		if (r > 0)
			return 1;
		if (r == -1 && errno != EINTR)
			return -1;
		if (ms < 0)
			continue;
		clock_gettime(CLOCK_MONOTONIC, &now);
		left = (int64_t)(end.tv_sec - now.tv_sec) * 1000 +
		    (end.tv_nsec - now.tv_nsec) / 1000000;
		if (left <= 0)
			return 0;
	}
}

/*
 * Read a small file whole: the bytes read (NUL-terminated in buf), or -1.
 * flags are added to O_RDONLY | O_CLOEXEC.
 */
ssize_t
proc_read(const char *path, int flags, char *buf, size_t size)
{
	ssize_t n;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC | flags)) == -1)
		return -1;
	do
		n = read(fd, buf, size - 1);
	while (n == -1 && errno == EINTR);
	close(fd);
	buf[n > 0 ? n : 0] = '\0';
	return n;
}

/* The parent of pid, from /proc/PID/stat; -1 if unknown. */
pid_t
proc_parent(pid_t pid)
{
	char path[64], buf[512], *p;
	ssize_t n;
	long ppid;

	snprintf(path, sizeof(path), "/proc/%ld/stat", (long)pid);
	if ((n = proc_read(path, 0, buf, sizeof(buf))) <= 0)
		return -1;
	/* "pid (comm) state ppid ...": comm may contain anything */
	if ((p = strrchr(buf, ')')) == NULL ||
	    sscanf(p + 1, " %*c %ld", &ppid) != 1)
		return -1;
	return (pid_t)ppid;
}

/*
 * Send sig to every child of ours.  A subreaper inherits every orphaned
 * descendant, so repeating this until wait() finds no child reaches them
 * all.  /proc/PID/task/TID/children is not on every kernel: scan /proc.
 */
int
proc_kill_children(int sig)
{
	struct dirent *de;
	pid_t me = getpid(), pid;
	DIR *d;
	int n = 0;

	if ((d = opendir("/proc")) == NULL)
		return -1;
	while ((de = readdir(d)) != NULL) {
		if (parse_pid(de->d_name, strlen(de->d_name), &pid) == -1)
			continue;
		if (proc_parent(pid) == me && kill(pid, sig) == 0)
			n++;
	}
	closedir(d);
	return n;
}
