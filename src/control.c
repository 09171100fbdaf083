/*
 * detach stop, status and signal: everything that acts on a running
 * daemon through its pidfile.
 *
 * Never signal the wrong process.  The pidfile counts only while its
 * lock is held, its pid must parse strictly, and the process it names
 * must itself have the file open.  The process is then pinned with a
 * pidfd, the pidfile checked once more (the pid could have been
 * recycled between the check and pidfd_open()), and every signal goes
 * through the pidfd.
 */
#include "config.h"

#include <err.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <libgen.h>
#include <limits.h>
#include <poll.h>
#include <sys/inotify.h>
#include <sys/pidfd.h>
#include <time.h>
#include <unistd.h>

#include "control.h"
#include "detach.h"
#include "parse.h"
#include "pidlock.h"
#include "proc.h"
#include "report.h"
#include "stop.h"
#include "supervise.h"
#include "svstate.h"

/* "pid 12" or "pids 12, 34", or "an unknown process" */
static void
holders_text(const struct probe *pr, char *buf, size_t len)
{
	size_t used;
	int i, n;

	if (pr->nholders == 0) {
		snprintf(buf, len, "an unknown process");
		return;
	}
	n = snprintf(buf, len, "pid%s ", pr->nholders > 1 ? "s" : "");
	used = n > 0 ? (size_t)n : 0;
	for (i = 0; i < pr->nholders && used < len; i++) {
		n = snprintf(buf + used, len - used, "%s%ld", i ? ", " : "",
		    (long)pr->holders[i]);
		if (n < 0)
			break;
		used += (size_t)n;
	}
}

/*
 * A --child-pidfile: locked by the supervisor, naming its child.  Still
 * refused, but with a hint at the right pidfile.
 */
static int
child_pidfile(const struct probe *pr)
{
	return pr->state == PROBE_FOREIGN && pr->nholders == 1 &&
	    proc_parent(pr->pid) == pr->holders[0];
}

/*
 * Explain on stderr why the daemon cannot be acted on.  Used by stop and
 * signal for every state but RUNNING.
 */
static void
explain(const struct paths *p, const struct probe *pr)
{
	char who[128];

	switch (pr->state) {
	case PROBE_NOFILE:
		warnx("%s is not running (no pidfile %s)", p->name, p->pidfile);
		break;
	case PROBE_STALE:
		if (pr->pid_alive)
			warnx("%s is not running: %s is not locked, yet pid "
			    "%ld lives; it is not signalled (did the command "
			    "daemonize itself or close its descriptors?)",
			    p->name, p->pidfile, (long)pr->pid);
		else
			warnx("%s is not running (stale pidfile %s)", p->name,
			    p->pidfile);
		break;
	case PROBE_UNVERIFIED:
		warnx("%s: cannot verify that pid %ld holds the pidfile: %s",
		    p->pidfile, (long)pr->pid, strerror(EACCES));
		break;
	case PROBE_FOREIGN:
		holders_text(pr, who, sizeof(who));
		if (child_pidfile(pr))
			warnx("%s is the child pidfile of supervisor pid %ld: "
			    "give the supervisor's pidfile instead", p->pidfile,
			    (long)pr->holders[0]);
		else
			warnx("%s: locked by %s, but it names pid %ld, which "
			    "does not hold it; refusing to signal either",
			    p->pidfile, who, (long)pr->pid);
		break;
	case PROBE_ORPHANED:
		holders_text(pr, who, sizeof(who));
		warnx("%s: pid %ld is gone, but %s still holds the "
		    "pidfile (a child of the daemon?)", p->pidfile,
		    (long)pr->pid, who);
		break;
	case PROBE_NOPID:
		warnx("%s: locked but holds no pid (a start in progress?)",
		    p->pidfile);
		break;
	case PROBE_BADPID:
		warnx("%s: locked, but '%s' is not a valid pid", p->pidfile,
		    pr->text);
		break;
	case PROBE_NOTREG:
		warnx("%s: not a regular file: refusing it as pidfile",
		    p->pidfile);
		break;
	case PROBE_ERROR:
		warnx("%s: %s", p->pidfile, strerror(pr->err));
		break;
	case PROBE_RUNNING:
		break;
	}
}

