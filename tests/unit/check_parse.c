/*
 * Unit tests for the pure converters in src/parse.c.
 */
#include "config.h"

#include <check.h>
#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "cli.h"
#include "parse.h"
#include "unit.h"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

/* Outputs start as this, so failures can be seen to leave them alone. */
#define SENTINEL	4242

/*
 * parse_pid
 */

struct pid_case {
	const char	*buf;
	size_t		 len;
	pid_t		 want;
};

#define PC(s, w)	{ s, sizeof(s) - 1, w }

static const struct pid_case pid_good[] = {
	PC("123", 123),
	PC("123\n", 123),
	PC("2", 2),
	PC("2147483647", 2147483647),
	PC("2147483647\n", 2147483647),
};

/* The length is explicit, so embedded NULs are part of the input. */
static const struct pid_case pid_bad[] = {
	PC("", 0),
	PC("\n", 0),
	PC("0", 0),
	PC("0\n", 0),
	PC("1", 0),
	PC("1\n", 0),
	PC("-1", 0),
	PC("+5", 0),
	PC(" 5", 0),
	PC("5 ", 0),
	PC("5\n\n", 0),
	PC("\n5", 0),
	PC("5\r\n", 0),
	PC("12a", 0),
	PC("abc", 0),
	PC("0123", 0),
	PC("00", 0),
	PC("2147483648", 0),
	PC("4294967297", 0),
	PC("99999999999999999999999999999999", 0),
	PC("12\0", 0),
	PC("1\0002", 0),
	PC("\0" "12", 0),
	PC("12\n\0", 0),
};

START_TEST(test_pid_good)
{
	const struct pid_case *c = &pid_good[_i];
	pid_t pid = SENTINEL;

	ck_assert_msg(parse_pid(c->buf, c->len, &pid) == 0,
	    "parse_pid(\"%s\") failed", c->buf);
	ck_assert_int_eq(pid, c->want);
}
END_TEST

START_TEST(test_pid_bad)
{
	const struct pid_case *c = &pid_bad[_i];
	pid_t pid = SENTINEL;

	ck_assert_msg(parse_pid(c->buf, c->len, &pid) == -1,
	    "parse_pid(case %d, \"%s\") accepted", _i, c->buf);
	ck_assert_int_eq(pid, SENTINEL);
}
END_TEST

/* A pidfile read into a buffer is not NUL-terminated. */
START_TEST(test_pid_unterminated)
{
	const char buf[] = { '3', '1', '4', '1', '5' };
	pid_t pid = SENTINEL;

	ck_assert_int_eq(parse_pid(buf, 3, &pid), 0);
	ck_assert_int_eq(pid, 314);
	ck_assert_int_eq(parse_pid(buf, sizeof(buf), &pid), 0);
	ck_assert_int_eq(pid, 31415);
	pid = SENTINEL;
	ck_assert_int_eq(parse_pid(buf, 0, &pid), -1);
	ck_assert_int_eq(pid, SENTINEL);
}
END_TEST

/*
 * parse_signal, signal_name
 */

struct sig_case {
	const char	*s;
	int		 want;
};

static const struct sig_case sig_good[] = {
	{ "TERM", SIGTERM },
	{ "term", SIGTERM },
	{ "Term", SIGTERM },
	{ "SIGTERM", SIGTERM },
	{ "sigkill", SIGKILL },
	{ "SigKill", SIGKILL },
	{ "9", 9 },
	{ "15", 15 },
	{ "1", 1 },
	{ "HUP", SIGHUP },
	{ "INT", SIGINT },
	{ "QUIT", SIGQUIT },
	{ "USR1", SIGUSR1 },
	{ "USR2", SIGUSR2 },
	{ "CHLD", SIGCHLD },
	{ "CLD", SIGCHLD },
	{ "IOT", SIGABRT },
	{ "ABRT", SIGABRT },
	{ "CONT", SIGCONT },
	{ "STOP", SIGSTOP },
	{ "WINCH", SIGWINCH },
	{ "SYS", SIGSYS },
};

static const char *const sig_bad[] = {
	"", "0", "00", "09", "65", "99999999999", "FOO", "-TERM", "-15",
	"+15", " TERM", "TERM ", "SIG", "SIGSIGTERM", "TERMX", "9x",
	"RTMIN+99", "RTMIN+", "RTMIN-1", "RTMAX+1", "RTMAX-", "RTMIN+01",
	"RTMINX", "RTMIN 1", "RTMAX-99",
};

