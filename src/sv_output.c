/*
 * The supervisor's output relay: the pipes its children write to, copied
 * to the -o/-e files or to syslog line by line, and its own messages.
 *
 * Output never waits for EOF (a grandchild may hold the write end) and is
 * never lost across restarts: the supervisor keeps both ends of the pipes
 * for its whole life and hands the write ends to each new child, so bytes
 * written by a child that dies are still read afterwards.  Without -e a
 * single pipe is both fd 1 and fd 2, which keeps their interleaving exact.
 * Pipes are drained until EAGAIN and copied with read/write: splice(2)
 * refuses files opened with O_APPEND.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/fsuid.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#include "clock.h"
#include "output.h"
#include "sv_int.h"

/*
 * One read drains up to PUMP_BUF (as much as the pipe holds): with 1 MiB,
 * piped output runs at 0.8x or more of writing the file directly, 0.75x
 * with 256 KiB (bench/run).  Line-sized output only ever touches the
 * first page (PUMP_KEEP); what a larger read dirtied past it is given
 * back once output has been quiet for PUMP_RELEASE_MS, so that a
 * supervisor that relayed a burst (or a gigabyte) keeps one page.
 */
#define PUMP_BUF	(1 << 20)
#define PUMP_KEEP	4096
#define PUMP_RELEASE_MS	1000
#define PIPE_SIZE	(1 << 20)

/*
 * The supervisor's own messages: to syslog when output goes there, else
 * to the file that receives the child's stderr.
 */
void
sv_say(struct supervisor *sv, int prio, const char *fmt, ...)
{
	char msg[512], line[640];
	va_list ap;
	size_t at = 0;
	int n, i, failed;

	va_start(ap, fmt);
	n = vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if (sv->cfg->syslog) {
		syslog(prio, "%s", msg);
		return;
	}
	if (sv->msg_fd == -1)
		return;
	/* "detach[PID]: NAME: ...\n" in one write, so that lines stay whole */
	if (sv->cfg->timestamps)
		at = sv_stamp(line, sizeof(line));
	n = snprintf(line + at, sizeof(line) - at, "detach[%ld]: %s: %s\n",
	    (long)getpid(), sv->cfg->name, msg);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(line) - at) {
		n = (int)(sizeof(line) - at - 1);
		line[at + (size_t)n - 1] = '\n';
	}
	n += (int)at;
	for (i = 0; i < sv->npumps; i++)
		if (sv->pumps[i].out == sv->msg_fd) {
			/* counted in its size, rotated with it */
			sv_file_say(sv, &sv->pumps[i], line, (size_t)n);
			return;
		}
	sv_write_all(sv->msg_fd, line, (size_t)n, &failed);
}

static void
syslog_lines(struct pump *pp, const char *p, size_t n)
{
	const char *nl;
	size_t take;

	while (n > 0) {
		nl = memchr(p, '\n', n);
		take = nl != NULL ? (size_t)(nl - p) : n;
		if (take > sizeof(pp->line) - 1 - pp->len)
			take = sizeof(pp->line) - 1 - pp->len;
		memcpy(pp->line + pp->len, p, take);
		pp->len += take;
		p += take;
		n -= take;
		if (nl != NULL && p == nl) {
			p++;
			n--;
		} else if (pp->len < sizeof(pp->line) - 1)
			continue;	/* a partial line: wait for the rest */
		pp->line[pp->len] = '\0';
		syslog(pp->prio, "%s", pp->line);
		pp->len = 0;
	}
}

/*
 * Copy what the pipe holds, until EAGAIN.  A failing write (a full disk)
 * is reported once, counted, and retried with the next bytes; the child
 * is never blocked or killed for it.
 */
void
sv_pump_drain(struct supervisor *sv, struct pump *pp)
{
	ssize_t n;

	for (;;) {
		n = read(pp->rfd, sv->buf, PUMP_BUF);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			return;
		if (n > PUMP_KEEP)
			sv->buf_release_at = clock_ms() + PUMP_RELEASE_MS;
		if (sv->checks_pending)
			rc_feed(sv->checks, (int)(pp - sv->pumps), sv->buf,
			    (size_t)n);
		if (pp->out == -1)
			syslog_lines(pp, sv->buf, (size_t)n);
		else
			sv_file_write(sv, pp, sv->buf, (size_t)n);
	}
}

void
sv_drain_all(struct supervisor *sv)
{
	int i;

	for (i = 0; i < sv->npumps; i++)
		sv_pump_drain(sv, &sv->pumps[i]);
}

/*
 * The child is gone: end the last line it left unfinished, so that it is
 * neither glued to what comes next nor lost.
 */
void
sv_finish_lines(struct supervisor *sv)
{
	struct pump *pp;
	int i;

	sv_drain_all(sv);
	for (i = 0; i < sv->npumps; i++) {
		pp = &sv->pumps[i];
		if (pp->out == -1 && pp->len > 0) {
			pp->line[pp->len] = '\0';
			syslog(pp->prio, "%s", pp->line);
			pp->len = 0;
		} else if (pp->out != -1 && (pp->midline || pp->stamp_mid)) {
			sv_file_write(sv, pp, "\n", 1);
			pp->midline = pp->stamp_mid = 0;
		}
	}
}

static int
pump_open(struct pump *pp, int out, int prio, const char *what)
{
	int p[2];

	if (pipe2(p, O_CLOEXEC) == -1)
		return -1;
	fcntl(p[0], F_SETPIPE_SZ, PIPE_SIZE);	/* best effort */
	fcntl(p[0], F_SETFL, O_NONBLOCK);
	*pp = (struct pump){ .rfd = p[0], .wfd = p[1], .out = out,
	    .prio = prio, .what = what };
	if (out != -1)
		sv_file_opened(pp);
	return 0;
}

