/*
 * Describing daemons: `detach list` walks the default pidfile directory
 * and prints a table (or, with --json, one JSON object per line); `detach
 * status --json` prints the same object for one daemon.  Everything comes
 * from the same probe the other verbs trust, plus /proc for the uptime
 * and the command line.
 *
 * A command line or a file name can hold anything: the table shows them
 * vis(3)-encoded, the JSON through json_quote's rules (valid UTF-8, with
 * U+FFFD for what is not).
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
/* the OpenBSD strnvis(dst, src, size, flags), the default of libbsd 0.11 */
#define LIBBSD_OPENBSD_VIS
#include <vis.h>

#include "detach.h"
#include "jsonstr.h"
#include "proc.h"
#include "report.h"

/*
 * Every byte outside printable ASCII as \ooo or C-style (\n, \t, \033
 * for ESC), backslash doubled, spaces kept as the argv separators.  With
 * VIS_NOLOCALE "é" shows as \303\251: detach never calls setlocale(3),
 * and in a UTF-8 locale libbsd 0.11 lets invalid bytes through raw.
 */
#define TABLE_VIS	(VIS_CSTYLE | VIS_TAB | VIS_NL | VIS_OCTAL | VIS_NOLOCALE)

static const char *
state_name(const struct probe *pr)
{
	switch (pr->state) {
	case PROBE_RUNNING:
		if (report_health(pr) != NULL)
			return report_health(pr);
		return report_readiness(pr);
	case PROBE_STALE:	return "stale";
	case PROBE_NOFILE:	return "not-running";
	case PROBE_ORPHANED:	return "orphaned";
	case PROBE_NOPID:	return "starting";
	case PROBE_FOREIGN:
	case PROBE_BADPID:	return "foreign-lock";
	default:		return "unknown";
	}
}

/* A running daemon: "running", or what its readiness checks say. */
const char *
report_readiness(const struct probe *pr)
{
	if (pr->recorded && pr->rec.readiness == SVREADY_STARTING)
		return "starting";
	if (pr->recorded && pr->rec.readiness == SVREADY_READY)
		return "ready";
	return "running";
}

/* A supervisor with health checks: its word for the child; else NULL. */
const char *
report_health(const struct probe *pr)
{
	if (!pr->recorded)
		return NULL;
	switch (pr->rec.health) {
	case SVHEALTH_STARTING:		return "starting";
	case SVHEALTH_HEALTHY:		return "healthy";
	case SVHEALTH_UNHEALTHY:	return "unhealthy";
	default:			return NULL;
	}
}

/*
 * Seconds since a process that started at start (clock ticks after boot,
 * /proc/PID/stat's field 22) began: CLOCK_BOOTTIME is the clock both
 * /proc/uptime and that field count by.
 */
static long long
uptime_of(uint64_t start)
{
	struct timespec now;
	long hz = sysconf(_SC_CLK_TCK);
	long long ticks;

	if (start == 0 || hz <= 0 || clock_gettime(CLOCK_BOOTTIME, &now) == -1)
		return -1;
	ticks = (long long)now.tv_sec * hz + now.tv_nsec / (1000000000L / hz);
	return ticks > (long long)start ? (ticks - (long long)start) / hz : 0;
}

/* The command line of pid, arguments joined by spaces. */
static void
command_of(pid_t pid, char *buf, size_t len)
{
	char path[64];
	ssize_t n, i;

	snprintf(path, sizeof(path), "/proc/%ld/cmdline", (long)pid);
	if ((n = proc_read(path, 0, buf, len)) <= 0)
		return;
	while (n > 0 && buf[n - 1] == '\0')
		n--;
	for (i = 0; i < n; i++)
		if (buf[i] == '\0')
			buf[i] = ' ';
	buf[n] = '\0';
}

void
report_describe(const char *name, const char *pidfile, struct report *r)
{
	pid_t shown;

	memset(r, 0, sizeof(*r));
	r->name = name;
	r->pidfile = pidfile;
	r->uptime_s = -1;
	pidlock_probe(pidfile, &r->probe);
	r->state = state_name(&r->probe);
	if (r->probe.state != PROBE_RUNNING)
		return;
	/* the record the probe believed: read once, one snapshot */
	if (r->probe.recorded && r->probe.rec.supervisor != 0 &&
	    r->probe.rec.supervisor == r->probe.pid) {
		r->supervised = 1;
		r->sv = r->probe.rec;
	}
	r->uptime_s = uptime_of(r->probe.start);
	/* a supervisor's own command line is its title: show the child's */
	shown = r->supervised && r->sv.child > 0 ? r->sv.child : r->probe.pid;
	command_of(shown, r->command, sizeof(r->command));
}

