/*
 * Running as another user: looking the user and groups up in the caller,
 * dropping to them in the daemon just before exec.
 */
#ifndef PRIVS_H
#define PRIVS_H

#include <limits.h>
#include <stddef.h>
#include <sys/types.h>

#define PRIVS_GROUPS_MAX	256

struct privs {
	int	active;
	uid_t	uid;
	gid_t	gid;
	int	ngroups;
	gid_t	groups[PRIVS_GROUPS_MAX];
	int	has_passwd;		/* name, home, shell are known */
	char	name[256];
	char	home[PATH_MAX];
	char	shell[PATH_MAX];
};

int	privs_resolve(const char *, const char *, struct privs *, char *,
	    size_t);
int	privs_apply(const struct privs *);

#endif
