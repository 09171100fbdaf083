/*
 * Opening the files of -i, -o and -e.  Output files are appended to (or
 * truncated with --truncate) and created with mode 0640 less the
 * daemon's umask.  Creation goes through O_EXCL so that we know whether
 * the file is ours to remove if the start fails afterwards.
 *
 * Every output file is opened without following a symbolic link and
 * without blocking: only regular files, character devices and FIFOs
 * that have a reader are accepted (a FIFO without one fails at once
 * with ENXIO instead of hanging), and the descriptor is checked after
 * the open, not the path before it.  /dev/null is never created: it must
 * be the character device.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "output.h"

#define OUTPUT_MODE	0640
#define NULL_PATH	"/dev/null"

/* Keep fd in of if check() accepts it; close it otherwise. */
static int
adopt(struct outfile *of, int fd, int (*check)(int, struct stat *))
{
	struct stat sb;
	int saved;

	if (fd == -1)
		return -1;
	if (check(fd, &sb) == -1) {
		saved = errno;
		close(fd);
		errno = saved;
		return -1;
	}
	of->fd = fd;
	of->dev = sb.st_dev;
	of->ino = sb.st_ino;
	return 0;
}

static int
check_input(int fd, struct stat *sb)
{
	return fstat(fd, sb);
}

/*
 * What an output may be, checked on the opened descriptor.  A FIFO
 * opened with O_NONBLOCK goes back to blocking writes: the daemon
 * writes to it like to any file.
 */
static int
check_output(int fd, struct stat *sb)
{
	int fl;

	if (fstat(fd, sb) == -1)
		return -1;
	if (S_ISDIR(sb->st_mode)) {
		errno = EISDIR;
		return -1;
	}
	if (!S_ISREG(sb->st_mode) && !S_ISCHR(sb->st_mode) &&
	    !S_ISFIFO(sb->st_mode)) {
		errno = EINVAL;
		return -1;
	}
	if ((fl = fcntl(fd, F_GETFL)) == -1 ||
	    fcntl(fd, F_SETFL, fl & ~O_NONBLOCK) == -1)
		return -1;
	return 0;
}

/*
 * mask is the daemon's umask; the caller's own umask must not matter,
 * so the mode is computed here and applied with umask 0.
 */
int
output_open_write(struct outfile *of, const char *path, int truncate,
    mode_t mask)
{
	int flags = O_WRONLY | O_APPEND | O_CLOEXEC | O_NOCTTY | O_NOFOLLOW |
	    O_NONBLOCK;
	mode_t old;
	int fd;

	*of = (struct outfile){ .path = path, .fd = -1 };
	old = umask(0);
	fd = open(path, flags | O_CREAT | O_EXCL, OUTPUT_MODE & ~mask);
	umask(old);
	if (fd != -1)
		of->created = 1;
	else if (errno == EEXIST)
		fd = open(path, flags | (truncate ? O_TRUNC : 0));
	return adopt(of, fd, check_output);
}

int
output_open_read(struct outfile *of, const char *path)
{
	*of = (struct outfile){ .path = path, .fd = -1 };
	return adopt(of, open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY),
	    check_input);
}

/* /dev/null, opened with flags, and checked to be the null device. */
int
output_null_fd(int flags)
{
	struct stat sb;
	int fd;

	fd = open(NULL_PATH, flags | O_CLOEXEC | O_NOCTTY | O_NOFOLLOW);
	if (fd == -1)
		return -1;
	if (fstat(fd, &sb) == -1 || !S_ISCHR(sb.st_mode) ||
	    sb.st_rdev != makedev(1, 3)) {
		close(fd);
		errno = ENODEV;
		return -1;
	}
	return fd;
}

/*
 * /dev/null, read-write, as in; out (unless NULL) borrows its
 * descriptor, so that one open serves stdin, stdout and stderr.
 */
int
output_open_null(struct outfile *in, struct outfile *out)
{
	*in = (struct outfile){ .path = NULL_PATH };
	if ((in->fd = output_null_fd(O_RDWR)) == -1)
		return -1;
	if (out != NULL) {
		*out = *in;
		out->shared = 1;
	}
	return 0;
}

/* Why an output could not be opened, in the words of this module. */
const char *
output_strerror(int err)
{
	switch (err) {
	case ENXIO:
		return "a FIFO without a reader: refusing it as output";
	case ELOOP:
		return "a symbolic link: refusing to follow it";
	case ENODEV:
		return "not the null device (1,3): refusing it";
	case EINVAL:
		return "not a regular file, character device or FIFO";
	default:
		return strerror(err);
	}
}

/* The start failed: close, and unlink the file if we created it. */
void
output_discard(struct outfile *of)
{
	struct stat sb;
	int saved = errno;

	if (of->created && lstat(of->path, &sb) == 0 &&
	    sb.st_dev == of->dev && sb.st_ino == of->ino && sb.st_size == 0)
		unlink(of->path);
	of->created = 0;
	output_close(of);
	errno = saved;
}

void
output_close(struct outfile *of)
{
	if (of->fd != -1 && !of->shared)
		close(of->fd);
	of->fd = -1;
}
