/*
 * Targets: a pid plus the start time it had when it was identified.
 *
 * With a pidfd (Linux 5.3 and later, where seccomp allows it), a pinned
 * target cannot be confused with a process that later gets the same
 * pid: signals go through pidfd_send_signal() and the pidfd polls
 * readable when the process exits.  Where pidfd_open() fails with ENOSYS
 * or EPERM, each signal is preceded by a fresh look at /proc/PID/stat:
 * the pid must still carry the start time it was pinned with, and not be
 * a zombie.  The window left between that look and kill(2) is a few
 * microseconds, in which the process would have to exit, be reaped and
 * its pid be handed out again.  Waiting then polls /proc with a backoff.
 */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "proc.h"
#include "sys.h"
#include "target.h"

#define TARGET_MAX		16
#define BACKOFF_FIRST_MS	1
#define BACKOFF_MAX_MS		50

/* pidfd_open() failed for want of the call: do not ask again. */
static int no_pidfd;

/* Is pid, as /proc shows it now, the process that started at start? */
static int
same_process(pid_t pid, uint64_t start)
{
	struct pstat st;

	if (proc_stat(pid, &st) == -1)
		return errno == ESRCH ? 0 : -1;
	return st.state != 'Z' && st.state != 'X' &&
	    (start == 0 || st.start == start);
}

/*
 * Pin the process pid that started at start (0: whichever runs as pid
 * now; its start time is recorded).  1 pinned, 0 no such process (gone,
 * a zombie, or a later one with the same pid), -1 error.
 */
int
target_pin(struct target *t, pid_t pid, uint64_t start)
{
	struct pstat st;
	int r;

	*t = TARGET_NONE;
	if (pid <= 1)
		return 0;
	if (start == 0) {
		if (proc_stat(pid, &st) == -1)
			return errno == ESRCH ? 0 : -1;
		start = st.start;
	}
	if (!no_pidfd && (t->pidfd = sys_pidfd_open(pid)) == -1) {
		if (errno == ESRCH)
			return 0;
		if (!sys_unavailable(errno))
			return -1;
		no_pidfd = 1;
	}
	/*
	 * Looked at once the pidfd is held: the pid may have been recycled
	 * before pidfd_open(), never after.  Without pidfds, this is the
	 * check every signal repeats.
	 */
	if ((r = same_process(pid, start)) != 1) {
		target_release(t);
		return r;
	}
	t->pid = pid;
	t->start = start;
	return 1;
}

/* 1 while the process runs, 0 once it has exited (a zombie counts). */
int
target_alive(const struct target *t)
{
	struct pollfd pfd = { .fd = t->pidfd, .events = POLLIN };

	if (t->pid <= 1)
		return 0;
	if (t->pidfd != -1)
		return poll(&pfd, 1, 0) == 0;
	return same_process(t->pid, t->start) != 0;
}

static int
send_info(const struct target *t, int sig, siginfo_t *info, int value)
{
	union sigval v = { .sival_int = value };

	if (t->pidfd != -1) {
		if (sys_pidfd_send_signal(t->pidfd, sig, info) == 0)
			return 0;
		if (!sys_unavailable(errno))
			return -1;
	}
	if (!target_alive(t)) {
		errno = ESRCH;
		return -1;
	}
	return info != NULL ? sigqueue(t->pid, sig, v) : kill(t->pid, sig);
}

/* 0, or -1 with errno (ESRCH: it has exited). */
int
target_signal(const struct target *t, int sig)
{
	return send_info(t, sig, NULL, 0);
}

/* sig with a value, as sigqueue(3) sends it (requests to a supervisor). */
int
target_queue(const struct target *t, int sig, int value)
{
	siginfo_t si;

	memset(&si, 0, sizeof(si));
	si.si_signo = sig;
	si.si_code = SI_QUEUE;
	si.si_pid = getpid();
	si.si_uid = getuid();
	si.si_value.sival_int = value;
	return send_info(t, sig, &si, value);
}

/*
 * Wait up to ms (-1: forever) for all n targets to exit.  Returns how
 * many still run.  With pidfds this is one poll(2) per exit; without,
 * /proc is looked at again after 1, 2, 4 ... 50 ms.
 */
int
target_wait(const struct target *t, int n, int64_t ms)
{
	struct pollfd pfd[TARGET_MAX];
	int64_t end = clock_ms() + ms, left, nap = BACKOFF_FIRST_MS;
	int i, live, polled, blind;

	if (n > TARGET_MAX)
		n = TARGET_MAX;
	for (;;) {
		for (i = live = polled = blind = 0; i < n; i++) {
			if (!target_alive(&t[i]))
				continue;
			live++;
			if (t[i].pidfd != -1)
				pfd[polled++] = (struct pollfd){
				    .fd = t[i].pidfd, .events = POLLIN };
			else
				blind = 1;
		}
		left = ms < 0 ? INT32_MAX : end - clock_ms();
		if (live == 0 || left <= 0)
			return live;
		if (left > INT32_MAX)
			left = INT32_MAX;
		if (blind && left > nap) {
			left = nap;
			nap = nap * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS :
			    nap * 2;
		}
		if (poll(pfd, (nfds_t)polled, (int)left) == -1 &&
		    errno != EINTR)
			return -1;
	}
}

void
target_release(struct target *t)
{
	if (t->pidfd != -1)
		close(t->pidfd);
	*t = TARGET_NONE;
}
