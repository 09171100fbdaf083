/*
 * Pure converters for everything detach reads from the command line or
 * from a pidfile.  Nothing here does I/O, so the unit tests cover it
 * entirely and the fuzzers can call it in a loop.
 */
#include "config.h"

#include <ctype.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <syslog.h>

#include "cli.h"
#include "parse.h"

struct signame {
	const char	*name;
	int		 num;
};

static const struct signame signames[] = {
	{ "HUP", SIGHUP }, { "INT", SIGINT }, { "QUIT", SIGQUIT },
	{ "ILL", SIGILL }, { "TRAP", SIGTRAP }, { "ABRT", SIGABRT },
	{ "IOT", SIGIOT }, { "BUS", SIGBUS }, { "FPE", SIGFPE },
	{ "KILL", SIGKILL }, { "USR1", SIGUSR1 }, { "SEGV", SIGSEGV },
	{ "USR2", SIGUSR2 }, { "PIPE", SIGPIPE }, { "ALRM", SIGALRM },
	{ "TERM", SIGTERM }, { "STKFLT", SIGSTKFLT }, { "CHLD", SIGCHLD },
	{ "CLD", SIGCHLD }, { "CONT", SIGCONT }, { "STOP", SIGSTOP },
	{ "TSTP", SIGTSTP }, { "TTIN", SIGTTIN }, { "TTOU", SIGTTOU },
	{ "URG", SIGURG }, { "XCPU", SIGXCPU }, { "XFSZ", SIGXFSZ },
	{ "VTALRM", SIGVTALRM }, { "PROF", SIGPROF }, { "WINCH", SIGWINCH },
	{ "IO", SIGIO }, { "POLL", SIGPOLL }, { "PWR", SIGPWR },
	{ "SYS", SIGSYS },
};

/*
 * Parse an unsigned decimal made of digits only (no sign, no blanks, no
 * leading zero unless the number is 0) and no larger than max.
 */
