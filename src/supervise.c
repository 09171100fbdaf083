/*
 * The supervisor: stays resident, runs the command as its child, restarts
 * it by policy, copies its output to files or syslog, and stops it on
 * request.
 *
 * Everything happens in one poll(2) loop over a signalfd, the child's
 * pidfd and the output pipes, with the restart delay or a stop deadline
 * as its only timeout: no sleeps and no polling, so an idle supervisor
 * costs no CPU.  Its state is one struct supervisor with an explicit mode.
 *
 * Output never waits for EOF (a grandchild may hold the write end) and is
 * never lost across restarts: the supervisor keeps both ends of the pipes
 * for its whole life and hands the write ends to each new child, so bytes
 * written by a child that dies are still read afterwards.  Without -e a
 * single pipe is both fd 1 and fd 2, which keeps their interleaving exact.
 * Pipes are drained until EAGAIN and copied with read/write: splice(2)
 * refuses files opened with O_APPEND.
 *
 * The supervisor is a child subreaper and starts each child in a process
 * group of its own: a stop signals the whole group, and whatever escaped
 * the group is killed and reaped before the supervisor exits.
 */
#include "config.h"

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/fsuid.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "detach.h"
#include "fd.h"
#include "output.h"
#include "parse.h"
#include "proc.h"
#include "schedule.h"
#include "supervise.h"
#include "ready.h"
#include "svstate.h"
#include "sys.h"

/*
 * One read drains up to PUMP_BUF (as much as the pipe holds): with 1 MiB,
 * piped output runs at 0.8x or more of writing the file directly, 0.75x
 * with 256 KiB (bench/run).  Line-sized output only ever touches the
 * first page; the part past PUMP_KEEP, dirtied by a burst, is given back
 * once output has been quiet for PUMP_RELEASE_MS.
 */
#define PUMP_BUF	(1 << 20)
#define PUMP_KEEP	(64 * 1024)
#define PUMP_RELEASE_MS	1000
#define PIPE_SIZE	(1 << 20)
#define LINE_MAX_LEN	1024

enum sv_mode {
	SV_RUNNING,	/* a child runs */
	SV_BACKOFF,	/* waiting out the restart delay */
	SV_STOPPING,	/* stop requested: signalling the child, no restart */
	SV_DONE,	/* nothing left to do: clean up and exit */
};

struct pump {
	int		 rfd;		/* read end, ours */
	int		 wfd;		/* write end, the children's */
	int		 out;		/* file to append to; -1: syslog */
	int		 prio;		/* syslog priority */
	const char	*what;		/* for messages: the file */
	size_t		 len;		/* syslog: bytes of a partial line */
	char		 line[LINE_MAX_LEN];
	uint64_t	 dropped;	/* bytes lost since writes failed */
	int		 failing;
	int		 midline;	/* the file does not end in '\n' */
};

struct supervisor {
	struct sv_config	*cfg;
	enum sv_mode		 mode;
	int			 sigfd;
	pid_t			 child;		/* 0: none */
	int			 child_pidfd;
	int64_t			 child_started;
	int			 last_status;
	long long		 restarts;
	int64_t			 delay;		/* the last delay chosen */
	int64_t			 restart_at;
	int64_t			*history;	/* restart times, a ring */
	long long		 nhistory;
	struct pump		 pumps[2];
	int			 npumps;
	int			 msg_fd;	/* our messages; -1: syslog or none */
	struct pidlock		 child_lock;
	struct schedule		 stop_sched;	/* self-driven stop */
	int			 stop_idx;
	int64_t			 stop_deadline;	/* 0: none */
	long			 reopened;
	int			 reopen_err;
	int			 report_fd;	/* open until the first child is ready */
	int64_t			 ready_deadline;
	int			 ready_err;	/* why it never was */
	char			*buf;		/* PUMP_BUF bytes, mmap()ed */
	int64_t			 buf_release_at; /* 0: nothing to give back */
	struct svstate		 self;		/* who we are, for the record */
	char			 state_path[PATH_MAX];
};


static void
write_all(int fd, const char *p, size_t n, int *failed)
{
	ssize_t w;

	*failed = 0;
	while (n > 0) {
		w = write(fd, p, n);
		if (w == -1 && errno == EINTR)
			continue;
		if (w <= 0) {
			*failed = w == -1 ? errno : ENOSPC;
			return;
		}
		p += w;
		n -= (size_t)w;
	}
}

