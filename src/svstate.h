/*
 * The supervisor's state file, PIDFILE.state: what `detach status` shows
 * of a supervised daemon, how stop, signal and reopen recognise one, and
 * how reopen learns that its request was carried out.
 */
#ifndef SVSTATE_H
#define SVSTATE_H

#include <stddef.h>
#include <sys/types.h>

struct svstate {
	pid_t		supervisor;
	pid_t		child;		/* 0 while none runs */
	long long	restarts;
	int		last_status;	/* wait status, -1 before any exit */
	long		reopened;	/* token of the last reopen, 0 if none */
	int		reopen_err;	/* its errno, 0 if it worked */
};

int	svstate_path(const char *, char *, size_t);
int	svstate_format(const struct svstate *, char *, size_t);
int	svstate_parse(const char *, struct svstate *);
void	svstate_describe(int, char *, size_t);
int	svstate_write(const char *, const struct svstate *);
int	svstate_read(const char *, struct svstate *);
int	svstate_for(const char *, pid_t, struct svstate *);

#endif
