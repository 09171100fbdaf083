/*
 * The supervisor is forked from deep inside `detach start`: the stack
 * pages below its frame were dirtied by start's parsing, path resolving
 * and preparing, and fork made them its own.  Nothing below the current
 * frame is live (the stack grows down), so they can be given back with
 * MADV_DONTNEED; a later call that reaches that deep gets fresh zero
 * pages.  The stack's lower end is read from /proc/self/maps; without
 * it, nothing is given back.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "memtrim.h"
#include "proc.h"

/* Pages kept below the caller's frame: this function's and madvise's. */
#define TRIM_MARGIN	(16 * 1024)

/* The lowest address of the [stack] mapping holding addr, or 0. */
static uintptr_t
stack_low(uintptr_t addr)
{
	char buf[8192], *line, *next;
	unsigned long lo, hi;

	if (proc_read("/proc/self/maps", 0, buf, sizeof(buf)) <= 0)
		return 0;
	for (line = buf; line != NULL && *line != '\0'; line = next) {
		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		if (strstr(line, "[stack]") != NULL &&
		    sscanf(line, "%lx-%lx", &lo, &hi) == 2 && lo <= addr &&
		    addr < hi)
			return (uintptr_t)lo;
	}
	return 0;
}

/* Give back the stack below the caller's frame. */
void __attribute__((noinline))
mem_trim_stack(void)
{
	volatile char here;
	uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
	uintptr_t top = (uintptr_t)&here, lo;

	if (page == 0 || (lo = stack_low(top)) == 0 || top < TRIM_MARGIN)
		return;
	top = (top - TRIM_MARGIN) & ~(page - 1);
	if (top > lo)
		madvise((void *)lo, top - lo, MADV_DONTNEED);
}

/*
 * A large struct, zeroed: its own anonymous mapping, whose pages stay
 * clean (not even allocated) until written.  On the stack or the heap,
 * zeroing it would dirty every page, and fork hands them all to the
 * supervisor.  NULL with errno on failure.
 */
void *
mem_zeroed(size_t size)
{
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

void
mem_release(void *p, size_t size)
{
	if (p != NULL)
		munmap(p, size);
}
