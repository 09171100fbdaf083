/*
 * Command-line parsing.  cli_parse() is pure: it fills struct detach_opts
 * or writes one line of explanation, and never prints or exits, so the
 * unit tests can drive it.
 */
#ifndef CLI_H
#define CLI_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <sys/resource.h>

#include "schedule.h"

struct limit {
	int	resource;	/* RLIMIT_* */
	rlim_t	soft;
	rlim_t	hard;
};

/* A readiness check as given: what to check, and the option's value. */
enum rc_kind { RC_PORT, RC_FILE, RC_LOG, RC_CMD };

struct rc_spec {
	enum rc_kind	 kind;
	const char	*arg;
};

enum verb {
	VERB_NONE,
	VERB_START,
	VERB_STOP,
	VERB_STATUS,
	VERB_RESTART,
	VERB_SIGNAL,
	VERB_REOPEN,
	VERB_LIST,
	VERB_LOGS,
	VERB_HELP,
	VERB_VERSION,
};

enum restart_policy {
	RESTART_ON_FAILURE,
	RESTART_ALWAYS,
	RESTART_NEVER,
};

#define SUPERVISE_MAX_RESTARTS	100000
#define LOG_KEEP_MAX		1000
#define LOG_SIZE_MAX		(1LL << 40)

struct detach_opts {
	enum verb	  verb;
	const char	 *verb_name;
	const char	 *pidfile;	/* -p, as given */
	const char	 *name;		/* -n, or derived from COMMAND */
	int		  oknodo;

	/* start */
	const char	 *out;		/* -o */
	const char	 *err;		/* -e */
	const char	 *in;		/* -i */
	int		  truncate;
	const char	 *chdir;	/* -C */
	mode_t		  umask;	/* -m */
	const char	**env;		/* -E, NULL-terminated */
	int		  foreground;	/* -f */
	char		**command;	/* COMMAND [ARG...], NULL-terminated */

	/* start --supervise */
	int		  supervise;
	const char	 *child_pidfile;
	enum restart_policy restart;
	int64_t		  restart_delay_ms;
	int64_t		  restart_delay_max_ms;
	int64_t		  restart_delay_reset_ms;
	int64_t		  restart_window_ms;
	long long	  max_restarts;	/* 0: unlimited */
	int		  syslog;
	int		  syslog_facility;
	const char	 *syslog_tag;

	/* start: privileges, environment, resources, readiness */
	const char	 *user;		/* -u USER[:GROUP] */
	const char	 *group;	/* -g */
	int		  clear_env;
	const char	**unset;	/* NULL-terminated */
	const char	**env_files;	/* NULL-terminated */
	int		 *keep_fds;
	int		  nkeep_fds;
	struct limit	 *limits;
	int		  nlimits;
	int		  nice;
	int		  has_nice;
	const char	 *chroot;
	int		  wait_ready;	/* --wait-ready or --ready-fd */
	int64_t		  wait_ready_ms;
	int		  ready_fd;	/* -1: sd_notify */
	int64_t		  wait_ms;	/* --wait, -1 if not given */
	int		  forking;	/* --forking or --follow-pidfile */
	const char	 *follow_pidfile;
	int64_t		  ready_timeout_ms;
	struct rc_spec	 *checks;	/* --ready-port/-file/-log/-cmd */
	int		  nchecks;

	/* start --supervise: health checks */
	struct rc_spec	 *health;	/* --health-port, --health-cmd */
	int		  nhealth;
	int64_t		  health_interval_ms;
	int64_t		  health_timeout_ms;
	long long	  health_retries;
	int64_t		  health_start_ms;
	int64_t		  watchdog_ms;	/* --watchdog; 0: none */

	/* start --supervise: output */
	int		  timestamps;	/* --timestamps */
	int64_t		  log_max_size;	/* --log-max-size, bytes; 0: none */
	int		  log_keep;	/* --log-keep */

	/* logs */
	long long	  lines;	/* --lines */
	int		  follow;	/* -f, --follow */

	/* stop */
	int		  signal;	/* -s, first signal */
	int64_t		  timeout_ms;	/* -t */
	struct schedule	  sched;	/* -R, or built from -s and -t */
	int		  main_only;	/* --main-only: not the session */

	/* signal */
	int		  send_signal;

	/* status, list */
	int		  json;
};

const char	*rc_option(enum rc_kind);
const char	*rc_health_option(enum rc_kind);
int	cli_parse(int, char **, struct detach_opts *, char *, size_t);
void	cli_free(struct detach_opts *);
int	cli_verb_starts(enum verb);
int	cli_verb_stops(enum verb);

#endif
