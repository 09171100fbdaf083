/*
 * detach status: one line on stdout and the LSB exit code (0 running,
 * 1 dead with a pidfile, 3 not running, 4 unknown).  Problems that leave
 * the state unknown also go to stderr.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "control.h"
#include "detach.h"
#include "pidlock.h"
#include "report.h"
#include "svstate.h"

/* The LSB code of a probe. */
int
status_code(const struct probe *pr)
{
	switch (pr->state) {
	case PROBE_RUNNING:
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

/* "; last check 4 s ago: passed", or "" without health checks. */
static void
health_text(const struct probe *pr, char *buf, size_t len)
{
	const struct svstate *st = &pr->rec;
	long long ago = (long long)time(NULL) - (long long)st->health_at;

	buf[0] = '\0';
	if (report_health(pr) == NULL)
		return;
	if (st->health_at <= 0)
		snprintf(buf, len, "; not checked yet");
	else if (st->health_fails > 0)
		snprintf(buf, len, "; last check %lld s ago: %s (%d in a row)",
		    ago < 0 ? 0 : ago, st->health_result, st->health_fails);
	else
		snprintf(buf, len, "; last check %lld s ago: %s",
		    ago < 0 ? 0 : ago, st->health_result);
}

static void
print_running(const struct paths *p, const struct probe *pr)
{
	const struct svstate *st = &pr->rec;
	const char *ready = report_readiness(pr), *sep = ", ";
	char last[64], health[SVSTATE_RESULT_LEN + 64];

	if (strcmp(ready, "running") == 0)
		ready = sep = "";	/* no readiness checks */
	if (!pr->recorded || st->supervisor != pr->pid) {
		printf("%s is running (pid %ld%s%s)\n", p->name, (long)pr->pid,
		    sep, ready);
		return;
	}
	svstate_describe(st->last_status, last, sizeof(last));
	health_text(pr, health, sizeof(health));
	if (report_health(pr) != NULL) {
		ready = report_health(pr);
		sep = ", ";
	}
	if (st->child > 0)
		printf("%s is running (pid %ld, supervising pid %ld%s%s; %lld "
		    "restarts; last exit: %s%s)\n", p->name, (long)pr->pid,
		    (long)st->child, sep, ready, st->restarts, last, health);
	else
		printf("%s is running (pid %ld, supervising, waiting to "
		    "restart; %lld restarts; last exit: %s)\n", p->name,
		    (long)pr->pid, st->restarts, last);
}

int
cmd_status(const struct detach_opts *o, const struct paths *p)
{
	struct report rep;
	struct probe pr;
	char who[128];

	if (o->json) {
		report_describe(p->name, p->pidfile, &rep);
		report_json(stdout, &rep);
		return status_code(&rep.probe);
	}
	pidlock_probe(p->pidfile, &pr);
	switch (pr.state) {
	case PROBE_RUNNING:
		print_running(p, &pr);
		break;
	case PROBE_NOFILE:
		printf("%s is not running\n", p->name);
		break;
	case PROBE_STALE:
		if (pr.pid_alive)
			printf("%s is not running: pidfile %s names pid %ld, "
			    "which is not the process detach started\n",
			    p->name, p->pidfile, (long)pr.pid);
		else
			printf("%s is not running (stale pidfile %s)\n",
			    p->name, p->pidfile);
		break;
	case PROBE_ORPHANED:
		holders_text(&pr, who, sizeof(who));
		printf("%s is not running: pid %ld is gone, but %s of its "
		    "session still run%s (detach stop stops them)\n", p->name,
		    (long)pr.pid, who, pr.nholders > 1 ? "" : "s");
		break;
	case PROBE_FOREIGN:
		holders_text(&pr, who, sizeof(who));
		if (child_pidfile(&pr))
			printf("%s: status unknown: %s is the child pidfile of "
			    "supervisor pid %ld; ask about the supervisor's "
			    "pidfile\n", p->name, p->pidfile,
			    (long)pr.holders[0]);
		else
			printf("%s: status unknown: pidfile %s is locked by %s "
			    "but names pid %ld, which detach did not start\n",
			    p->name, p->pidfile, who, (long)pr.pid);
		break;
	case PROBE_NOPID:
		printf("%s is starting (pidfile %s is locked, no pid yet)\n",
		    p->name, p->pidfile);
		break;
	default:
		printf("%s: status unknown\n", p->name);
		explain(p, &pr);
		break;
	}
	return status_code(&pr);
}
