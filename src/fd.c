/*
 * One close_range() call where the kernel has it (5.9, 5.11 for
 * CLOSE_RANGE_CLOEXEC); otherwise a walk over the descriptors actually
 * open, as /proc/self/fd lists them, never a loop up to RLIMIT_NOFILE.
 * Closing a tail goes through libbsd's closefrom(), which falls back the
 * same way.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include "fd.h"
#include "parse.h"
#include "sys.h"

/* Each open descriptor >= lo that is not dfd itself. */
static int
each_fd(int lo, int (*fn)(int, void *), void *arg)
{
	struct dirent *de;
	DIR *d;
	long fd;
	char *end;

	if ((d = opendir("/proc/self/fd")) == NULL)
		return -1;
	while ((de = readdir(d)) != NULL) {
		errno = 0;
		fd = strtol(de->d_name, &end, 10);
		if (*end != '\0' || end == de->d_name || errno != 0 ||
		    fd < lo || fd == dirfd(d))
			continue;
		fn((int)fd, arg);
	}
	closedir(d);
	return 0;
}

static int
set_cloexec(int fd, void *arg)
{
	(void)arg;
	return fcntl(fd, F_SETFD, FD_CLOEXEC);
}

/* Mark every descriptor from lo up close-on-exec, closing none now. */
int
fd_cloexec_from(int lo)
{
	if (sys_close_range((unsigned)lo, ~0U, CLOSE_RANGE_CLOEXEC) == 0)
		return 0;
	return each_fd(lo, set_cloexec, NULL);
}

struct keep {
	const int	*fds;
	int		 n;
};

static int
kept(const struct keep *k, int fd)
{
	int i;

	for (i = 0; i < k->n; i++)
		if (k->fds[i] == fd)
			return 1;
	return 0;
}

static int
close_unkept(int fd, void *arg)
{
	return kept(arg, fd) ? 0 : close(fd);
}

/*
 * Close every descriptor from 3 up but the n in keep (-1 entries are
 * ignored).  The gaps between kept descriptors are closed one range
 * each, the tail by closefrom().
 */
int
fd_close_except(const int *keep, int n)
{
	struct keep k = { keep, n };
	int lo = 3, next, i, fd;

	for (;;) {
		for (i = 0, next = -1; i < n; i++)
			if (keep[i] >= lo && (next == -1 || keep[i] < next))
				next = keep[i];
		if (next == -1)
			break;
		if (next > lo && sys_close_range((unsigned)lo,
		    (unsigned)next - 1, 0) == -1) {
			/* no close_range(): the gap is small, or a walk */
			if (next - lo > 64)
				return each_fd(3, close_unkept, &k);
			for (fd = lo; fd < next; fd++)
				close(fd);
		}
		lo = next + 1;
	}
	closefrom(lo);
	return 0;
}