START_TEST(test_signal_good)
{
	const struct sig_case *c = &sig_good[_i];
	int sig = SENTINEL;

	ck_assert_msg(parse_signal(c->s, &sig) == 0,
	    "parse_signal(\"%s\") failed", c->s);
	ck_assert_int_eq(sig, c->want);
}
END_TEST

START_TEST(test_signal_bad)
{
	int sig = SENTINEL;

	ck_assert_msg(parse_signal(sig_bad[_i], &sig) == -1,
	    "parse_signal(\"%s\") accepted", sig_bad[_i]);
	ck_assert_int_eq(sig, SENTINEL);
}
END_TEST

/* SIGRTMIN and SIGRTMAX are not constants in glibc. */
START_TEST(test_signal_realtime)
{
	char buf[32];
	int sig;

	ck_assert_int_eq(parse_signal("RTMIN", &sig), 0);
	ck_assert_int_eq(sig, SIGRTMIN);
	ck_assert_int_eq(parse_signal("RTMIN+1", &sig), 0);
	ck_assert_int_eq(sig, SIGRTMIN + 1);
	ck_assert_int_eq(parse_signal("sigrtmin+2", &sig), 0);
	ck_assert_int_eq(sig, SIGRTMIN + 2);
	ck_assert_int_eq(parse_signal("RTMAX", &sig), 0);
	ck_assert_int_eq(sig, SIGRTMAX);
	ck_assert_int_eq(parse_signal("RTMAX-1", &sig), 0);
	ck_assert_int_eq(sig, SIGRTMAX - 1);
	ck_assert_int_eq(parse_signal("SIGRTMAX-0", &sig), 0);
	ck_assert_int_eq(sig, SIGRTMAX);

	/* The whole real-time range, and not one past either end. */
	snprintf(buf, sizeof(buf), "RTMIN+%d", SIGRTMAX - SIGRTMIN);
	ck_assert_int_eq(parse_signal(buf, &sig), 0);
	ck_assert_int_eq(sig, SIGRTMAX);
	snprintf(buf, sizeof(buf), "RTMAX-%d", SIGRTMAX - SIGRTMIN);
	ck_assert_int_eq(parse_signal(buf, &sig), 0);
	ck_assert_int_eq(sig, SIGRTMIN);
	sig = SENTINEL;
	snprintf(buf, sizeof(buf), "RTMIN+%d", SIGRTMAX - SIGRTMIN + 1);
	ck_assert_int_eq(parse_signal(buf, &sig), -1);
	snprintf(buf, sizeof(buf), "RTMAX-%d", SIGRTMAX - SIGRTMIN + 1);
	ck_assert_int_eq(parse_signal(buf, &sig), -1);
	ck_assert_int_eq(sig, SENTINEL);

	/* Numbers go up to SIGRTMAX. */
	snprintf(buf, sizeof(buf), "%d", SIGRTMAX);
	ck_assert_int_eq(parse_signal(buf, &sig), 0);
	ck_assert_int_eq(sig, SIGRTMAX);
	sig = SENTINEL;
	snprintf(buf, sizeof(buf), "%d", SIGRTMAX + 1);
	ck_assert_int_eq(parse_signal(buf, &sig), -1);
	ck_assert_int_eq(sig, SENTINEL);
}
END_TEST

