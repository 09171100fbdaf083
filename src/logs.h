/* `detach logs`: the daemon's output files, as tail -n and tail -F. */
#ifndef LOGS_H
#define LOGS_H

#include "cli.h"
#include "paths.h"

int	cmd_logs(const struct detach_opts *, const struct paths *);

#endif
