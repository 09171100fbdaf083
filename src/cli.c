/*
 * Two-phase option parsing in the manner of dpkg's parse_options(): the
 * getopt_long() loop here only stores strings, then each is converted and
 * the combination checked (cli_check.c), with one message per problem.
 */
#include "config.h"

#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "cli_int.h"


static const char shortopts[] = "+:p:n:o:e:i:C:m:E:fs:t:R:u:g:hV";

static const struct option longopts[] = {
	{ "pidfile",	required_argument,	NULL, 'p' },
	{ "name",	required_argument,	NULL, 'n' },
	{ "oknodo",	no_argument,		NULL, OPT_OKNODO },
	{ "stdout",	required_argument,	NULL, 'o' },
	{ "stderr",	required_argument,	NULL, 'e' },
	{ "stdin",	required_argument,	NULL, 'i' },
	{ "truncate",	no_argument,		NULL, OPT_TRUNCATE },
	{ "chdir",	required_argument,	NULL, 'C' },
	{ "umask",	required_argument,	NULL, 'm' },
	{ "env",	required_argument,	NULL, 'E' },
	{ "foreground",	no_argument,		NULL, 'f' },
	{ "signal",	required_argument,	NULL, 's' },
	{ "timeout",	required_argument,	NULL, 't' },
	{ "retry",	required_argument,	NULL, 'R' },
	{ "supervise",	no_argument,		NULL, OPT_SUPERVISE },
	{ "child-pidfile", required_argument,	NULL, OPT_CHILD_PIDFILE },
	{ "restart",	required_argument,	NULL, OPT_RESTART },
	{ "restart-delay", required_argument,	NULL, OPT_RESTART_DELAY },
	{ "restart-delay-max", required_argument, NULL, OPT_RESTART_DELAY_MAX },
	{ "restart-delay-reset", required_argument, NULL,
	    OPT_RESTART_DELAY_RESET },
	{ "max-restarts", required_argument,	NULL, OPT_MAX_RESTARTS },
	{ "restart-window", required_argument,	NULL, OPT_RESTART_WINDOW },
	{ "syslog",	optional_argument,	NULL, OPT_SYSLOG },
	{ "syslog-tag",	required_argument,	NULL, OPT_SYSLOG_TAG },
	{ "user",	required_argument,	NULL, 'u' },
	{ "group",	required_argument,	NULL, 'g' },
	{ "clear-env",	no_argument,		NULL, OPT_CLEAR_ENV },
	{ "unset",	required_argument,	NULL, OPT_UNSET },
	{ "env-file",	required_argument,	NULL, OPT_ENV_FILE },
	{ "keep-fd",	required_argument,	NULL, OPT_KEEP_FD },
	{ "nice",	required_argument,	NULL, OPT_NICE },
	{ "limit",	required_argument,	NULL, OPT_LIMIT },
	{ "chroot",	required_argument,	NULL, OPT_CHROOT },
	{ "wait-ready",	optional_argument,	NULL, OPT_WAIT_READY },
	{ "ready-fd",	required_argument,	NULL, OPT_READY_FD },
	{ "wait",	required_argument,	NULL, OPT_WAIT },
	{ "json",	no_argument,		NULL, OPT_JSON },
	{ "main-only",	no_argument,		NULL, OPT_MAIN_ONLY },
	{ "forking",	no_argument,		NULL, OPT_FORKING },
	{ "follow-pidfile", required_argument,	NULL, OPT_FOLLOW_PIDFILE },
	{ "ready-timeout", required_argument,	NULL, OPT_READY_TIMEOUT },
	{ "ready-port",	required_argument,	NULL, OPT_READY_PORT },
	{ "ready-file",	required_argument,	NULL, OPT_READY_FILE },
	{ "ready-log",	required_argument,	NULL, OPT_READY_LOG },
	{ "ready-cmd",	required_argument,	NULL, OPT_READY_CMD },
	{ "health-cmd",	required_argument,	NULL, OPT_HEALTH_CMD },
	{ "health-port", required_argument,	NULL, OPT_HEALTH_PORT },
	{ "health-interval", required_argument,	NULL, OPT_HEALTH_INTERVAL },
	{ "health-timeout", required_argument,	NULL, OPT_HEALTH_TIMEOUT },
	{ "health-retries", required_argument,	NULL, OPT_HEALTH_RETRIES },
	{ "health-start", required_argument,	NULL, OPT_HEALTH_START },
	{ "watchdog",	required_argument,	NULL, OPT_WATCHDOG },
	{ "timestamps",	no_argument,		NULL, OPT_TIMESTAMPS },
	{ "log-max-size", required_argument,	NULL, OPT_LOG_MAX_SIZE },
	{ "log-keep",	required_argument,	NULL, OPT_LOG_KEEP },
	{ "lines",	required_argument,	NULL, OPT_LINES },
	{ "follow",	no_argument,		NULL, OPT_FOLLOW },
	{ "help",	no_argument,		NULL, 'h' },
	{ "version",	no_argument,		NULL, 'V' },
	{ NULL,		0,			NULL, 0 },
};

