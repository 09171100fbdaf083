/*
 * The readiness checks that talk to the system, one round at a time and
 * never blocking: a connect in progress or a --ready-cmd that runs is
 * looked at again in the next round.
 *
 * --ready-cmd runs as the service would (its user, directory,
 * environment, limits and root: the launch template of the service,
 * through spawn_child()), in a process group of its own, with its output
 * kept for the message.  A run that takes longer than RC_CMD_MS is
 * killed, group and all, and the next round tries again.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "parse.h"
#include "rc_int.h"

#define CONNECT_MS	1000	/* one connect may take this long */
#define CONNECT_WAIT_MS	2	/* how long a round waits for its outcome */

/* An attempt failed, for this reason (one-shot checks end with it). */
static void
why(struct rc_check *c, const char *text)
{
	snprintf(c->why, sizeof(c->why), "%s", text);
	c->failed = 1;
}

static void
close_sock(struct rc_check *c, int i)
{
	if (c->sock[i] != -1)
		close(c->sock[i]);
	c->sock[i] = -1;
}

static int
resolve(struct rc_check *c)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM,
	    .ai_flags = AI_NUMERICSERV }, *res, *a;
	int e;

	if ((e = getaddrinfo(c->hp.host, c->hp.port, &hints, &res)) != 0) {
		snprintf(c->why, sizeof(c->why), "%.64s: %s", c->hp.host,
		    e == EAI_SYSTEM ? strerror(errno) : gai_strerror(e));
		c->failed = 1;
		return -1;
	}
	for (a = res; a != NULL && c->naddr < RC_ADDRS; a = a->ai_next) {
		if (a->ai_addrlen > sizeof(c->addr[0]))
			continue;
		memcpy(&c->addr[c->naddr], a->ai_addr, a->ai_addrlen);
		c->addrlen[c->naddr++] = a->ai_addrlen;
	}
	freeaddrinfo(res);
	if (c->naddr == 0)
		why(c, "no address");
	return c->naddr > 0 ? 0 : -1;
}

/* Address i: 1 connected, 0 in progress or refused (c->why says). */
static int
try_addr(struct rc_check *c, int i, int64_t now)
{
	struct pollfd pfd;
	socklen_t len = sizeof(int);
	int fd, e = 0, wait = 0;

	if (c->sock[i] == -1) {
		fd = socket(c->addr[i].ss_family, SOCK_STREAM | SOCK_NONBLOCK |
		    SOCK_CLOEXEC, 0);
		if (fd == -1) {
			why(c, strerror(errno));
			return 0;
		}
		if (connect(fd, (struct sockaddr *)&c->addr[i],
		    c->addrlen[i]) == 0) {
			close(fd);
			return 1;
		}
		if (errno != EINPROGRESS) {
			why(c, strerror(errno));
			close(fd);
			return 0;
		}
		c->sock[i] = fd;
		c->since[i] = now;
		wait = CONNECT_WAIT_MS;
	}
	/*
	 * Even on loopback a non-blocking connect is "in progress" when it
	 * returns: wait a moment for its outcome now rather than a round
	 * later; a far host's answer is looked at in the next rounds.
	 */
	pfd = (struct pollfd){ .fd = c->sock[i], .events = POLLOUT };
	if (poll(&pfd, 1, wait) == 1) {
		if (getsockopt(c->sock[i], SOL_SOCKET, SO_ERROR, &e, &len) ==
		    -1)
			e = errno;
		close_sock(c, i);
		if (e == 0)
			return 1;
		why(c, strerror(e));
	} else if (now - c->since[i] >= CONNECT_MS) {
		close_sock(c, i);
		why(c, "connect timed out");
	}
	return 0;
}

static void
port_round(struct rc_check *c, int64_t now)
{
	int i;

	if (c->naddr == 0 && resolve(c) == -1)
		return;
	for (i = 0; i < c->naddr && !c->passed; i++)
		c->passed = try_addr(c, i, now);
	if (c->passed)
		rc_release(c);
}

