/*
 * What /proc and pidfds tell about other processes: whether a process
 * holds a given file open, who does, and whether a process has exited.
 */
#ifndef PROC_H
#define PROC_H

#include <stdint.h>
#include <sys/types.h>

#define PROC_HOLDERS_MAX	16

int	proc_holds(pid_t, dev_t, ino_t);
int	proc_find_holders(dev_t, ino_t, pid_t *, int);
int	proc_pidfd_open(pid_t);
int	proc_pidfd_exited(int);
int	proc_pidfd_wait(int, int64_t);
ssize_t	proc_read(const char *, int, char *, size_t);
pid_t	proc_parent(pid_t);
int	proc_kill_children(int);

#endif
