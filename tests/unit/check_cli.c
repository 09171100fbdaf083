/*
 * Unit tests for command-line parsing (src/cli.c).
 */
#include "config.h"

#include <check.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "schedule.h"
#include "unit.h"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))
#define MAXARGS		16

static struct detach_opts o;
static char err[256];

/*
 * getopt may permute argv, so it gets writable copies; owned keeps the
 * original pointers for freeing.
 */
static char *args[MAXARGS + 1];
static char *owned[MAXARGS + 1];

static void
release(void)
{
	int i;

	cli_free(&o);
	for (i = 0; owned[i] != NULL; i++) {
		free(owned[i]);
		owned[i] = NULL;
	}
	args[0] = NULL;
}

/* Parse "detach" followed by the given arguments. */
static int
parse_argv(const char *const *av)
{
	int argc = 0;

	release();
	owned[argc] = args[argc] = strdup("detach");
	ck_assert_ptr_nonnull(args[argc]);
	for (argc++; *av != NULL; av++, argc++) {
		ck_assert_int_lt(argc, MAXARGS);
		owned[argc] = args[argc] = strdup(*av);
		ck_assert_ptr_nonnull(args[argc]);
	}
	owned[argc] = args[argc] = NULL;
	err[0] = '\0';
	return cli_parse(argc, args, &o, err, sizeof(err));
}

static int
parse(const char *first, ...)
{
	const char *av[MAXARGS + 1];
	va_list ap;
	int n = 0;

	va_start(ap, first);
	for (av[n] = first; av[n] != NULL; av[n] = va_arg(ap, const char *)) {
		ck_assert_int_lt(n, MAXARGS);
		n++;
	}
	va_end(ap);
	return parse_argv(av);
}

#define PARSE_OK(...) do {						\
	int rc_ = parse(__VA_ARGS__, (const char *)NULL);		\
	ck_assert_msg(rc_ == 0, "cli_parse failed: %s", err);		\
} while (0)

#define PARSE_BAD(...) do {						\
	int rc_ = parse(__VA_ARGS__, (const char *)NULL);		\
	ck_assert_int_eq(rc_, -1);					\
	ck_assert_msg(err[0] != '\0', "no message for a usage error");	\
} while (0)

static void
sched_is(int sig1, int64_t t1, int sig2, int64_t t2)
{
	ck_assert_int_eq(o.sched.n, 4);
	ck_assert_int_eq(o.sched.items[0].type, SCHED_SIGNAL);
	ck_assert_int_eq(o.sched.items[0].value, sig1);
	ck_assert_int_eq(o.sched.items[1].type, SCHED_TIMEOUT);
	ck_assert_int_eq(o.sched.items[1].value, t1);
	ck_assert_int_eq(o.sched.items[2].type, SCHED_SIGNAL);
	ck_assert_int_eq(o.sched.items[2].value, sig2);
	ck_assert_int_eq(o.sched.items[3].type, SCHED_TIMEOUT);
	ck_assert_int_eq(o.sched.items[3].value, t2);
}

/*
 * help and version
 */

static const char *const help_argv[][5] = {
	{ "--help", NULL },
	{ "-h", NULL },
	{ "start", "--help", NULL },
	{ "start", "-h", NULL },
	{ "start", "-p", "f", "--help" },
	{ "stop", "--help", NULL },
	{ "status", "-p", "f", "-h" },
	{ "signal", "-h", NULL },
	{ "restart", "--help", NULL },
};

START_TEST(test_help)
{
	int rc = parse_argv(help_argv[_i]);

	ck_assert_msg(rc == 0, "cli_parse failed: %s", err);
	ck_assert_int_eq(o.verb, VERB_HELP);
}
END_TEST

START_TEST(test_version)
{
	PARSE_OK("--version");
	ck_assert_int_eq(o.verb, VERB_VERSION);
	PARSE_OK("-V");
	ck_assert_int_eq(o.verb, VERB_VERSION);
	PARSE_OK("stop", "--version");
	ck_assert_int_eq(o.verb, VERB_VERSION);
}
END_TEST

