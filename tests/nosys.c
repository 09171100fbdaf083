/*
 * nosys ENOSYS|EPERM COMMAND [ARG...]: run COMMAND as on an old kernel.
 *
 * Kernels before 5.3 lack pidfd_open(), pidfd_send_signal(),
 * pidfd_getfd() and close_range() (ENOSYS), and older container seccomp
 * profiles deny them (EPERM).  A seccomp filter makes exactly these four
 * fail with the given errno; every other call is allowed.  The filter
 * survives fork() and execve(), so the daemons and supervisors detach
 * starts under it see the same old kernel.
 *
 * With NOSYS_INOTIFY=1 in the environment, inotify_init1() (and
 * inotify_init() where it exists) fail too, as in containers that deny
 * them or where the instances are used up: detach logs -f then polls.
 *
 * Exits 77 (the automake "skip" code) where seccomp filters are not
 * available or the architecture is not known here, 2 on a usage error,
 * 127 or 126 when COMMAND cannot be run.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>

#include "sys.h"	/* the numbers, for C libraries that lack them */

#ifndef SECCOMP_RET_KILL_PROCESS
#define SECCOMP_RET_KILL_PROCESS	SECCOMP_RET_KILL
#endif

/* The audit arch of the calls we expect: any other is killed. */
#if defined(__x86_64__) && !defined(__ILP32__)
#define NOSYS_ARCH	AUDIT_ARCH_X86_64
#elif defined(__aarch64__) && !defined(__AARCH64EB__)
#define NOSYS_ARCH	AUDIT_ARCH_AARCH64
#elif defined(__i386__)
#define NOSYS_ARCH	AUDIT_ARCH_I386
#elif defined(__arm__) && !defined(__ARMEB__)
#define NOSYS_ARCH	AUDIT_ARCH_ARM
#elif defined(__riscv) && __riscv_xlen == 64 && defined(AUDIT_ARCH_RISCV64)
#define NOSYS_ARCH	AUDIT_ARCH_RISCV64
#elif defined(__powerpc64__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define NOSYS_ARCH	AUDIT_ARCH_PPC64LE
#elif defined(__s390x__)
#define NOSYS_ARCH	AUDIT_ARCH_S390X
#endif

static const int denied[] = {
	__NR_pidfd_open, __NR_pidfd_send_signal, __NR_pidfd_getfd,
	__NR_close_range,
};
#define NDENIED	((int)(sizeof(denied) / sizeof(denied[0])))

static const int inotify[] = {
	__NR_inotify_init1,
#ifdef __NR_inotify_init
	__NR_inotify_init,
#endif
};
#define NINOTIFY	((int)(sizeof(inotify) / sizeof(inotify[0])))
#define MAXDENIED	(NDENIED + NINOTIFY)

static int
usage(void)
{
	fprintf(stderr, "usage: nosys ENOSYS|EPERM COMMAND [ARG...]\n");
	return 2;
}

#ifdef NOSYS_ARCH
/*
 * Load arch; kill if foreign; load nr; one test per denied call, each
 * jumping over ALLOW to the ERRNO return (and a last KILL for x32).
 */
static int
install(int err, const int *calls, int ncalls)
{
	struct sock_filter f[5 + MAXDENIED + 3];
	struct sock_fprog prog = { .filter = f };
	int n = 0, i, e;

	f[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
	    offsetof(struct seccomp_data, arch));
	f[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K,
	    NOSYS_ARCH, 1, 0);
	f[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K,
	    SECCOMP_RET_KILL_PROCESS);
	f[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
	    offsetof(struct seccomp_data, nr));
#ifdef __x86_64__
	/* x32 calls share the arch value: a foreign ABI all the same. */
	f[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K,
	    0x40000000U, (unsigned char)(ncalls + 2), 0);
#endif
	for (i = 0; i < ncalls; i++)
		f[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ |
		    BPF_K, (unsigned)calls[i], (unsigned char)(ncalls - i),
		    0);
	f[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K,
	    SECCOMP_RET_ALLOW);
	f[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K,
	    SECCOMP_RET_ERRNO | ((unsigned)err & SECCOMP_RET_DATA));
#ifdef __x86_64__
	f[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K,
	    SECCOMP_RET_KILL_PROCESS);
#endif
	prog.len = (unsigned short)n;

	/* Unprivileged filters need it; as root it costs the tests nothing. */
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1) {
		perror("nosys: PR_SET_NO_NEW_PRIVS");
		return 77;
	}
	if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) == -1) {
		e = errno;
		fprintf(stderr, "nosys: PR_SET_SECCOMP: %s\n", strerror(e));
		/* EINVAL from a kernel that has filters is our own bug. */
		return e == EINVAL && prctl(PR_GET_SECCOMP) != -1 ? 2 : 77;
	}
	return 0;
}
#else
static int
install(int err, const int *calls, int ncalls)
{
	(void)err;
	(void)calls;
	(void)ncalls;
	fprintf(stderr, "nosys: unknown architecture\n");
	return 77;
}
#endif

int
main(int argc, char **argv)
{
	int calls[MAXDENIED], n = 0, err, r, i;
	const char *e = getenv("NOSYS_INOTIFY");

	if (argc < 3)
		return usage();
	if (strcmp(argv[1], "ENOSYS") == 0)
		err = ENOSYS;
	else if (strcmp(argv[1], "EPERM") == 0)
		err = EPERM;
	else
		return usage();
	for (i = 0; i < NDENIED; i++)
		calls[n++] = denied[i];
	for (i = 0; e != NULL && strcmp(e, "1") == 0 && i < NINOTIFY; i++)
		calls[n++] = inotify[i];
	if ((r = install(err, calls, n)) != 0)
		return r;
	execvp(argv[2], argv + 2);
	fprintf(stderr, "nosys: %s: %s\n", argv[2], strerror(errno));
	return errno == ENOENT ? 127 : 126;
}
