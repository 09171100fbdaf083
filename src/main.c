/*
 * detach: turn a foreground command into a daemon behind a locked
 * pidfile, and control it afterwards.  main() only parses, resolves the
 * paths and dispatches on the verb.
 */
#include "config.h"

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "control.h"
#include "detach.h"
#include "logs.h"
#include "paths.h"
#include "report.h"
#include "start.h"

static const char usage_text[] =
"usage: detach start   [OPTIONS] [--] COMMAND [ARG...]\n"
"       detach stop    [OPTIONS]\n"
"       detach status  [OPTIONS]\n"
"       detach restart [OPTIONS] [--] COMMAND [ARG...]\n"
"       detach signal  [OPTIONS] SIGNAL\n"
"       detach reopen  [OPTIONS]\n"
"       detach logs    [-p PATH | -n NAME] [--lines=N] [-f]\n"
"       detach list    [--json]\n"
"       detach --help | --version\n"
"\n"
"Run COMMAND as a daemon behind a locked pidfile, and control it later.\n"
"\n"
"Pidfile (every verb):\n"
"  -p, --pidfile=PATH    the pidfile\n"
"  -n, --name=NAME       pidfile NAME.pid in /run/detach (root) or in\n"
"                        $XDG_RUNTIME_DIR/detach or /run/user/UID/detach;\n"
"                        start without -p or -n uses COMMAND's base name\n"
"      --oknodo          (start, stop, restart, signal, reopen) exit 0\n"
"                        instead of 1 when there is nothing to do\n"
"\n"
"start and restart:\n"
"  -o, --stdout=FILE     append stdout, and stderr unless -e, to FILE\n"
"  -e, --stderr=FILE     append stderr to FILE\n"
"  -i, --stdin=FILE      read stdin from FILE (default /dev/null)\n"
"      --truncate        truncate the output files instead of appending\n"
"  -C, --chdir=DIR       working directory (default /)\n"
"  -m, --umask=MODE      octal umask for the daemon (default 022)\n"
"  -E, --env=NAME=VALUE  set a variable in the daemon's environment\n"
"  -f, --foreground      no fork: write our own pid, then exec in place\n"
"  -u, --user=USER[:GROUP]  run as USER (names or numeric ids)\n"
"  -g, --group=GROUP     run with this group\n"
"      --clear-env       start from an empty environment (and a PATH)\n"
"      --unset=NAME      remove a variable from the environment\n"
"      --env-file=FILE   add NAME=VALUE lines from FILE\n"
"      --keep-fd=N       pass descriptor N on to the command\n"
"      --nice=N          add N to the niceness\n"
"      --limit=RES=SOFT[:HARD]  set a resource limit (nofile, core, ...)\n"
"      --chroot=DIR      change the root directory (root only)\n"
"      --wait-ready[=SECS]  return once the command sends READY=1 through\n"
"                        $NOTIFY_SOCKET (default 30 s; else stop it, exit 3)\n"
"      --ready-fd=N      ... or once it writes a newline to descriptor N\n"
"      --wait=SECS       succeed only if it still runs after SECS\n"
"      --forking         COMMAND forks and exits itself: wait for it to\n"
"                        exit 0, then adopt the one daemon it left\n"
"      --follow-pidfile=PATH  the program's own pidfile names the daemon\n"
"                        (implies --forking)\n"
"      --ready-port=[HOST:]PORT  ready once a TCP connect to PORT works\n"
"                        (HOST default 127.0.0.1, IPv6 as [ADDR]:PORT)\n"
"      --ready-file=PATH ready once PATH exists (new or changed)\n"
"      --ready-log=REGEX ready once a line of output (-o/-e) matches\n"
"      --ready-cmd=CMD   ready once sh -c CMD exits 0 (retried)\n"
"      --ready-timeout=SECS  how long start waits for these checks, for\n"
"                        --forking and --wait-ready (default 30)\n"
"  -s, -t, -R            how start stops a command that was not ready\n"
"\n"
"start --supervise (a resident supervisor runs COMMAND as its child):\n"
"      --supervise               restart COMMAND, copy its output to -o/-e\n"
"      --child-pidfile=PATH      record the current child's pid in PATH\n"
"      --restart=WHEN            always, on-failure (default) or never\n"
"      --restart-delay=SECS      delay before a restart (default 1) ...\n"
"      --restart-delay-max=SECS  ... doubling up to this (default 60) ...\n"
"      --restart-delay-reset=SECS  ... while the child dies this young\n"
"                                (default 10)\n"
"      --max-restarts=N          give up after N restarts (default 0:\n"
"                                unlimited) ...\n"
"      --restart-window=SECS     ... within this long (default 60)\n"
"      --syslog[=FACILITY]       send output to syslog (default daemon)\n"
"      --syslog-tag=TAG          syslog tag (default NAME)\n"
"      --timestamps              prefix each line of -o/-e with its UTC\n"
"                                time, e.g. 2026-12-02T15:04:05.123Z\n"
"      --log-max-size=SIZE       rotate -o/-e at SIZE (K, M, G: 1024-based)\n"
"                                at a line boundary: FILE -> FILE.1 ...\n"
"      --log-keep=N              rotated files kept (default 5)\n"
"      --health-cmd=CMD          healthy while sh -c CMD exits 0 ...\n"
"      --health-port=[HOST:]PORT ... and a TCP connect to PORT works\n"
"      --health-interval=SECS    check this often (default 30)\n"
"      --health-timeout=SECS     each check may take this long (default 5)\n"
"      --health-retries=N        restart after N failures in a row (3)\n"
"      --health-start=SECS       failures count only after this (0)\n"
"      --watchdog=SECS           restart if no sd_notify WATCHDOG=1 comes\n"
"                                within SECS (WATCHDOG_USEC is set)\n"
"\n"
"stop and restart:\n"
"  (stop waits until the daemon and the rest of its session are gone)\n"
"  -s, --signal=SIG      first signal (default TERM)\n"
"  -t, --timeout=SECS    wait this long, then KILL and wait 5 s (default 10)\n"
"  -R, --retry=SCHEDULE  e.g. TERM/10/KILL/5, or N for SIG/N/KILL/N;\n"
"                        'forever' repeats; overrides -t\n"
"      --main-only       stop the daemon alone, not what is left in its\n"
"                        session after it\n"
"\n"
"reopen: a supervisor reopens its output files (after logrotate).\n"
"\n"
"logs: the daemon's -o/-e files, as tail (also after stop):\n"
"      --lines=N         print the last N lines of each (default 10)\n"
"  -f, --follow          then print what is appended, across rotations\n"
"                        and reopens, until interrupted\n"
"\n"
"list: every daemon in the default pidfile directory (NAME, PID, STATE,\n"
"UPTIME, COMMAND); --json (list, status): one JSON object per line.\n"
"\n"
"Exit status: start 0 running, 1 already running, 126 not executable,\n"
"127 not found, 3 other failure; stop 0 stopped, 1 not running, 2 still\n"
"alive at the end of the schedule, 3 failure; status 0 running, 1 dead\n"
"with a pidfile, 3 not running, 4 unknown; signal and reopen 0 done,\n"
"1 not running, 3 failure; logs 0 shown, 1 no files to show, 3 a file\n"
"unreadable; 64 usage error.  See detach(1).\n";

