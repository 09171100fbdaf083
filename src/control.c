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
#include <sys/pidfd.h>
#include <unistd.h>

#include "control.h"
#include "detach.h"
#include "parse.h"
#include "pidlock.h"
#include "proc.h"
#include "stop.h"

static void
holders_text(const struct probe *pr, char *buf, size_t len)
{
	size_t used = 0;
	int i, n;

	buf[0] = '\0';
	for (i = 0; i < pr->nholders && used < len; i++) {
		n = snprintf(buf + used, len - used, "%s%ld", i ? ", " : "",
		    (long)pr->holders[i]);
		if (n < 0)
			break;
		used += (size_t)n;
	}
	if (pr->nholders == 0)
		snprintf(buf, len, "an unknown process");
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
		warnx("%s: locked by pid %s, but it names pid %ld, which does "
		    "not hold it; refusing to signal either", p->pidfile, who,
		    (long)pr->pid);
		break;
	case PROBE_ORPHANED:
		holders_text(pr, who, sizeof(who));
		warnx("%s: pid %ld is gone, but pid %s still holds the "
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

/*
 * Find the daemon and pin it: on success *pidfd refers to the process
 * that holds the locked pidfile, checked again after pidfd_open().
 * Otherwise the reason is printed and the exit code returned; a process
 * that exited in between yields *pidfd == -1 and 0.
 */
static int
pin_daemon(const struct detach_opts *o, const struct paths *p,
    struct probe *pr, int *pidfd)
{
	struct probe again;

	*pidfd = -1;
	pidlock_probe(p->pidfile, pr);
	if (pr->state != PROBE_RUNNING) {
		if (pr->state == PROBE_STALE &&
		    pidlock_remove_stale(p->pidfile, pr->dev, pr->ino) == -1)
			warn("%s: cannot remove stale pidfile", p->pidfile);
		explain(p, pr);
		return not_running_code(o, pr);
	}
	if ((*pidfd = proc_pidfd_open(pr->pid)) == -1) {
		if (errno == ESRCH)
			return 0;
		warn("pidfd_open %ld", (long)pr->pid);
		return EXIT_TROUBLE;
	}
	pidlock_probe(p->pidfile, &again);
	if (again.state == PROBE_RUNNING && again.pid == pr->pid &&
	    again.dev == pr->dev && again.ino == pr->ino)
		return 0;
	close(*pidfd);
	*pidfd = -1;
	if (again.state == PROBE_STALE || again.state == PROBE_NOFILE)
		return 0;	/* it exited meanwhile */
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

int
cmd_stop(const struct detach_opts *o, const struct paths *p)
{
	struct probe pr;
	int pidfd, code;

	if ((code = pin_daemon(o, p, &pr, &pidfd)) != 0)
		return code;
	if (pidfd != -1) {
		switch (stop_run(pidfd, &o->sched)) {
		case STOP_GONE:
			break;
		case STOP_ALIVE:
			close(pidfd);
			warnx("%s (pid %ld) is still running at the end of the "
			    "schedule", p->name, (long)pr.pid);
			return EXIT_ALIVE;
		case STOP_ERROR:
			warn("%s (pid %ld)", p->name, (long)pr.pid);
			close(pidfd);
			return EXIT_TROUBLE;
		}
		close(pidfd);
	}
	cleanup_after(p, &pr);
	return EXIT_OK;
}

int
cmd_signal(const struct detach_opts *o, const struct paths *p)
{
	struct probe pr;
	char sig[16];
	int pidfd, code, r;

	if ((code = pin_daemon(o, p, &pr, &pidfd)) != 0)
		return code;
	if (pidfd == -1 || proc_pidfd_exited(pidfd) == 1) {
		if (pidfd != -1)
			close(pidfd);
		warnx("%s is not running (it exited)", p->name);
		return o->oknodo ? EXIT_OK : EXIT_NOTHING;
	}
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

/*
 * One line on stdout, the LSB exit code.  Problems that leave the state
 * unknown also go to stderr.
 */
int
cmd_status(const struct detach_opts *o, const struct paths *p)
{
	struct probe pr;
	char who[128];

	(void)o;
	pidlock_probe(p->pidfile, &pr);
	switch (pr.state) {
	case PROBE_RUNNING:
		printf("%s is running (pid %ld)\n", p->name, (long)pr.pid);
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
		printf("%s is not running: pid %ld is gone, but pid %s still "
		    "holds pidfile %s (children of the command, or the "
		    "command daemonized itself: run it with its foreground "
		    "option)\n", p->name, (long)pr.pid, who, p->pidfile);
		return STATUS_DEAD_PIDFILE;
	case PROBE_FOREIGN:
		holders_text(&pr, who, sizeof(who));
		printf("%s: status unknown: pidfile %s is locked by pid %s "
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