/* After COMMAND, --help is the command's. */
START_TEST(test_help_after_command)
{
	PARSE_OK("start", "-p", "f", "cmd", "--help");
	ck_assert_int_eq(o.verb, VERB_START);
	ck_assert_str_eq(o.command[0], "cmd");
	ck_assert_str_eq(o.command[1], "--help");
	ck_assert_ptr_null(o.command[2]);
}
END_TEST

/*
 * start
 */

START_TEST(test_start_basic)
{
	PARSE_OK("start", "-p", "f", "--", "cmd", "-x");
	ck_assert_int_eq(o.verb, VERB_START);
	ck_assert_str_eq(o.pidfile, "f");
	ck_assert_ptr_nonnull(o.command);
	ck_assert_str_eq(o.command[0], "cmd");
	ck_assert_str_eq(o.command[1], "-x");
	ck_assert_ptr_null(o.command[2]);
}
END_TEST

START_TEST(test_start_command_options)
{
	PARSE_OK("start", "-p", "f", "cmd", "-o", "x");
	ck_assert_str_eq(o.command[0], "cmd");
	ck_assert_str_eq(o.command[1], "-o");
	ck_assert_str_eq(o.command[2], "x");
	ck_assert_ptr_null(o.command[3]);
	ck_assert_ptr_null(o.out);

	/* A start-only option after COMMAND is not ours either. */
	PARSE_OK("start", "cmd", "-p", "g", "--", "y");
	ck_assert_ptr_null(o.pidfile);
	ck_assert_str_eq(o.command[0], "cmd");
	ck_assert_str_eq(o.command[1], "-p");
	ck_assert_str_eq(o.command[2], "g");
	ck_assert_str_eq(o.command[3], "--");
	ck_assert_str_eq(o.command[4], "y");
	ck_assert_ptr_null(o.command[5]);
}
END_TEST

START_TEST(test_start_defaults)
{
	PARSE_OK("start", "--", "cmd");
	ck_assert_int_eq(o.verb, VERB_START);
	ck_assert_ptr_null(o.pidfile);
	ck_assert_ptr_null(o.name);
	ck_assert_ptr_null(o.out);
	ck_assert_ptr_null(o.err);
	ck_assert_ptr_null(o.in);
	ck_assert_ptr_null(o.chdir);
	ck_assert_int_eq(o.umask, 022);
	ck_assert_int_eq(o.signal, SIGTERM);
	ck_assert_int_eq(o.timeout_ms, 10000);
	ck_assert_int_eq(o.truncate, 0);
	ck_assert_int_eq(o.foreground, 0);
	ck_assert_int_eq(o.oknodo, 0);
	ck_assert_ptr_nonnull(o.env);
	ck_assert_ptr_null(o.env[0]);
	sched_is(SIGTERM, 10000, SIGKILL, 5000);
}
END_TEST

START_TEST(test_start_umask)
{
	PARSE_OK("start", "-m", "077", "cmd");
	ck_assert_int_eq(o.umask, 077);
	PARSE_OK("start", "--umask=0", "cmd");
	ck_assert_int_eq(o.umask, 0);
	PARSE_OK("start", "--umask", "0777", "cmd");
	ck_assert_int_eq(o.umask, 0777);
}
END_TEST

START_TEST(test_start_env)
{
	PARSE_OK("start", "-E", "A=1", "-E", "B=2", "cmd");
	ck_assert_str_eq(o.env[0], "A=1");
	ck_assert_str_eq(o.env[1], "B=2");
	ck_assert_ptr_null(o.env[2]);

	/* Every spelling, as many as argv can hold. */
	PARSE_OK("start", "-EA=1", "--env=B=", "--env", "C=x=y", "-E", "D=",
	    "-ED=2", "-EF=", "-EG=", "-EH=", "-EI=", "cmd");
	ck_assert_str_eq(o.env[0], "A=1");
	ck_assert_str_eq(o.env[1], "B=");
	ck_assert_str_eq(o.env[2], "C=x=y");
	ck_assert_str_eq(o.env[3], "D=");
	ck_assert_str_eq(o.env[4], "D=2");
	ck_assert_str_eq(o.env[8], "I=");
	ck_assert_ptr_null(o.env[9]);
	ck_assert_str_eq(o.command[0], "cmd");
}
END_TEST

