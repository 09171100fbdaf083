/*
 * The supervisor's restart policy (src/sv_policy.c): which exits are
 * restarted, how the delay doubles, stops at its cap and comes back
 * after a long run, and when --max-restarts within --restart-window
 * gives up.  Times are made up: the policy never reads the clock.
 */
#include "config.h"

#include <check.h>
#include <stdint.h>
#include <sys/wait.h>

#include "sv_policy.h"
#include "unit.h"

#define FAILED		W_EXITCODE(1, 0)
#define CLEAN		W_EXITCODE(0, 0)
#define KILLED		SIGKILL		/* a wait status: killed by it */

static struct sv_config c;
static struct sv_history h;

static void
setup(void)
{
	c = (struct sv_config){
		.restart = RESTART_ON_FAILURE,
		.delay_ms = 1000,
		.delay_max_ms = 60000,
		.delay_reset_ms = 10000,
		.window_ms = 60000,
		.max_restarts = 0,
	};
	ck_assert_int_eq(sv_history_init(&h, c.max_restarts), 0);
}

static void
teardown(void)
{
	sv_history_free(&h);
}

static void
limit(long long max, int64_t window)
{
	sv_history_free(&h);
	c.max_restarts = max;
	c.window_ms = window;
	ck_assert_int_eq(sv_history_init(&h, max), 0);
}

/*
 * A child that ran from started to now and ended with status, handled
 * as the supervisor does: on a restart, keep the delay and record the
 * restart once the delay is over.  Returns the verdict; *delay the wait.
 */
static enum sv_verdict
ended(int64_t started, int64_t now, int status, int64_t *delay)
{
	enum sv_verdict v;

	*delay = -1;
	v = sv_policy_decide(&c, &h, started, now, status, delay);
	if (v == SV_RESTART) {
		h.delay = *delay;
		sv_history_record(&h, now + *delay);
	}
	return v;
}

/* The delay after a child that died young, at time now. */
static int64_t
young(int64_t now)
{
	int64_t d;

	ck_assert_int_eq(ended(now - 1, now, FAILED, &d), SV_RESTART);
	return d;
}

/* Which exits each --restart restarts. */
static const struct {
	enum restart_policy	restart;
	int			status;
	enum sv_verdict		verdict;
} exits[] = {
	{ RESTART_ON_FAILURE,	CLEAN,	SV_NO_RESTART },
	{ RESTART_ON_FAILURE,	FAILED,	SV_RESTART },
	{ RESTART_ON_FAILURE,	KILLED,	SV_RESTART },
	{ RESTART_ALWAYS,	CLEAN,	SV_RESTART },
	{ RESTART_ALWAYS,	FAILED,	SV_RESTART },
	{ RESTART_ALWAYS,	KILLED,	SV_RESTART },
	{ RESTART_NEVER,	CLEAN,	SV_NO_RESTART },
	{ RESTART_NEVER,	FAILED,	SV_NO_RESTART },
	{ RESTART_NEVER,	KILLED,	SV_NO_RESTART },
};

START_TEST(test_exits)
{
	int64_t d;

	c.restart = exits[_i].restart;
	ck_assert_msg(ended(0, 1, exits[_i].status, &d) == exits[_i].verdict,
	    "case %d", _i);
	if (exits[_i].verdict == SV_RESTART)
		ck_assert_int_eq(d, 1000);
}
END_TEST

/* Not restarting is not giving up, whatever the history says. */
START_TEST(test_never_first)
{
	int64_t d;

	c.restart = RESTART_NEVER;
	limit(1, 60000);
	sv_history_record(&h, 0);
	ck_assert_int_eq(ended(0, 1, FAILED, &d), SV_NO_RESTART);
}
END_TEST

/* Children that all die young get these delays, one after the other. */
static void
delays(const int64_t *want, int n)
{
	int i;

	for (i = 0; i < n; i++)
		ck_assert_msg(young(100 * (i + 1)) == want[i], "restart %d",
		    i + 1);
}

START_TEST(test_doubling)
{
	static const int64_t want[] = { 1000, 2000, 4000, 8000, 16000 };

	delays(want, 5);
}
END_TEST

START_TEST(test_cap)
{
	static const int64_t want[] = { 1000, 2000, 4000, 5000, 5000 };

	c.delay_max_ms = 5000;
	delays(want, 5);
}
END_TEST

START_TEST(test_reset)
{
	int64_t d;

	young(100);
	young(200);
	ck_assert_int_eq(young(300), 4000);
	/* ran for exactly --restart-delay-reset: back to the first delay */
	ck_assert_int_eq(ended(1000, 11000, FAILED, &d), SV_RESTART);
	ck_assert_int_eq(d, 1000);
	ck_assert_int_eq(young(12000), 2000);
	/* a millisecond short of it still counts as dying young */
	ck_assert_int_eq(ended(1001, 11000, FAILED, &d), SV_RESTART);
	ck_assert_int_eq(d, 4000);
}
END_TEST

START_TEST(test_zero_delay)
{
	c.delay_ms = 0;
	ck_assert_int_eq(young(100), 0);
	ck_assert_int_eq(young(200), 0);
}
END_TEST

START_TEST(test_unlimited)
{
	int i;

	ck_assert_ptr_null(h.times);
	for (i = 0; i < 1000; i++)
		young(i);
	ck_assert_int_eq(sv_history_recent(&h, 1000, 60000), 0);
}
END_TEST

/* --max-restarts=3 --restart-window=10, and restarts at 0, 1 and 2 s. */
static void
three_restarts(void)
{
	limit(3, 10000);
	sv_history_record(&h, 0);
	sv_history_record(&h, 1000);
	sv_history_record(&h, 2000);
}

START_TEST(test_window)
{
	int64_t d;

	three_restarts();
	ck_assert_int_eq(sv_history_recent(&h, 3000, 10000), 3);
	ck_assert_int_eq(ended(2500, 3000, FAILED, &d), SV_GIVE_UP);
	/* a restart exactly --restart-window ago no longer counts */
	ck_assert_int_eq(sv_history_recent(&h, 10000, 10000), 2);
	ck_assert_int_eq(ended(9500, 10000, FAILED, &d), SV_RESTART);
}
END_TEST

START_TEST(test_ring)
{
	int64_t d;

	three_restarts();
	/* the fourth overwrites the oldest: only the last three are kept */
	sv_history_record(&h, 20000);
	ck_assert_int_eq(h.times[0], 20000);
	ck_assert_int_eq(sv_history_recent(&h, 20000, 10000), 1);
	ck_assert_int_eq(sv_history_recent(&h, 20000, 30000), 3);
	sv_history_record(&h, 21000);
	ck_assert_int_eq(ended(21500, 22000, FAILED, &d), SV_RESTART);
	ck_assert_int_eq(sv_history_recent(&h, 23000, 10000), 3);
	ck_assert_int_eq(ended(22500, 23000, FAILED, &d), SV_GIVE_UP);
}
END_TEST

static Suite *
sv_policy_suite(void)
{
	Suite *s = suite_create("sv_policy");
	TCase *tc = tcase_create("policy");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_loop_test(tc, test_exits, 0, sizeof(exits) / sizeof(exits[0]));
	tcase_add_test(tc, test_never_first);
	tcase_add_test(tc, test_doubling);
	tcase_add_test(tc, test_cap);
	tcase_add_test(tc, test_reset);
	tcase_add_test(tc, test_zero_delay);
	tcase_add_test(tc, test_unlimited);
	tcase_add_test(tc, test_window);
	tcase_add_test(tc, test_ring);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return unit_run(sv_policy_suite());
}
