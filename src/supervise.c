/*
 * The supervisor: stays resident, runs the command as its child, restarts
 * it by policy, copies its output to files or syslog, and stops it on
 * request.  This file sets it up, runs its loop and tears it down; the
 * child's life is in sv_child.c, stopping in sv_stop.c, output in
 * sv_output.c and the restart policy in sv_policy.c.
 *
 * Everything happens in one poll(2) loop over a signalfd, the child's
 * pidfd and the output pipes, with the restart delay or a stop deadline
 * as its only timeout: no sleeps and no polling, so an idle supervisor
 * costs no CPU.  Its state is one struct supervisor with an explicit mode.
 *
 * The supervisor is a child subreaper and starts each child in a process
 * group of its own: a stop signals the whole group, and whatever escaped
 * the group is killed and reaped before the supervisor exits.
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <syslog.h>
#include <unistd.h>

#include "clock.h"
#include "detach.h"
#include "fd.h"
#include "memtrim.h"
#include "ready.h"
#include "sv_int.h"
#include "svstate.h"

/* Room in the poll set: signalfd, pidfd, two pumps, readiness. */
#define NPOLL	5

void
sv_save_state(struct supervisor *sv)
{
	struct svstate st = sv->self;

	st.readiness = sv->readiness;
	st.health = sv->health != NULL ? sv->health_state : SVHEALTH_NONE;
	st.health_fails = sv->health_fails;
	st.health_at = sv->health_at;
	memcpy(st.health_result, sv->health_result, sizeof(st.health_result));
	st.child = sv->child;
	st.restarts = sv->restarts;
	st.last_status = sv->last_status;
	st.reopened = sv->reopened;
	st.reopen_err = sv->reopen_err;

	if (sv->state_path[0] != '\0' && svstate_write(sv->state_path, &st) ==
	    -1)
		sv->state_path[0] = '\0';	/* not writable: do without */
}

static void
reopen(struct supervisor *sv, long token)
{
	sv->reopen_err = sv_output_reopen(sv);
	sv->reopened = token;
	sv_save_state(sv);
}

static void
on_signal(struct supervisor *sv, const struct signalfd_siginfo *si)
{
	int sig = (int)si->ssi_signo;

	if (sig == SIGCHLD)
		sv_reap(sv);
	else if (sig == SIGTERM || sig == SIGINT)
		sv_self_stop(sv, sig);
	else if (sig == SIGHUP || sig == SIGUSR1 || sig == SIGUSR2)
		sv_forward(sv, sig);
	else if (sig == SV_SIG_STOP)
		sv_request_stop(sv, si->ssi_int, NULL);
	else if (sig == SV_SIG_REOPEN)
		reopen(sv, si->ssi_int);
	else if (sig == SV_SIG_FORWARD)
		sv_forward(sv, si->ssi_int);
}

static int
setup_signals(struct supervisor *sv)
{
	sigset_t set;

	signal(SIGPIPE, SIG_IGN);
	signal(SIGCHLD, SIG_DFL);
	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, SIGUSR2);
	sigaddset(&set, SV_SIG_STOP);
	sigaddset(&set, SV_SIG_REOPEN);
	sigaddset(&set, SV_SIG_FORWARD);
	if (sigprocmask(SIG_BLOCK, &set, NULL) == -1)
		return -1;
	sv->sigfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	return sv->sigfd == -1 ? -1 : 0;
}

static int64_t
next_deadline(const struct supervisor *sv)
{
	int64_t d = -1, c;

	if (sv->mode == SV_BACKOFF)
		d = sv->restart_at;
	else if ((sv->mode == SV_STOPPING || sv->mode == SV_RECYCLING) &&
	    sv->stop_deadline != 0)
		d = sv->stop_deadline;
	else if ((c = sv_checks_next(sv)) >= 0)
		d = c;
	if ((c = sv_health_next(sv)) >= 0 && (d == -1 || c < d))
		d = c;
	if ((c = sv_watchdog_next(sv)) >= 0 && (d == -1 || c < d))
		d = c;
	if (sv->report_fd != -1 && sv->mode == SV_RUNNING &&
	    ready_deadline(sv->ready) >= 0 &&
	    (d == -1 || ready_deadline(sv->ready) < d))
		d = ready_deadline(sv->ready);
	if (sv->buf_release_at != 0 && (d == -1 || sv->buf_release_at < d))
		d = sv->buf_release_at;
	return d;
}

/* The poll(2) timeout until the next deadline; -1: none. */
static int
poll_timeout(const struct supervisor *sv)
{
	int64_t deadline = next_deadline(sv), now = clock_ms();

	if (deadline < 0)
		return -1;
	if (deadline <= now)
		return 0;
	return deadline - now > INT_MAX ? INT_MAX : (int)(deadline - now);
}

