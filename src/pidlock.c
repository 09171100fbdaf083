/*
 * The pidfile and its lock.
 *
 * A pidfile counts only while it is locked: detach start locks it with
 * libbsd's pidfile_open() before forking, and the lock lives on in the
 * daemon through an inherited descriptor, so it disappears exactly when
 * the daemon (and everything it shared the descriptor with) is gone.  A
 * file left behind by a kill -9 is therefore recognised as stale and
 * reclaimed instead of blocking every later start.
 *
 * libbsd's pidfile_open() follows symbolic links, truncates what it opens
 * and reports a busy lock as EINVAL when the file holds "PID\n" (its
 * reader wants no newline).  So the path is first pinned with an
 * O_NOFOLLOW open and checked to be a regular file, the locked descriptor
 * is checked to be that same file, and a failed pidfile_open() is
 * classified here by testing the lock on the pinned descriptor.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <libutil.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "parse.h"
#include "paths.h"
#include "pidlock.h"
#include "proc.h"

#define PIDFILE_MODE	0644
#define RETRY_STEP_NS	5000000L	/* 5 ms */
#define RETRY_STEPS	20		/* 100 ms in all */

static void
pause_step(void)
{
	struct timespec ts = { 0, RETRY_STEP_NS };

	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

/*
 * 1 if someone holds an exclusive lock on the file, 0 if not, -1 on
 * error.  Testing takes a shared lock for an instant, which makes a
 * racing pidfile_open() fail; pidlock_acquire() retries for that.
 */
static int
lock_held(int fd)
{
	if (flock(fd, LOCK_SH | LOCK_NB) == 0) {
		flock(fd, LOCK_UN);
		return 0;
	}
	return errno == EWOULDBLOCK ? 1 : -1;
}

/* Read the file: >= 0 bytes (NUL-terminated in buf), -1 on error. */
static ssize_t
read_content(int fd, char *buf, size_t size)
{
	ssize_t n;

	do
		n = pread(fd, buf, size - 1, 0);
	while (n == -1 && errno == EINTR);
	buf[n > 0 ? n : 0] = '\0';
	return n;
}

/* The pid a locked file records, or -1 while it holds none. */
static pid_t
locked_pid(int fd)
{
	char buf[32];
	ssize_t n;
	pid_t pid;

	n = read_content(fd, buf, sizeof(buf));
	if (n > 0 && parse_pid(buf, (size_t)n, &pid) == 0)
		return pid;
	return -1;
}

/*
 * Pin path: open it without following a symbolic link, creating it if
 * missing, and check it is a regular file.  A device or FIFO is refused
 * before it is opened at all, so opening has no side effect on it.
 */
static int
pin(const char *path, struct stat *sb)
{
	enum dir_safety safety;
	mode_t old;
	int fd;

	if (paths_dir_safety(path, &safety) == -1)
		return -1;
	if (safety == DIR_UNSAFE) {
		errno = EPERM;
		return -3;
	}
	if (lstat(path, sb) == 0 && !S_ISREG(sb->st_mode)) {
		errno = S_ISLNK(sb->st_mode) ? ELOOP : EINVAL;
		return -2;
	}
	old = umask(0);
	fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_NONBLOCK |
	    O_CLOEXEC | O_NOCTTY, PIDFILE_MODE);
	umask(old);
	if (fd == -1)
		return errno == ELOOP || errno == ENXIO ? -2 : -1;
	if (fstat(fd, sb) == -1 || !S_ISREG(sb->st_mode)) {
		close(fd);
		errno = EINVAL;
		return -2;
	}
	if (safety == DIR_STICKY && sb->st_uid != geteuid()) {
		close(fd);
		errno = EACCES;
		return -3;	/* someone else's file in /tmp */
	}
	return fd;
}

/*
 * Lock path for a start.  LOCK_BUSY sets *other to the running pid, or
 * to -1 when the holder has not written one yet.
 *
 * A busy lock is believed at once when the pid it records holds the
 * file or when no pid appears within 100 ms (libbsd's own wait).
 * Otherwise the holder may be a probe's shared lock of an instant, or a
 * stop removing a stale file, so the attempt is repeated for 100 ms.
 */
