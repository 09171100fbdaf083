/*
 * Phase two of cli_parse(): convert the strings phase one gathered, check
 * the combination, then the operands, with one message per problem.
 */
#include "config.h"

#include <limits.h>
#include <stdint.h>
#include <string.h>

#include "cli_int.h"
#include "parse.h"

/* Which verbs an option belongs to. */
#define FOR_ALL		0x1
#define FOR_START	0x2
#define FOR_STOP	0x4
#define FOR_REPORT	0x8	/* status and list */
#define FOR_ACT		0x10	/* signal and reopen */
#define FOR_LOGS	0x20

static int
option_scope(int c)
{
	switch (c) {
	case 'o': case 'e': case 'i': case 'C': case 'm': case 'E':
	case OPT_TRUNCATE: case OPT_SUPERVISE: case OPT_CHILD_PIDFILE:
	case OPT_RESTART: case OPT_RESTART_DELAY: case OPT_RESTART_DELAY_MAX:
	case OPT_RESTART_DELAY_RESET: case OPT_MAX_RESTARTS:
	case OPT_RESTART_WINDOW: case OPT_SYSLOG: case OPT_SYSLOG_TAG:
	case 'u': case 'g': case OPT_CLEAR_ENV: case OPT_UNSET:
	case OPT_ENV_FILE: case OPT_KEEP_FD: case OPT_NICE: case OPT_LIMIT:
	case OPT_CHROOT: case OPT_WAIT_READY: case OPT_READY_FD: case OPT_WAIT:
	case OPT_FORKING: case OPT_FOLLOW_PIDFILE: case OPT_READY_TIMEOUT:
	case OPT_READY_PORT: case OPT_READY_FILE: case OPT_READY_LOG:
	case OPT_READY_CMD: case OPT_HEALTH_CMD: case OPT_HEALTH_PORT:
	case OPT_HEALTH_INTERVAL: case OPT_HEALTH_TIMEOUT:
	case OPT_HEALTH_RETRIES: case OPT_HEALTH_START: case OPT_WATCHDOG:
	case OPT_TIMESTAMPS: case OPT_LOG_MAX_SIZE: case OPT_LOG_KEEP:
		return FOR_START;
	case 'f':
		return FOR_START | FOR_LOGS;	/* logs: --follow */
	case OPT_LINES: case OPT_FOLLOW:
		return FOR_LOGS;
	case 's': case 't': case 'R':
		return FOR_START | FOR_STOP;
	case OPT_MAIN_ONLY:
		return FOR_STOP;
	case OPT_JSON:
		return FOR_REPORT;
	case OPT_OKNODO:
		return FOR_START | FOR_STOP | FOR_ACT;
	default:
		return FOR_ALL;
	}
}

/* May verb v take option c (getopt_long()'s value)? */
int
cli_option_allowed(enum verb v, int c)
{
	int scope = option_scope(c);

	if (scope == FOR_ALL)
		return 1;
	return ((scope & FOR_START) && cli_verb_starts(v)) ||
	    ((scope & FOR_STOP) && cli_verb_stops(v)) ||
	    ((scope & FOR_REPORT) && (v == VERB_STATUS || v == VERB_LIST)) ||
	    ((scope & FOR_ACT) && (v == VERB_SIGNAL || v == VERB_REOPEN)) ||
	    ((scope & FOR_LOGS) && v == VERB_LOGS);
}

static int
duration_opt(const char *name, const char *s, int64_t *ms, char *err,
    size_t errlen)
{
	if (s != NULL && parse_duration(s, ms) == -1)
		return cli_fail(err, errlen, "invalid --%s '%s': expected "
		    "decimal seconds", name, s);
	return 0;
}

