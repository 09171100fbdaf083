/*
 * detach logs: the last lines of the daemon's output files, as tail -n
 * prints them, then with -f what is appended to them (logs_follow.c).
 *
 * The files are those start recorded in PIDFILE.logs, which outlives
 * the daemon.  The last lines are found from the end of a file backwards,
 * a block at a time, so a large log costs a few reads, not the whole
 * file.  Output goes out with write(2), unbuffered: whoever reads a pipe
 * from us sees each chunk as soon as we have read it.  A reader that goes
 * away (EPIPE) ends us quietly, with status 0, as a signal ends -f.
 */
#include "config.h"

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "detach.h"
#include "logrec.h"
#include "logs.h"
#include "logs_int.h"

void
logs_scan_init(struct logs_scan *s, long long lines)
{
	s->need = lines;
	s->seen_end = 0;
}

/*
 * Given the block just before those given so far, the index in it where
 * the last lines start, or -1 if they start further back (at the file's
 * beginning, if this block was its first).  The file's final newline
 * ends its last line rather than starting one, so it is not counted; a
 * last line without one counts all the same, as in tail.  With no line
 * wanted, they start past the end of the first block given.
 */
ssize_t
logs_scan_block(struct logs_scan *s, const char *buf, size_t len)
{
	const char *nl;
	size_t end = len;

	if (s->need <= 0)
		return (ssize_t)len;
	if (!s->seen_end && len > 0) {
		s->seen_end = 1;
		if (buf[len - 1] == '\n')
			end--;
	}
	while (end > 0 && (nl = memrchr(buf, '\n', end)) != NULL) {
		if (--s->need == 0)
			return nl - buf + 1;
		end = (size_t)(nl - buf);
	}
	return -1;
}

/* Wait until stdout takes more: someone gave us a non-blocking one. */
static int
out_wait(void)
{
	struct pollfd pfd = { .fd = STDOUT_FILENO, .events = POLLOUT };

	return poll(&pfd, 1, -1) == -1 && errno != EINTR ? -1 : 0;
}

/*
 * Write all of p to stdout, or -1 when output has ended: the reader went
 * away or a signal ends -f (l->code unchanged), or a write failed
 * (reported; EXIT_TROUBLE).
 */
