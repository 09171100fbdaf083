/*
 * The pidfile: locking it for start (a thin layer over libbsd's
 * pidfile_open()), and probing it for stop, status and signal without
 * ever taking a lock a concurrent start could trip over for long.
 */
#ifndef PIDLOCK_H
#define PIDLOCK_H

#include <sys/types.h>

#include "proc.h"

struct pidfh;

struct pidlock {
	struct pidfh	*pfh;
	const char	*path;
	dev_t		 dev;
	ino_t		 ino;
};

enum lock_result {
	LOCK_OK,
	LOCK_BUSY,		/* held: another instance runs (or starts) */
	LOCK_NOTREG,		/* not a regular file: refused untouched */
	LOCK_UNSAFE,		/* others could swap the file: refused */
	LOCK_ERROR,		/* errno says why */
};

enum lock_result pidlock_acquire(const char *, struct pidlock *, pid_t *);
int	pidlock_write(const struct pidlock *, pid_t);
int	pidlock_inherit(const struct pidlock *);
int	pidlock_fd(const struct pidlock *);
void	pidlock_remove(struct pidlock *);
void	pidlock_close(struct pidlock *);

enum probe_state {
	PROBE_NOFILE,		/* no pidfile */
	PROBE_STALE,		/* unlocked: nobody runs */
	PROBE_RUNNING,		/* locked, pid verified to hold it */
	PROBE_UNVERIFIED,	/* locked, pid alive, /proc/PID/fd unreadable */
	PROBE_FOREIGN,		/* locked, but the pid named does not hold it */
	PROBE_ORPHANED,		/* pid gone, others (its children?) hold it */
	PROBE_NOPID,		/* locked, still empty: a start in progress */
	PROBE_BADPID,		/* locked, contents are not a pid */
	PROBE_NOTREG,		/* not a regular file */
	PROBE_ERROR,		/* errno in err */
};

struct probe {
	enum probe_state state;
	pid_t		 pid;		/* recorded pid, 0 if none */
	int		 pid_alive;	/* for STALE: the recorded pid lives */
	int		 err;
	dev_t		 dev;
	ino_t		 ino;
	char		 text[24];	/* for BADPID: what the file holds */
	int		 nholders;
	pid_t		 holders[PROC_HOLDERS_MAX];
};

void	pidlock_probe(const char *, struct probe *);
int	pidlock_remove_stale(const char *, dev_t, ino_t);

#endif
