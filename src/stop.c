/*
 * The schedule runner, after dpkg's run_stop_schedule(), without its
 * polling: a pidfd becomes readable the moment its process exits, so
 * each timeout item is one poll(2) that returns as soon as the processes
 * are gone, and stop costs no more than they take to die.
 *
 * Signals go through pidfd_send_signal(), which cannot reach a new
 * process that inherited a recycled pid.  Before each signal the pidfds
 * are polled with timeout 0: an exited process (a zombie accepts
 * signals) counts as gone.  Several processes (the leftover holders of a
 * pidfile) are stopped together: each signal goes to those still alive,
 * each timeout ends early once all are gone.
 */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <sys/pidfd.h>
#include <time.h>

#include "proc.h"
#include "stop.h"

#define STOP_MAX	16

static int
send_direct(int pidfd, int sig, void *arg)
{
	(void)arg;
	return pidfd_send_signal(pidfd, sig, NULL, 0);
}

/* How many are still alive; -1 on error. */
static int
alive(const int *pidfds, int n, int *gone)
{
	int i, r, left = 0;

	for (i = 0; i < n; i++) {
		if (gone[i])
			continue;
		if ((r = proc_pidfd_exited(pidfds[i])) == -1)
			return -1;
		gone[i] = r;
		left += !r;
	}
	return left;
}

/* Wait up to ms for all to exit. */
static int
wait_all(const int *pidfds, int n, int *gone, int64_t ms)
{
	struct timespec now, end;
	int i, left;

	clock_gettime(CLOCK_MONOTONIC, &end);
	end.tv_sec += ms / 1000;
	end.tv_nsec += (ms % 1000) * 1000000;
	for (;;) {
		if ((left = alive(pidfds, n, gone)) <= 0)
			return left;
		for (i = 0; i < n && gone[i]; i++)
			;
		clock_gettime(CLOCK_MONOTONIC, &now);
		ms = (int64_t)(end.tv_sec - now.tv_sec) * 1000 +
		    (end.tv_nsec - now.tv_nsec) / 1000000;
		if (ms <= 0)
			return left;
		if (proc_pidfd_wait(pidfds[i], ms) == -1)
			return -1;
	}
}

/*
 * send delivers the signal items; NULL sends them to the processes.  A
 * supervisor is instead asked to pass each on to its child (control.c).
 */
enum stop_result
stop_run(const int *pidfds, int n, const struct schedule *sc,
    stop_sender send, void *arg)
{
	int gone[STOP_MAX] = { 0 };
	int i = 0, k, left;

	if (n > STOP_MAX)
		n = STOP_MAX;
	for (;;) {
		if ((left = alive(pidfds, n, gone)) == -1)
			return STOP_ERROR;
		if (left == 0)
			return STOP_GONE;
		if (i >= sc->n)
			return STOP_ALIVE;
		switch (sc->items[i].type) {
		case SCHED_SIGNAL:
			for (k = 0; k < n; k++)
				if (!gone[k] && (send != NULL ? send :
				    send_direct)(pidfds[k],
				    (int)sc->items[i].value, arg) == -1 &&
				    errno != ESRCH)
					return STOP_ERROR;
			i++;
			break;
		case SCHED_TIMEOUT:
			if (wait_all(pidfds, n, gone, sc->items[i].value) == -1)
				return STOP_ERROR;
			i++;
			break;
		case SCHED_GOTO:
			i = (int)sc->items[i].value;
			break;
		}
	}
}
