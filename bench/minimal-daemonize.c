/*
 * The floor for "start": the least a correct daemonizer does.  Lock the
 * pidfile (flock, held by the daemon through an inherited descriptor),
 * fork, setsid, fork again, write the daemon's pid, point the standard
 * files at /dev/null, exec, and learn through a close-on-exec pipe
 * whether the exec worked (EOF) or not (an errno).
 *
 * usage: minimal-daemonize PIDFILE COMMAND [ARG...]
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <unistd.h>

int
main(int argc, char **argv)
{
	int lock, p[2], null, err = 0, st;
	char buf[16];
	pid_t pid;

	if (argc < 3) {
		fprintf(stderr, "usage: minimal-daemonize PIDFILE COMMAND "
		    "[ARG...]\n");
		return 64;
	}
	lock = open(argv[1], O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (lock == -1 || flock(lock, LOCK_EX | LOCK_NB) == -1) {
		perror(argv[1]);
		return 1;
	}
	if (pipe2(p, O_CLOEXEC) == -1 || (pid = fork()) == -1) {
		perror("fork");
		return 1;
	}
	if (pid == 0) {
		close(p[0]);
		if (setsid() == -1 || (pid = fork()) == -1)
			goto fail;
		if (pid > 0)
			_exit(0);
		/* the daemon: it keeps the lock across exec */
		if ((null = open("/dev/null", O_RDWR)) == -1 ||
		    dup2(null, 0) == -1 || dup2(null, 1) == -1 ||
		    dup2(null, 2) == -1 || chdir("/") == -1 ||
		    fcntl(lock, F_SETFD, 0) == -1)
			goto fail;
		if (null > 2)
			close(null);
		st = snprintf(buf, sizeof(buf), "%d\n", (int)getpid());
		if (ftruncate(lock, 0) == -1 || write(lock, buf, st) != st)
			goto fail;
		execvp(argv[2], argv + 2);
fail:
		err = errno;
		(void)!write(p[1], &err, sizeof(err));
		_exit(127);
	}
	close(p[1]);
	waitpid(pid, &st, 0);
	if (read(p[0], &err, sizeof(err)) > 0) {
		fprintf(stderr, "%s: %s\n", argv[2], strerror(err));
		unlink(argv[1]);
		return 127;
	}
	return 0;
}
