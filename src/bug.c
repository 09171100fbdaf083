#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "detach.h"

/* An internal impossibility: say where, then abort for a core dump. */
void
detach_bug(const char *file, int line, const char *func, const char *fmt,
    ...)
{
	va_list ap;

	fprintf(stderr, "detach: %s:%d:%s: internal error: ", file, line,
	    func);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	abort();
}
