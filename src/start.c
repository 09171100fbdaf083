/*
 * detach start: lock the pidfile, open the standard files, daemonize (or,
 * with -f, exec in place), record who the daemon is and report the
 * outcome with the right exit code.  Everything that can fail is tried
 * in the caller first, so that the error reaches the terminal; a start
 * that fails anywhere stops what it started and removes the pidfile, the
 * record and any output file it created (start_fail.c).
 */
#include "config.h"

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

#include "adopt.h"
#include "clock.h"
#include "control.h"
#include "daemonize.h"
#include "detach.h"
#include "memtrim.h"
#include "start.h"
#include "start_int.h"

#define BUSY_TRIES	20
#define BUSY_PAUSE_MS	5	/* 100 ms in all */

static void
pause_ms(long ms)
{
	struct timespec ts = { 0, ms * 1000000L };

	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

static int
nothing_to_do(const struct detach_opts *o)
{
	return o->oknodo ? EXIT_OK : EXIT_NOTHING;
}

/*
 * The daemon the pidfile names runs (with or without the lock), or what
 * is left of it does: say so, unless --oknodo.  Anything else that holds
 * the lock is named as such, since "already running" would send the user
 * looking for the wrong process.
 */
static int
explain_busy(const struct start *s, struct probe *pr)
{
	const struct paths *p = s->p;
	char who[128];

	switch (pr->state) {
	case PROBE_RUNNING:
		if (!s->o->oknodo)
			warnx("%s is already running (pid %ld, pidfile %s)",
			    p->name, (long)pr->pid, p->pidfile);
		return nothing_to_do(s->o);
	case PROBE_NOPID:
		if (!s->o->oknodo)
			warnx("%s is already running (starting: pidfile %s is "
			    "locked, no pid yet)", p->name, p->pidfile);
		return nothing_to_do(s->o);
	case PROBE_ORPHANED:
		holders_text(pr, who, sizeof(who));
		warnx("%s: pid %ld is gone, but %s of its session still run%s; "
		    "not starting (detach stop stops them)", p->name,
		    (long)pr->pid, who, pr->nholders > 1 ? "" : "s");
		return EXIT_NOTHING;
	case PROBE_STALE:
		/* what it names is gone, yet someone keeps the lock */
		pr->nholders = proc_find_holders(pr->dev, pr->ino, pr->holders,
		    PROC_HOLDERS_MAX);
		/* FALLTHROUGH */
	case PROBE_FOREIGN:
		holders_text(pr, who, sizeof(who));
		warnx("%s: locked by %s, which is not a daemon detach started "
		    "(it names pid %ld); not starting", p->pidfile, who,
		    (long)pr->pid);
		return EXIT_NOTHING;
	default:
		explain(p, pr);
		return EXIT_TROUBLE;
	}
}

/*
 * Lock the pidfile.  A busy lock is believed once the probe says why;
 * a probe's instant shared lock or a stop removing a stale file can make
 * a lock fail for a moment, so that is tried again (pidlock_acquire()
 * itself never waits).  Once locked, the file may still name a daemon
 * of ours that runs without the lock (it closed its descriptors).
 */
static int
lock_pidfile(struct start *s)
{
	const struct paths *p = s->p;
	struct probe pr;
	int tries;

	for (tries = 0;; tries++) {
		switch (pidlock_acquire(p->pidfile, &s->lock)) {
		case LOCK_OK:
			break;
		case LOCK_BUSY:
			pidlock_probe(p->pidfile, &pr);
			if ((pr.state == PROBE_STALE || pr.state ==
			    PROBE_NOFILE) && tries < BUSY_TRIES) {
				pause_ms(BUSY_PAUSE_MS);
				continue;	/* an instant lock, or a stop */
			}
			return explain_busy(s, &pr);
		case LOCK_UNSAFE:
			warnx("%s: %s", p->pidfile, errno == EACCES ?
			    "refusing a pidfile that belongs to another user "
			    "in a directory others can write to" :
			    "refusing a pidfile in a directory that other "
			    "users can write to (they could replace it)");
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
		break;
	}
	pidlock_probe_held(&s->lock, &pr);
	if (pr.state != PROBE_STALE) {
		pidlock_close(&s->lock);
		return explain_busy(s, &pr);
	}
	/* stale: ours to replace */
	if (svstate_remove(p->pidfile) == -1 || ftruncate(s->lock.fd, 0) == -1) {
		warn("%s", p->pidfile);
		pidlock_close(&s->lock);
		return EXIT_TROUBLE;
	}
	return EXIT_OK;
}

static int
open_failed(const char *path)
{
	warnx("%s: %s", path, output_strerror(errno));
	return -1;
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
	const char *out = p->out[0] != '\0' ? p->out : NULL;
	const char *err = p->err[0] != '\0' ? p->err : NULL;

	if (!o->supervise && !o->foreground && p->in[0] == '\0' &&
	    out == NULL && err == NULL) {
		if (output_open_null(&s->in, &s->out) == -1)
			return open_failed("/dev/null");
		return 0;
	}
	if ((p->in[0] != '\0' ? output_open_read(&s->in, p->in) :
	    output_open_null(&s->in, NULL)) == -1)
		return open_failed(p->in[0] != '\0' ? p->in : "/dev/null");
	if (out == NULL && !o->foreground) {
		if (output_open_null(&s->out, NULL) == -1)
			return open_failed("/dev/null");
	} else if (out != NULL &&
	    output_open_write(&s->out, out, o->truncate, o->umask) == -1)
		return open_failed(out);
	if (err != NULL &&
	    output_open_write(&s->err, err, o->truncate, o->umask) == -1)
		return open_failed(err);
	return 0;
}

/*
 * -f: record ourselves, then exec in place.  Errors after the standard
 * files moved go to the caller's original stderr, kept aside on a
 * close-on-exec descriptor.
 */
static int
exec_here(struct start *s, const struct launch *l)
{
	struct launch_result r;
	int saved_err, code;

	if (svstate_identify(getpid(), &s->rec) == -1 ||
	    (s->rec.session = 0, pidlock_record(&s->lock, &s->rec)) == -1) {
		warn("%s", s->p->pidfile);
		start_discard(s);
		return EXIT_TROUBLE;
	}
	saved_err = fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, 3);
	daemonize_exec_here(l, &r);
	if (saved_err != -1)
		dup2(saved_err, STDERR_FILENO);
	code = start_report_failure(s, &r);
	start_discard(s);
	return code;
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
 * The daemon's exec worked: record it, then name it in the pidfile, so
 * that it can be stopped even while start still waits for it.
 */
static int
record_daemon(struct start *s, pid_t pid, pid_t session)
{
	if (svstate_identify(pid, &s->rec) == -1)
		return -1;
	snprintf(s->rec.follow, sizeof(s->rec.follow), "%s", s->p->follow);
	if (session > 0)
		s->rec.session = session;
	s->rec.readiness = s->checks.n > 0 ? SVREADY_STARTING : SVREADY_NONE;
	return pidlock_record(&s->lock, &s->rec);
}

/*
 * A MAINPID= the service sent through sd_notify replaces the daemon, if
 * that process is of the service (its session, or a child of ours).
 */
static int
record_mainpid(struct start *s)
{
	struct svstate rec;
	pid_t main = s->ready.mainpid;

	if (main <= 1 || main == s->rec.pid ||
	    svstate_identify(main, &rec) == -1 ||
	    (rec.session != s->rec.session && proc_parent(main) != getpid()))
		return 0;
	rec.session = s->rec.session;
	rec.readiness = s->rec.readiness;
	memcpy(rec.follow, s->rec.follow, sizeof(rec.follow));
	s->rec = rec;
	return pidlock_record(&s->lock, &s->rec);
}

/* The checks passed: the record says so, for status and list. */
static int
record_ready(struct start *s)
{
	if (s->rec.readiness == SVREADY_NONE)
		return 0;
	s->rec.readiness = SVREADY_READY;
	return pidlock_record(&s->lock, &s->rec);
}

/*
 * --forking: the command daemonizes itself.  Once it exited 0, the
 * daemon it left (our child: we are its subreaper) replaces it in the
 * record and the pidfile, with its own session.
 */
static int
adopt_plain(struct start *s, struct launch_result *r)
{
	struct adopt_req rq = {
		.command = r->pid,
		.follow = s->p->follow[0] != '\0' ? s->p->follow : NULL,
		.deadline = clock_ms() + s->o->ready_timeout_ms,
	};
	struct adoption a;

	if (adopt_daemon(&rq, &a) == -1) {
		r->stage = STAGE_ADOPT;
		snprintf(r->msg, sizeof(r->msg), "%s", a.why);
		return -1;
	}
	r->pid = a.pid;
	if (record_daemon(s, a.pid, 0) == -1) {
		r->stage = STAGE_PIDFILE;
		r->err = errno;
		return -1;
	}
	return 0;
}

/* Plain mode: daemonize, record, wait for readiness if asked. */
static int
start_plain(struct start *s, const struct launch *l)
{
	struct launch_result r;
	int code = EXIT_OK;

	rc_prepare(&s->checks);
	if (daemonize_launch(l, &r) == -1)
		code = start_report_failure(s, &r);
	else if (record_daemon(s, r.pid, r.session) == -1 &&
	    !(s->o->forking && errno == ESRCH)) {	/* exited: adopt */
		warn("%s", s->p->pidfile);
		code = EXIT_TROUBLE;
	} else if (s->o->forking && adopt_plain(s, &r) == -1)
		code = start_report_failure(s, &r);
	else if (s->ready.kind != READY_NONE &&
	    (ready_forget_child_end(&s->ready), start_await_ready(s, &r)) == -1)
		code = start_report_failure(s, &r);
	else if (s->checks.n > 0 && start_await_checks(s, l, &r) == -1)
		code = start_report_failure(s, &r);
	else if (record_mainpid(s) == -1 || record_ready(s) == -1) {
		warn("%s", s->p->pidfile);
		code = EXIT_TROUBLE;
	}
	if (code != EXIT_OK) {
		if (s->rec.session == 0)
			s->rec.session = r.session;
		start_abort(s, r.pid);
		start_discard(s);
	}
	return code;
}

static int
start_main(struct start *sp)
{
	const struct detach_opts *o = sp->o;
	const struct paths *p = sp->p;
	struct launch l;
	int code;

	sp->in.fd = sp->out.fd = sp->err.fd = -1;
	sp->lock.fd = -1;
	if (start_prepare(sp) == -1) {
		ready_close(&sp->ready);
		return EXIT_TROUBLE;
	}
	if (paths_make_piddir(p) == -1) {
		warn("%s", p->piddir);
		return EXIT_TROUBLE;
	}
	if ((code = lock_pidfile(sp)) != EXIT_OK || sp->lock.fd == -1)
		return code;
	if (open_stdio(sp) == -1) {
		start_discard(sp);
		return EXIT_TROUBLE;
	}
	if (o->log_max_size > 0 && (code = start_rotatable(sp)) != EXIT_OK) {
		start_discard(sp);
		return code;
	}
	if (!o->supervise && rc_uses_log(&sp->checks) &&
	    (code = start_follow_output(sp)) != 0) {
		start_discard(sp);
		return code;
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
		.forks = o->forking,
	};
	if (o->foreground && !o->supervise) {
		start_record_logs(sp);
		return exec_here(sp, &l);
	}
	/*
	 * The daemon, and every orphan of the service (a command that
	 * forks into the background), comes to us while we wait.
	 */
	if (!o->foreground)
		prctl(PR_SET_CHILD_SUBREAPER, 1);
	if (o->supervise)
		code = start_supervised(sp, &l);
	else
		code = start_plain(sp, &l);
	if (!o->foreground)
		prctl(PR_SET_CHILD_SUBREAPER, 0);
	ready_close(&sp->ready);
	if (code != EXIT_OK)
		return code;
	start_record_logs(sp);
	output_close(&sp->in);
	output_close(&sp->out);
	output_close(&sp->err);
	pidlock_close(&sp->lock);
	return EXIT_OK;
}

/*
 * start's state has a mapping of its own, zeroed: the pages it never
 * writes (most of privs, the record, ...) stay clean in the supervisor
 * it forks, where on the stack they would all be dirty.
 */
int
cmd_start(const struct detach_opts *o, const struct paths *p)
{
	struct start *s;
	int code;

	if ((s = mem_zeroed(sizeof(*s))) == NULL) {
		warn("start");
		return EXIT_TROUBLE;
	}
	s->o = o;
	s->p = p;
	code = start_main(s);
	rc_free(&s->checks);
	rc_free(&s->health);
	env_free(&s->env);
	mem_release(s, sizeof(*s));
	return code;
}
