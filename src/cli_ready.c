/*
 * Phase two of cli_parse(), for the checks: the readiness checks
 * (--ready-port, --ready-file, --ready-log, --ready-cmd) and the health
 * checks of --supervise (--health-port, --health-cmd and their timing).
 */
#include "config.h"

#include <regex.h>
#include <stdint.h>
#include <string.h>

#include "cli_int.h"
#include "hostport.h"
#include "parse.h"
#include "readycheck.h"

/* The options of the checks, for messages. */
const char *
rc_option(enum rc_kind k)
{
	switch (k) {
	case RC_PORT:	return "--ready-port";
	case RC_FILE:	return "--ready-file";
	case RC_LOG:	return "--ready-log";
	case RC_CMD:	return "--ready-cmd";
	}
	return "--ready-?";
}

/* The health checks' options, for their messages. */
const char *
rc_health_option(enum rc_kind k)
{
	return k == RC_CMD ? "--health-cmd" : "--health-port";
}

/* One check, given as opt: --ready-port, ..., --health-cmd. */
static int
check_one(const struct rc_spec *c, const char *opt, char *err, size_t errlen)
{
	struct hostport hp;
	const char *why = NULL;
	char msg[128];
	regex_t re;
	int e;

	switch (c->kind) {
	case RC_PORT:
		if (hostport_parse(c->arg, &hp, &why) == -1)
			return cli_fail(err, errlen, "invalid %s '%s': %s",
			    opt, c->arg, why);
		break;
	case RC_LOG:
		if (c->arg[0] == '\0')
			return cli_fail(err, errlen, "invalid --ready-log '': "
			    "an empty regular expression matches any line");
		if ((e = regcomp(&re, c->arg, REG_EXTENDED | REG_NOSUB)) != 0) {
			regerror(e, &re, msg, sizeof(msg));
			return cli_fail(err, errlen, "invalid --ready-log '%s': "
			    "%s", c->arg, msg);
		}
		regfree(&re);
		break;
	case RC_FILE:
	case RC_CMD:
		if (c->arg[0] == '\0')
			return cli_fail(err, errlen, "invalid %s '': %s",
			    opt, c->kind == RC_FILE ?
			    "expected a path" : "expected a command");
		break;
	}
	return 0;
}

/* The readiness checks, and what they need. */
int
cli_convert_checks(struct detach_opts *o, char *err, size_t errlen)
{
	int i, log = 0;

	if (o->nchecks > RC_MAX)
		return cli_fail(err, errlen, "too many readiness checks: at "
		    "most %d", RC_MAX);
	for (i = 0; i < o->nchecks; i++) {
		if (check_one(&o->checks[i], rc_option(o->checks[i].kind), err,
		    errlen) == -1)
			return -1;
		log |= o->checks[i].kind == RC_LOG;
	}
	if (o->nchecks > 0 && o->foreground && !o->supervise)
		return cli_fail(err, errlen, "--foreground cannot wait for "
		    "readiness: detach execs the command itself (add "
		    "--supervise)");
	if (log && o->out == NULL && o->err == NULL &&
	    !(o->supervise && o->syslog))
		return cli_fail(err, errlen, "--ready-log reads the command's "
		    "output: give -o or -e%s", o->supervise ?
		    " or --syslog" : " (or use --supervise with --syslog)");
	return 0;
}


/* --health-*: their values; --supervise itself is checked with the rest. */
int
cli_convert_health(struct detach_opts *o, const struct raw_opts *raw,
    char *err, size_t errlen)
{
	int i;

	for (i = 0; i < o->nhealth; i++)
		if (check_one(&o->health[i], rc_health_option(o->health[i].kind),
		    err, errlen) == -1)
			return -1;
	if (o->nhealth > RC_MAX)
		return cli_fail(err, errlen, "too many health checks: at most "
		    "%d", RC_MAX);
	if (raw->health_interval != NULL &&
	    (parse_duration(raw->health_interval, &o->health_interval_ms) ==
	    -1 || o->health_interval_ms == 0))
		return cli_fail(err, errlen, "invalid --health-interval '%s': "
		    "expected decimal seconds above 0", raw->health_interval);
	if (raw->health_timeout != NULL &&
	    (parse_duration(raw->health_timeout, &o->health_timeout_ms) ==
	    -1 || o->health_timeout_ms == 0))
		return cli_fail(err, errlen, "invalid --health-timeout '%s': "
		    "expected decimal seconds above 0", raw->health_timeout);
	if (raw->health_start != NULL &&
	    parse_duration(raw->health_start, &o->health_start_ms) == -1)
		return cli_fail(err, errlen, "invalid --health-start '%s': "
		    "expected decimal seconds", raw->health_start);
	if (raw->health_retries != NULL && parse_count(raw->health_retries, 1,
	    1000000, &o->health_retries) == -1)
		return cli_fail(err, errlen, "invalid --health-retries '%s': "
		    "expected a count from 1 up", raw->health_retries);
	if (raw->watchdog != NULL && (parse_duration(raw->watchdog,
	    &o->watchdog_ms) == -1 || o->watchdog_ms == 0))
		return cli_fail(err, errlen, "invalid --watchdog '%s': "
		    "expected decimal seconds above 0", raw->watchdog);
	if (raw->watchdog != NULL && (raw->ready_fd != NULL ||
	    raw->wait != NULL))
		return cli_fail(err, errlen, "--watchdog listens on the "
		    "sd_notify socket: not with --ready-fd or --wait");
	if (o->nhealth == 0 && (raw->health_interval != NULL ||
	    raw->health_timeout != NULL || raw->health_start != NULL ||
	    raw->health_retries != NULL))
		return cli_fail(err, errlen, "--health-interval, -timeout, "
		    "-retries and -start need --health-cmd or --health-port");
	return 0;
}
