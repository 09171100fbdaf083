/*
 * Adopting the daemon of a command that forks into the background.
 *
 * The caller (plain start, or the supervisor) is a child subreaper and
 * has no other children, so every process the command leaves behind
 * becomes its child once its own parent exits: the daemon is found among
 * them, never guessed from the whole system.  A pid the program's own
 * pidfile names is taken only once it is such a child.  Without a
 * pidfile, exactly one survivor must remain once none has exited for
 * ADOPT_SETTLE_MS (a double fork's middle process is gone by then).
 *
 * Nothing here signals anything: on failure the caller stops what the
 * command left, as for any failed start.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "adopt.h"
#include "clock.h"
#include "parse.h"
#include "proc.h"
#include "svstate.h"
#include "target.h"

#define NAP_MAX_MS	10	/* how often to look again, at most */
#define DEPTH_MAX	64	/* parents walked up from a followed pid */

/* A pidfile's content: a pid, with blanks around it tolerated. */
enum follow_content
adopt_parse_pid(const char *buf, size_t len, pid_t *pid)
{
	size_t b = 0, e = len;

	while (b < e && isspace((unsigned char)buf[b]))
		b++;
	while (e > b && isspace((unsigned char)buf[e - 1]))
		e--;
	if (b == e)
		return FOLLOW_EMPTY;
	return parse_pid(buf + b, e - b, pid) == 0 ? FOLLOW_PID :
	    FOLLOW_GARBAGE;
}

/* The same pids, in any order. */
int
adopt_same_set(const pid_t *a, int na, const pid_t *b, int nb)
{
	int i, j;

	if (na != nb)
		return 0;
	for (i = 0; i < na; i++) {
		for (j = 0; j < nb && b[j] != a[i]; j++)
			;
		if (j == nb)
			return 0;
	}
	return 1;
}

/* "12, 34 and 56" into buf; returns 0, or -1 if it was cut short. */
int
adopt_list(const pid_t *pids, int n, char *buf, size_t len)
{
	size_t used = 0;
	int i, w;

	if (len == 0)
		return -1;
	buf[0] = '\0';
	for (i = 0; i < n; i++) {
		w = snprintf(buf + used, len - used, "%s%ld", i == 0 ? "" :
		    i == n - 1 ? " and " : ", ", (long)pids[i]);
		if (w < 0 || (size_t)w >= len - used)
			return -1;
		used += (size_t)w;
	}
	return 0;
}

struct kids {
	pid_t	me;
	pid_t	pid[ADOPT_MAX];
	int	n;		/* listed */
	int	more;		/* not listed: no room */
};

static int
kid(pid_t pid, const struct pstat *st, void *arg)
{
	struct kids *k = arg;

	if (st->ppid != k->me || st->state == 'Z' || st->state == 'X')
		return 0;
	if (k->n < ADOPT_MAX)
		k->pid[k->n++] = pid;
	else
		k->more++;
	return 0;
}

/* Our live children, once the dead ones are reaped; returns how many. */
static int
survivors(struct kids *k)
{
	int st;

	while (waitpid(-1, &st, WNOHANG) > 0)
		;
	k->me = getpid();
	k->n = k->more = 0;
	proc_each(kid, k);
	return k->n + k->more;
}

static int
our_child(pid_t pid)
{
	struct pstat st;

	return proc_stat(pid, &st) == 0 && st.ppid == getpid() &&
	    st.state != 'Z' && st.state != 'X';
}

/* Some ancestor of pid is us: *parent is its parent, which still runs. */
static int
descends(pid_t pid, pid_t *parent)
{
	pid_t p = pid, me = getpid();
	int i;

	*parent = proc_parent(pid);
	for (i = 0; i < DEPTH_MAX && p > 1; i++)
		if ((p = proc_parent(p)) == me)
			return 1;
	return 0;
}

/* Wait a little, less than nap and never past the deadline. */
static void
nap_until(int64_t until, int64_t *nap)
{
	int64_t left = until - clock_ms();

	if (left > *nap)
		left = *nap;
	if (left > 0)
		poll(NULL, 0, (int)left);
	*nap = *nap * 2 > NAP_MAX_MS ? NAP_MAX_MS : *nap * 2;
}

/*
 * The program's pidfile, now: 1 and *pid if it names one; 0 and why,
 * a clause after "the pidfile PATH", otherwise.
 */
static int
read_follow(const char *path, pid_t *pid, char *why, size_t len)
{
	char buf[64];
	struct stat sb;
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC |
	    O_NOCTTY);
	if (fd == -1) {
		if (errno == ENOENT)
			snprintf(why, len, "did not appear");
		else
			snprintf(why, len, "cannot be read: %s",
			    strerror(errno));
		return 0;
	}
	if (fstat(fd, &sb) == -1 || !S_ISREG(sb.st_mode)) {
		close(fd);
		snprintf(why, len, "is not a regular file");
		return 0;
	}
	n = read(fd, buf, sizeof(buf));
	close(fd);
	if (n < 0) {
		snprintf(why, len, "cannot be read: %s", strerror(errno));
		return 0;
	}
	switch (adopt_parse_pid(buf, n == sizeof(buf) ? 0 : (size_t)n, pid)) {
	case FOLLOW_PID:
		return 1;
	case FOLLOW_EMPTY:
		snprintf(why, len, n == sizeof(buf) ? "is too long for a pid" :
		    "is empty");
		return 0;
	default:
		snprintf(why, len, "does not hold a pid (\"%.*s\")",
		    (int)strcspn(buf, "\n"), buf);
		return 0;
	}
}

