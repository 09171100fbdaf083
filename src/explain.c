/*
 * Why a daemon cannot be acted on, said once for stop, signal, reopen
 * and start: one message per state of the probe.
 */
#include "config.h"

#include <err.h>
#include <stdio.h>
#include <string.h>

#include "control.h"
#include "proc.h"

/* "pid 12" or "pids 12, 34", or "an unknown process" */
void
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
int
child_pidfile(const struct probe *pr)
{
	return pr->state == PROBE_FOREIGN && pr->nholders == 1 &&
	    proc_parent(pr->pid) == pr->holders[0];
}

void
explain(const struct paths *p, const struct probe *pr)
{
	char who[128];

	switch (pr->state) {
	case PROBE_NOFILE:
		warnx("%s is not running (no pidfile %s)", p->name, p->pidfile);
		break;
	case PROBE_STALE:
		if (pr->pid_alive)
			warnx("%s is not running: pid %ld, named by %s, is not "
			    "the process detach started; not signalled",
			    p->name, (long)pr->pid, p->pidfile);
		else
			warnx("%s is not running (stale pidfile %s)", p->name,
			    p->pidfile);
		break;
	case PROBE_NORECORD:
		warnx("%s: cannot read the record of pid %ld (%s.state): %s; "
		    "not signalling", p->name, (long)pr->pid, p->pidfile,
		    strerror(pr->err));
		break;
	case PROBE_FOREIGN:
		holders_text(pr, who, sizeof(who));
		if (child_pidfile(pr))
			warnx("%s is the child pidfile of supervisor pid %ld: "
			    "give the supervisor's pidfile instead", p->pidfile,
			    (long)pr->holders[0]);
		else
			warnx("%s: locked by %s, but pid %ld is not a daemon "
			    "detach started; refusing to signal either",
			    p->pidfile, who, (long)pr->pid);
		break;
	case PROBE_ORPHANED:
		holders_text(pr, who, sizeof(who));
		warnx("%s: pid %ld is gone, but %s of its session still "
		    "run%s", p->name, (long)pr->pid, who,
		    pr->nholders > 1 ? "" : "s");
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
