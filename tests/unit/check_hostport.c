/*
 * Unit tests for [HOST:]PORT (src/hostport.c), the argument of the port
 * probes: defaults, brackets for IPv6, and every malformed form refused
 * with a reason.
 */
#include "config.h"

#include <check.h>
#include <string.h>

#include "hostport.h"
#include "unit.h"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

static const struct {
	const char	*in;
	const char	*host;		/* NULL: refused */
	const char	*port;
} cases[] = {
	{ "8080", "127.0.0.1", "8080" },
	{ "1", "127.0.0.1", "1" },
	{ "65535", "127.0.0.1", "65535" },
	{ "007", "127.0.0.1", "7" },
	{ "localhost:6379", "localhost", "6379" },
	{ "10.0.0.2:80", "10.0.0.2", "80" },
	{ "[::1]:8080", "::1", "8080" },
	{ "[fe80::1%lo]:22", "fe80::1%lo", "22" },
	{ "0", NULL, NULL },
	{ "65536", NULL, NULL },
	{ "99999999999999999999", NULL, NULL },
	{ "-1", NULL, NULL },
	{ "+80", NULL, NULL },
	{ " 80", NULL, NULL },
	{ "80x", NULL, NULL },
	{ "", NULL, NULL },
	{ "host:", NULL, NULL },
	{ ":80", NULL, NULL },
	{ "::1:80", NULL, NULL },
	{ "[::1]", NULL, NULL },
	{ "[::1]80", NULL, NULL },
	{ "[::1:80", NULL, NULL },
	{ "[]:80", NULL, NULL },
	{ "[[::1]]:80", NULL, NULL },
};

START_TEST(test_parse)
{
	struct hostport hp;
	const char *why = NULL;
	int r;

	memset(&hp, 'x', sizeof(hp));
	r = hostport_parse(cases[_i].in, &hp, &why);
	if (cases[_i].host == NULL) {
		ck_assert_msg(r == -1, "\"%s\" was accepted", cases[_i].in);
		ck_assert_ptr_nonnull(why);
		ck_assert_int_eq(hp.host[0], 'x');	/* untouched */
	} else {
		ck_assert_msg(r == 0, "\"%s\": %s", cases[_i].in, why);
		ck_assert_str_eq(hp.host, cases[_i].host);
		ck_assert_str_eq(hp.port, cases[_i].port);
	}
}
END_TEST

START_TEST(test_long_host)
{
	char buf[HOSTPORT_HOST_MAX + 8];
	struct hostport hp;
	const char *why;

	memset(buf, 'a', HOSTPORT_HOST_MAX);
	strcpy(buf + HOSTPORT_HOST_MAX, ":80");
	ck_assert_int_eq(hostport_parse(buf, &hp, &why), 0);
	ck_assert_uint_eq(strlen(hp.host), HOSTPORT_HOST_MAX);
	memset(buf, 'a', HOSTPORT_HOST_MAX + 1);
	strcpy(buf + HOSTPORT_HOST_MAX + 1, ":80");
	ck_assert_int_eq(hostport_parse(buf, &hp, &why), -1);
}
END_TEST

static Suite *
hostport_suite(void)
{
	Suite *s = suite_create("hostport");
	TCase *tc = tcase_create("pure");

	tcase_add_loop_test(tc, test_parse, 0, NELEM(cases));
	tcase_add_test(tc, test_long_host);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return unit_run(hostport_suite());
}
