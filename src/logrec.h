/*
 * PIDFILE.logs: where the daemon's output goes, as start recorded it,
 * for `detach logs`.  Unlike PIDFILE.state it outlives the daemon: the
 * files remain after stop, and so does what names them.
 */
#ifndef LOGREC_H
#define LOGREC_H

#include <limits.h>
#include <stddef.h>

struct logrec {
	int	syslog;		/* output went to syslog */
	char	out[PATH_MAX];	/* -o, absolute, or "" */
	char	err[PATH_MAX];	/* -e, absolute, or "" */
};

/* pure */
int	logrec_format(const struct logrec *, char *, size_t);
int	logrec_parse(const char *, struct logrec *);

int	logrec_write(const char *, const struct logrec *);
int	logrec_load(const char *, struct logrec *);

#endif
