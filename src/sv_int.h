/*
 * The supervisor's insides, shared by its modules: supervise.c (setup,
 * the poll loop, signals), sv_child.c (one child's life), sv_stop.c
 * (stopping it), sv_output.c (its output and the supervisor's own
 * messages) and sv_logfile.c (writing output to a file).  Not for the rest of detach, which sees supervise.h only.
 */
#ifndef SV_INT_H
#define SV_INT_H

#include <limits.h>
#include <stdint.h>
#include <sys/types.h>

#include "pidlock.h"
#include "ready.h"
#include "readycheck.h"
#include "schedule.h"
#include "spawn.h"
#include "supervise.h"
#include "svstate.h"
#include "sv_policy.h"

#define LINE_MAX_LEN	1024
#define STAMP_BUF	(256 * 1024)	/* --timestamps: stamped output */

enum sv_mode {
	SV_RUNNING,	/* a child runs */
	SV_BACKOFF,	/* waiting out the restart delay */
	SV_STOPPING,	/* stop requested: signalling the child, no restart */
	SV_RECYCLING,	/* never ready: stopping the child, to restart it */
	SV_DONE,	/* nothing left to do: clean up and exit */
};

struct pump {
	int		 rfd;		/* read end, ours */
	int		 wfd;		/* write end, the children's */
	int		 out;		/* file to append to; -1: syslog */
	int		 prio;		/* syslog priority */
	const char	*what;		/* for messages: the file */
	size_t		 len;		/* syslog: bytes of a partial line */
	char		 line[LINE_MAX_LEN];
	uint64_t	 dropped;	/* bytes lost since writes failed */
	int		 failing;
	int		 midline;	/* the file does not end in '\n' */
	int		 stamp_mid;	/* --timestamps: in a line, stamped */
	int64_t		 size;		/* of the file, for --log-max-size */
	int		 rotate_failing; /* reported; retried at retry_at */
	int64_t		 rotate_retry_at;
};

struct supervisor {
	const struct sv_config	*cfg;	/* as start built it */
	struct launch		 child_tpl;	/* its template, with our pipes */
	struct ready		*ready;		/* readiness state (cfg's) */
	enum sv_mode		 mode;
	int			 sigfd;
	pid_t			 child;		/* 0: none */
	pid_t			 child_pgrp;	/* its group; 0: signal it alone */
	int			 child_pidfd;
	int64_t			 child_started;
	int			 last_status;
	long long		 restarts;
	struct sv_history	 history;	/* for the restart policy */
	int64_t			 restart_at;
	struct pump		 pumps[2];
	int			 npumps;
	int			 msg_fd;	/* our messages; -1: syslog or none */
	struct pidlock		 child_lock;
	struct schedule		 stop_sched;	/* self-driven stop */
	int			 stop_idx;
	int64_t			 stop_deadline;	/* 0: none */
	long			 reopened;
	int			 reopen_err;
	int			 report_fd;	/* open until the first child is ready */
	int			 ready_err;	/* why it never was */
	struct readycheck	*checks;	/* cfg's; NULL: none */
	int			 base_pending;	/* the first child's own word */
	int			 checks_pending;
	int			 announced;	/* this child is ready */
	int			 readiness;	/* SVREADY_*, for the record */
	char			 unready[512];	/* the first child: why not */
	int			 recycle_young;	/* count it as dying at once */
	struct readycheck	*health;	/* cfg's; NULL: none */
	int			 health_running;
	int64_t			 health_next;
	int64_t			 health_grace_until;
	int			 health_state;	/* SVHEALTH_* */
	int			 health_fails;
	int64_t			 health_at;
	char			 health_result[SVSTATE_RESULT_LEN];
	char			*buf;		/* the pumps' buffer, mmap()ed */
	char			*stamped;	/* --timestamps: lines, stamped */
	int64_t			 buf_release_at; /* 0: nothing to give back */
	struct svstate		 self;		/* who we are, for the record */
	char			 state_path[PATH_MAX];
};

/* supervise.c */
void	sv_save_state(struct supervisor *);

/* sv_output.c */
void	sv_say(struct supervisor *, int, const char *, ...)
	    __attribute__((format(printf, 3, 4)));
int	sv_output_init(struct supervisor *);
void	sv_output_free(struct supervisor *);
void	sv_pump_drain(struct supervisor *, struct pump *);
void	sv_drain_all(struct supervisor *);
void	sv_finish_lines(struct supervisor *);
int	sv_output_reopen(struct supervisor *);
int	sv_reopen_file(struct supervisor *, struct pump *);
void	sv_output_release(struct supervisor *, int64_t);

/* sv_logfile.c */
void	sv_file_write(struct supervisor *, struct pump *, const char *,
	    size_t);
void	sv_file_say(struct supervisor *, struct pump *, const char *,
	    size_t);
void	sv_file_opened(struct pump *);
size_t	sv_write_all(int, const char *, size_t, int *);
size_t	sv_stamp(char *, size_t);

/* sv_child.c */
int	sv_start_child(struct supervisor *, struct launch_result *);
void	sv_child_pidfile_remove(struct supervisor *);
void	sv_reap(struct supervisor *);
void	sv_restart_child(struct supervisor *);
void	sv_report_start(struct supervisor *, enum launch_stage, int);

/* sv_ready.c */
void	sv_child_ready(struct supervisor *);
void	sv_on_ready_input(struct supervisor *);
void	sv_ready_event(struct supervisor *, enum ready_state);
void	sv_ready_begin(struct supervisor *);
void	sv_ready_end(struct supervisor *);
void	sv_ready_handed_over(struct supervisor *, int);
void	sv_checks_step(struct supervisor *, int64_t);
int64_t	sv_checks_next(const struct supervisor *);

/* sv_stop.c */
void	sv_kill_leftovers(pid_t);
void	sv_forward(struct supervisor *, int);
void	sv_finish(struct supervisor *, pid_t);
void	sv_stop_step(struct supervisor *);
void	sv_request_stop(struct supervisor *, int, const struct schedule *);
void	sv_self_stop(struct supervisor *, int);
void	sv_recycle(struct supervisor *, int);

/* sv_health.c */
void	sv_health_begin(struct supervisor *);
void	sv_health_ready(struct supervisor *);
void	sv_health_end(struct supervisor *);
void	sv_health_step(struct supervisor *, int64_t);
int64_t	sv_health_next(const struct supervisor *);
void	sv_watchdog_begin(struct supervisor *);
void	sv_watchdog_step(struct supervisor *, int64_t);
int64_t	sv_watchdog_next(const struct supervisor *);

#endif
