/*
 * The notification side of readiness.
 *
 * sd_notify: a private AF_UNIX datagram socket in the abstract namespace,
 * "@detach-<random>": no path, so no length limit, no directory
 * permissions and nothing to clean up, and it works from inside a chroot
 * or as another user.  Datagrams carry credentials (SO_PASSCRED); only
 * root and the service's user are listened to, since the sender may be a
 * helper such as systemd-notify rather than the main process.  Every
 * descriptor that arrives is closed at once: systemd-notify --ready sends
 * BARRIER=1 with a descriptor and waits until it is closed.
 *
 * --ready-fd=N: a pipe whose write end the service gets as descriptor N;
 * a newline means ready, EOF before one means it gave up.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "clock.h"
#include "parse.h"
#include "proc.h"
#include "ready.h"

static int
open_notify(struct ready *r)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	unsigned char rnd[8];
	socklen_t len;
	int one = 1, i;
	char name[40];

	r->fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (r->fd == -1)
		return -1;
	if (getrandom(rnd, sizeof(rnd), 0) != sizeof(rnd))
		return -1;
	i = snprintf(name, sizeof(name), "detach-");
	for (size_t k = 0; k < sizeof(rnd); k++)
		i += snprintf(name + i, sizeof(name) - (size_t)i, "%02x",
		    rnd[k]);
	memcpy(sa.sun_path + 1, name, strlen(name));
	len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 +
	    strlen(name));
	if (bind(r->fd, (struct sockaddr *)&sa, len) == -1 ||
	    setsockopt(r->fd, SOL_SOCKET, SO_PASSCRED, &one, sizeof(one)) == -1)
		return -1;
	snprintf(r->env, sizeof(r->env), "NOTIFY_SOCKET=@%s", name);
	return 0;
}

/* A fresh pipe for the next child (--ready-fd). */
int
ready_rearm(struct ready *r)
{
	int p[2];

	if (r->kind != READY_FD)
		return 0;
	if (r->fd != -1)
		close(r->fd);
	if (r->child_fd != -1)
		close(r->child_fd);
	r->fd = r->child_fd = -1;
	if (pipe2(p, O_CLOEXEC | O_NONBLOCK) == -1)
		return -1;
	r->fd = p[0];
	r->child_fd = p[1];
	/* the write end blocks in the service as any descriptor would */
	fcntl(p[1], F_SETFL, 0);
	return 0;
}

int
ready_open(struct ready *r, enum ready_kind kind, int dst, uid_t uid)
{
	int saved;

	*r = (struct ready){ .kind = kind, .fd = -1, .child_fd = -1,
	    .child_dst = dst, .uid = uid };
	if (kind == READY_NOTIFY && open_notify(r) == -1)
		goto fail;
	if (kind == READY_FD && ready_rearm(r) == -1)
		goto fail;
	return 0;
fail:
	saved = errno;
	ready_close(r);
	errno = saved;
	return -1;
}

/* The child has its copy of the pipe's write end: drop ours. */
void
ready_forget_child_end(struct ready *r)
{
	if (r->child_fd != -1)
		close(r->child_fd);
	r->child_fd = -1;
}

static void
close_passed_fds(struct msghdr *mh, struct ucred *cred, int *have_cred)
{
	struct cmsghdr *c;
	int *fds, i, n;

	for (c = CMSG_FIRSTHDR(mh); c != NULL; c = CMSG_NXTHDR(mh, c)) {
		if (c->cmsg_level != SOL_SOCKET)
			continue;
		if (c->cmsg_type == SCM_RIGHTS) {
			fds = (int *)CMSG_DATA(c);
			n = (int)((c->cmsg_len - CMSG_LEN(0)) / sizeof(int));
			for (i = 0; i < n; i++)
				close(fds[i]);
		} else if (c->cmsg_type == SCM_CREDENTIALS &&
		    c->cmsg_len >= CMSG_LEN(sizeof(*cred))) {
			memcpy(cred, CMSG_DATA(c), sizeof(*cred));
			*have_cred = 1;
		}
	}
}

/*
 * pid is r->watched or one of its descendants.  A sender that is gone
 * already (systemd-notify WATCHDOG=1 from a shell loop exits at once)
 * cannot be traced: its credentials, root or the service's user, are
 * all there is, as for READY=1.
 */
