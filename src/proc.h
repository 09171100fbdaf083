/*
 * What /proc tells about other processes: a process's identity (its
 * start time), session and parent, who holds a given file open, and
 * the processes of a session or the children of a process.
 */
#ifndef PROC_H
#define PROC_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define PROC_HOLDERS_MAX	16

/* The fields of /proc/PID/stat that detach uses. */
struct pstat {
	char		state;		/* R, S, D, Z, X, ... */
	pid_t		ppid;
	pid_t		pgrp;
	pid_t		session;
	uint64_t	start;		/* field 22: clock ticks after boot */
};

/* A process as detach knows it: its pid and when it started. */
struct proc_id {
	pid_t		pid;
	uint64_t	start;
};

/* pure */
int	pstat_parse(const char *, struct pstat *);

int	proc_stat(pid_t, struct pstat *);
int	proc_boot_id(char *, size_t);
int	proc_holds(pid_t, dev_t, ino_t);
int	proc_find_holders(dev_t, ino_t, pid_t *, int);
ssize_t	proc_read(const char *, int, char *, size_t);
pid_t	proc_parent(pid_t);
int	proc_each(int (*)(pid_t, const struct pstat *, void *), void *);
int	proc_kill_children(int);
int	proc_session(pid_t, const struct proc_id *, struct proc_id *, int);

#endif
