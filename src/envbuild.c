/*
 * Building the daemon's environment: the caller's (or, with --clear-env,
 * only a standard PATH), less NOTIFY_SOCKET and LISTEN_* (they belong to
 * whoever started detach; kept with -f), less --unset names, plus --env-file entries,
 * HOME/USER/LOGNAME/SHELL for -u, and -E assignments, later ones winning.
 * Everything is decided before anything is forked, so a malformed
 * env-file line stops the start with FILE:LINE and nothing left behind.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "envbuild.h"

#define ENV_FILE_MAX	(1 << 20)

static int
name_char(int c, int first)
{
	return c == '_' || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	    (!first && c >= '0' && c <= '9');
}

/*
 * One line of an env file (without its newline): 1 with *namelen set
 * for NAME=VALUE, 0 for a blank or comment line, -1 with *why otherwise.
 */
int
env_parse_line(const char *line, size_t len, size_t *namelen,
    const char **why)
{
	size_t i = 0;

	while (i < len && (line[i] == ' ' || line[i] == '\t'))
		i++;
	if (i == len || line[i] == '#')
		return 0;
	if (i > 0) {
		*why = "leading blanks before the name";
		return -1;
	}
	for (; i < len && line[i] != '='; i++)
		if (!name_char((unsigned char)line[i], i == 0)) {
			*why = "a name is letters, digits and '_', not "
			    "starting with a digit";
			return -1;
		}
	if (i == len) {
		*why = "expected NAME=VALUE";
		return -1;
	}
	if (i == 0) {
		*why = "empty name";
		return -1;
	}
	if (memchr(line, '\0', len) != NULL) {
		*why = "NUL byte";
		return -1;
	}
	*namelen = i;
	return 1;
}

static int
same_name(const char *a, const char *b, size_t blen)
{
	return strncmp(a, b, blen) == 0 && a[blen] == '=';
}

void
env_unset(struct envbuf *e, const char *name, size_t len)
{
	size_t i, j;

	if (e->vars == NULL)
		return;
	for (i = j = 0; i < e->n; i++)
		if (!same_name(e->vars[i], name, len))
			e->vars[j++] = e->vars[i];
	e->n = j;
	e->vars[e->n] = NULL;
}

/* Add "NAME=VALUE" without looking for an earlier one. */
static int
env_append(struct envbuf *e, const char *assign)
{
	char **v;

	if (e->n + 2 > e->cap) {
		v = realloc(e->vars, (e->cap * 2 + 16) * sizeof(*v));
		if (v == NULL)
			return -1;
		e->vars = v;
		e->cap = e->cap * 2 + 16;
	}
	e->vars[e->n++] = (char *)assign;
	e->vars[e->n] = NULL;
	return 0;
}

struct slot {
	const char	*s;
	size_t		 len;	/* of the name */
	size_t		 at;
};

static int
by_name_then_place(const void *a, const void *b)
{
	const struct slot *x = a, *y = b;
	size_t n = x->len < y->len ? x->len : y->len;
	int c = memcmp(x->s, y->s, n);

	if (c == 0 && x->len != y->len)
		c = x->len < y->len ? -1 : 1;
	if (c == 0)
		c = x->at < y->at ? -1 : 1;
	return c;
}

/*
 * An inherited environment may name a variable twice: keep the last, as
 * the copy with env_set() would, in O(n log n) rather than O(n^2).
 */
static int
env_dedup(struct envbuf *e)
{
	struct slot *sl;
	size_t i, j;

	if (e->n < 2)
		return 0;
	if ((sl = calloc(e->n, sizeof(*sl))) == NULL)
		return -1;
	for (i = 0; i < e->n; i++)
		sl[i] = (struct slot){ e->vars[i], strcspn(e->vars[i], "="),
		    i };
	qsort(sl, e->n, sizeof(*sl), by_name_then_place);
	for (i = 0; i + 1 < e->n; i++)
		if (sl[i].len == sl[i + 1].len &&
		    memcmp(sl[i].s, sl[i + 1].s, sl[i].len) == 0)
			e->vars[sl[i].at] = NULL;	/* a later one wins */
	free(sl);
	for (i = j = 0; i < e->n; i++)
		if (e->vars[i] != NULL)
			e->vars[j++] = e->vars[i];
	e->n = j;
	e->vars[e->n] = NULL;
	return 0;
}

/* Add or replace "NAME=VALUE"; the string must outlive the envbuf. */
int
env_set(struct envbuf *e, const char *assign)
{
	size_t len = strcspn(assign, "=");

	env_unset(e, assign, len);
	return env_append(e, assign);
}

