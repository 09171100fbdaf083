/*
 * Preparing a process for its command and exec'ing it, with the outcome
 * reported through a close-on-exec pipe.
 */
#ifndef SPAWN_H
#define SPAWN_H

#include <stdint.h>
#include <sys/types.h>

#include "cli.h"
#include "pidlock.h"
#include "privs.h"

struct launch {
	char *const		 *argv;		/* COMMAND [ARG...] */
	const char		 *file;		/* what execvp() runs */
	const char		 *dir;		/* working directory */
	mode_t			  umask;
	char			**envp;		/* the whole environment, or NULL */
	int			  fd_in;	/* -1: keep the caller's */
	int			  fd_out;
	int			  fd_err;
	const struct pidlock	 *lock;		/* the pidfile's lock, or NULL */
	int			  keep_lock;	/* let it pass through exec */
	int			  new_pgrp;	/* become a process group leader */
	const char		 *root;		/* chroot, or NULL */
	const struct privs	 *privs;	/* user to become, or NULL */
	int			  has_nice;
	int			  nice;
	const struct limit	 *limits;
	int			  nlimits;
	const int		 *keep_fds;	/* passed through exec */
	int			  nkeep_fds;
	int			  ready_fd;	/* becomes ready_dst, or -1 */
	int			  ready_dst;
	pid_t			  parent;	/* die with it (the supervisor) */
	int			  watchdog_pid;	/* set WATCHDOG_PID to its pid */
	int			  forks;	/* exits 0 once it daemonized */
	/* instead of exec'ing: run this (the supervisor); never returns */
	void			(*body)(void *, int);
	void			 *body_arg;
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
	STAGE_CHROOT,
	STAGE_LIMITS,
	STAGE_PRIVS,
	STAGE_READY,
	STAGE_EXEC,
	STAGE_VANISHED,		/* died without a word */
	STAGE_EXITED,		/* exec'd, then exited at once */
	STAGE_ADOPT,		/* --forking: no daemon to adopt; see msg */
	STAGE_PROBE,		/* the readiness checks failed; see msg */
};

struct launch_result {
	pid_t			pid;
	pid_t			session;	/* the daemon's, once it has one */
	enum launch_stage	stage;	/* of the failure; STAGE_NONE if none */
	int			err;	/* errno of the failure */
	int			status;	/* STAGE_EXITED: wait status, or -1 */
	char			msg[512];	/* STAGE_ADOPT, _PROBE: why */
};

void		 spawn_exec(const struct launch *, int, enum launch_stage *);
int		 spawn_pipe(int [2], struct launch_result *);
pid_t		 spawn_fork_failed(pid_t, int [2], struct launch_result *);
pid_t		 spawn_fork(int [2], struct launch_result *);
int		 spawn_child(const struct launch *, struct launch_result *);
void		 spawn_report(int, enum launch_stage, int32_t);
void		 spawn_report_text(int, enum launch_stage, const char *);
int		 spawn_read_text(int, int32_t, char *, size_t);
int		 spawn_read_report(int, enum launch_stage *, int32_t *);
const char	*spawn_stage_name(enum launch_stage);

#endif