START_TEST(test_start_flags)
{
	PARSE_OK("start", "--truncate", "-f", "--oknodo", "cmd");
	ck_assert_int_eq(o.truncate, 1);
	ck_assert_int_eq(o.foreground, 1);
	ck_assert_int_eq(o.oknodo, 1);
	PARSE_OK("start", "--foreground", "cmd");
	ck_assert_int_eq(o.foreground, 1);
	ck_assert_int_eq(o.truncate, 0);
	ck_assert_int_eq(o.oknodo, 0);
}
END_TEST

START_TEST(test_start_paths)
{
	PARSE_OK("start", "-o", "out", "-e", "errf", "-i", "in", "-C", "dir",
	    "-n", "web", "-p", "pid", "cmd");
	ck_assert_str_eq(o.out, "out");
	ck_assert_str_eq(o.err, "errf");
	ck_assert_str_eq(o.in, "in");
	ck_assert_str_eq(o.chdir, "dir");
	ck_assert_str_eq(o.name, "web");
	ck_assert_str_eq(o.pidfile, "pid");

	PARSE_OK("start", "--stdout=o2", "--stderr", "e2", "--stdin=i2",
	    "--chdir=/", "--name=db", "--pidfile=p2", "cmd");
	ck_assert_str_eq(o.out, "o2");
	ck_assert_str_eq(o.err, "e2");
	ck_assert_str_eq(o.in, "i2");
	ck_assert_str_eq(o.chdir, "/");
	ck_assert_str_eq(o.name, "db");
	ck_assert_str_eq(o.pidfile, "p2");
}
END_TEST

/*
 * stop, status, signal, restart
 */

START_TEST(test_stop_signal_timeout)
{
	PARSE_OK("stop", "-p", "f", "-s", "INT", "-t", "3");
	ck_assert_int_eq(o.verb, VERB_STOP);
	ck_assert_str_eq(o.pidfile, "f");
	ck_assert_int_eq(o.signal, SIGINT);
	ck_assert_int_eq(o.timeout_ms, 3000);
	sched_is(SIGINT, 3000, SIGKILL, 5000);

	PARSE_OK("stop", "--pidfile=f", "--signal=sighup", "--timeout=0.5");
	sched_is(SIGHUP, 500, SIGKILL, 5000);
}
END_TEST

/* -R N uses -s wherever it is given. */
START_TEST(test_stop_retry_bare)
{
	PARSE_OK("stop", "-p", "f", "-s", "HUP", "-R", "5");
	sched_is(SIGHUP, 5000, SIGKILL, 5000);
	PARSE_OK("stop", "-p", "f", "-R", "5", "-s", "HUP");
	sched_is(SIGHUP, 5000, SIGKILL, 5000);
	PARSE_OK("stop", "-p", "f", "--retry=2");
	sched_is(SIGTERM, 2000, SIGKILL, 2000);
}
END_TEST

START_TEST(test_stop_retry_overrides_timeout)
{
	PARSE_OK("stop", "-p", "f", "-t", "1", "-R", "INT/2/KILL/3");
	sched_is(SIGINT, 2000, SIGKILL, 3000);
	PARSE_OK("stop", "-p", "f", "-R", "7", "-t", "1");
	sched_is(SIGTERM, 7000, SIGKILL, 7000);
	PARSE_OK("stop", "-p", "f", "-R", "TERM/5/forever");
	ck_assert_int_eq(o.sched.n, 3);
	ck_assert_int_eq(o.sched.items[2].type, SCHED_GOTO);
}
END_TEST

