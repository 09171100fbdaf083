/*
 * detach start: lock the pidfile, open the standard files, daemonize (or,
 * with -f, exec in place) and report the outcome with the right exit
 * code.  Everything that can fail is tried in the caller first, so that
 * the error reaches the terminal; a start that fails anywhere removes
 * the pidfile and any output file it created.
 */
#include "config.h"

#include <dirent.h>
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <poll.h>
#include <sys/pidfd.h>
#include <sys/wait.h>
#include <time.h>
#include <sys/stat.h>
#include <unistd.h>

#include "daemonize.h"
#include "clock.h"
#include "detach.h"
#include "output.h"
#include "parse.h"
#include "pidlock.h"
#include "envbuild.h"
#include "privs.h"
#include "proc.h"
#include "ready.h"
#include "start.h"
#include "stop.h"
#include "supervise.h"

struct start {
	const struct detach_opts	*o;
	const struct paths		*p;
	struct pidlock			 lock;
	struct outfile			 in, out, err;
	struct privs			 privs;
	struct envbuf			 env;
	struct ready			 ready;
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
	case LOCK_UNSAFE:
		warnx("%s: %s", p->pidfile, errno == EACCES ?
		    "refusing a pidfile that belongs to another user in a "
		    "directory others can write to" :
		    "refusing a pidfile in a directory that other users can "
		    "write to (they could replace it)");
		return EXIT_TROUBLE;
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
 * stderr to stdout; with -f, stdout and stderr stay the caller's.  A plain
 * daemon with none of the three gets one /dev/null for all of them.
 */
static int
open_stdio(struct start *s)
{
	const struct detach_opts *o = s->o;
	const struct paths *p = s->p;
	const char *in = p->in[0] != '\0' ? p->in : "/dev/null";
	const char *out = p->out[0] != '\0' ? p->out : NULL;
	const char *err = p->err[0] != '\0' ? p->err : NULL;

	if (!o->supervise && !o->foreground && p->in[0] == '\0' &&
	    out == NULL && err == NULL) {
		if (output_open_null(&s->in, &s->out) == -1) {
			warn("%s", in);
			return -1;
		}
		return 0;
	}
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

/*
 * execvp() says EACCES when a PATH directory could not be searched, even
 * if the command is nowhere: is there a file of that name on PATH at all?
 */
static int
on_path(const char *cmd, char *const *envp)
{
	const char *path = "/bin:/usr/bin", *p, *end;
	char file[PATH_MAX];
	struct stat sb;
	size_t len;

	for (; envp != NULL && *envp != NULL; envp++)
		if (strncmp(*envp, "PATH=", 5) == 0)
			path = *envp + 5;
	for (p = path; *p != '\0'; p = *end != '\0' ? end + 1 : end) {
		end = strchr(p, ':');
		if (end == NULL)
			end = p + strlen(p);
		len = (size_t)(end - p);
		if (snprintf(file, sizeof(file), "%.*s/%s", (int)len, len ? p :
		    ".", cmd) < (int)sizeof(file) && stat(file, &sb) == 0)
			return 1;
		if (*end == '\0')
			break;
	}
	return 0;
}

/* Map a failed step to a message and an exit code. */
static int
report_failure(const struct start *s, const struct launch_result *r)
{
	const char *cmd = s->o->command[0];
	const char *when;
	char sig[16];

	switch (r->stage) {
	case STAGE_EXEC:
		if ((r->err == ENOENT || (r->err == EACCES &&
		    !on_path(cmd, s->env.vars))) && strchr(cmd, '/') == NULL) {
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
	case STAGE_PRIVS:
		warnx("%s: cannot run as %s: %s", cmd, s->o->user != NULL ?
		    s->o->user : s->o->group, strerror(r->err));
		return EXIT_TROUBLE;
	case STAGE_CHROOT:
		warnx("%s: %s", s->o->chroot, strerror(r->err));
		return EXIT_TROUBLE;
	case STAGE_READY:
		if (r->err == ETIMEDOUT)
			warnx("%s (pid %ld) was not ready within %lld.%03lld s%s%s",
			    cmd, (long)r->pid,
			    (long long)(s->o->wait_ready_ms / 1000),
			    (long long)(s->o->wait_ready_ms % 1000),
			    s->ready.status[0] != '\0' ? "; its status: " : "",
			    s->ready.status);
		else
			warnx("%s (pid %ld) closed its readiness descriptor "
			    "without saying it was ready", cmd, (long)r->pid);
		return EXIT_TROUBLE;
	case STAGE_VANISHED:
		warnx("%s: the daemon died before it could exec", cmd);
		return EXIT_TROUBLE;
	case STAGE_EXITED:
		when = s->o->wait_ready ? " before it was ready" :
		    s->o->wait_ms >= 0 ? " within --wait" : " at once";
		if (r->status == -1)
			warnx("%s (pid %ld) exited%s", cmd, (long)r->pid, when);
		else if (WIFSIGNALED(r->status)) {
			signal_name(WTERMSIG(r->status), sig, sizeof(sig));
			warnx("%s (pid %ld) was killed by SIG%s%s", cmd,
			    (long)r->pid, sig, when);
		} else
			warnx("%s (pid %ld) exited with status %d%s%s%s", cmd,
			    (long)r->pid, WEXITSTATUS(r->status), when,
			    s->ready.status[0] != '\0' ? "; its status: " : "",
			    s->ready.status);
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
 * READY=1 may come through a helper: systemd-notify --ready then sends
 * BARRIER=1 with a descriptor and waits for it to be closed, and fails
 * (possibly taking the service down) if the socket is gone by then.  So
 * wait for such helpers to exit, reading and closing what they send: the
 * sender if it is not the service, and any child of the service named
 * systemd-notify (it reports the service's pid as its own).  A second at
 * most.
 */
static int
notify_helpers(struct ready *rd, pid_t service, int *fds, int max)
{
	char path[64], comm[32];
	struct dirent *de;
	pid_t pid;
	DIR *d;
	int n = 0;

	if (rd->sender > 1 && rd->sender != service &&
	    (fds[n] = proc_pidfd_open(rd->sender)) != -1)
		n++;
	if ((d = opendir("/proc")) == NULL)
		return n;
	while (n < max && (de = readdir(d)) != NULL) {
		if (parse_pid(de->d_name, strlen(de->d_name), &pid) == -1 ||
		    pid == rd->sender || proc_parent(pid) != service)
			continue;
		snprintf(path, sizeof(path), "/proc/%ld/comm", (long)pid);
		if (proc_read(path, 0, comm, sizeof(comm)) > 0 &&
		    strcmp(comm, "systemd-notify\n") == 0 &&
		    (fds[n] = proc_pidfd_open(pid)) != -1)
			n++;
	}
	closedir(d);
	return n;
}

static void
drain_helpers(struct ready *rd, pid_t service)
{
	struct pollfd pfd[9];
	int fds[8], n, i, live;
	int64_t end = clock_ms() + 1000, left;

	if (rd->kind != READY_NOTIFY ||
	    (n = notify_helpers(rd, service, fds, 8)) == 0)
		return;
	while ((left = end - clock_ms()) > 0) {
		for (i = live = 0; i < n; i++)
			if (fds[i] != -1)
				pfd[live++] = (struct pollfd){ .fd = fds[i],
				    .events = POLLIN };
		if (live == 0)
			break;
		pfd[live] = (struct pollfd){ .fd = rd->fd, .events = POLLIN };
		if (poll(pfd, (nfds_t)live + 1, (int)left) == -1 &&
		    errno != EINTR)
			break;
		if (pfd[live].revents != 0)
			ready_read(rd);
		for (i = 0; i < n; i++)
			if (fds[i] != -1 && proc_pidfd_exited(fds[i]) == 1) {
				close(fds[i]);
				fds[i] = -1;
			}
	}
	for (i = 0; i < n; i++)
		if (fds[i] != -1)
			close(fds[i]);
}

/*
 * Plain mode with --wait-ready, --ready-fd or --wait: the daemon runs
 * (its exec succeeded); wait until it says it is ready, dies, or the time
 * runs out.  The daemon is our child here (we are its subreaper), so its
 * exit status is ours to report.  On timeout it is stopped with start's
 * own -s/-t/-R.  Returns 0, or -1 with r saying why.
 */
static int
await_ready(struct start *s, struct launch_result *r)
{
	const struct detach_opts *o = s->o;
	struct ready *rd = &s->ready;
	struct pollfd pfd[2];
	int64_t end, left;
	int pidfd, n, st;
	enum ready_state state = READY_WAITING;

	end = clock_ms() + (rd->kind == READY_SURVIVE ? o->wait_ms :
	    o->wait_ready_ms);
	if ((pidfd = proc_pidfd_open(r->pid)) == -1) {
		r->stage = STAGE_EXITED;
		r->status = -1;
		return -1;
	}
	while (state == READY_WAITING) {
		left = end - clock_ms();
		if (left <= 0)
			break;
		n = 0;
		pfd[n++] = (struct pollfd){ .fd = pidfd, .events = POLLIN };
		if (rd->fd != -1)
			pfd[n++] = (struct pollfd){ .fd = rd->fd,
			    .events = POLLIN };
		if (poll(pfd, (nfds_t)n, left > 60000 ? 60000 : (int)left) ==
		    -1 && errno != EINTR)
			break;
		if (n == 2 && pfd[1].revents != 0)
			state = ready_read(rd);
		if (state != READY_DONE && pfd[0].revents != 0) {
			r->stage = STAGE_EXITED;
			r->status = waitpid(r->pid, &st, 0) == r->pid ? st : -1;
			close(pidfd);
			return -1;
		}
	}
	if (state == READY_FAILED && proc_pidfd_wait(pidfd, 500) == 1) {
		/* it closed the descriptor because it was dying: say how */
		r->stage = STAGE_EXITED;
		r->status = waitpid(r->pid, &st, 0) == r->pid ? st : -1;
		close(pidfd);
		return -1;
	}
	if (state == READY_DONE)
		drain_helpers(rd, r->pid);
	if (state == READY_DONE || (state == READY_WAITING &&
	    rd->kind == READY_SURVIVE && proc_pidfd_exited(pidfd) == 0)) {
		if (rd->mainpid > 1 && rd->mainpid != r->pid &&
		    proc_holds(rd->mainpid, s->lock.dev, s->lock.ino) == 1)
			pidlock_write(&s->lock, rd->mainpid);
		close(pidfd);
		return 0;
	}
	/* not ready: take the service down again */
	r->stage = STAGE_READY;
	r->err = state == READY_FAILED ? EPIPE : ETIMEDOUT;
	stop_run(&pidfd, 1, &o->sched, NULL, NULL);
	waitpid(r->pid, &st, WNOHANG);
	close(pidfd);
	return -1;
}

/*
 * --ready-fd=N: the daemon gets our pipe as descriptor N, put there with
 * dup2().  None of our own descriptors (the pidfile, the report pipe)
 * may then sit at N, so N is occupied before any of them is opened.
 */
static int
reserve_fd(int n)
{
	int fd;

	if (fcntl(n, F_GETFD) != -1)
		return 0;	/* in use already: ours cannot land there */
	if ((fd = open("/dev/null", O_RDONLY | O_CLOEXEC)) == -1)
		return -1;
	if (fd != n && dup3(fd, n, O_CLOEXEC) == -1) {
		close(fd);
		return -1;
	}
	if (fd != n)
		close(fd);
	return 0;
}

/*
 * Everything about the launch that can be checked or built without
 * touching the pidfile: the user, the environment, the descriptors.
 */
static int
prepare(struct start *s)
{
	const struct detach_opts *o = s->o;
	char msg[512];
	int i;

	if (privs_resolve(o->user, o->group, &s->privs, msg,
	    sizeof(msg)) == -1) {
		warnx("%s", msg);
		return -1;
	}
	if (o->chroot != NULL && geteuid() != 0) {
		warnx("--chroot %s: only root may change the root directory",
		    o->chroot);
		return -1;
	}
	for (i = 0; i < o->nkeep_fds; i++)
		if (fcntl(o->keep_fds[i], F_GETFD) == -1) {
			warnx("--keep-fd=%d: descriptor %d is not open",
			    o->keep_fds[i], o->keep_fds[i]);
			return -1;
		}
	if (env_build(o, &s->privs, environ, &s->env, msg,
	    sizeof(msg)) == -1) {
		warnx("%s", msg);
		return -1;
	}
	s->ready = (struct ready){ .kind = READY_NONE, .fd = -1,
	    .child_fd = -1 };
	if (o->ready_fd != -1 && reserve_fd(o->ready_fd) == -1) {
		warn("--ready-fd=%d", o->ready_fd);
		return -1;
	}
	if (o->wait_ready && ready_open(&s->ready, o->ready_fd != -1 ?
	    READY_FD : READY_NOTIFY, o->ready_fd, s->privs.active ?
	    s->privs.uid : getuid()) == -1) {
		warn("readiness");
		return -1;
	}
	if (o->wait_ms >= 0)
		s->ready.kind = READY_SURVIVE;
	if (s->ready.kind == READY_NOTIFY &&
	    env_set(&s->env, s->ready.env) == -1) {
		warn("environment");
		return -1;
	}
	return 0;
}

/* Output files we created belong to the user the service runs as. */
static void
chown_created(struct start *s)
{
	struct outfile *of[2] = { &s->out, &s->err };
	int i;

	if (!s->privs.active)
		return;
	for (i = 0; i < 2; i++)
		if (of[i]->created && of[i]->fd != -1 &&
		    fchown(of[i]->fd, s->privs.uid, s->privs.gid) == -1)
			warn("%s", of[i]->path);
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
		.ready = &s->ready,
		.ready_ms = s->ready.kind == READY_SURVIVE ? o->wait_ms :
		    o->wait_ready_ms,
		.stop_sched = &o->sched,
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
		umask(o->umask);	/* for the files a reopen creates */
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

/*
 * For restart: everything start would refuse, checked before the running
 * daemon is stopped, so that a typo does not leave nothing running.
 */
int
start_validate(const struct detach_opts *o, const struct paths *p)
{
	struct start s = { .o = o, .p = p };
	int r;

	r = prepare(&s);
	ready_close(&s.ready);
	env_free(&s.env);
	return r == -1 ? EXIT_TROUBLE : EXIT_OK;
}

static int
start_main(struct start *sp)
{
	const struct detach_opts *o = sp->o;
	const struct paths *p = sp->p;
	struct launch_result r;
	struct launch l;
	int code;

	sp->in.fd = sp->out.fd = sp->err.fd = -1;
	if (prepare(sp) == -1) {
		ready_close(&sp->ready);
		return EXIT_TROUBLE;
	}
	if (paths_make_piddir(p) == -1) {
		warn("%s", p->piddir);
		return EXIT_TROUBLE;
	}
	if ((code = lock_pidfile(sp)) != 0 || sp->lock.pfh == NULL)
		return code;
	if (open_stdio(sp) == -1) {
		discard(sp);
		return EXIT_TROUBLE;
	}
	chown_created(sp);
	l = (struct launch){
		.argv = o->command,
		.file = p->command,
		.dir = p->chdir[0] != '\0' ? p->chdir : "/",
		.umask = o->umask,
		.envp = sp->env.vars,
		.fd_in = sp->in.fd,
		.fd_out = sp->out.fd,
		.fd_err = sp->err.fd != -1 ? sp->err.fd : sp->out.fd,
		.lock = &sp->lock,
		.keep_lock = 1,
		.root = o->chroot,
		.privs = sp->privs.active ? &sp->privs : NULL,
		.has_nice = o->has_nice,
		.nice = o->nice,
		.limits = o->limits,
		.nlimits = o->nlimits,
		.keep_fds = o->keep_fds,
		.nkeep_fds = o->nkeep_fds,
		.ready_fd = sp->ready.child_fd,
		.ready_dst = sp->ready.child_dst,
	};
	if (o->supervise)
		code = start_supervised(sp, &l);
	else if (o->foreground)
		return exec_here(sp, &l);
	else if (daemonize_launch(&l, &r) == -1 ||
	    (sp->ready.kind != READY_NONE &&
	    (ready_forget_child_end(&sp->ready), await_ready(sp, &r)) == -1)) {
		code = report_failure(sp, &r);
		discard(sp);
		ready_close(&sp->ready);
		return code;
	}
	ready_close(&sp->ready);
	if (code != EXIT_OK)
		return code;
	output_close(&sp->in);
	output_close(&sp->out);
	output_close(&sp->err);
	pidlock_close(&sp->lock);
	return EXIT_OK;
}

int
cmd_start(const struct detach_opts *o, const struct paths *p)
{
	struct start s = { .o = o, .p = p };
	int code;

	code = start_main(&s);
	env_free(&s.env);
	return code;
}