static int
set_pair(struct envbuf *e, const char *name, const char *value)
{
	char *s;

	if (e->nowned == sizeof(e->owned) / sizeof(e->owned[0]) ||
	    asprintf(&s, "%s=%s", name, value) == -1)
		return -1;
	e->owned[e->nowned++] = s;
	return env_set(e, s);
}

static int
read_env_file(struct envbuf *e, const char *path, char *err, size_t errlen)
{
	char *buf, *line, *nl;
	const char *why;
	size_t namelen, len;
	ssize_t n, got = 0;
	int fd, lineno = 0, r;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY)) == -1) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	/* one allocation, kept with e: the environment points into it */
	if (e->nowned == sizeof(e->owned) / sizeof(e->owned[0]) ||
	    (buf = malloc(ENV_FILE_MAX + 1)) == NULL) {
		close(fd);
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	while ((n = read(fd, buf + got, ENV_FILE_MAX - (size_t)got)) > 0)
		got += n;
	close(fd);
	if (n == -1 || got == ENV_FILE_MAX) {
		snprintf(err, errlen, "%s: %s", path, n == -1 ?
		    strerror(errno) : "file too large");
		free(buf);
		return -1;
	}
	buf[got] = '\0';
	e->owned[e->nowned++] = buf;
	for (line = buf; line < buf + got; line = nl + 1) {
		lineno++;
		nl = memchr(line, '\n', (size_t)(buf + got - line));
		if (nl == NULL)
			nl = buf + got;
		*nl = '\0';
		len = (size_t)(nl - line);
		if (len > 0 && line[len - 1] == '\r')
			line[--len] = '\0';
		r = env_parse_line(line, len, &namelen, &why);
		if (r == -1) {
			snprintf(err, errlen, "%s:%d: %s", path, lineno, why);
			return -1;
		}
		if (r == 1 && env_set(e, line) == -1) {
			snprintf(err, errlen, "%s", strerror(errno));
			return -1;
		}
	}
	return 0;
}

/*
 * Fill e for the daemon from base (the caller's environ).  -1 with a
 * message: the start fails with exit 3.
 */
int
env_build(const struct detach_opts *o, const struct privs *pv,
    char *const *base, struct envbuf *e, char *err, size_t errlen)
{
	const char **a;
	char *const *b;
	size_t i;

	*e = (struct envbuf){ 0 };
	if (o->clear_env) {
		if (env_set(e, ENV_DEFAULT_PATH) == -1)
			goto oom;
	} else {
		for (b = base; b != NULL && *b != NULL; b++)
			if (strchr(*b, '=') != NULL && env_append(e, *b) == -1)
				goto oom;
		if (env_dedup(e) == -1)
			goto oom;
	}
	/*
	 * Inherited notification channels belong to whoever started detach,
	 * not to a daemon with a pid of its own (-E may give them back).
	 * With -f the command takes detach's place and pid: pass them on.
	 */
	for (i = 0; !o->foreground && i < e->n;) {
		if (same_name(e->vars[i], "NOTIFY_SOCKET", 13) ||
		    strncmp(e->vars[i], "LISTEN_", 7) == 0)
			env_unset(e, e->vars[i], strcspn(e->vars[i], "="));
		else
			i++;
	}
	for (a = o->unset; *a != NULL; a++)
		env_unset(e, *a, strlen(*a));
	for (a = o->env_files; *a != NULL; a++)
		if (read_env_file(e, *a, err, errlen) == -1)
			return -1;
	if (pv != NULL && pv->active && pv->has_passwd &&
	    (set_pair(e, "HOME", pv->home) == -1 ||
	    set_pair(e, "USER", pv->name) == -1 ||
	    set_pair(e, "LOGNAME", pv->name) == -1 ||
	    set_pair(e, "SHELL", pv->shell) == -1))
		goto oom;
	for (a = o->env; *a != NULL; a++)
		if (env_set(e, *a) == -1)
			goto oom;
	if (e->vars == NULL && env_set(e, ENV_DEFAULT_PATH) == 0)
		env_unset(e, "PATH", 4);	/* an empty, non-NULL list */
	return 0;
oom:
	snprintf(err, errlen, "%s", strerror(ENOMEM));
	return -1;
}

void
env_free(struct envbuf *e)
{
	size_t i;

	for (i = 0; i < e->nowned; i++)
		free(e->owned[i]);
	free(e->vars);
	*e = (struct envbuf){ 0 };
}