static const struct {
	const char	*name;
	enum verb	 verb;
} verbs[] = {
	{ "start", VERB_START },
	{ "stop", VERB_STOP },
	{ "status", VERB_STATUS },
	{ "restart", VERB_RESTART },
	{ "signal", VERB_SIGNAL },
	{ "reopen", VERB_REOPEN },
	{ "list", VERB_LIST },
	{ "logs", VERB_LOGS },
};

int
cli_fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

int
cli_verb_starts(enum verb v)
{
	return v == VERB_START || v == VERB_RESTART;
}

int
cli_verb_stops(enum verb v)
{
	return v == VERB_STOP || v == VERB_RESTART;
}

/* The text of the option just parsed, for messages. */
static void
option_text(int c, int longindex, char *buf, size_t len)
{
	if (longindex >= 0)
		snprintf(buf, len, "--%s", longopts[longindex].name);
	else
		snprintf(buf, len, "-%c", c);
}

/*
 * getopt_long() returned '?' for arg: an unknown option, or a value given
 * to a long option that takes none.
 */
static int
bad_option(const char *arg, char *err, size_t errlen)
{
	const struct option *lo;
	size_t len;

	if (arg[0] == '-' && arg[1] == '-' && strchr(arg, '=') != NULL) {
		len = (size_t)(strchr(arg, '=') - arg - 2);
		for (lo = longopts; lo->name != NULL; lo++)
			if (strlen(lo->name) == len &&
			    strncmp(lo->name, arg + 2, len) == 0)
				return cli_fail(err, errlen, "option '--%s' "
				    "takes no value", lo->name);
	}
	if (arg[0] == '-' && arg[1] != '-' && optopt > 0 && optopt < 128)
		return cli_fail(err, errlen, "unknown option '-%c'", optopt);
	return cli_fail(err, errlen, "unknown option '%s'", arg);
}

/* getopt_long() returned ':': the option just seen lacks its value. */
static int
missing_value(char **argv, char *err, size_t errlen)
{
	if (optopt != 0 && optopt < 256 && strchr(shortopts, optopt) != NULL &&
	    argv[optind - 1][1] != '-')
		return cli_fail(err, errlen, "option '-%c' needs a value",
		    optopt);
	return cli_fail(err, errlen, "option '%s' needs a value",
	    argv[optind - 1]);
}

/* What phase two checks of option c: its verbs, and --supervise. */
static void
note_scope(enum verb v, int c, int longindex, struct raw_opts *raw)
{
	if (!cli_option_allowed(v, c) && raw->bad_opt[0] == '\0')
		option_text(c, longindex, raw->bad_opt, sizeof(raw->bad_opt));
	if (((c >= OPT_CHILD_PIDFILE && c <= OPT_SYSLOG_TAG) ||
	    (c >= OPT_HEALTH_CMD && c <= OPT_LOG_MAX_SIZE)) &&
	    raw->needs_supervise == NULL)
		raw->needs_supervise = longopts[longindex].name;
}

