/*
 * Unit tests for JSON string quoting (src/jsonstr.c).
 */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonstr.h"
#include "unit.h"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))
#define R		"\xef\xbf\xbd"	/* U+FFFD in UTF-8 */
#define MAXIN		16	/* longest input of a case */
/* sizeof, not strlen: the input may hold a NUL */
#define CASE(in, want)	{ in, sizeof(in) - 1, "\"" want "\"" }

struct quote_case {
	const char	*in;
	size_t		 len;
	const char	*want;
};

static const struct quote_case cases[] = {
	CASE("", ""),
	CASE("sleep 301", "sleep 301"),
	CASE("/a/b", "/a/b"),			/* no need to escape '/' */
	CASE("a\"b\\c", "a\\\"b\\\\c"),
	CASE("\b\f\n\r\t", "\\b\\f\\n\\r\\t"),
	CASE("\x01\x1b[2J\x1f", "\\u0001\\u001b[2J\\u001f"),
	CASE("a\0b", "a\\u0000b"),
	CASE("\x7f", "\\u007f"),
	CASE(" ~", " ~"),

	/* valid UTF-8 is kept, at each length and range boundary */
	CASE("caf\xc3\xa9", "caf\xc3\xa9"),
	CASE("\xc2\xa0", "\xc2\xa0"),			/* U+00A0 */
	CASE("\xdf\xbf", "\xdf\xbf"),			/* U+07FF */
	CASE("\xe0\xa0\x80", "\xe0\xa0\x80"),		/* U+0800 */
	CASE("\xe2\x82\xac", "\xe2\x82\xac"),		/* U+20AC */
	CASE("\xed\x9f\xbf", "\xed\x9f\xbf"),		/* U+D7FF */
	CASE("\xee\x80\x80", "\xee\x80\x80"),		/* U+E000 */
	CASE("\xef\xbf\xbd", "\xef\xbf\xbd"),		/* U+FFFD itself */
	CASE("\xef\xbf\xbf", "\xef\xbf\xbf"),		/* U+FFFF */
	CASE("\xf0\x90\x80\x80", "\xf0\x90\x80\x80"),	/* U+10000 */
	CASE("\xf0\x9f\x98\x80", "\xf0\x9f\x98\x80"),	/* U+1F600 */
	CASE("\xf4\x8f\xbf\xbf", "\xf4\x8f\xbf\xbf"),	/* U+10FFFF */

	/* the C1 controls are escaped: terminals act on them */
	CASE("\xc2\x80", "\\u0080"),
	CASE("\xc2\x9b" "2J", "\\u009b2J"),
	CASE("\xc2\x9f", "\\u009f"),

	/* stray bytes: one U+FFFD each */
	CASE("\xff\xfe", R R),
	CASE("a\x80" "b", "a" R "b"),
	CASE("\xbf", R),
	CASE("\xf5\x80\x80\x80", R R R R),
	CASE("\xf8\x88\x80\x80\x80", R R R R R),
	/* overlong forms: the lead byte cannot start them */
	CASE("\xc0\xaf", R R),
	CASE("\xc1\xbf", R R),
	CASE("\xe0\x80\xaf", R R R),
	CASE("\xe0\x9f\xbf", R R R),
	CASE("\xf0\x80\x80\xaf", R R R R),
	CASE("\xf0\x8f\xbf\xbf", R R R R),
	/* surrogates, paired or not */
	CASE("\xed\xa0\x80", R R R),
	CASE("\xed\xbf\xbf", R R R),
	CASE("\xed\xa0\xbd\xed\xb8\x80", R R R R R R),
	/* past U+10FFFF */
	CASE("\xf4\x90\x80\x80", R R R R),
	/* truncated: one U+FFFD for the valid prefix, then what follows */
	CASE("\xc3", R),
	CASE("\xe2\x82", R),
	CASE("\xf0\x9f\x98", R),
	CASE("\xe2\x82" "x", R "x"),
	CASE("\xf0\x9f\x98" "\"", R "\\\""),
	CASE("\xe2\x82\xe2\x82\xac", R "\xe2\x82\xac"),
	CASE("\xc3\xc3\xa9", R "\xc3\xa9"),
	CASE("\xf0\x9f\n", R "\\n"),
	CASE("a\xc3\0", "a" R "\\u0000"),
};

START_TEST(test_quote)
{
	const struct quote_case *c = &cases[_i];
	char buf[JSON_QUOTE_SIZE(MAXIN)];
	size_t n;

	ck_assert_uint_le(c->len, MAXIN);
	n = json_quote(buf, sizeof(buf), c->in, c->len);
	ck_assert_msg(strcmp(buf, c->want) == 0, "case %d: got %s, want %s",
	    _i, buf, c->want);
	ck_assert_uint_eq(n, strlen(c->want));
	/* the length alone, as snprintf(NULL, 0, ...) */
	ck_assert_uint_eq(json_quote(NULL, 0, c->in, c->len), n);
}
END_TEST

/* The stream writer gives the same bytes for a C string. */
START_TEST(test_write)
{
	const struct quote_case *c = &cases[_i];
	char want[JSON_QUOTE_SIZE(MAXIN)], *got = NULL;
	size_t len = 0;
	FILE *f;

	if (memchr(c->in, '\0', c->len) != NULL)
		return;		/* a C string stops there */
	json_quote(want, sizeof(want), c->in, c->len);
	ck_assert_ptr_nonnull(f = open_memstream(&got, &len));
	json_write_string(f, c->in);
	ck_assert_int_eq(fclose(f), 0);
	ck_assert_str_eq(got, want);
	free(got);
}
END_TEST

/* A short buffer gets a NUL-terminated prefix; the length stays whole. */
START_TEST(test_truncate)
{
	char buf[8];

	memset(buf, 'x', sizeof(buf));
	ck_assert_uint_eq(json_quote(buf, 5, "abc\n", 4), 7);
	ck_assert_str_eq(buf, "\"abc");
	ck_assert_int_eq(buf[5], 'x');		/* nothing past size */
	ck_assert_uint_eq(json_quote(buf, 1, "abc", 3), 5);
	ck_assert_str_eq(buf, "");
	ck_assert_uint_eq(json_quote(buf, 7, "\t", 1), 4);
	ck_assert_str_eq(buf, "\"\\t\"");
	ck_assert_uint_eq(json_quote(buf, 4, "\t", 1), 4);
	ck_assert_str_eq(buf, "\"\\t");
}
END_TEST

/* JSON_QUOTE_SIZE holds the worst case: six bytes per input byte. */
START_TEST(test_worst_case)
{
	static const char in[] = "\x01\x01\x01\x01";
	char buf[JSON_QUOTE_SIZE(sizeof(in) - 1)];

	ck_assert_uint_eq(json_quote(buf, sizeof(buf), in, sizeof(in) - 1),
	    sizeof(buf) - 1);
	ck_assert_str_eq(buf, "\"\\u0001\\u0001\\u0001\\u0001\"");
}
END_TEST

static Suite *
jsonstr_suite(void)
{
	Suite *s = suite_create("jsonstr");
	TCase *tc = tcase_create("quote");

	tcase_add_loop_test(tc, test_quote, 0, NELEM(cases));
	tcase_add_loop_test(tc, test_write, 0, NELEM(cases));
	tcase_add_test(tc, test_truncate);
	tcase_add_test(tc, test_worst_case);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return unit_run(jsonstr_suite());
}
