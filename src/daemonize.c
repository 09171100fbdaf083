/*
 * Turning a command into a daemon, and knowing whether that worked.
 *
 * The caller forks; the child calls setsid() and forks again, so the
 * daemon is no session leader and can never acquire a controlling
 * terminal; the intermediate process exits at once.  The daemon then
 * changes directory, sets its umask, installs its standard files, marks
 * every other descriptor close-on-exec (one close_range() call, never a
 * loop up to RLIMIT_NOFILE), puts every signal back to its default,
 * writes its own pid into the pidfile whose lock it inherited, and execs.
 *
 * The caller learns the outcome through a close-on-exec pipe, in the
 * manner of skalibs' cspawn: the daemon first sends its pid, then either
 * the pipe reaches EOF because execvp() succeeded, or a report names the
 * step that failed and its errno.  The caller makes itself a child
 * subreaper first, so that the daemon, orphaned by the intermediate
 * process, becomes its child for as long as it waits: a command that
 * dies at once can be reaped and its status reported.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "daemonize.h"
#include "proc.h"

struct report {
	int32_t	stage;
	int32_t	value;		/* pid for STAGE_PID, errno otherwise */
};

const char *
daemonize_stage_name(enum launch_stage s)
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
	case STAGE_EXEC:	return "exec";
	default:		return "start";
	}
}

static void
send_report(int fd, enum launch_stage stage, int32_t value)
{
	struct report r = { (int32_t)stage, value };
	ssize_t n;

	do
		n = write(fd, &r, sizeof(r));
	while (n == -1 && errno == EINTR);
}

/* Mark descriptors from 3 up close-on-exec, without closing any now. */
static int
cloexec_from_3(void)
{
	struct dirent *de;
	DIR *d;
	long fd;
	char *end;

	if (close_range(3, ~0U, CLOSE_RANGE_CLOEXEC) == 0)
		return 0;
	/* Kernels before 5.11: walk the descriptors actually open. */
	if ((d = opendir("/proc/self/fd")) == NULL)
		return -1;
	while ((de = readdir(d)) != NULL) {
		fd = strtol(de->d_name, &end, 10);
		if (*end != '\0' || end == de->d_name || fd < 3 ||
		    fd == dirfd(d))
			continue;
		fcntl((int)fd, F_SETFD, FD_CLOEXEC);
	}
	closedir(d);
	return 0;
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

/*
 * Everything between the last fork and execvp().  Returns only on
 * failure, with *stage set and errno saved.
 */
static void
prepare_and_exec(const struct launch *l, int report_fd,
    enum launch_stage *stage)
{
	const char *const *e;

	*stage = STAGE_CHDIR;
	if (chdir(l->dir) == -1)
		return;
	umask(l->umask);
	*stage = STAGE_STDIO;
	if (install(l->fd_in, 0) == -1 || install(l->fd_out, 1) == -1 ||
	    install(l->fd_err, 2) == -1)
		return;
	*stage = STAGE_FDS;
	if (cloexec_from_3() == -1 || pidlock_inherit(l->lock) == -1)
		return;
	*stage = STAGE_SIGNALS;
	if (reset_signals() == -1)
		return;
	*stage = STAGE_PIDFILE;
	if (pidlock_write(l->lock, getpid()) == -1)
		return;
	*stage = STAGE_ENV;
	for (e = l->env; e != NULL && *e != NULL; e++)
		if (putenv((char *)*e) != 0)	/* argv outlives execvp() */
			return;
	if (report_fd != -1)
		send_report(report_fd, STAGE_PID, (int32_t)getpid());
	*stage = STAGE_EXEC;
	execvp(l->file, l->argv);
}

/* The intermediate process and the daemon; never returns. */
static _Noreturn void
child(const struct launch *l, int report_fd)
{
	enum launch_stage stage;
	pid_t pid;

	if (setsid() == -1) {
		send_report(report_fd, STAGE_SETSID, errno);
		_exit(1);
	}
	pid = fork();
	if (pid == -1) {
		send_report(report_fd, STAGE_FORK, errno);
		_exit(1);
	}
	if (pid > 0)
		_exit(0);
	prepare_and_exec(l, report_fd, &stage);
	send_report(report_fd, stage, errno);
	_exit(127);
}

/* Read one report: 1, 0 at EOF, -1 on error. */
static int
read_report(int fd, struct report *r)
{
	size_t got = 0;
	ssize_t n;

	while (got < sizeof(*r)) {
		n = read(fd, (char *)r + got, sizeof(*r) - got);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			return n == 0 && got == 0 ? 0 : -1;
		got += (size_t)n;
	}
	return 1;
}

/* A command that exec'd but exited at once did not start. */
static void
check_alive(struct launch_result *res)
{
	int fd, st;

	if ((fd = proc_pidfd_open(res->pid)) == -1) {
		if (errno == ESRCH) {
			res->stage = STAGE_EXITED;
			res->status = -1;
		}
		return;
	}
	if (proc_pidfd_exited(fd) == 1) {
		res->stage = STAGE_EXITED;
		res->status = waitpid(res->pid, &st, WNOHANG) == res->pid ?
		    st : -1;
	}
	close(fd);
}

/*
 * Daemonize l and wait for the verdict.  0: the command runs as
 * res->pid.  -1: res says which step failed.
 */
int
daemonize_launch(const struct launch *l, struct launch_result *res)
{
	struct report r;
	int p[2], st, got;
	pid_t mid;

	*res = (struct launch_result){ .stage = STAGE_NONE };
	if (pipe2(p, O_CLOEXEC) == -1) {
		res->stage = STAGE_FORK;
		res->err = errno;
		return -1;
	}
	/* Orphans (the daemon, once mid exits) come to us, not to init. */
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	mid = fork();
	if (mid == -1) {
		res->stage = STAGE_FORK;
		res->err = errno;
		close(p[0]);
		close(p[1]);
		return -1;
	}
	if (mid == 0) {
		close(p[0]);
		child(l, p[1]);
	}
	close(p[1]);
	while (waitpid(mid, &st, 0) == -1 && errno == EINTR)
		;
	while ((got = read_report(p[0], &r)) == 1) {
		if (r.stage == STAGE_PID) {
			res->pid = r.value;
			continue;
		}
		res->stage = (enum launch_stage)r.stage;
		res->err = r.value;
		break;
	}
	close(p[0]);
	if (res->stage == STAGE_NONE && (got == -1 || res->pid <= 0))
		res->stage = STAGE_VANISHED;
	if (res->stage == STAGE_NONE)
		check_alive(res);
	else if (res->pid > 0)
		while (waitpid(res->pid, &st, 0) == -1 && errno == EINTR)
			;
	prctl(PR_SET_CHILD_SUBREAPER, 0);
	return res->stage == STAGE_NONE ? 0 : -1;
}

/* -f: the same preparation, in this process; returns only on failure. */
void
daemonize_exec_here(const struct launch *l, struct launch_result *res)
{
	*res = (struct launch_result){ .pid = getpid() };
	prepare_and_exec(l, -1, &res->stage);
	res->err = errno;
}
