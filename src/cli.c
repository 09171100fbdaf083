/*
 * Two-phase option parsing in the manner of dpkg's parse_options(): the
 * getopt_long() loop only stores strings, then each is converted and the
 * combination checked, with one message per problem.
 */
#include "config.h"

#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "parse.h"

enum {
	OPT_OKNODO = 256,
	OPT_TRUNCATE,
};

/* Which verbs an option belongs to. */
#define FOR_ALL		0x1
#define FOR_START	0x2
#define FOR_STOP	0x4

static const char shortopts[] = "+:p:n:o:e:i:C:m:E:fs:t:R:hV";

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
};

/* The strings gathered by the first phase. */
struct raw_opts {
	const char	*umask, *signal, *timeout, *retry;
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
	case OPT_TRUNCATE:
		return FOR_START;
	case 's': case 't': case 'R':
		return FOR_STOP;
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
	if (scope == FOR_START)
		return cli_verb_starts(v);
	return cli_verb_stops(v);
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
	int c, longindex, nenv = 0;

	optind = 0;	/* full reset of glibc's getopt state */
	opterr = 0;
	for (;;) {
		longindex = -1;
		c = getopt_long(argc, argv, opts, longopts, &longindex);
		if (c == -1)
			break;
		if (c == '?') {
			if (optopt != 0)
				return fail(err, errlen, "unknown option '-%c'", optopt);
			return fail(err, errlen, "unknown option '%s'",
			    argv[optind - 1]);
		}
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
		default:
			return fail(err, errlen, "internal error: option %d", c);
		}
	}
	return optind;
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
	if (o->env == NULL)
		return fail(err, errlen, "out of memory");
	first = gather(argc - 1, argv + 1, o, &raw, err, errlen);
	if (first == -1)
		return -1;
	if (o->verb == VERB_HELP || o->verb == VERB_VERSION)
		return 0;
	first++;	/* index into argv, not argv + 1 */
	noperands = argc - first;

	if (convert(o, &raw, err, errlen) == -1)
		return -1;

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
		if (o->verb != VERB_SIGNAL && noperands != 0)
			return fail(err, errlen, "unexpected argument '%s'",
			    argv[first]);
		if (o->pidfile == NULL && o->name == NULL)
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
	o->env = NULL;
}
