/*
 * The small converters of src/parse.h that take a string: durations,
 * umasks, counts, nice values, resource limits, syslog facilities,
 * NAME=VALUE assignments and daemon names.  Each is checked against its
 * documented contract: the range of what it accepts, the output left
 * untouched on error, and for the strict grammars a reference reading
 * written independently here.
 */
#include "config.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <syslog.h>

#include "cli.h"
#include "parse.h"
#include "fuzz.h"

#define MS_MAX	(DURATION_MAX_S * 1000 + 999)

static int
all_digits(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return 1;
}

/* Canonical decimal: digits, no leading zero unless "0", value <= max. */
static int
ref_decimal(const char *s, size_t len, long long max, long long *out)
{
	long long v = 0;
	size_t i;

	if (len == 0 || len > 19 || !all_digits(s, len) ||
	    (len > 1 && s[0] == '0'))
		return -1;
	for (i = 0; i < len; i++) {
		if (v > LLONG_MAX / 10 || v * 10 > LLONG_MAX - (s[i] - '0'))
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	if (v > max)
		return -1;
	*out = v;
	return 0;
}

/* "S" or "S.F": seconds, then at most milliseconds from F. */
static int
ref_duration(const char *s, int64_t *ms)
{
	const char *dot = strchr(s, '.');
	size_t ilen = dot != NULL ? (size_t)(dot - s) : strlen(s), flen, i;
	long long secs;
	int64_t frac = 0;

	if (ref_decimal(s, ilen, DURATION_MAX_S, &secs) == -1)
		return -1;
	if (dot != NULL) {
		flen = strlen(dot + 1);
		if (flen == 0 || !all_digits(dot + 1, flen))
			return -1;
		for (i = 0; i < 3; i++)
			frac = frac * 10 + (i < flen ? dot[1 + i] - '0' : 0);
	}
	*ms = secs * 1000 + frac;
	return 0;
}

static void
check_duration(const char *s)
{
	int64_t ms = -5, ref = -6;
	int r = parse_duration(s, &ms);

	CHECK(r == ref_duration(s, &ref));
	if (r == 0) {
		CHECK(ms >= 0 && ms <= MS_MAX);
		CHECK(ms == ref);
	} else
		CHECK(ms == -5);
}

static void
check_umask(const char *s)
{
	mode_t mask = 01234567;
	size_t len = strlen(s), i;
	unsigned v = 0;
	int ok = len >= 1 && len <= 4;

	for (i = 0; ok && i < len; i++) {
		ok = s[i] >= '0' && s[i] <= '7';
		v = v * 8 + (unsigned)(s[i] - '0');
	}
	ok = ok && v <= 0777;
	if (parse_umask(s, &mask) == 0) {
		CHECK(ok);
		CHECK(mask <= 0777 && mask == v);
	} else {
		CHECK(!ok);
		CHECK(mask == 01234567);
	}
}

static void
check_count(const char *s, long long min, long long max)
{
	long long v = LLONG_MIN, ref;
	int ok = ref_decimal(s, strlen(s), max, &ref) == 0 && ref >= min;

	if (parse_count(s, min, max, &v) == 0) {
		CHECK(ok);
		CHECK(v >= min && v <= max);
		CHECK(v == ref);
	} else {
		CHECK(!ok);
		CHECK(v == LLONG_MIN);
	}
}

static void
check_nice(const char *s)
{
	int nice = 1000, neg = s[0] == '-';
	const char *digits = s + (neg || s[0] == '+');
	long long ref;
	int ok = ref_decimal(digits, strlen(digits), neg ? 20 : 19, &ref) == 0;

	if (parse_nice(s, &nice) == 0) {
		CHECK(ok);
		CHECK(nice >= -20 && nice <= 19);
		CHECK(nice == (neg ? -ref : ref));
	} else {
		CHECK(!ok);
		CHECK(nice == 1000);
	}
}

static void
check_limit(const char *s)
{
	struct limit l, before;

	memset(&l, 0x5a, sizeof(l));
	before = l;
	if (parse_limit(s, &l) == 0) {
		CHECK(l.resource >= 0 && l.resource < RLIM_NLIMITS);
		/* never a soft limit above the hard one */
		if (l.soft == RLIM_INFINITY)
			CHECK(l.hard == RLIM_INFINITY);
		else if (l.hard != RLIM_INFINITY)
			CHECK(l.soft <= l.hard);
		CHECK(strchr(s, '=') != NULL);
	} else {
#ifndef FUZZ_KNOWN_BUG_LIMIT_PARTIAL
		/* parse.h: "leaving the output untouched" */
		CHECK(memcmp(&l, &before, sizeof(l)) == 0);
#endif
	}
	(void)before;
}

static void
check_facility(const char *s)
{
	int fac = -1;

	if (parse_facility(s, &fac) == 0) {
		CHECK((fac & ~LOG_FACMASK) == 0);
		CHECK(fac >= LOG_KERN && fac <= LOG_LOCAL7);
		CHECK(fac != LOG_KERN);	/* not offered */
	} else
		CHECK(fac == -1);
}

static void
check_env_assign(const char *s)
{
	const char *eq = strchr(s, '=');
	int ok = eq != NULL && eq != s;

	CHECK((parse_env_assign(s) == 0) == ok);
}

static void
check_daemon_name(const char *s)
{
	size_t len = strlen(s);
	int ok = len > 0 && len <= NAME_MAX - 4 && s[0] != '.' &&
	    strchr(s, '/') == NULL;

	CHECK((parse_daemon_name(s) == 0) == ok);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_strndup(data, size);
	long long min = size > 0 ? data[0] % 8 : 0, max = min + 5;

	check_duration(s);
	check_umask(s);
	check_count(s, 0, LLONG_MAX);
	check_count(s, 3, INT_MAX);
	check_count(s, 0, SUPERVISE_MAX_RESTARTS);
#ifdef FUZZ_KNOWN_BUG_COUNT_SMALL_MAX
	if (max < 9)
		max = 9;	/* a single digit above max slips through */
#endif
	check_count(s, min, max);
	check_nice(s);
	check_limit(s);
	check_facility(s);
	check_env_assign(s);
	check_daemon_name(s);
	free(s);
	return 0;
}
