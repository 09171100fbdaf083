/*
 * What is known about a daemon, for `detach list` and `status --json`.
 */
#ifndef REPORT_H
#define REPORT_H

#include <stdio.h>
#include <sys/types.h>

#include "cli.h"
#include "paths.h"
#include "pidlock.h"
#include "svstate.h"

struct report {
	const char	*name;
	const char	*pidfile;
	struct probe	 probe;
	const char	*state;		/* running, stale, ... */
	int		 supervised;
	struct svstate	 sv;
	long long	 uptime_s;	/* -1 if unknown */
	char		 command[512];
};

void	report_describe(const char *, const char *, struct report *);
void	report_json(FILE *, const struct report *);
const char	*report_readiness(const struct probe *);
const char	*report_health(const struct probe *);
int	cmd_list(const struct detach_opts *, const struct paths *);

#endif
