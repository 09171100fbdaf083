/*
 * Unit tests for stop schedules (src/schedule.c).
 */
#include "config.h"

#include <check.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "schedule.h"
#include "unit.h"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

static struct schedule sc;
static const char *why;

static void
setup(void)
{
	memset(&sc, 0, sizeof(sc));
	why = NULL;
}

static void
item_is(int i, enum sched_type type, int64_t value)
{
	ck_assert_msg(i < sc.n, "item %d missing: schedule has %d", i, sc.n);
	ck_assert_msg(sc.items[i].type == type, "item %d: type %d, want %d",
	    i, (int)sc.items[i].type, (int)type);
	ck_assert_msg(sc.items[i].value == value,
	    "item %d: value %lld, want %lld", i,
	    (long long)sc.items[i].value, (long long)value);
}

static void
parse_ok(const char *s, int sig)
{
	int rc = schedule_parse(s, sig, &sc, &why);

	ck_assert_msg(rc == 0, "schedule_parse(\"%s\") failed: %s", s,
	    why != NULL ? why : "(no reason)");
}

/*
 * Well-formed schedules
 */

START_TEST(test_full)
{
	parse_ok("TERM/10/KILL/5", SIGHUP);
	ck_assert_int_eq(sc.n, 4);
	item_is(0, SCHED_SIGNAL, SIGTERM);
	item_is(1, SCHED_TIMEOUT, 10000);
	item_is(2, SCHED_SIGNAL, SIGKILL);
	item_is(3, SCHED_TIMEOUT, 5000);
}
END_TEST

/* A bare timeout N means SIG/N/KILL/N with the default signal. */
START_TEST(test_bare_timeout)
{
	parse_ok("5", SIGHUP);
	ck_assert_int_eq(sc.n, 4);
	item_is(0, SCHED_SIGNAL, SIGHUP);
	item_is(1, SCHED_TIMEOUT, 5000);
	item_is(2, SCHED_SIGNAL, SIGKILL);
	item_is(3, SCHED_TIMEOUT, 5000);
}
END_TEST

START_TEST(test_fractional)
{
	parse_ok("0.5", SIGTERM);
	ck_assert_int_eq(sc.n, 4);
	item_is(0, SCHED_SIGNAL, SIGTERM);
	item_is(1, SCHED_TIMEOUT, 500);
	item_is(2, SCHED_SIGNAL, SIGKILL);
	item_is(3, SCHED_TIMEOUT, 500);

	setup();
	parse_ok("INT/0.25/KILL/1.5", SIGTERM);
	ck_assert_int_eq(sc.n, 4);
	item_is(1, SCHED_TIMEOUT, 250);
	item_is(3, SCHED_TIMEOUT, 1500);
}
END_TEST

/* -NAME and -NUM are signals, as in start-stop-daemon. */
START_TEST(test_dash_forms)
{
	parse_ok("-HUP/2/-9/1", SIGTERM);
	ck_assert_int_eq(sc.n, 4);
	item_is(0, SCHED_SIGNAL, SIGHUP);
	item_is(1, SCHED_TIMEOUT, 2000);
	item_is(2, SCHED_SIGNAL, 9);
	item_is(3, SCHED_TIMEOUT, 1000);

	setup();
	parse_ok("-sigusr1/1/-15/1", SIGTERM);
	item_is(0, SCHED_SIGNAL, SIGUSR1);
	item_is(2, SCHED_SIGNAL, SIGTERM);
	item_is(3, SCHED_TIMEOUT, 1000);
}
END_TEST

START_TEST(test_default_signal_unused)
{
	/* An explicit schedule names its own signals. */
	parse_ok("KILL/1", SIGHUP);
	ck_assert_int_eq(sc.n, 2);
	item_is(0, SCHED_SIGNAL, SIGKILL);
	item_is(1, SCHED_TIMEOUT, 1000);
}
END_TEST

START_TEST(test_realtime)
{
	parse_ok("RTMIN+1/3", SIGTERM);
	ck_assert_int_eq(sc.n, 2);
	item_is(0, SCHED_SIGNAL, SIGRTMIN + 1);
	item_is(1, SCHED_TIMEOUT, 3000);
}
END_TEST

/*
 * forever
 */

