/*
 * Where things are.  The pure helpers compute paths from their inputs
 * alone (the unit tests feed them every case); paths_resolve() gathers
 * those inputs: the working directory, the uid, XDG_RUNTIME_DIR and
 * whether /run/user/UID belongs to us.
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "parse.h"
#include "paths.h"

/* buf = a b c, or -1 with ENAMETOOLONG. */
static int
join(char *buf, size_t len, const char *a, const char *b, const char *c)
{
	int n = snprintf(buf, len, "%s%s%s", a, b, c);

	if (n < 0 || (size_t)n >= len) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return 0;
}

/* path made absolute against cwd; no symlink is resolved. */
int
path_absolute(const char *cwd, const char *path, char *buf, size_t len)
{
	if (path[0] == '/')
		return join(buf, len, path, "", "");
	while (path[0] == '.' && path[1] == '/')
		path += 2;
	if (strcmp(cwd, "/") == 0)
		cwd = "";
	return join(buf, len, cwd, "/", path);
}

/*
 * The directory of named pidfiles: /run/detach for root; otherwise
 * $XDG_RUNTIME_DIR/detach, or /run/user/UID/detach when that directory
 * exists and is ours.  -1 with ENOENT when there is none.
 */
int
path_default_dir(uid_t uid, const char *xdg, int run_user_ours, char *buf,
    size_t len)
{
	char tmp[64];

	if (uid == 0)
		return join(buf, len, "/run/detach", "", "");
	if (xdg != NULL && xdg[0] == '/')
		return join(buf, len, xdg,
		    xdg[strlen(xdg) - 1] == '/' ? "" : "/", "detach");
	if (run_user_ours) {
		snprintf(tmp, sizeof(tmp), "/run/user/%lu", (unsigned long)uid);
		return join(buf, len, tmp, "/", "detach");
	}
	errno = ENOENT;
	return -1;
}

/* "NAME" for messages, from a pidfile path: its base name less ".pid". */
int
path_display_name(const char *pidfile, char *buf, size_t len)
{
	const char *base = strrchr(pidfile, '/');
	size_t n;

	base = base != NULL ? base + 1 : pidfile;
	n = strlen(base);
	if (n > 4 && strcmp(base + n - 4, ".pid") == 0)
		n -= 4;
	if (n == 0 || n >= len) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(buf, base, n);
	buf[n] = '\0';
	return 0;
}

static int
run_user_is_ours(uid_t uid)
{
	char dir[64];
	struct stat sb;

	snprintf(dir, sizeof(dir), "/run/user/%lu", (unsigned long)uid);
	return stat(dir, &sb) == 0 && S_ISDIR(sb.st_mode) && sb.st_uid == uid;
}

/* Copy s into p's arena; NULL with ENAMETOOLONG when it is full. */
static const char *
store(struct paths *p, const char *s)
{
	size_t len = strlen(s) + 1;
	char *at;

	if (len > sizeof(p->arena) - p->used) {
		errno = ENAMETOOLONG;
		return NULL;
	}
	at = p->arena + p->used;
	memcpy(at, s, len);
	p->used += len;
	return at;
}

