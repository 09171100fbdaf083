/*
 * PIDFILE.state holds "key value" lines in a fixed order, replaced
 * atomically (written to a fresh temporary file, then renamed), as
 * daemontools and runit do with their status files.  Format and parse
 * are pure.  A record is believed only from root or from ourselves: one
 * that anybody else could have written could name any process.
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "parse.h"
#include "proc.h"
#include "smallfile.h"
#include "svstate.h"

#define SVSTATE_MAX	(512 + PATH_MAX)

int
svstate_path(const char *pidfile, char *buf, size_t len)
{
	return smallfile_sibling(pidfile, ".state", buf, len);
}

int
svstate_format(const struct svstate *s, char *buf, size_t len)
{
	int n = snprintf(buf, len, "pid %ld\nstart %llu\nboot %s\n"
	    "session %ld\nsupervisor %ld\nchild %ld\nrestarts %lld\n"
	    "last_status %d\nreopened %ld\nreopen_err %d\n", (long)s->pid,
	    (unsigned long long)s->start, s->boot, (long)s->session,
	    (long)s->supervisor, (long)s->child, s->restarts, s->last_status,
	    s->reopened, s->reopen_err);

	if (n < 0 || (size_t)n >= len)
		return -1;
	if (s->readiness == SVREADY_STARTING || s->readiness == SVREADY_READY) {
		if ((size_t)snprintf(buf + n, len - (size_t)n, "ready %d\n",
		    s->readiness == SVREADY_READY) >= len - (size_t)n)
			return -1;
		n += (int)strlen(buf + n);
	}
	if (s->health >= SVHEALTH_STARTING && s->health <= SVHEALTH_UNHEALTHY) {
		if ((size_t)snprintf(buf + n, len - (size_t)n,
		    "health %d %d %lld %s\n", s->health, s->health_fails,
		    (long long)s->health_at, s->health_result) >=
		    len - (size_t)n || strchr(s->health_result, '\n') != NULL)
			return -1;
		n += (int)strlen(buf + n);
	}
	if (s->follow[0] == '\0')
		return n;
	if (s->follow[0] != '/' || strchr(s->follow, '\n') != NULL)
		return -1;
	len -= (size_t)n;
	if ((size_t)snprintf(buf + n, len, "follow %s\n", s->follow) >= len)
		return -1;
	return n + (int)strlen(buf + n);
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

/* "boot ID\n" at *p: hex digits and dashes, or "-". */
static int
boot_field(const char **p, char *out)
{
	size_t n;

	if (strncmp(*p, "boot ", 5) != 0)
		return -1;
	*p += 5;
	n = strspn(*p, "0123456789abcdef-");
	if (n == 0 || n >= SVSTATE_BOOT_LEN || (*p)[n] != '\n')
		return -1;
	memcpy(out, *p, n);
	out[n] = '\0';
	*p += n + 1;
	return 0;
}

/* "ready 0|1\n" at *p, if there (optional): *readiness, SVREADY_*. */
static int
ready_field(const char **p, int *readiness)
{
	long long v;

	*readiness = SVREADY_NONE;
	if (strncmp(*p, "ready ", 6) != 0)
		return 0;
	if (field(p, "ready", 0, 1, &v) == -1)
		return -1;
	*readiness = v ? SVREADY_READY : SVREADY_STARTING;
	return 0;
}

/* "health STATE FAILS TIME RESULT\n" at *p, if there (optional). */
static int
health_field(const char **p, struct svstate *s)
{
	long long v;
	size_t n;

	s->health = SVHEALTH_NONE;
	s->health_fails = 0;
	s->health_at = 0;
	s->health_result[0] = '\0';
	if (strncmp(*p, "health ", 7) != 0)
		return 0;
	*p += 7;
	if (sscanf(*p, "%lld", &v) != 1 || v < SVHEALTH_STARTING ||
	    v > SVHEALTH_UNHEALTHY)
		return -1;
	s->health = (int)v;
	*p += strspn(*p, "0123456789");
	if (**p != ' ' || sscanf(*p + 1, "%lld", &v) != 1 || v < 0 ||
	    v > INT_MAX)
		return -1;
	s->health_fails = (int)v;
	*p += 1 + strspn(*p + 1, "0123456789");
	if (**p != ' ' || sscanf(*p + 1, "%lld", &v) != 1 || v < 0)
		return -1;
	s->health_at = v;
	*p += 1 + strspn(*p + 1, "0123456789");
	if (**p != ' ')
		return -1;
	*p += 1;
	n = strcspn(*p, "\n");
	if ((*p)[n] != '\n' || n >= sizeof(s->health_result))
		return -1;
	memcpy(s->health_result, *p, n);
	s->health_result[n] = '\0';
	*p += n + 1;
	return 0;
}