static int
not_running_code(const struct detach_opts *o, const struct probe *pr)
{
	if (pr->state != PROBE_NOFILE && pr->state != PROBE_STALE)
		return EXIT_TROUBLE;
	return o->oknodo ? EXIT_OK : EXIT_NOTHING;
}

static int
supervised(const struct paths *p, pid_t pid, struct svstate *st)
{
	return svstate_for(p->pidfile, pid, st) == 0;
}

/* Queue sig with a value, as sigqueue(3) does, through the pidfd. */
static int
send_request(int pidfd, int sig, int value)
{
	siginfo_t si;

	memset(&si, 0, sizeof(si));
	si.si_signo = sig;
	si.si_code = SI_QUEUE;
	si.si_pid = getpid();
	si.si_uid = getuid();
	si.si_value.sival_int = value;
	return pidfd_send_signal(pidfd, sig, &si, 0);
}

/* stop_run()'s sender for a supervisor: "signal your child's group". */
static int
send_stop_request(int pidfd, int sig, void *arg)
{
	(void)arg;
	return send_request(pidfd, SV_SIG_STOP, sig);
}

/*
 * Find the daemon and pin it.  PINNED: *pidfd refers to the process that
 * holds the locked pidfile, checked again after pidfd_open(), or is -1
 * if the process exited in between.  Anything else is the exit code to
 * return, the reason printed (nothing to do, under --oknodo, is 0).
 */
#define PINNED		(-1)
#define PIN_ORPHANED	(-2)	/* stop only: others hold it, see stop_orphans() */

static int
pin_daemon(const struct detach_opts *o, const struct paths *p,
    struct probe *pr, int *pidfd)
{
	struct probe again;

	*pidfd = -1;
	pidlock_probe(p->pidfile, pr);
	if (pr->state == PROBE_ORPHANED && cli_verb_stops(o->verb))
		return PIN_ORPHANED;
	if (pr->state != PROBE_RUNNING) {
		if (pr->state == PROBE_STALE &&
		    pidlock_remove_stale(p->pidfile, pr->dev, pr->ino) == -1)
			warn("%s: cannot remove stale pidfile", p->pidfile);
		explain(p, pr);
		return not_running_code(o, pr);
	}
	if ((*pidfd = proc_pidfd_open(pr->pid)) == -1) {
		if (errno == ESRCH)
			return PINNED;
		warn("pidfd_open %ld", (long)pr->pid);
		return EXIT_TROUBLE;
	}
	pidlock_probe(p->pidfile, &again);
	if (again.state == PROBE_RUNNING && again.pid == pr->pid &&
	    again.dev == pr->dev && again.ino == pr->ino)
		return PINNED;
	close(*pidfd);
	*pidfd = -1;
	if (again.state == PROBE_STALE || again.state == PROBE_NOFILE)
		return PINNED;	/* it exited meanwhile */
	warnx("%s changed while being checked; not signalling", p->pidfile);
	return EXIT_TROUBLE;
}

/*
 * The process is gone: remove its pidfile unless someone locked it in
 * the meantime (a new start, or a child that inherited the lock).
 */
static void
cleanup_after(const struct paths *p, const struct probe *pr)
{
	struct probe now;

	switch (pidlock_remove_stale(p->pidfile, pr->dev, pr->ino)) {
	case -1:
		warn("%s: cannot remove pidfile", p->pidfile);
		break;
	case 1:
		pidlock_probe(p->pidfile, &now);
		if (now.state == PROBE_ORPHANED)
			explain(p, &now);
		break;
	}
}

