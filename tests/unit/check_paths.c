/*
 * Unit tests for path resolution (src/paths.c).
 */
#include "config.h"

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "paths.h"
#include "unit.h"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))
#define MAXARGS		16

/*
 * path_absolute
 */

struct abs_case {
	const char	*cwd;
	const char	*path;
	const char	*want;
};

static const struct abs_case abs_cases[] = {
	{ "/home/u", "x.pid", "/home/u/x.pid" },
	{ "/home/u", "./x", "/home/u/x" },
	{ "/home/u", "././x", "/home/u/x" },
	{ "/home/u", "sub/x", "/home/u/sub/x" },
	{ "/home/u", "/etc/x", "/etc/x" },
	{ "/home/u", "/", "/" },
	{ "/", "x", "/x" },
	{ "/", "./x", "/x" },
	{ "/", "/x", "/x" },
	/* Not normalised: no symlink is resolved, so ".." stays. */
	{ "/home/u", "../x", "/home/u/../x" },
	{ "/home/u", ".x", "/home/u/.x" },
};

START_TEST(test_absolute)
{
	const struct abs_case *c = &abs_cases[_i];
	char buf[PATH_MAX];

	ck_assert_msg(path_absolute(c->cwd, c->path, buf, sizeof(buf)) == 0,
	    "path_absolute(\"%s\", \"%s\") failed", c->cwd, c->path);
	ck_assert_str_eq(buf, c->want);
}
END_TEST

START_TEST(test_absolute_too_long)
{
	static char cwd[PATH_MAX + 2], buf[PATH_MAX];
	char small[8];

	cwd[0] = '/';
	memset(cwd + 1, 'a', PATH_MAX);
	cwd[PATH_MAX + 1] = '\0';
	errno = 0;
	ck_assert_int_eq(path_absolute(cwd, "x", buf, sizeof(buf)), -1);
	ck_assert_int_eq(errno, ENAMETOOLONG);
	errno = 0;
	ck_assert_int_eq(path_absolute("/", cwd, buf, sizeof(buf)), -1);
	ck_assert_int_eq(errno, ENAMETOOLONG);

	/* "/a/bcde" and its NUL fill 8 bytes exactly. */
	ck_assert_int_eq(path_absolute("/a", "bcde", small, sizeof(small)), 0);
	ck_assert_str_eq(small, "/a/bcde");
	errno = 0;
	ck_assert_int_eq(path_absolute("/a", "bcdef", small, sizeof(small)),
	    -1);
	ck_assert_int_eq(errno, ENAMETOOLONG);
	errno = 0;
	ck_assert_int_eq(path_absolute("/a", "/bcdefgh", small,
	    sizeof(small)), -1);
	ck_assert_int_eq(errno, ENAMETOOLONG);
}
END_TEST

/*
 * path_default_dir
 */