/*
 * --ready-file: a file there before the start (left by the last run, a
 * socket or pidfile it did not remove) counts only once it is made anew
 * or changed (its inode or ctime).
 */
void
rc_file_begin(struct rc_check *c)
{
	struct stat st;

	c->existed = stat(c->path, &st) == 0;
	if (c->existed) {
		c->dev = st.st_dev;
		c->ino = st.st_ino;
		c->ctime = st.st_ctim;
	}
}

static void
file_round(struct rc_check *c)
{
	struct stat st;

	if (stat(c->path, &st) == -1)
		why(c, strerror(errno));
	else if (!c->existed || st.st_dev != c->dev || st.st_ino != c->ino ||
	    st.st_ctim.tv_sec != c->ctime.tv_sec ||
	    st.st_ctim.tv_nsec != c->ctime.tv_nsec)
		c->passed = 1;
	else
		why(c, "it was there before the start, unchanged");
}

/* Keep the last line the command wrote (what it said on failure). */
static void
cmd_drain(struct rc_check *c)
{
	char buf[512], *p, *end, *nl;
	ssize_t n;
	size_t take;

	while (c->out != -1 && (n = read(c->out, buf, sizeof(buf))) > 0) {
		p = buf;
		end = buf + n;
		while (p < end) {
			nl = memchr(p, '\n', (size_t)(end - p));
			take = (size_t)((nl != NULL ? nl : end) - p);
			if (take > 0) {
				if (take > sizeof(c->tail) - 1)
					take = sizeof(c->tail) - 1;
				memcpy(c->tail, p, take);
				c->tail[take] = '\0';
				c->taillen = take;
			}
			p = nl != NULL ? nl + 1 : end;
		}
	}
}

/* The run ended with wait status st. */
static void
cmd_ended(struct rc_check *c, int st)
{
	char sig[16];
	int w = 0;

	cmd_drain(c);
	c->pid = 0;
	c->ended = 1;
	if (c->out != -1)
		close(c->out);
	c->out = -1;
	if (WIFEXITED(st) && WEXITSTATUS(st) == 0) {
		c->passed = 1;
		return;
	}
	c->failed = 1;
	if (WIFSIGNALED(st)) {
		signal_name(WTERMSIG(st), sig, sizeof(sig));
		w = snprintf(c->why, sizeof(c->why), "killed by SIG%s", sig);
	} else
		w = snprintf(c->why, sizeof(c->why), "exit %d",
		    WEXITSTATUS(st));
	if (c->taillen > 0 && w > 0 && (size_t)w < sizeof(c->why))
		snprintf(c->why + w, sizeof(c->why) - (size_t)w, ": %s",
		    c->tail);
}

static void
cmd_start(struct readycheck *rc, struct rc_check *c, int64_t now)
{
	char *argv[] = { "sh", "-c", (char *)c->arg, NULL };
	struct launch l;
	struct launch_result r;
	int p[2], null;

	if (rc->tpl == NULL || pipe2(p, O_CLOEXEC) == -1) {
		why(c, rc->tpl == NULL ? "nothing to run it as" :
		    strerror(errno));
		return;
	}
	if ((null = open("/dev/null", O_RDONLY | O_CLOEXEC)) == -1) {
		why(c, strerror(errno));
		close(p[0]);
		close(p[1]);
		return;
	}
	l = *rc->tpl;
	l.argv = argv;
	l.file = "/bin/sh";
	l.fd_in = null;
	l.fd_out = l.fd_err = p[1];
	l.lock = NULL;
	l.keep_lock = 0;
	l.new_pgrp = 1;
	l.keep_fds = NULL;
	l.nkeep_fds = 0;
	l.ready_fd = -1;
	l.body = NULL;
	l.watchdog_pid = 0;
	c->taillen = 0;
	c->tail[0] = '\0';
	if (spawn_child(&l, &r) == -1) {
		snprintf(c->why, sizeof(c->why), "cannot run it: %s: %s",
		    spawn_stage_name(r.stage), strerror(r.err));
		c->failed = 1;
		close(p[0]);
	} else {
		c->pid = r.pid;
		c->out = p[0];
		fcntl(c->out, F_SETFL, O_NONBLOCK);
		c->run_ms = rc->oneshot ? rc->timeout : RC_CMD_MS;
		c->kill_at = now + c->run_ms;
	}
	close(p[1]);
	close(null);
}