/* A deadline passed: restart, the next stop step, or readiness timeout. */
static void
on_time(struct supervisor *sv, int64_t now)
{
	sv_output_release(sv, now);
	if (sv->mode == SV_BACKOFF && now >= sv->restart_at)
		sv_restart_child(sv);
	else if ((sv->mode == SV_STOPPING || sv->mode == SV_RECYCLING) &&
	    sv->stop_deadline != 0 && now >= sv->stop_deadline)
		sv_stop_step(sv);
	else if (sv->report_fd != -1 && sv->mode == SV_RUNNING)
		sv_ready_event(sv, ready_step(sv->ready, 0, now));
	sv_checks_step(sv, now);
	sv_health_step(sv, now);
	sv_watchdog_step(sv, now);
}

/*
 * The descriptors to wait on: the signalfd, the child's pidfd, then the
 * pumps, then readiness (its index in *rdi).  Returns how many.
 */
static int
poll_set(const struct supervisor *sv, struct pollfd *pfd, int *rdi)
{
	const struct ready *rd = sv->ready;
	int i, n = 0;

	pfd[n++] = (struct pollfd){ .fd = sv->sigfd, .events = POLLIN };
	pfd[n++] = (struct pollfd){ .fd = sv->child_pidfd, .events = POLLIN };
	for (i = 0; i < sv->npumps; i++)
		pfd[n++] = (struct pollfd){ .fd = sv->pumps[i].rfd,
		    .events = POLLIN };
	*rdi = n;
	pfd[n++] = (struct pollfd){ .fd = rd != NULL ? rd->fd : -1,
	    .events = POLLIN };
	return n;
}

/* The loop; returns once the supervisor is done. */
static void
run(struct supervisor *sv)
{
	struct signalfd_siginfo si;
	struct pollfd pfd[NPOLL];
	struct ready *rd = sv->ready;
	long long trimmed = -1;
	int i, n, timeout, rdi, fed;

	while (sv->mode != SV_DONE) {
		/* what setting up, or starting a child, dirtied down there */
		if (trimmed != sv->restarts) {
			mem_trim_stack();
			trimmed = sv->restarts;
		}
		timeout = poll_timeout(sv);
		n = poll_set(sv, pfd, &rdi);
		if (poll(pfd, (nfds_t)n, timeout) == -1 && errno != EINTR)
			break;
		for (i = fed = 0; i < sv->npumps; i++)
			if (pfd[2 + i].revents != 0) {
				sv_pump_drain(sv, &sv->pumps[i]);
				fed = 1;
			}
		if (fed)
			sv_checks_step(sv, clock_ms());	/* --ready-log */
		if (pfd[rdi].revents != 0 && rd != NULL && rd->fd != -1)
			sv_on_ready_input(sv);
		while (read(sv->sigfd, &si, sizeof(si)) == sizeof(si) &&
		    sv->mode != SV_DONE)
			on_signal(sv, &si);
		if (pfd[1].revents != 0 && sv->mode != SV_DONE)
			sv_reap(sv);
		if (sv->mode != SV_DONE)
			on_time(sv, clock_ms());
	}
	sv_finish_lines(sv);
}

/*
 * The supervisor never execs, so close-on-exec does not rid it of the
 * descriptors it inherited from whoever ran detach start: close them
 * now, keeping only what it and its children use (fd.c).  A pipe held
 * here would otherwise never see EOF.
 */
static void
close_inherited(const struct sv_config *c, int report_fd)
{
	int keep[32], n = 0, i;

	keep[n++] = report_fd;
	if (c->lock != NULL)
		keep[n++] = pidlock_fd(c->lock);
	keep[n++] = c->child.fd_in;
	keep[n++] = c->child.fd_out;
	keep[n++] = c->child.fd_err;
	keep[n++] = c->out_fd;
	keep[n++] = c->err_fd;
	if (c->ready != NULL) {
		keep[n++] = c->ready->fd;
		keep[n++] = c->ready->child_fd;
		if (c->ready->kind == READY_FD)
			keep[n++] = c->ready->child_dst;
	}
	for (i = 0; i < c->child.nkeep_fds && n < 32; i++)
		keep[n++] = c->child.keep_fds[i];
	fd_close_except(keep, n);
}

/*
 * Our requests are handled from here on: record who we are, then name
 * ourselves in the pidfile.  Until the record says "supervisor", signal
 * and stop would treat us as the service itself.
 */
static int
record_self(struct supervisor *sv)
{
	if (svstate_identify(getpid(), &sv->self) == -1)
		return -1;
	sv->self.supervisor = getpid();
	if (sv->cfg->follow != NULL)
		snprintf(sv->self.follow, sizeof(sv->self.follow), "%s",
		    sv->cfg->follow);
	if (sv->cfg->foreground)
		sv->self.session = 0;	/* the caller's, not ours */
	if (sv->state_path[0] == '\0') {
		errno = ENAMETOOLONG;
		return -1;
	}
	sv_save_state(sv);
	if (sv->state_path[0] == '\0')
		return -1;
	return sv->cfg->lock != NULL ? pidlock_write(sv->cfg->lock,
	    getpid()) : 0;
}

