#ifndef START_H
#define START_H

#include "cli.h"
#include "paths.h"

int	cmd_start(const struct detach_opts *, const struct paths *);
int	start_validate(const struct detach_opts *, const struct paths *);

#endif
