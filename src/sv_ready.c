/*
 * Each supervised child's readiness.  The first child's own word
 * (sd_notify, --ready-fd, --wait) and the readiness checks (--ready-port,
 * --ready-file, --ready-log, --ready-cmd) decide when detach start may
 * return.  Every later child is checked again: the record says whether
 * it is starting or ready, and one that does not pass in time is stopped
 * with the stop schedule and restarted, as a failure, by the policy.
 */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <syslog.h>
#include <unistd.h>

#include "clock.h"
#include "ready.h"
#include "readycheck.h"
#include "sv_int.h"
#include "svstate.h"

/* Everything the child had to pass passed: say so, once per child. */
static void
announce(struct supervisor *sv)
{
	if (sv->announced || sv->child <= 0)
		return;
	sv->announced = 1;
	sv_health_ready(sv);
	if (sv->readiness == SVREADY_STARTING) {
		sv->readiness = SVREADY_READY;
		sv_save_state(sv);
	}
	if (sv->report_fd != -1)
		sv_report_start(sv, STAGE_NONE, 0);	/* start returns 0 */
	else
		sv_say(sv, LOG_NOTICE, "pid %ld is ready", (long)sv->child);
}

/* The child said it is ready (or, with --wait, survived). */
void
sv_child_ready(struct supervisor *sv)
{
	sv->base_pending = 0;
	if (!sv->checks_pending)
		announce(sv);
}

/* What the wait for the child's own word came to (ready_step()). */
void
sv_ready_event(struct supervisor *sv, enum ready_state st)
{
	struct ready *rd = sv->ready;

	switch (st) {
	case READY_DONE:
		sv_child_ready(sv);
		break;
	case READY_FAILED:
		/* the child closed its --ready-fd: no more news from it */
		close(rd->fd);
		rd->fd = -1;
		/* FALLTHROUGH */
	case READY_TIMEOUT:
		if (sv->report_fd != -1 && sv->mode == SV_RUNNING) {
			sv->ready_err = st == READY_FAILED ? EPIPE : ETIMEDOUT;
			sv_request_stop(sv, SIGTERM, sv->cfg->stop_sched);
		}
		break;
	case READY_WAITING:
		break;
	}
}

void
sv_on_ready_input(struct supervisor *sv)
{
	sv_ready_event(sv, ready_step(sv->ready, 1, clock_ms()));
}

/* A child was taken (started, restarted, handed over): check it anew. */
void
sv_ready_begin(struct supervisor *sv)
{
	sv->announced = 0;
	if (sv->checks == NULL)
		return;
	rc_begin(sv->checks, &sv->child_tpl, clock_ms());
	sv->checks_pending = 1;
	sv->readiness = SVREADY_STARTING;
}

/*
 * A --forking daemon handed over to a successor (sshd re-executing on
 * SIGHUP): no restart, so a service that was ready stays ready; one that
 * was not is checked again from now.
 */
void
sv_ready_handed_over(struct supervisor *sv, int was)
{
	if (sv->checks == NULL)
		return;
	if (was != SVREADY_READY) {
		sv_ready_begin(sv);
		sv_save_state(sv);
		return;
	}
	sv->readiness = SVREADY_READY;
	sv->announced = 1;
	sv_save_state(sv);
}

/* The child is gone: its checks are moot. */
void
sv_ready_end(struct supervisor *sv)
{
	if (sv->checks == NULL)
		return;
	rc_cancel(sv->checks);
	sv->checks_pending = 0;
	sv->readiness = SVREADY_STARTING;
}

/* The checks did not pass in time. */
static void
unready(struct supervisor *sv)
{
	char msg[sizeof(sv->unready)];

	rc_report(sv->checks, sv->child, msg, sizeof(msg));
	if (sv->report_fd != -1) {
		/* the first child: detach start fails with this message */
		snprintf(sv->unready, sizeof(sv->unready), "%s", msg);
		sv->ready_err = ETIMEDOUT;
		sv_request_stop(sv, SIGTERM, sv->cfg->stop_sched);
		return;
	}
	sv_say(sv, LOG_WARNING, "%s; stopping it, to restart it", msg);
	sv_recycle(sv, 1);
}

/* A round of the checks if one is due, or after output came. */
void
sv_checks_step(struct supervisor *sv, int64_t now)
{
	if (sv->checks == NULL || !sv->checks_pending ||
	    sv->mode != SV_RUNNING)
		return;
	switch (rc_step(sv->checks, now)) {
	case READY_DONE:
		sv->checks_pending = 0;
		if (!sv->base_pending)
			announce(sv);
		break;
	case READY_TIMEOUT:
		sv->checks_pending = 0;
		unready(sv);
		break;
	default:
		break;
	}
}

/* When the checks want their next round; -1: none. */
int64_t
sv_checks_next(const struct supervisor *sv)
{
	if (sv->checks == NULL || !sv->checks_pending ||
	    sv->mode != SV_RUNNING)
		return -1;
	return rc_next(sv->checks);
}