/* Last after a timeout: keep waiting. */
START_TEST(test_forever_wait)
{
	parse_ok("TERM/5/forever", SIGHUP);
	ck_assert_int_eq(sc.n, 3);
	item_is(0, SCHED_SIGNAL, SIGTERM);
	item_is(1, SCHED_TIMEOUT, 5000);
	item_is(2, SCHED_GOTO, 1);
}
END_TEST

/* In the middle: repeat what follows it forever (dpkg). */
START_TEST(test_forever_middle)
{
	parse_ok("TERM/5/forever/KILL/5", SIGHUP);
	ck_assert_int_eq(sc.n, 5);
	item_is(0, SCHED_SIGNAL, SIGTERM);
	item_is(1, SCHED_TIMEOUT, 5000);
	item_is(2, SCHED_SIGNAL, SIGKILL);
	item_is(3, SCHED_TIMEOUT, 5000);
	item_is(4, SCHED_GOTO, 2);
}
END_TEST

/* Last after a whole schedule: the final timeout repeats. */
START_TEST(test_forever_last)
{
	parse_ok("TERM/5/KILL/5/forever", SIGHUP);
	ck_assert_int_eq(sc.n, 5);
	item_is(0, SCHED_SIGNAL, SIGTERM);
	item_is(1, SCHED_TIMEOUT, 5000);
	item_is(2, SCHED_SIGNAL, SIGKILL);
	item_is(3, SCHED_TIMEOUT, 5000);
	item_is(4, SCHED_GOTO, 3);
}
END_TEST

/* A repeated signal/timeout pair is enough of a wait. */
START_TEST(test_forever_repeats_signal)
{
	parse_ok("TERM/forever/HUP/1", SIGTERM);
	ck_assert_int_eq(sc.n, 4);
	item_is(0, SCHED_SIGNAL, SIGTERM);
	item_is(1, SCHED_SIGNAL, SIGHUP);
	item_is(2, SCHED_TIMEOUT, 1000);
	item_is(3, SCHED_GOTO, 1);
}
END_TEST

/* Every GOTO must point inside the schedule, before itself. */
START_TEST(test_goto_in_range)
{
	static const char *const good[] = {
		"TERM/5/forever", "TERM/5/forever/KILL/5",
		"TERM/5/KILL/5/forever", "1/forever", "TERM/forever/1",
	};
	size_t k;
	int i;

	for (k = 0; k < NELEM(good); k++) {
		setup();
		parse_ok(good[k], SIGTERM);
		for (i = 0; i < sc.n; i++) {
			if (sc.items[i].type != SCHED_GOTO)
				continue;
			ck_assert_msg(i == sc.n - 1, "%s: GOTO not last",
			    good[k]);
			ck_assert_msg(sc.items[i].value >= 0 &&
			    sc.items[i].value < i, "%s: GOTO %lld", good[k],
			    (long long)sc.items[i].value);
		}
		ck_assert_int_eq(sc.items[sc.n - 1].type, SCHED_GOTO);
	}
}
END_TEST

/*
 * Limits
 */

static void
build(char *buf, size_t len, int items, const char *tail)
{
	size_t off = 0;
	int i;

	buf[0] = '\0';
	for (i = 0; i < items; i++)
		off += (size_t)snprintf(buf + off, len - off, "%s%s",
		    i > 0 ? "/" : "", i % 2 == 0 ? "TERM" : "1");
	snprintf(buf + off, len - off, "%s", tail);
}

START_TEST(test_max_items)
{
	char buf[512];

	/* One slot stays free for the GOTO that forever appends. */
	build(buf, sizeof(buf), SCHED_MAX - 1, "");
	parse_ok(buf, SIGTERM);
	ck_assert_int_eq(sc.n, SCHED_MAX - 1);

	setup();
	build(buf, sizeof(buf), SCHED_MAX - 2, "/1/forever");
	parse_ok(buf, SIGTERM);
	ck_assert_int_eq(sc.n, SCHED_MAX);
	item_is(SCHED_MAX - 1, SCHED_GOTO, SCHED_MAX - 2);

	setup();
	build(buf, sizeof(buf), SCHED_MAX, "");
	ck_assert_int_eq(schedule_parse(buf, SIGTERM, &sc, &why), -1);
	ck_assert_ptr_nonnull(why);
}
END_TEST

