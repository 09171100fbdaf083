#ifndef CONTROL_H
#define CONTROL_H

#include "cli.h"
#include "paths.h"

int	cmd_stop(const struct detach_opts *, const struct paths *);
int	cmd_status(const struct detach_opts *, const struct paths *);
int	cmd_signal(const struct detach_opts *, const struct paths *);
int	cmd_reopen(const struct detach_opts *, const struct paths *);

#endif
