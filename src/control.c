/*
 * detach stop, signal and reopen: everything that acts on a running
 * daemon through its pidfile.
 *
 * Never signal the wrong process.  The daemon is the one the record
 * beside the pidfile names, with the start time it has now (probe.c);
 * it is pinned (target.c), and every signal goes through the pin.
 * stop then stops what is left of the service in its session, and
 * removes the pidfile and the record only once they name nothing alive.
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
#include <time.h>
#include <unistd.h>

#include "adopt.h"
#include "clock.h"
#include "control.h"
#include "detach.h"
#include "output.h"
#include "parse.h"
#include "pidlock.h"
#include "stop.h"
#include "svreq.h"
#include "svstate.h"
#include "target.h"

#define REOPEN_WAIT_MS	5000
#define STUCK_WAIT_MS	5000
#define BLIND_POLL_MS	50	/* no pidfd: how often to look at /proc */

static int
not_running_code(const struct detach_opts *o, const struct probe *pr)
{
	if (pr->state != PROBE_NOFILE && pr->state != PROBE_STALE)
		return EXIT_TROUBLE;
	return o->oknodo ? EXIT_OK : EXIT_NOTHING;
}

static int
is_supervisor(const struct probe *pr)
{
	return pr->recorded && pr->rec.supervisor == pr->pid;
}

/* stop_run()'s sender for a supervisor: "signal your child's group". */
static int
send_stop_request(const struct target *t, int sig, void *arg)
{
	(void)arg;
	return target_queue(t, SV_SIG_STOP, sig);
}

/*
 * Find the daemon and pin it.  PINNED: *t is the daemon, or has pid 0
 * if it exited in between.  Anything else is the exit code to return,
 * the reason printed (nothing to do, under --oknodo, is 0).
 */
#define PINNED		(-1)
#define PIN_ORPHANED	(-2)	/* stop only: see stop_orphans() */

static int
pin_daemon(const struct detach_opts *o, const struct paths *p,
    struct probe *pr, struct target *t)
{
	*t = TARGET_NONE;
	pidlock_probe(p->pidfile, pr);
	if (pr->state == PROBE_ORPHANED && cli_verb_stops(o->verb))
		return PIN_ORPHANED;
	if (pr->state != PROBE_RUNNING) {
		if (pr->state == PROBE_STALE && probe_ours(pr) &&
		    pidlock_remove_stale(p->pidfile, pr->dev, pr->ino) == -1)
			warn("%s: cannot remove stale pidfile", p->pidfile);
		explain(p, pr);
		return not_running_code(o, pr);
	}
	if (target_pin(t, pr->pid, pr->start) == -1) {
		warn("%s (pid %ld)", p->name, (long)pr->pid);
		return EXIT_TROUBLE;
	}
	return PINNED;
}

/*
 * The service is gone: remove its pidfile and record, unless someone
 * locked the pidfile meanwhile.  A new start may have: that is no
 * failure of ours.  If the lock is still the service's own (its daemon,
 * or what is left of its session), the stop did not reach everything:
 * never report success then (under --main-only, a session left holding
 * it is what was asked for).  A process outside the service that holds
 * the lock is named, and the pidfile left to it.
 */
static int
cleanup_after(const struct detach_opts *o, const struct paths *p,
    const struct probe *pr)
{
	struct probe now;
	char who[128];
	int code = EXIT_OK;

	switch (pidlock_remove_stale(p->pidfile, pr->dev, pr->ino)) {
	case 0:
		break;
	case -1:
		warn("%s: cannot remove pidfile", p->pidfile);
		return EXIT_TROUBLE;
	default:
		pidlock_probe(p->pidfile, &now);
		if (now.dev != pr->dev || now.ino != pr->ino)
			break;		/* gone already, or a new pidfile */
		if (now.pid == pr->pid && now.state == PROBE_ORPHANED &&
		    o->main_only)
			return EXIT_OK;
		if (now.pid == pr->pid && (now.state == PROBE_ORPHANED ||
		    (now.state == PROBE_RUNNING && now.start == pr->start))) {
			if (now.state == PROBE_RUNNING)
				snprintf(who, sizeof(who), "pid %ld",
				    (long)now.pid);
			else
				holders_text(&now, who, sizeof(who));
			warnx("%s: %s of the service still hold%s the lock on "
			    "%s after the stop: left in place", p->name, who,
			    now.nholders > 1 ? "" : "s", p->pidfile);
			return EXIT_ALIVE;
		}
		/* the same pid, still locked: no new start could lock it */
		if (now.pid == pr->pid && now.state == PROBE_STALE &&
		    now.locked) {
			now.nholders = proc_find_holders(now.dev, now.ino,
			    now.holders, PROC_HOLDERS_MAX);
			now.nholders = now.nholders > 0 ? now.nholders : 0;
			now.state = PROBE_FOREIGN;
		}
		if (now.state != PROBE_FOREIGN)
			break;		/* a new start */
		holders_text(&now, who, sizeof(who));
		warnx("%s is stopped, but %s, outside its session, still "
		    "hold%s the lock on %s: left in place", p->name, who,
		    now.nholders > 1 ? "" : "s", p->pidfile);
		code = EXIT_TROUBLE;
	}
	/* --follow-pidfile: the program's own, if it left it naming pid */
	if (pr->recorded && pr->rec.supervisor == 0)
		adopt_unlink_follow(pr->rec.follow, pr->pid);
	return code;
}

