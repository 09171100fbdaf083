/*
 * Unit tests for finding where the last N lines of a file start, read
 * backwards in blocks (logs_scan_block() in src/logs.c): the same answer
 * as tail -n N, whatever the block size.
 */
#include "config.h"

#include <check.h>
#include <string.h>
#include <sys/types.h>

#include "logs.h"
#include "unit.h"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))
#define MAXLINES	7

static const char *const texts[] = {
	"",
	"\n",
	"\n\n",
	"a",
	"a\n",
	"a\nb",
	"a\nb\n",
	"one\ntwo\nthree\n",
	"a\n\nb\n\n",
	"\n\n\nx",
	"no newline at all, a long line",
	"1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n11\n12\n",
	"1\n22\n333\n4444\n55555\n666666\nlast",
};

/* tail's answer, counted forwards: where the last `lines` lines start. */
static size_t
forwards(const char *s, long long lines)
{
	size_t len = strlen(s), starts[64], n = 0, i;

	if (len > 0)
		starts[n++] = 0;
	for (i = 0; i + 1 < len; i++)
		if (s[i] == '\n')
			starts[n++] = i + 1;
	if (lines == 0)
		return len;
	return (size_t)lines >= n ? 0 : starts[n - (size_t)lines];
}

/* As logs.c drives it: blocks of `block` bytes from the end. */
static size_t
backwards(const char *s, long long lines, size_t block)
{
	struct logs_scan sc;
	size_t at = strlen(s), n;
	ssize_t i;

	logs_scan_init(&sc, lines);
	if (lines == 0)
		return at;
	while (at > 0) {
		n = at < block ? at : block;
		at -= n;
		if ((i = logs_scan_block(&sc, s + at, n)) != -1) {
			ck_assert_int_le(i, (ssize_t)n);
			return at + (size_t)i;
		}
	}
	return 0;
}

START_TEST(test_every_block_size)
{
	const char *s = texts[_i];
	size_t len = strlen(s), block;
	long long lines;

	for (lines = 0; lines <= MAXLINES; lines++)
		for (block = 1; block <= len + 1; block++)
			ck_assert_msg(backwards(s, lines, block) ==
			    forwards(s, lines), "text %d, %lld lines, blocks "
			    "of %zu: starts at %zu, not %zu", _i, lines, block,
			    backwards(s, lines, block), forwards(s, lines));
}
END_TEST

/* The cases of the manual, spelt out. */
START_TEST(test_tail_cases)
{
	ck_assert_uint_eq(backwards("1\n2\n3\n4\n", 3, 64), 2);
	ck_assert_uint_eq(backwards("1\n2\n3\n4", 3, 64), 2); /* "4" counts */
	ck_assert_uint_eq(backwards("1\n2\n", 10, 64), 0);	/* fewer */
	ck_assert_uint_eq(backwards("1\n2\n", 0, 64), 4);	/* none */
	ck_assert_uint_eq(backwards("\n\n\n", 2, 1), 1);	/* empty ones */
}
END_TEST

/* Once the lines are found, the scan is done: need is 0. */
START_TEST(test_found_then_done)
{
	struct logs_scan sc;

	logs_scan_init(&sc, 1);
	ck_assert_int_eq(logs_scan_block(&sc, "x\ny\n", 4), 2);
	ck_assert_int_eq(sc.need, 0);
	logs_scan_init(&sc, 2);
	ck_assert_int_eq(logs_scan_block(&sc, "y\n", 2), -1);	/* not yet */
	ck_assert_int_eq(sc.need, 2);		/* the final newline: not one */
	ck_assert_int_eq(logs_scan_block(&sc, "", 0), -1);
	ck_assert_int_eq(logs_scan_block(&sc, "w\nx\n", 4), 2);
}
END_TEST

static Suite *
logs_suite(void)
{
	Suite *s = suite_create("logs");
	TCase *tc = tcase_create("scan");

	tcase_add_loop_test(tc, test_every_block_size, 0, NELEM(texts));
	tcase_add_test(tc, test_tail_cases);
	tcase_add_test(tc, test_found_then_done);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return unit_run(logs_suite());
}