/* Kill a run and all its group, reap it.  The group is killed while
 * its leader is unreaped, so that its id cannot be anyone else's. */
static void
cmd_kill(struct rc_check *c)
{
	int st;

	if (c->pid <= 0)
		return;
	if (kill(-c->pid, SIGKILL) == -1)
		kill(c->pid, SIGKILL);
	while (waitpid(c->pid, &st, 0) == -1 && errno == EINTR)
		;
	cmd_ended(c, st);
}

static void
cmd_round(struct readycheck *rc, struct rc_check *c, int64_t now)
{
	siginfo_t si;
	int st;

	if (c->pid == 0) {
		cmd_start(rc, c, now);
		return;
	}
	cmd_drain(c);
	si.si_pid = 0;
	if (waitid(P_PID, (id_t)c->pid, &si, WEXITED | WNOHANG |
	    WNOWAIT) == -1 && errno == ECHILD) {
		/* reaped by someone else's waitpid(-1): nothing to kill */
		c->pid = 0;
		cmd_ended(c, W_EXITCODE(1, 0));
		why(c, "its exit status was lost");
	} else if (si.si_pid == c->pid) {
		/* what it left in its group goes with it */
		kill(-c->pid, SIGKILL);
		if (waitpid(c->pid, &st, 0) == c->pid)
			cmd_ended(c, st);
	} else if (now >= c->kill_at) {
		cmd_kill(c);
		snprintf(c->why, sizeof(c->why), "a run took over %lld.%03lld "
		    "s, killed", (long long)(c->run_ms / 1000),
		    (long long)(c->run_ms % 1000));
		c->failed = 1;
	}
}

void
rc_round(struct readycheck *rc, struct rc_check *c, int64_t now)
{
	switch (c->kind) {
	case RC_PORT:
		port_round(c, now);
		break;
	case RC_FILE:
		file_round(c);
		break;
	case RC_CMD:
		cmd_round(rc, c, now);
		break;
	case RC_LOG:
		break;		/* rc_feed() sees the lines */
	}
}

/* Give back what a check holds: a connect, a run. */
void
rc_release(struct rc_check *c)
{
	char prev[sizeof(c->why)];
	int i, had, failed;

	for (i = 0; i < RC_ADDRS; i++)
		close_sock(c, i);
	if (c->kind == RC_CMD && c->pid > 0) {
		/* a failed run before this one says more than the cut */
		memcpy(prev, c->why, sizeof(prev));
		had = c->ended;
		failed = c->failed;
		cmd_kill(c);
		if (!c->passed && had)
			memcpy(c->why, prev, sizeof(c->why));
		else if (!c->passed)
			why(c, "still running at the deadline");
		c->failed = failed;	/* cut short is not failed */
	}
}

/*
 * Someone else's waitpid(-1) (the supervisor's) reaped pid: 1 if it was
 * a --ready-cmd run, which then ended with st.
 */
int
rc_reaped(struct readycheck *rc, pid_t pid, int st)
{
	int i;

	for (i = 0; i < rc->n; i++)
		if (rc->c[i].kind == RC_CMD && rc->c[i].pid == pid &&
		    pid > 0) {
			cmd_ended(&rc->c[i], st);
			return 1;
		}
	return 0;
}
