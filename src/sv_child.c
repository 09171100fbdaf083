/*
 * One child's life under the supervisor: its start, its readiness (which
 * only the first child reports to detach start), its exit, and the
 * restart the policy asks for.
 */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <syslog.h>
#include <unistd.h>

#include "adopt.h"
#include "clock.h"
#include "ready.h"
#include "sv_int.h"
#include "svstate.h"
#include "sys.h"

static void
set_title(struct supervisor *sv)
{
	if (sv->child > 0)
		setproctitle("-supervising %s (pid %ld)", sv->cfg->command,
		    (long)sv->child);
	else
		setproctitle("-supervising %s (waiting to restart)",
		    sv->cfg->command);
}

static void
child_pidfile_write(struct supervisor *sv)
{
	const char *path = sv->cfg->child_pidfile;
	if (path == NULL)
		return;
	if (sv->child_lock.fd == -1 &&
	    pidlock_acquire(path, &sv->child_lock) != LOCK_OK) {
		sv_say(sv, LOG_ERR, "cannot lock child pidfile %s: %s", path,
		    strerror(errno));
		sv->child_lock.fd = -1;
		return;
	}
	if (pidlock_write(&sv->child_lock, sv->child) == -1)
		sv_say(sv, LOG_ERR, "cannot write child pidfile %s: %s", path,
		    strerror(errno));
}

void
sv_child_pidfile_remove(struct supervisor *sv)
{
	if (sv->child_lock.fd != -1)
		pidlock_remove(&sv->child_lock);
	sv->child_lock.fd = -1;
}

/* The process group a daemon's stop signals reach, or 0: pid alone. */
static pid_t
daemon_group(pid_t pid)
{
	pid_t pg = getpgid(pid);

	return pg > 1 && pg != getpgrp() ? pg : 0;
}

/*
 * --forking: the child daemonizes itself; once it exited 0, the daemon
 * it left (our child now: we are its subreaper) takes its place, with
 * its own process group unless it stayed in ours.  If there is none,
 * everything the child left is killed, and r says why.
 */
static int
adopt_child(struct supervisor *sv, struct launch_result *r)
{
	struct adopt_req rq = { .command = r->pid, .follow = sv->cfg->follow,
	    .deadline = clock_ms() + sv->cfg->adopt_ms };
	struct adoption a;

	if (adopt_daemon(&rq, &a) == -1) {
		sv_kill_leftovers(r->pid);
		r->stage = STAGE_ADOPT;
		snprintf(r->msg, sizeof(r->msg), "%s", a.why);
		return -1;
	}
	r->pid = a.pid;
	sv->child_pgrp = daemon_group(a.pid);
	return 0;
}

/* From now on, pid is the child we supervise. */
static void
take_child(struct supervisor *sv, pid_t pid)
{
	sv->child = pid;
	sv->child_pidfd = sys_pidfd_open(pid);	/* -1: SIGCHLD alone */
	sv->child_started = clock_ms();
	sv->mode = SV_RUNNING;
	sv_watchdog_begin(sv);
	child_pidfile_write(sv);
	sv_save_state(sv);
	set_title(sv);
}

/* Start a child; on failure the result says why. */
int
sv_start_child(struct supervisor *sv, struct launch_result *r)
{
	struct ready *rd = sv->ready;

	if (rd != NULL && rd->kind == READY_FD) {
		if (rd->child_fd == -1 && ready_rearm(rd) == -1) {
			*r = (struct launch_result){ .stage = STAGE_READY,
			    .err = errno };
			return -1;
		}
		sv->child_tpl.ready_fd = rd->child_fd;
	}
	if (sv->checks != NULL)
		rc_prepare(sv->checks);
	if (spawn_child(&sv->child_tpl, r) == -1)
		return -1;
	if (rd != NULL)
		ready_forget_child_end(rd);
	sv->child_pgrp = r->pid;	/* spawn_child() made it a leader */
	if (sv->cfg->forking && adopt_child(sv, r) == -1)
		return -1;
	take_child(sv, r->pid);
	sv_ready_begin(sv);
	sv_health_begin(sv);
	sv_save_state(sv);	/* starting, for status */
	return 0;
}

/* Tell detach start how the first child fared, once. */
void
sv_report_start(struct supervisor *sv, enum launch_stage stage, int value)
{
	if (sv->report_fd == -1)
		return;
	if (stage != STAGE_NONE)
		spawn_report(sv->report_fd, stage, value);
	close(sv->report_fd);
	sv->report_fd = -1;
}