/* *out = path made absolute against cwd, or "" if path is NULL. */
static int
absolute_opt(struct paths *p, const char *cwd, const char *path,
    const char **out, char *err, size_t errlen)
{
	char buf[PATH_MAX];

	if (path == NULL) {
		*out = "";
		return 0;
	}
	if (path[0] == '\0') {
		snprintf(err, errlen, "empty path");
		return -1;
	}
	if (path_absolute(cwd, path, buf, sizeof(buf)) == -1 ||
	    (*out = store(p, buf)) == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

/*
 * Fill p from the options.  Returns 0; -1 with a message for a usage
 * problem (64); -2 with a message for an environment problem (3).
 */
int
paths_resolve(const struct detach_opts *o, struct paths *p, char *err,
    size_t errlen)
{
	char cwd[PATH_MAX], buf[PATH_MAX];
	const char *name = o->name, *cmd;

	p->used = 0;
	p->pidfile = p->piddir = p->name = p->out = p->err = p->in = "";
	p->chdir = p->command = p->child_pidfile = p->follow = "";
	if (getcwd(cwd, sizeof(cwd)) == NULL) {
		snprintf(err, errlen, "cannot get the working directory: %s",
		    strerror(errno));
		return -2;
	}
	if (absolute_opt(p, cwd, o->out, &p->out, err, errlen) ||
	    absolute_opt(p, cwd, o->err, &p->err, err, errlen) ||
	    absolute_opt(p, cwd, o->in, &p->in, err, errlen) ||
	    absolute_opt(p, o->chroot != NULL ? "/" : cwd, o->chdir,
	    &p->chdir, err, errlen) ||
	    absolute_opt(p, cwd, o->pidfile, &p->pidfile, err, errlen) ||
	    absolute_opt(p, cwd, o->child_pidfile, &p->child_pidfile, err,
	    errlen) ||
	    absolute_opt(p, cwd, o->follow_pidfile, &p->follow, err, errlen))
		return -1;
	if (o->command != NULL) {
		cmd = o->command[0];
		/* with --chroot, COMMAND and -C are paths inside the new root */
		if (strchr(cmd, '/') != NULL && o->chroot == NULL) {
			if (absolute_opt(p, cwd, cmd, &p->command, err,
			    errlen) == -1)
				return -1;
		} else if (strlen(cmd) >= PATH_MAX ||
		    (p->command = store(p, cmd)) == NULL) {
			snprintf(err, errlen, "%s: %s", cmd,
			    strerror(ENAMETOOLONG));
			return -1;
		}
	}

	if (o->verb == VERB_LIST)
		goto default_dir;
	if (o->pidfile != NULL) {
		if (name == NULL) {
			if (path_display_name(p->pidfile, buf,
			    sizeof(buf)) == -1)
				snprintf(buf, NAME_MAX + 1, "%.*s", NAME_MAX,
				    p->pidfile);
			name = buf;
		}
		if ((p->name = store(p, name)) == NULL) {
			snprintf(err, errlen, "%s: %s", name, strerror(errno));
			return -1;
		}
		return 0;
	}
	if (name == NULL) {
		/* start with neither -p nor -n: the command's base name */
		cmd = strrchr(o->command[0], '/');
		name = cmd != NULL ? cmd + 1 : o->command[0];
		if (parse_daemon_name(name) == -1) {
			snprintf(err, errlen, "cannot name a pidfile after "
			    "'%s': give -n NAME or -p PIDFILE", o->command[0]);
			return -1;
		}
	}
	if ((p->name = store(p, name)) == NULL) {
		snprintf(err, errlen, "%s: %s", name, strerror(errno));
		return -1;
	}
default_dir:
	if (path_default_dir(geteuid(), getenv("XDG_RUNTIME_DIR"),
	    run_user_is_ours(geteuid()), buf, sizeof(buf)) == -1) {
		snprintf(err, errlen, "no runtime directory for named "
		    "pidfiles (XDG_RUNTIME_DIR is unset and /run/user/%lu is "
		    "missing): give -p PIDFILE", (unsigned long)geteuid());
		return -2;
	}
	if ((p->piddir = store(p, buf)) == NULL) {
		snprintf(err, errlen, "%s: %s", buf, strerror(errno));
		return -1;
	}
	if (o->verb == VERB_LIST)
		return 0;
	if (snprintf(buf, sizeof(buf), "%s/%s.pid", p->piddir, name) >=
	    (int)sizeof(buf) || (p->pidfile = store(p, buf)) == NULL) {
		snprintf(err, errlen, "%s/%s.pid: %s", p->piddir, name,
		    strerror(ENAMETOOLONG));
		return -1;
	}
	return 0;
}

/* Create the directory of named pidfiles (0755) if it is missing. */
int
paths_make_piddir(const struct paths *p)
{
	struct stat sb;

	if (p->piddir[0] == '\0')
		return 0;
	if (mkdir(p->piddir, 0755) == 0) {
		/* mkdir's mode is filtered by our umask; say what we mean */
		return chmod(p->piddir, 0755);
	}
	if (errno != EEXIST)
		return -1;
	if (lstat(p->piddir, &sb) == -1)
		return -1;
	if (!S_ISDIR(sb.st_mode)) {
		errno = ENOTDIR;
		return -1;
	}
	return 0;
}

/*
 * Can users other than us (and root) change what path names?  They can
 * if its directory is writable by its group or by others, or belongs to
 * another user who may write to it.  A sticky directory (/tmp) is safe
 * for files we own: nobody else may remove or rename them.
 */
int
paths_dir_safety(const char *path, enum dir_safety *out)
{
	char dir[PATH_MAX];
	const char *slash = strrchr(path, '/');
	struct stat sb;
	uid_t me = geteuid();

	if (slash == NULL)
		snprintf(dir, sizeof(dir), ".");
	else if (slash == path)
		snprintf(dir, sizeof(dir), "/");
	else
		snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path), path);
	if (stat(dir, &sb) == -1)
		return -1;
	if (sb.st_uid != 0 && sb.st_uid != me && (sb.st_mode & S_IWUSR))
		*out = DIR_UNSAFE;
	else if (!(sb.st_mode & (S_IWGRP | S_IWOTH)))
		*out = DIR_SAFE;
	else
		*out = (sb.st_mode & S_ISVTX) ? DIR_STICKY : DIR_UNSAFE;
	return 0;
}