enum lock_result
pidlock_acquire(const char *path, struct pidlock *pl, pid_t *other)
{
	struct stat pinned, locked;
	mode_t old;
	int fd, held, saved, step;

	*other = -1;
	pl->pfh = NULL;
	pl->path = path;
	for (step = 0;; step++) {
		fd = pin(path, &pinned);
		if (fd < 0)
			return fd == -2 ? LOCK_NOTREG : fd == -3 ? LOCK_UNSAFE :
			    LOCK_ERROR;
		pl->dev = pinned.st_dev;
		pl->ino = pinned.st_ino;

		old = umask(0);
		pl->pfh = pidfile_open(path, PIDFILE_MODE, other);
		umask(old);
		saved = errno;
		if (pl->pfh != NULL) {
			if (fstat(pidfile_fileno(pl->pfh), &locked) == 0 &&
			    locked.st_dev == pinned.st_dev &&
			    locked.st_ino == pinned.st_ino)
				break;
			/* replaced between pin and lock: start over */
			pidfile_close(pl->pfh);
			pl->pfh = NULL;
		} else if (saved != EEXIST && saved != EINVAL &&
		    saved != EAGAIN && saved != EWOULDBLOCK) {
			close(fd);
			errno = saved;
			return LOCK_ERROR;
		} else {
			held = lock_held(fd);
			if (held == -1) {
				saved = errno;
				close(fd);
				errno = saved;
				return LOCK_ERROR;
			}
			*other = held ? locked_pid(fd) : -1;
			if (held && (saved == EEXIST && *other == -1))
				step = RETRY_STEPS;	/* libbsd waited */
			else if (held && *other > 1 &&
			    proc_holds(*other, pinned.st_dev,
			    pinned.st_ino) == 1)
				step = RETRY_STEPS;
			if (held && step >= RETRY_STEPS) {
				close(fd);
				return LOCK_BUSY;
			}
		}
		close(fd);
		if (step >= RETRY_STEPS * 2) {
			errno = EAGAIN;
			return LOCK_ERROR;
		}
		pause_step();
	}
	close(fd);
	/* Debian's libbsd 0.11.7 leaves the descriptor inheritable. */
	if (fcntl(pidfile_fileno(pl->pfh), F_SETFD, FD_CLOEXEC) == -1) {
		saved = errno;
		pidfile_remove(pl->pfh);
		pl->pfh = NULL;
		errno = saved;
		return LOCK_ERROR;
	}
	return LOCK_OK;
}

/*
 * Record pid.  libbsd's pidfile_write() would record getpid() without a
 * trailing newline; this writes "PID\n" in a single write, so a reader
 * sees either nothing or the whole line.
 */
int
pidlock_write(const struct pidlock *pl, pid_t pid)
{
	char buf[32];
	int fd = pidfile_fileno(pl->pfh), n;

	n = snprintf(buf, sizeof(buf), "%ld\n", (long)pid);
	if (ftruncate(fd, 0) == -1)
		return -1;
	if (pwrite(fd, buf, (size_t)n, 0) != n) {
		if (errno == 0)
			errno = ENOSPC;
		return -1;
	}
	return 0;
}

/* Let the lock pass through execve(): the command itself holds it. */
int
pidlock_inherit(const struct pidlock *pl)
{
	return fcntl(pidfile_fileno(pl->pfh), F_SETFD, 0);
}

int
pidlock_fd(const struct pidlock *pl)
{
	return pidfile_fileno(pl->pfh);
}

/* Failure: unlink the file we hold locked and drop the lock. */
void
pidlock_remove(struct pidlock *pl)
{
	int saved = errno;

	if (pl->pfh != NULL)
		pidfile_remove(pl->pfh);
	pl->pfh = NULL;
	errno = saved;
}

/* Success: forget our descriptor; the daemon's copy keeps the lock. */
void
pidlock_close(struct pidlock *pl)
{
	int saved = errno;

	if (pl->pfh != NULL)
		pidfile_close(pl->pfh);
	pl->pfh = NULL;
	errno = saved;
}

static int
pid_alive(pid_t pid)
{
	int fd, exited;

	if ((fd = proc_pidfd_open(pid)) == -1)
		return errno == ESRCH ? 0 : 1;
	exited = proc_pidfd_exited(fd);
	close(fd);
	return exited != 1;
}

/*
 * Classify a locked pidfile by its recorded pid.  The pid counts only if
 * the process itself has the file open.
 */