static int
convert_supervise(struct detach_opts *o, const struct raw_opts *raw,
    char *err, size_t errlen)
{
	if (raw->needs_supervise != NULL && !o->supervise)
		return cli_fail(err, errlen, "--%s needs --supervise",
		    raw->needs_supervise);
	if (raw->restart != NULL) {
		if (strcmp(raw->restart, "always") == 0)
			o->restart = RESTART_ALWAYS;
		else if (strcmp(raw->restart, "on-failure") == 0)
			o->restart = RESTART_ON_FAILURE;
		else if (strcmp(raw->restart, "never") == 0)
			o->restart = RESTART_NEVER;
		else
			return cli_fail(err, errlen, "invalid --restart "
			    "'%s': expected always, on-failure or never",
			    raw->restart);
	}
	if (duration_opt("restart-delay", raw->delay, &o->restart_delay_ms,
	    err, errlen) == -1 ||
	    duration_opt("restart-delay-max", raw->delay_max,
	    &o->restart_delay_max_ms, err, errlen) == -1 ||
	    duration_opt("restart-delay-reset", raw->delay_reset,
	    &o->restart_delay_reset_ms, err, errlen) == -1 ||
	    duration_opt("restart-window", raw->window, &o->restart_window_ms,
	    err, errlen) == -1)
		return -1;
	if (o->restart_delay_max_ms < o->restart_delay_ms)
		o->restart_delay_max_ms = o->restart_delay_ms;
	if (raw->max_restarts != NULL && parse_count(raw->max_restarts, 0,
	    SUPERVISE_MAX_RESTARTS, &o->max_restarts) == -1)
		return cli_fail(err, errlen, "invalid --max-restarts "
		    "'%s': expected 0 to %d", raw->max_restarts,
		    SUPERVISE_MAX_RESTARTS);
	if (raw->facility != NULL &&
	    parse_facility(raw->facility, &o->syslog_facility) == -1)
		return cli_fail(err, errlen, "invalid syslog facility '%s'",
		    raw->facility);
	if (o->syslog && (o->out != NULL || o->err != NULL))
		return cli_fail(err, errlen, "--syslog replaces -o and -e: "
		    "give one or the other");
	if (o->child_pidfile != NULL && o->child_pidfile[0] == '\0')
		return cli_fail(err, errlen, "empty --child-pidfile");
	return 0;
}

/* -u, -g, the environment, descriptors, limits and --chroot. */
static int
convert_exec(struct detach_opts *o, const struct raw_opts *raw, char *err,
    size_t errlen)
{
	long long v;
	const char **e;
	int i;

	if (o->user != NULL && o->user[0] == '\0')
		return cli_fail(err, errlen, "empty --user");
	if (o->group != NULL && o->group[0] == '\0')
		return cli_fail(err, errlen, "empty --group");
	for (e = o->unset; *e != NULL; e++)
		if (**e == '\0' || strchr(*e, '=') != NULL)
			return cli_fail(err, errlen, "invalid --unset "
			    "'%s': expected a variable name", *e);
	for (i = 0; i < raw->nkeep; i++) {
		if (parse_count(raw->keep_fds[i], 3, INT_MAX, &v) == -1)
			return cli_fail(err, errlen, "invalid --keep-fd "
			    "'%s': expected a descriptor number from 3 up",
			    raw->keep_fds[i]);
		o->keep_fds[o->nkeep_fds++] = (int)v;
	}
	if (raw->nice != NULL) {
		if (parse_nice(raw->nice, &o->nice) == -1)
			return cli_fail(err, errlen, "invalid --nice '%s': "
			    "expected -20 to 19", raw->nice);
		o->has_nice = 1;
	}
	for (i = 0; i < raw->nlimits; i++) {
		if (parse_limit(raw->limits[i], &o->limits[i]) == -1)
			return cli_fail(err, errlen, "invalid --limit "
			    "'%s': expected RESOURCE=SOFT[:HARD], e.g. "
			    "nofile=1024 or core=unlimited", raw->limits[i]);
		o->nlimits++;
	}
	if (o->chroot != NULL && o->chroot[0] != '/')
		return cli_fail(err, errlen, "--chroot needs an absolute "
		    "path");
	return 0;
}

/* --wait-ready, --ready-fd and --wait. */
static int
convert_ready(struct detach_opts *o, const struct raw_opts *raw, char *err,
    size_t errlen)
{
	long long v;

	if (raw->wait_ready != NULL && parse_duration(raw->wait_ready,
	    &o->wait_ready_ms) == -1)
		return cli_fail(err, errlen, "invalid --wait-ready '%s': "
		    "expected decimal seconds", raw->wait_ready);
	if (raw->ready_fd != NULL) {
		if (parse_count(raw->ready_fd, 3, INT_MAX, &v) == -1)
			return cli_fail(err, errlen, "invalid --ready-fd "
			    "'%s': expected a descriptor number from 3 up",
			    raw->ready_fd);
		o->ready_fd = (int)v;
		o->wait_ready = 1;
	}
	if (raw->wait != NULL && parse_duration(raw->wait, &o->wait_ms) == -1)
		return cli_fail(err, errlen, "invalid --wait '%s': expected "
		    "decimal seconds", raw->wait);
	if (raw->wait != NULL && o->wait_ready)
		return cli_fail(err, errlen, "--wait and "
		    "--wait-ready/--ready-fd exclude each other");
	if (o->foreground && (o->wait_ready || raw->wait != NULL))
		return cli_fail(err, errlen, "--foreground cannot wait for "
		    "readiness: detach execs the command itself");
	if (raw->ready_timeout != NULL && (parse_duration(raw->ready_timeout,
	    &o->ready_timeout_ms) == -1 || o->ready_timeout_ms == 0))
		return cli_fail(err, errlen, "invalid --ready-timeout '%s': "
		    "expected decimal seconds above 0", raw->ready_timeout);
	if (o->follow_pidfile != NULL && (o->follow_pidfile[0] == '\0' ||
	    strchr(o->follow_pidfile, '\n') != NULL))
		return cli_fail(err, errlen, "invalid --follow-pidfile: a "
		    "path, without newlines");
	if (o->wait_ready && raw->wait_ready == NULL)
		o->wait_ready_ms = o->ready_timeout_ms;
	if (o->forking && o->foreground && !o->supervise)
		return cli_fail(err, errlen, "--%s needs a process that "
		    "stays to adopt the daemon: not with --foreground alone "
		    "(add --supervise)", o->follow_pidfile != NULL ?
		    "follow-pidfile" : "forking");
	return 0;
}

