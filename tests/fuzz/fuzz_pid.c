/*
 * parse_pid() on the raw bytes of a pidfile: digits only, no leading
 * zero, optionally one trailing newline, greater than 1, at most INT_MAX.
 */
#include "config.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>

#include "parse.h"
#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = fuzz_memdup(data, size), text[32];
	const pid_t sentinel = -12345;
	pid_t pid = sentinel;
	size_t len = size;
	int n;

	if (parse_pid(buf, size, &pid) == 0) {
		CHECK(pid > 1);
		CHECK(pid <= INT_MAX);
		/* The input is exactly the canonical decimal, maybe + '\n'. */
		if (len > 0 && buf[len - 1] == '\n')
			len--;
		n = snprintf(text, sizeof(text), "%ld", (long)pid);
		CHECK(n > 0 && (size_t)n == len);
		CHECK(memcmp(text, buf, len) == 0);
	} else
		CHECK(pid == sentinel);	/* output untouched on error */
	free(buf);
	return 0;
}