/* A stop that left something alive: the exit code, with a message. */
static int
stop_failed(const struct paths *p, enum stop_result r, const char *what)
{
	if (r == STOP_ALIVE) {
		warnx("%s: %s still running at the end of the schedule",
		    p->name, what);
		return EXIT_ALIVE;
	}
	warn("%s: cannot stop %s", p->name, what);
	return EXIT_TROUBLE;
}

/*
 * Everything left in the daemon's session, and in the one it made itself
 * (own, 0: none), after it (unless --main-only).
 */
static int
stop_rest(const struct detach_opts *o, const struct paths *p,
    const struct probe *pr, pid_t own)
{
	struct proc_id daemon = { pr->pid, pr->rec.start };
	struct service sv = { .session = pr->recorded ? pr->rec.session : 0,
	    .own_session = own, .daemon = &daemon };
	enum stop_result r;
	int n;

	if (o->main_only || sv.session <= 0)
		return EXIT_OK;
	if ((r = stop_leftovers(&sv, &o->sched, &n)) != STOP_GONE)
		return stop_failed(p, r, r == STOP_ALIVE ?
		    "processes of its session are" : "its session");
	return EXIT_OK;
}

/*
 * A supervisor outlived the whole schedule.  If its child is gone too, it
 * is stuck: KILL it.  If the child lives, leave both running (exit 2).
 */
static enum stop_result
stop_stuck_supervisor(const struct paths *p, const struct target *t)
{
	struct svstate st;

	if (svstate_for(p->pidfile, t->pid, &st) == 0 && st.child > 0 &&
	    kill(st.child, 0) == 0)
		return STOP_ALIVE;
	if (target_signal(t, SIGKILL) == -1 && errno != ESRCH)
		return STOP_ERROR;
	return target_wait(t, 1, STUCK_WAIT_MS) == 0 ? STOP_GONE : STOP_ALIVE;
}

/* The recorded daemon is gone, but its session lives on: stop that. */
static int
stop_orphans(const struct detach_opts *o, const struct paths *p,
    const struct probe *pr)
{
	char who[128];
	int code;

	holders_text(pr, who, sizeof(who));
	warnx("%s: pid %ld is gone; stopping %s left in its session", p->name,
	    (long)pr->pid, who);
	if ((code = stop_rest(o, p, pr, pr->own_session)) != EXIT_OK)
		return code;
	return cleanup_after(o, p, pr);
}

/* The session the pinned daemon leads, if it made one: 0 if none. */
static pid_t
own_session(const struct target *t)
{
	pid_t sid = getsid(t->pid);

	/* still alive afterwards: getsid() was about the daemon */
	return sid == t->pid && target_alive(t) ? sid : 0;
}

int
cmd_stop(const struct detach_opts *o, const struct paths *p)
{
	struct target t;
	struct probe pr;
	enum stop_result r = STOP_GONE;
	pid_t own = 0;
	int code, sup;

	if ((code = pin_daemon(o, p, &pr, &t)) == PIN_ORPHANED)
		return stop_orphans(o, p, &pr);
	if (code != PINNED)
		return code;
	if (t.pid > 0) {
		sup = is_supervisor(&pr);
		if (!sup)
			own = own_session(&t);
		r = stop_run(&t, 1, &o->sched, sup ? send_stop_request : NULL,
		    NULL);
		if (r == STOP_ALIVE && sup)
			r = stop_stuck_supervisor(p, &t);
		target_release(&t);
	}
	if (r == STOP_ALIVE) {
		warnx("%s (pid %ld) is still running at the end of the "
		    "schedule", p->name, (long)pr.pid);
		return EXIT_ALIVE;
	}
	if (r == STOP_ERROR)
		return stop_failed(p, r, "it");
	if ((code = stop_rest(o, p, &pr, own)) != EXIT_OK)
		return code;
	return cleanup_after(o, p, &pr);
}

