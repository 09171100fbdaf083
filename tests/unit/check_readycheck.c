/*
 * Unit tests for the readiness checks' pure parts (src/readycheck.c):
 * the back-off of the rounds, --ready-log's line splitting and matching
 * (pieces, overlong lines, two streams), and the message naming what did
 * not pass.
 */
#include "config.h"

#include <check.h>
#include <string.h>

#include "readycheck.h"
#include "unit.h"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

static const struct {
	int64_t	waited, interval;
} backoff[] = {
	{ 0, RC_MIN_MS }, { 10, RC_MIN_MS }, { 99, RC_MIN_MS },
	{ 120, 6 }, { 400, 20 }, { 1999, 99 }, { 2000, RC_MAX_MS },
	{ 60000, RC_MAX_MS }, { -5, RC_MIN_MS },
};

START_TEST(test_interval)
{
	ck_assert_int_eq(rc_interval(backoff[_i].waited),
	    backoff[_i].interval);
}
END_TEST

/* The intervals never shrink, and stay within their bounds. */
START_TEST(test_interval_monotonic)
{
	int64_t t, prev = 0, iv;

	for (t = 0; t < 5000; t++) {
		iv = rc_interval(t);
		ck_assert_int_ge(iv, prev);
		ck_assert_int_ge(iv, RC_MIN_MS);
		ck_assert_int_le(iv, RC_MAX_MS);
		prev = iv;
	}
}
END_TEST

static void
log_checks(struct readycheck *rc, const char *re1, const char *re2)
{
	struct rc_spec sp[2] = { { RC_LOG, re1 }, { RC_LOG, re2 } };
	char err[128];

	ck_assert_int_eq(rc_init(rc, sp, re2 != NULL ? 2 : 1, err,
	    sizeof(err)), 0);
	rc->timeout = 1000;
	rc_begin(rc, NULL, 0);
}

static void
feed(struct readycheck *rc, int stream, const char *s)
{
	rc_feed(rc, stream, s, strlen(s));
}

START_TEST(test_log_whole_lines)
{
	struct readycheck rc;

	log_checks(&rc, "^Ready to accept", NULL);
	feed(&rc, 0, "booting\nReady to acc");
	ck_assert_int_eq(rc_step(&rc, 1), READY_WAITING);
	feed(&rc, 0, "ept connections");	/* no newline yet */
	ck_assert_int_eq(rc_step(&rc, 2), READY_WAITING);
	feed(&rc, 0, "\n");
	ck_assert_int_eq(rc_step(&rc, 3), READY_DONE);
	ck_assert_int_eq(rc_next(&rc), -1);	/* inactive now */
	rc_free(&rc);
}
END_TEST

/* A line is matched as a whole: "^" anchors at its start only. */
START_TEST(test_log_anchor)
{
	struct readycheck rc;

	log_checks(&rc, "^listening$", NULL);
	feed(&rc, 0, "not listening\nlistening now\n");
	ck_assert_int_eq(rc_step(&rc, 1), READY_WAITING);
	feed(&rc, 0, "listening\n");
	ck_assert_int_eq(rc_step(&rc, 2), READY_DONE);
	rc_free(&rc);
}
END_TEST

/* stdout and stderr keep their own partial lines. */
START_TEST(test_log_streams)
{
	struct readycheck rc;

	log_checks(&rc, "^port open$", NULL);
	feed(&rc, 0, "port ");
	feed(&rc, 1, "warning\n");
	feed(&rc, 0, "open\n");
	ck_assert_int_eq(rc_step(&rc, 1), READY_DONE);
	rc_free(&rc);
}
END_TEST