/* Keep option c and its optarg for phase two; -1: c is no option. */
static int
store(int c, struct detach_opts *o, struct raw_opts *raw)
{
	switch (c) {
	case 'p': o->pidfile = optarg; break;
	case 'n': o->name = optarg; break;
	case OPT_OKNODO: o->oknodo = 1; break;
	case 'o': o->out = optarg; break;
	case 'e': o->err = optarg; break;
	case 'i': o->in = optarg; break;
	case OPT_TRUNCATE: o->truncate = 1; break;
	case 'C': o->chdir = optarg; break;
	case 'm': raw->umask = optarg; break;
	case 'E': o->env[raw->nenv++] = optarg; break;
	case 'f': o->foreground = 1; break;
	case 's': raw->signal = optarg; break;
	case 't': raw->timeout = optarg; break;
	case 'R': raw->retry = optarg; break;
	case OPT_SUPERVISE: o->supervise = 1; break;
	case OPT_CHILD_PIDFILE: o->child_pidfile = optarg; break;
	case OPT_RESTART: raw->restart = optarg; break;
	case OPT_RESTART_DELAY: raw->delay = optarg; break;
	case OPT_RESTART_DELAY_MAX: raw->delay_max = optarg; break;
	case OPT_RESTART_DELAY_RESET: raw->delay_reset = optarg; break;
	case OPT_MAX_RESTARTS: raw->max_restarts = optarg; break;
	case OPT_RESTART_WINDOW: raw->window = optarg; break;
	case OPT_SYSLOG:
		o->syslog = 1;
		raw->facility = optarg;
		break;
	case OPT_SYSLOG_TAG: o->syslog_tag = optarg; break;
	case 'u': o->user = optarg; break;
	case 'g': o->group = optarg; break;
	case OPT_CLEAR_ENV: o->clear_env = 1; break;
	case OPT_UNSET: o->unset[raw->nunset++] = optarg; break;
	case OPT_ENV_FILE: o->env_files[raw->nfiles++] = optarg; break;
	case OPT_KEEP_FD: raw->keep_fds[raw->nkeep++] = optarg; break;
	case OPT_NICE: raw->nice = optarg; break;
	case OPT_LIMIT: raw->limits[raw->nlimits++] = optarg; break;
	case OPT_CHROOT: o->chroot = optarg; break;
	case OPT_WAIT_READY:
		o->wait_ready = 1;
		raw->wait_ready = optarg;
		break;
	case OPT_READY_FD: raw->ready_fd = optarg; break;
	case OPT_WAIT: raw->wait = optarg; break;
	case OPT_JSON: o->json = 1; break;
	case OPT_MAIN_ONLY: o->main_only = 1; break;
	case OPT_FORKING: o->forking = 1; break;
	case OPT_FOLLOW_PIDFILE:
		o->forking = 1;
		o->follow_pidfile = optarg;
		break;
	case OPT_READY_TIMEOUT: raw->ready_timeout = optarg; break;
	case OPT_READY_PORT: case OPT_READY_FILE: case OPT_READY_LOG:
	case OPT_READY_CMD:
		o->checks[o->nchecks++] = (struct rc_spec){
		    (enum rc_kind)(RC_PORT + (c - OPT_READY_PORT)), optarg };
		break;
	case OPT_HEALTH_CMD:
	case OPT_HEALTH_PORT:
		o->health[o->nhealth++] = (struct rc_spec){
		    c == OPT_HEALTH_CMD ? RC_CMD : RC_PORT, optarg };
		break;
	case OPT_HEALTH_INTERVAL: raw->health_interval = optarg; break;
	case OPT_HEALTH_TIMEOUT: raw->health_timeout = optarg; break;
	case OPT_HEALTH_RETRIES: raw->health_retries = optarg; break;
	case OPT_HEALTH_START: raw->health_start = optarg; break;
	case OPT_WATCHDOG: raw->watchdog = optarg; break;
	case OPT_TIMESTAMPS: o->timestamps = 1; break;
	case OPT_LOG_MAX_SIZE: raw->log_max_size = optarg; break;
	case OPT_LOG_KEEP: raw->log_keep = optarg; break;
	case OPT_LINES: raw->lines = optarg; break;
	case OPT_FOLLOW: o->follow = 1; break;
	default:
		return -1;
	}
	return 0;
}

/*
 * Phase one: getopt_long over argv[1..], where argv[0] is the verb.
 * Returns the index of the first operand, or -1.  start and restart stop
 * at the first operand (the COMMAND keeps its own options); the other
 * verbs let GNU getopt permute, so "signal HUP -p FILE" works too.
 */
static int
gather(int argc, char **argv, struct detach_opts *o, struct raw_opts *raw,
    char *err, size_t errlen)
{
	const char *opts = cli_verb_starts(o->verb) ? shortopts : shortopts + 1;
	int c, longindex;

	optind = 0;	/* full reset of glibc's getopt state */
	opterr = 0;
	for (;;) {
		longindex = -1;
		c = getopt_long(argc, argv, opts, longopts, &longindex);
		if (c == -1)
			break;
		if (c == '?')
			return bad_option(argv[optind - 1], err, errlen);
		if (c == ':')
			return missing_value(argv, err, errlen);
		if (c == 'h' || c == 'V') {
			o->verb = c == 'h' ? VERB_HELP : VERB_VERSION;
			return 0;
		}
		note_scope(o->verb, c, longindex, raw);
		if (store(c, o, raw) == -1)
			return cli_fail(err, errlen, "internal error: "
			    "option %d", c);
	}
	return optind;
}