/* Phase two: convert the strings and check the combination. */
int
cli_convert(struct detach_opts *o, const struct raw_opts *raw, char *err,
    size_t errlen)
{
	const char *why;
	const char **e;

	if (raw->bad_opt[0] != '\0')
		return cli_fail(err, errlen, "option '%s' is not valid with "
		    "%s", raw->bad_opt, o->verb_name);
	if (o->name != NULL && parse_daemon_name(o->name) == -1)
		return cli_fail(err, errlen, "invalid name '%s': it may not "
		    "be empty, contain '/' or start with '.'", o->name);
	if (raw->umask != NULL && parse_umask(raw->umask, &o->umask) == -1)
		return cli_fail(err, errlen, "invalid umask '%s': expected an "
		    "octal mode from 0 to 0777", raw->umask);
	for (e = o->env; *e != NULL; e++)
		if (parse_env_assign(*e) == -1)
			return cli_fail(err, errlen, "invalid environment "
			    "assignment '%s': expected NAME=VALUE", *e);
	if (raw->signal != NULL && parse_signal(raw->signal, &o->signal) == -1)
		return cli_fail(err, errlen, "invalid signal '%s'",
		    raw->signal);
	if (raw->timeout != NULL &&
	    parse_duration(raw->timeout, &o->timeout_ms) == -1)
		return cli_fail(err, errlen, "invalid timeout '%s': expected "
		    "decimal seconds", raw->timeout);
	if (convert_supervise(o, raw, err, errlen) == -1 ||
	    convert_exec(o, raw, err, errlen) == -1 ||
	    convert_ready(o, raw, err, errlen) == -1 ||
	    cli_convert_checks(o, err, errlen) == -1 ||
	    cli_convert_health(o, raw, err, errlen) == -1 ||
	    cli_convert_logs(o, raw, err, errlen) == -1)
		return -1;
	if (raw->retry != NULL) {
		if (schedule_parse(raw->retry, o->signal, &o->sched, &why) == -1)
			return cli_fail(err, errlen, "invalid schedule '%s': "
			    "%s", raw->retry, why);
	} else
		schedule_default(&o->sched, o->signal, o->timeout_ms);
	return 0;
}

/*
 * The n operands after the options: the COMMAND of start and restart,
 * the SIGNAL of signal, none for the others, which name their daemon
 * with -p or -n instead (except list).
 */
int
cli_operands(struct detach_opts *o, int n, char **operands, char *err,
    size_t errlen)
{
	switch (o->verb) {
	case VERB_START:
	case VERB_RESTART:
		if (n == 0)
			return cli_fail(err, errlen, "%s needs a COMMAND",
			    o->verb_name);
		if (operands[0][0] == '\0')
			return cli_fail(err, errlen, "empty COMMAND");
		o->command = operands;
		break;
	case VERB_SIGNAL:
		if (n != 1)
			return cli_fail(err, errlen, n == 0 ?
			    "signal needs a SIGNAL" : "signal takes one SIGNAL");
		if (parse_signal(operands[0], &o->send_signal) == -1)
			return cli_fail(err, errlen, "invalid signal '%s'",
			    operands[0]);
		/* FALLTHROUGH */
	case VERB_STOP:
	case VERB_STATUS:
	case VERB_REOPEN:
	case VERB_LIST:
	case VERB_LOGS:
		if (o->verb != VERB_SIGNAL && n != 0)
			return cli_fail(err, errlen, "unexpected argument "
			    "'%s'", operands[0]);
		if (o->verb == VERB_LIST) {
			if (o->pidfile != NULL || o->name != NULL)
				return cli_fail(err, errlen, "list shows the "
				    "default directory: no -p or -n");
		} else if (o->pidfile == NULL && o->name == NULL)
			return cli_fail(err, errlen, "%s needs -p PIDFILE or "
			    "-n NAME", o->verb_name);
		break;
	default:
		return cli_fail(err, errlen, "internal error: verb %d",
		    o->verb);
	}
	return 0;
}
