/*
 * The Linux system calls that glibc wraps only from 2.34 (close_range)
 * or 2.36 (<sys/pidfd.h>), called through syscall(2) so that detach
 * builds against any glibc.  Whether the kernel has them is learnt at run
 * time: they fail with ENOSYS on old kernels and often with EPERM under
 * container seccomp profiles, and every caller has a fallback.
 */
#ifndef SYS_H
#define SYS_H

#include <errno.h>
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

/* One number on every architecture since Linux 5.1 (alpha aside). */
#ifndef __NR_pidfd_send_signal
#define __NR_pidfd_send_signal	424
#endif
#ifndef __NR_pidfd_open
#define __NR_pidfd_open		434
#endif
#ifndef __NR_close_range
#define __NR_close_range	436
#endif
#ifndef __NR_pidfd_getfd
#define __NR_pidfd_getfd	438
#endif
#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC	(1U << 2)
#endif

static inline int
sys_pidfd_open(pid_t pid)
{
	return (int)syscall(__NR_pidfd_open, pid, 0U);
}

static inline int
sys_pidfd_send_signal(int pidfd, int sig, siginfo_t *info)
{
	return (int)syscall(__NR_pidfd_send_signal, pidfd, sig, info, 0U);
}

static inline int
sys_close_range(unsigned int lo, unsigned int hi, unsigned int flags)
{
	return (int)syscall(__NR_close_range, lo, hi, flags);
}

/* The call is missing or denied here, rather than failing on its inputs. */
static inline int
sys_unavailable(int err)
{
	return err == ENOSYS || err == EPERM;
}

#endif
