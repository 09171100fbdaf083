/*
 * A small file is replaced as daemontools and runit replace their status
 * files: written to a fresh temporary file in the same directory, then
 * renamed over the old one, so that a reader sees the old or the new
 * content, never a mix.  It is believed only if root or we wrote it:
 * one that anybody else could have written could say anything.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "smallfile.h"

/* PATH + suffix, e.g. the pidfile's ".state". */
int
smallfile_sibling(const char *path, const char *suffix, char *buf,
    size_t len)
{
	int n = snprintf(buf, len, "%s%s", path, suffix);

	if (n < 0 || (size_t)n >= len) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return 0;
}

/* Replace path with n bytes of buf, mode 0644.  0, or -1 with errno. */
int
smallfile_replace(const char *path, const char *buf, size_t n)
{
	char tmp[PATH_MAX + 8];
	int fd, saved;

	if (smallfile_sibling(path, ".XXXXXX", tmp, sizeof(tmp)) == -1)
		return -1;
	if ((fd = mkostemp(tmp, O_CLOEXEC)) == -1)
		return -1;
	errno = 0;
	if (write(fd, buf, n) != (ssize_t)n || fchmod(fd, 0644) == -1 ||
	    close(fd) == -1 || rename(tmp, path) == -1) {
		saved = errno != 0 ? errno : ENOSPC;
		close(fd);
		unlink(tmp);
		errno = saved;
		return -1;
	}
	return 0;
}

/*
 * Read path into buf, NUL-terminated: its length, or -1 with errno
 * ENOENT (there is none), EPERM (someone other than root or us wrote
 * it: not believed), EINVAL (not a regular file), or why it could not be
 * read.
 */
ssize_t
smallfile_read(const char *path, char *buf, size_t len)
{
	struct stat sb = { .st_mode = S_IFREG };	/* if fstat() fails */
	ssize_t n;
	int fd, saved;

	fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC |
	    O_NOCTTY);
	if (fd == -1)
		return -1;
	if (fstat(fd, &sb) == -1 || !S_ISREG(sb.st_mode) ||
	    (sb.st_uid != 0 && sb.st_uid != geteuid())) {
		saved = !S_ISREG(sb.st_mode) ? EINVAL :
		    sb.st_uid != 0 && sb.st_uid != geteuid() ? EPERM : errno;
		close(fd);
		errno = saved;
		return -1;
	}
	do
		n = pread(fd, buf, len - 1, 0);
	while (n == -1 && errno == EINTR);
	saved = errno;
	close(fd);
	if (n == -1) {
		errno = saved;
		return -1;
	}
	buf[n] = '\0';
	return n;
}
