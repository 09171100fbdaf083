/*
 * Health checks of the supervised child (--health-cmd, --health-port):
 * one round of the checks every --health-interval, each given
 * --health-timeout, while the child runs.  --health-retries failures in
 * a row make it unhealthy: it is stopped with the stop schedule and
 * restarted by the policy, as a child that failed.  Failures within
 * --health-start of a start do not count, nor those before the child is
 * ready (its readiness checks, or the first child's wait, decide that;
 * once they passed, the grace is over).  The state, the time and outcome of the
 * last check and the failures in a row are in the record, for status.
 */
#include "config.h"

#include <stdio.h>
#include <syslog.h>
#include <time.h>

#include "clock.h"
#include "readycheck.h"
#include "sv_int.h"
#include "svstate.h"

/* A child was taken: it starts unchecked, in its grace. */
void
sv_health_begin(struct supervisor *sv)
{
	int64_t now = clock_ms();

	if (sv->health == NULL)
		return;
	rc_cancel(sv->health);
	sv->health_running = 0;
	sv->health_state = SVHEALTH_STARTING;
	sv->health_fails = 0;
	sv->health_at = 0;		/* the last check was another child's */
	sv->health_result[0] = '\0';
	sv->health_next = now + sv->cfg->health_interval_ms;
	sv->health_grace_until = now + sv->cfg->health_start_ms;
}

/* The readiness checks passed: the grace is over. */
void
sv_health_ready(struct supervisor *sv)
{
	sv->health_grace_until = 0;
}

/*
 * The child stops or is gone: a check that runs is killed.  Until the
 * next child passes one, nothing is healthy (an unhealthy one stays so
 * until then: that is why it is being restarted).
 */
void
sv_health_end(struct supervisor *sv)
{
	if (sv->health == NULL)
		return;
	rc_cancel(sv->health);
	sv->health_running = 0;
	if (sv->health_state == SVHEALTH_HEALTHY)
		sv->health_state = SVHEALTH_STARTING;
}

/* A check came to ok (why: its failure otherwise). */
static void
checked(struct supervisor *sv, int ok, const char *why, int64_t now)
{
	/* nor while it is not ready yet: the readiness wait judges that */
	int grace = now < sv->health_grace_until || sv->checks_pending ||
	    sv->report_fd != -1;

	sv->health_at = (int64_t)time(NULL);
	if (ok)
		snprintf(sv->health_result, sizeof(sv->health_result),
		    "passed");
	else
		snprintf(sv->health_result, sizeof(sv->health_result), "%s%.*s",
		    grace ? "failed, in the grace: " : "failed: ", 70, why);
	if (ok) {
		sv->health_fails = 0;
		sv->health_state = SVHEALTH_HEALTHY;
	} else if (!grace && ++sv->health_fails >= sv->cfg->health_retries) {
		sv->health_state = SVHEALTH_UNHEALTHY;
		sv_save_state(sv);
		sv_say(sv, LOG_WARNING, "pid %ld is unhealthy: %d check%s "
		    "failed in a row, the last: %s; stopping it, to restart "
		    "it", (long)sv->child, sv->health_fails,
		    sv->health_fails == 1 ? "" : "s", why);
		sv_recycle(sv, 0);
		return;
	}
	sv_save_state(sv);
}

/* Start a check when one is due; see how a running one fares. */
void
sv_health_step(struct supervisor *sv, int64_t now)
{
	char why[512] = "";
	enum ready_state st;

	if (sv->health == NULL || sv->mode != SV_RUNNING || sv->child <= 0)
		return;
	if (!sv->health_running) {
		if (now < sv->health_next)
			return;
		rc_begin(sv->health, &sv->child_tpl, now);
		sv->health_running = 1;
		sv->health_next = now + sv->cfg->health_interval_ms;
	}
	if ((st = rc_step(sv->health, now)) == READY_WAITING)
		return;
	sv->health_running = 0;
	if (st != READY_DONE)
		rc_explain(sv->health, why, sizeof(why));
	checked(sv, st == READY_DONE, why, now);
}

/* When the health checks need the loop next; -1: not now. */
int64_t
sv_health_next(const struct supervisor *sv)
{
	if (sv->health == NULL || sv->mode != SV_RUNNING || sv->child <= 0)
		return -1;
	return sv->health_running ? rc_next(sv->health) : sv->health_next;
}

/*
 * --watchdog: the child (or a process below it) must send WATCHDOG=1
 * at least every --watchdog seconds; silence makes it unhealthy at once.
 */
void
sv_watchdog_begin(struct supervisor *sv)
{
	if (sv->cfg->watchdog_ms > 0 && sv->ready != NULL) {
		sv->ready->watched = sv->child;
		sv->ready->pinged_at = clock_ms();	/* its time starts */
	}
}

int64_t
sv_watchdog_next(const struct supervisor *sv)
{
	if (sv->cfg->watchdog_ms <= 0 || sv->ready == NULL ||
	    sv->mode != SV_RUNNING || sv->child <= 0)
		return -1;
	return sv->ready->pinged_at + sv->cfg->watchdog_ms;
}

void
sv_watchdog_step(struct supervisor *sv, int64_t now)
{
	int64_t due = sv_watchdog_next(sv);

	if (due < 0 || now < due)
		return;
	if (sv->health != NULL) {
		sv->health_state = SVHEALTH_UNHEALTHY;
		snprintf(sv->health_result, sizeof(sv->health_result),
		    "failed: no WATCHDOG=1 within --watchdog");
		sv->health_at = (int64_t)time(NULL);
		sv_save_state(sv);
	}
	sv_say(sv, LOG_WARNING, "pid %ld is unhealthy: no WATCHDOG=1 within "
	    "%lld.%03lld s; stopping it, to restart it", (long)sv->child,
	    (long long)(sv->cfg->watchdog_ms / 1000),
	    (long long)(sv->cfg->watchdog_ms % 1000));
	sv_recycle(sv, 0);
}
