/*
 * The last steps before a command runs, shared by plain start, -f and
 * the supervisor's children: working directory, umask, standard files,
 * every other descriptor close-on-exec (fd.c: one close_range() call,
 * never a loop up to RLIMIT_NOFILE), every signal back to its default,
 * the environment, and execvp().
 *
 * Outcomes travel over a close-on-exec pipe, as in skalibs' cspawn: EOF
 * means the exec succeeded; otherwise a report names the failed step and
 * its errno.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fd.h"
#include "spawn.h"

#define EXIT_TROUBLE_CHILD	3

struct report {
	int32_t	stage;
	int32_t	value;		/* pid for STAGE_PID, errno otherwise */
};

const char *
spawn_stage_name(enum launch_stage s)
{
	switch (s) {
	case STAGE_FORK:	return "fork";
	case STAGE_SETSID:	return "setsid";
	case STAGE_CHDIR:	return "chdir";
	case STAGE_STDIO:	return "standard files";
	case STAGE_FDS:		return "descriptors";
	case STAGE_SIGNALS:	return "signals";
	case STAGE_PIDFILE:	return "pidfile";
	case STAGE_ENV:		return "environment";
	case STAGE_CHROOT:	return "chroot";
	case STAGE_LIMITS:	return "resource limits";
	case STAGE_PRIVS:	return "privileges";
	case STAGE_READY:	return "readiness";
	case STAGE_PROBE:	return "readiness checks";
	case STAGE_EXEC:	return "exec";
	default:		return "start";
	}
}

void
spawn_report(int fd, enum launch_stage stage, int32_t value)
{
	struct report r = { (int32_t)stage, value };
	ssize_t n;

	if (fd == -1)
		return;
	do
		n = write(fd, &r, sizeof(r));
	while (n == -1 && errno == EINTR);
}

/* A report whose value is the length of the text that follows it. */
void
spawn_report_text(int fd, enum launch_stage stage, const char *text)
{
	size_t len = strlen(text), off = 0;
	ssize_t n;

	if (fd == -1)
		return;
	if (len > 511)
		len = 511;
	spawn_report(fd, stage, (int32_t)len);
	while (off < len) {
		n = write(fd, text + off, len - off);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			return;
		off += (size_t)n;
	}
}

/* The text after such a report, of length len, into buf (cut to fit). */
int
spawn_read_text(int fd, int32_t len, char *buf, size_t size)
{
	char c;
	size_t got = 0;
	ssize_t n;

	for (; len > 0; len--) {
		do
			n = read(fd, &c, 1);
		while (n == -1 && errno == EINTR);
		if (n <= 0)
			break;
		if (got + 1 < size)
			buf[got++] = c;
	}
	if (size > 0)
		buf[got] = '\0';
	return len == 0 ? 0 : -1;
}

/* Read one report: 1, 0 at EOF, -1 on error or a torn report. */
int
spawn_read_report(int fd, enum launch_stage *stage, int32_t *value)
{
	struct report r;
	size_t got = 0;
	ssize_t n;

	while (got < sizeof(r)) {
		n = read(fd, (char *)&r + got, sizeof(r) - got);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			return n == 0 && got == 0 ? 0 : -1;
		got += (size_t)n;
	}
	*stage = (enum launch_stage)r.stage;
	*value = r.value;
	return 1;
}

/*
 * Every signal back to its default, even the two below SIGRTMIN that
 * glibc keeps for itself and refuses to touch: an ignored disposition
 * survives execve(), and whoever ran us may have ignored them.
 */
static int
reset_signals(void)
{
	struct sigaction sa = { .sa_handler = SIG_DFL };
	struct {
		void		(*handler)(int);
		unsigned long	  flags;
		void		(*restorer)(void);
		uint64_t	  mask;
	} ksa = { .handler = SIG_DFL };
	sigset_t none;
	int sig;

	sigemptyset(&sa.sa_mask);
	for (sig = 1; sig < NSIG; sig++) {
		if (sig == SIGKILL || sig == SIGSTOP)
			continue;
		if (sig >= 32 && sig < SIGRTMIN)
			syscall(SYS_rt_sigaction, sig, &ksa, NULL,
			    sizeof(ksa.mask));
		else
			sigaction(sig, &sa, NULL);
	}
	sigemptyset(&none);
	return sigprocmask(SIG_SETMASK, &none, NULL);
}

static int
install(int fd, int target)
{
	if (fd == -1 || fd == target)
		return 0;
	return dup2(fd, target) == -1 ? -1 : 0;
}

/* Descriptors the command is given: --keep-fd, and --ready-fd's pipe. */
static int
pass_fds(const struct launch *l)
{
	int i;

	for (i = 0; i < l->nkeep_fds; i++)
		if (fcntl(l->keep_fds[i], F_SETFD, 0) == -1)
			return -1;
	if (l->ready_fd != -1) {
		if (l->ready_fd == l->ready_dst)
			return fcntl(l->ready_fd, F_SETFD, 0);
		if (dup2(l->ready_fd, l->ready_dst) == -1)
			return -1;
	}
	return 0;
}

