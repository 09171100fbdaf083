/*
 * Supervise mode: a resident parent that restarts the command, copies
 * its output, and stops it on request.
 */
#ifndef SUPERVISE_H
#define SUPERVISE_H

#include <signal.h>
#include <stdint.h>

#include "cli.h"
#include "pidlock.h"
#include "privs.h"
#include "ready.h"
#include "readycheck.h"
#include "schedule.h"
#include "spawn.h"

#include "svreq.h"

struct sv_config {
	struct launch		 child;		/* template for each child */
	const char		*name;		/* for messages */
	const char		*command;	/* for the process title */
	const char		*pidfile;
	struct pidlock		*lock;		/* held by the supervisor */
	const char		*child_pidfile;	/* or NULL */
	const char		*out_path;	/* -o, or NULL */
	const char		*err_path;	/* -e, or NULL */
	int			 out_fd;	/* open -o file, or -1 */
	int			 err_fd;	/* open -e file, or -1 */
	int			 syslog;
	int			 facility;
	const char		*tag;
	enum restart_policy	 restart;
	int64_t			 delay_ms;
	int64_t			 delay_max_ms;
	int64_t			 delay_reset_ms;
	int64_t			 window_ms;
	long long		 max_restarts;
	int			 foreground;
	struct ready		*ready;		/* readiness of the first child */
	int64_t			 ready_ms;	/* how long to wait for it */
	const struct schedule	*stop_sched;	/* if it never comes */
	const struct privs	*privs;		/* the service's user, or NULL */
	mode_t			 umask;		/* for files a reopen creates */
	int			 forking;	/* adopt what the child leaves */
	const char		*follow;	/* --follow-pidfile, or NULL */
	int64_t			 adopt_ms;	/* --ready-timeout */
	struct readycheck	*checks;	/* --ready-port, ...; or NULL */
	struct readycheck	*health;	/* --health-*; or NULL */
	int64_t			 health_interval_ms;
	int64_t			 health_start_ms;
	long long		 health_retries;
	int64_t			 watchdog_ms;	/* --watchdog; 0: none */
	int			 wait_first;	/* wait for the first child's word */
	int			 timestamps;	/* stamp each line of output */
	int64_t			 log_max_size;	/* rotate at; 0: never */
	int			 log_keep;	/* rotated files kept */
};

void	supervise_body(void *, int);
int	supervise_foreground(const struct sv_config *, struct launch_result *);

#endif
