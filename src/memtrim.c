/*
 * The supervisor is forked from deep inside `detach start`: the stack
 * pages below its frame were dirtied by start's parsing, path resolving
 * and preparing, and fork made them its own.  Nothing below the current
 * frame is live (the stack grows down), so they can be given back with
 * MADV_DONTNEED; a later call that reaches that deep gets fresh zero
 * pages.
 */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <sys/mman.h>
#include <unistd.h>

#include "memtrim.h"

/*
 * Kept below the caller's frame: this function's and madvise's (a few
 * hundred bytes; a sanitizer's interceptors take more).
 */
#define TRIM_MARGIN	(4 * 1024)
#define TRIM_PAGES	2048	/* looked at below it: 8 MiB of stack */

/*
 * The lowest address of the mapping holding addr, found by walking down
 * a page at a time until mincore(2) says ENOMEM (nothing mapped there),
 * at most TRIM_PAGES; 0 if unknown.  No /proc/self/maps: parsing it
 * pulled in libc's scanf, and the supervisor's RSS grew by its pages.
 */
static uintptr_t
stack_low(uintptr_t addr, uintptr_t page)
{
	unsigned char vec;
	uintptr_t a = addr & ~(page - 1);
	int i;

	for (i = 0; i < TRIM_PAGES && a >= page; i++, a -= page)
		if (mincore((void *)(a - page), page, &vec) == -1)
			return errno == ENOMEM ? a : 0;
	return a;
}

/* Give back the stack below the caller's frame. */
void __attribute__((noinline))
mem_trim_stack(void)
{
	volatile char here;
	uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
	uintptr_t top = (uintptr_t)&here, lo;

	if (page == 0 || top < TRIM_MARGIN ||
	    (lo = stack_low(top - TRIM_MARGIN, page)) == 0)
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
