/*
 * PIDFILE.state holds a few "key value" lines, replaced atomically
 * (written to PIDFILE.state.new, then renamed), as daemontools and runit
 * do with their status files.  Format and parse are pure.
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "parse.h"
#include "proc.h"
#include "svstate.h"

int
svstate_path(const char *pidfile, char *buf, size_t len)
{
	int n = snprintf(buf, len, "%s.state", pidfile);

	if (n < 0 || (size_t)n >= len) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return 0;
}

int
svstate_format(const struct svstate *s, char *buf, size_t len)
{
	int n = snprintf(buf, len, "supervisor %ld\nchild %ld\nrestarts %lld\n"
	    "last_status %d\nreopened %ld\nreopen_err %d\n",
	    (long)s->supervisor, (long)s->child, s->restarts, s->last_status,
	    s->reopened, s->reopen_err);

	return n < 0 || (size_t)n >= len ? -1 : n;
}

/* "KEY N\n" at *p, N within [min, max]; advances *p. */
static int
field(const char **p, const char *key, long long min, long long max,
    long long *v)
{
	size_t klen = strlen(key), dlen;
	int neg;
	char digits[24];

	if (strncmp(*p, key, klen) != 0 || (*p)[klen] != ' ')
		return -1;
	*p += klen + 1;
	neg = **p == '-';
	dlen = strcspn(*p + neg, "\n");
	if ((*p)[neg + dlen] != '\n' || dlen == 0 || dlen >= sizeof(digits))
		return -1;
	memcpy(digits, *p + neg, dlen);
	digits[dlen] = '\0';
	if (parse_count(digits, 0, neg ? -min : max, v) == -1)
		return -1;
	if (neg)
		*v = -*v;
	if (*v < min)
		return -1;
	*p += neg + dlen + 1;
	return 0;
}

/* Every key in order, every value a number in range; -1 otherwise. */
int
svstate_parse(const char *buf, struct svstate *s)
{
	long long sup, child, restarts, last, reopened, rerr;
	const char *p = buf;

	if (field(&p, "supervisor", 2, INT_MAX, &sup) == -1 ||
	    field(&p, "child", 0, INT_MAX, &child) == -1 ||
	    field(&p, "restarts", 0, LLONG_MAX, &restarts) == -1 ||
	    field(&p, "last_status", -1, INT_MAX, &last) == -1 ||
	    field(&p, "reopened", 0, LONG_MAX, &reopened) == -1 ||
	    field(&p, "reopen_err", 0, INT_MAX, &rerr) == -1)
		return -1;
	*s = (struct svstate){ (pid_t)sup, (pid_t)child, restarts, (int)last,
	    (long)reopened, (int)rerr };
	return 0;
}

/* "exited with status 1", "killed by SIGKILL", "none yet". */
void
svstate_describe(int status, char *buf, size_t len)
{
	char sig[16];

	if (status == -1)
		snprintf(buf, len, "none yet");
	else if (WIFEXITED(status))
		snprintf(buf, len, "exited with status %d",
		    WEXITSTATUS(status));
	else if (WIFSIGNALED(status)) {
		signal_name(WTERMSIG(status), sig, sizeof(sig));
		snprintf(buf, len, "killed by SIG%s%s", sig,
		    WCOREDUMP(status) ? " (core dumped)" : "");
	} else
		snprintf(buf, len, "status %#x", status);
}

int
svstate_write(const char *path, const struct svstate *s)
{
	char tmp[4096 + 8], buf[256];
	int fd, n, saved;

	if ((n = svstate_format(s, buf, sizeof(buf))) == -1 ||
	    snprintf(tmp, sizeof(tmp), "%s.new", path) >= (int)sizeof(tmp)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC,
	    0644);
	if (fd == -1)
		return -1;
	if (write(fd, buf, (size_t)n) != n || fchmod(fd, 0644) == -1) {
		saved = errno;
		close(fd);
		unlink(tmp);
		errno = saved;
		return -1;
	}
	close(fd);
	if (rename(tmp, path) == -1) {
		saved = errno;
		unlink(tmp);
		errno = saved;
		return -1;
	}
	return 0;
}

int
svstate_read(const char *path, struct svstate *s)
{
	char buf[256];

	if (proc_read(path, O_NOFOLLOW | O_NONBLOCK, buf, sizeof(buf)) <= 0)
		return -1;
	return svstate_parse(buf, s);
}

/*
 * Is pid a detach supervisor?  It is if the state file beside pidfile
 * names it: only the supervisor writes that file.  0 if so.
 */
int
svstate_for(const char *pidfile, pid_t pid, struct svstate *s)
{
	char path[4096];

	if (svstate_path(pidfile, path, sizeof(path)) == -1 ||
	    svstate_read(path, s) == -1 || s->supervisor != pid)
		return -1;
	return 0;
}
