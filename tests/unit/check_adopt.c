/*
 * Unit tests for the pure parts of --forking (src/adopt.c): reading a
 * program's own pidfile, comparing survivor sets, naming them; and the
 * record's optional follow line (src/svstate.c).
 */
#include "config.h"

#include <check.h>
#include <string.h>

#include "adopt.h"
#include "svstate.h"
#include "unit.h"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

static const struct {
	const char		*in;
	enum follow_content	 want;
	pid_t			 pid;
} pidfiles[] = {
	{ "1234\n", FOLLOW_PID, 1234 },
	{ "1234", FOLLOW_PID, 1234 },
	{ "  42  \n\n", FOLLOW_PID, 42 },	/* blanks around it: tolerated */
	{ "", FOLLOW_EMPTY, 0 },
	{ " \n\t", FOLLOW_EMPTY, 0 },
	{ "12 34\n", FOLLOW_GARBAGE, 0 },
	{ "abc\n", FOLLOW_GARBAGE, 0 },
	{ "-5\n", FOLLOW_GARBAGE, 0 },
	{ "0\n", FOLLOW_GARBAGE, 0 },		/* a process group, never */
	{ "1\n", FOLLOW_GARBAGE, 0 },		/* init, never */
	{ "0042\n", FOLLOW_GARBAGE, 0 },
	{ "99999999999\n", FOLLOW_GARBAGE, 0 },
};

START_TEST(test_parse_pid)
{
	pid_t pid = 0;

	ck_assert_int_eq(adopt_parse_pid(pidfiles[_i].in,
	    strlen(pidfiles[_i].in), &pid), pidfiles[_i].want);
	if (pidfiles[_i].want == FOLLOW_PID)
		ck_assert_int_eq(pid, pidfiles[_i].pid);
}
END_TEST

START_TEST(test_same_set)
{
	pid_t a[] = { 3, 1, 2 }, b[] = { 1, 2, 3 }, c[] = { 1, 2, 4 };

	ck_assert(adopt_same_set(a, 3, b, 3));
	ck_assert(!adopt_same_set(a, 3, c, 3));
	ck_assert(!adopt_same_set(a, 3, b, 2));
	ck_assert(adopt_same_set(a, 0, b, 0));
}
END_TEST

START_TEST(test_list)
{
	pid_t p[] = { 12, 34, 56 };
	char buf[32], tiny[6];

	ck_assert_int_eq(adopt_list(p, 1, buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, "12");
	ck_assert_int_eq(adopt_list(p, 2, buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, "12 and 34");
	ck_assert_int_eq(adopt_list(p, 3, buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, "12, 34 and 56");
	ck_assert_int_eq(adopt_list(p, 3, tiny, sizeof(tiny)), -1);
}
END_TEST

START_TEST(test_record_follow)
{
	struct svstate s = { .pid = 42, .start = 7, .boot = "-",
	    .session = 42, .last_status = -1 }, back;
	char buf[8192];

	/* none: no follow line, as records before --follow-pidfile */
	ck_assert_int_gt(svstate_format(&s, buf, sizeof(buf)), 0);
	ck_assert_ptr_null(strstr(buf, "follow"));
	ck_assert_int_eq(svstate_parse(buf, &back), 0);
	ck_assert_str_eq(back.follow, "");

	strcpy(s.follow, "/run/my app.pid");
	ck_assert_int_gt(svstate_format(&s, buf, sizeof(buf)), 0);
	ck_assert_int_eq(svstate_parse(buf, &back), 0);
	ck_assert_str_eq(back.follow, "/run/my app.pid");

	/* relative, or after the last line: not a record */
	strcat(buf, "x\n");
	ck_assert_int_eq(svstate_parse(buf, &back), -1);
	strcpy(s.follow, "run/x.pid");
	ck_assert_int_eq(svstate_format(&s, buf, sizeof(buf)), -1);
}
END_TEST

static Suite *
adopt_suite(void)
{
	Suite *s = suite_create("adopt");
	TCase *tc = tcase_create("pure");

	tcase_add_loop_test(tc, test_parse_pid, 0, NELEM(pidfiles));
	tcase_add_test(tc, test_same_set);
	tcase_add_test(tc, test_list);
	tcase_add_test(tc, test_record_follow);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return unit_run(adopt_suite());
}
