/*
 * The schedule runner, after dpkg's run_stop_schedule(), without its
 * polling where the kernel has pidfds: each timeout item returns as soon
 * as the processes are gone (target_wait()), so stop costs no more than
 * they take to die.
 *
 * Every signal goes through target_signal(), which cannot reach a new
 * process that inherited a recycled pid.  Before each signal the targets
 * are looked at again: an exited process (a zombie accepts signals)
 * counts as gone.  Several processes (what is left of a service) are
 * stopped together: each signal goes to those still alive, each timeout
 * ends early once all are gone.
 */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <unistd.h>

#include "stop.h"

#define STOP_MAX	PROC_HOLDERS_MAX
#define LEFTOVER_ROUNDS	8

static int
send_direct(const struct target *t, int sig, void *arg)
{
	(void)arg;
	return target_signal(t, sig);
}

static int
alive_count(const struct target *t, int n)
{
	int i, left = 0;

	for (i = 0; i < n; i++)
		left += target_alive(&t[i]);
	return left;
}

/*
 * send delivers the signal items; NULL sends them to the processes.  A
 * supervisor is instead asked to pass each on to its child (control.c).
 */
enum stop_result
stop_run(const struct target *t, int n, const struct schedule *sc,
    stop_sender send, void *arg)
{
	int i = 0, k;

	if (n > STOP_MAX)
		n = STOP_MAX;
	if (send == NULL)
		send = send_direct;
	for (;;) {
		if (alive_count(t, n) == 0)
			return STOP_GONE;
		if (i >= sc->n)
			return STOP_ALIVE;
		switch (sc->items[i].type) {
		case SCHED_SIGNAL:
			for (k = 0; k < n; k++)
				if (target_alive(&t[k]) && send(&t[k],
				    (int)sc->items[i].value, arg) == -1 &&
				    errno != ESRCH)
					return STOP_ERROR;
			i++;
			break;
		case SCHED_TIMEOUT:
			if (target_wait(t, n, sc->items[i].value) == -1)
				return STOP_ERROR;
			i++;
			break;
		case SCHED_GOTO:
			i = (int)sc->items[i].value;
			break;
		}
	}
}

struct child_arg {
	pid_t		 me;
	struct proc_id	*out;
	int		 n, max;
};

static int
our_child(pid_t pid, const struct pstat *st, void *arg)
{
	struct child_arg *c = arg;

	if (st->ppid == c->me && st->state != 'Z' && c->n < c->max) {
		c->out[c->n].pid = pid;
		c->out[c->n].start = st->start;
		c->n++;
	}
	return 0;
}

/*
 * The processes of the service, pinned: its session, the one its daemon
 * made, and our children.
 */
static int
pin_leftovers(const struct service *sv, struct target *t, int max)
{
	struct proc_id ids[STOP_MAX];
	struct child_arg c = { getpid(), ids, 0, STOP_MAX };
	int i, n = 0, found = 0;

	if (sv->session > 0)
		found = proc_session(sv->session, sv->daemon, ids, STOP_MAX);
	c.n = found > 0 ? found : 0;
	/* a daemon that made a session of its own left it to its workers */
	if (sv->own_session > 0 && sv->own_session != sv->session &&
	    (found = proc_session(sv->own_session, sv->daemon, ids + c.n,
	    STOP_MAX - c.n)) > 0)
		c.n += found;
	if (sv->children)
		proc_each(our_child, &c);
	for (i = 0; i < c.n && n < max; i++)
		if (target_pin(&t[n], ids[i].pid, ids[i].start) == 1)
			n++;
	return n;
}

/*
 * After the main process: stop, with the same schedule, every process
 * left in its session (children that kept the pidfile's lock, helpers
 * started in the background) and, for a start that failed, our own
 * children, which include whatever the command double-forked.  Looked
 * for again after each round, for what was forked meanwhile.  *count is
 * how many were stopped.
 */
enum stop_result
stop_leftovers(const struct service *sv, const struct schedule *sc,
    int *count)
{
	struct target t[STOP_MAX];
	enum stop_result r = STOP_GONE;
	int round, n, i;

	*count = 0;
	for (round = 0; round < LEFTOVER_ROUNDS; round++) {
		if ((n = pin_leftovers(sv, t, STOP_MAX)) == 0)
			return STOP_GONE;
		*count += n;
		r = stop_run(t, n, sc, NULL, NULL);
		for (i = 0; i < n; i++)
			target_release(&t[i]);
		if (r != STOP_GONE)
			return r;
	}
	return STOP_ALIVE;
}