static int
of_watched(const struct ready *r, pid_t pid)
{
	int depth;

	if (proc_parent(pid) == -1)
		return 1;
	for (depth = 0; depth < 64 && pid > 1; depth++) {
		if (pid == r->watched)
			return 1;
		pid = proc_parent(pid);
	}
	return 0;
}

/* One datagram's "KEY=VALUE\n" lines, from pid. */
static int
parse_notify(struct ready *r, char *msg, size_t len, pid_t from)
{
	char *line, *nl, *end = msg + len;
	pid_t pid;
	int ready = 0;

	for (line = msg; line < end; line = nl + 1) {
		nl = memchr(line, '\n', (size_t)(end - line));
		if (nl == NULL)
			nl = end;
		*nl = '\0';
		if (strcmp(line, "READY=1") == 0)
			ready = 1;
		else if (strncmp(line, "STATUS=", 7) == 0)
			snprintf(r->status, sizeof(r->status), "%s", line + 7);
		else if (strncmp(line, "MAINPID=", 8) == 0 &&
		    parse_pid(line + 8, strlen(line + 8), &pid) == 0)
			r->mainpid = pid;
		else if (strcmp(line, "WATCHDOG=1") == 0 && r->watched > 0 &&
		    of_watched(r, from))
			r->pinged_at = clock_ms();
	}
	return ready;
}

static enum ready_state
read_notify(struct ready *r)
{
	char buf[4096], ctl[CMSG_SPACE(sizeof(struct ucred)) +
	    CMSG_SPACE(sizeof(int) * 16)];
	struct iovec iov = { buf, sizeof(buf) - 1 };
	struct msghdr mh;
	struct ucred cred;
	enum ready_state st = READY_WAITING;
	ssize_t n;
	int have_cred;

	for (;;) {
		memset(&mh, 0, sizeof(mh));
		mh.msg_iov = &iov;
		mh.msg_iovlen = 1;
		mh.msg_control = ctl;
		mh.msg_controllen = sizeof(ctl);
		n = recvmsg(r->fd, &mh, MSG_CMSG_CLOEXEC | MSG_DONTWAIT);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			return st;
		have_cred = 0;
		close_passed_fds(&mh, &cred, &have_cred);
		if (!have_cred || (cred.uid != 0 && cred.uid != r->uid))
			continue;	/* not from root or the service */
		if (parse_notify(r, buf, (size_t)n, cred.pid)) {
			st = READY_DONE;
			r->sender = cred.pid;
		}
	}
}

static enum ready_state
read_fd(struct ready *r)
{
	char buf[256];
	ssize_t n;

	for (;;) {
		n = read(r->fd, buf, sizeof(buf));
		if (n == -1 && errno == EINTR)
			continue;
		if (n == 0)
			return READY_FAILED;
		if (n == -1)
			return READY_WAITING;
		if (memchr(buf, '\n', (size_t)n) != NULL)
			return READY_DONE;
	}
}

/* Consume what arrived.  Call when r->fd polls readable. */
enum ready_state
ready_read(struct ready *r)
{
	if (r->kind == READY_NOTIFY)
		return read_notify(r);
	if (r->kind == READY_FD)
		return read_fd(r);
	return READY_WAITING;
}

/*
 * The wait, for whichever loop runs it (plain start's, the
 * supervisor's): arm a deadline, poll r->fd until ready_deadline(), and
 * call ready_step() after each wake-up.
 */
void
ready_arm(struct ready *r, int64_t timeout_ms)
{
	r->deadline = clock_ms() + timeout_ms;
}

/* When the loop must wake up at the latest; -1: not waiting. */
int64_t
ready_deadline(const struct ready *r)
{
	return r->kind == READY_NONE || r->deadline == 0 ? -1 : r->deadline;
}

/*
 * What the wait has come to: readable says r->fd polled readable.  For
 * --wait, reaching the deadline alive is being ready.
 */
enum ready_state
ready_step(struct ready *r, int readable, int64_t now)
{
	enum ready_state st = READY_WAITING;

	if (readable && r->fd != -1)
		st = ready_read(r);
	if (st == READY_WAITING && r->deadline != 0 && now >= r->deadline)
		st = r->kind == READY_SURVIVE ? READY_DONE : READY_TIMEOUT;
	if (st != READY_WAITING)
		r->deadline = 0;
	return st;
}

void
ready_close(struct ready *r)
{
	if (r->fd != -1)
		close(r->fd);
	if (r->child_fd != -1)
		close(r->child_fd);
	r->fd = r->child_fd = -1;
}