int
cmd_signal(const struct detach_opts *o, const struct paths *p)
{
	struct target t;
	struct probe pr;
	char sig[16];
	int code, r;

	if ((code = pin_daemon(o, p, &pr, &t)) != PINNED)
		return code;
	if (!target_alive(&t)) {
		target_release(&t);
		warnx("%s is not running (it exited)", p->name);
		return o->oknodo ? EXIT_OK : EXIT_NOTHING;
	}
	if (is_supervisor(&pr))
		r = target_queue(&t, SV_SIG_FORWARD, o->send_signal);
	else
		r = target_signal(&t, o->send_signal);
	target_release(&t);
	if (r == -1) {
		signal_name(o->send_signal, sig, sizeof(sig));
		warn("%s (pid %ld): SIG%s", p->name, (long)pr.pid, sig);
		return errno == ESRCH ? (o->oknodo ? EXIT_OK : EXIT_NOTHING) :
		    EXIT_TROUBLE;
	}
	return EXIT_OK;
}

/*
 * Wait up to ms for the state file to carry token: 0 done, the reopen's
 * errno, or -1 on timeout or a supervisor that died.
 */
static int
wait_reopened(const char *state, long token, const struct target *t,
    int64_t ms)
{
	char dir[PATH_MAX], ev[4096];
	struct pollfd pfd[2];
	struct svstate st;
	int64_t end = clock_ms() + ms, left;
	int in, r = -1;

	snprintf(dir, sizeof(dir), "%s", state);
	in = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
	if (in == -1 || inotify_add_watch(in, dirname(dir), IN_MOVED_TO |
	    IN_CLOSE_WRITE) == -1) {
		if (in != -1)
			close(in);
		return -1;
	}
	for (;;) {
		if (svstate_read(state, &st) == 0 && st.reopened == token) {
			r = st.reopen_err;
			break;
		}
		if ((left = end - clock_ms()) <= 0 || !target_alive(t))
			break;
		pfd[0] = (struct pollfd){ .fd = in, .events = POLLIN };
		pfd[1] = (struct pollfd){ .fd = t->pidfd, .events = POLLIN };
		if (t->pidfd == -1 && left > BLIND_POLL_MS)
			left = BLIND_POLL_MS;
		if (poll(pfd, 2, (int)left) == -1 && errno != EINTR)
			break;
		while (read(in, ev, sizeof(ev)) > 0)
			;
	}
	close(in);
	return r;
}

/*
 * detach reopen: have the supervisor reopen its output files, and wait
 * until it has.  Its state file echoes the token of the request.
 */
int
cmd_reopen(const struct detach_opts *o, const struct paths *p)
{
	char state[PATH_MAX];
	struct target t;
	struct probe pr;
	struct timespec ts;
	long token;
	int code, r;

	if ((code = pin_daemon(o, p, &pr, &t)) != PINNED)
		return code;
	if (!target_alive(&t)) {
		target_release(&t);
		warnx("%s is not running (it exited)", p->name);
		return o->oknodo ? EXIT_OK : EXIT_NOTHING;
	}
	if (!is_supervisor(&pr)) {
		target_release(&t);
		warnx("%s (pid %ld) is not supervised: only a supervisor "
		    "reopens its output (start it with --supervise)", p->name,
		    (long)pr.pid);
		return EXIT_TROUBLE;
	}
	clock_gettime(CLOCK_REALTIME, &ts);
	token = (long)((getpid() ^ ts.tv_nsec) & 0x7fffffff);
	if (token == 0 || token == pr.rec.reopened)
		token = pr.rec.reopened + 1;
	svstate_path(p->pidfile, state, sizeof(state));
	if (target_queue(&t, SV_SIG_REOPEN, (int)token) == -1) {
		warn("%s (pid %ld)", p->name, (long)pr.pid);
		target_release(&t);
		return EXIT_TROUBLE;
	}
	r = wait_reopened(state, token, &t, REOPEN_WAIT_MS);
	target_release(&t);
	if (r == -1) {
		warnx("%s (pid %ld) did not confirm the reopen within 5 s",
		    p->name, (long)pr.pid);
		return EXIT_TROUBLE;
	}
	if (r != 0) {
		warnx("%s (pid %ld) could not reopen its output: %s", p->name,
		    (long)pr.pid, output_strerror(r));
		return EXIT_TROUBLE;
	}
	return EXIT_OK;
}
