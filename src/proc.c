/*
 * Process inspection.  A process is known by its pid and its start time
 * (field 22 of /proc/PID/stat, fixed for its life and kept across
 * execve()): a recycled pid comes with a later start time.  /proc/N/fd
 * shows which files N holds open (each entry, followed by stat(2), is
 * the open file): that names the holders of a pidfile's lock.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "parse.h"
#include "proc.h"

/* Is the entry name of directory dfd the file (dev, ino)? */
static int
stat_is(int dfd, const char *name, dev_t dev, ino_t ino)
{
	struct stat sb;

	return fstatat(dfd, name, &sb, 0) == 0 && sb.st_dev == dev &&
	    sb.st_ino == ino;
}

/*
 * 1 if pid has a descriptor open on (dev, ino), 0 if not, -1 with errno
 * (ESRCH: no such process; EACCES: not ours to inspect).
 */
int
proc_holds(pid_t pid, dev_t dev, ino_t ino)
{
	char path[64], name[2] = "0";
	struct dirent *de;
	DIR *d;
	int dfd, found = 0, saved, std = 0;

	snprintf(path, sizeof(path), "/proc/%ld/fd", (long)pid);
	if ((d = opendir(path)) == NULL) {
		if (errno == ENOENT)
			errno = ESRCH;
		return -1;
	}
	dfd = dirfd(d);
	errno = 0;
	while (!found && (de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		/* a lock is rarely a standard file: look at those last */
		if (de->d_name[0] >= '0' && de->d_name[0] <= '2' &&
		    de->d_name[1] == '\0') {
			std |= 1 << (de->d_name[0] - '0');
			continue;
		}
		found = stat_is(dfd, de->d_name, dev, ino);
		errno = 0;
	}
	saved = errno;
	for (name[0] = '0'; !found && name[0] <= '2'; name[0]++)
		if (std & 1 << (name[0] - '0'))
			found = stat_is(dfd, name, dev, ino);
	closedir(d);
	if (!found && saved != 0) {
		errno = saved;
		return -1;
	}
	return found;
}

/*
 * Every process that has (dev, ino) open, up to max of them; processes
 * we may not inspect are skipped.  Used to name the culprits when a
 * pidfile is held by someone other than the pid it records.
 */
int
proc_find_holders(dev_t dev, ino_t ino, pid_t *out, int max)
{
	struct dirent *de;
	DIR *d;
	pid_t pid;
	int n = 0;

	if ((d = opendir("/proc")) == NULL)
		return 0;
	while (n < max && (de = readdir(d)) != NULL) {
		if (parse_pid(de->d_name, strlen(de->d_name), &pid) == -1)
			continue;
		if (pid == getpid())
			continue;
		if (proc_holds(pid, dev, ino) == 1)
			out[n++] = pid;
	}
	closedir(d);
	return n;
}

/*
 * Read a small file whole: the bytes read (NUL-terminated in buf), or -1.
 * flags are added to O_RDONLY | O_CLOEXEC.
 */
ssize_t
proc_read(const char *path, int flags, char *buf, size_t size)
{
	ssize_t n;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC | flags)) == -1)
		return -1;
	do
		n = read(fd, buf, size - 1);
	while (n == -1 && errno == EINTR);
	close(fd);
	buf[n > 0 ? n : 0] = '\0';
	return n;
}

/*
 * "pid (comm) state ppid pgrp session ... starttime ...": comm may hold
 * spaces and parentheses, so fields are counted from the last ')'.
 */
int
pstat_parse(const char *buf, struct pstat *st)
{
	const char *p = strrchr(buf, ')');
	unsigned long long start;
	long ppid, pgrp, sid;
	int field;

	if (p == NULL || sscanf(p + 1, " %c %ld %ld %ld", &st->state, &ppid,
	    &pgrp, &sid) != 4)
		return -1;
	/* p is at the end of field 2; the start time is field 22 */
	for (field = 2; field < 22 && p != NULL; field++)
		p = strchr(p + 1, ' ');
	if (p == NULL || sscanf(p, " %llu", &start) != 1 || ppid < 0 ||
	    pgrp < 0 || sid < 0)
		return -1;
	st->ppid = (pid_t)ppid;
	st->pgrp = (pid_t)pgrp;
	st->session = (pid_t)sid;
	st->start = start;
	return 0;
}

/* 0, or -1 with errno (ESRCH: no such process). */
int
proc_stat(pid_t pid, struct pstat *st)
{
	char path[64], buf[1024];

	snprintf(path, sizeof(path), "/proc/%ld/stat", (long)pid);
	if (proc_read(path, 0, buf, sizeof(buf)) <= 0) {
		if (errno == ENOENT)
			errno = ESRCH;
		return -1;
	}
	if (pstat_parse(buf, st) == -1) {
		errno = EINVAL;
		return -1;
	}
	return 0;
}

