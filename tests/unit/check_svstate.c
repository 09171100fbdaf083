/*
 * The record's format (PIDFILE.state): format and parse agree, and
 * parse accepts nothing out of range or out of shape.
 */
#include "config.h"

#include <check.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "logrec.h"
#include "svstate.h"
#include "unit.h"

#define GOOD(pid, sup) \
	"pid " pid "\nstart 4242\nboot 0123abcd-ef\nsession 77\n" \
	"supervisor " sup "\nchild 0\nrestarts 0\nlast_status -1\n" \
	"reopened 0\nreopen_err 0\n"

static struct svstate
sample(void)
{
	struct svstate s = { .pid = 1234, .start = 987654321012ULL,
	    .session = 1230, .supervisor = 1234, .child = 5678,
	    .restarts = 3, .last_status = W_EXITCODE(1, 0), .reopened = 99 };

	strcpy(s.boot, "27d9f518-d0de-4450-b4d1-11c3517da8f9");
	return s;
}

START_TEST(test_round_trip)
{
	struct svstate in = sample(), out;
	char buf[512];

	ck_assert_int_gt(svstate_format(&in, buf, sizeof(buf)), 0);
	ck_assert_int_eq(svstate_parse(buf, &out), 0);
	ck_assert(in.pid == out.pid && in.start == out.start &&
	    strcmp(in.boot, out.boot) == 0 && in.session == out.session &&
	    in.supervisor == out.supervisor && in.child == out.child &&
	    in.restarts == out.restarts && in.last_status == out.last_status &&
	    in.reopened == out.reopened && in.reopen_err == out.reopen_err);
	in.child = 0;
	in.supervisor = 0;
	in.last_status = -1;
	strcpy(in.boot, "-");
	ck_assert_int_gt(svstate_format(&in, buf, sizeof(buf)), 0);
	ck_assert_int_eq(svstate_parse(buf, &out), 0);
	ck_assert_int_eq(out.child, 0);
	ck_assert_int_eq(out.supervisor, 0);
	ck_assert_int_eq(out.last_status, -1);
	ck_assert_str_eq(out.boot, "-");
	ck_assert_int_eq(svstate_parse(GOOD("5", "0"), &out), 0);
	ck_assert_int_eq(svstate_parse(GOOD("5", "5"), &out), 0);
}
END_TEST

static const char *bad[] = {
	"",
	GOOD("1", "0"),				/* pid 1 is never a daemon */
	GOOD("4294967297", "0"),
	GOOD("99999999999999999999", "0"),
	GOOD("5", "6"),				/* a supervisor is the pid */
	GOOD("5", "0") "extra\n",		/* trailing garbage */
	"pid 5\nstart -1\nboot -\nsession 0\nsupervisor 0\nchild 0\n"
	    "restarts 0\nlast_status -1\nreopened 0\nreopen_err 0\n",
	"pid 5\nstart 1\nboot \nsession 0\nsupervisor 0\nchild 0\n"
	    "restarts 0\nlast_status -1\nreopened 0\nreopen_err 0\n",
	"pid 5\nstart 1\nboot X\nsession 0\nsupervisor 0\nchild 0\n"
	    "restarts 0\nlast_status -1\nreopened 0\nreopen_err 0\n",
	"pid 5\nstart 1\nboot 0123456789abcdef0123456789abcdef01234567\n"
	    "session 0\nsupervisor 0\nchild 0\nrestarts 0\nlast_status -1\n"
	    "reopened 0\nreopen_err 0\n",
	"pid 5\nstart 1\nboot -\nsession 0\nsupervisor 0\nchild -1\n"
	    "restarts 0\nlast_status -1\nreopened 0\nreopen_err 0\n",
	"pid 5\nstart 1\nboot -\nsession 0\nsupervisor 0\nchild 0\n"
	    "restarts 0\nlast_status -2\nreopened 0\nreopen_err 0\n",
	"pid 5\nstart 1\nboot -\nsession 0\nsupervisor 0\nchild 0\n"
	    "restarts 0\nlast_status -1\nreopened 0\n",
	"start 1\npid 5\nboot -\nsession 0\nsupervisor 0\nchild 0\n"
	    "restarts 0\nlast_status -1\nreopened 0\nreopen_err 0\n",
	GOOD("5", "0") "ready 2\n",		/* 0 or 1 */
	GOOD("5", "0") "ready -1\n",
	GOOD("5", "0") "ready\n",
	GOOD("5", "0") "health 0 0 0 passed\n",	/* 1 to 3 */
	GOOD("5", "0") "health 4 0 0 passed\n",
	GOOD("5", "0") "health 2 -1 0 passed\n",
	GOOD("5", "0") "health 2 0 0\n",	/* the result may be empty, */
	GOOD("5", "0") "health 2 0\n",		/* its blank may not */
	/* the old supervisor-only format is not a record */
	"supervisor 5\nchild 0\nrestarts 0\nlast_status -1\nreopened 0\n"
	    "reopen_err 0\n",
};

START_TEST(test_bad)
{
	struct svstate out = { 0 };

	ck_assert_msg(svstate_parse(bad[_i], &out) == -1, "case %d", _i);
}
END_TEST