/* An overlong line matches on its start, once; the next line is whole. */
START_TEST(test_log_overlong)
{
	struct readycheck rc;
	char big[RC_LINE * 3];

	log_checks(&rc, "^x+$", "^after$");
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	feed(&rc, 0, big);
	feed(&rc, 0, big);
	ck_assert_int_eq(rc.c[0].passed, 1);
	ck_assert_int_eq(rc.c[1].passed, 0);
	feed(&rc, 0, "yyy\nafter\n");
	ck_assert_int_eq(rc_step(&rc, 1), READY_DONE);
	rc_free(&rc);
}
END_TEST

/* Both must pass; at the deadline the message names the one left. */
START_TEST(test_log_timeout_message)
{
	struct readycheck rc;
	char msg[512];

	log_checks(&rc, "alpha", "beta");
	feed(&rc, 0, "alpha\n");
	ck_assert_int_eq(rc_step(&rc, 500), READY_WAITING);
	ck_assert_int_eq(rc_step(&rc, 1000), READY_TIMEOUT);
	rc_report(&rc, 42, msg, sizeof(msg));
	ck_assert_str_eq(msg, "pid 42 was not ready within 1.000 s: "
	    "--ready-log=beta (no line matched) did not pass");
	rc_free(&rc);
}
END_TEST

/* A restart begins anew: what passed before counts no more. */
START_TEST(test_begin_resets)
{
	struct readycheck rc;

	log_checks(&rc, "up", NULL);
	feed(&rc, 0, "up\n");
	ck_assert_int_eq(rc_step(&rc, 1), READY_DONE);
	rc_begin(&rc, NULL, 10);
	feed(&rc, 0, "half a line, u");
	rc_begin(&rc, NULL, 20);	/* the partial line is dropped too */
	feed(&rc, 0, "p\n");
	ck_assert_int_eq(rc_step(&rc, 21), READY_WAITING);
	ck_assert_int_eq(rc.deadline, 1020);
	rc_free(&rc);
}
END_TEST

START_TEST(test_explain_several)
{
	struct rc_spec sp[3] = { { RC_PORT, "8080" }, { RC_LOG, "a" },
	    { RC_LOG, "b" } };
	struct readycheck rc;
	char err[128], buf[256];

	ck_assert_int_eq(rc_init(&rc, sp, 3, err, sizeof(err)), 0);
	rc_begin(&rc, NULL, 0);
	snprintf(rc.c[0].why, sizeof(rc.c[0].why), "Connection refused");
	rc_explain(&rc, buf, sizeof(buf));
	ck_assert_str_eq(buf, "--ready-port=8080 (Connection refused), "
	    "--ready-log=a (no line matched) and --ready-log=b (no line matched)");
	rc_explain(&rc, buf, 20);	/* cut, still a string */
	ck_assert_uint_eq(strlen(buf), 19);
	rc_free(&rc);
}
END_TEST

START_TEST(test_init_refuses)
{
	struct rc_spec bad_re = { RC_LOG, "(" }, bad_port = { RC_PORT, "0" };
	struct readycheck rc;
	char err[128];

	ck_assert_int_eq(rc_init(&rc, &bad_re, 1, err, sizeof(err)), -1);
	ck_assert_int_ne(strlen(err), 0);
	rc_free(&rc);
	ck_assert_int_eq(rc_init(&rc, &bad_port, 1, err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "--ready-port=0"));
	rc_free(&rc);
}
END_TEST

static Suite *
readycheck_suite(void)
{
	Suite *s = suite_create("readycheck");
	TCase *tc = tcase_create("pure");

	tcase_add_loop_test(tc, test_interval, 0, NELEM(backoff));
	tcase_add_test(tc, test_interval_monotonic);
	tcase_add_test(tc, test_log_whole_lines);
	tcase_add_test(tc, test_log_anchor);
	tcase_add_test(tc, test_log_streams);
	tcase_add_test(tc, test_log_overlong);
	tcase_add_test(tc, test_log_timeout_message);
	tcase_add_test(tc, test_begin_resets);
	tcase_add_test(tc, test_explain_several);
	tcase_add_test(tc, test_init_refuses);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return unit_run(readycheck_suite());
}
