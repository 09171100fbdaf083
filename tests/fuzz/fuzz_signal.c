/*
 * parse_signal() and signal_name(): every signal parse_signal() accepts
 * lies in 1..SIGRTMAX, and its name parses back to the same number.
 */
#include "config.h"

#include <signal.h>
#include <string.h>

#include "parse.h"
#include "fuzz.h"

int	LLVMFuzzerInitialize(int *, char ***);

static void
round_trip(int sig)
{
	char name[32];
	int back = -1;

	CHECK(signal_name(sig, name, sizeof(name)) == 0);
	CHECK(parse_signal(name, &back) == 0);
	CHECK(back == sig);
}

/* Every valid signal, once. */
int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	int sig;

	(void)argc;
	(void)argv;
	for (sig = 1; sig <= SIGRTMAX; sig++)
		round_trip(sig);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_strndup(data, size), *small;
	int sig = -777, any;
	size_t cap;

	if (parse_signal(s, &sig) == 0) {
		CHECK(sig >= 1 && sig <= SIGRTMAX);
		round_trip(sig);
	} else
		CHECK(sig == -777);

	/*
	 * signal_name() on any int, into a buffer of exactly cap bytes:
	 * it fails rather than truncates, and never writes past cap.
	 */
	if (size >= sizeof(any) + 1) {
		memcpy(&any, data, sizeof(any));
		cap = data[sizeof(any)] % 24;
		small = malloc(cap);
		if (small == NULL && cap > 0)
			abort();
		if (cap > 0 && signal_name(any, small, cap) == 0) {
			CHECK(strlen(small) < cap);
			if (any >= 1 && any <= SIGRTMAX) {
				CHECK(parse_signal(small, &sig) == 0);
				CHECK(sig == any);
			}
		}
		free(small);
	}
	free(s);
	return 0;
}