/*
 * A supervisor outlived the whole schedule.  If its child is gone too, it
 * is stuck: KILL it.  If the child lives, leave both running (exit 2).
 */
static enum stop_result
stop_stuck_supervisor(const struct paths *p, pid_t pid, int pidfd)
{
	struct svstate st;

	if (supervised(p, pid, &st) && st.child > 0 && kill(st.child, 0) == 0)
		return STOP_ALIVE;
	if (pidfd_send_signal(pidfd, SIGKILL, NULL, 0) == -1 && errno != ESRCH)
		return STOP_ERROR;
	return proc_pidfd_wait(pidfd, 5000) == 1 ? STOP_GONE : STOP_ALIVE;
}

/*
 * The recorded pid is gone but others hold the pidfile (children of a
 * plain daemon that inherited its descriptor, or a command that forked
 * itself into the background): stop exactly those holders, each pinned
 * with a pidfd and checked again after it, so that the service can be
 * started again.
 */
static int
stop_orphans(const struct detach_opts *o, const struct paths *p,
    const struct probe *pr)
{
	char who[128];
	int fds[PROC_HOLDERS_MAX], n = 0, i;
	enum stop_result r;

	for (i = 0; i < pr->nholders; i++) {
		fds[n] = proc_pidfd_open(pr->holders[i]);
		if (fds[n] == -1)
			continue;
		if (proc_holds(pr->holders[i], pr->dev, pr->ino) == 1)
			n++;
		else
			close(fds[n]);
	}
	holders_text(pr, who, sizeof(who));
	warnx("%s: pid %ld is gone; stopping %s, which still hold%s %s",
	    p->name, (long)pr->pid, who, pr->nholders > 1 ? "" : "s",
	    p->pidfile);
	r = n > 0 ? stop_run(fds, n, &o->sched, NULL, NULL) : STOP_GONE;
	for (i = 0; i < n; i++)
		close(fds[i]);
	if (r == STOP_ALIVE) {
		warnx("%s: still held at the end of the schedule", p->pidfile);
		return EXIT_ALIVE;
	}
	if (r == STOP_ERROR) {
		warn("%s", p->pidfile);
		return EXIT_TROUBLE;
	}
	cleanup_after(p, pr);
	return EXIT_OK;
}

int
cmd_stop(const struct detach_opts *o, const struct paths *p)
{
	struct svstate st;
	struct probe pr;
	enum stop_result r = STOP_GONE;
	int pidfd, code, sup;

	if ((code = pin_daemon(o, p, &pr, &pidfd)) == PIN_ORPHANED)
		return stop_orphans(o, p, &pr);
	if (code != PINNED)
		return code;
	if (pidfd != -1) {
		sup = supervised(p, pr.pid, &st);
		r = stop_run(&pidfd, 1, &o->sched, sup ? send_stop_request :
		    NULL, NULL);
		if (r == STOP_ALIVE && sup)
			r = stop_stuck_supervisor(p, pr.pid, pidfd);
		if (r == STOP_ERROR)
			warn("%s (pid %ld)", p->name, (long)pr.pid);
		close(pidfd);
	}
	switch (r) {
	case STOP_GONE:
		break;
	case STOP_ALIVE:
		warnx("%s (pid %ld) is still running at the end of the "
		    "schedule", p->name, (long)pr.pid);
		return EXIT_ALIVE;
	case STOP_ERROR:
		return EXIT_TROUBLE;
	}
	cleanup_after(p, &pr);
	return EXIT_OK;
}

