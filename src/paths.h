/*
 * Path resolution: making the paths the user gave absolute before the
 * daemon changes directory, and finding the pidfile for -n NAME.
 */
#ifndef PATHS_H
#define PATHS_H

#include <limits.h>
#include <stddef.h>
#include <sys/types.h>

#include "cli.h"

/*
 * The resolved paths, each a string in arena, packed one after the other:
 * a resident supervisor inherits this memory, and only the bytes written
 * become its private pages.  Paths not given are "".
 */
struct paths {
	const char	*pidfile;
	const char	*piddir;	/* to create for -n, or "" */
	const char	*name;		/* for messages: "NAME is running" */
	const char	*out;
	const char	*err;
	const char	*in;
	const char	*chdir;
	const char	*command;
	const char	*child_pidfile;
	const char	*follow;		/* --follow-pidfile */
	size_t		 used;
	char		 arena[4 * PATH_MAX];
};

enum dir_safety {
	DIR_SAFE,	/* only we (and root) can change it */
	DIR_STICKY,	/* others can write, but not touch our files */
	DIR_UNSAFE,	/* others can replace what is in it */
};

/* pure */
int	path_absolute(const char *, const char *, char *, size_t);
int	path_default_dir(uid_t, const char *, int, char *, size_t);
int	path_display_name(const char *, char *, size_t);

/* reads the environment and the file system */
int	paths_resolve(const struct detach_opts *, struct paths *, char *,
	    size_t);
int	paths_make_piddir(const struct paths *);
int	paths_dir_safety(const char *, enum dir_safety *);

#endif
