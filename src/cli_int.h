/*
 * Between the two phases of cli_parse(): the strings the getopt loop
 * gathered (cli.c), which the second phase converts and checks
 * (cli_check.c).  Not for the rest of detach, which sees cli.h only.
 */
#ifndef CLI_INT_H
#define CLI_INT_H

#include <stddef.h>

#include "cli.h"

/* The strings gathered by the first phase. */
struct raw_opts {
	const char	*umask, *signal, *timeout, *retry;
	const char	*restart, *delay, *delay_max, *delay_reset, *window;
	const char	*max_restarts, *facility;
	const char	*needs_supervise;	/* a supervise-only option */
	const char	*nice, *wait_ready, *ready_fd, *wait;
	const char	*ready_timeout;
	const char	**keep_fds, **limits;
	int		 nkeep, nlimits;
	int		 nenv, nunset, nfiles;	/* in the detach_opts lists */
	char		 bad_opt[64];	/* first option not valid for the verb */
};

int	cli_fail(char *, size_t, const char *, ...)
	    __attribute__((format(printf, 3, 4)));
int	cli_convert(struct detach_opts *, const struct raw_opts *, char *,
	    size_t);
int	cli_operands(struct detach_opts *, int, char **, char *, size_t);

#endif