START_TEST(test_stop_name_oknodo)
{
	PARSE_OK("stop", "-n", "web", "--oknodo");
	ck_assert_int_eq(o.verb, VERB_STOP);
	ck_assert_ptr_null(o.pidfile);
	ck_assert_str_eq(o.name, "web");
	ck_assert_int_eq(o.oknodo, 1);
	ck_assert_ptr_null(o.command);
}
END_TEST

START_TEST(test_status)
{
	PARSE_OK("status", "-p", "f");
	ck_assert_int_eq(o.verb, VERB_STATUS);
	ck_assert_str_eq(o.pidfile, "f");
	ck_assert_ptr_null(o.command);
	PARSE_OK("status", "-n", "a.b");
	ck_assert_int_eq(o.verb, VERB_STATUS);
	ck_assert_str_eq(o.name, "a.b");
}
END_TEST

START_TEST(test_signal)
{
	PARSE_OK("signal", "-p", "f", "HUP");
	ck_assert_int_eq(o.verb, VERB_SIGNAL);
	ck_assert_str_eq(o.pidfile, "f");
	ck_assert_int_eq(o.send_signal, SIGHUP);

	/*
	 * Other verbs than start let options follow operands.  glibc stops
	 * permuting under POSIXLY_CORRECT, so keep it out of this test.
	 */
	unsetenv("POSIXLY_CORRECT");
	PARSE_OK("signal", "HUP", "-p", "f");
	ck_assert_int_eq(o.verb, VERB_SIGNAL);
	ck_assert_str_eq(o.pidfile, "f");
	ck_assert_int_eq(o.send_signal, SIGHUP);

	PARSE_OK("signal", "-n", "web", "--", "usr1");
	ck_assert_int_eq(o.send_signal, SIGUSR1);
	ck_assert_str_eq(o.name, "web");
	PARSE_OK("signal", "-p", "f", "10");
	ck_assert_int_eq(o.send_signal, 10);

	PARSE_OK("stop", "--oknodo", "-p", "f");
	ck_assert_int_eq(o.oknodo, 1);
}
END_TEST

START_TEST(test_restart)
{
	PARSE_OK("restart", "-p", "f", "-t", "1", "-o", "log", "--", "cmd");
	ck_assert_int_eq(o.verb, VERB_RESTART);
	ck_assert_str_eq(o.pidfile, "f");
	ck_assert_int_eq(o.timeout_ms, 1000);
	ck_assert_str_eq(o.out, "log");
	ck_assert_str_eq(o.command[0], "cmd");
	ck_assert_ptr_null(o.command[1]);
	sched_is(SIGTERM, 1000, SIGKILL, 5000);

	PARSE_OK("restart", "-s", "INT", "-m", "0", "-E", "A=1", "cmd", "-t");
	ck_assert_int_eq(o.signal, SIGINT);
	ck_assert_int_eq(o.umask, 0);
	ck_assert_str_eq(o.env[0], "A=1");
	ck_assert_str_eq(o.command[1], "-t");
}
END_TEST

START_TEST(test_verb_kinds)
{
	ck_assert(cli_verb_starts(VERB_START));
	ck_assert(cli_verb_starts(VERB_RESTART));
	ck_assert(!cli_verb_starts(VERB_STOP));
	ck_assert(!cli_verb_starts(VERB_STATUS));
	ck_assert(!cli_verb_starts(VERB_SIGNAL));
	ck_assert(cli_verb_stops(VERB_STOP));
	ck_assert(cli_verb_stops(VERB_RESTART));
	ck_assert(!cli_verb_stops(VERB_START));
	ck_assert(!cli_verb_stops(VERB_STATUS));
	ck_assert(!cli_verb_stops(VERB_SIGNAL));
}
END_TEST