static int
parse_decimal(const char *s, size_t len, long long max, long long *out)
{
	long long v = 0;
	size_t i;

	if (len == 0 || (len > 1 && s[0] == '0'))
		return -1;
	for (i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		if (v > max / 10 || v * 10 > max - (s[i] - '0'))
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 0;
}

/*
 * A pidfile holds a decimal pid greater than 1, optionally followed by a
 * single newline.  0, 1 and negative numbers would make kill(2) signal a
 * process group, init or every process: they are errors, never pids.
 */
int
parse_pid(const char *buf, size_t len, pid_t *pid)
{
	long long v;

	if (len > 0 && buf[len - 1] == '\n')
		len--;
	if (parse_decimal(buf, len, INT_MAX, &v) == -1 || v <= 1)
		return -1;
	*pid = (pid_t)v;
	return 0;
}

int
parse_count(const char *s, long long min, long long max, long long *out)
{
	long long v;

	if (parse_decimal(s, strlen(s), max, &v) == -1 || v < min)
		return -1;
	*out = v;
	return 0;
}

/*
 * A size in bytes: decimal, optionally followed by K, M or G (1024-based,
 * either case); at least 1, at most max.
 */
int
parse_size(const char *s, int64_t max, int64_t *out)
{
	size_t len = strlen(s);
	long long v, unit = 1;

	if (len > 1) {
		switch (s[len - 1]) {
		case 'k': case 'K': unit = 1LL << 10; break;
		case 'm': case 'M': unit = 1LL << 20; break;
		case 'g': case 'G': unit = 1LL << 30; break;
		}
		if (unit > 1)
			len--;
	}
	if (parse_decimal(s, len, max / unit, &v) == -1 || v < 1)
		return -1;
	*out = (int64_t)(v * unit);
	return 0;
}

/*
 * Signals by number (1 to SIGRTMAX) or by name, with or without "SIG",
 * in any case: TERM, sigterm, 15, RTMIN+2, RTMAX-1.
 */
int
parse_signal(const char *s, int *sig)
{
	long long v;
	size_t i;
	const char *p;

	if (s[0] >= '0' && s[0] <= '9') {
		if (parse_decimal(s, strlen(s), SIGRTMAX, &v) == -1 || v < 1)
			return -1;
		*sig = (int)v;
		return 0;
	}
	if (strncasecmp(s, "SIG", 3) == 0)
		s += 3;
	for (i = 0; i < sizeof(signames) / sizeof(signames[0]); i++) {
		if (strcasecmp(s, signames[i].name) == 0) {
			*sig = signames[i].num;
			return 0;
		}
	}
	if (strncasecmp(s, "RTMIN", 5) == 0 || strncasecmp(s, "RTMAX", 5) == 0) {
		int base = toupper((unsigned char)s[4]) == 'N' ? SIGRTMIN : SIGRTMAX;
		int dir = base == SIGRTMIN ? 1 : -1;

		p = s + 5;
		v = 0;
		if (*p != '\0') {
			if ((dir == 1 && *p != '+') || (dir == -1 && *p != '-'))
				return -1;
			p++;
			if (parse_decimal(p, strlen(p), SIGRTMAX - SIGRTMIN, &v) == -1)
				return -1;
		}
		*sig = base + dir * (int)v;
		return 0;
	}
	return -1;
}

/* The name of sig without "SIG": "TERM", "RTMIN+3"; a number if unknown. */
int
signal_name(int sig, char *buf, size_t size)
{
	size_t i;
	int n;

	for (i = 0; i < sizeof(signames) / sizeof(signames[0]); i++)
		if (signames[i].num == sig)
			break;
	if (i < sizeof(signames) / sizeof(signames[0]))
		n = snprintf(buf, size, "%s", signames[i].name);
	else if (sig == SIGRTMIN)
		n = snprintf(buf, size, "RTMIN");
	else if (sig > SIGRTMIN && sig <= SIGRTMAX)
		n = snprintf(buf, size, "RTMIN+%d", sig - SIGRTMIN);
	else
		n = snprintf(buf, size, "%d", sig);
	return n < 0 || (size_t)n >= size ? -1 : 0;
}

/*
 * Decimal seconds, "10", "0.5" or "2.25", into milliseconds.  Digits
 * beyond the millisecond are ignored.
 */
int
parse_duration(const char *s, int64_t *ms)
{
	const char *dot = strchr(s, '.');
	size_t ilen = dot != NULL ? (size_t)(dot - s) : strlen(s);
	long long secs;
	int64_t frac = 0, scale = 100;
	const char *p;

	if (parse_decimal(s, ilen, DURATION_MAX_S, &secs) == -1)
		return -1;
	if (dot != NULL) {
		if (dot[1] == '\0')
			return -1;
		for (p = dot + 1; *p != '\0'; p++) {
			if (*p < '0' || *p > '9')
				return -1;
			frac += (*p - '0') * scale;
			scale /= 10;
		}
	}
	*ms = (int64_t)secs * 1000 + frac;
	return 0;
}

/* An octal file mode creation mask, 0 to 0777. */
int
parse_umask(const char *s, mode_t *mask)
{
	unsigned v = 0;
	const char *p;

	if (*s == '\0' || strlen(s) > 4)
		return -1;
	for (p = s; *p != '\0'; p++) {
		if (*p < '0' || *p > '7')
			return -1;
		v = v * 8 + (unsigned)(*p - '0');
	}
	if (v > 0777)
		return -1;
	*mask = (mode_t)v;
	return 0;
}

/* NAME=VALUE with a non-empty NAME of no '='. */
int
parse_env_assign(const char *s)
{
	const char *eq = strchr(s, '=');

	return eq == NULL || eq == s ? -1 : 0;
}

/* A daemon name becomes a file name: no '/', no leading '.', not empty. */
int
parse_daemon_name(const char *s)
{
	size_t len = strlen(s);

	if (len == 0 || len > NAME_MAX - 4 || s[0] == '.' ||
	    strchr(s, '/') != NULL)
		return -1;
	return 0;
}

static const struct {
	const char	*name;
	int		 facility;
} facilities[] = {
	{ "auth", LOG_AUTH }, { "authpriv", LOG_AUTHPRIV },
	{ "cron", LOG_CRON }, { "daemon", LOG_DAEMON }, { "ftp", LOG_FTP },
	{ "lpr", LOG_LPR }, { "mail", LOG_MAIL }, { "news", LOG_NEWS },
	{ "syslog", LOG_SYSLOG }, { "user", LOG_USER }, { "uucp", LOG_UUCP },
	{ "local0", LOG_LOCAL0 }, { "local1", LOG_LOCAL1 },
	{ "local2", LOG_LOCAL2 }, { "local3", LOG_LOCAL3 },
	{ "local4", LOG_LOCAL4 }, { "local5", LOG_LOCAL5 },
	{ "local6", LOG_LOCAL6 }, { "local7", LOG_LOCAL7 },
};

/* A syslog facility by name: daemon, user, local0 ... local7, ... */
int
parse_facility(const char *s, int *facility)
{
	size_t i;

	for (i = 0; i < sizeof(facilities) / sizeof(facilities[0]); i++) {
		if (strcasecmp(s, facilities[i].name) == 0) {
			*facility = facilities[i].facility;
			return 0;
		}
	}
	return -1;
}

/* A nice increment, -20 to 19. */
int
parse_nice(const char *s, int *nice)
{
	long long v;
	int neg = s[0] == '-';

	if (parse_count(s + (neg || s[0] == '+'), 0, neg ? 20 : 19, &v) == -1)
		return -1;
	*nice = neg ? -(int)v : (int)v;
	return 0;
}

static const struct {
	const char	*name;
	int		 resource;
} resources[] = {
	{ "as", RLIMIT_AS }, { "core", RLIMIT_CORE }, { "cpu", RLIMIT_CPU },
	{ "data", RLIMIT_DATA }, { "fsize", RLIMIT_FSIZE },
	{ "locks", RLIMIT_LOCKS }, { "memlock", RLIMIT_MEMLOCK },
	{ "msgqueue", RLIMIT_MSGQUEUE }, { "nice", RLIMIT_NICE },
	{ "nofile", RLIMIT_NOFILE }, { "nproc", RLIMIT_NPROC },
	{ "rss", RLIMIT_RSS }, { "rtprio", RLIMIT_RTPRIO },
	{ "rttime", RLIMIT_RTTIME }, { "sigpending", RLIMIT_SIGPENDING },
	{ "stack", RLIMIT_STACK },
};

static int
parse_rlim(const char *s, size_t len, rlim_t *out)
{
	long long v;
	char buf[32];

	if (len == 9 && strncmp(s, "unlimited", 9) == 0) {
		*out = RLIM_INFINITY;
		return 0;
	}
	if (len == 0 || len >= sizeof(buf))
		return -1;
	memcpy(buf, s, len);
	buf[len] = '\0';
	if (parse_count(buf, 0, LLONG_MAX, &v) == -1)
		return -1;
	*out = (rlim_t)v;
	return 0;
}

/*
 * RESOURCE=SOFT[:HARD], as in --limit=nofile=1024:4096 or core=unlimited.
 * Without HARD both limits get SOFT, as systemd's Limit*= do.
 */
int
parse_limit(const char *s, struct limit *l)
{
	const char *eq = strchr(s, '='), *colon;
	rlim_t soft, hard;
	size_t i;

	if (eq == NULL)
		return -1;
	for (i = 0; i < sizeof(resources) / sizeof(resources[0]); i++)
		if (strlen(resources[i].name) == (size_t)(eq - s) &&
		    strncasecmp(s, resources[i].name, (size_t)(eq - s)) == 0)
			break;
	if (i == sizeof(resources) / sizeof(resources[0]))
		return -1;
	colon = strchr(eq + 1, ':');
	if (parse_rlim(eq + 1, colon != NULL ? (size_t)(colon - eq - 1) :
	    strlen(eq + 1), &soft) == -1)
		return -1;
	if (colon == NULL)
		hard = soft;
	else if (parse_rlim(colon + 1, strlen(colon + 1), &hard) == -1)
		return -1;
	if (hard != RLIM_INFINITY && (soft == RLIM_INFINITY || soft > hard))
		return -1;
	l->resource = resources[i].resource;
	l->soft = soft;
	l->hard = hard;
	return 0;
}
