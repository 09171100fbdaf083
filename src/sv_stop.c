/*
 * Stopping the supervised service: the child runs in a process group of
 * its own, so a stop signals the whole group, and whatever escaped the
 * group is killed and reaped before the supervisor exits (it is a child
 * subreaper, so every descendant comes back to it).
 */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <sys/wait.h>
#include <syslog.h>

#include "clock.h"
#include "proc.h"
#include "sv_int.h"

static void
signal_group(struct supervisor *sv, int sig)
{
	if (sv->child <= 0)
		return;
	if (sv->child_pgrp <= 1 || kill(-sv->child_pgrp, sig) == -1)
		kill(sv->child, sig);
}

/* A signal for the child alone. */
void
sv_forward(struct supervisor *sv, int sig)
{
	/* our unreaped child: its pid cannot have been recycled */
	if (sv->child > 0 && sig > 0 && sig < NSIG)
		kill(sv->child, sig);
}

/* Kill and reap everything that is left of the service. */
void
sv_kill_leftovers(pid_t group)
{
	int st;
	pid_t r;

	if (group > 0)
		kill(-group, SIGKILL);
	/* as a subreaper, no child left means no descendant left */
	while ((r = waitpid(-1, &st, WNOHANG)) != -1 || errno != ECHILD) {
		if (r > 0 || (r == -1 && errno == EINTR))
			continue;
		proc_kill_children(SIGKILL);
		if (waitpid(-1, &st, 0) == -1 && errno == ECHILD)
			break;
	}
}

/* Nothing more to supervise: clear up what group leaves, then exit. */
void
sv_finish(struct supervisor *sv, pid_t group)
{
	sv_kill_leftovers(group);
	sv->mode = SV_DONE;
}

/* The self-driven schedule: run items up to the next timeout. */
void
sv_stop_step(struct supervisor *sv)
{
	struct sched_item *it;
	int jumps = 0;

	sv->stop_deadline = 0;
	while (++sv->stop_idx < sv->stop_sched.n) {
		it = &sv->stop_sched.items[sv->stop_idx];
		if (it->type == SCHED_SIGNAL)
			signal_group(sv, (int)it->value);
		else if (it->type == SCHED_GOTO && jumps++ < SCHED_MAX)
			sv->stop_idx = (int)it->value - 1;
		else if (it->type == SCHED_TIMEOUT) {
			sv->stop_deadline = clock_ms() + it->value;
			return;
		}
	}
}

/*
 * Begin or continue a stop.  sc: a schedule we run ourselves (a plain TERM
 * to us, or readiness that never came); NULL: the caller of detach stop
 * drives, one request per signal, and sig is the signal.
 */
void
sv_request_stop(struct supervisor *sv, int sig, const struct schedule *sc)
{
	if (sig <= 0 || sig >= NSIG)
		sig = SIGTERM;
	if (sv->child <= 0) {
		sv_say(sv, LOG_NOTICE, "stop requested while no child runs");
		sv_finish(sv, 0);
		return;
	}
	if (sv->mode != SV_STOPPING)
		sv_say(sv, LOG_NOTICE, "stopping pid %ld", (long)sv->child);
	sv_health_end(sv);
	sv->mode = SV_STOPPING;
	sv->stop_deadline = 0;
	if (sc == NULL) {
		signal_group(sv, sig);
		return;
	}
	sv->stop_sched = *sc;
	sv->stop_idx = -1;
	sv_stop_step(sv);
}

/*
 * The child never became ready, or is unhealthy: stop it with the stop
 * schedule, as a stop would, but restart it then (child_exited() counts
 * it a failure, and with young one that failed at once).
 */
void
sv_recycle(struct supervisor *sv, int young)
{
	sv_health_end(sv);
	sv->recycle_young = young;
	sv->mode = SV_RECYCLING;
	sv->stop_sched = *sv->cfg->stop_sched;
	sv->stop_idx = -1;
	sv->stop_deadline = 0;
	sv_stop_step(sv);
}

/* A plain TERM or INT: stop with the default schedule, that signal first. */
void
sv_self_stop(struct supervisor *sv, int sig)
{
	struct schedule sc;

	schedule_default(&sc, sig, 10000);
	sv_request_stop(sv, sig, &sc);
}