/* --limit and --nice: while still privileged, before the drop. */
static int
apply_resources(const struct launch *l)
{
	struct rlimit rl;
	int i;

	for (i = 0; i < l->nlimits; i++) {
		rl.rlim_cur = l->limits[i].soft;
		rl.rlim_max = l->limits[i].hard;
		if (setrlimit(l->limits[i].resource, &rl) == -1)
			return -1;
	}
	errno = 0;
	if (l->has_nice && nice(l->nice) == -1 && errno != 0)
		return -1;
	return 0;
}

/*
 * Everything between the last fork and execvp(), or the supervisor's
 * body.  Returns only on failure, with *stage set and errno saved.
 */
void
spawn_exec(const struct launch *l, int report_fd, enum launch_stage *stage)
{
	extern char **environ;

	*stage = STAGE_SETSID;
	if (l->new_pgrp && setpgid(0, 0) == -1)
		return;
	*stage = STAGE_CHROOT;
	if (l->root != NULL && chroot(l->root) == -1)
		return;
	*stage = STAGE_CHDIR;
	if (chdir(l->dir) == -1)
		return;
	umask(l->umask);
	*stage = STAGE_STDIO;
	if (install(l->fd_in, 0) == -1 || install(l->fd_out, 1) == -1 ||
	    install(l->fd_err, 2) == -1)
		return;
	*stage = STAGE_FDS;
	if (fd_cloexec_from(3) == -1 || pass_fds(l) == -1 ||
	    (l->lock != NULL && l->keep_lock && pidlock_inherit(l->lock) == -1))
		return;
	*stage = STAGE_SIGNALS;
	if (reset_signals() == -1)
		return;
	if (l->body != NULL)
		l->body(l->body_arg, report_fd);
	*stage = STAGE_LIMITS;
	if (apply_resources(l) == -1)
		return;
	*stage = STAGE_PRIVS;
	if (l->privs != NULL && privs_apply(l->privs) == -1)
		return;
	/*
	 * A supervised child dies with its supervisor.  setuid() clears the
	 * death signal, so it is set after the drop, and the parent checked
	 * afterwards: the supervisor may have died before the prctl().
	 */
	if (l->parent > 0 && (prctl(PR_SET_PDEATHSIG, SIGKILL) == -1 ||
	    getppid() != l->parent))
		_exit(EXIT_TROUBLE_CHILD);
	if (l->envp != NULL)
		environ = l->envp;
	if (l->watchdog_pid) {
		char pid[24];

		snprintf(pid, sizeof(pid), "%ld", (long)getpid());
		if (setenv("WATCHDOG_PID", pid, 1) == -1) {
			*stage = STAGE_ENV;
			return;
		}
	}
	*stage = STAGE_EXEC;
	execvp(l->file, l->argv);
}

/* A close-on-exec report pipe: 0, or -1 with res saying why. */
int
spawn_pipe(int p[2], struct launch_result *res)
{
	*res = (struct launch_result){ .stage = STAGE_NONE };
	if (pipe2(p, O_CLOEXEC) == -1) {
		res->stage = STAGE_FORK;
		res->err = errno;
		return -1;
	}
	return 0;
}

/* A fork that failed (pid -1): res says why, the pipe is closed. */
pid_t
spawn_fork_failed(pid_t pid, int p[2], struct launch_result *res)
{
	if (pid == -1) {
		res->stage = STAGE_FORK;
		res->err = errno;
		close(p[0]);
		close(p[1]);
	}
	return pid;
}

/*
 * The report pipe, then fork(): the child's pid (0 in the child), or -1
 * with res saying why and the pipe closed.
 */
pid_t
spawn_fork(int p[2], struct launch_result *res)
{
	if (spawn_pipe(p, res) == -1)
		return -1;
	return spawn_fork_failed(fork(), p, res);
}

/*
 * Fork and exec l in a child, and wait for the verdict: 0 with res->pid
 * once the exec succeeded, -1 with res->stage and res->err otherwise (the
 * child is then reaped).  For the supervisor's children.
 */
int
spawn_child(const struct launch *l, struct launch_result *res)
{
	enum launch_stage stage;
	int32_t value;
	int p[2], st, got;
	pid_t pid;

	if ((pid = spawn_fork(p, res)) == -1)
		return -1;
	if (pid == 0) {
		close(p[0]);
		spawn_exec(l, p[1], &stage);
		spawn_report(p[1], stage, errno);
		_exit(127);
	}
	close(p[1]);
	res->pid = pid;
	if (l->new_pgrp)
		setpgid(pid, pid);	/* no race with the first kill(-pid) */
	got = spawn_read_report(p[0], &stage, &value);
	close(p[0]);
	if (got == 0)
		return 0;
	res->stage = got == 1 ? stage : STAGE_VANISHED;
	res->err = got == 1 ? value : 0;
	while (waitpid(pid, &st, 0) == -1 && errno == EINTR)
		;
	return -1;
}
