/*
 * Opening the files of -i, -o and -e.  Output files are appended to (or
 * truncated with --truncate) and created with mode 0640 less the
 * daemon's umask.  Creation goes through O_EXCL so that we know whether
 * the file is ours to remove if the start fails afterwards.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "output.h"
#include "paths.h"

#define OUTPUT_MODE	0640

static int
remember(struct outfile *of, int fd)
{
	struct stat sb;

	of->fd = fd;
	if (fstat(fd, &sb) == -1) {
		output_discard(of);
		return -1;
	}
	of->dev = sb.st_dev;
	of->ino = sb.st_ino;
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
	int flags = O_WRONLY | O_APPEND | O_CLOEXEC | O_NOCTTY;
	enum dir_safety safety;
	mode_t old;
	int fd;

	*of = (struct outfile){ .path = path, .fd = -1 };
	if (truncate)
		flags |= O_TRUNC;
	/* where others can plant a symbolic link, never follow one */
	if (paths_dir_safety(path, &safety) == -1 || safety != DIR_SAFE)
		flags |= O_NOFOLLOW;
	old = umask(0);
	fd = open(path, flags | O_CREAT | O_EXCL, OUTPUT_MODE & ~mask);
	umask(old);
	if (fd != -1)
		of->created = 1;
	else if (errno == EEXIST)
		fd = open(path, flags);
	if (fd == -1)
		return -1;
	return remember(of, fd);
}

int
output_open_read(struct outfile *of, const char *path)
{
	int fd;

	*of = (struct outfile){ .path = path, .fd = -1 };
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd == -1)
		return -1;
	return remember(of, fd);
}

/*
 * No -i, -o or -e: one /dev/null, read-write, is stdin, stdout and
 * stderr; out only borrows in's descriptor.
 */
int
output_open_null(struct outfile *in, struct outfile *out)
{
	*in = (struct outfile){ .path = "/dev/null" };
	in->fd = open(in->path, O_RDWR | O_CLOEXEC | O_NOCTTY);
	if (in->fd == -1)
		return -1;
	*out = *in;
	out->shared = 1;
	return 0;
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