static void
classify_locked(struct probe *pr)
{
	int h = proc_holds(pr->pid, pr->dev, pr->ino);

	if (h == 1) {
		pr->state = PROBE_RUNNING;
		return;
	}
	if (h == -1 && errno == EACCES && pid_alive(pr->pid)) {
		pr->state = PROBE_UNVERIFIED;
		return;
	}
	pr->nholders = proc_find_holders(pr->dev, pr->ino, pr->holders,
	    PROC_HOLDERS_MAX);
	if (pr->nholders > 0 && !pid_alive(pr->pid))
		pr->state = PROBE_ORPHANED;
	else
		pr->state = PROBE_FOREIGN;
}

/*
 * Probe path for stop, status and signal.  Never unlinks or writes; the
 * only lock taken is the instant shared one of lock_held().
 */
static void probe_once(const char *, struct probe *);

/*
 * A daemon exiting in the middle of a probe can look like a lock held by
 * nobody visible: the lock was seen, then neither the pid nor any holder.
 * Look again before calling that a foreign lock.
 */
void
pidlock_probe(const char *path, struct probe *pr)
{
	int tries;

	for (tries = 0; tries < 3; tries++) {
		probe_once(path, pr);
		if (pr->state != PROBE_FOREIGN || pr->nholders > 0 ||
		    pid_alive(pr->pid))
			break;
	}
}

static void
probe_once(const char *path, struct probe *pr)
{
	char buf[64];
	struct stat sb;
	ssize_t n;
	int fd, held, step;

	*pr = (struct probe){ .state = PROBE_ERROR };
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC |
	    O_NOCTTY);
	if (fd == -1) {
		pr->err = errno;
		pr->state = errno == ENOENT ? PROBE_NOFILE :
		    errno == ELOOP ? PROBE_NOTREG : PROBE_ERROR;
		return;
	}
	if (fstat(fd, &sb) == -1) {
		pr->err = errno;
		close(fd);
		return;
	}
	if (!S_ISREG(sb.st_mode)) {
		pr->state = PROBE_NOTREG;
		close(fd);
		return;
	}
	pr->dev = sb.st_dev;
	pr->ino = sb.st_ino;
	if ((held = lock_held(fd)) == -1 ||
	    (n = read_content(fd, buf, sizeof(buf))) == -1) {
		pr->err = errno;
		close(fd);
		return;
	}
	/* A start in progress: locked, and the pid comes in a moment. */
	for (step = 0; held && n == 0 && step < RETRY_STEPS; step++) {
		pause_step();
		n = read_content(fd, buf, sizeof(buf));
		held = lock_held(fd);
	}
	close(fd);
	if (n > 0 && parse_pid(buf, (size_t)n, &pr->pid) == -1) {
		pr->pid = 0;
		snprintf(pr->text, sizeof(pr->text), "%.*s",
		    (int)strcspn(buf, "\n"), buf);
	}
	if (held == 0) {
		pr->state = PROBE_STALE;
		pr->pid_alive = pr->pid > 1 && pid_alive(pr->pid);
	} else if (n <= 0)
		pr->state = PROBE_NOPID;
	else if (pr->pid == 0)
		pr->state = PROBE_BADPID;
	else
		classify_locked(pr);
}

/*
 * Remove a pidfile nobody holds: only the file probed (same device and
 * inode), only while we hold its lock, and only if it is still at path.
 * 0 removed (or already gone), 1 locked by someone: left alone, -1 error.
 */
int
pidlock_remove_stale(const char *path, dev_t dev, ino_t ino)
{
	enum dir_safety safety;
	struct stat sb;
	int fd, r = -1, saved;

	fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC |
	    O_NOCTTY);
	if (fd == -1)
		return errno == ENOENT ? 0 : -1;
	if (fstat(fd, &sb) == -1)
		goto out;
	if (!S_ISREG(sb.st_mode) || sb.st_dev != dev || sb.st_ino != ino) {
		r = 1;
		goto out;
	}
	if (paths_dir_safety(path, &safety) == -1 || safety == DIR_UNSAFE ||
	    (safety == DIR_STICKY && sb.st_uid != geteuid())) {
		r = 1;	/* others could swap it under us: leave it */
		goto out;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) == -1) {
		r = errno == EWOULDBLOCK ? 1 : -1;
		goto out;
	}
	if (lstat(path, &sb) == -1) {
		r = errno == ENOENT ? 0 : -1;
		goto out;
	}
	if (sb.st_dev != dev || sb.st_ino != ino) {
		r = 1;
		goto out;
	}
	r = unlink(path) == -1 && errno != ENOENT ? -1 : 0;
out:
	saved = errno;
	close(fd);
	errno = saved;
	return r;
}
