/*
 * The daemonize sequence and the exec confirmation.
 */
#ifndef DAEMONIZE_H
#define DAEMONIZE_H

#include <sys/types.h>

#include "pidlock.h"

struct launch {
	char *const		 *argv;		/* COMMAND [ARG...] */
	const char		 *file;		/* what execvp() runs */
	const char		 *dir;		/* working directory */
	mode_t			  umask;
	const char *const	 *env;		/* NAME=VALUE, NULL-terminated */
	int			  fd_in;	/* -1: keep the caller's */
	int			  fd_out;
	int			  fd_err;
	const struct pidlock	 *lock;
};

enum launch_stage {
	STAGE_NONE,
	STAGE_PID,		/* not a failure: the daemon's pid */
	STAGE_FORK,
	STAGE_SETSID,
	STAGE_CHDIR,
	STAGE_STDIO,
	STAGE_FDS,
	STAGE_SIGNALS,
	STAGE_PIDFILE,
	STAGE_ENV,
	STAGE_EXEC,
	STAGE_VANISHED,		/* died without a word */
	STAGE_EXITED,		/* exec'd, then exited at once */
};

struct launch_result {
	pid_t			pid;
	enum launch_stage	stage;	/* of the failure; STAGE_NONE if none */
	int			err;	/* errno of the failure */
	int			status;	/* STAGE_EXITED: wait status, or -1 */
};

int		daemonize_launch(const struct launch *, struct launch_result *);
void		daemonize_exec_here(const struct launch *,
		    struct launch_result *);
const char	*daemonize_stage_name(enum launch_stage);

#endif