/* Each call starts from scratch: no state leaks from an earlier parse. */
START_TEST(test_reparse)
{
	PARSE_BAD("stop", "-p");
	PARSE_OK("signal", "HUP", "-p", "a");
	PARSE_OK("start", "-f", "-E", "A=1", "cmd");
	PARSE_OK("stop", "-n", "b");
	ck_assert_int_eq(o.verb, VERB_STOP);
	ck_assert_ptr_null(o.pidfile);
	ck_assert_str_eq(o.name, "b");
	ck_assert_int_eq(o.foreground, 0);
	ck_assert_ptr_null(o.command);
	ck_assert_ptr_null(o.env[0]);
	PARSE_OK("status", "-p", "c");
	ck_assert_str_eq(o.pidfile, "c");
	ck_assert_ptr_null(o.name);
}
END_TEST

/*
 * Usage errors
 */

static const char *const bad_argv[][8] = {
	/* verbs */
	{ NULL },
	{ "bogus", NULL },
	{ "START", NULL },
	{ "", NULL },
	{ "-p", "f", "stop" },
	/* unknown options */
	{ "stop", "-p", "f", "-x", NULL },
	{ "stop", "-p", "f", "--bogus", NULL },
	{ "start", "-x", "cmd", NULL },
	{ "start", "--bogus=1", "cmd", NULL },
	{ "stop", "-p", "f", "--oknodo=x", NULL },
	{ "start", "--truncate=x", "cmd", NULL },
	{ "stop", "-p", "f", "--help=x", NULL },
	/* missing values */
	{ "start", "-p", NULL },
	{ "stop", "--pidfile", NULL },
	{ "stop", "-p", "f", "-t", NULL },
	{ "start", "-E", NULL },
	{ "restart", "-p", "f", "-o", NULL },
	/* operands */
	{ "start", "-p", "f", NULL },
	{ "start", "-p", "f", "--", NULL },
	{ "start", "-p", "f", "", NULL },
	{ "restart", "-p", "f", NULL },
	{ "stop", NULL },
	{ "stop", "--oknodo", NULL },
	{ "status", NULL },
	{ "signal", "HUP", NULL },
	{ "status", "-p", "f", "extra", NULL },
	{ "stop", "-p", "f", "extra", NULL },
	{ "signal", "-p", "f", NULL },
	{ "signal", "-p", "f", "NOPE", NULL },
	{ "signal", "-p", "f", "0", NULL },
	{ "signal", "-p", "f", "HUP", "TERM", NULL },
	/* options for the other kind of verb */
	{ "stop", "-p", "f", "-o", "x", NULL },
	{ "stop", "-p", "f", "--truncate", NULL },
	{ "status", "-p", "f", "-f", NULL },
	{ "status", "-p", "f", "-m", "022", NULL },
	{ "signal", "-p", "f", "-E", "A=1", "HUP", NULL },
	{ "signal", "-p", "f", "-s", "INT", "HUP", NULL },
	{ "status", "-p", "f", "-t", "1", NULL },
	{ "stop", "-p", "f", "-u", "nobody", NULL },
	{ "status", "-p", "f", "--wait-ready", NULL },
	{ "start", "-p", "f", "--wait=1", "--wait-ready", "cmd", NULL },
	/* bad values */
	{ "start", "-p", "f", "-m", "9", "cmd", NULL },
	{ "start", "-p", "f", "-m", "1000", "cmd", NULL },
	{ "start", "-p", "f", "-E", "novalue", "cmd", NULL },
	{ "start", "-p", "f", "-E", "=v", "cmd", NULL },
	{ "stop", "-p", "f", "-t", "abc", NULL },
	{ "stop", "-p", "f", "-t", "-1", NULL },
	{ "stop", "-p", "f", "-t", "", NULL },
	{ "stop", "-p", "f", "-s", "NOPE", NULL },
	{ "stop", "-p", "f", "-s", "0", NULL },
	{ "stop", "-p", "f", "-R", "TERM", NULL },
	{ "stop", "-p", "f", "-R", "TERM/forever", NULL },
	{ "stop", "-p", "f", "-R", "", NULL },
	{ "stop", "-p", "f", "-R", "x/5", NULL },
	{ "stop", "-n", "a/b", NULL },
	{ "stop", "-n", ".web", NULL },
	{ "stop", "-n", "", NULL },
	{ "start", "-n", "a/b", "--", "cmd", NULL },
	{ "start", "--name=.", "cmd", NULL },
};

