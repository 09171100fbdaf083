/*
 * Between the two phases of cli_parse(): the strings the getopt loop
 * gathered (cli.c), which the second phase converts and checks
 * (cli_check.c).  Not for the rest of detach, which sees cli.h only.
 */
#ifndef CLI_INT_H
#define CLI_INT_H

#include <stddef.h>

#include "cli.h"

/* getopt_long()'s values for the long options without a short one. */
enum {
	OPT_OKNODO = 256,
	OPT_TRUNCATE,
	OPT_SUPERVISE,
	OPT_CHILD_PIDFILE,
	OPT_RESTART,
	OPT_RESTART_DELAY,
	OPT_RESTART_DELAY_MAX,
	OPT_RESTART_DELAY_RESET,
	OPT_MAX_RESTARTS,
	OPT_RESTART_WINDOW,
	OPT_SYSLOG,
	OPT_SYSLOG_TAG,
	OPT_CLEAR_ENV,
	OPT_UNSET,
	OPT_ENV_FILE,
	OPT_KEEP_FD,
	OPT_NICE,
	OPT_LIMIT,
	OPT_CHROOT,
	OPT_WAIT_READY,
	OPT_READY_FD,
	OPT_WAIT,
	OPT_JSON,
	OPT_MAIN_ONLY,
	OPT_FORKING,
	OPT_FOLLOW_PIDFILE,
	OPT_READY_TIMEOUT,
	OPT_READY_PORT,		/* the four checks, in enum rc_kind's order */
	OPT_READY_FILE,
	OPT_READY_LOG,
	OPT_READY_CMD,
	OPT_HEALTH_CMD,		/* the --health-* options: --supervise only */
	OPT_HEALTH_PORT,
	OPT_HEALTH_INTERVAL,
	OPT_HEALTH_TIMEOUT,
	OPT_HEALTH_RETRIES,
	OPT_HEALTH_START,
	OPT_WATCHDOG,
	OPT_TIMESTAMPS,		/* output: --supervise only */
	OPT_LOG_MAX_SIZE,
	OPT_LOG_KEEP,
	OPT_LINES,		/* logs */
	OPT_FOLLOW,
};

/* The strings gathered by the first phase. */
struct raw_opts {
	const char	*umask, *signal, *timeout, *retry;
	const char	*restart, *delay, *delay_max, *delay_reset, *window;
	const char	*max_restarts, *facility;
	const char	*needs_supervise;	/* a supervise-only option */
	const char	*nice, *wait_ready, *ready_fd, *wait;
	const char	*ready_timeout;
	const char	*health_interval, *health_timeout, *health_retries;
	const char	*health_start, *watchdog;
	const char	*log_max_size, *log_keep, *lines;
	const char	**keep_fds, **limits;
	int		 nkeep, nlimits;
	int		 nenv, nunset, nfiles;	/* in the detach_opts lists */
	char		 bad_opt[64];	/* first option not valid for the verb */
};

int	cli_fail(char *, size_t, const char *, ...)
	    __attribute__((format(printf, 3, 4)));
int	cli_convert(struct detach_opts *, const struct raw_opts *, char *,
	    size_t);
int	cli_option_allowed(enum verb, int);
int	cli_convert_checks(struct detach_opts *, char *, size_t);
int	cli_convert_health(struct detach_opts *, const struct raw_opts *,
	    char *, size_t);
int	cli_convert_logs(struct detach_opts *, const struct raw_opts *,
	    char *, size_t);
int	cli_operands(struct detach_opts *, int, char **, char *, size_t);

#endif
