/*
 * The whole option parser: the input, split on NUL bytes, is the argv
 * after "detach".  Every argument is its own allocation so that reading
 * past one traps, and argv is writable because getopt permutes it.
 * Then svstate_parse() on the input as one string.
 */
#include "config.h"

#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/types.h>

#include "cli.h"
#include "parse.h"
#include "schedule.h"
#include "svstate.h"
#include "fuzz.h"

#define MAX_ARGS	64
#define MS_MAX		(DURATION_MAX_S * 1000 + 999)

static int
in_argv(char **argv, int argc, const char *s)
{
	int i;

	for (i = 0; i < argc; i++)
		if (argv[i] == s)
			return 1;
	return 0;
}

/* s is NULL or points into one of the argument strings (optarg). */
static int
from_args(char **argv, int argc, const char *s)
{
	int i;

	if (s == NULL)
		return 1;
	for (i = 0; i < argc; i++)
		if (s >= argv[i] && s <= argv[i] + strlen(argv[i]))
			return 1;
	return 0;
}

static void
check_opts(const struct detach_opts *o, char **argv, int argc)
{
	const char **e;
	int i;

	switch (o->verb) {
	case VERB_HELP:
	case VERB_VERSION:
		return;
	case VERB_START:
	case VERB_RESTART:
		CHECK(o->command != NULL);
		CHECK(o->command[0] != NULL && o->command[0][0] != '\0');
		CHECK(o->command >= argv + 2 && o->command < argv + argc);
		CHECK(argv[argc] == NULL);
		break;
	case VERB_SIGNAL:
		CHECK(o->send_signal >= 1 && o->send_signal <= SIGRTMAX);
		/* FALLTHROUGH */
	case VERB_STOP:
	case VERB_STATUS:
	case VERB_REOPEN:
		CHECK(o->pidfile != NULL || o->name != NULL);
		CHECK(o->command == NULL);
		break;
	default:
		/* a verb newer than this fuzzer: the generic checks only */
		CHECK(o->verb != VERB_NONE);
		break;
	}
	CHECK(o->verb_name != NULL);
	CHECK(from_args(argv, argc, o->pidfile));
	CHECK(from_args(argv, argc, o->name));
	CHECK(from_args(argv, argc, o->out));
	CHECK(from_args(argv, argc, o->err));
	CHECK(from_args(argv, argc, o->in));
	CHECK(from_args(argv, argc, o->chdir));
	CHECK(from_args(argv, argc, o->child_pidfile));
	CHECK(from_args(argv, argc, o->syslog_tag));
	CHECK(from_args(argv, argc, o->user));
	CHECK(from_args(argv, argc, o->group));
	CHECK(from_args(argv, argc, o->chroot));
	for (e = o->env_files; *e != NULL; e++)
		CHECK(from_args(argv, argc, *e));
	if (o->name != NULL)
		CHECK(parse_daemon_name(o->name) == 0);
	CHECK(o->umask <= 0777);
	for (e = o->env; *e != NULL; e++)
		CHECK(from_args(argv, argc, *e) && parse_env_assign(*e) == 0);
	for (e = o->unset; *e != NULL; e++)
		CHECK(from_args(argv, argc, *e) && **e != '\0' &&
		    strchr(*e, '=') == NULL);
	CHECK(o->signal >= 1 && o->signal <= SIGRTMAX);
	CHECK(o->timeout_ms >= 0 && o->timeout_ms <= MS_MAX);
	CHECK(o->nkeep_fds >= 0 && o->nkeep_fds < argc);
	for (i = 0; i < o->nkeep_fds; i++)
		CHECK(o->keep_fds[i] >= 3);
	CHECK(o->nlimits >= 0 && o->nlimits < argc);
	for (i = 0; i < o->nlimits; i++) {
		CHECK(o->limits[i].resource >= 0 &&
		    o->limits[i].resource < RLIM_NLIMITS);
		if (o->limits[i].soft == RLIM_INFINITY)
			CHECK(o->limits[i].hard == RLIM_INFINITY);
		else if (o->limits[i].hard != RLIM_INFINITY)
			CHECK(o->limits[i].soft <= o->limits[i].hard);
	}
	if (o->has_nice)
		CHECK(o->nice >= -20 && o->nice <= 19);
	CHECK(o->max_restarts >= 0 &&
	    o->max_restarts <= SUPERVISE_MAX_RESTARTS);
	CHECK(o->restart_delay_ms >= 0 && o->restart_delay_ms <= MS_MAX);
	CHECK(o->restart_delay_max_ms >= o->restart_delay_ms);
	CHECK(o->wait_ms >= -1 && o->wait_ms <= MS_MAX);
	CHECK(o->wait_ready_ms >= 0 && o->wait_ready_ms <= MS_MAX);
	CHECK(o->ready_fd == -1 || o->ready_fd >= 3);
	if (o->ready_fd != -1)
		CHECK(o->wait_ready);
	CHECK(!(o->wait_ms != -1 && o->wait_ready));
	CHECK(!(o->syslog && (o->out != NULL || o->err != NULL)));
	CHECK(o->chroot == NULL || o->chroot[0] == '/');
	CHECK(o->user == NULL || o->user[0] != '\0');
	CHECK(o->group == NULL || o->group[0] != '\0');
	CHECK(o->sched.n >= 1 && o->sched.n <= SCHED_MAX);
	for (i = 0; i < o->sched.n; i++)
		if (o->sched.items[i].type == SCHED_GOTO)
			CHECK(o->sched.items[i].value >= 0 &&
			    o->sched.items[i].value < o->sched.n);
}

