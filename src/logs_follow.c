/*
 * detach logs -f: after the last lines, what is appended to the output
 * files, as tail -F prints it, until SIGINT or SIGTERM (status 0).
 *
 * A file is followed by name.  Each wake-up looks at every file: what was
 * appended to the descriptor held is printed; a size below what was
 * printed means the file was cut (copytruncate), and it is read again
 * from its start; a name that now stands for another file means a
 * rotation or a reopen (logs_rotate.c); a name that stands for nothing
 * is waited for, the old descriptor still read meanwhile.
 *
 * inotify wakes us on writes to the files and on names made or removed
 * in their directories.  Events are not trusted for details (they are
 * dropped on overflow, and a rename can outrun them): any event, or the
 * safety timeout, means "look at everything again".  Without inotify
 * (ENOSYS, EMFILE, EPERM in some containers) we look every 200 ms.
 */
#include "config.h"

#include <err.h>
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "detach.h"
#include "logs_int.h"

#define SAFETY_MS	1000	/* with inotify: in case an event is lost */
#define BLIND_MS	200	/* without it */

#define FILE_EVENTS	(IN_MODIFY | IN_CLOSE_WRITE)
#define DIR_EVENTS	(IN_CREATE | IN_MOVED_TO | IN_MOVED_FROM | \
	    IN_DELETE | IN_ONLYDIR)

/* Set by the handler of SIGINT and SIGTERM: a flag is all it may touch. */
static volatile sig_atomic_t follow_stop;

static void	on_stop(int);
static int	signals_init(void);
static void	watch_dirs(struct logs *);
static int	follow_file(struct logs *, int);
static int	follow_appeared(struct logs *, int);
static int	follow_wait(struct logs *);
static void	events_drain(struct logs *);

static void
on_stop(int sig)
{
	follow_stop = sig;
}

/* Has SIGINT or SIGTERM come?  Never, without -f: no handler is set. */
int
logs_interrupted(void)
{
	return follow_stop != 0;
}

/*
 * No SA_RESTART: a write blocked on a full pipe must return EINTR, so
 * that a signal ends us even then.  Both are unblocked, in case we were
 * started with them blocked.
 */
static int
signals_init(void)
{
	struct sigaction sa = { .sa_handler = on_stop };
	sigset_t set;

	sigemptyset(&sa.sa_mask);
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	if (sigaction(SIGINT, &sa, NULL) == -1 ||
	    sigaction(SIGTERM, &sa, NULL) == -1 ||
	    sigprocmask(SIG_UNBLOCK, &set, NULL) == -1) {
		warn("signals");
		return -1;
	}
	return 0;
}

/*
 * Watch the file path names now, as *wd, instead of the one *wd watched.
 * Without a watch, we look more often.
 */
void
logs_watch(struct logs *l, const char *path, int *wd)
{
	int w;

	if (l->ifd == -1)
		return;
	w = inotify_add_watch(l->ifd, path, FILE_EVENTS);
	if (*wd != w)
		logs_unwatch(l, wd);
	if ((*wd = w) == -1)
		l->poll_ms = BLIND_MS;
}

void
logs_unwatch(struct logs *l, int *wd)
{
	if (l->ifd != -1 && *wd != -1)
		inotify_rm_watch(l->ifd, *wd);
	*wd = -1;
}

static void
watch_dirs(struct logs *l)
{
	char dir[PATH_MAX];
	int i;

	l->poll_ms = BLIND_MS;
	if ((l->ifd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC)) == -1)
		return;
	l->poll_ms = SAFETY_MS;
	for (i = 0; i < l->n; i++) {
		snprintf(dir, sizeof(dir), "%s", l->f[i].path);
		if (inotify_add_watch(l->ifd, dirname(dir), DIR_EVENTS) == -1)
			l->poll_ms = BLIND_MS;
		if (l->f[i].fd != -1)
			logs_watch(l, l->f[i].path, &l->f[i].wd);
	}
}

/*
 * Follow the files, l->f[i].off printed of each.  The exit code: 0 once
 * a signal came or the reader went away, 3 if output failed.
 */