int
cmd_signal(const struct detach_opts *o, const struct paths *p)
{
	struct svstate st;
	struct probe pr;
	char sig[16];
	int pidfd, code, r;

	if ((code = pin_daemon(o, p, &pr, &pidfd)) != PINNED)
		return code;
	if (pidfd == -1 || proc_pidfd_exited(pidfd) == 1) {
		if (pidfd != -1)
			close(pidfd);
		warnx("%s is not running (it exited)", p->name);
		return o->oknodo ? EXIT_OK : EXIT_NOTHING;
	}
	if (supervised(p, pr.pid, &st))
		r = send_request(pidfd, SV_SIG_FORWARD, o->send_signal);
	else
		r = pidfd_send_signal(pidfd, o->send_signal, NULL, 0);
	close(pidfd);
	if (r == -1) {
		signal_name(o->send_signal, sig, sizeof(sig));
		warn("%s (pid %ld): SIG%s", p->name, (long)pr.pid, sig);
		return errno == ESRCH ? (o->oknodo ? EXIT_OK : EXIT_NOTHING) :
		    EXIT_TROUBLE;
	}
	return EXIT_OK;
}

/* The LSB code of a probe, as cmd_status() returns it. */
static int
status_code(const struct probe *pr)
{
	switch (pr->state) {
	case PROBE_RUNNING:
	case PROBE_UNVERIFIED:
		return STATUS_RUNNING;
	case PROBE_NOFILE:
		return STATUS_NOT_RUNNING;
	case PROBE_STALE:
	case PROBE_ORPHANED:
		return STATUS_DEAD_PIDFILE;
	default:
		return STATUS_UNKNOWN;
	}
}

/*
 * One line on stdout, the LSB exit code.  Problems that leave the state
 * unknown also go to stderr.
 */
int
cmd_status(const struct detach_opts *o, const struct paths *p)
{
	struct svstate st;
	struct report rep;
	struct probe pr;
	char who[128], last[64];

	if (o->json) {
		report_describe(p->name, p->pidfile, &rep);
		report_json(stdout, &rep);
		return status_code(&rep.probe);
	}
	pidlock_probe(p->pidfile, &pr);
	switch (pr.state) {
	case PROBE_RUNNING:
		if (!supervised(p, pr.pid, &st)) {
			printf("%s is running (pid %ld)\n", p->name,
			    (long)pr.pid);
			return STATUS_RUNNING;
		}
		svstate_describe(st.last_status, last, sizeof(last));
		if (st.child > 0)
			printf("%s is running (pid %ld, supervising pid %ld; "
			    "%lld restarts; last exit: %s)\n", p->name,
			    (long)pr.pid, (long)st.child, st.restarts, last);
		else
			printf("%s is running (pid %ld, supervising, waiting "
			    "to restart; %lld restarts; last exit: %s)\n",
			    p->name, (long)pr.pid, st.restarts, last);
		return STATUS_RUNNING;
	case PROBE_UNVERIFIED:
		printf("%s is running (pid %ld; not verified: no access to "
		    "/proc/%ld/fd)\n", p->name, (long)pr.pid, (long)pr.pid);
		return STATUS_RUNNING;
	case PROBE_NOFILE:
		printf("%s is not running\n", p->name);
		return STATUS_NOT_RUNNING;
	case PROBE_STALE:
		if (pr.pid_alive)
			printf("%s is not running: pidfile %s is not locked, "
			    "but pid %ld lives; the command lost the lock "
			    "(it daemonizes itself or closes its descriptors: "
			    "run it with its foreground option)\n", p->name,
			    p->pidfile, (long)pr.pid);
		else
			printf("%s is not running (stale pidfile %s)\n",
			    p->name, p->pidfile);
		return STATUS_DEAD_PIDFILE;
	case PROBE_ORPHANED:
		holders_text(&pr, who, sizeof(who));
		printf("%s is not running: pid %ld is gone, but %s still "
		    "hold%s pidfile %s (children of the command, or the "
		    "command daemonized itself: run it with its foreground "
		    "option)\n", p->name, (long)pr.pid, who,
		    pr.nholders > 1 ? "" : "s", p->pidfile);
		return STATUS_DEAD_PIDFILE;
	case PROBE_FOREIGN:
		holders_text(&pr, who, sizeof(who));
		if (child_pidfile(&pr)) {
			printf("%s: status unknown: %s is the child pidfile of "
			    "supervisor pid %ld; ask about the supervisor's "
			    "pidfile\n", p->name, p->pidfile,
			    (long)pr.holders[0]);
			return STATUS_UNKNOWN;
		}
		printf("%s: status unknown: pidfile %s is locked by %s "
		    "but names pid %ld\n", p->name, p->pidfile, who,
		    (long)pr.pid);
		return STATUS_UNKNOWN;
	case PROBE_NOPID:
		printf("%s is starting (pidfile %s is locked, no pid yet)\n",
		    p->name, p->pidfile);
		return STATUS_UNKNOWN;
	default:
		printf("%s: status unknown\n", p->name);
		explain(p, &pr);
		return STATUS_UNKNOWN;
	}
}