static void
check_cli(const uint8_t *data, size_t size)
{
	char *argv[MAX_ARGS + 2], *owned[MAX_ARGS + 1], err[256];
	struct detach_opts o;
	const uint8_t *p = data, *end = data + size, *nul;
	int argc = 0, i, r;

	owned[argc] = argv[argc] = fuzz_strndup((const uint8_t *)"detach", 6);
	argc++;
	while (p <= end && argc < MAX_ARGS + 1) {
		nul = memchr(p, '\0', (size_t)(end - p));
		if (nul == NULL)
			nul = end;
		owned[argc] = argv[argc] = fuzz_strndup(p, (size_t)(nul - p));
		argc++;
		p = nul + 1;
		if (nul == end)
			break;
	}
	argv[argc] = NULL;

	memset(err, 'X', sizeof(err));	/* no terminator until cli_parse */
	r = cli_parse(argc, argv, &o, err, sizeof(err));
	CHECK(r == 0 || r == -1);
	/* getopt only permutes: the same strings are still all there. */
	for (i = 0; i < argc; i++)
		CHECK(in_argv(argv, argc, owned[i]));
	if (r == 0)
		check_opts(&o, argv, argc);
	else
		CHECK(err[0] != '\0' && memchr(err, '\0', sizeof(err)) != NULL);
	cli_free(&o);
	CHECK(o.env == NULL && o.limits == NULL);
	for (i = 0; i < argc; i++)
		free(owned[i]);
}

static void
check_svstate(const uint8_t *data, size_t size)
{
	char *s = fuzz_strndup(data, size), buf[256];
	struct svstate st, again;

	memset(&st, 0x3c, sizeof(st));
	memset(&again, 0, sizeof(again));
	if (svstate_parse(s, &st) == 0) {
#ifndef FUZZ_KNOWN_BUG_SVSTATE_RANGE
		/* what svstate_parse() itself demands of the numbers */
		CHECK(st.supervisor > 1);
		CHECK(st.child >= 0);
#endif
		/* what it parses, it formats, and parses back the same */
		CHECK(svstate_format(&st, buf, sizeof(buf)) > 0);
		CHECK(svstate_parse(buf, &again) == 0);
		CHECK(st.supervisor == again.supervisor);
		CHECK(st.child == again.child);
		CHECK(st.restarts == again.restarts);
		CHECK(st.last_status == again.last_status);
		CHECK(st.reopened == again.reopened);
		CHECK(st.reopen_err == again.reopen_err);
	}
	free(s);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	check_cli(data, size);
	check_svstate(data, size);
	return 0;
}
