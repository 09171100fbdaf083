/*
 * Phase two of cli_parse() for output: --timestamps, --log-max-size and
 * --log-keep of start --supervise, and the options of `detach logs`.
 */
#include "config.h"

#include <stddef.h>

#include "cli_int.h"
#include "parse.h"

#define LINES_MAX	1000000000LL

/* What stamps or rotates output needs files to write it to. */
static int
needs_files(const struct detach_opts *o, const char *opt, char *err,
    size_t errlen)
{
	if (o->syslog)
		return cli_fail(err, errlen, "--%s: output goes to syslog, "
		    "which %s", opt, opt[0] == 't' ? "stamps each message "
		    "itself" : "keeps no files to rotate");
	if (o->out == NULL && o->err == NULL)
		return cli_fail(err, errlen, "--%s needs -o or -e: there is "
		    "no output file", opt);
	return 0;
}

int
cli_convert_logs(struct detach_opts *o, const struct raw_opts *raw,
    char *err, size_t errlen)
{
	long long v;

	if (raw->log_max_size != NULL && parse_size(raw->log_max_size,
	    LOG_SIZE_MAX, &o->log_max_size) == -1)
		return cli_fail(err, errlen, "invalid --log-max-size '%s': "
		    "expected a size above 0 in bytes, or with K, M or G "
		    "(1024-based), e.g. 64K or 10M", raw->log_max_size);
	if (raw->log_keep != NULL) {
		if (parse_count(raw->log_keep, 0, LOG_KEEP_MAX, &v) == -1)
			return cli_fail(err, errlen, "invalid --log-keep "
			    "'%s': expected 0 to %d", raw->log_keep,
			    LOG_KEEP_MAX);
		if (raw->log_max_size == NULL)
			return cli_fail(err, errlen, "--log-keep needs "
			    "--log-max-size: nothing is rotated without it");
		o->log_keep = (int)v;
	}
	if ((o->timestamps && needs_files(o, "timestamps", err, errlen) ==
	    -1) || (raw->log_max_size != NULL &&
	    needs_files(o, "log-max-size", err, errlen) == -1))
		return -1;
	if (raw->lines != NULL) {
		if (parse_count(raw->lines, 0, LINES_MAX, &v) == -1)
			return cli_fail(err, errlen, "invalid --lines '%s': "
			    "expected a number of lines, 0 or more",
			    raw->lines);
		o->lines = v;
	}
	if (o->verb == VERB_LOGS && o->foreground) {
		o->follow = 1;		/* logs -f: --follow */
		o->foreground = 0;
	}
	return 0;
}
