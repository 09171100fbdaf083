/*
 * The daemon's environment, built once in the caller.
 */
#ifndef ENVBUILD_H
#define ENVBUILD_H

#include <stddef.h>

#include "cli.h"
#include "privs.h"

#define ENV_DEFAULT_PATH \
	"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

struct envbuf {
	char	**vars;		/* NULL-terminated */
	size_t	  n;
	size_t	  cap;
	char	 *owned[36];	/* strings we allocated, freed with it */
	size_t	  nowned;
};

int	env_parse_line(const char *, size_t, size_t *, const char **);
int	env_set(struct envbuf *, const char *);
void	env_unset(struct envbuf *, const char *, size_t);
int	env_build(const struct detach_opts *, const struct privs *,
	    char *const *, struct envbuf *, char *, size_t);
void	env_free(struct envbuf *);

#endif
