/*
 * Small pure converters.  Each returns 0 on success and -1 on a malformed
 * or out-of-range input, leaving the output untouched.
 */
#ifndef PARSE_H
#define PARSE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Longest duration accepted, in seconds (about 31 years). */
#define DURATION_MAX_S	1000000000LL

int	parse_pid(const char *, size_t, pid_t *);
int	parse_signal(const char *, int *);
int	signal_name(int, char *, size_t);
int	parse_duration(const char *, int64_t *);
int	parse_umask(const char *, mode_t *);
int	parse_count(const char *, long long, long long, long long *);
int	parse_env_assign(const char *);
int	parse_daemon_name(const char *);
int	parse_facility(const char *, int *);
int	parse_nice(const char *, int *);
int	parse_size(const char *, int64_t, int64_t *);

struct limit;
int	parse_limit(const char *, struct limit *);

#endif
