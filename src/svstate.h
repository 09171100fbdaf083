/*
 * PIDFILE.state, the record of a daemon detach started: who it is (pid,
 * start time, boot, session), so that stop, signal and status know it
 * even after it lost the pidfile's lock, and, for a supervisor, what
 * `detach status` shows of it and how reopen learns that its request was
 * carried out.
 */
#ifndef SVSTATE_H
#define SVSTATE_H

#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define SVSTATE_BOOT_LEN	40
#define SVSTATE_RESULT_LEN	96

struct svstate {
	pid_t		pid;		/* the daemon, as the pidfile names it */
	uint64_t	start;		/* its start time (/proc/PID/stat) */
	char		boot[SVSTATE_BOOT_LEN];	/* boot id, "-" if unknown */
	pid_t		session;	/* its session, 0 if not its own (-f) */
	pid_t		supervisor;	/* = pid for a supervisor, else 0 */
	pid_t		child;		/* 0 while none runs */
	long long	restarts;
	int		last_status;	/* wait status, -1 before any exit */
	long		reopened;	/* token of the last reopen, 0 if none */
	int		reopen_err;	/* its errno, 0 if it worked */
	int		readiness;	/* SVREADY_*: with readiness checks */
	int		health;		/* SVHEALTH_*: with health checks */
	int		health_fails;	/* failed checks in a row */
	int64_t		health_at;	/* the last check, Unix time; 0 */
	char		health_result[SVSTATE_RESULT_LEN]; /* its outcome */
	char		follow[PATH_MAX]; /* --follow-pidfile, "" if none */
};

/* What the readiness checks (--ready-port, ...) say of the daemon. */
enum {
	SVREADY_NONE,		/* no checks: it runs, nothing more known */
	SVREADY_STARTING,	/* they have not passed yet */
	SVREADY_READY,		/* they passed */
};

/* What the health checks of a supervisor (--health-cmd, ...) say. */
enum {
	SVHEALTH_NONE,		/* no checks */
	SVHEALTH_STARTING,	/* none has passed since the child started */
	SVHEALTH_HEALTHY,	/* the last one passed */
	SVHEALTH_UNHEALTHY,	/* --health-retries failed in a row */
};

/* pure */
int	svstate_path(const char *, char *, size_t);
int	svstate_format(const struct svstate *, char *, size_t);
int	svstate_parse(const char *, struct svstate *);
void	svstate_describe(int, char *, size_t);

int	svstate_identify(pid_t, struct svstate *);
int	svstate_write(const char *, const struct svstate *);
int	svstate_read(const char *, struct svstate *);
int	svstate_load(const char *, struct svstate *);
int	svstate_remove(const char *);
int	svstate_for(const char *, pid_t, struct svstate *);

#endif