START_TEST(test_bad)
{
	int rc = parse_argv(bad_argv[_i]);

	ck_assert_msg(rc == -1, "case %d (%s %s ...) accepted", _i,
	    bad_argv[_i][0] != NULL ? bad_argv[_i][0] : "",
	    bad_argv[_i][0] != NULL && bad_argv[_i][1] != NULL ?
	    bad_argv[_i][1] : "");
	ck_assert_msg(err[0] != '\0', "case %d: no message", _i);
	ck_assert_ptr_nonnull(memchr(err, '\0', sizeof(err)));
}
END_TEST

/* A misplaced option is named in the message. */
START_TEST(test_bad_scope_message)
{
	PARSE_BAD("stop", "-p", "f", "-o", "x");
	ck_assert_ptr_nonnull(strstr(err, "-o"));
	PARSE_BAD("status", "-p", "f", "--timeout=1");
	ck_assert_ptr_nonnull(strstr(err, "--timeout"));
}
END_TEST

START_TEST(test_bad_small_err)
{
	char small[8];
	char *av[] = { NULL, NULL, NULL };
	char prog[] = "detach", verb[] = "bogus-verb-name";

	av[0] = prog;
	av[1] = verb;
	memset(small, 'x', sizeof(small));
	ck_assert_int_eq(cli_parse(2, av, &o, small, sizeof(small)), -1);
	ck_assert_uint_eq(strlen(small), sizeof(small) - 1);
	cli_free(&o);
}
END_TEST

static Suite *
cli_suite(void)
{
	Suite *s = suite_create("cli");
	TCase *tc;

	tc = tcase_create("meta");
	tcase_add_checked_fixture(tc, NULL, release);
	tcase_add_loop_test(tc, test_help, 0, (int)NELEM(help_argv));
	tcase_add_test(tc, test_version);
	tcase_add_test(tc, test_help_after_command);
	tcase_add_test(tc, test_verb_kinds);
	tcase_add_test(tc, test_reparse);
	suite_add_tcase(s, tc);

	tc = tcase_create("start");
	tcase_add_checked_fixture(tc, NULL, release);
	tcase_add_test(tc, test_start_basic);
	tcase_add_test(tc, test_start_command_options);
	tcase_add_test(tc, test_start_defaults);
	tcase_add_test(tc, test_start_umask);
	tcase_add_test(tc, test_start_env);
	tcase_add_test(tc, test_start_flags);
	tcase_add_test(tc, test_start_paths);
	suite_add_tcase(s, tc);

	tc = tcase_create("stop");
	tcase_add_checked_fixture(tc, NULL, release);
	tcase_add_test(tc, test_stop_signal_timeout);
	tcase_add_test(tc, test_stop_retry_bare);
	tcase_add_test(tc, test_stop_retry_overrides_timeout);
	tcase_add_test(tc, test_stop_name_oknodo);
	tcase_add_test(tc, test_status);
	tcase_add_test(tc, test_signal);
	tcase_add_test(tc, test_restart);
	suite_add_tcase(s, tc);

	tc = tcase_create("errors");
	tcase_add_checked_fixture(tc, NULL, release);
	tcase_add_loop_test(tc, test_bad, 0, (int)NELEM(bad_argv));
	tcase_add_test(tc, test_bad_scope_message);
	tcase_add_test(tc, test_bad_small_err);
	suite_add_tcase(s, tc);

	return s;
}

int
main(void)
{
	return unit_run(cli_suite());
}