/* --follow-pidfile: wait until it names one of our children. */
static int
follow(const struct adopt_req *rq, struct adoption *a)
{
	struct kids k;
	char why[160] = "did not appear";
	int64_t nap = 1;
	pid_t pid, parent;

	for (;;) {
		int left = survivors(&k);

		if (read_follow(rq->follow, &pid, why, sizeof(why))) {
			if (our_child(pid)) {
				a->pid = pid;
				return 0;
			}
			if (proc_parent(pid) == -1)
				snprintf(why, sizeof(why), "names pid %ld, "
				    "which does not run", (long)pid);
			else if (descends(pid, &parent))
				snprintf(why, sizeof(why), "names pid %ld, "
				    "whose parent (pid %ld) still runs",
				    (long)pid, (long)parent);
			else
				snprintf(why, sizeof(why), "names pid %ld, "
				    "which is not a process of the service "
				    "(nothing was signalled)", (long)pid);
		}
		if (left == 0) {
			snprintf(a->why, sizeof(a->why), "every process it "
			    "started has exited, and its pidfile %s %s",
			    rq->follow, why);
			return -1;
		}
		if (clock_ms() >= rq->deadline) {
			snprintf(a->why, sizeof(a->why), "its pidfile %s %s "
			    "within --ready-timeout", rq->follow, why);
			return -1;
		}
		nap_until(rq->deadline, &nap);
	}
}

/* No pidfile: the one survivor, once they settled. */
static int
settle(const struct adopt_req *rq, struct adoption *a)
{
	struct kids k, prev = { .n = -1 };
	int64_t now, quiet_at = 0, nap = 1;
	char list[128];

	for (;;) {
		/*
		 * Twice: /proc is read in batches, so a child that exited
		 * during a scan may hide the grandchild it forked, born after
		 * the batch was read; the next scan sees that one.
		 */
		if (survivors(&k) == 0 && survivors(&k) == 0) {
			snprintf(a->why, sizeof(a->why), "it exited with "
			    "status 0 but left no process running");
			return -1;
		}
		now = clock_ms();
		if (!adopt_same_set(k.pid, k.n, prev.pid, prev.n) ||
		    k.more != prev.more) {
			prev = k;
			quiet_at = now + ADOPT_SETTLE_MS;
			nap = 1;
		} else if (now >= quiet_at || now >= rq->deadline)
			break;
		nap_until(quiet_at < rq->deadline ? quiet_at : rq->deadline,
		    &nap);
	}
	if (k.n == 1 && k.more == 0) {
		a->pid = k.pid[0];
		return 0;
	}
	if (adopt_list(k.pid, k.n, list, sizeof(list)) == -1 || k.more > 0)
		snprintf(list + strlen(list), sizeof(list) - strlen(list),
		    " and more");
	snprintf(a->why, sizeof(a->why), "it left %d processes running "
	    "(pids %s), not one: --follow-pidfile=PATH tells which is the "
	    "daemon", k.n + k.more, list);
	return -1;
}

/*
 * Wait for rq->command to exit 0, then find the daemon.  0: a->pid is
 * it.  -1: a->why says why not (a->status is the command's status, if
 * it exited); what runs is the caller's to stop.
 */
int
adopt_daemon(const struct adopt_req *rq, struct adoption *a)
{
	struct target t;
	int64_t left = rq->deadline - clock_ms();
	int alive = 0, st;
	char how[64];

	*a = (struct adoption){ .status = -1 };
	if (target_pin(&t, rq->command, 0) == 1) {
		alive = target_wait(&t, 1, left > 0 ? left : 0);
		target_release(&t);
	}
	if (alive != 0) {
		snprintf(a->why, sizeof(a->why), "pid %ld did not exit within "
		    "--ready-timeout: does it really fork into the "
		    "background? (without --forking, detach daemonizes it)",
		    (long)rq->command);
		return -1;
	}
	while (waitpid(rq->command, &st, 0) == -1)
		if (errno != EINTR) {
			st = -1;
			break;
		}
	a->status = st;
	if (st != -1 && !(WIFEXITED(st) && WEXITSTATUS(st) == 0)) {
		svstate_describe(st, how, sizeof(how));
		snprintf(a->why, sizeof(a->why), "pid %ld %s before it "
		    "daemonized", (long)rq->command, how);
		return -1;
	}
	return rq->follow != NULL ? follow(rq, a) : settle(rq, a);
}

/*
 * The daemon exited 0 and we reaped it: did it hand over to a successor
 * (sshd re-executes itself on SIGHUP and daemonizes again)?  0: a->pid is
 * the new daemon, found as adopt_daemon() finds the first one.  -1: none,
 * and a->why says why; what runs is the caller's to stop.
 */
int
adopt_successor(const char *followed, int64_t deadline, struct adoption *a)
{
	struct adopt_req rq = { .command = 0, .follow = followed,
	    .deadline = deadline };

	*a = (struct adoption){ .status = 0 };
	return followed != NULL ? follow(&rq, a) : settle(&rq, a);
}

/*
 * After the daemon pid is gone: remove the program's own pidfile if it
 * still names it (the program left it behind).  Returns 1 if removed.
 */
int
adopt_unlink_follow(const char *path, pid_t pid)
{
	char why[160];
	pid_t named;

	if (path == NULL || path[0] == '\0' ||
	    !read_follow(path, &named, why, sizeof(why)) || named != pid)
		return 0;
	return unlink(path) == 0;
}
