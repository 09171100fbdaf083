/*
 * Shared types of detach: exit codes only.  Module interfaces live in
 * their own headers.
 */
#ifndef DETACH_H
#define DETACH_H

/*
 * Exit codes.  start/stop/signal follow start-stop-daemon(8), status the
 * LSB init-script convention, 126/127 coreutils' nohup/env, and 64
 * sysexits(3).  Every value is listed in man/detach.1, EXIT STATUS.
 */
enum detach_exit {
	EXIT_OK = 0,
	EXIT_NOTHING = 1,	/* start: already running; stop/signal: not running */
	EXIT_ALIVE = 2,		/* stop: still alive at the end of the schedule */
	EXIT_TROUBLE = 3,	/* any other failure */
	EXIT_NOEXEC = 126,	/* start: command found but not executable */
	EXIT_NOTFOUND = 127,	/* start: command not found */
	EXIT_USAGE = 64,	/* EX_USAGE */
};

/* status verb, LSB */
enum detach_status {
	STATUS_RUNNING = 0,
	STATUS_DEAD_PIDFILE = 1,
	STATUS_NOT_RUNNING = 3,
	STATUS_UNKNOWN = 4,
};

#define BUG(...) detach_bug(__FILE__, __LINE__, __func__, __VA_ARGS__)
_Noreturn void detach_bug(const char *, int, const char *, const char *, ...)
    __attribute__((format(printf, 4, 5)));

#endif
