/*
 * reaper COMMAND [ARG...]: run a test under a child subreaper.
 *
 * PID 1 on the test machines does not reap orphans, and a daemon is an
 * orphan by design.  Run under this, every daemon a test starts becomes
 * our child once its parents exit, and is reaped here instead of lingering
 * as a zombie.  When the test itself exits, whatever it left running is
 * killed (they are all ours, by construction), reaped, and reported on
 * stderr; the test's own exit status is returned.  A test still running
 * after $REAPER_TIMEOUT seconds (default 300) is killed and fails.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

/* The parent of pid, from /proc/PID/stat, or -1. */
static pid_t
parent_of(pid_t pid)
{
	char path[64], buf[512], *p;
	FILE *f;
	size_t n;
	long ppid;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if ((f = fopen(path, "r")) == NULL)
		return -1;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	/* "pid (comm) state ppid ...": comm may hold anything but ')' last */
	if ((p = strrchr(buf, ')')) == NULL ||
	    sscanf(p + 1, " %*c %ld", &ppid) != 1)
		return -1;
	return (pid_t)ppid;
}

/* Kill our children (not every kernel has /proc/PID/task/TID/children). */
static int
kill_leftovers(void)
{
	struct dirent *de;
	DIR *d;
	pid_t me = getpid(), pid;
	int n = 0;

	if ((d = opendir("/proc")) == NULL)
		return 0;
	while ((de = readdir(d)) != NULL) {
		pid = (pid_t)atol(de->d_name);
		if (pid <= 1 || parent_of(pid) != me)
			continue;
		fprintf(stderr, "reaper: killing leftover pid %d\n", pid);
		kill(pid, SIGKILL);
		n++;
	}
	closedir(d);
	return n;
}

static volatile sig_atomic_t expired;

static void
on_alarm(int sig)
{
	(void)sig;
	expired = 1;
}

int
main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_alarm };
	const char *limit = getenv("REAPER_TIMEOUT");
	pid_t test, pid;
	int st, code = 99;

	if (argc < 2) {
		fprintf(stderr, "usage: reaper COMMAND [ARG...]\n");
		return 2;
	}
	if (prctl(PR_SET_CHILD_SUBREAPER, 1) == -1) {
		perror("reaper: PR_SET_CHILD_SUBREAPER");
		return 99;
	}
	test = fork();
	if (test == -1) {
		perror("reaper: fork");
		return 99;
	}
	if (test == 0) {
		execvp(argv[1], argv + 1);
		perror(argv[1]);
		_exit(127);
	}
	sigaction(SIGALRM, &sa, NULL);
	alarm(limit != NULL ? (unsigned)atoi(limit) : 300);
	for (;;) {
		pid = waitpid(-1, &st, 0);
		if (pid == -1 && errno == EINTR) {
			if (expired) {
				fprintf(stderr, "reaper: %s timed out\n",
				    argv[argc - 1]);
				kill(test, SIGKILL);
			}
			continue;
		}
		if (pid == -1)
			break;
		if (pid != test)
			continue;
		code = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
		break;
	}
	/* The test is over: nothing it started may outlive it. */
	for (;;) {
		kill_leftovers();
		pid = waitpid(-1, &st, 0);
		if (pid == -1 && errno == ECHILD)
			break;
	}
	return code;
}
