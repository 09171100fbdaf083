/*
 * detach start's state, shared by its parts: start.c (the sequence),
 * start_fail.c (what a failure says and undoes), start_ready.c (waiting
 * for readiness), start_sv.c (--supervise) and start_logs.c (the output
 * files' rotation check and record).
 */
#ifndef START_INT_H
#define START_INT_H

#include "cli.h"
#include "envbuild.h"
#include "output.h"
#include "paths.h"
#include "pidlock.h"
#include "privs.h"
#include "ready.h"
#include "readycheck.h"
#include "spawn.h"
#include "svstate.h"

struct start {
	const struct detach_opts	*o;
	const struct paths		*p;
	struct pidlock			 lock;
	struct outfile			 in, out, err;
	struct privs			 privs;
	struct envbuf			 env;
	struct ready			 ready;
	struct readycheck		 checks;	/* --ready-port, ... */
	struct readycheck		 health;	/* --health-port, ... */
	char				 watchdog_env[40]; /* WATCHDOG_USEC= */
	struct svstate			 rec;	/* the daemon, once it runs */
};

int	start_prepare(struct start *);
int	start_report_failure(const struct start *, const struct launch_result *);
void	start_discard(struct start *);
void	start_abort(struct start *, pid_t);
int	start_await_ready(struct start *, struct launch_result *);
int	start_follow_output(struct start *);
int	start_await_checks(struct start *, const struct launch *,
	    struct launch_result *);
int	start_supervised(struct start *, const struct launch *);
int	start_rotatable(const struct start *);
void	start_record_logs(const struct start *);

#endif
