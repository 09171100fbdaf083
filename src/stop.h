/*
 * Stopping processes: running a stop schedule against pinned targets,
 * and stopping what is left of a service once its main process is gone.
 */
#ifndef STOP_H
#define STOP_H

#include "proc.h"
#include "schedule.h"
#include "target.h"

enum stop_result {
	STOP_GONE,		/* every process has exited */
	STOP_ALIVE,		/* the schedule ran out first */
	STOP_ERROR,		/* errno says why */
};

/* How a signal item is delivered: to the process itself, or as a request. */
typedef int (*stop_sender)(const struct target *, int sig, void *arg);

enum stop_result stop_run(const struct target *, int, const struct schedule *,
    stop_sender, void *);

/* What else belongs to a service besides its main process. */
struct service {
	pid_t			 session;	/* its session, 0: none of its own */
	pid_t			 own_session;	/* one the daemon made, 0: none */
	const struct proc_id	*daemon;	/* may lead its own session */
	int			 children;	/* and our children (subreaper) */
};

enum stop_result stop_leftovers(const struct service *,
    const struct schedule *, int *);

#endif
