/*
 * Readiness checks: the schedule of rounds, the lines of output for
 * --ready-log, and what to say when they did not pass.  The checks that
 * talk to the system, a connect and a command, are in rc_probe.c.
 *
 * A round runs every check that has not passed yet.  The rounds come
 * often at first and then less often, about a twentieth of the time
 * waited so far (from RC_MIN_MS to RC_MAX_MS): a service that takes
 * 200 ms is seen within 10 ms of its readiness, one that takes a minute
 * costs ten rounds a second.  A check that passed stays passed for this start.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "paths.h"
#include "rc_int.h"

int64_t
rc_interval(int64_t waited)
{
	int64_t ms = waited / 20;

	return ms < RC_MIN_MS ? RC_MIN_MS : ms > RC_MAX_MS ? RC_MAX_MS : ms;
}


/* --ready-file's path, against the directory detach runs in. */
static int
absolute(struct rc_check *c, char *err, size_t errlen)
{
	char cwd[PATH_MAX], buf[PATH_MAX];

	if (getcwd(cwd, sizeof(cwd)) == NULL ||
	    path_absolute(cwd, c->arg, buf, sizeof(buf)) == -1 ||
	    (c->path = strdup(buf)) == NULL) {
		snprintf(err, errlen, "--ready-file=%s: %s", c->arg,
		    strerror(errno));
		return -1;
	}
	return 0;
}

/*
 * The checks of specs, compiled (values were checked by cli_check.c;
 * a failure here is reported in err all the same).
 */
int
rc_init(struct readycheck *rc, const struct rc_spec *specs, int n,
    char *err, size_t errlen)
{
	struct rc_check *c;
	const char *why;
	int i, j, e;

	memset(rc, 0, sizeof(*rc));
	rc->s[0].fd = rc->s[1].fd = -1;
	if (n > RC_MAX) {
		snprintf(err, errlen, "at most %d readiness checks", RC_MAX);
		return -1;
	}
	/* on the heap, and only when given: start's state stays small */
	if (n > 0 && (rc->c = calloc((size_t)n, sizeof(*rc->c))) == NULL) {
		snprintf(err, errlen, "readiness checks: %s", strerror(errno));
		return -1;
	}
	for (i = 0; i < n; i++) {
		c = &rc->c[rc->n++];
		c->kind = specs[i].kind;
		c->arg = specs[i].arg;
		c->out = -1;
		for (j = 0; j < RC_ADDRS; j++)
			c->sock[j] = -1;
		if (c->kind == RC_PORT &&
		    hostport_parse(c->arg, &c->hp, &why) == -1) {
			snprintf(err, errlen, "--ready-port=%s: %s", c->arg,
			    why);
			return -1;
		}
		if (c->kind == RC_FILE && absolute(c, err, errlen) == -1)
			return -1;
		if (c->kind == RC_LOG) {
			if ((e = regcomp(&c->re, c->arg, REG_EXTENDED |
			    REG_NOSUB)) != 0) {
				regerror(e, &c->re, err, errlen);
				return -1;
			}
			c->compiled = 1;
		}
	}
	return 0;
}

int
rc_uses_log(const struct readycheck *rc)
{
	int i;

	for (i = 0; i < rc->n; i++)
		if (rc->c[i].kind == RC_LOG)
			return 1;
	return 0;
}

/*
 * Plain start: follow the output file at path as stream i, from its
 * current end.  It must be a regular file (-1 with errno EINVAL if not).
 */
int
rc_follow(struct readycheck *rc, int i, const char *path)
{
	struct stat st = { 0 };
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY |
	    O_NONBLOCK)) == -1)
		return -1;
	if (fstat(fd, &st) == 0 && !S_ISREG(st.st_mode))
		errno = EINVAL;
	if (!S_ISREG(st.st_mode) || lseek(fd, 0, SEEK_END) == -1) {
		close(fd);
		return -1;
	}
	rc->s[i].fd = fd;
	return 0;
}

