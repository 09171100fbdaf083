/*
 * The pidfile and its lock.
 *
 * start locks the pidfile with libbsd's flopen() before forking, and the
 * lock lives on in the daemon through an inherited descriptor.  The lock
 * is the mutex of detach's own verbs and a hint that the daemon lives;
 * who the daemon is, is in the record beside the pidfile (svstate.c), so
 * a daemon that closes its descriptors stays known.
 *
 * The path is checked first: a symbolic link, a device or a FIFO is
 * refused before it is opened, and so is a pidfile in a directory where
 * others could swap it.  flopen() then opens without following a link,
 * locks, and makes sure the path still names the file it locked.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <libutil.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "paths.h"
#include "pidlock.h"

#define PIDFILE_MODE	0644

/*
 * 1 if someone holds an exclusive lock on the file, 0 if not, -1 on
 * error.  Testing takes a shared lock for an instant, which makes a
 * racing start's lock fail; pidlock_acquire()'s caller retries for that.
 */
int
pidlock_held(int fd)
{
	if (flock(fd, LOCK_SH | LOCK_NB) == 0) {
		flock(fd, LOCK_UN);
		return 0;
	}
	return errno == EWOULDBLOCK ? 1 : -1;
}

/* Refuse what could be swapped under us, or is not a regular file. */
static enum lock_result
check_path(const char *path)
{
	enum dir_safety safety;
	struct stat sb;
	int have;

	if (paths_dir_safety(path, &safety) == -1)
		return LOCK_ERROR;
	if (safety == DIR_UNSAFE) {
		errno = EPERM;
		return LOCK_UNSAFE;
	}
	if (!(have = lstat(path, &sb) == 0) && errno != ENOENT)
		return LOCK_ERROR;
	if (have && !S_ISREG(sb.st_mode)) {
		errno = S_ISLNK(sb.st_mode) ? ELOOP : EINVAL;
		return LOCK_NOTREG;
	}
	if (have && safety == DIR_STICKY && sb.st_uid != geteuid()) {
		errno = EACCES;
		return LOCK_UNSAFE;	/* someone else's file in /tmp */
	}
	return LOCK_OK;
}

static enum lock_result
lock_path(const char *path, struct pidlock *pl, int create)
{
	enum lock_result r;
	struct stat sb = { .st_mode = S_IFREG };	/* if fstat() fails */
	mode_t old;
	int fd, saved;

	*pl = (struct pidlock){ .fd = -1, .path = path };
	if ((r = check_path(path)) != LOCK_OK)
		return r;
	old = umask(0);
	fd = flopen(path, O_RDWR | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC |
	    O_NOCTTY | (create ? O_CREAT : 0), PIDFILE_MODE);
	umask(old);
	if (fd == -1) {
		if (errno == EWOULDBLOCK)
			return LOCK_BUSY;
		return errno == ELOOP || errno == ENXIO ? LOCK_NOTREG :
		    LOCK_ERROR;
	}
	if (fstat(fd, &sb) == -1 || !S_ISREG(sb.st_mode)) {
		saved = S_ISREG(sb.st_mode) ? errno : EINVAL;
		close(fd);
		errno = saved;
		return saved == EINVAL ? LOCK_NOTREG : LOCK_ERROR;
	}
	pl->fd = fd;
	pl->dev = sb.st_dev;
	pl->ino = sb.st_ino;
	return LOCK_OK;
}

/*
 * Lock path for a start, creating it if need be.  The file is left as
 * it was: whether what it names still runs is for the caller to find
 * out (a daemon may run without the lock) before it writes.
 */
enum lock_result
pidlock_acquire(const char *path, struct pidlock *pl)
{
	return lock_path(path, pl, 1);
}

/* Record pid as "PID\n", in a single write: a reader sees all or nothing. */
int
pidlock_write(const struct pidlock *pl, pid_t pid)
{
	char buf[32];
	int n;

	n = snprintf(buf, sizeof(buf), "%ld\n", (long)pid);
	if (ftruncate(pl->fd, 0) == -1)
		return -1;
	if (pwrite(pl->fd, buf, (size_t)n, 0) != n) {
		if (errno == 0)
			errno = ENOSPC;
		return -1;
	}
	return 0;
}

/*
 * Record who the daemon is, then name it in the pidfile: a reader that
 * sees the pid finds its record.
 */
int
pidlock_record(const struct pidlock *pl, const struct svstate *st)
{
	char path[PATH_MAX];

	if (svstate_path(pl->path, path, sizeof(path)) == -1 ||
	    svstate_write(path, st) == -1)
		return -1;
	return pidlock_write(pl, st->pid);
}

/* Let the lock pass through execve(): the command itself holds it. */
int
pidlock_inherit(const struct pidlock *pl)
{
	return fcntl(pl->fd, F_SETFD, 0);
}

int
pidlock_fd(const struct pidlock *pl)
{
	return pl->fd;
}

/*
 * Failure, or a supervisor's exit: unlink the pidfile we hold locked
 * (if the path still names it) and its record, and drop the lock.
 */
void
pidlock_remove(struct pidlock *pl)
{
	struct stat sb;
	int saved = errno;

	if (pl->fd == -1)
		return;
	if (lstat(pl->path, &sb) == 0 && sb.st_dev == pl->dev &&
	    sb.st_ino == pl->ino) {
		svstate_remove(pl->path);
		unlink(pl->path);
	}
	pidlock_close(pl);
	errno = saved;
}

/* Success: forget our descriptor; the daemon's copy keeps the lock. */
void
pidlock_close(struct pidlock *pl)
{
	int saved = errno;

	if (pl->fd != -1)
		close(pl->fd);
	pl->fd = -1;
	errno = saved;
}

/*
 * Remove a pidfile whose daemon is gone, with its record: only the file
 * probed (same device and inode), only while we hold its lock, and only
 * if it is still at path.  0 removed (or already gone), 1 locked by
 * someone or replaced: left alone, -1 error.
 */
int
pidlock_remove_stale(const char *path, dev_t dev, ino_t ino)
{
	struct pidlock pl;
	int r;

	switch (lock_path(path, &pl, 0)) {
	case LOCK_OK:
		break;
	case LOCK_BUSY:
	case LOCK_NOTREG:
	case LOCK_UNSAFE:
		return 1;
	default:
		return errno == ENOENT ? 0 : -1;
	}
	r = 1;
	if (pl.dev == dev && pl.ino == ino) {
		pidlock_remove(&pl);
		r = 0;
	}
	pidlock_close(&pl);
	return r;
}
