/*
 * Reading /proc/PID/stat (src/proc.c): the fields detach knows a process
 * by, whatever its command name holds.
 */
#include "config.h"

#include <check.h>
#include <string.h>
#include <unistd.h>

#include "proc.h"
#include "unit.h"

#define TAIL	" 0 0 0 0 0 0 0 0 20 0 1 0 "	/* fields 10-21 */

START_TEST(test_plain)
{
	struct pstat st;

	ck_assert_int_eq(pstat_parse("4242 (sleep) S 1 4240 4240 0 -1 "
	    "4194304" TAIL "987654 1234 5678\n", &st), 0);
	ck_assert_int_eq(st.state, 'S');
	ck_assert_int_eq(st.ppid, 1);
	ck_assert_int_eq(st.pgrp, 4240);
	ck_assert_int_eq(st.session, 4240);
	ck_assert(st.start == 987654);
}
END_TEST

/* A command name may hold spaces and parentheses: the last ')' counts. */
START_TEST(test_hostile_comm)
{
	struct pstat st;

	ck_assert_int_eq(pstat_parse("7 (a) Z 9 9 9 (b) R 3 3 3) Z 2 5 6 0 "
	    "-1 0" TAIL "123456789012 1 2\n", &st), 0);
	ck_assert_int_eq(st.state, 'Z');
	ck_assert_int_eq(st.ppid, 2);
	ck_assert_int_eq(st.pgrp, 5);
	ck_assert_int_eq(st.session, 6);
	ck_assert(st.start == 123456789012ULL);
}
END_TEST

static const char *bad[] = {
	"",
	"4242 sleep S 1 2 3",			/* no parentheses */
	"4242 (sleep) S 1 4240",		/* cut short */
	"4242 (sleep) S 1 4240 4240 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0",
	"4242 (sleep) S -1 4240 4240 0 -1 0" TAIL "5 0\n",
	"4242 (sleep) S 1 4240 4240 0 -1 0" TAIL "x 0\n",
};

START_TEST(test_bad)
{
	struct pstat st;

	ck_assert_msg(pstat_parse(bad[_i], &st) == -1, "case %d", _i);
}
END_TEST

/* This very process: its start time is stable, its session is ours. */
START_TEST(test_self)
{
	struct pstat a, b;

	ck_assert_int_eq(proc_stat(getpid(), &a), 0);
	ck_assert_int_eq(proc_stat(getpid(), &b), 0);
	ck_assert(a.start == b.start && a.start > 0);
	ck_assert_int_eq(a.session, getsid(0));
	ck_assert_int_eq(a.ppid, getppid());
}
END_TEST

static Suite *
proc_suite(void)
{
	Suite *s = suite_create("proc");
	TCase *tc = tcase_create("stat");

	tcase_add_test(tc, test_plain);
	tcase_add_test(tc, test_hostile_comm);
	tcase_add_loop_test(tc, test_bad, 0, sizeof(bad) / sizeof(bad[0]));
	tcase_add_test(tc, test_self);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return unit_run(proc_suite());
}