START_TEST(test_default_dir_root)
{
	char buf[PATH_MAX];

	ck_assert_int_eq(path_default_dir(0, NULL, 0, buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, "/run/detach");
	ck_assert_int_eq(path_default_dir(0, "/run/user/0", 1, buf,
	    sizeof(buf)), 0);
	ck_assert_str_eq(buf, "/run/detach");
	ck_assert_int_eq(path_default_dir(0, "/tmp/xdg", 0, buf, sizeof(buf)),
	    0);
	ck_assert_str_eq(buf, "/run/detach");
}
END_TEST

START_TEST(test_default_dir_user)
{
	char buf[PATH_MAX];

	ck_assert_int_eq(path_default_dir(1000, "/run/user/1000", 0, buf,
	    sizeof(buf)), 0);
	ck_assert_str_eq(buf, "/run/user/1000/detach");
	ck_assert_int_eq(path_default_dir(1000, "/run/user/1000/", 0, buf,
	    sizeof(buf)), 0);
	ck_assert_str_eq(buf, "/run/user/1000/detach");
	/* XDG_RUNTIME_DIR wins over /run/user/UID. */
	ck_assert_int_eq(path_default_dir(1000, "/tmp/xdg", 1, buf,
	    sizeof(buf)), 0);
	ck_assert_str_eq(buf, "/tmp/xdg/detach");
	ck_assert_int_eq(path_default_dir(1000, "/", 0, buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, "/detach");
}
END_TEST

/* A relative or empty XDG_RUNTIME_DIR is ignored, as the spec says. */
START_TEST(test_default_dir_fallback)
{
	char buf[PATH_MAX];

	ck_assert_int_eq(path_default_dir(1000, "rel", 1, buf, sizeof(buf)),
	    0);
	ck_assert_str_eq(buf, "/run/user/1000/detach");
	ck_assert_int_eq(path_default_dir(1000, "", 1, buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, "/run/user/1000/detach");
	ck_assert_int_eq(path_default_dir(1000, NULL, 1, buf, sizeof(buf)),
	    0);
	ck_assert_str_eq(buf, "/run/user/1000/detach");
	ck_assert_int_eq(path_default_dir(4294967294U, NULL, 1, buf,
	    sizeof(buf)), 0);
	ck_assert_str_eq(buf, "/run/user/4294967294/detach");

	errno = 0;
	ck_assert_int_eq(path_default_dir(1000, "rel", 0, buf, sizeof(buf)),
	    -1);
	ck_assert_int_eq(errno, ENOENT);
	errno = 0;
	ck_assert_int_eq(path_default_dir(1000, NULL, 0, buf, sizeof(buf)),
	    -1);
	ck_assert_int_eq(errno, ENOENT);
}
END_TEST

START_TEST(test_default_dir_too_long)
{
	char buf[11];	/* one short of "/run/detach" */

	errno = 0;
	ck_assert_int_eq(path_default_dir(0, NULL, 0, buf, sizeof(buf)), -1);
	ck_assert_int_eq(errno, ENAMETOOLONG);
	ck_assert_int_eq(path_default_dir(1000, "/tmp/xdg", 0, buf,
	    sizeof(buf)), -1);
	ck_assert_int_eq(path_default_dir(1000, NULL, 1, buf, sizeof(buf)),
	    -1);
}
END_TEST

/*
 * path_display_name
 */

struct name_case {
	const char	*pidfile;
	const char	*want;
};

static const struct name_case name_cases[] = {
	{ "/run/x/web.pid", "web" },
	{ "web.pid", "web" },
	{ "web", "web" },
	{ "a.b", "a.b" },
	{ "/x/a.b.pid", "a.b" },
	{ "/x/web.pid.pid", "web.pid" },
	{ "/x/web.pidx", "web.pidx" },
	{ "/x/web.PID", "web.PID" },
	{ "/x.pid/web", "web" },
	{ "/web", "web" },
};

START_TEST(test_display_name)
{
	const struct name_case *c = &name_cases[_i];
	char buf[NAME_MAX + 1];

	ck_assert_msg(path_display_name(c->pidfile, buf, sizeof(buf)) == 0,
	    "path_display_name(\"%s\") failed", c->pidfile);
	ck_assert_str_eq(buf, c->want);
}
END_TEST

START_TEST(test_display_name_bad)
{
	char buf[NAME_MAX + 1];

	ck_assert_int_eq(path_display_name("", buf, sizeof(buf)), -1);
	ck_assert_int_eq(path_display_name("/run/x/", buf, sizeof(buf)), -1);
	ck_assert_int_eq(path_display_name("/", buf, sizeof(buf)), -1);
	/* No room for "web" and its NUL. */
	ck_assert_int_eq(path_display_name("/x/web.pid", buf, 3), -1);
	ck_assert_int_eq(path_display_name("/x/web.pid", buf, 4), 0);
	ck_assert_str_eq(buf, "web");
}
END_TEST

/* Stripping ".pid" must never leave an empty name. */
START_TEST(test_display_name_dot_pid)
{
	static const char *const edge[] = { ".pid", "/x/.pid", "x/.pid" };
	char buf[NAME_MAX + 1];
	size_t i;

	for (i = 0; i < NELEM(edge); i++) {
		buf[0] = '\0';
		if (path_display_name(edge[i], buf, sizeof(buf)) == 0)
			ck_assert_msg(buf[0] != '\0',
			    "path_display_name(\"%s\") gave an empty name",
			    edge[i]);
	}
}
END_TEST

/*
 * paths_resolve, driven by real cli_parse() results in a scratch
 * working directory.
 */

static char tmpdir[PATH_MAX];
static char cwd[PATH_MAX];
static struct detach_opts o;
static struct paths p;
static char err[256];
static char *owned[MAXARGS + 2];

static void
resolve_setup(void)
{
	strcpy(tmpdir, "/tmp/check_paths.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
	ck_assert_int_eq(chdir(tmpdir), 0);
	/* getcwd, not tmpdir: /tmp may be a symlink. */
	ck_assert_ptr_nonnull(getcwd(cwd, sizeof(cwd)));
	/* Where non-root named pidfiles go; root ignores it. */
	ck_assert_int_eq(setenv("XDG_RUNTIME_DIR", cwd, 1), 0);
}

static void
release(void)
{
	int i;

	cli_free(&o);
	for (i = 0; owned[i] != NULL; i++) {
		free(owned[i]);
		owned[i] = NULL;
	}
}

static void
resolve_teardown(void)
{
	char path[PATH_MAX + 16];

	release();
	snprintf(path, sizeof(path), "%s/detach", tmpdir);
	(void)rmdir(path);
	if (chdir("/") != 0) {
		/* best effort: the rmdir below then fails harmlessly */
	}
	(void)rmdir(tmpdir);
}

/* The directory paths_resolve() should pick for named pidfiles. */
static const char *
default_dir(void)
{
	static char dir[PATH_MAX + 16];

	if (geteuid() == 0)
		return "/run/detach";
	snprintf(dir, sizeof(dir), "%s/detach", cwd);
	return dir;
}

static const char *
in_cwd(const char *name)
{
	static char buf[PATH_MAX + NAME_MAX + 2];

	snprintf(buf, sizeof(buf), "%s/%s", cwd, name);
	return buf;
}

static const char *
in_default_dir(const char *name)
{
	static char buf[PATH_MAX + NAME_MAX + 2];

	snprintf(buf, sizeof(buf), "%s/%s", default_dir(), name);
	return buf;
}

/* cli_parse "detach ARGS...", which must succeed, then paths_resolve. */
static int
resolve(const char *first, ...)
{
	char *args[MAXARGS + 2];
	const char *a;
	va_list ap;
	int argc = 0, rc;

	release();
	owned[argc] = args[argc] = strdup("detach");
	argc++;
	va_start(ap, first);
	for (a = first; a != NULL; a = va_arg(ap, const char *)) {
		ck_assert_int_le(argc, MAXARGS);
		owned[argc] = args[argc] = strdup(a);
		ck_assert_ptr_nonnull(args[argc]);
		argc++;
	}
	va_end(ap);
	owned[argc] = args[argc] = NULL;

	err[0] = '\0';
	rc = cli_parse(argc, args, &o, err, sizeof(err));
	ck_assert_msg(rc == 0, "cli_parse failed: %s", err);
	memset(&p, 0xa5, sizeof(p));
	return paths_resolve(&o, &p, err, sizeof(err));
}

#define RESOLVE_OK(...) do {						\
	int rc_ = resolve(__VA_ARGS__, (const char *)NULL);		\
	ck_assert_msg(rc_ == 0, "paths_resolve failed: %s", err);	\
} while (0)

START_TEST(test_resolve_relative_pidfile)
{
	RESOLVE_OK("status", "-p", "rel.pid");
	ck_assert_str_eq(p.pidfile, in_cwd("rel.pid"));
	ck_assert_str_eq(p.name, "rel");
	ck_assert_str_eq(p.piddir, "");
	ck_assert_str_eq(p.out, "");
	ck_assert_str_eq(p.command, "");
}
END_TEST

START_TEST(test_resolve_absolute_pidfile)
{
	RESOLVE_OK("stop", "-p", "/var/run/x.pid");
	ck_assert_str_eq(p.pidfile, "/var/run/x.pid");
	ck_assert_str_eq(p.name, "x");
	ck_assert_str_eq(p.piddir, "");

	/* -n names the daemon in messages even with -p. */
	RESOLVE_OK("status", "-p", "./sub/rel.pid", "-n", "web");
	ck_assert_str_eq(p.pidfile, in_cwd("sub/rel.pid"));
	ck_assert_str_eq(p.name, "web");
	ck_assert_str_eq(p.piddir, "");
}
END_TEST

START_TEST(test_resolve_start_paths)
{
	RESOLVE_OK("start", "-o", "out.log", "-e", "./err.log", "-i",
	    "/dev/null", "-C", "sub", "-p", "p.pid", "--", "prog", "-x");
	ck_assert_str_eq(p.out, in_cwd("out.log"));
	ck_assert_str_eq(p.err, in_cwd("err.log"));
	ck_assert_str_eq(p.in, "/dev/null");
	ck_assert_str_eq(p.chdir, in_cwd("sub"));
	ck_assert_str_eq(p.pidfile, in_cwd("p.pid"));
	ck_assert_str_eq(p.name, "p");
	ck_assert_str_eq(p.piddir, "");
	/* No slash: left for the PATH search. */
	ck_assert_str_eq(p.command, "prog");
}
END_TEST

START_TEST(test_resolve_start_default_pidfile)
{
	RESOLVE_OK("start", "--", "./prog");
	ck_assert_str_eq(p.command, in_cwd("prog"));
	ck_assert_str_eq(p.name, "prog");
	ck_assert_str_eq(p.piddir, default_dir());
	ck_assert_str_eq(p.pidfile, in_default_dir("prog.pid"));

	RESOLVE_OK("start", "/usr/bin/prog2", "arg");
	ck_assert_str_eq(p.command, "/usr/bin/prog2");
	ck_assert_str_eq(p.name, "prog2");
	ck_assert_str_eq(p.pidfile, in_default_dir("prog2.pid"));

	RESOLVE_OK("start", "bin/prog3");
	ck_assert_str_eq(p.command, in_cwd("bin/prog3"));
	ck_assert_str_eq(p.name, "prog3");
	ck_assert_str_eq(p.pidfile, in_default_dir("prog3.pid"));
}
END_TEST

START_TEST(test_resolve_name)
{
	RESOLVE_OK("stop", "-n", "web");
	ck_assert_str_eq(p.name, "web");
	ck_assert_str_eq(p.piddir, default_dir());
	ck_assert_str_eq(p.pidfile, in_default_dir("web.pid"));

	/* -n wins over the command's name. */
	RESOLVE_OK("start", "-n", "db", "--", "./prog");
	ck_assert_str_eq(p.name, "db");
	ck_assert_str_eq(p.pidfile, in_default_dir("db.pid"));
	ck_assert_str_eq(p.command, in_cwd("prog"));
}
END_TEST

/* A command whose name cannot name a pidfile needs -n or -p. */
START_TEST(test_resolve_unnamable)
{
	ck_assert_int_eq(resolve("start", "--", ".hidden", NULL), -1);
	ck_assert_str_ne(err, "");
	ck_assert_int_eq(resolve("start", "--", "./.hidden", NULL), -1);
	ck_assert_str_ne(err, "");
	ck_assert_int_eq(resolve("start", "--", "dir/", NULL), -1);
	ck_assert_str_ne(err, "");

	RESOLVE_OK("start", "-n", "ok", "--", ".hidden");
	ck_assert_str_eq(p.name, "ok");
	RESOLVE_OK("start", "-p", "x.pid", "--", ".hidden");
	ck_assert_str_eq(p.pidfile, in_cwd("x.pid"));
}
END_TEST

START_TEST(test_resolve_empty_path)
{
	ck_assert_int_eq(resolve("status", "-p", "", NULL), -1);
	ck_assert_str_ne(err, "");
	ck_assert_int_eq(resolve("start", "-o", "", "--", "prog", NULL), -1);
	ck_assert_str_ne(err, "");
}
END_TEST

/*
 * paths_make_piddir, only ever on a scratch directory
 */

START_TEST(test_make_piddir)
{
	static struct paths pp;
	static char dir[PATH_MAX + 16];
	struct stat sb;
	char file[PATH_MAX + 16];

	memset(&pp, 0, sizeof(pp));
	pp.piddir = "";
	ck_assert_int_eq(paths_make_piddir(&pp), 0);

	ck_assert_int_lt(snprintf(dir, sizeof(dir), "%s/detach", cwd),
	    (int)sizeof(dir));
	pp.piddir = dir;
	umask(077);
	ck_assert_int_eq(paths_make_piddir(&pp), 0);
	ck_assert_int_eq(stat(pp.piddir, &sb), 0);
	ck_assert(S_ISDIR(sb.st_mode));
	/* 0755 whatever the umask. */
	ck_assert_uint_eq(sb.st_mode & 07777, 0755);
	/* Existing is fine. */
	ck_assert_int_eq(paths_make_piddir(&pp), 0);
	ck_assert_int_eq(rmdir(pp.piddir), 0);

	/* Something else in the way is not. */
	snprintf(file, sizeof(file), "%s/detach", cwd);
	ck_assert_int_eq(close(creat(file, 0600)), 0);
	errno = 0;
	ck_assert_int_eq(paths_make_piddir(&pp), -1);
	ck_assert_int_eq(errno, ENOTDIR);
	ck_assert_int_eq(unlink(file), 0);

	/* A missing parent is an error, not created. */
	ck_assert_int_lt(snprintf(dir, sizeof(dir), "%s/none/detach", cwd),
	    (int)sizeof(dir));
	ck_assert_int_eq(paths_make_piddir(&pp), -1);
	ck_assert_int_eq(errno, ENOENT);
}
END_TEST

static Suite *
paths_suite(void)
{
	Suite *s = suite_create("paths");
	TCase *tc;

	tc = tcase_create("absolute");
	tcase_add_loop_test(tc, test_absolute, 0, (int)NELEM(abs_cases));
	tcase_add_test(tc, test_absolute_too_long);
	suite_add_tcase(s, tc);

	tc = tcase_create("default_dir");
	tcase_add_test(tc, test_default_dir_root);
	tcase_add_test(tc, test_default_dir_user);
	tcase_add_test(tc, test_default_dir_fallback);
	tcase_add_test(tc, test_default_dir_too_long);
	suite_add_tcase(s, tc);

	tc = tcase_create("display_name");
	tcase_add_loop_test(tc, test_display_name, 0, (int)NELEM(name_cases));
	tcase_add_test(tc, test_display_name_bad);
	tcase_add_test(tc, test_display_name_dot_pid);
	suite_add_tcase(s, tc);

	tc = tcase_create("resolve");
	tcase_add_checked_fixture(tc, resolve_setup, resolve_teardown);
	tcase_add_test(tc, test_resolve_relative_pidfile);
	tcase_add_test(tc, test_resolve_absolute_pidfile);
	tcase_add_test(tc, test_resolve_start_paths);
	tcase_add_test(tc, test_resolve_start_default_pidfile);
	tcase_add_test(tc, test_resolve_name);
	tcase_add_test(tc, test_resolve_unnamable);
	tcase_add_test(tc, test_resolve_empty_path);
	tcase_add_test(tc, test_make_piddir);
	suite_add_tcase(s, tc);

	return s;
}

int
main(void)
{
	return unit_run(paths_suite());
}
