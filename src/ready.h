/*
 * Readiness: knowing that a started service is ready to serve, through
 * sd_notify (READY=1 on a private socket), a descriptor it writes a
 * newline to (--ready-fd), or simply surviving a while (--wait).
 */
#ifndef READY_H
#define READY_H

#include <stdint.h>
#include <sys/types.h>

enum ready_kind {
	READY_NONE,
	READY_NOTIFY,		/* sd_notify on an abstract AF_UNIX socket */
	READY_FD,		/* a newline on a pipe */
	READY_SURVIVE,		/* still running after a while */
};

enum ready_state {
	READY_WAITING,
	READY_DONE,
	READY_FAILED,		/* --ready-fd closed without a newline */
	READY_TIMEOUT,		/* the deadline passed first */
};

struct ready {
	enum ready_kind	 kind;
	int		 fd;		/* socket, or the pipe's read end */
	int		 child_fd;	/* the pipe's write end, for the child */
	int		 child_dst;	/* its number in the child */
	uid_t		 uid;		/* senders accepted besides root */
	char		 env[80];	/* NOTIFY_SOCKET=@detach-... */
	char		 status[256];	/* the last STATUS= */
	pid_t		 mainpid;	/* MAINPID=, 0 if none */
	pid_t		 sender;	/* who sent READY=1 */
	pid_t		 watched;	/* --watchdog: WATCHDOG=1 from it or below */
	int64_t		 pinged_at;	/* its last WATCHDOG=1 (monotonic ms) */
	int64_t		 deadline;	/* CLOCK_MONOTONIC ms; 0: not armed */
};

int			ready_open(struct ready *, enum ready_kind, int, uid_t);
int			ready_rearm(struct ready *);
void			ready_forget_child_end(struct ready *);
enum ready_state	ready_read(struct ready *);
void			ready_arm(struct ready *, int64_t);
int64_t			ready_deadline(const struct ready *);
enum ready_state	ready_step(struct ready *, int, int64_t);
void			ready_close(struct ready *);

#endif
