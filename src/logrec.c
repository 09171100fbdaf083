/*
 * PIDFILE.logs holds "out PATH" and "err PATH" lines, or "syslog", or
 * "none" (the output was not kept), replaced
 * atomically (smallfile.c).  A path with a newline cannot be recorded.
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "logrec.h"
#include "smallfile.h"

#define LOGREC_MAX	(2 * PATH_MAX + 64)

static int
path_line(const char *key, const char *path, char *buf, size_t len,
    size_t *used)
{
	int n;

	if (path[0] == '\0')
		return 0;
	if (path[0] != '/' || strchr(path, '\n') != NULL)
		return -1;
	n = snprintf(buf + *used, len - *used, "%s %s\n", key, path);
	if (n < 0 || (size_t)n >= len - *used)
		return -1;
	*used += (size_t)n;
	return 0;
}

/* The record's text: its length, or -1 (EINVAL: a path it cannot hold). */
int
logrec_format(const struct logrec *r, char *buf, size_t len)
{
	size_t used = 0;

	if (len == 0)
		return -1;
	buf[0] = '\0';
	if (r->syslog) {
		if (len < 8)
			return -1;
		memcpy(buf, "syslog\n", 8);
		return 7;
	}
	if (path_line("out", r->out, buf, len, &used) == -1 ||
	    path_line("err", r->err, buf, len, &used) == -1) {
		errno = EINVAL;
		return -1;
	}
	if (used == 0) {	/* neither: the output was not kept */
		if (len < 6)
			return -1;
		memcpy(buf, "none\n", 6);
		return 5;
	}
	return (int)used;
}

/* 0, or -1 if text is no record (an unknown line is skipped). */
int
logrec_parse(const char *text, struct logrec *r)
{
	const char *p = text, *nl;
	char *dst;
	size_t n;
	int any = 0;

	memset(r, 0, sizeof(*r));
	for (; *p != '\0'; p = nl + 1) {
		if ((nl = strchr(p, '\n')) == NULL)
			return -1;	/* cut short */
		n = (size_t)(nl - p);
		dst = NULL;
		if (n == 6 && strncmp(p, "syslog", 6) == 0) {
			r->syslog = any = 1;
			continue;
		}
		if (n == 4 && strncmp(p, "none", 4) == 0) {
			any = 1;
			continue;
		}
		if (n > 4 && strncmp(p, "out /", 5) == 0)
			dst = r->out;
		else if (n > 4 && strncmp(p, "err /", 5) == 0)
			dst = r->err;
		if (dst == NULL)
			continue;
		if (n - 4 >= PATH_MAX)
			return -1;
		memcpy(dst, p + 4, n - 4);
		dst[n - 4] = '\0';
		any = 1;
	}
	return any ? 0 : -1;
}

int
logrec_write(const char *pidfile, const struct logrec *r)
{
	char path[PATH_MAX], buf[LOGREC_MAX];
	int n;

	if (smallfile_sibling(pidfile, ".logs", path, sizeof(path)) == -1 ||
	    (n = logrec_format(r, buf, sizeof(buf))) == -1)
		return -1;
	return smallfile_replace(path, buf, (size_t)n);
}

/* 0, or -1 with errno: ENOENT (none), EPERM, EINVAL as smallfile_read. */
int
logrec_load(const char *pidfile, struct logrec *r)
{
	char path[PATH_MAX], buf[LOGREC_MAX];

	if (smallfile_sibling(pidfile, ".logs", path, sizeof(path)) == -1 ||
	    smallfile_read(path, buf, sizeof(buf)) == -1)
		return -1;
	if (logrec_parse(buf, r) == -1) {
		errno = EINVAL;
		return -1;
	}
	return 0;
}