/*
 * Before each launch: what --ready-file finds now was there before the
 * start (the command may create its file at once, before rc_begin()).
 */
void
rc_prepare(struct readycheck *rc)
{
	int i;

	for (i = 0; i < rc->n; i++)
		if (rc->c[i].kind == RC_FILE)
			rc_file_begin(&rc->c[i]);
}

/*
 * The command runs (the first, or a restart): nothing has passed yet.
 * Files are judged against what rc_prepare() saw.
 */
void
rc_begin(struct readycheck *rc, const struct launch *tpl, int64_t now)
{
	int i;

	rc_cancel(rc);
	rc->tpl = tpl;
	rc->active = rc->n > 0;
	rc->began = rc->next = now;
	rc->deadline = now + rc->timeout;
	for (i = 0; i < rc->n; i++) {
		rc->c[i].passed = rc->c[i].ended = rc->c[i].failed = 0;
		snprintf(rc->c[i].why, sizeof(rc->c[i].why), "%s",
		    rc->c[i].kind == RC_LOG ? "no line matched" :
		    "not checked");
	}
	rc->s[0].len = rc->s[1].len = 0;
	rc->s[0].skipping = rc->s[1].skipping = 0;
}

/* A whole line of output (NUL-terminated): does a --ready-log match? */
static void
match_line(struct readycheck *rc, const char *line)
{
	struct rc_check *c;
	int i;

	for (i = 0; i < rc->n; i++) {
		c = &rc->c[i];
		if (c->kind != RC_LOG || c->passed)
			continue;
		if (regexec(&c->re, line, 0, NULL, 0) == 0)
			c->passed = 1;
		else
			snprintf(c->why, sizeof(c->why), "no line matched");
	}
}

/* Output of stream i, in any pieces: whole lines are matched. */
void
rc_feed(struct readycheck *rc, int i, const char *p, size_t n)
{
	struct rc_stream *s = &rc->s[i];
	const char *nl;
	size_t take;

	if (!rc->active || i < 0 || i > 1)
		return;
	while (n > 0) {
		nl = memchr(p, '\n', n);
		take = nl != NULL ? (size_t)(nl - p) : n;
		if (!s->skipping) {
			if (take > sizeof(s->line) - 1 - s->len) {
				take = sizeof(s->line) - 1 - s->len;
				s->skipping = 1;	/* match the start */
			}
			memcpy(s->line + s->len, p, take);
			s->len += take;
		}
		if (nl == NULL) {
			if (s->skipping && s->len < sizeof(s->line)) {
				/* an overlong line: match its start, once */
				s->line[s->len] = '\0';
				match_line(rc, s->line);
				s->len = sizeof(s->line);
			}
			return;
		}
		if (s->len < sizeof(s->line)) {
			s->line[s->len] = '\0';
			match_line(rc, s->line);
		}
		s->len = 0;
		s->skipping = 0;
		n -= (size_t)(nl - p) + 1;
		p = nl + 1;
	}
}

/* Plain start: what the files followed have grown by. */
static void
read_streams(struct readycheck *rc)
{
	char buf[4096];
	ssize_t n;
	int i;

	for (i = 0; i < 2; i++)
		while (rc->s[i].fd != -1 &&
		    (n = read(rc->s[i].fd, buf, sizeof(buf))) > 0)
			rc_feed(rc, i, buf, (size_t)n);
}

static int
all_passed(const struct readycheck *rc)
{
	int i;

	for (i = 0; i < rc->n; i++)
		if (!rc->c[i].passed)
			return 0;
	return 1;
}

static int
any_failed(const struct readycheck *rc)
{
	int i;

	for (i = 0; i < rc->n; i++)
		if (rc->c[i].failed && !rc->c[i].passed)
			return 1;
	return 0;
}

/*
 * Run a round if one is due.  READY_DONE once everything passed,
 * READY_TIMEOUT at the deadline, and for one-shot checks READY_FAILED
 * at the first failure (each once: the checks are then inactive), else
 * READY_WAITING.
 */
