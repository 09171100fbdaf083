/*
 * Descriptors: marking every descriptor from 3 up close-on-exec before
 * an exec, and closing everything but a few in a process that never
 * execs (the supervisor).  close_range(2) where the kernel has it, else
 * the descriptors /proc/self/fd lists.
 */
#ifndef FD_H
#define FD_H

int	fd_cloexec_from(int);
int	fd_close_except(const int *, int);

#endif