static int
wants_title(int argc, char **argv)
{
	int i;

	for (i = 2; i < argc && strcmp(argv[i], "--") != 0; i++)
		if (strcmp(argv[i], "--supervise") == 0)
			return 1;
	return 0;
}

static void
usage_error(const char *msg)
{
	warnx("%s", msg);
	fprintf(stderr, "Try 'detach --help' for more information.\n");
}

/*
 * Descriptors 0-2 must be open before anything else is, or a pipe or
 * the pidfile could land on them and be clobbered by the daemon's dup2.
 */
static void
ensure_stdio(void)
{
	int fd;

	for (fd = 0; fd <= 2; fd++)
		if (fcntl(fd, F_GETFD) == -1 && errno == EBADF)
			break;
	if (fd > 2)
		return;		/* the usual case: no open() and close() */
	while ((fd = open("/dev/null", O_RDWR)) != -1 && fd <= 2)
		;
	if (fd > 2)
		close(fd);
}

static int
cmd_restart(const struct detach_opts *o, const struct paths *p)
{
	int code;

	/* a start that cannot work must not cost the running daemon */
	if ((code = start_validate(o, p)) != EXIT_OK)
		return code;
	code = cmd_stop(o, p);

	if (code == EXIT_ALIVE || code == EXIT_TROUBLE)
		return code;
	return cmd_start(o, p);
}

int
main(int argc, char **argv)
{
	/*
	 * Not on the stack: the 16 KiB arena of resolved paths would be
	 * dirtied there whole (the compiler probes every page of a large
	 * frame), and a supervisor, forked from deep below, keeps it for
	 * its life.  In .bss only the pages written are.
	 */
	static struct paths p;
	struct detach_opts o;
	char msg[512];
	int code, r;

	/*
	 * Only a supervisor retitles itself.  setproctitle_init() copies argv
	 * and the environment, so it must come before anything points into
	 * them, and it costs every other start: look for --supervise first.
	 */
	if (wants_title(argc, argv))
		setproctitle_init(argc, argv, environ);
	ensure_stdio();
	if (cli_parse(argc, argv, &o, msg, sizeof(msg)) == -1) {
		usage_error(msg);
		cli_free(&o);
		return EXIT_USAGE;
	}
	if (o.verb == VERB_HELP || o.verb == VERB_VERSION) {
		if (o.verb == VERB_HELP)
			fputs(usage_text, stdout);
		else
			printf("%s %s\n", PACKAGE_NAME, PACKAGE_VERSION);
		cli_free(&o);
		return fflush(stdout) == 0 ? EXIT_OK : EXIT_TROUBLE;
	}
	if ((r = paths_resolve(&o, &p, msg, sizeof(msg))) != 0) {
		if (r == -1)
			usage_error(msg);
		else
			warnx("%s", msg);
		cli_free(&o);
		return r == -1 ? EXIT_USAGE :
		    o.verb == VERB_STATUS ? STATUS_UNKNOWN : EXIT_TROUBLE;
	}
	switch (o.verb) {
	case VERB_START:
		code = cmd_start(&o, &p);
		break;
	case VERB_STOP:
		code = cmd_stop(&o, &p);
		break;
	case VERB_STATUS:
		code = cmd_status(&o, &p);
		break;
	case VERB_RESTART:
		code = cmd_restart(&o, &p);
		break;
	case VERB_SIGNAL:
		code = cmd_signal(&o, &p);
		break;
	case VERB_REOPEN:
		code = cmd_reopen(&o, &p);
		break;
	case VERB_LIST:
		code = cmd_list(&o, &p);
		break;
	case VERB_LOGS:
		code = cmd_logs(&o, &p);
		break;
	default:
		BUG("verb %d", o.verb);
	}
	cli_free(&o);
	if (fflush(stdout) != 0 && code == EXIT_OK)
		code = EXIT_TROUBLE;
	return code;
}
