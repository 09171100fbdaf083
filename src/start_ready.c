/*
 * Plain start with --wait-ready, --ready-fd or --wait, and with the
 * readiness checks (--ready-port, ...): the daemon runs (its exec
 * succeeded); wait until it says it is ready or the checks pass, it dies,
 * or the time runs out.  The daemon is our child here (we are its subreaper), so its
 * exit status is ours to report.
 */
#include "config.h"

#include <dirent.h>
#include <err.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "clock.h"
#include "detach.h"
#include "parse.h"
#include "proc.h"
#include "start_int.h"
#include "target.h"

#define HELPERS_MAX	8
#define HELPERS_MS	1000
#define BLIND_POLL_MS	10	/* no pidfd: how often to look at /proc */

struct helpers {
	struct ready	*rd;
	pid_t		 service;
	struct target	 t[HELPERS_MAX];
	int		 n;
};

static int
notify_helper(pid_t pid, const struct pstat *st, void *arg)
{
	struct helpers *h = arg;
	char path[64], comm[32];

	if (h->n >= HELPERS_MAX || pid == h->rd->sender ||
	    st->ppid != h->service)
		return 0;
	snprintf(path, sizeof(path), "/proc/%ld/comm", (long)pid);
	if (proc_read(path, 0, comm, sizeof(comm)) > 0 &&
	    strcmp(comm, "systemd-notify\n") == 0 &&
	    target_pin(&h->t[h->n], pid, st->start) == 1)
		h->n++;
	return 0;
}

/*
 * READY=1 may come through a helper: systemd-notify --ready then sends
 * BARRIER=1 with a descriptor and waits for it to be closed, and fails
 * (possibly taking the service down) if the socket is gone by then.  So
 * wait for such helpers to exit, reading and closing what they send: the
 * sender if it is not the service, and any child of the service named
 * systemd-notify (it reports the service's pid as its own).  A second at
 * most.
 */
static void
drain_helpers(struct ready *rd, pid_t service)
{
	struct helpers h = { .rd = rd, .service = service };
	struct pollfd pfd = { .fd = rd->fd, .events = POLLIN };
	int64_t end = clock_ms() + HELPERS_MS, left;
	int i;

	if (rd->kind != READY_NOTIFY)
		return;
	if (rd->sender > 1 && rd->sender != service &&
	    target_pin(&h.t[h.n], rd->sender, 0) == 1)
		h.n++;
	proc_each(notify_helper, &h);
	while (h.n > 0 && (left = end - clock_ms()) > 0 &&
	    target_wait(h.t, h.n, 0) > 0) {
		if (poll(&pfd, 1, left > BLIND_POLL_MS ? BLIND_POLL_MS :
		    (int)left) > 0)
			ready_read(rd);
	}
	for (i = 0; i < h.n; i++)
		target_release(&h.t[i]);
}

static int
reap(pid_t pid)
{
	int st;

	return waitpid(pid, &st, 0) == pid ? st : -1;
}

/*
 * Wait for readiness (ready.c decides) or the daemon's end (READY_FAILED
 * then, with the daemon gone).
 */
static enum ready_state
wait_loop(struct ready *rd, const struct target *t)
{
	struct pollfd pfd[2];
	enum ready_state state = READY_WAITING;
	int64_t left;

	while (state == READY_WAITING) {
		left = ready_deadline(rd) - clock_ms();
		if (left < 0)
			left = 0;
		if (t->pidfd == -1 && left > BLIND_POLL_MS)
			left = BLIND_POLL_MS;
		pfd[0] = (struct pollfd){ .fd = rd->fd, .events = POLLIN };
		pfd[1] = (struct pollfd){ .fd = t->pidfd, .events = POLLIN };
		if (poll(pfd, 2, left > 60000 ? 60000 : (int)left) == -1 &&
		    errno != EINTR)
			return READY_TIMEOUT;
		state = ready_step(rd, pfd[0].revents != 0, clock_ms());
		if (state != READY_DONE && !target_alive(t))
			return READY_FAILED;
	}
	return state;
}

/*
 * Returns 0, or -1 with r saying why (the daemon then is reaped if it
 * exited, and is otherwise the caller's to stop).
 */
int
start_await_ready(struct start *s, struct launch_result *r)
{
	const struct detach_opts *o = s->o;
	struct ready *rd = &s->ready;
	struct target t;
	enum ready_state state;

	ready_arm(rd, rd->kind == READY_SURVIVE ? o->wait_ms :
	    o->wait_ready_ms);
	if (target_pin(&t, r->pid, 0) != 1) {
		r->stage = STAGE_EXITED;
		r->status = reap(r->pid);
		return -1;
	}
	state = wait_loop(rd, &t);
	if (state == READY_FAILED && (!target_alive(&t) ||
	    target_wait(&t, 1, 500) == 0)) {
		/* it died, or closed the descriptor because it was dying */
		target_release(&t);
		r->stage = STAGE_EXITED;
		r->status = reap(r->pid);
		return -1;
	}
	if (state == READY_DONE)
		drain_helpers(rd, r->pid);
	if (state == READY_DONE) {
		target_release(&t);
		return 0;
	}
	target_release(&t);
	r->stage = STAGE_READY;
	r->err = state == READY_FAILED ? EPIPE : ETIMEDOUT;
	return -1;
}

/*
 * Plain start with --ready-log: follow the output files from their
 * current end.  Returns 0, or an exit code (64: not a regular file).
 */
int
start_follow_output(struct start *s)
{
	const char *path[2] = { s->p->out, s->p->err };
	int i;

	for (i = 0; i < 2; i++) {
		if (path[i][0] == '\0' ||
		    rc_follow(&s->checks, i, path[i]) == 0)
			continue;
		if (errno != EINVAL) {
			warn("%s", path[i]);
			return EXIT_TROUBLE;
		}
		warnx("--ready-log: %s is not a regular file, whose lines "
		    "detach could follow", path[i]);
		return EXIT_USAGE;
	}
	return 0;
}

/*
 * --ready-port, --ready-file, --ready-log, --ready-cmd: run their
 * rounds until they pass, the daemon ends (STAGE_EXITED, reaped) or the
 * time runs out (STAGE_PROBE, the daemon the caller's to stop).
 */
int
start_await_checks(struct start *s, const struct launch *l,
    struct launch_result *r)
{
	struct readycheck *rc = &s->checks;
	struct pollfd pfd;
	struct target t;
	enum ready_state st;
	int64_t now, left;

	if (target_pin(&t, r->pid, 0) != 1) {
		r->stage = STAGE_EXITED;
		r->status = reap(r->pid);
		return -1;
	}
	rc_begin(rc, l, clock_ms());
	while ((st = rc_step(rc, now = clock_ms())) == READY_WAITING) {
		if (!target_alive(&t))
			break;
		left = rc_next(rc) - now;
		if (t.pidfd == -1 && left > BLIND_POLL_MS)
			left = BLIND_POLL_MS;
		pfd = (struct pollfd){ .fd = t.pidfd, .events = POLLIN };
		poll(&pfd, 1, left < 0 ? 0 : (int)left);
	}
	target_release(&t);
	if (st == READY_DONE)
		return 0;
	if (st == READY_WAITING) {
		rc_cancel(rc);
		r->stage = STAGE_EXITED;
		r->status = reap(r->pid);
		return -1;
	}
	rc_report(rc, r->pid, r->msg, sizeof(r->msg));
	r->stage = STAGE_PROBE;
	return -1;
}
