/*
 * The schedule runner, after dpkg's run_stop_schedule(), without its
 * polling: a pidfd becomes readable the moment its process exits, so
 * each timeout item is one poll(2) that returns as soon as the process
 * is gone, and stop costs no more than the process takes to die.
 *
 * Signals go through pidfd_send_signal(), which cannot reach a new
 * process that inherited a recycled pid.  Before each signal the pidfd
 * is polled with timeout 0: an exited process (a zombie accepts
 * signals) counts as gone.
 */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <sys/pidfd.h>

#include "proc.h"
#include "stop.h"

static int
send_direct(int pidfd, int sig, void *arg)
{
	(void)arg;
	return pidfd_send_signal(pidfd, sig, NULL, 0);
}

/*
 * send delivers the signal items; NULL sends them to the process.  A
 * supervisor is instead asked to pass each on to its child (control.c).
 */
enum stop_result
stop_run(int pidfd, const struct schedule *sc, stop_sender send, void *arg)
{
	int i = 0, r;

	for (;;) {
		r = proc_pidfd_exited(pidfd);
		if (r == 1)
			return STOP_GONE;
		if (r == -1)
			return STOP_ERROR;
		if (i >= sc->n)
			return STOP_ALIVE;
		switch (sc->items[i].type) {
		case SCHED_SIGNAL:
			if ((send != NULL ? send : send_direct)(pidfd,
			    (int)sc->items[i].value, arg) == -1) {
				if (errno == ESRCH)
					return STOP_GONE;
				return STOP_ERROR;
			}
			i++;
			break;
		case SCHED_TIMEOUT:
			r = proc_pidfd_wait(pidfd, sc->items[i].value);
			if (r == -1)
				return STOP_ERROR;
			i++;
			break;
		case SCHED_GOTO:
			i = (int)sc->items[i].value;
			break;
		}
	}
}
