/*
 * Inside `detach logs`: the files shown and how output is written, shared
 * by the first part (logs.c), following (logs_follow.c) and finding the
 * files a rotation made (logs_rotate.c).
 */
#ifndef LOGS_INT_H
#define LOGS_INT_H

#include <sys/stat.h>
#include <sys/types.h>

#define LOGS_BUF	(64 * 1024)	/* one read, one block looked back */
#define LOGS_TO_EOF	((off_t)-1)

struct logfile {
	const char	*path;		/* as PIDFILE.logs has it: absolute */
	int		 fd;		/* -1: not open (missing) */
	dev_t		 dev;		/* of fd */
	ino_t		 ino;
	off_t		 off;		/* how much of fd was printed */
	int		 wd;		/* inotify watch on it, or -1 */
	int		 wd_new;	/* on a new file of that name */
	int		 tries;		/* rotation look-ups put off */
};

struct logs {
	struct logfile	 f[2];		/* -o, then -e */
	int		 n;
	int		 last;		/* the file printed last, or -1 */
	int		 code;		/* the exit code, once output ended */
	int		 ifd;		/* inotify, or -1 */
	int		 poll_ms;	/* how long to wait without an event */
	char		 buf[LOGS_BUF];
};

/* logs.c */
int	logs_open(const char *, struct stat *);
int	logs_same(const struct stat *, const struct logfile *);
int	logs_header(struct logs *, int);
int	logs_copy(struct logs *, int, int, off_t, off_t, off_t *);

/* logs_follow.c */
int	logs_follow(struct logs *);
int	logs_interrupted(void);
void	logs_watch(struct logs *, const char *, int *);
void	logs_unwatch(struct logs *, int *);

/* logs_rotate.c */
int	logs_rotated(struct logs *, int);

#endif
