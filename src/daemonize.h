/*
 * The daemonize sequence, and -f's exec in place.
 */
#ifndef DAEMONIZE_H
#define DAEMONIZE_H

#include "spawn.h"

int	daemonize_launch(const struct launch *, struct launch_result *);
void	daemonize_exec_here(const struct launch *, struct launch_result *);

#endif