/* readiness: written only with checks, optional on reading (old records) */
START_TEST(test_readiness)
{
	struct svstate in = sample(), out;
	char buf[PATH_MAX + 512];
	int r;

	for (r = SVREADY_NONE; r <= SVREADY_READY; r++) {
		in.readiness = r;
		strcpy(in.follow, r == SVREADY_READY ? "/run/x.pid" : "");
		ck_assert_int_gt(svstate_format(&in, buf, sizeof(buf)), 0);
		ck_assert((strstr(buf, "ready ") != NULL) == (r != 0));
		ck_assert_int_eq(svstate_parse(buf, &out), 0);
		ck_assert_int_eq(out.readiness, r);
		ck_assert_str_eq(out.follow, in.follow);
	}
	ck_assert_int_eq(svstate_parse(GOOD("5", "0"), &out), 0);
	ck_assert_int_eq(out.readiness, SVREADY_NONE);
	ck_assert_int_eq(svstate_parse(GOOD("5", "0") "ready 0\n", &out), 0);
	ck_assert_int_eq(out.readiness, SVREADY_STARTING);
}
END_TEST

/* health: written only with checks, the result text kept whole */
START_TEST(test_health)
{
	struct svstate in = sample(), out;
	char buf[PATH_MAX + 512];

	ck_assert_int_gt(svstate_format(&in, buf, sizeof(buf)), 0);
	ck_assert_ptr_null(strstr(buf, "health"));
	in.health = SVHEALTH_UNHEALTHY;
	in.health_fails = 3;
	in.health_at = 1796305300;
	strcpy(in.health_result, "failed: --health-port=8080 (Connection "
	    "refused)");
	in.readiness = SVREADY_READY;
	ck_assert_int_gt(svstate_format(&in, buf, sizeof(buf)), 0);
	ck_assert_int_eq(svstate_parse(buf, &out), 0);
	ck_assert_int_eq(out.health, SVHEALTH_UNHEALTHY);
	ck_assert_int_eq(out.health_fails, 3);
	ck_assert_int_eq(out.health_at, 1796305300);
	ck_assert_str_eq(out.health_result, in.health_result);
	ck_assert_int_eq(out.readiness, SVREADY_READY);
	strcpy(in.health_result, "two\nlines");
	ck_assert_int_eq(svstate_format(&in, buf, sizeof(buf)), -1);
	ck_assert_int_eq(svstate_parse(GOOD("5", "0") "health 2 0 0 \n",
	    &out), 0);
	ck_assert_str_eq(out.health_result, "");
}
END_TEST

START_TEST(test_describe)
{
	char buf[64];

	svstate_describe(-1, buf, sizeof(buf));
	ck_assert_str_eq(buf, "none yet");
	svstate_describe(W_EXITCODE(3, 0), buf, sizeof(buf));
	ck_assert_str_eq(buf, "exited with status 3");
	svstate_describe(9, buf, sizeof(buf));
	ck_assert_str_eq(buf, "killed by SIGKILL");
}
END_TEST

/* PIDFILE.logs: where the output went, for detach logs. */
START_TEST(test_logrec)
{
	struct logrec r = { 0 }, back;
	char buf[2 * PATH_MAX + 64];

	strcpy(r.out, "/var/log/a.log");
	strcpy(r.err, "/var/log/a.err");
	ck_assert_int_gt(logrec_format(&r, buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, "out /var/log/a.log\nerr /var/log/a.err\n");
	ck_assert_int_eq(logrec_parse(buf, &back), 0);
	ck_assert_str_eq(back.out, r.out);
	ck_assert_str_eq(back.err, r.err);
	ck_assert_int_eq(back.syslog, 0);

	r.err[0] = '\0';
	ck_assert_int_gt(logrec_format(&r, buf, sizeof(buf)), 0);
	ck_assert_int_eq(logrec_parse(buf, &back), 0);
	ck_assert_str_eq(back.err, "");

	memset(&r, 0, sizeof(r));
	r.syslog = 1;
	ck_assert_int_eq(logrec_format(&r, buf, sizeof(buf)), 7);
	ck_assert_int_eq(logrec_parse(buf, &back), 0);
	ck_assert_int_eq(back.syslog, 1);

	memset(&r, 0, sizeof(r));	/* nothing kept */
	ck_assert_int_eq(logrec_format(&r, buf, sizeof(buf)), 5);
	ck_assert_int_eq(logrec_parse(buf, &back), 0);
	ck_assert_int_eq(back.syslog, 0);
	ck_assert_str_eq(back.out, "");

	strcpy(r.out, "relative");	/* not recorded */
	ck_assert_int_eq(logrec_format(&r, buf, sizeof(buf)), -1);
	strcpy(r.out, "/a\nb");
	ck_assert_int_eq(logrec_format(&r, buf, sizeof(buf)), -1);

	ck_assert_int_eq(logrec_parse("", &back), -1);
	ck_assert_int_eq(logrec_parse("out /x", &back), -1);	/* cut */
	ck_assert_int_eq(logrec_parse("bogus\n", &back), -1);
	ck_assert_int_eq(logrec_parse("future 1\nout /x\n", &back), 0);
	ck_assert_str_eq(back.out, "/x");
}
END_TEST

static Suite *
svstate_suite(void)
{
	Suite *s = suite_create("svstate");
	TCase *lr = tcase_create("logrec");
	TCase *tc = tcase_create("format");

	tcase_add_test(tc, test_round_trip);
	tcase_add_loop_test(tc, test_bad, 0, sizeof(bad) / sizeof(bad[0]));
	tcase_add_test(tc, test_readiness);
	tcase_add_test(tc, test_health);
	tcase_add_test(tc, test_describe);
	suite_add_tcase(s, tc);
	tcase_add_test(lr, test_logrec);
	suite_add_tcase(s, lr);
	return s;
}

int
main(void)
{
	return unit_run(svstate_suite());
}