/* "follow /PATH\n" at *p, if there: the last line, optional. */
static int
follow_field(const char **p, char *out)
{
	size_t n;

	out[0] = '\0';
	if (**p == '\0')
		return 0;
	if (strncmp(*p, "follow /", 8) != 0)
		return -1;
	*p += 7;
	n = strcspn(*p, "\n");
	if (n >= PATH_MAX || (*p)[n] != '\n')
		return -1;
	memcpy(out, *p, n);
	out[n] = '\0';
	*p += n + 1;
	return 0;
}

/* Every key in order, every value in range; -1 otherwise. */
int
svstate_parse(const char *buf, struct svstate *s)
{
	long long pid, start, sid, sup, child, restarts, last, reopened, rerr;
	int readiness;
	struct svstate h;
	char boot[SVSTATE_BOOT_LEN], follow[PATH_MAX];
	const char *p = buf;

	if (field(&p, "pid", 2, INT_MAX, &pid) == -1 ||
	    field(&p, "start", 0, LLONG_MAX, &start) == -1 ||
	    boot_field(&p, boot) == -1 ||
	    field(&p, "session", 0, INT_MAX, &sid) == -1 ||
	    field(&p, "supervisor", 0, INT_MAX, &sup) == -1 ||
	    field(&p, "child", 0, INT_MAX, &child) == -1 ||
	    field(&p, "restarts", 0, LLONG_MAX, &restarts) == -1 ||
	    field(&p, "last_status", -1, INT_MAX, &last) == -1 ||
	    field(&p, "reopened", 0, LONG_MAX, &reopened) == -1 ||
	    field(&p, "reopen_err", 0, INT_MAX, &rerr) == -1 ||
	    ready_field(&p, &readiness) == -1 || health_field(&p, &h) == -1 ||
	    follow_field(&p, follow) == -1 || *p != '\0')
		return -1;
	if (sup != 0 && sup != pid)
		return -1;
	*s = (struct svstate){ .pid = (pid_t)pid, .start = (uint64_t)start,
	    .session = (pid_t)sid, .supervisor = (pid_t)sup,
	    .child = (pid_t)child, .restarts = restarts,
	    .last_status = (int)last, .reopened = (long)reopened,
	    .reopen_err = (int)rerr, .readiness = readiness };
	s->health = h.health;
	s->health_fails = h.health_fails;
	s->health_at = h.health_at;
	memcpy(s->health_result, h.health_result, sizeof(h.health_result));
	memcpy(s->boot, boot, sizeof(boot));
	memcpy(s->follow, follow, sizeof(follow));
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

/* A fresh record of pid as it runs now: start time, session, boot. */
int
svstate_identify(pid_t pid, struct svstate *s)
{
	struct pstat st;

	*s = (struct svstate){ .pid = pid, .last_status = -1 };
	if (proc_stat(pid, &st) == -1)
		return -1;
	s->start = st.start;
	s->session = st.session;
	proc_boot_id(s->boot, sizeof(s->boot));
	return 0;
}

int
svstate_write(const char *path, const struct svstate *s)
{
	char buf[SVSTATE_MAX];
	int n;

	if ((n = svstate_format(s, buf, sizeof(buf))) == -1) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return smallfile_replace(path, buf, (size_t)n);
}

/*
 * Read the record at path: 0, or -1 with errno ENOENT (there is none),
 * EPERM (someone other than root or us wrote it: not believed), EINVAL
 * (not a record), or why it could not be read.
 */
int
svstate_read(const char *path, struct svstate *s)
{
	char buf[SVSTATE_MAX];

	if (smallfile_read(path, buf, sizeof(buf)) == -1)
		return -1;
	if (svstate_parse(buf, s) == -1) {
		errno = EINVAL;
		return -1;
	}
	return 0;
}

/* The record beside pidfile. */
int
svstate_load(const char *pidfile, struct svstate *s)
{
	char path[PATH_MAX];

	if (svstate_path(pidfile, path, sizeof(path)) == -1)
		return -1;
	return svstate_read(path, s);
}

int
svstate_remove(const char *pidfile)
{
	char path[PATH_MAX];

	if (svstate_path(pidfile, path, sizeof(path)) == -1)
		return -1;
	return unlink(path) == -1 && errno != ENOENT ? -1 : 0;
}

/*
 * Is pid a detach supervisor?  It is if the record beside pidfile names
 * it as one: only a supervisor writes itself so.  0 if so.
 */
int
svstate_for(const char *pidfile, pid_t pid, struct svstate *s)
{
	if (svstate_load(pidfile, s) == -1 || s->supervisor == 0 ||
	    s->supervisor != pid)
		return -1;
	return 0;
}