START_TEST(test_signal_name)
{
	char buf[32];

	ck_assert_int_eq(signal_name(SIGTERM, buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, "TERM");
	ck_assert_int_eq(signal_name(SIGKILL, buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, "KILL");
	ck_assert_int_eq(signal_name(SIGHUP, buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, "HUP");
	/* Aliases come second: the canonical name is the one shown. */
	ck_assert_int_eq(signal_name(SIGABRT, buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, "ABRT");
	ck_assert_int_eq(signal_name(SIGCHLD, buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, "CHLD");
	ck_assert_int_eq(signal_name(SIGRTMIN, buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, "RTMIN");
	ck_assert_int_eq(signal_name(SIGRTMIN + 3, buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, "RTMIN+3");
}
END_TEST

START_TEST(test_signal_name_small)
{
	char buf[8];

	memset(buf, 'x', sizeof(buf));
	ck_assert_int_eq(signal_name(SIGTERM, buf, 4), -1);
	ck_assert_int_eq(signal_name(SIGTERM, buf, 5), 0);
	ck_assert_str_eq(buf, "TERM");
	ck_assert_int_eq(signal_name(SIGRTMIN + 3, buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, "RTMIN+3");
	ck_assert_int_eq(signal_name(SIGRTMIN + 10, buf, sizeof(buf)), -1);
	ck_assert_int_eq(signal_name(SIGHUP, buf, 1), -1);
	ck_assert_int_eq(signal_name(SIGHUP, buf, 0), -1);
}
END_TEST

/* Every signal's name parses back to the same signal. */
START_TEST(test_signal_round_trip)
{
	char buf[32];
	int sig, back;

	for (sig = 1; sig <= SIGRTMAX; sig++) {
		ck_assert_int_eq(signal_name(sig, buf, sizeof(buf)), 0);
		ck_assert_msg(parse_signal(buf, &back) == 0,
		    "signal %d: name \"%s\" does not parse", sig, buf);
		ck_assert_msg(back == sig, "signal %d: \"%s\" parses as %d",
		    sig, buf, back);
	}
}
END_TEST

/*
 * parse_duration
 */

struct dur_case {
	const char	*s;
	int64_t		 want;
};

static const struct dur_case dur_good[] = {
	{ "10", 10000 },
	{ "0", 0 },
	{ "0.5", 500 },
	{ "2.25", 2250 },
	{ "1.0005", 1000 },
	{ "0.001", 1 },
	{ "0.0009", 0 },
	{ "0.999999", 999 },
	{ "3.10", 3100 },
	{ "1000000000", 1000000000000LL },
};

static const char *const dur_bad[] = {
	"", ".", "1.", ".5", "-1", "+1", "1e3", "abc", "01", "00", "00.5",
	" 1", "1 ", "1.5s", "1..5", "1.5.5", "1,5", "1000000001",
	"99999999999999999999999",
};

START_TEST(test_duration_good)
{
	const struct dur_case *c = &dur_good[_i];
	int64_t ms = SENTINEL;

	ck_assert_msg(parse_duration(c->s, &ms) == 0,
	    "parse_duration(\"%s\") failed", c->s);
	ck_assert_msg(ms == c->want, "parse_duration(\"%s\") = %lld, "
	    "want %lld", c->s, (long long)ms, (long long)c->want);
}
END_TEST

START_TEST(test_duration_bad)
{
	int64_t ms = SENTINEL;

	ck_assert_msg(parse_duration(dur_bad[_i], &ms) == -1,
	    "parse_duration(\"%s\") accepted", dur_bad[_i]);
	ck_assert_int_eq(ms, SENTINEL);
}
END_TEST

/*
 * parse_umask
 */

struct umask_case {
	const char	*s;
	mode_t		 want;
};

static const struct umask_case umask_good[] = {
	{ "022", 022 },
	{ "0", 0 },
	{ "777", 0777 },
	{ "0777", 0777 },
	{ "077", 077 },
	{ "0000", 0 },
	{ "7", 07 },
};

static const char *const umask_bad[] = {
	"8", "9", "1000", "", "abc", "-1", "+1", "07777", "00000", "0x1",
	" 22", "22 ", "0778",
};

START_TEST(test_umask_good)
{
	const struct umask_case *c = &umask_good[_i];
	mode_t m = SENTINEL;

	ck_assert_msg(parse_umask(c->s, &m) == 0,
	    "parse_umask(\"%s\") failed", c->s);
	ck_assert_uint_eq(m, c->want);
}
END_TEST

START_TEST(test_umask_bad)
{
	mode_t m = SENTINEL;

	ck_assert_msg(parse_umask(umask_bad[_i], &m) == -1,
	    "parse_umask(\"%s\") accepted", umask_bad[_i]);
	ck_assert_uint_eq(m, SENTINEL);
}
END_TEST

/*
 * parse_count
 */

START_TEST(test_count)
{
	long long v;

	ck_assert_int_eq(parse_count("5", 1, 10, &v), 0);
	ck_assert_int_eq(v, 5);
	ck_assert_int_eq(parse_count("1", 1, 10, &v), 0);
	ck_assert_int_eq(v, 1);
	ck_assert_int_eq(parse_count("10", 1, 10, &v), 0);
	ck_assert_int_eq(v, 10);
	ck_assert_int_eq(parse_count("0", 0, 10, &v), 0);
	ck_assert_int_eq(v, 0);
	ck_assert_int_eq(parse_count("9223372036854775807", 0, LLONG_MAX,
	    &v), 0);
	ck_assert(v == LLONG_MAX);

	v = SENTINEL;
	ck_assert_int_eq(parse_count("0", 1, 10, &v), -1);
	ck_assert_int_eq(parse_count("11", 1, 10, &v), -1);
	ck_assert_int_eq(parse_count("100", 1, 10, &v), -1);
	ck_assert_int_eq(parse_count("4", 5, 10, &v), -1);
	ck_assert_int_eq(parse_count("", 0, 10, &v), -1);
	ck_assert_int_eq(parse_count("-1", -5, 10, &v), -1);
	ck_assert_int_eq(parse_count("+1", 0, 10, &v), -1);
	ck_assert_int_eq(parse_count("05", 0, 10, &v), -1);
	ck_assert_int_eq(parse_count("5x", 0, 10, &v), -1);
	ck_assert_int_eq(parse_count(" 5", 0, 10, &v), -1);
	ck_assert_int_eq(parse_count("9223372036854775808", 0, LLONG_MAX,
	    &v), -1);
	ck_assert_int_eq(v, SENTINEL);
}
END_TEST

/*
 * parse_env_assign, parse_daemon_name
 */

/* Found by fuzzing: one digit above a maximum below 9 slipped through. */
START_TEST(test_count_small_max)
{
	long long v = 42;

	ck_assert_int_eq(parse_count("9", 1, 6, &v), -1);
	ck_assert_int_eq(parse_count("7", 0, 6, &v), -1);
	ck_assert_int_eq(v, 42);
	ck_assert_int_eq(parse_count("6", 0, 6, &v), 0);
	ck_assert_int_eq(v, 6);
}
END_TEST

/* Sizes: bytes, K, M, G (1024-based, either case), at least 1. */
START_TEST(test_size)
{
	int64_t v = 42;

	ck_assert_int_eq(parse_size("1", 1LL << 40, &v), 0);
	ck_assert_int_eq(v, 1);
	ck_assert_int_eq(parse_size("64K", 1LL << 40, &v), 0);
	ck_assert_int_eq(v, 65536);
	ck_assert_int_eq(parse_size("64k", 1LL << 40, &v), 0);
	ck_assert_int_eq(v, 65536);
	ck_assert_int_eq(parse_size("10M", 1LL << 40, &v), 0);
	ck_assert_int_eq(v, 10485760);
	ck_assert_int_eq(parse_size("2g", 1LL << 40, &v), 0);
	ck_assert_int_eq(v, 2147483648LL);
	ck_assert_int_eq(parse_size("1024G", 1LL << 40, &v), 0);
	ck_assert_int_eq(v, 1LL << 40);
	v = 42;
	ck_assert_int_eq(parse_size("1025G", 1LL << 40, &v), -1);
	ck_assert_int_eq(parse_size("0", 1LL << 40, &v), -1);
	ck_assert_int_eq(parse_size("0K", 1LL << 40, &v), -1);
	ck_assert_int_eq(parse_size("", 1LL << 40, &v), -1);
	ck_assert_int_eq(parse_size("K", 1LL << 40, &v), -1);
	ck_assert_int_eq(parse_size("abc", 1LL << 40, &v), -1);
	ck_assert_int_eq(parse_size("-1", 1LL << 40, &v), -1);
	ck_assert_int_eq(parse_size("1.5M", 1LL << 40, &v), -1);
	ck_assert_int_eq(parse_size("10X", 1LL << 40, &v), -1);
	ck_assert_int_eq(parse_size("10KB", 1LL << 40, &v), -1);
	ck_assert_int_eq(parse_size(" 1", 1LL << 40, &v), -1);
	ck_assert_int_eq(v, 42);
}
END_TEST

/* parse_limit leaves its output alone when it fails (fuzzing again). */
START_TEST(test_limit)
{
	struct limit l = { .resource = -1, .soft = 7, .hard = 7 };

	ck_assert_int_eq(parse_limit("stack=8:x", &l), -1);
	ck_assert_int_eq(parse_limit("nofile=10:5", &l), -1);
	ck_assert_int_eq(parse_limit("core=unlimited:5", &l), -1);
	ck_assert_int_eq(parse_limit("bogus=1", &l), -1);
	ck_assert_int_eq(l.resource, -1);
	ck_assert(l.soft == 7 && l.hard == 7);
	ck_assert_int_eq(parse_limit("nofile=123:456", &l), 0);
	ck_assert(l.resource == RLIMIT_NOFILE && l.soft == 123 &&
	    l.hard == 456);
	ck_assert_int_eq(parse_limit("core=unlimited", &l), 0);
	ck_assert(l.soft == RLIM_INFINITY && l.hard == RLIM_INFINITY);
	ck_assert_int_eq(parse_limit("NOFILE=5", &l), 0);
	ck_assert(l.soft == 5 && l.hard == 5);
}
END_TEST

START_TEST(test_env_assign)
{
	ck_assert_int_eq(parse_env_assign("A=b"), 0);
	ck_assert_int_eq(parse_env_assign("A="), 0);
	ck_assert_int_eq(parse_env_assign("A=b=c"), 0);
	ck_assert_int_eq(parse_env_assign("A=="), 0);
	ck_assert_int_eq(parse_env_assign("LONG_NAME_1=x y"), 0);
	ck_assert_int_eq(parse_env_assign("=b"), -1);
	ck_assert_int_eq(parse_env_assign("="), -1);
	ck_assert_int_eq(parse_env_assign("A"), -1);
	ck_assert_int_eq(parse_env_assign(""), -1);
}
END_TEST

START_TEST(test_daemon_name)
{
	char name[NAME_MAX + 2];

	ck_assert_int_eq(parse_daemon_name("web"), 0);
	ck_assert_int_eq(parse_daemon_name("a.b"), 0);
	ck_assert_int_eq(parse_daemon_name("web-1_x"), 0);
	ck_assert_int_eq(parse_daemon_name("a."), 0);
	ck_assert_int_eq(parse_daemon_name(""), -1);
	ck_assert_int_eq(parse_daemon_name(".hidden"), -1);
	ck_assert_int_eq(parse_daemon_name("."), -1);
	ck_assert_int_eq(parse_daemon_name(".."), -1);
	ck_assert_int_eq(parse_daemon_name("a/b"), -1);
	ck_assert_int_eq(parse_daemon_name("/"), -1);
	ck_assert_int_eq(parse_daemon_name("a/"), -1);
	ck_assert_int_eq(parse_daemon_name("/a"), -1);

	/* NAME.pid must fit in one file name. */
	memset(name, 'a', NAME_MAX - 4);
	name[NAME_MAX - 4] = '\0';
	ck_assert_int_eq(parse_daemon_name(name), 0);
	memset(name, 'a', NAME_MAX - 3);
	name[NAME_MAX - 3] = '\0';
	ck_assert_int_eq(parse_daemon_name(name), -1);
	memset(name, 'a', NAME_MAX + 1);
	name[NAME_MAX + 1] = '\0';
	ck_assert_int_eq(parse_daemon_name(name), -1);
	name[NAME_MAX] = '\0';
	ck_assert_int_eq(parse_daemon_name(name), -1);
}
END_TEST

static Suite *
parse_suite(void)
{
	Suite *s = suite_create("parse");
	TCase *tc;

	tc = tcase_create("pid");
	tcase_add_loop_test(tc, test_pid_good, 0, (int)NELEM(pid_good));
	tcase_add_loop_test(tc, test_pid_bad, 0, (int)NELEM(pid_bad));
	tcase_add_test(tc, test_pid_unterminated);
	suite_add_tcase(s, tc);

	tc = tcase_create("signal");
	tcase_add_loop_test(tc, test_signal_good, 0, (int)NELEM(sig_good));
	tcase_add_loop_test(tc, test_signal_bad, 0, (int)NELEM(sig_bad));
	tcase_add_test(tc, test_signal_realtime);
	tcase_add_test(tc, test_signal_name);
	tcase_add_test(tc, test_signal_name_small);
	tcase_add_test(tc, test_signal_round_trip);
	suite_add_tcase(s, tc);

	tc = tcase_create("duration");
	tcase_add_loop_test(tc, test_duration_good, 0, (int)NELEM(dur_good));
	tcase_add_loop_test(tc, test_duration_bad, 0, (int)NELEM(dur_bad));
	suite_add_tcase(s, tc);

	tc = tcase_create("umask");
	tcase_add_loop_test(tc, test_umask_good, 0, (int)NELEM(umask_good));
	tcase_add_loop_test(tc, test_umask_bad, 0, (int)NELEM(umask_bad));
	suite_add_tcase(s, tc);

	tc = tcase_create("misc");
	tcase_add_test(tc, test_count);
	tcase_add_test(tc, test_count_small_max);
	tcase_add_test(tc, test_size);
	tcase_add_test(tc, test_limit);
	tcase_add_test(tc, test_env_assign);
	tcase_add_test(tc, test_daemon_name);
	suite_add_tcase(s, tc);

	return s;
}

int
main(void)
{
	return unit_run(parse_suite());
}
