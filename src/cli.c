/*
 * Two-phase option parsing in the manner of dpkg's parse_options(): the
 * getopt_long() loop only stores strings, then each is converted and the
 * combination checked, with one message per problem.
 */
#include "config.h"

#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "cli.h"
#include "parse.h"

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
};

/* Which verbs an option belongs to. */
#define FOR_ALL		0x1
#define FOR_START	0x2
#define FOR_STOP	0x4
#define FOR_REPORT	0x8	/* status and list */
#define FOR_ACT		0x10	/* signal and reopen */

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
};

/* The strings gathered by the first phase. */
struct raw_opts {
	const char	*umask, *signal, *timeout, *retry;
	const char	*restart, *delay, *delay_max, *delay_reset, *window;
	const char	*max_restarts, *facility;
	const char	*needs_supervise;	/* a supervise-only option */
	const char	*nice, *wait_ready, *ready_fd, *wait;
	const char	**keep_fds, **limits;
	int		 nkeep, nlimits;
	char		 bad_opt[64];	/* first option not valid for the verb */
};

static int
fail(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int
fail(char *err, size_t errlen, const char *fmt, ...)
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

static int
option_scope(int c)
{
	switch (c) {
	case 'o': case 'e': case 'i': case 'C': case 'm': case 'E': case 'f':
	case OPT_TRUNCATE: case OPT_SUPERVISE: case OPT_CHILD_PIDFILE:
	case OPT_RESTART: case OPT_RESTART_DELAY: case OPT_RESTART_DELAY_MAX:
	case OPT_RESTART_DELAY_RESET: case OPT_MAX_RESTARTS:
	case OPT_RESTART_WINDOW: case OPT_SYSLOG: case OPT_SYSLOG_TAG:
	case 'u': case 'g': case OPT_CLEAR_ENV: case OPT_UNSET:
	case OPT_ENV_FILE: case OPT_KEEP_FD: case OPT_NICE: case OPT_LIMIT:
	case OPT_CHROOT: case OPT_WAIT_READY: case OPT_READY_FD: case OPT_WAIT:
		return FOR_START;
	case 's': case 't': case 'R':
		return FOR_START | FOR_STOP;
	case OPT_JSON:
		return FOR_REPORT;
	case OPT_OKNODO:
		return FOR_START | FOR_STOP | FOR_ACT;
	default:
		return FOR_ALL;
	}
}

static int
option_allowed(enum verb v, int c)
{
	int scope = option_scope(c);

	if (scope == FOR_ALL)
		return 1;
	return ((scope & FOR_START) && cli_verb_starts(v)) ||
	    ((scope & FOR_STOP) && cli_verb_stops(v)) ||
	    ((scope & FOR_REPORT) && (v == VERB_STATUS || v == VERB_LIST)) ||
	    ((scope & FOR_ACT) && (v == VERB_SIGNAL || v == VERB_REOPEN));
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
				return fail(err, errlen, "option '--%s' takes "
				    "no value", lo->name);
	}
	if (arg[0] == '-' && arg[1] != '-' && optopt > 0 && optopt < 128)
		return fail(err, errlen, "unknown option '-%c'", optopt);
	return fail(err, errlen, "unknown option '%s'", arg);
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
	int c, longindex, nenv = 0, nunset = 0, nfiles = 0;

	optind = 0;	/* full reset of glibc's getopt state */
	opterr = 0;
	for (;;) {
		longindex = -1;
		c = getopt_long(argc, argv, opts, longopts, &longindex);
		if (c == -1)
			break;
		if (c == '?')
			return bad_option(argv[optind - 1], err, errlen);
		if (c == ':') {
			if (optopt != 0 && optopt < 256 &&
			    strchr(shortopts, optopt) != NULL &&
			    argv[optind - 1][1] != '-')
				return fail(err, errlen,
				    "option '-%c' needs a value", optopt);
			return fail(err, errlen, "option '%s' needs a value",
			    argv[optind - 1]);
		}
		if (c == 'h') {
			o->verb = VERB_HELP;
			return 0;
		}
		if (c == 'V') {
			o->verb = VERB_VERSION;
			return 0;
		}
		if (!option_allowed(o->verb, c) && raw->bad_opt[0] == '\0')
			option_text(c, longindex, raw->bad_opt,
			    sizeof(raw->bad_opt));
		if (c >= OPT_CHILD_PIDFILE && c <= OPT_SYSLOG_TAG &&
		    raw->needs_supervise == NULL)
			raw->needs_supervise = longopts[longindex].name;
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
		case 'E': o->env[nenv++] = optarg; break;
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
		case OPT_UNSET: o->unset[nunset++] = optarg; break;
		case OPT_ENV_FILE: o->env_files[nfiles++] = optarg; break;
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
		default:
			return fail(err, errlen, "internal error: option %d", c);
		}
	}
	return optind;
}

static int
duration_opt(const char *name, const char *s, int64_t *ms, char *err,
    size_t errlen)
{
	if (s != NULL && parse_duration(s, ms) == -1)
		return fail(err, errlen, "invalid --%s '%s': expected decimal "
		    "seconds", name, s);
	return 0;
}