static void
set_defaults(struct detach_opts *o)
{
	*o = (struct detach_opts){
		.verb = VERB_NONE,
		.umask = 022,
		.signal = SIGTERM,
		.timeout_ms = 10000,
		.restart = RESTART_ON_FAILURE,
		.restart_delay_ms = 1000,
		.restart_delay_max_ms = 60000,
		.restart_delay_reset_ms = 10000,
		.restart_window_ms = 60000,
		.syslog_facility = LOG_DAEMON,
		.wait_ready_ms = 30000,
		.ready_timeout_ms = 30000,
		.health_interval_ms = 30000,
		.health_timeout_ms = 5000,
		.health_retries = 3,
		.log_keep = 5,
		.lines = 10,
		.ready_fd = -1,
		.wait_ms = -1,
	};
}

/* arg, after the program: -h, -V or a verb. */
static int
find_verb(const char *arg, struct detach_opts *o, char *err, size_t errlen)
{
	size_t i;

	if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
		o->verb = VERB_HELP;
		return 0;
	}
	if (strcmp(arg, "--version") == 0 || strcmp(arg, "-V") == 0) {
		o->verb = VERB_VERSION;
		return 0;
	}
	for (i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++)
		if (strcmp(arg, verbs[i].name) == 0) {
			o->verb = verbs[i].verb;
			o->verb_name = verbs[i].name;
			return 0;
		}
	return cli_fail(err, errlen, "unknown verb '%s'", arg);
}

/*
 * The lists repeated options fill, each as long as argv, which no option
 * can outnumber.  On failure raw's are freed, o's left to cli_free().
 */
static int
alloc_lists(struct detach_opts *o, struct raw_opts *raw, int argc)
{
	o->env = calloc((size_t)argc, sizeof(*o->env));
	o->unset = calloc((size_t)argc, sizeof(*o->unset));
	o->env_files = calloc((size_t)argc, sizeof(*o->env_files));
	o->keep_fds = calloc((size_t)argc, sizeof(*o->keep_fds));
	o->limits = calloc((size_t)argc, sizeof(*o->limits));
	o->checks = calloc((size_t)argc, sizeof(*o->checks));
	o->health = calloc((size_t)argc, sizeof(*o->health));
	raw->keep_fds = calloc((size_t)argc, sizeof(*raw->keep_fds));
	raw->limits = calloc((size_t)argc, sizeof(*raw->limits));
	if (o->env == NULL || o->unset == NULL || o->env_files == NULL ||
	    o->keep_fds == NULL || o->limits == NULL || o->checks == NULL ||
	    o->health == NULL ||
	    raw->keep_fds == NULL ||
	    raw->limits == NULL) {
		free(raw->keep_fds);
		free(raw->limits);
		return -1;
	}
	return 0;
}

/*
 * argv[0] is the program, argv[1] the verb.  Returns 0, or -1 with a
 * one-line message in err (a usage error).
 */
int
cli_parse(int argc, char **argv, struct detach_opts *o, char *err,
    size_t errlen)
{
	struct raw_opts raw = { 0 };
	int first;

	set_defaults(o);
	if (argc < 2)
		return cli_fail(err, errlen, "missing verb");
	if (find_verb(argv[1], o, err, errlen) == -1)
		return -1;
	if (o->verb == VERB_HELP || o->verb == VERB_VERSION)
		return 0;
	if (alloc_lists(o, &raw, argc) == -1)
		return cli_fail(err, errlen, "out of memory");
	first = gather(argc - 1, argv + 1, o, &raw, err, errlen);
	if (first != -1 && o->verb != VERB_HELP && o->verb != VERB_VERSION &&
	    cli_convert(o, &raw, err, errlen) == -1)
		first = -1;
	free(raw.keep_fds);
	free(raw.limits);
	if (first == -1)
		return -1;
	if (o->verb == VERB_HELP || o->verb == VERB_VERSION)
		return 0;
	first++;	/* index into argv, not argv + 1 */
	return cli_operands(o, argc - first, argv + first, err, errlen);
}

void
cli_free(struct detach_opts *o)
{
	free(o->env);
	free(o->unset);
	free(o->env_files);
	free(o->keep_fds);
	free(o->limits);
	free(o->checks);
	free(o->health);
	o->checks = o->health = NULL;
	o->env = o->unset = o->env_files = NULL;
	o->keep_fds = NULL;
	o->limits = NULL;
}
