/*
 * The supervisor's state file format: format and parse agree, and parse
 * accepts nothing out of range or out of shape.
 */
#include "config.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "svstate.h"
#include "unit.h"

START_TEST(test_round_trip)
{
	struct svstate in = { 1234, 5678, 3, W_EXITCODE(1, 0), 99, 0 }, out;
	char buf[256];

	ck_assert_int_gt(svstate_format(&in, buf, sizeof(buf)), 0);
	ck_assert_int_eq(svstate_parse(buf, &out), 0);
	ck_assert(in.supervisor == out.supervisor && in.child == out.child &&
	    in.restarts == out.restarts && in.last_status == out.last_status &&
	    in.reopened == out.reopened && in.reopen_err == out.reopen_err);
	in.child = 0;
	in.last_status = -1;
	ck_assert_int_gt(svstate_format(&in, buf, sizeof(buf)), 0);
	ck_assert_int_eq(svstate_parse(buf, &out), 0);
	ck_assert_int_eq(out.child, 0);
	ck_assert_int_eq(out.last_status, -1);
}
END_TEST

static const char *bad[] = {
	"",
	"supervisor 1\nchild 0\nrestarts 0\nlast_status -1\nreopened 0\n"
	    "reopen_err 0\n",
	"supervisor 4294967297\nchild 0\nrestarts 0\nlast_status -1\n"
	    "reopened 0\nreopen_err 0\n",
	"supervisor 99999999999999999999\nchild 0\nrestarts 0\n"
	    "last_status -1\nreopened 0\nreopen_err 0\n",
	"supervisor 5\nchild 4294967295\nrestarts 0\nlast_status -1\n"
	    "reopened 0\nreopen_err 0\n",
	"supervisor 5\nchild -1\nrestarts 0\nlast_status -1\nreopened 0\n"
	    "reopen_err 0\n",
	"supervisor 5\nchild 0restarts 1\nlast_status -1\nreopened 0\n"
	    "reopen_err 0\n",
	"supervisor 5\nchild 0\nrestarts 0\nlast_status -2\nreopened 0\n"
	    "reopen_err 0\n",
	"supervisor 5\nchild 0\nrestarts 0\nlast_status -1\nreopened 0\n",
	"child 0\nsupervisor 5\nrestarts 0\nlast_status -1\nreopened 0\n"
	    "reopen_err 0\n",
};

START_TEST(test_bad)
{
	struct svstate out = { 0 };

	ck_assert_msg(svstate_parse(bad[_i], &out) == -1, "case %d", _i);
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

static Suite *
svstate_suite(void)
{
	Suite *s = suite_create("svstate");
	TCase *tc = tcase_create("format");

	tcase_add_test(tc, test_round_trip);
	tcase_add_loop_test(tc, test_bad, 0, sizeof(bad) / sizeof(bad[0]));
	tcase_add_test(tc, test_describe);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return unit_run(svstate_suite());
}