static int
convert_supervise(struct detach_opts *o, const struct raw_opts *raw,
    char *err, size_t errlen)
{
	if (raw->needs_supervise != NULL && !o->supervise)
		return fail(err, errlen, "--%s needs --supervise",
		    raw->needs_supervise);
	if (raw->restart != NULL) {
		if (strcmp(raw->restart, "always") == 0)
			o->restart = RESTART_ALWAYS;
		else if (strcmp(raw->restart, "on-failure") == 0)
			o->restart = RESTART_ON_FAILURE;
		else if (strcmp(raw->restart, "never") == 0)
			o->restart = RESTART_NEVER;
		else
			return fail(err, errlen, "invalid --restart '%s': "
			    "expected always, on-failure or never",
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
		return fail(err, errlen, "invalid --max-restarts '%s': "
		    "expected 0 to %d", raw->max_restarts,
		    SUPERVISE_MAX_RESTARTS);
	if (raw->facility != NULL &&
	    parse_facility(raw->facility, &o->syslog_facility) == -1)
		return fail(err, errlen, "invalid syslog facility '%s'",
		    raw->facility);
	if (o->syslog && (o->out != NULL || o->err != NULL))
		return fail(err, errlen, "--syslog replaces -o and -e: give "
		    "one or the other");
	if (o->child_pidfile != NULL && o->child_pidfile[0] == '\0')
		return fail(err, errlen, "empty --child-pidfile");
	return 0;
}

/* -u, -g, the environment, descriptors, limits and readiness. */
static int
convert_exec(struct detach_opts *o, const struct raw_opts *raw, char *err,
    size_t errlen)
{
	long long v;
	const char **e;
	int i;

	if (o->user != NULL && o->user[0] == '\0')
		return fail(err, errlen, "empty --user");
	if (o->group != NULL && o->group[0] == '\0')
		return fail(err, errlen, "empty --group");
	for (e = o->unset; *e != NULL; e++)
		if (**e == '\0' || strchr(*e, '=') != NULL)
			return fail(err, errlen, "invalid --unset '%s': "
			    "expected a variable name", *e);
	for (i = 0; i < raw->nkeep; i++) {
		if (parse_count(raw->keep_fds[i], 3, INT_MAX, &v) == -1)
			return fail(err, errlen, "invalid --keep-fd '%s': "
			    "expected a descriptor number from 3 up",
			    raw->keep_fds[i]);
		o->keep_fds[o->nkeep_fds++] = (int)v;
	}
	if (raw->nice != NULL) {
		if (parse_nice(raw->nice, &o->nice) == -1)
			return fail(err, errlen, "invalid --nice '%s': "
			    "expected -20 to 19", raw->nice);
		o->has_nice = 1;
	}
	for (i = 0; i < raw->nlimits; i++) {
		if (parse_limit(raw->limits[i], &o->limits[i]) == -1)
			return fail(err, errlen, "invalid --limit '%s': "
			    "expected RESOURCE=SOFT[:HARD], e.g. nofile=1024 "
			    "or core=unlimited", raw->limits[i]);
		o->nlimits++;
	}
	if (o->chroot != NULL && o->chroot[0] != '/')
		return fail(err, errlen, "--chroot needs an absolute path");
	if (raw->wait_ready != NULL && parse_duration(raw->wait_ready,
	    &o->wait_ready_ms) == -1)
		return fail(err, errlen, "invalid --wait-ready '%s': expected "
		    "decimal seconds", raw->wait_ready);
	if (raw->ready_fd != NULL) {
		if (parse_count(raw->ready_fd, 3, INT_MAX, &v) == -1)
			return fail(err, errlen, "invalid --ready-fd '%s': "
			    "expected a descriptor number from 3 up",
			    raw->ready_fd);
		o->ready_fd = (int)v;
		o->wait_ready = 1;
	}
	if (raw->wait != NULL && parse_duration(raw->wait, &o->wait_ms) == -1)
		return fail(err, errlen, "invalid --wait '%s': expected decimal "
		    "seconds", raw->wait);
	if (raw->wait != NULL && o->wait_ready)
		return fail(err, errlen, "--wait and --wait-ready/--ready-fd "
		    "exclude each other");
	if (o->foreground && (o->wait_ready || raw->wait != NULL))
		return fail(err, errlen, "--foreground cannot wait for "
		    "readiness: detach execs the command itself");
	return 0;
}

/* Phase two: convert the strings and check the combination. */
static int
convert(struct detach_opts *o, const struct raw_opts *raw, char *err,
    size_t errlen)
{
	const char *why;
	const char **e;

	if (raw->bad_opt[0] != '\0')
		return fail(err, errlen, "option '%s' is not valid with %s",
		    raw->bad_opt, o->verb_name);
	if (o->name != NULL && parse_daemon_name(o->name) == -1)
		return fail(err, errlen, "invalid name '%s': it may not be "
		    "empty, contain '/' or start with '.'", o->name);
	if (raw->umask != NULL && parse_umask(raw->umask, &o->umask) == -1)
		return fail(err, errlen, "invalid umask '%s': expected an "
		    "octal mode from 0 to 0777", raw->umask);
	for (e = o->env; *e != NULL; e++)
		if (parse_env_assign(*e) == -1)
			return fail(err, errlen, "invalid environment "
			    "assignment '%s': expected NAME=VALUE", *e);
	if (raw->signal != NULL && parse_signal(raw->signal, &o->signal) == -1)
		return fail(err, errlen, "invalid signal '%s'", raw->signal);
	if (raw->timeout != NULL &&
	    parse_duration(raw->timeout, &o->timeout_ms) == -1)
		return fail(err, errlen, "invalid timeout '%s': expected "
		    "decimal seconds", raw->timeout);
	if (convert_supervise(o, raw, err, errlen) == -1 ||
	    convert_exec(o, raw, err, errlen) == -1)
		return -1;
	if (raw->retry != NULL) {
		if (schedule_parse(raw->retry, o->signal, &o->sched, &why) == -1)
			return fail(err, errlen, "invalid schedule '%s': %s",
			    raw->retry, why);
	} else
		schedule_default(&o->sched, o->signal, o->timeout_ms);
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
	size_t i;
	int first, noperands;

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
		.ready_fd = -1,
		.wait_ms = -1,
	};
	if (argc < 2)
		return fail(err, errlen, "missing verb");
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		o->verb = VERB_HELP;
		return 0;
	}
	if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0) {
		o->verb = VERB_VERSION;
		return 0;
	}
	for (i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++)
		if (strcmp(argv[1], verbs[i].name) == 0)
			break;
	if (i == sizeof(verbs) / sizeof(verbs[0]))
		return fail(err, errlen, "unknown verb '%s'", argv[1]);
	o->verb = verbs[i].verb;
	o->verb_name = verbs[i].name;

	o->env = calloc((size_t)argc, sizeof(*o->env));
	o->unset = calloc((size_t)argc, sizeof(*o->unset));
	o->env_files = calloc((size_t)argc, sizeof(*o->env_files));
	o->keep_fds = calloc((size_t)argc, sizeof(*o->keep_fds));
	o->limits = calloc((size_t)argc, sizeof(*o->limits));
	raw.keep_fds = calloc((size_t)argc, sizeof(*raw.keep_fds));
	raw.limits = calloc((size_t)argc, sizeof(*raw.limits));
	if (o->env == NULL || o->unset == NULL || o->env_files == NULL ||
	    o->keep_fds == NULL || o->limits == NULL || raw.keep_fds == NULL ||
	    raw.limits == NULL) {
		free(raw.keep_fds);
		free(raw.limits);
		return fail(err, errlen, "out of memory");
	}
	first = gather(argc - 1, argv + 1, o, &raw, err, errlen);
	if (first != -1 && o->verb != VERB_HELP && o->verb != VERB_VERSION &&
	    convert(o, &raw, err, errlen) == -1)
		first = -1;
	free(raw.keep_fds);
	free(raw.limits);
	if (first == -1)
		return -1;
	if (o->verb == VERB_HELP || o->verb == VERB_VERSION)
		return 0;
	first++;	/* index into argv, not argv + 1 */
	noperands = argc - first;

	switch (o->verb) {
	case VERB_START:
	case VERB_RESTART:
		if (noperands == 0)
			return fail(err, errlen, "%s needs a COMMAND",
			    o->verb_name);
		if (argv[first][0] == '\0')
			return fail(err, errlen, "empty COMMAND");
		o->command = argv + first;
		break;
	case VERB_SIGNAL:
		if (noperands != 1)
			return fail(err, errlen, noperands == 0 ?
			    "signal needs a SIGNAL" : "signal takes one SIGNAL");
		if (parse_signal(argv[first], &o->send_signal) == -1)
			return fail(err, errlen, "invalid signal '%s'",
			    argv[first]);
		/* FALLTHROUGH */
	case VERB_STOP:
	case VERB_STATUS:
	case VERB_REOPEN:
	case VERB_LIST:
		if (o->verb != VERB_SIGNAL && noperands != 0)
			return fail(err, errlen, "unexpected argument '%s'",
			    argv[first]);
		if (o->verb == VERB_LIST) {
			if (o->pidfile != NULL || o->name != NULL)
				return fail(err, errlen, "list shows the "
				    "default directory: no -p or -n");
		} else if (o->pidfile == NULL && o->name == NULL)
			return fail(err, errlen, "%s needs -p PIDFILE or -n NAME",
			    o->verb_name);
		break;
	default:
		return fail(err, errlen, "internal error: verb %d", o->verb);
	}
	return 0;
}

void
cli_free(struct detach_opts *o)
{
	free(o->env);
	free(o->unset);
	free(o->env_files);
	free(o->keep_fds);
	free(o->limits);
	o->env = o->unset = o->env_files = NULL;
	o->keep_fds = NULL;
	o->limits = NULL;
}