/* Forget the child that exited with status, and say how it ended. */
static void
child_gone(struct supervisor *sv, int status)
{
	pid_t pid = sv->child;
	char how[64];
	int failed = !(WIFEXITED(status) && WEXITSTATUS(status) == 0);

	sv_finish_lines(sv);
	if (sv->child_pidfd != -1)
		close(sv->child_pidfd);
	sv->child_pidfd = -1;
	sv->child = 0;
	sv->last_status = status;
	sv_child_pidfile_remove(sv);
	if (sv->mode == SV_STOPPING)
		adopt_unlink_follow(sv->cfg->follow, pid);
	svstate_describe(status, how, sizeof(how));
	sv_say(sv, failed ? LOG_WARNING : LOG_NOTICE, "pid %ld %s",
	    (long)pid, how);
}

/*
 * --forking: the daemon exited 0 and may have handed over to a new one,
 * as sshd does on SIGHUP (it re-executes itself and daemonizes again).
 * 1: that one is the child now.
 */
static int
handed_over(struct supervisor *sv)
{
	struct adoption a;

	if (adopt_successor(sv->cfg->follow, clock_ms() + sv->cfg->adopt_ms,
	    &a) == -1) {
		sv_say(sv, LOG_NOTICE, "no daemon took over: %s", a.why);
		return 0;
	}
	sv->child_pgrp = daemon_group(a.pid);
	sv_say(sv, LOG_NOTICE, "pid %ld, which it left, is the daemon now",
	    (long)a.pid);
	take_child(sv, a.pid);
	return 1;
}

/* Restart by policy, with a delay that doubles while it keeps dying young,
 * or give up. */
static void
child_exited(struct supervisor *sv, int status)
{
	const struct sv_config *c = sv->cfg;
	pid_t group = sv->child_pgrp;
	int64_t now = clock_ms(), delay = 0, started = sv->child_started;
	int unready = sv->mode == SV_RECYCLING, was = sv->readiness;

	sv_ready_end(sv);
	sv_health_end(sv);
	child_gone(sv, status);
	sv->child_pgrp = 0;
	if (unready) {
		/* never ready, or unhealthy: a failure, whatever its end */
		sv->mode = SV_RUNNING;
		status = W_EXITCODE(1, 0);
		if (sv->recycle_young)
			started = now;
	}
	if (c->forking && sv->mode != SV_STOPPING && !unready &&
	    WIFEXITED(status) && WEXITSTATUS(status) == 0 && handed_over(sv)) {
		sv_ready_handed_over(sv, was);
		return;
	}
	if (sv->report_fd != -1 && sv->ready_err == 0) {
		/* died before it was ready: detach start reports it */
		sv_report_start(sv, STAGE_EXITED, status);
		sv_finish(sv, group);
		return;
	}
	if (sv->mode == SV_STOPPING) {
		sv_finish(sv, group);
		return;
	}
	switch (sv_policy_decide(c, &sv->history, started, now, status,
	    &delay)) {
	case SV_NO_RESTART:
		sv_say(sv, LOG_NOTICE, "not restarting (--restart=%s)",
		    c->restart == RESTART_NEVER ? "never" : "on-failure");
		sv_finish(sv, group);
		return;
	case SV_GIVE_UP:
		sv_say(sv, LOG_ERR, "giving up: %lld restarts within "
		    "%lld.%03lld s", c->max_restarts,
		    (long long)(c->window_ms / 1000),
		    (long long)(c->window_ms % 1000));
		sv_finish(sv, group);
		return;
	case SV_RESTART:
		break;
	}
	/* what the dead one left (nginx's workers, a script's background
	 * jobs) would hold its ports and files against the next one */
	sv_kill_leftovers(group);
	sv->history.delay = delay;
	sv_say(sv, LOG_NOTICE, "restarting in %lld.%03lld s",
	    (long long)(delay / 1000), (long long)(delay % 1000));
	sv->mode = SV_BACKOFF;
	sv->restart_at = now + delay;
	sv_save_state(sv);
	set_title(sv);
}

void
sv_reap(struct supervisor *sv)
{
	pid_t pid;
	int st;

	while ((pid = waitpid(-1, &st, WNOHANG)) > 0)
		if (pid == sv->child)
			child_exited(sv, st);
		else if ((sv->checks == NULL ||
		    !rc_reaped(sv->checks, pid, st)) && sv->health != NULL)
			rc_reaped(sv->health, pid, st);	/* a check's command */
}

void
sv_restart_child(struct supervisor *sv)
{
	struct launch_result r;
	int64_t now = clock_ms();

	sv_history_record(&sv->history, now);
	sv->restarts++;
	if (sv_start_child(sv, &r) == -1) {
		if (r.stage == STAGE_ADOPT)
			sv_say(sv, LOG_ERR, "cannot adopt the daemon of %s: %s",
			    sv->cfg->command, r.msg);
		else
			sv_say(sv, LOG_ERR, "cannot start %s: %s: %s",
			    sv->cfg->command, spawn_stage_name(r.stage),
			    strerror(r.err));
		sv->child_started = now;
		child_exited(sv, W_EXITCODE(127, 0));
	}
}