static int
out_write(struct logs *l, const char *p, size_t n)
{
	ssize_t w;

	while (n > 0) {
		w = write(STDOUT_FILENO, p, n);
		if (w == -1 && errno == EAGAIN && out_wait() == 0 &&
		    !logs_interrupted())
			continue;
		if (w == -1 && errno == EINTR && !logs_interrupted())
			continue;
		if (w == -1) {
			if (errno != EPIPE && errno != EINTR) {
				warn("stdout");
				l->code = EXIT_TROUBLE;
			}
			return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/*
 * With two files, tail's header ahead of each section, and ahead of
 * output that comes from another file than the last.
 */
int
logs_header(struct logs *l, int i)
{
	char h[PATH_MAX + 16];
	int n;

	if (l->n < 2 || l->last == i)
		return 0;
	n = snprintf(h, sizeof(h), "%s==> %s <==\n", l->last == -1 ? "" :
	    "\n", l->f[i].path);
	l->last = i;
	if (n < 0 || (size_t)n >= sizeof(h))
		BUG("header of %s", l->f[i].path);
	return out_write(l, h, (size_t)n);
}

/*
 * Print fd from `from` to `to` (LOGS_TO_EOF: to its end) as output of
 * file i; *end is where it stopped.  -1 if output ended; a read error is
 * reported and ends only this copy.
 */
int
logs_copy(struct logs *l, int i, int fd, off_t from, off_t to, off_t *end)
{
	size_t want;
	ssize_t n;

	for (*end = from; to == LOGS_TO_EOF || *end < to; *end += n) {
		want = sizeof(l->buf);
		if (to != LOGS_TO_EOF && to - *end < (off_t)want)
			want = (size_t)(to - *end);
		n = pread(fd, l->buf, want, *end);
		if (n == -1 && errno == EINTR && !logs_interrupted()) {
			n = 0;
			continue;
		}
		if (n == -1 && errno != EINTR)
			warn("%s", l->f[i].path);
		if (n <= 0)
			break;
		if (logs_header(l, i) == -1 ||
		    out_write(l, l->buf, (size_t)n) == -1)
			return -1;
	}
	return logs_interrupted() ? -1 : 0;
}

/*
 * Open an output file to read it: a descriptor, or -1 with errno (EINVAL:
 * not a regular file, which has no lines to look back on).
 */
int
logs_open(const char *path, struct stat *st)
{
	int fd, saved;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd == -1)
		return -1;
	if (fstat(fd, st) == -1 || !S_ISREG(st->st_mode)) {
		saved = S_ISREG(st->st_mode) ? errno : EINVAL;
		close(fd);
		errno = saved;
		return -1;
	}
	return fd;
}

int
logs_same(const struct stat *st, const struct logfile *f)
{
	return st->st_dev == f->dev && st->st_ino == f->ino;
}

/* Where the last `lines` lines of fd, size bytes long, start. */
static int
tail_start(struct logs *l, int fd, off_t size, long long lines,
    off_t *start)
{
	struct logs_scan s;
	off_t at = size;
	ssize_t n, i;
	size_t want;

	logs_scan_init(&s, lines);
	*start = lines == 0 ? size : 0;
	while (lines > 0 && at > 0) {
		want = at < (off_t)sizeof(l->buf) ? (size_t)at : sizeof(l->buf);
		at -= (off_t)want;
		do
			n = pread(fd, l->buf, want, at);
		while (n == -1 && errno == EINTR);
		if (n == -1)
			return -1;
		if ((size_t)n < want)
			return 0;	/* cut meanwhile: show all there is */
		if ((i = logs_scan_block(&s, l->buf, want)) != -1) {
			*start = at + i;
			return 0;
		}
	}
	return 0;
}

/* Open the files; report those that cannot be.  The same file once. */
static void
open_all(struct logs *l)
{
	struct logfile *f;
	struct stat st;
	int i;

	for (i = 0; i < l->n; i++) {
		f = &l->f[i];
		if ((f->fd = logs_open(f->path, &st)) == -1) {
			if (errno == EINVAL)
				warnx("%s: not a regular file", f->path);
			else
				warn("%s", f->path);
			l->code = EXIT_TROUBLE;
			continue;
		}
		f->dev = st.st_dev;
		f->ino = st.st_ino;
		if (i == 1 && l->f[0].fd != -1 && logs_same(&st, &l->f[0])) {
			close(f->fd);	/* -o and -e, under two names */
			l->n = 1;
		}
	}
}

/* The first part: the last lines of each file, as tail -n N FILE... */
static int
show_last(struct logs *l, long long lines)
{
	struct logfile *f;
	struct stat st;
	off_t start;
	int i;

	for (i = 0; i < l->n; i++) {
		f = &l->f[i];
		if (f->fd == -1)
			continue;
		if (fstat(f->fd, &st) == -1 ||
		    tail_start(l, f->fd, st.st_size, lines, &start) == -1) {
			warn("%s", f->path);
			l->code = EXIT_TROUBLE;
			continue;
		}
		if (logs_header(l, i) == -1 ||
		    logs_copy(l, i, f->fd, start, st.st_size, &f->off) == -1)
			return -1;
	}
	return 0;
}

/*
 * The record's files, or why there are none: 0, or the exit code, the
 * reason said.
 */
static int
load_files(const struct paths *p, struct logs *l, struct logrec *r)
{
	if (logrec_load(p->pidfile, r) == -1) {
		if (errno == ENOENT && access(p->pidfile, F_OK) == 0)
			warnx("%s: no record of its output files (no %s.logs):"
			    " started by an older detach?", p->name,
			    p->pidfile);
		else if (errno == ENOENT)
			warnx("%s: no daemon of that name was started here "
			    "(no %s.logs)", p->name, p->pidfile);
		else if (errno == EPERM || errno == EINVAL)
			warnx("%s.logs: %s", p->pidfile, errno == EPERM ?
			    "written by another user: not believed" :
			    "not a record of output files");
		else
			warn("%s.logs", p->pidfile);
		return errno == ENOENT ? EXIT_NOTHING : EXIT_TROUBLE;
	}
	if (r->syslog || (r->out[0] == '\0' && r->err[0] == '\0')) {
		warnx("%s: %s", p->name, r->syslog ? "its output went to "
		    "syslog (started with --syslog): read it there" :
		    "its output was not kept (started without -o or -e)");
		return EXIT_NOTHING;
	}
	if (r->out[0] != '\0')
		l->f[l->n++].path = r->out;
	if (r->err[0] != '\0' && strcmp(r->err, r->out) != 0)
		l->f[l->n++].path = r->err;
	return 0;
}

int
cmd_logs(const struct detach_opts *o, const struct paths *p)
{
	struct sigaction sa = { .sa_handler = SIG_IGN };
	struct logrec r;
	struct logs l = { .last = -1, .code = EXIT_OK, .ifd = -1 };
	int code, i;

	for (i = 0; i < 2; i++)
		l.f[i] = (struct logfile){ .fd = -1, .wd = -1, .wd_new = -1 };
	if ((code = load_files(p, &l, &r)) != 0)
		return code;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGPIPE, &sa, NULL);	/* EPIPE instead */
	open_all(&l);
	if (show_last(&l, o->lines) == 0 && o->follow) {
		l.code = EXIT_OK;	/* a file not there is waited for */
		code = logs_follow(&l);
	} else
		code = l.code;
	for (i = 0; i < l.n; i++)
		if (l.f[i].fd != -1)
			close(l.f[i].fd);
	return code;
}
