/*
 * Memory a resident process (the supervisor) does not keep for nothing:
 * what the short-lived start dirtied before it forked, and the parts of
 * large state structs that are never used.
 */
#ifndef MEMTRIM_H
#define MEMTRIM_H

#include <stddef.h>

void	mem_trim_stack(void);
void	*mem_zeroed(size_t);
void	mem_release(void *, size_t);

#endif