/*
 * -o and -e name the same file: one pipe for both, when the file is
 * stamped or rotated (two would stamp and rotate it each on its own).
 */
static int
one_file(const struct sv_config *c)
{
	struct stat a, b;

	return c->out_path != NULL && (c->timestamps ||
	    c->log_max_size > 0) && fstat(c->out_fd, &a) == 0 &&
	    fstat(c->err_fd, &b) == 0 && a.st_dev == b.st_dev &&
	    a.st_ino == b.st_ino;
}

/*
 * Decide where output goes.  Pipes only when something reads them: -o,
 * -e or --syslog.  Otherwise the children write straight to what the
 * supervisor was given (/dev/null for a daemon, the terminal with -f).
 */
static int
setup_output(struct supervisor *sv)
{
	const struct sv_config *c = sv->cfg;

	sv->msg_fd = c->foreground ? STDERR_FILENO : -1;
	if (c->syslog) {
		if (pump_open(&sv->pumps[0], -1, LOG_INFO, "syslog") == -1 ||
		    pump_open(&sv->pumps[1], -1, LOG_ERR, "syslog") == -1)
			return -1;
		sv->npumps = 2;
		sv->child_tpl.fd_out = sv->pumps[0].wfd;
		sv->child_tpl.fd_err = sv->pumps[1].wfd;
		return 0;
	}
	if (c->out_path != NULL) {
		if (pump_open(&sv->pumps[sv->npumps], c->out_fd, 0,
		    c->out_path) == -1)
			return -1;
		sv->child_tpl.fd_out = sv->pumps[sv->npumps].wfd;
		sv->child_tpl.fd_err = c->err_path == NULL ?
		    sv->pumps[sv->npumps].wfd : sv->child_tpl.fd_err;
		sv->msg_fd = c->out_fd;
		sv->npumps++;
	}
	if (c->err_path != NULL && !one_file(c)) {
		if (pump_open(&sv->pumps[sv->npumps], c->err_fd, 0,
		    c->err_path) == -1)
			return -1;
		sv->child_tpl.fd_err = sv->pumps[sv->npumps].wfd;
		sv->msg_fd = c->err_fd;
		sv->npumps++;
	}
	return 0;
}

/* The pipes, where they go, and the buffer for copying. */
int
sv_output_init(struct supervisor *sv)
{
	if (setup_output(sv) == -1)
		return -1;
	/* untouched, hence not resident, until output arrives */
	if (sv->npumps > 0 && (sv->buf = mmap(NULL, PUMP_BUF, PROT_READ |
	    PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)) == MAP_FAILED) {
		sv->buf = NULL;
		return -1;
	}
	if (sv->npumps > 0 && sv->cfg->timestamps && (sv->stamped =
	    mmap(NULL, STAMP_BUF, PROT_READ | PROT_WRITE, MAP_PRIVATE |
	    MAP_ANONYMOUS, -1, 0)) == MAP_FAILED) {
		sv->stamped = NULL;
		return -1;
	}
	return 0;
}

void
sv_output_free(struct supervisor *sv)
{
	if (sv->buf != NULL)
		munmap(sv->buf, PUMP_BUF);
	if (sv->stamped != NULL)
		munmap(sv->stamped, STAMP_BUF);
}

/*
 * Open path for output as start does (output.c), but as the service's
 * user: a link or file it planted cannot send output anywhere it could
 * not write itself, and a file created here is its own.
 */
static int
open_as_service(const struct sv_config *c, const char *path)
{
	struct outfile of;
	int r;

	if (c->privs != NULL) {
		setfsgid(c->privs->gid);
		setfsuid(c->privs->uid);
	}
	r = output_open_write(&of, path, 0, c->umask);
	if (c->privs != NULL) {
		setfsuid(geteuid());
		setfsgid(getegid());
	}
	return r == -1 ? -1 : of.fd;
}

/* Reopen pp's file by its path: 0, or -1 with errno (reported). */
int
sv_reopen_file(struct supervisor *sv, struct pump *pp)
{
	int fd, saved;

	fd = open_as_service(sv->cfg, pp->what);
	if (fd == -1 || dup3(fd, pp->out, O_CLOEXEC) == -1) {
		saved = errno;
		sv_say(sv, LOG_ERR, "cannot reopen %s: %s", pp->what,
		    output_strerror(saved));
		if (fd != -1)
			close(fd);
		errno = saved;
		return -1;
	}
	close(fd);
	sv_file_opened(pp);
	return 0;
}

/*
 * Reopen the output files (logrotate), after draining into the old ones.
 * Returns 0, or the errno of the last one that failed.
 */
int
sv_output_reopen(struct supervisor *sv)
{
	int i, err = 0;

	sv_drain_all(sv);
	for (i = 0; i < sv->npumps; i++)
		if (sv->pumps[i].out != -1 &&
		    sv_reopen_file(sv, &sv->pumps[i]) == -1)
			err = errno;
	return err;
}

/* After a quiet spell, give back the part of the buffer a burst dirtied. */
void
sv_output_release(struct supervisor *sv, int64_t now)
{
	if (sv->buf_release_at == 0 || now < sv->buf_release_at)
		return;
	madvise(sv->buf + PUMP_KEEP, PUMP_BUF - PUMP_KEEP, MADV_DONTNEED);
	if (sv->stamped != NULL)
		madvise(sv->stamped + PUMP_KEEP, STAMP_BUF - PUMP_KEEP,
		    MADV_DONTNEED);
	sv->buf_release_at = 0;
}