START_TEST(test_too_many)
{
	char buf[512];

	build(buf, sizeof(buf), 40, "");
	ck_assert_int_eq(schedule_parse(buf, SIGTERM, &sc, &why), -1);
	ck_assert_ptr_nonnull(why);
	ck_assert_str_ne(why, "");
}
END_TEST

START_TEST(test_long_item)
{
	char buf[256];

	/* A very long item must be rejected, not overflow a buffer. */
	memset(buf, '1', sizeof(buf) - 1);
	buf[sizeof(buf) - 1] = '\0';
	buf[0] = 'T';
	buf[1] = '/';
	ck_assert_int_eq(schedule_parse(buf, SIGTERM, &sc, &why), -1);
	ck_assert_ptr_nonnull(why);
}
END_TEST

/*
 * Errors
 */

static const char *const bad[] = {
	"",
	"TERM",
	"-9",
	"x",
	"forever",
	"/",
	"TERM//5",
	"TERM/5/",
	"/TERM/5",
	"TERM/forever",
	"TERM/5/KILL/forever",
	"forever/5",
	"forever/TERM/5",
	"TERM/5/forever/forever",
	"TERM/5/forever/KILL/5/forever",
	"TERM/x",
	"TERM/5/FOREVER/1",
	"TERM/1e3",
	"TERM/.5",
	"TERM/5x",
	"--TERM/5",
	"-/5",
	"TERM/0/forever",
	"TERM/5/forever/KILL/0",
	"TERM/5/KILL/0/forever",
	"TERM/RTMIN+99/5",
	"TERM/1000000001",
	"1000000001",
	"01",
	"abc",
};

START_TEST(test_bad)
{
	int rc = schedule_parse(bad[_i], SIGTERM, &sc, &why);

	ck_assert_msg(rc == -1, "schedule_parse(\"%s\") accepted", bad[_i]);
	ck_assert_msg(why != NULL && why[0] != '\0',
	    "schedule_parse(\"%s\") gave no reason", bad[_i]);
}
END_TEST

/*
 * schedule_default
 */

START_TEST(test_default)
{
	schedule_default(&sc, SIGINT, 3000);
	ck_assert_int_eq(sc.n, 4);
	item_is(0, SCHED_SIGNAL, SIGINT);
	item_is(1, SCHED_TIMEOUT, 3000);
	item_is(2, SCHED_SIGNAL, SIGKILL);
	item_is(3, SCHED_TIMEOUT, 5000);

	setup();
	schedule_default(&sc, SIGTERM, 0);
	ck_assert_int_eq(sc.n, 4);
	item_is(0, SCHED_SIGNAL, SIGTERM);
	item_is(1, SCHED_TIMEOUT, 0);
	item_is(2, SCHED_SIGNAL, SIGKILL);
	item_is(3, SCHED_TIMEOUT, 5000);
}
END_TEST

static Suite *
schedule_suite(void)
{
	Suite *s = suite_create("schedule");
	TCase *tc;

	tc = tcase_create("parse");
	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, test_full);
	tcase_add_test(tc, test_bare_timeout);
	tcase_add_test(tc, test_fractional);
	tcase_add_test(tc, test_dash_forms);
	tcase_add_test(tc, test_default_signal_unused);
	tcase_add_test(tc, test_realtime);
	suite_add_tcase(s, tc);

	tc = tcase_create("forever");
	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, test_forever_wait);
	tcase_add_test(tc, test_forever_middle);
	tcase_add_test(tc, test_forever_last);
	tcase_add_test(tc, test_forever_repeats_signal);
	tcase_add_test(tc, test_goto_in_range);
	suite_add_tcase(s, tc);

	tc = tcase_create("limits");
	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, test_max_items);
	tcase_add_test(tc, test_too_many);
	tcase_add_test(tc, test_long_item);
	suite_add_tcase(s, tc);

	tc = tcase_create("errors");
	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_loop_test(tc, test_bad, 0, (int)NELEM(bad));
	suite_add_tcase(s, tc);

	tc = tcase_create("default");
	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, test_default);
	suite_add_tcase(s, tc);

	return s;
}

int
main(void)
{
	return unit_run(schedule_suite());
}
