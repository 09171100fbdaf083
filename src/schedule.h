/*
 * Stop schedules, start-stop-daemon(8)'s --retry grammar: TERM/10/KILL/5,
 * "-HUP/2/forever", or a bare timeout N meaning SIG/N/KILL/N.
 */
#ifndef SCHEDULE_H
#define SCHEDULE_H

#include <stdint.h>

#define SCHED_MAX	32

enum sched_type {
	SCHED_SIGNAL,		/* send value (a signal number) */
	SCHED_TIMEOUT,		/* wait up to value milliseconds for the exit */
	SCHED_GOTO,		/* continue at item index value ("forever") */
};

struct sched_item {
	enum sched_type	type;
	int64_t		value;
};

struct schedule {
	struct sched_item	items[SCHED_MAX];
	int			n;
};

int	schedule_parse(const char *, int, struct schedule *, const char **);
void	schedule_default(struct schedule *, int, int64_t);

#endif
