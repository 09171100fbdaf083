/*
 * The pidfile: locked by start (libbsd's flopen()) before anything is
 * forked, written, and removed again only while locked by us; and
 * probed by every verb (probe.c) to tell whether the daemon it names is
 * the one detach recorded.
 */
#ifndef PIDLOCK_H
#define PIDLOCK_H

#include <stdint.h>
#include <sys/types.h>

#include "proc.h"
#include "svstate.h"

struct pidlock {
	int		 fd;		/* locked; -1 when not held */
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

enum lock_result pidlock_acquire(const char *, struct pidlock *);
int	pidlock_write(const struct pidlock *, pid_t);
int	pidlock_record(const struct pidlock *, const struct svstate *);
int	pidlock_inherit(const struct pidlock *);
int	pidlock_fd(const struct pidlock *);
void	pidlock_remove(struct pidlock *);
void	pidlock_close(struct pidlock *);
int	pidlock_remove_stale(const char *, dev_t, ino_t);
int	pidlock_held(int);

enum probe_state {
	PROBE_NOFILE,		/* no pidfile */
	PROBE_STALE,		/* names no daemon of ours that runs */
	PROBE_RUNNING,		/* the recorded daemon runs (pid, start time) */
	PROBE_ORPHANED,		/* it is gone, but its session lives on */
	PROBE_NOPID,		/* locked, still empty: a start in progress */
	PROBE_BADPID,		/* locked, contents are not a pid */
	PROBE_FOREIGN,		/* locked, but not by a daemon detach recorded */
	PROBE_NORECORD,		/* our record is unreadable: cannot tell */
	PROBE_NOTREG,		/* not a regular file */
	PROBE_ERROR,		/* errno in err */
};

struct probe {
	enum probe_state state;
	pid_t		 pid;		/* recorded pid, 0 if none */
	uint64_t	 start;		/* RUNNING: its start time */
	int		 pid_alive;	/* STALE: a process runs as pid */
	int		 locked;
	int		 err;		/* ERROR: errno; NORECORD: the record's */
	dev_t		 dev;
	ino_t		 ino;
	int		 recorded;	/* rec is the record of pid */
	struct svstate	 rec;
	char		 text[24];	/* for BADPID: what the file holds */
	int		 nholders;	/* ORPHANED: what is left; FOREIGN: */
	pid_t		 holders[PROC_HOLDERS_MAX];	/* the lock's holders */
	pid_t		 own_session;	/* ORPHANED: the daemon's own, or 0 */
};

void	pidlock_probe(const char *, struct probe *);
void	pidlock_probe_held(const struct pidlock *, struct probe *);
int	probe_ours(const struct probe *);

#endif