enum ready_state
rc_step(struct readycheck *rc, int64_t now)
{
	int64_t next;
	int i;

	if (!rc->active)
		return READY_WAITING;
	if (now >= rc->next) {
		read_streams(rc);
		for (i = 0; i < rc->n; i++)
			if (!rc->c[i].passed)
				rc_round(rc, &rc->c[i], now);
		next = now + rc_interval(now - rc->began);
		for (i = 0; i < rc->n; i++)
			if (rc->c[i].pid > 0 && rc->c[i].kill_at < next)
				next = rc->c[i].kill_at;
		rc->next = next < rc->deadline ? next : rc->deadline;
	}
	if (all_passed(rc)) {
		rc_cancel(rc);
		return READY_DONE;
	}
	if (rc->oneshot && any_failed(rc)) {
		rc_cancel(rc);
		return READY_FAILED;
	}
	if (now >= rc->deadline) {
		rc_cancel(rc);
		return READY_TIMEOUT;
	}
	return READY_WAITING;
}

int64_t
rc_next(const struct readycheck *rc)
{
	return rc->active ? rc->next : -1;
}

/* Stop what runs (a --ready-cmd, connects); the checks are inactive. */
void
rc_cancel(struct readycheck *rc)
{
	int i;

	for (i = 0; i < rc->n; i++)
		rc_release(&rc->c[i]);
	rc->active = 0;
}

/*
 * What did not pass, for messages: "--ready-port=8080 (Connection
 * refused) and --ready-file=/run/x (No such file or directory)".
 */
void
rc_explain(const struct readycheck *rc, char *buf, size_t len)
{
	const struct rc_check *c;
	size_t used = 0;
	int i, w, shown = 0, left = 0, only_failed;

	buf[0] = '\0';
	/* one-shot checks end at the first failure: name those that failed */
	only_failed = rc->oneshot && any_failed(rc);
	for (i = 0; i < rc->n; i++)
		left += !rc->c[i].passed && (!only_failed || rc->c[i].failed);
	for (i = 0; i < rc->n && used < len; i++) {
		c = &rc->c[i];
		if (c->passed || (only_failed && !c->failed))
			continue;
		left--;
		w = snprintf(buf + used, len - used, "%s%s=%s (%s)",
		    shown == 0 ? "" : left == 0 ? " and " : ", ",
		    rc->oneshot ? rc_health_option(c->kind) : rc_option(c->kind),
		    c->arg, c->why);
		if (w < 0)
			break;
		used += (size_t)w;
		shown++;
	}
}

/* The whole message: "pid N was not ready within S s: ... did not pass". */
void
rc_report(const struct readycheck *rc, pid_t pid, char *buf, size_t len)
{
	static const char tail[] = " did not pass";
	int n;

	n = snprintf(buf, len, "pid %ld was not ready within %lld.%03lld s: ",
	    (long)pid, (long long)(rc->timeout / 1000),
	    (long long)(rc->timeout % 1000));
	if (n < 0 || (size_t)n + sizeof(tail) >= len)
		return;
	rc_explain(rc, buf + n, len - (size_t)n - sizeof(tail) + 1);
	strcat(buf, tail);
}

void
rc_free(struct readycheck *rc)
{
	int i;

	if (rc->n == 0) {
		free(rc->c);	/* never set up, or nothing to free */
		rc->c = NULL;
		return;
	}
	rc_cancel(rc);
	for (i = 0; i < rc->n; i++) {
		if (rc->c[i].compiled)
			regfree(&rc->c[i].re);
		rc->c[i].compiled = 0;
		free(rc->c[i].path);
		rc->c[i].path = NULL;
	}
	for (i = 0; i < 2; i++)
		if (rc->s[i].fd != -1) {
			close(rc->s[i].fd);
			rc->s[i].fd = -1;
		}
	free(rc->c);
	rc->c = NULL;
	rc->n = 0;
}