/*
 * This boot's id, "-" where the kernel does not tell.  It cannot change
 * while we run: read once.
 */
int
proc_boot_id(char *buf, size_t len)
{
	static char id[64];
	static int state;	/* 0: not read yet, 1: read, -1: unknown */

	if (state == 0) {
		if (proc_read("/proc/sys/kernel/random/boot_id", 0, id,
		    sizeof(id)) <= 0)
			state = -1;
		else {
			id[strcspn(id, "\n")] = '\0';
			state = 1;
		}
	}
	snprintf(buf, len, "%s", state == 1 ? id : "-");
	return state == 1 ? 0 : -1;
}

/* The parent of pid; -1 if unknown. */
pid_t
proc_parent(pid_t pid)
{
	struct pstat st;

	return proc_stat(pid, &st) == 0 ? st.ppid : -1;
}

/*
 * Could pid be of session sid (or be pid sid)?  One getsid(2) instead of
 * reading /proc/PID/stat: most of a machine's processes are of other
 * sessions.  Where getsid fails otherwise than ESRCH, the stat decides.
 */
static int
maybe_of_session(pid_t pid, pid_t sid)
{
	pid_t s;

	if (sid <= 0 || pid == sid)
		return 1;
	if ((s = getsid(pid)) == -1)
		return errno != ESRCH;
	return s == sid;
}

/*
 * Call fn for every process but ourselves (with sid > 0: only for those
 * of session sid, and for pid sid), until it returns non-zero (which is
 * returned).  Processes that exit meanwhile are skipped.
 */
static int
proc_scan(pid_t sid, int (*fn)(pid_t, const struct pstat *, void *),
    void *arg)
{
	struct dirent *de;
	struct pstat st;
	pid_t me = getpid(), pid;
	DIR *d;
	int r = 0;

	if ((d = opendir("/proc")) == NULL)
		return -1;
	while (r == 0 && (de = readdir(d)) != NULL) {
		if (parse_pid(de->d_name, strlen(de->d_name), &pid) == -1 ||
		    pid == me || !maybe_of_session(pid, sid) ||
		    proc_stat(pid, &st) == -1)
			continue;
		r = fn(pid, &st, arg);
	}
	closedir(d);
	return r;
}

int
proc_each(int (*fn)(pid_t, const struct pstat *, void *), void *arg)
{
	return proc_scan(0, fn, arg);
}

struct kill_arg {
	pid_t	parent;
	int	sig;
	int	n;
};

static int
kill_child(pid_t pid, const struct pstat *st, void *arg)
{
	struct kill_arg *k = arg;

	/* our unreaped child: its pid cannot have been recycled */
	if (st->ppid == k->parent && kill(pid, k->sig) == 0)
		k->n++;
	return 0;
}

/*
 * Send sig to every child of ours.  A subreaper inherits every orphaned
 * descendant, so repeating this until wait() finds no child reaches them
 * all.  /proc/PID/task/TID/children is not on every kernel: scan /proc.
 */
int
proc_kill_children(int sig)
{
	struct kill_arg k = { getpid(), sig, 0 };

	if (proc_each(kill_child, &k) == -1)
		return -1;
	return k.n;
}

struct session_arg {
	pid_t			 sid;
	const struct proc_id	*leader_ok;
	struct proc_id		*out;
	int			 max;
	int			 n;
	int			 reused;
};

static int
session_member(pid_t pid, const struct pstat *st, void *arg)
{
	struct session_arg *s = arg;

	if (pid == s->sid && (s->leader_ok == NULL ||
	    pid != s->leader_ok->pid || st->start != s->leader_ok->start)) {
		s->reused = 1;	/* a new process has the session's number */
		return 1;
	}
	if (st->session != s->sid || st->state == 'Z' || st->state == 'X' ||
	    s->n >= s->max)
		return 0;
	s->out[s->n].pid = pid;
	s->out[s->n].start = st->start;
	s->n++;
	return 0;
}

/*
 * The live processes of session sid, up to max.  A session's number is
 * not handed out again while any process of it lives, so every member
 * found is of the session detach recorded, unless that session ended
 * and a new process got the number: then some process runs as pid sid.
 * Our sessions' leaders exit at once (the intermediate process), so such
 * a process means the session is not ours any more, unless it is
 * leader_ok, a daemon that made a session of its own.  Returns the
 * number found, or -1 if the session is not ours or /proc is unreadable.
 */
int
proc_session(pid_t sid, const struct proc_id *leader_ok, struct proc_id *out,
    int max)
{
	struct session_arg s = { sid, leader_ok, out, max, 0, 0 };

	if (sid <= 1)
		return 0;
	if (proc_scan(sid, session_member, &s) == -1 || s.reused)
		return -1;
	return s.n;
}