/* One object on one line. */
void
report_json(FILE *f, const struct report *r)
{
	fputs("{\"name\":", f);
	json_write_string(f, r->name);
	fputs(",\"pidfile\":", f);
	json_write_string(f, r->pidfile);
	fputs(",\"state\":", f);
	json_write_string(f, r->state);
	if (r->probe.pid > 0)
		fprintf(f, ",\"pid\":%ld", (long)r->probe.pid);
	else
		fputs(",\"pid\":null", f);
	if (r->uptime_s >= 0)
		fprintf(f, ",\"uptime_s\":%lld", r->uptime_s);
	else
		fputs(",\"uptime_s\":null", f);
	fputs(",\"command\":", f);
	json_write_string(f, r->command);
	fprintf(f, ",\"supervised\":%s", r->supervised ? "true" : "false");
	if (r->supervised) {
		if (r->sv.child > 0)
			fprintf(f, ",\"child_pid\":%ld", (long)r->sv.child);
		else
			fputs(",\"child_pid\":null", f);
		fprintf(f, ",\"restarts\":%lld", r->sv.restarts);
	}
	if (report_health(&r->probe) != NULL) {
		fputs(",\"health\":", f);
		json_write_string(f, report_health(&r->probe));
		fprintf(f, ",\"health_failures\":%d",
		    r->probe.rec.health_fails);
		if (r->probe.rec.health_at > 0)
			fprintf(f, ",\"health_checked_at\":%lld",
			    (long long)r->probe.rec.health_at);
		else
			fputs(",\"health_checked_at\":null", f);
		fputs(",\"health_result\":", f);
		json_write_string(f, r->probe.rec.health_result);
	}
	fputs("}\n", f);
}

static void
uptime_text(long long s, char *buf, size_t len)
{
	if (s < 0)
		snprintf(buf, len, "-");
	else if (s < 3600)
		snprintf(buf, len, "%lldm%02llds", s / 60, s % 60);
	else if (s < 86400)
		snprintf(buf, len, "%lldh%02lldm", s / 3600, s % 3600 / 60);
	else
		snprintf(buf, len, "%lldd%02lldh", s / 86400, s % 86400 / 3600);
}

static int
by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * detach list: NAME PID STATE UPTIME COMMAND for every NAME.pid in the
 * default directory.  A missing directory lists nothing.
 */
int
cmd_list(const struct detach_opts *o, const struct paths *p)
{
	char path[PATH_MAX + NAME_MAX + 2], name[NAME_MAX + 1], up[32], pid[48];
	char **names = NULL, **grown;
	struct dirent *de;
	struct report r;
	char vname[4 * sizeof(name)], vcmd[4 * sizeof(r.command)];
	size_t n = 0, cap = 0, len, i;
	DIR *d;

	if ((d = opendir(p->piddir)) == NULL) {
		if (errno == ENOENT) {
			if (!o->json)
				printf("%-16s %-8s %-12s %-8s %s\n", "NAME",
				    "PID", "STATE", "UPTIME", "COMMAND");
			return EXIT_OK;
		}
		fprintf(stderr, "detach: %s: %s\n", p->piddir,
		    strerror(errno));
		return EXIT_TROUBLE;
	}
	while ((de = readdir(d)) != NULL) {
		len = strlen(de->d_name);
		if (len <= 4 || de->d_name[0] == '.' ||
		    strcmp(de->d_name + len - 4, ".pid") != 0)
			continue;
		if (n == cap) {
			cap = cap * 2 + 16;
			if ((grown = realloc(names, cap * sizeof(*names))) ==
			    NULL)
				break;
			names = grown;
		}
		if ((names[n] = strdup(de->d_name)) != NULL)
			n++;
	}
	closedir(d);
	if (n > 0)
		qsort(names, n, sizeof(*names), by_name);
	if (!o->json)
		printf("%-16s %-8s %-12s %-8s %s\n", "NAME", "PID", "STATE",
		    "UPTIME", "COMMAND");
	for (i = 0; i < n; i++) {
		snprintf(name, sizeof(name), "%.*s",
		    (int)(strlen(names[i]) - 4), names[i]);
		if (snprintf(path, sizeof(path), "%s/%.*s", p->piddir,
		    NAME_MAX, names[i]) >= (int)sizeof(path))
			continue;
		report_describe(name, path, &r);
		if (o->json) {
			report_json(stdout, &r);
			continue;
		}
		uptime_text(r.uptime_s, up, sizeof(up));
		if (r.probe.pid <= 0)
			snprintf(pid, sizeof(pid), "-");
		else if (r.supervised && r.sv.child > 0)
			snprintf(pid, sizeof(pid), "%ld/%ld",
			    (long)r.probe.pid, (long)r.sv.child);
		else
			snprintf(pid, sizeof(pid), "%ld", (long)r.probe.pid);
		strnvis(vname, name, sizeof(vname), TABLE_VIS);
		strnvis(vcmd, r.command, sizeof(vcmd), TABLE_VIS);
		printf("%-16s %-8s %-12s %-8s %s", vname, pid, r.state, up,
		    vcmd);
		if (r.supervised)
			printf(" [supervised, %lld restarts]", r.sv.restarts);
		putchar('\n');
		free(names[i]);
		names[i] = NULL;
	}
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return EXIT_OK;
}
