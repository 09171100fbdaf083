/*
 * The verbs that act on a running daemon through its pidfile: stop,
 * signal, reopen (control.c) and status (status.c), with the messages
 * they share (explain.c).
 */
#ifndef CONTROL_H
#define CONTROL_H

#include "cli.h"
#include "paths.h"
#include "pidlock.h"

int	cmd_stop(const struct detach_opts *, const struct paths *);
int	cmd_status(const struct detach_opts *, const struct paths *);
int	cmd_signal(const struct detach_opts *, const struct paths *);
int	cmd_reopen(const struct detach_opts *, const struct paths *);

void	explain(const struct paths *, const struct probe *);
void	holders_text(const struct probe *, char *, size_t);
int	child_pidfile(const struct probe *);
int	status_code(const struct probe *);

#endif
