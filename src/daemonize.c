/*
 * Turning a command into a daemon, and knowing whether that worked.
 *
 * The caller forks; the child calls setsid() and forks again, so the
 * daemon is no session leader and can never acquire a controlling
 * terminal; the intermediate process exits as soon as the daemon exec'd
 * (or, for the supervisor, was forked).  For a daemon that execs, both
 * forks are vforks: nothing is copied.  The daemon prepares itself and
 * execs (spawn.c), or runs the supervisor.
 *
 * The caller learns the outcome through a close-on-exec pipe: the
 * intermediate process sends the daemon's pid before it exits, then
 * either the pipe reaches EOF because execvp() succeeded (or the
 * supervisor's first child exec'd), or a report names the step that
 * failed and its errno.  The caller makes itself a child
 * subreaper first, so that the daemon, orphaned by the intermediate
 * process, becomes its child for as long as it waits: a command that
 * dies at once can be reaped and its status reported.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "daemonize.h"

/*
 * ASan's vfork() interceptor keeps the caller's return address in memory
 * that a vforked child shares: the intermediate's own vfork() overwrites
 * it, and the caller resumes inside child().  Sanitized builds fork.
 */
#if defined(__SANITIZE_ADDRESS__)
#define CAN_VFORK 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define CAN_VFORK 0
#endif
#endif
#ifndef CAN_VFORK
#define CAN_VFORK 1
#endif

/* The intermediate process and the daemon; never returns. */
static _Noreturn void
child(const struct launch *l, int report_fd)
{
	enum launch_stage stage;
	pid_t pid;

	if (setsid() == -1) {
		spawn_report(report_fd, STAGE_SETSID, errno);
		_exit(1);
	}
	/*
	 * A daemon that only prepares and execs borrows our memory until it
	 * does (vfork: no page table copied, no page faulted in twice);
	 * meanwhile we are suspended, and afterwards we only report and
	 * exit, so what it changed (environ, the heap) is never used.  The
	 * supervisor stays resident: it gets a copy of its own.
	 */
	pid = CAN_VFORK && l->body == NULL ? vfork() : fork();
	if (pid == -1) {
		spawn_report(report_fd, STAGE_FORK, errno);
		_exit(1);
	}
	if (pid > 0) {
		/*
		 * The daemon's pid is in the pipe before the caller's
		 * waitpid() returns: the daemon itself then writes only on
		 * failure, and the caller wakes up once more, at the end.
		 */
		spawn_report(report_fd, STAGE_PID, (int32_t)pid);
		_exit(0);
	}
	spawn_exec(l, report_fd, &stage);
	spawn_report(report_fd, stage, errno);
	_exit(127);
}

/*
 * A command that exec'd but exited at once did not start (unless it
 * forks: exiting is its job, and adoption reaps it).  It is our child,
 * thanks to the subreaper: one call, nothing to close.
 */
static void
check_alive(struct launch_result *res)
{
	siginfo_t si = { .si_pid = 0 };
	int st;

	if (waitid(P_PID, (id_t)res->pid, &si, WEXITED | WNOHANG |
	    WNOWAIT) == 0 && si.si_pid == res->pid) {
		res->stage = STAGE_EXITED;
		res->status = waitpid(res->pid, &st, WNOHANG) == res->pid ?
		    st : -1;
	}
}

/*
 * Daemonize l and wait for the verdict.  0: the command runs as
 * res->pid.  -1: res says which step failed.  The caller must be a child
 * subreaper (PR_SET_CHILD_SUBREAPER), so that the daemon, orphaned by
 * the intermediate process, becomes its child.
 */
int
daemonize_launch(const struct launch *l, struct launch_result *res)
{
	extern char **environ;
	char **env = environ;
	enum launch_stage stage;
	int32_t value;
	int p[2], st, got;
	pid_t mid;

	/*
	 * For a daemon that execs, the intermediate process borrows our
	 * memory (vfork), and the daemon borrows it from there: we are
	 * suspended until the intermediate exits, right after the exec.
	 * Nothing is copied; what they changed in our memory is environ
	 * (put back here) and errno.  The supervisor is forked, as is the
	 * intermediate that forks it.  Orphans (the daemon, once mid
	 * exits) come to us, not to init.
	 */
	if (spawn_pipe(p, res) == -1)
		return -1;
	mid = CAN_VFORK && l->body == NULL ? vfork() : fork();
	if (mid == 0) {
		close(p[0]);
		child(l, p[1]);
	}
	environ = env;
	if (spawn_fork_failed(mid, p, res) == -1)
		return -1;
	close(p[1]);
	res->session = mid;	/* it called setsid() */
	while (waitpid(mid, &st, 0) == -1 && errno == EINTR)
		;
	/*
	 * Until EOF: the pid and a failure may come in either order, and
	 * whoever reports a failure closes its end (or exits) right after.
	 */
	while ((got = spawn_read_report(p[0], &stage, &value)) == 1) {
		if ((stage == STAGE_ADOPT || stage == STAGE_PROBE) &&
		    spawn_read_text(p[0], value,
		    res->msg, sizeof(res->msg)) == -1) {
			got = -1;
			break;
		}
		if (stage == STAGE_PID)
			res->pid = value;
		else if (res->stage == STAGE_NONE) {
			res->stage = stage;
			res->err = value;
			res->status = value;	/* STAGE_EXITED: wait status */
		}
	}
	close(p[0]);
	if (res->stage == STAGE_NONE && (got == -1 || res->pid <= 0))
		res->stage = STAGE_VANISHED;
	if (res->stage == STAGE_NONE) {
		if (!l->forks)
			check_alive(res);
	} else if (res->pid > 0)
		while (waitpid(res->pid, &st, 0) == -1 && errno == EINTR)
			;
	return res->stage == STAGE_NONE ? 0 : -1;
}

/* -f: the same preparation, in this process; returns only on failure. */
void
daemonize_exec_here(const struct launch *l, struct launch_result *res)
{
	*res = (struct launch_result){ .pid = getpid() };
	spawn_exec(l, -1, &res->stage);
	res->err = errno;
}
