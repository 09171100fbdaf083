/*
 * Running a stop schedule against a process held by a pidfd.
 */
#ifndef STOP_H
#define STOP_H

#include "schedule.h"

enum stop_result {
	STOP_GONE,		/* the process has exited */
	STOP_ALIVE,		/* the schedule ran out first */
	STOP_ERROR,		/* errno says why */
};

/* How a signal item is delivered: to the process itself, or as a request. */
typedef int (*stop_sender)(int pidfd, int sig, void *arg);

enum stop_result stop_run(const int *, int, const struct schedule *, stop_sender,
    void *);

#endif
