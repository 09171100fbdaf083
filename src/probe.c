/*
 * Probing a pidfile: does it name the daemon detach recorded, and does
 * that daemon still run?
 *
 * The pidfile's pid counts only if the record beside it (PIDFILE.state,
 * written by start, believed only from root or ourselves) names that
 * pid with the start time the process has now, on this boot.  The lock
 * is not needed for that, so a daemon that closed its descriptors stays
 * known.  Where the record was written by another user, the old proof
 * is asked for instead: the pid must itself hold the locked pidfile.
 * Probing never writes, unlinks or keeps a lock: the only lock taken is
 * the instant shared one of pidlock_held().
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "parse.h"
#include "pidlock.h"
#include "proc.h"

#define NOPID_STEP_NS	5000000L	/* 5 ms */
#define NOPID_STEPS	20		/* 100 ms in all */

static void
pause_step(void)
{
	struct timespec ts = { 0, NOPID_STEP_NS };

	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

/* Read the file: >= 0 bytes (NUL-terminated in buf), -1 on error. */
static ssize_t
read_content(int fd, char *buf, size_t size)
{
	ssize_t n;

	do
		n = pread(fd, buf, size - 1, 0);
	while (n == -1 && errno == EINTR);
	buf[n > 0 ? n : 0] = '\0';
	return n;
}

static int
runs(pid_t pid, uint64_t start)
{
	struct pstat st;

	return proc_stat(pid, &st) == 0 && st.state != 'Z' &&
	    st.state != 'X' && (start == 0 || st.start == start);
}

/* Another boot's record: its pids mean nothing now. */
static int
other_boot(const struct svstate *rec)
{
	char boot[SVSTATE_BOOT_LEN];

	proc_boot_id(boot, sizeof(boot));
	return strcmp(rec->boot, "-") != 0 && strcmp(boot, "-") != 0 &&
	    strcmp(rec->boot, boot) != 0;
}

/*
 * What is left of a recorded daemon that is gone: its session, and the
 * session it made of its own (nginx's master leaves its workers there)
 * if one of them still holds the pidfile's lock: only the service can
 * have it (a daemon that leads its session may have been recorded before
 * it made it).  The daemon may still be there as an unreaped zombie:
 * that is no new process with its number.
 */
static void
leftovers(struct probe *pr)
{
	struct proc_id ids[PROC_HOLDERS_MAX];
	struct proc_id daemon = { pr->pid, pr->rec.start };
	int i, n, own, held = 0;

	n = proc_session(pr->rec.session, &daemon, ids, PROC_HOLDERS_MAX);
	n = n > 0 ? n : 0;
	if (pr->locked && pr->pid != pr->rec.session &&
	    (own = proc_session(pr->pid, &daemon, ids + n,
	    PROC_HOLDERS_MAX - n)) > 0) {
		for (i = n; i < n + own && !held; i++)
			held = proc_holds(ids[i].pid, pr->dev, pr->ino) == 1;
		if (held) {
			pr->own_session = pr->pid;
			n += own;
		}
	}
	for (i = 0; i < n; i++)
		pr->holders[i] = ids[i].pid;
	pr->nholders = n;
}

/* A pid with a record of ours. */
static void
classify_recorded(struct probe *pr)
{
	if (!other_boot(&pr->rec) && runs(pr->pid, pr->rec.start)) {
		pr->state = PROBE_RUNNING;
		pr->start = pr->rec.start;
		return;
	}
	pr->pid_alive = runs(pr->pid, 0);
	if (!other_boot(&pr->rec))
		leftovers(pr);
	pr->state = pr->nholders > 0 ? PROBE_ORPHANED : PROBE_STALE;
}

/*
 * A pid without a record we believe.  Only the old proof can make it
 * ours: the process itself holds the locked pidfile.
 */
static void
classify_unrecorded(struct probe *pr, int rec_err)
{
	struct pstat st;

	if (pr->locked && proc_holds(pr->pid, pr->dev, pr->ino) == 1 &&
	    rec_err == EPERM && proc_stat(pr->pid, &st) == 0) {
		pr->state = PROBE_RUNNING;	/* another user's daemon */
		pr->start = st.start;
		return;
	}
	if (rec_err != ENOENT && rec_err != ESRCH) {
		pr->state = PROBE_NORECORD;
		pr->err = rec_err;
		return;
	}
	if (pr->locked) {
		pr->nholders = proc_find_holders(pr->dev, pr->ino, pr->holders,
		    PROC_HOLDERS_MAX);
		pr->state = PROBE_FOREIGN;
		return;
	}
	pr->pid_alive = runs(pr->pid, 0);
	pr->state = PROBE_STALE;
}

static void
classify(struct probe *pr, const char *path)
{
	int rec_err = 0;

	if (svstate_load(path, &pr->rec) == 0) {
		if (pr->rec.pid == pr->pid)
			pr->recorded = 1;
		else
			rec_err = ESRCH;	/* the record of another pid */
	} else
		rec_err = errno;
	if (pr->recorded)
		classify_recorded(pr);
	else
		classify_unrecorded(pr, rec_err);
}

/* Probe the pidfile open at fd; held: its lock's state, -1 to test. */
static void
probe_fd(const char *path, int fd, int held, struct probe *pr)
{
	char buf[64];
	struct stat sb = { .st_mode = S_IFREG };	/* if fstat() fails */
	ssize_t n;
	int step;

	if (fstat(fd, &sb) == -1 || !S_ISREG(sb.st_mode)) {
		pr->err = errno;
		pr->state = S_ISREG(sb.st_mode) ? PROBE_ERROR : PROBE_NOTREG;
		return;
	}
	pr->dev = sb.st_dev;
	pr->ino = sb.st_ino;
	if ((held == -1 && (held = pidlock_held(fd)) == -1) ||
	    (n = read_content(fd, buf, sizeof(buf))) == -1) {
		pr->err = errno;
		return;
	}
	/* A start in progress: locked, and the pid comes in a moment. */
	for (step = 0; held && n == 0 && step < NOPID_STEPS; step++) {
		pause_step();
		n = read_content(fd, buf, sizeof(buf));
		held = pidlock_held(fd);
	}
	pr->locked = held == 1;
	if (n > 0 && parse_pid(buf, (size_t)n, &pr->pid) == -1) {
		pr->pid = 0;
		snprintf(pr->text, sizeof(pr->text), "%.*s",
		    (int)strcspn(buf, "\n"), buf);
	}
	if (pr->pid > 0)
		classify(pr, path);
	else if (!held)
		pr->state = PROBE_STALE;
	else
		pr->state = n <= 0 ? PROBE_NOPID : PROBE_BADPID;
}

void
pidlock_probe(const char *path, struct probe *pr)
{
	int fd;

	*pr = (struct probe){ .state = PROBE_ERROR };
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC |
	    O_NOCTTY);
	if (fd == -1) {
		pr->err = errno;
		pr->state = errno == ENOENT ? PROBE_NOFILE :
		    errno == ELOOP ? PROBE_NOTREG : PROBE_ERROR;
		return;
	}
	probe_fd(path, fd, -1, pr);
	close(fd);
}

/*
 * start holds the lock: does the file still name a daemon of ours that
 * runs without it, or what is left of one?  (STALE otherwise.)
 */
void
pidlock_probe_held(const struct pidlock *pl, struct probe *pr)
{
	*pr = (struct probe){ .state = PROBE_ERROR };
	probe_fd(pl->path, pl->fd, 0, pr);
	if (pr->state != PROBE_RUNNING && pr->state != PROBE_ORPHANED &&
	    pr->state != PROBE_NORECORD && pr->state != PROBE_ERROR)
		pr->state = PROBE_STALE;
}

/* The pidfile and record are ours to remove: they name our dead daemon. */
int
probe_ours(const struct probe *pr)
{
	return pr->recorded && (pr->state == PROBE_STALE ||
	    pr->state == PROBE_ORPHANED);
}
