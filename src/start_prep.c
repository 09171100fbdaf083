/*
 * What start checks and builds before it touches the pidfile: the user,
 * the environment, the descriptors and the readiness channel.  restart
 * runs the same checks before it stops the running daemon.
 */
#include "config.h"

#include <err.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include "detach.h"
#include "start.h"
#include "start_int.h"

/*
 * --ready-fd=N: the daemon gets our pipe as descriptor N, put there with
 * dup2().  None of our own descriptors (the pidfile, the report pipe)
 * may then sit at N, so N is occupied before any of them is opened.
 */
static int
reserve_fd(int n)
{
	int fd;

	if (fcntl(n, F_GETFD) != -1)
		return 0;	/* in use already: ours cannot land there */
	if ((fd = output_null_fd(O_RDONLY)) == -1)
		return -1;
	if (fd != n && dup3(fd, n, O_CLOEXEC) == -1) {
		close(fd);
		return -1;
	}
	if (fd != n)
		close(fd);
	return 0;
}

/*
 * Everything about the launch that can be checked or built without
 * touching the pidfile: the user, the environment, the descriptors.
 */
int
start_prepare(struct start *s)
{
	const struct detach_opts *o = s->o;
	char msg[512];
	int i;

	if (privs_resolve(o->user, o->group, &s->privs, msg,
	    sizeof(msg)) == -1) {
		warnx("%s", msg);
		return -1;
	}
	if (o->chroot != NULL && geteuid() != 0) {
		warnx("--chroot %s: only root may change the root directory",
		    o->chroot);
		return -1;
	}
	for (i = 0; i < o->nkeep_fds; i++)
		if (fcntl(o->keep_fds[i], F_GETFD) == -1) {
			warnx("--keep-fd=%d: descriptor %d is not open",
			    o->keep_fds[i], o->keep_fds[i]);
			return -1;
		}
	if (env_build(o, &s->privs, environ, &s->env, msg,
	    sizeof(msg)) == -1) {
		warnx("%s", msg);
		return -1;
	}
	s->ready = (struct ready){ .kind = READY_NONE, .fd = -1,
	    .child_fd = -1 };
	if (o->ready_fd != -1 && reserve_fd(o->ready_fd) == -1) {
		warn("--ready-fd=%d", o->ready_fd);
		return -1;
	}
	if ((o->wait_ready || o->watchdog_ms > 0) &&
	    ready_open(&s->ready, o->ready_fd != -1 ?
	    READY_FD : READY_NOTIFY, o->ready_fd, s->privs.active ?
	    s->privs.uid : getuid()) == -1) {
		warn("readiness");
		return -1;
	}
	if (o->wait_ms >= 0)
		s->ready.kind = READY_SURVIVE;
	snprintf(s->watchdog_env, sizeof(s->watchdog_env),
	    "WATCHDOG_USEC=%lld", (long long)o->watchdog_ms * 1000);
	if ((s->ready.kind == READY_NOTIFY &&
	    env_set(&s->env, s->ready.env) == -1) ||
	    (o->watchdog_ms > 0 && env_set(&s->env, s->watchdog_env) == -1)) {
		warn("environment");
		return -1;
	}
	if (rc_init(&s->checks, o->checks, o->nchecks, msg, sizeof(msg)) ==
	    -1) {
		warnx("%s", msg);
		return -1;
	}
	s->checks.timeout = o->ready_timeout_ms;
	if (rc_init(&s->health, o->health, o->nhealth, msg, sizeof(msg)) ==
	    -1) {
		warnx("%s", msg);
		return -1;
	}
	s->health.timeout = o->health_timeout_ms;
	s->health.oneshot = 1;
	return 0;
}

/*
 * For restart: everything start would refuse, checked before the running
 * daemon is stopped, so that a typo does not leave nothing running.
 */
int
start_validate(const struct detach_opts *o, const struct paths *p)
{
	struct start s = { .o = o, .p = p };
	int r;

	r = start_prepare(&s);
	ready_close(&s.ready);
	rc_free(&s.checks);
	rc_free(&s.health);
	env_free(&s.env);
	return r == -1 ? EXIT_TROUBLE : EXIT_OK;
}