/*
 * The supervisor's own messages: to syslog when output goes there, else
 * to the file that receives the child's stderr.
 */
static void
say(struct supervisor *sv, int prio, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
say(struct supervisor *sv, int prio, const char *fmt, ...)
{
	char msg[512], line[640];
	va_list ap;
	int n, failed;

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
	n = snprintf(line, sizeof(line), "detach[%ld]: %s: %s\n",
	    (long)getpid(), sv->cfg->name, msg);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(line)) {
		n = sizeof(line) - 1;
		line[n - 1] = '\n';
	}
	write_all(sv->msg_fd, line, (size_t)n, &failed);
}

static void
save_state(struct supervisor *sv)
{
	struct svstate st = sv->self;

	st.child = sv->child;
	st.restarts = sv->restarts;
	st.last_status = sv->last_status;
	st.reopened = sv->reopened;
	st.reopen_err = sv->reopen_err;
	if (sv->state_path[0] != '\0' && svstate_write(sv->state_path, &st) ==
	    -1)
		sv->state_path[0] = '\0';	/* not writable: do without */
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
static void
pump_drain(struct supervisor *sv, struct pump *pp)
{
	ssize_t n;
	int failed;

	for (;;) {
		n = read(pp->rfd, sv->buf, PUMP_BUF);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			return;
		if (n > PUMP_KEEP)
			sv->buf_release_at = clock_ms() + PUMP_RELEASE_MS;
		if (pp->out == -1) {
			syslog_lines(pp, sv->buf, (size_t)n);
			continue;
		}
		write_all(pp->out, sv->buf, (size_t)n, &failed);
		if (!failed)
			pp->midline = sv->buf[n - 1] != '\n';
		if (failed) {
			pp->dropped += (uint64_t)n;
			if (!pp->failing)
				say(sv, LOG_ERR, "cannot write to %s: %s; "
				    "dropping output until it works again",
				    pp->what, strerror(failed));
			pp->failing = 1;
		} else if (pp->failing) {
			pp->failing = 0;
			say(sv, LOG_NOTICE, "writing to %s again; %llu bytes "
			    "were dropped", pp->what,
			    (unsigned long long)pp->dropped);
			pp->dropped = 0;
		}
	}
}

static void
drain_all(struct supervisor *sv)
{
	int i;

	for (i = 0; i < sv->npumps; i++)
		pump_drain(sv, &sv->pumps[i]);
}

/*
 * The child is gone: end the last line it left unfinished, so that it is
 * neither glued to what comes next nor lost.
 */
static void
finish_lines(struct supervisor *sv)
{
	struct pump *pp;
	int i, failed;

	drain_all(sv);
	for (i = 0; i < sv->npumps; i++) {
		pp = &sv->pumps[i];
		if (pp->out == -1 && pp->len > 0) {
			pp->line[pp->len] = '\0';
			syslog(pp->prio, "%s", pp->line);
			pp->len = 0;
		} else if (pp->out != -1 && pp->midline) {
			write_all(pp->out, "\n", 1, &failed);
			pp->midline = 0;
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
	return 0;
}

/*
 * Decide where output goes.  Pipes only when something reads them: -o,
 * -e or --syslog.  Otherwise the children write straight to what the
 * supervisor was given (/dev/null for a daemon, the terminal with -f).
 */
static int
setup_output(struct supervisor *sv)
{
	struct sv_config *c = sv->cfg;

	sv->msg_fd = c->foreground ? STDERR_FILENO : -1;
	if (c->syslog) {
		if (pump_open(&sv->pumps[0], -1, LOG_INFO, "syslog") == -1 ||
		    pump_open(&sv->pumps[1], -1, LOG_ERR, "syslog") == -1)
			return -1;
		sv->npumps = 2;
		c->child.fd_out = sv->pumps[0].wfd;
		c->child.fd_err = sv->pumps[1].wfd;
		return 0;
	}
	if (c->out_path != NULL) {
		if (pump_open(&sv->pumps[sv->npumps], c->out_fd, 0,
		    c->out_path) == -1)
			return -1;
		c->child.fd_out = sv->pumps[sv->npumps].wfd;
		c->child.fd_err = c->err_path == NULL ?
		    sv->pumps[sv->npumps].wfd : c->child.fd_err;
		sv->msg_fd = c->out_fd;
		sv->npumps++;
	}
	if (c->err_path != NULL) {
		if (pump_open(&sv->pumps[sv->npumps], c->err_fd, 0,
		    c->err_path) == -1)
			return -1;
		c->child.fd_err = sv->pumps[sv->npumps].wfd;
		sv->msg_fd = c->err_fd;
		sv->npumps++;
	}
	return 0;
}

static void
set_title(struct supervisor *sv)
{
	if (sv->child > 0)
		setproctitle("-supervising %s (pid %ld)", sv->cfg->command,
		    (long)sv->child);
	else
		setproctitle("-supervising %s (waiting to restart)",
		    sv->cfg->command);
}

static void
child_pidfile_write(struct supervisor *sv)
{
	const char *path = sv->cfg->child_pidfile;

	if (path == NULL)
		return;
	if (sv->child_lock.fd == -1 &&
	    pidlock_acquire(path, &sv->child_lock) != LOCK_OK) {
		say(sv, LOG_ERR, "cannot lock child pidfile %s: %s", path,
		    strerror(errno));
		sv->child_lock.fd = -1;
		return;
	}
	if (pidlock_write(&sv->child_lock, sv->child) == -1)
		say(sv, LOG_ERR, "cannot write child pidfile %s: %s", path,
		    strerror(errno));
}

static void
child_pidfile_remove(struct supervisor *sv)
{
	if (sv->child_lock.fd != -1)
		pidlock_remove(&sv->child_lock);
	sv->child_lock.fd = -1;
}

/* Start a child; on failure the result says why. */
static int
start_child(struct supervisor *sv, struct launch_result *r)
{
	struct ready *rd = sv->cfg->ready;

	if (rd != NULL && rd->kind == READY_FD) {
		if (rd->child_fd == -1 && ready_rearm(rd) == -1) {
			*r = (struct launch_result){ .stage = STAGE_READY,
			    .err = errno };
			return -1;
		}
		sv->cfg->child.ready_fd = rd->child_fd;
	}
	if (spawn_child(&sv->cfg->child, r) == -1)
		return -1;
	if (rd != NULL)
		ready_forget_child_end(rd);
	sv->child = r->pid;
	sv->child_pidfd = sys_pidfd_open(r->pid);	/* -1: SIGCHLD alone */
	sv->child_started = clock_ms();
	sv->mode = SV_RUNNING;
	child_pidfile_write(sv);
	save_state(sv);
	set_title(sv);
	return 0;
}

static void
signal_group(struct supervisor *sv, int sig)
{
	if (sv->child <= 0)
		return;
	if (kill(-sv->child, sig) == -1)
		kill(sv->child, sig);
}

/* Our unreaped child: its pid cannot have been recycled, kill() is safe. */
static void
forward(struct supervisor *sv, int sig)
{
	if (sv->child > 0 && sig > 0 && sig < NSIG)
		kill(sv->child, sig);
}

/* Kill and reap everything that is left of the service. */
static void
kill_leftovers(struct supervisor *sv, pid_t group)
{
	int st;

	pid_t r;

	if (group > 0)
		kill(-group, SIGKILL);
	/* as a subreaper, no child left means no descendant left */
	while ((r = waitpid(-1, &st, WNOHANG)) != -1 || errno != ECHILD) {
		if (r > 0 || (r == -1 && errno == EINTR))
			continue;
		proc_kill_children(SIGKILL);
		if (waitpid(-1, &st, 0) == -1 && errno == ECHILD)
			break;
	}
	(void)sv;
}

static void
finish(struct supervisor *sv, pid_t group)
{
	kill_leftovers(sv, group);
	sv->mode = SV_DONE;
}

/* The self-driven schedule: run items up to the next timeout. */
static void
stop_step(struct supervisor *sv)
{
	struct sched_item *it;
	int jumps = 0;

	sv->stop_deadline = 0;
	while (++sv->stop_idx < sv->stop_sched.n) {
		it = &sv->stop_sched.items[sv->stop_idx];
		if (it->type == SCHED_SIGNAL)
			signal_group(sv, (int)it->value);
		else if (it->type == SCHED_GOTO && jumps++ < SCHED_MAX)
			sv->stop_idx = (int)it->value - 1;
		else if (it->type == SCHED_TIMEOUT) {
			sv->stop_deadline = clock_ms() + it->value;
			return;
		}
	}
}

/*
 * Begin or continue a stop.  sc: a schedule we run ourselves (a plain TERM
 * to us, or readiness that never came); NULL: the caller of detach stop
 * drives, one request per signal, and sig is the signal.
 */
static void
request_stop(struct supervisor *sv, int sig, const struct schedule *sc)
{
	if (sig <= 0 || sig >= NSIG)
		sig = SIGTERM;
	if (sv->child <= 0) {
		say(sv, LOG_NOTICE, "stop requested while no child runs");
		finish(sv, 0);
		return;
	}
	if (sv->mode != SV_STOPPING)
		say(sv, LOG_NOTICE, "stopping pid %ld", (long)sv->child);
	sv->mode = SV_STOPPING;
	sv->stop_deadline = 0;
	if (sc == NULL) {
		signal_group(sv, sig);
		return;
	}
	sv->stop_sched = *sc;
	sv->stop_idx = -1;
	stop_step(sv);
}

/* A plain TERM or INT: stop with the default schedule, that signal first. */
static void
self_stop(struct supervisor *sv, int sig)
{
	struct schedule sc;

	schedule_default(&sc, sig, 10000);
	request_stop(sv, sig, &sc);
}

/* Tell detach start how the first child fared, once. */
static void
report_start(struct supervisor *sv, enum launch_stage stage, int value)
{
	if (sv->report_fd == -1)
		return;
	if (stage != STAGE_NONE)
		spawn_report(sv->report_fd, stage, value);
	close(sv->report_fd);
	sv->report_fd = -1;
}

/* The first child is ready (or, with --wait, survived): detach start may
 * return.  Later children are only logged. */
static void
child_ready(struct supervisor *sv)
{
	if (sv->report_fd != -1)
		report_start(sv, STAGE_NONE, 0);
	else if (sv->child > 0)
		say(sv, LOG_NOTICE, "pid %ld is ready", (long)sv->child);
}

static void
on_ready_input(struct supervisor *sv)
{
	struct ready *rd = sv->cfg->ready;

	switch (ready_read(rd)) {
	case READY_DONE:
		child_ready(sv);
		break;
	case READY_FAILED:
		/* the child closed its --ready-fd: no more news from it */
		close(rd->fd);
		rd->fd = -1;
		if (sv->report_fd != -1 && sv->mode == SV_RUNNING) {
			sv->ready_err = EPIPE;
			request_stop(sv, SIGTERM, sv->cfg->stop_sched);
		}
		break;
	case READY_WAITING:
		break;
	}
}

static long long
recent_restarts(struct supervisor *sv, int64_t now)
{
	long long i, n = 0;

	for (i = 0; i < sv->nhistory && i < sv->cfg->max_restarts; i++)
		if (now - sv->history[i] < sv->cfg->window_ms)
			n++;
	return n;
}

/*
 * The child exited: restart it by policy, with a delay that doubles
 * (up to the maximum) while it keeps dying young, or give up.
 */
static void
child_exited(struct supervisor *sv, int status)
{
	struct sv_config *c = sv->cfg;
	pid_t group = sv->child;
	char how[64];
	int64_t now = clock_ms();
	int failed = !(WIFEXITED(status) && WEXITSTATUS(status) == 0);

	finish_lines(sv);
	if (sv->child_pidfd != -1)
		close(sv->child_pidfd);
	sv->child_pidfd = -1;
	sv->child = 0;
	sv->last_status = status;
	child_pidfile_remove(sv);
	svstate_describe(status, how, sizeof(how));
	say(sv, failed ? LOG_WARNING : LOG_NOTICE, "pid %ld %s", (long)group,
	    how);
	if (sv->report_fd != -1 && sv->ready_err == 0) {
		/* died before it was ready: detach start reports it */
		report_start(sv, STAGE_EXITED, status);
		finish(sv, group);
		return;
	}
	if (sv->mode == SV_STOPPING) {
		finish(sv, group);
		return;
	}
	if (c->restart == RESTART_NEVER ||
	    (c->restart == RESTART_ON_FAILURE && !failed)) {
		say(sv, LOG_NOTICE, "not restarting (--restart=%s)",
		    c->restart == RESTART_NEVER ? "never" : "on-failure");
		finish(sv, group);
		return;
	}
	if (c->max_restarts > 0 &&
	    recent_restarts(sv, now) >= c->max_restarts) {
		say(sv, LOG_ERR, "giving up: %lld restarts within %lld.%03lld "
		    "s", c->max_restarts, (long long)(c->window_ms / 1000),
		    (long long)(c->window_ms % 1000));
		finish(sv, group);
		return;
	}
	if (sv->delay == 0 || now - sv->child_started >= c->delay_reset_ms)
		sv->delay = c->delay_ms;
	else
		sv->delay = sv->delay * 2 > c->delay_max_ms ?
		    c->delay_max_ms : sv->delay * 2;
	say(sv, LOG_NOTICE, "restarting in %lld.%03lld s",
	    (long long)(sv->delay / 1000), (long long)(sv->delay % 1000));
	sv->mode = SV_BACKOFF;
	sv->restart_at = now + sv->delay;
	save_state(sv);
	set_title(sv);
}

static void
reap(struct supervisor *sv)
{
	pid_t pid;
	int st;

	while ((pid = waitpid(-1, &st, WNOHANG)) > 0)
		if (pid == sv->child)
			child_exited(sv, st);
}

static void
restart_child(struct supervisor *sv)
{
	struct launch_result r;
	int64_t now = clock_ms();

	if (sv->history != NULL) {
		sv->history[sv->nhistory % sv->cfg->max_restarts] = now;
		sv->nhistory++;
	}
	sv->restarts++;
	if (start_child(sv, &r) == -1) {
		say(sv, LOG_ERR, "cannot start %s: %s: %s", sv->cfg->command,
		    spawn_stage_name(r.stage), strerror(r.err));
		sv->child_started = now;
		child_exited(sv, W_EXITCODE(127, 0));
	}
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

/* Reopen the output files (logrotate), after draining into the old ones. */
static void
reopen(struct supervisor *sv, long token)
{
	int i, fd;

	drain_all(sv);
	sv->reopen_err = 0;
	for (i = 0; i < sv->npumps; i++) {
		struct pump *pp = &sv->pumps[i];

		if (pp->out == -1)
			continue;
		fd = open_as_service(sv->cfg, pp->what);
		if (fd == -1 || dup3(fd, pp->out, O_CLOEXEC) == -1) {
			sv->reopen_err = errno;
			say(sv, LOG_ERR, "cannot reopen %s: %s", pp->what,
			    output_strerror(errno));
		}
		if (fd != -1)
			close(fd);
	}
	sv->reopened = token;
	save_state(sv);
}

static void
on_signal(struct supervisor *sv, const struct signalfd_siginfo *si)
{
	int sig = (int)si->ssi_signo;

	if (sig == SIGCHLD)
		reap(sv);
	else if (sig == SIGTERM || sig == SIGINT)
		self_stop(sv, sig);
	else if (sig == SIGHUP || sig == SIGUSR1 || sig == SIGUSR2)
		forward(sv, sig);
	else if (sig == SV_SIG_STOP)
		request_stop(sv, si->ssi_int, NULL);
	else if (sig == SV_SIG_REOPEN)
		reopen(sv, si->ssi_int);
	else if (sig == SV_SIG_FORWARD)
		forward(sv, si->ssi_int);
}

static int
setup_signals(struct supervisor *sv)
{
	sigset_t set;

	signal(SIGPIPE, SIG_IGN);
	signal(SIGCHLD, SIG_DFL);
	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, SIGUSR2);
	sigaddset(&set, SV_SIG_STOP);
	sigaddset(&set, SV_SIG_REOPEN);
	sigaddset(&set, SV_SIG_FORWARD);
	if (sigprocmask(SIG_BLOCK, &set, NULL) == -1)
		return -1;
	sv->sigfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	return sv->sigfd == -1 ? -1 : 0;
}

static int64_t
next_deadline(const struct supervisor *sv)
{
	int64_t d = -1;

	if (sv->mode == SV_BACKOFF)
		d = sv->restart_at;
	else if (sv->mode == SV_STOPPING && sv->stop_deadline != 0)
		d = sv->stop_deadline;
	if (sv->report_fd != -1 && sv->mode == SV_RUNNING &&
	    (d == -1 || sv->ready_deadline < d))
		d = sv->ready_deadline;
	if (sv->buf_release_at != 0 && (d == -1 || sv->buf_release_at < d))
		d = sv->buf_release_at;
	return d;
}

/* A deadline passed: restart, the next stop step, or readiness timeout. */
static void
on_time(struct supervisor *sv, int64_t now)
{
	if (sv->buf_release_at != 0 && now >= sv->buf_release_at) {
		madvise(sv->buf + PUMP_KEEP, PUMP_BUF - PUMP_KEEP,
		    MADV_DONTNEED);
		sv->buf_release_at = 0;
	}
	if (sv->mode == SV_BACKOFF && now >= sv->restart_at)
		restart_child(sv);
	else if (sv->mode == SV_STOPPING && sv->stop_deadline != 0 &&
	    now >= sv->stop_deadline)
		stop_step(sv);
	else if (sv->report_fd != -1 && sv->mode == SV_RUNNING &&
	    now >= sv->ready_deadline) {
		if (sv->cfg->ready->kind == READY_SURVIVE)
			child_ready(sv);
		else {
			sv->ready_err = ETIMEDOUT;
			request_stop(sv, SIGTERM, sv->cfg->stop_sched);
		}
	}
}

/* The loop; returns once the supervisor is done. */
static void
run(struct supervisor *sv)
{
	struct signalfd_siginfo si;
	struct pollfd pfd[5];
	struct ready *rd = sv->cfg->ready;
	int64_t deadline, now;
	int i, n, timeout, rdi;

	while (sv->mode != SV_DONE) {
		deadline = next_deadline(sv);
		now = clock_ms();
		timeout = deadline < 0 ? -1 : deadline <= now ? 0 :
		    deadline - now > INT_MAX ? INT_MAX : (int)(deadline - now);
		n = 0;
		pfd[n++] = (struct pollfd){ .fd = sv->sigfd, .events = POLLIN };
		pfd[n++] = (struct pollfd){ .fd = sv->child_pidfd,
		    .events = POLLIN };
		for (i = 0; i < sv->npumps; i++)
			pfd[n++] = (struct pollfd){ .fd = sv->pumps[i].rfd,
			    .events = POLLIN };
		rdi = n;
		pfd[n++] = (struct pollfd){ .fd = rd != NULL ? rd->fd : -1,
		    .events = POLLIN };
		if (poll(pfd, (nfds_t)n, timeout) == -1 && errno != EINTR)
			break;
		for (i = 0; i < sv->npumps; i++)
			if (pfd[2 + i].revents != 0)
				pump_drain(sv, &sv->pumps[i]);
		if (pfd[rdi].revents != 0 && rd != NULL && rd->fd != -1)
			on_ready_input(sv);
		while (read(sv->sigfd, &si, sizeof(si)) == sizeof(si) &&
		    sv->mode != SV_DONE)
			on_signal(sv, &si);
		if (pfd[1].revents != 0 && sv->mode != SV_DONE)
			reap(sv);
		if (sv->mode != SV_DONE)
			on_time(sv, clock_ms());
	}
	finish_lines(sv);
}

/*
 * The supervisor never execs, so close-on-exec does not rid it of the
 * descriptors it inherited from whoever ran detach start: close them
 * now, keeping only what it and its children use.  A pipe held here
 * would otherwise never see EOF.
 */
static void
close_inherited(struct sv_config *c, int report_fd)
{
	int keep[32], n = 0, i;

	keep[n++] = report_fd;
	if (c->lock != NULL)
		keep[n++] = pidlock_fd(c->lock);
	keep[n++] = c->child.fd_in;
	keep[n++] = c->child.fd_out;
	keep[n++] = c->child.fd_err;
	keep[n++] = c->out_fd;
	keep[n++] = c->err_fd;
	if (c->ready != NULL) {
		keep[n++] = c->ready->fd;
		keep[n++] = c->ready->child_fd;
		if (c->ready->kind == READY_FD)
			keep[n++] = c->ready->child_dst;
	}
	for (i = 0; i < c->child.nkeep_fds && n < 32; i++)
		keep[n++] = c->child.keep_fds[i];
	fd_close_except(keep, n);
}

/*
 * Our requests are handled from here on: record who we are, then name
 * ourselves in the pidfile.  Until the record says "supervisor", signal
 * and stop would treat us as the service itself.
 */
static int
record_self(struct supervisor *sv)
{
	if (svstate_identify(getpid(), &sv->self) == -1)
		return -1;
	sv->self.supervisor = getpid();
	if (sv->cfg->foreground)
		sv->self.session = 0;	/* the caller's, not ours */
	if (sv->state_path[0] == '\0') {
		errno = ENAMETOOLONG;
		return -1;
	}
	save_state(sv);
	if (sv->state_path[0] == '\0')
		return -1;
	return sv->cfg->lock != NULL ? pidlock_write(sv->cfg->lock,
	    getpid()) : 0;
}

static int
supervisor_init(struct supervisor *sv, struct sv_config *cfg, int report_fd)
{
	memset(sv, 0, sizeof(*sv));
	sv->cfg = cfg;
	sv->mode = SV_RUNNING;
	sv->sigfd = -1;
	sv->child_pidfd = -1;
	sv->last_status = -1;
	sv->report_fd = -1;
	sv->child_lock.fd = -1;
	cfg->child.parent = getpid();
	close_inherited(cfg, report_fd);
	if (prctl(PR_SET_CHILD_SUBREAPER, 1) == -1)
		return -1;
	if (cfg->max_restarts > 0 && (sv->history = calloc(
	    (size_t)cfg->max_restarts, sizeof(*sv->history))) == NULL)
		return -1;
	if (cfg->pidfile != NULL &&
	    svstate_path(cfg->pidfile, sv->state_path,
	    sizeof(sv->state_path)) == -1)
		sv->state_path[0] = '\0';
	if (cfg->syslog)
		openlog(cfg->tag, LOG_PID | LOG_NDELAY, cfg->facility);
	if (setup_signals(sv) == -1 || setup_output(sv) == -1)
		return -1;
	/* untouched, hence not resident, until output arrives */
	if (sv->npumps > 0 && (sv->buf = mmap(NULL, PUMP_BUF, PROT_READ |
	    PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)) == MAP_FAILED) {
		sv->buf = NULL;
		return -1;
	}
	return record_self(sv);
}

static void
supervisor_cleanup(struct supervisor *sv)
{
	child_pidfile_remove(sv);
	if (sv->state_path[0] != '\0')
		unlink(sv->state_path);
	if (sv->cfg->lock != NULL && sv->cfg->lock->fd != -1)
		pidlock_remove(sv->cfg->lock);
	free(sv->history);
	if (sv->buf != NULL)
		munmap(sv->buf, PUMP_BUF);
}

/*
 * The daemon's body (launch.body): set up, start the first child, tell
 * the caller through report_fd whether its exec worked, then loop.
 */
void
supervise_body(void *arg, int report_fd)
{
	struct sv_config *cfg = arg;
	struct supervisor sv;
	struct launch_result r;

	if (supervisor_init(&sv, cfg, report_fd) == -1) {
		spawn_report(report_fd, STAGE_PIDFILE, errno);
		_exit(EXIT_TROUBLE);
	}
	if (start_child(&sv, &r) == -1) {
		spawn_report(report_fd, r.stage, r.err);
		if (sv.state_path[0] != '\0')
			unlink(sv.state_path);
		_exit(EXIT_TROUBLE);	/* the caller removes the pidfile */
	}
	sv.report_fd = report_fd;
	if (cfg->ready == NULL || cfg->ready->kind == READY_NONE)
		report_start(&sv, STAGE_NONE, 0);
	else
		sv.ready_deadline = clock_ms() + cfg->ready_ms;
	run(&sv);
	if (sv.report_fd != -1)
		report_start(&sv, STAGE_READY, sv.ready_err != 0 ?
		    sv.ready_err : ETIMEDOUT);
	say(&sv, LOG_NOTICE, "supervisor exiting");
	supervisor_cleanup(&sv);
	_exit(EXIT_OK);
}

/*
 * --foreground --supervise: the same, in this process.  Returns the exit
 * code: the child's last status (128 + signal if killed), or, if the
 * first child could not start, -1 with *r saying why.
 */
int
supervise_foreground(struct sv_config *cfg, struct launch_result *r)
{
	struct supervisor sv;
	int st;

	*r = (struct launch_result){ .stage = STAGE_NONE };
	if (supervisor_init(&sv, cfg, -1) == -1) {
		r->stage = STAGE_FDS;
		r->err = errno;
		return -1;
	}
	if (start_child(&sv, r) == -1) {
		if (sv.state_path[0] != '\0')
			unlink(sv.state_path);
		return -1;
	}
	run(&sv);
	supervisor_cleanup(&sv);
	st = sv.last_status;
	if (st == -1)
		return EXIT_TROUBLE;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}
