/*
 * --forking and --follow-pidfile: a command that daemonizes itself.
 * Wait for it to exit 0, then take the daemon it left: the process its
 * own pidfile names, or else the one process that survives it.  Shared
 * by plain start and the supervisor.
 */
#ifndef ADOPT_H
#define ADOPT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define ADOPT_SETTLE_MS	50	/* no exit for this long: the orphans settled */
#define ADOPT_MAX	16	/* survivors looked at */

struct adopt_req {
	pid_t		 command;	/* our child, which exec'd COMMAND */
	const char	*follow;	/* the program's own pidfile, or NULL */
	int64_t		 deadline;	/* CLOCK_MONOTONIC ms */
};

struct adoption {
	pid_t		 pid;		/* the daemon */
	int		 status;	/* the command's wait status; -1: none */
	char		 why[256];	/* what went wrong, for the user */
};

enum follow_content {
	FOLLOW_PID,
	FOLLOW_EMPTY,
	FOLLOW_GARBAGE,
};

/* pure */
enum follow_content	adopt_parse_pid(const char *, size_t, pid_t *);
int			adopt_same_set(const pid_t *, int, const pid_t *, int);
int			adopt_list(const pid_t *, int, char *, size_t);

int	adopt_daemon(const struct adopt_req *, struct adoption *);
int	adopt_successor(const char *, int64_t, struct adoption *);
int	adopt_unlink_follow(const char *, pid_t);

#endif