/*
 * Wait up to ms for the state file to carry token: 0 done, the reopen's
 * errno, or -1 on timeout or a supervisor that died.
 */
static int
wait_reopened(const char *state, long token, int pidfd, int64_t ms)
{
	char dir[PATH_MAX], ev[4096];
	struct pollfd pfd[2];
	struct timespec t0, t;
	struct svstate st;
	int in, left, r = -1;

	snprintf(dir, sizeof(dir), "%s", state);
	in = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
	if (in == -1 || inotify_add_watch(in, dirname(dir), IN_MOVED_TO |
	    IN_CLOSE_WRITE) == -1) {
		if (in != -1)
			close(in);
		return -1;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		if (svstate_read(state, &st) == 0 && st.reopened == token) {
			r = st.reopen_err;
			break;
		}
		clock_gettime(CLOCK_MONOTONIC, &t);
		left = (int)(ms - ((t.tv_sec - t0.tv_sec) * 1000 +
		    (t.tv_nsec - t0.tv_nsec) / 1000000));
		if (left <= 0)
			break;
		pfd[0] = (struct pollfd){ .fd = in, .events = POLLIN };
		pfd[1] = (struct pollfd){ .fd = pidfd, .events = POLLIN };
		if (poll(pfd, 2, left) == -1 && errno != EINTR)
			break;
		if (pfd[1].revents != 0)
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
	struct svstate st;
	struct probe pr;
	struct timespec ts;
	long token;
	int pidfd, code, r;

	if ((code = pin_daemon(o, p, &pr, &pidfd)) != PINNED)
		return code;
	if (pidfd == -1) {
		warnx("%s is not running (it exited)", p->name);
		return o->oknodo ? EXIT_OK : EXIT_NOTHING;
	}
	if (!supervised(p, pr.pid, &st)) {
		close(pidfd);
		warnx("%s (pid %ld) is not supervised: only a supervisor "
		    "reopens its output (start it with --supervise)", p->name,
		    (long)pr.pid);
		return EXIT_TROUBLE;
	}
	clock_gettime(CLOCK_REALTIME, &ts);
	token = (long)((getpid() ^ ts.tv_nsec) & 0x7fffffff);
	if (token == 0 || token == st.reopened)
		token = st.reopened + 1;
	svstate_path(p->pidfile, state, sizeof(state));
	if (send_request(pidfd, SV_SIG_REOPEN, (int)token) == -1) {
		warn("%s (pid %ld)", p->name, (long)pr.pid);
		close(pidfd);
		return EXIT_TROUBLE;
	}
	r = wait_reopened(state, token, pidfd, 5000);
	close(pidfd);
	if (r == -1) {
		warnx("%s (pid %ld) did not confirm the reopen within 5 s",
		    p->name, (long)pr.pid);
		return EXIT_TROUBLE;
	}
	if (r != 0) {
		warnx("%s (pid %ld) could not reopen its output: %s", p->name,
		    (long)pr.pid, strerror(r));
		return EXIT_TROUBLE;
	}
	return EXIT_OK;
}
