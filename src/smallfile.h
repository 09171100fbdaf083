/*
 * Small state files beside a pidfile (PIDFILE.state, PIDFILE.logs):
 * replaced atomically, and believed only from root or from ourselves.
 */
#ifndef SMALLFILE_H
#define SMALLFILE_H

#include <stddef.h>
#include <sys/types.h>

int	smallfile_replace(const char *, const char *, size_t);
ssize_t	smallfile_read(const char *, char *, size_t);
int	smallfile_sibling(const char *, const char *, char *, size_t);

#endif