static int
supervisor_init(struct supervisor *sv, const struct sv_config *cfg,
    int report_fd)
{
	sv->cfg = cfg;
	sv->mode = SV_RUNNING;
	sv->sigfd = -1;
	sv->child_pidfd = -1;
	sv->last_status = -1;
	sv->report_fd = -1;
	sv->child_lock.fd = -1;
	sv->child_tpl = cfg->child;
	sv->child_tpl.parent = getpid();
	sv->ready = cfg->ready;
	sv->checks = cfg->checks;
	sv->health = cfg->health;
	close_inherited(cfg, report_fd);
	if (prctl(PR_SET_CHILD_SUBREAPER, 1) == -1)
		return -1;
	if (sv_history_init(&sv->history, cfg->max_restarts) == -1)
		return -1;
	if (cfg->pidfile != NULL &&
	    svstate_path(cfg->pidfile, sv->state_path,
	    sizeof(sv->state_path)) == -1)
		sv->state_path[0] = '\0';
	if (cfg->syslog)
		openlog(cfg->tag, LOG_PID | LOG_NDELAY, cfg->facility);
	if (setup_signals(sv) == -1 || sv_output_init(sv) == -1)
		return -1;
	return record_self(sv);
}

static void
supervisor_cleanup(struct supervisor *sv)
{
	sv_child_pidfile_remove(sv);
	if (sv->state_path[0] != '\0')
		unlink(sv->state_path);
	if (sv->cfg->lock != NULL && sv->cfg->lock->fd != -1)
		pidlock_remove(sv->cfg->lock);
	sv_history_free(&sv->history);
	sv_output_free(sv);
}

/*
 * The daemon's body (launch.body): set up, start the first child, tell
 * the caller through report_fd whether its exec worked, then loop.
 */
void
supervise_body(void *arg, int report_fd)
{
	const struct sv_config *cfg = arg;
	struct supervisor *sv;
	struct launch_result r;

	mem_trim_stack();	/* what start dirtied below this frame */
	if ((sv = mem_zeroed(sizeof(*sv))) == NULL ||
	    supervisor_init(sv, cfg, report_fd) == -1) {
		spawn_report(report_fd, STAGE_PIDFILE, errno);
		_exit(EXIT_TROUBLE);
	}
	if (sv_start_child(sv, &r) == -1) {
		if (r.stage == STAGE_ADOPT)
			spawn_report_text(report_fd, r.stage, r.msg);
		else
			spawn_report(report_fd, r.stage, r.err);
		if (sv->state_path[0] != '\0')
			unlink(sv->state_path);
		_exit(EXIT_TROUBLE);	/* the caller removes the pidfile */
	}
	sv->report_fd = report_fd;
	if (cfg->wait_first && sv->ready != NULL &&
	    sv->ready->kind != READY_NONE) {
		sv->base_pending = 1;
		ready_arm(sv->ready, cfg->ready_ms);
	} else if (!sv->checks_pending)
		sv_report_start(sv, STAGE_NONE, 0);
	run(sv);
	if (sv->report_fd != -1 && sv->unready[0] != '\0') {
		spawn_report_text(sv->report_fd, STAGE_PROBE, sv->unready);
		sv_report_start(sv, STAGE_NONE, 0);
	} else if (sv->report_fd != -1)
		sv_report_start(sv, STAGE_READY, sv->ready_err != 0 ?
		    sv->ready_err : ETIMEDOUT);
	sv_say(sv, LOG_NOTICE, "supervisor exiting");
	supervisor_cleanup(sv);
	_exit(EXIT_OK);
}

/*
 * --foreground --supervise: the same, in this process.  Returns the exit
 * code: the child's last status (128 + signal if killed), or, if the
 * first child could not start, -1 with *r saying why.
 */
int
supervise_foreground(const struct sv_config *cfg, struct launch_result *r)
{
	struct supervisor *sv;
	int st;

	*r = (struct launch_result){ .stage = STAGE_NONE };
	if ((sv = mem_zeroed(sizeof(*sv))) == NULL ||
	    supervisor_init(sv, cfg, -1) == -1) {
		r->stage = STAGE_FDS;
		r->err = errno;
		mem_release(sv, sizeof(*sv));
		return -1;
	}
	if (sv_start_child(sv, r) == -1) {
		if (sv->state_path[0] != '\0')
			unlink(sv->state_path);
		mem_release(sv, sizeof(*sv));
		return -1;
	}
	run(sv);
	supervisor_cleanup(sv);
	st = sv->last_status;
	mem_release(sv, sizeof(*sv));
	if (st == -1)
		return EXIT_TROUBLE;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}
