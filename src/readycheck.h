/*
 * Readiness checks for programs that cannot say they are ready: a TCP
 * port that accepts (--ready-port), a file that exists (--ready-file), a
 * line of output that matches (--ready-log), a command that succeeds
 * (--ready-cmd).  All of them must pass.  Nothing here blocks: the caller
 * (plain start's wait, or the supervisor's poll loop) calls rc_step() at
 * rc_next(), and feeds the output it relays with rc_feed().
 */
#ifndef READYCHECK_H
#define READYCHECK_H

#include <regex.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <time.h>

#include "hostport.h"
#include "ready.h"
#include "spawn.h"

#define RC_MAX		16	/* checks at most */
#define RC_ADDRS	4	/* addresses of a name tried */
#define RC_LINE		1024	/* longer lines match on their start */
#define RC_CMD_MS	5000	/* how long one run of --ready-cmd may take */
#define RC_MIN_MS	5	/* the first interval between rounds */
#define RC_MAX_MS	100	/* the longest */

struct rc_check {
	enum rc_kind	 kind;
	const char	*arg;
	int		 passed;
	int		 failed;	/* an attempt failed since rc_begin() */
	char		 why[160];	/* why it has not passed yet */
	/* RC_PORT */
	struct hostport	 hp;
	struct sockaddr_storage addr[RC_ADDRS];
	socklen_t	 addrlen[RC_ADDRS];
	int		 naddr;		/* 0: not resolved yet */
	int		 sock[RC_ADDRS];	/* a connect in progress, or -1 */
	int64_t		 since[RC_ADDRS];
	/* RC_FILE */
	char		*path;		/* arg made absolute (malloc()ed) */
	int		 existed;	/* at the start: then it must change */
	dev_t		 dev;
	ino_t		 ino;
	struct timespec	 ctime;
	/* RC_LOG */
	regex_t		 re;
	int		 compiled;
	/* RC_CMD */
	pid_t		 pid;		/* a run in progress, or 0 */
	int		 ended;		/* a run ended since rc_begin() */
	int		 out;		/* its output, or -1 */
	int64_t		 kill_at;
	int64_t		 run_ms;	/* the limit of one run */
	char		 tail[96];	/* the last line it wrote */
	size_t		 taillen;
};

/* A stream of the command's output, split into lines for RC_LOG. */
struct rc_stream {
	int		 fd;		/* plain start: the file to follow; -1 */
	size_t		 len;
	int		 skipping;	/* past RC_LINE: until the newline */
	char		 line[RC_LINE];
};

struct readycheck {
	struct rc_check	*c;		/* n of them (malloc()ed), or NULL */
	int		 n;
	struct rc_stream s[2];
	const struct launch *tpl;	/* the service's, for --ready-cmd */
	int		 active;
	int		 oneshot;	/* health checks: a failure ends it */
	int64_t		 timeout;
	int64_t		 began, next, deadline;
};

/* pure */
int64_t			rc_interval(int64_t);

int			rc_init(struct readycheck *, const struct rc_spec *, int,
			    char *, size_t);
int			rc_uses_log(const struct readycheck *);
int			rc_follow(struct readycheck *, int, const char *);
void			rc_prepare(struct readycheck *);
void			rc_begin(struct readycheck *, const struct launch *,
			    int64_t);
enum ready_state	rc_step(struct readycheck *, int64_t);
int64_t			rc_next(const struct readycheck *);
void			rc_feed(struct readycheck *, int, const char *, size_t);
int			rc_reaped(struct readycheck *, pid_t, int);
void			rc_cancel(struct readycheck *);
void			rc_explain(const struct readycheck *, char *, size_t);
void			rc_report(const struct readycheck *, pid_t, char *,
			    size_t);
void			rc_free(struct readycheck *);

#endif