int
logs_follow(struct logs *l)
{
	int i;

	if (signals_init() == -1)
		return EXIT_TROUBLE;
	watch_dirs(l);
	for (;;) {
		for (i = 0; i < l->n; i++)
			if (follow_file(l, i) == -1)
				return l->code;
		if (follow_wait(l) == -1)
			return l->code;
	}
}

/*
 * One look at one file.  The name is looked at before the descriptor is
 * read: once the new file it names holds something, the writer has
 * moved to it and writes no more to the old one, so reading the old one
 * to its end after that gets all it will ever hold.  While the new file
 * is empty the old one is still read: logrotate creates the new file
 * before it has the daemon reopen (detach reopen), and the daemon goes
 * on writing to the old one until then.  The new one is watched
 * meanwhile, so that its first write wakes us.
 */
static int
follow_file(struct logs *l, int i)
{
	struct logfile *f = &l->f[i];
	struct stat named, held;
	int moved;

	if (f->fd == -1)
		return follow_appeared(l, i);
	moved = stat(f->path, &named) == 0 && !logs_same(&named, f);
	if (moved && named.st_size == 0) {
		logs_watch(l, f->path, &f->wd_new);
		moved = 0;
	} else if (!moved)
		f->tries = 0;
	if (fstat(f->fd, &held) == 0 && held.st_size < f->off) {
		warnx("%s: file truncated", f->path);
		f->off = 0;
	}
	if (logs_copy(l, i, f->fd, f->off, LOGS_TO_EOF, &f->off) == -1)
		return -1;
	return moved ? logs_rotated(l, i) : 0;
}

/* A file that could not be opened so far: read it whole once it can. */
static int
follow_appeared(struct logs *l, int i)
{
	struct logfile *f = &l->f[i];
	struct stat st;

	if ((f->fd = logs_open(f->path, &st)) == -1)
		return 0;
	f->dev = st.st_dev;
	f->ino = st.st_ino;
	f->off = 0;
	if (i == 1 && l->f[0].fd != -1 && logs_same(&st, &l->f[0])) {
		close(f->fd);	/* what -o names, under another name */
		f->fd = -1;
		return 0;
	}
	logs_watch(l, f->path, &f->wd);
	return logs_copy(l, i, f->fd, 0, LOGS_TO_EOF, &f->off);
}

/*
 * Sleep until an event, the timeout or a signal: -1 once a signal came
 * or the reader of our output went away.  The signals are blocked from
 * the look at the flag on, and ppoll() unblocks them as it starts to
 * wait, so one that comes just before cannot be slept through.  stdout
 * is polled for no event: a pipe or socket whose reader is gone reports
 * POLLERR or POLLHUP all the same, and ends us at once rather than at
 * the next write (`detach logs -f | head` ends with head).
 */
static int
follow_wait(struct logs *l)
{
	struct pollfd pfd[2] = {
		{ .fd = STDOUT_FILENO, .events = 0 },
		{ .fd = l->ifd, .events = POLLIN },
	};
	struct timespec ts = { .tv_sec = l->poll_ms / 1000,
	    .tv_nsec = (long)(l->poll_ms % 1000) * 1000000 };
	sigset_t set, old;
	int r;

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigprocmask(SIG_BLOCK, &set, &old);
	if (follow_stop) {
		sigprocmask(SIG_SETMASK, &old, NULL);
		return -1;
	}
	r = ppoll(pfd, l->ifd != -1 ? 2 : 1, &ts, &old);
	sigprocmask(SIG_SETMASK, &old, NULL);
	if (r > 0 && (pfd[0].revents & (POLLERR | POLLHUP)))
		return -1;
	if (r > 0 && pfd[1].revents != 0)
		events_drain(l);
	return follow_stop ? -1 : 0;
}

/* Read the events away: which they were does not matter. */
static void
events_drain(struct logs *l)
{
	char buf[4096]
	    __attribute__((aligned(__alignof__(struct inotify_event))));
	ssize_t n;

	while ((n = read(l->ifd, buf, sizeof(buf))) > 0 ||
	    (n == -1 && errno == EINTR && !follow_stop))
		;
	if (n == -1 && errno != EAGAIN && errno != EINTR) {
		close(l->ifd);	/* look every so often instead */
		l->ifd = -1;
		l->poll_ms = BLIND_MS;
	}
}
