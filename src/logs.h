/* `detach logs`: the daemon's output files, as tail -n and tail -F. */
#ifndef LOGS_H
#define LOGS_H

#include <sys/types.h>

#include "cli.h"
#include "paths.h"

/*
 * Where the last N lines of a file start, found from its end backwards,
 * one block at a time: each block given is the one just before the last.
 */
struct logs_scan {
	long long	need;		/* line ends still to pass */
	int		seen_end;	/* the file's last byte was given */
};

/* pure */
void	logs_scan_init(struct logs_scan *, long long);
ssize_t	logs_scan_block(struct logs_scan *, const char *, size_t);

int	cmd_logs(const struct detach_opts *, const struct paths *);

#endif
