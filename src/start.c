/*
 * detach start: lock the pidfile, open the standard files, daemonize (or,
 * with -f, exec in place) and report the outcome with the right exit
 * code.  Everything that can fail is tried in the caller first, so that
 * the error reaches the terminal; a start that fails anywhere removes
 * the pidfile and any output file it created.
 */
#include "config.h"

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "daemonize.h"
#include "detach.h"
#include "output.h"
#include "parse.h"
#include "pidlock.h"
#include "start.h"
#include "supervise.h"

struct start {
	const struct detach_opts	*o;
	const struct paths		*p;
	struct pidlock			 lock;
	struct outfile			 in, out, err;
};

static int
nothing_to_do(const struct detach_opts *o)
{
	return o->oknodo ? EXIT_OK : EXIT_NOTHING;
}

/*
 * The pidfile is locked: say by whom.  A lock held by something other
 * than the daemon the file names is reported as such, since "already
 * running" would send the user looking for the wrong process.
 */
static void
explain_busy(const struct paths *p, pid_t other)
{
	struct probe pr;

	pidlock_probe(p->pidfile, &pr);
	if (pr.state == PROBE_FOREIGN && pr.nholders > 0)
		warnx("%s: locked by pid %ld, which is not the pid it names "
		    "(%ld); not starting", p->pidfile, (long)pr.holders[0],
		    (long)pr.pid);
	else if (pr.state == PROBE_ORPHANED)
		warnx("%s: pid %ld is gone, but pid %ld still holds the "
		    "pidfile (a child of the daemon?); not starting",
		    p->pidfile, (long)pr.pid, (long)pr.holders[0]);
	else if (pr.state == PROBE_RUNNING || pr.state == PROBE_UNVERIFIED)
		warnx("%s is already running (pid %ld, pidfile %s)", p->name,
		    (long)pr.pid, p->pidfile);
	else if (other > 0)
		warnx("%s is already running (pid %ld, pidfile %s)", p->name,
		    (long)other, p->pidfile);
	else
		warnx("%s is already running (pid unknown, pidfile %s)",
		    p->name, p->pidfile);
}

static int
lock_pidfile(struct start *s)
{
	const struct paths *p = s->p;
	pid_t other;

	switch (pidlock_acquire(p->pidfile, &s->lock, &other)) {
	case LOCK_OK:
		return 0;
	case LOCK_BUSY:
		explain_busy(p, other);
		return nothing_to_do(s->o);
	case LOCK_NOTREG:
		warnx("%s: %s", p->pidfile, errno == ELOOP ?
		    "refusing a symbolic link as pidfile" :
		    "not a regular file: refusing it as pidfile");
		return EXIT_TROUBLE;
	default:
		warn("%s", p->pidfile);
		return EXIT_TROUBLE;
	}
}

/*
 * -i, -o, -e.  A daemon's stdin and stdout default to /dev/null and its
 * stderr to stdout; with -f, stdout and stderr stay the caller's.
 */
static int
open_stdio(struct start *s)
{
	const struct detach_opts *o = s->o;
	const struct paths *p = s->p;
	const char *in = p->in[0] != '\0' ? p->in : "/dev/null";
	const char *out = p->out[0] != '\0' ? p->out : NULL;
	const char *err = p->err[0] != '\0' ? p->err : NULL;

	if (out == NULL && !o->foreground)
		out = "/dev/null";
	if (output_open_read(&s->in, in) == -1) {
		warn("%s", in);
		return -1;
	}
	if (out != NULL &&
	    output_open_write(&s->out, out, o->truncate, o->umask) == -1) {
		warn("%s", out);
		return -1;
	}
	if (err != NULL &&
	    output_open_write(&s->err, err, o->truncate, o->umask) == -1) {
		warn("%s", err);
		return -1;
	}
	return 0;
}

static void
discard(struct start *s)
{
	output_discard(&s->in);
	output_discard(&s->out);
	output_discard(&s->err);
	pidlock_remove(&s->lock);
}

/* Map a failed step to a message and an exit code. */
static int
report_failure(const struct start *s, const struct launch_result *r)
{
	const char *cmd = s->o->command[0];
	char sig[16];

	switch (r->stage) {
	case STAGE_EXEC:
		if (r->err == ENOENT && strchr(cmd, '/') == NULL) {
			warnx("%s: command not found", cmd);
			return EXIT_NOTFOUND;
		}
		warnx("%s: %s", cmd, strerror(r->err));
		if (r->err == ENOENT || r->err == ENOTDIR)
			return EXIT_NOTFOUND;
		if (r->err == EACCES || r->err == EPERM || r->err == EISDIR ||
		    r->err == ENOEXEC)
			return EXIT_NOEXEC;
		return EXIT_TROUBLE;
	case STAGE_CHDIR:
		warnx("%s: %s", s->p->chdir[0] != '\0' ? s->p->chdir : "/",
		    strerror(r->err));
		return EXIT_TROUBLE;
	case STAGE_PIDFILE:
		warnx("%s: %s", s->p->pidfile, strerror(r->err));
		return EXIT_TROUBLE;
	case STAGE_VANISHED:
		warnx("%s: the daemon died before it could exec", cmd);
		return EXIT_TROUBLE;
	case STAGE_EXITED:
		if (r->status == -1)
			warnx("%s (pid %ld) exited at once", cmd, (long)r->pid);
		else if (WIFSIGNALED(r->status)) {
			signal_name(WTERMSIG(r->status), sig, sizeof(sig));
			warnx("%s (pid %ld) was killed at once by SIG%s", cmd,
			    (long)r->pid, sig);
		} else
			warnx("%s (pid %ld) exited at once with status %d",
			    cmd, (long)r->pid, WEXITSTATUS(r->status));
		return EXIT_TROUBLE;
	default:
		warnx("%s: %s failed: %s", cmd, spawn_stage_name(r->stage),
		    strerror(r->err));
		return EXIT_TROUBLE;
	}
}

