/*
 * Helpers shared by the libFuzzer targets in tests/fuzz/.  Each target
 * checks the documented postconditions of the code under test with
 * CHECK(), which reports the failed condition and aborts so that
 * libFuzzer records the input as a crash.
 */
#ifndef FUZZ_H
#define FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define CHECK(cond) do {						\
	if (!(cond)) {							\
		fprintf(stderr, "%s:%d: postcondition failed: %s\n",	\
		    __FILE__, __LINE__, #cond);				\
		abort();						\
	}								\
} while (0)

/* A malloc'd copy of data[0..size) with a NUL after it. */
static inline char *
fuzz_strndup(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (s == NULL)
		abort();
	if (size > 0)
		memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

/* A malloc'd copy of exactly size bytes, no terminator: overreads trap. */
static inline char *
fuzz_memdup(const uint8_t *data, size_t size)
{
	char *s = malloc(size);	/* ASan: even malloc(0) traps on access */

	if (s == NULL && size > 0)
		abort();
	if (size > 0)
		memcpy(s, data, size);
	return s;
}

#endif