/*
 * -f: exec in place.  Errors after the standard files moved go to the
 * caller's original stderr, kept aside on a close-on-exec descriptor.
 */
static int
exec_here(struct start *s, const struct launch *l)
{
	struct launch_result r;
	int saved_err, code;

	saved_err = fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, 3);
	daemonize_exec_here(l, &r);
	if (saved_err != -1)
		dup2(saved_err, STDERR_FILENO);
	code = report_failure(s, &r);
	discard(s);
	return code;
}

/*
 * --supervise: the daemonized process (or, with -f, this one) becomes
 * the supervisor and runs the command as its child.  The supervisor
 * holds the pidfile lock; the child never inherits it.
 */
static int
start_supervised(struct start *s, const struct launch *child)
{
	const struct detach_opts *o = s->o;
	const struct paths *p = s->p;
	struct launch_result r;
	struct sv_config cfg;
	struct launch sup;
	int null, code;

	cfg = (struct sv_config){
		.child = *child,
		.name = p->name,
		.command = o->command[0],
		.pidfile = p->pidfile,
		.lock = &s->lock,
		.child_pidfile = p->child_pidfile[0] != '\0' ?
		    p->child_pidfile : NULL,
		.out_path = p->out[0] != '\0' ? p->out : NULL,
		.err_path = p->err[0] != '\0' ? p->err : NULL,
		.out_fd = s->out.fd,
		.err_fd = s->err.fd,
		.syslog = o->syslog,
		.facility = o->syslog_facility,
		.tag = o->syslog_tag != NULL ? o->syslog_tag : p->name,
		.restart = o->restart,
		.delay_ms = o->restart_delay_ms,
		.delay_max_ms = o->restart_delay_max_ms,
		.delay_reset_ms = o->restart_delay_reset_ms,
		.window_ms = o->restart_window_ms,
		.max_restarts = o->max_restarts,
		.foreground = o->foreground,
	};
	cfg.child.lock = NULL;
	cfg.child.keep_lock = 0;
	cfg.child.new_pgrp = 1;
	if (o->foreground) {
		if (pidlock_write(&s->lock, getpid()) == -1) {
			warn("%s", p->pidfile);
			discard(s);
			return EXIT_TROUBLE;
		}
		code = supervise_foreground(&cfg, &r);
		if (code == -1) {
			code = report_failure(s, &r);
			discard(s);
		}
		return code;
	}
	if ((null = open("/dev/null", O_RDWR | O_CLOEXEC)) == -1) {
		warn("/dev/null");
		discard(s);
		return EXIT_TROUBLE;
	}
	sup = (struct launch){
		.dir = "/",
		.umask = o->umask,
		.fd_in = null,
		.fd_out = null,
		.fd_err = null,
		.lock = &s->lock,
		.body = supervise_body,
		.body_arg = &cfg,
	};
	code = daemonize_launch(&sup, &r);
	close(null);
	if (code == -1) {
		code = report_failure(s, &r);
		discard(s);
		return code;
	}
	return EXIT_OK;
}

int
cmd_start(const struct detach_opts *o, const struct paths *p)
{
	struct start s = { .o = o, .p = p };
	struct launch_result r;
	struct launch l;
	int code;

	if (paths_make_piddir(p) == -1) {
		warn("%s", p->piddir);
		return EXIT_TROUBLE;
	}
	s.in.fd = s.out.fd = s.err.fd = -1;
	if ((code = lock_pidfile(&s)) != 0 || s.lock.pfh == NULL)
		return code;
	if (open_stdio(&s) == -1) {
		discard(&s);
		return EXIT_TROUBLE;
	}
	l = (struct launch){
		.argv = o->command,
		.file = p->command,
		.dir = p->chdir[0] != '\0' ? p->chdir : "/",
		.umask = o->umask,
		.env = o->env,
		.fd_in = s.in.fd,
		.fd_out = s.out.fd,
		.fd_err = s.err.fd != -1 ? s.err.fd : s.out.fd,
		.lock = &s.lock,
		.keep_lock = 1,
	};
	if (o->supervise)
		code = start_supervised(&s, &l);
	else if (o->foreground)
		return exec_here(&s, &l);
	else if (daemonize_launch(&l, &r) == -1) {
		code = report_failure(&s, &r);
		discard(&s);
		return code;
	}
	if (code != EXIT_OK)
		return code;
	output_close(&s.in);
	output_close(&s.out);
	output_close(&s.err);
	pidlock_close(&s.lock);
	return EXIT_OK;
}
