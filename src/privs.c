/*
 * Privilege drop.  Every lookup (passwd, group, the supplementary group
 * list) happens in the caller, before anything is forked, so that an
 * unknown user is reported at once and the daemon needs no NSS after a
 * chroot.  The daemon then calls setgroups, setgid and setuid, in that
 * order, checks each, and verifies that root cannot be regained.
 */
#include "config.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "parse.h"
#include "privs.h"

static int
numeric(const char *s, long long *v)
{
	return parse_count(s, 0, 0x7fffffff, v);
}

static int
lookup_group(const char *group, gid_t *gid, char *err, size_t errlen)
{
	struct group *gr;
	long long v;

	errno = 0;
	if ((gr = getgrnam(group)) != NULL) {
		*gid = gr->gr_gid;
		return 0;
	}
	if (numeric(group, &v) == 0) {
		*gid = (gid_t)v;
		return 0;
	}
	snprintf(err, errlen, "unknown group '%s'%s%s", group,
	    errno != 0 ? ": " : "", errno != 0 ? strerror(errno) : "");
	return -1;
}

/*
 * user is "USER" or "USER:GROUP" (names or numeric ids), group overrides
 * the group.  -1 with a message for an unknown user or group.
 */
int
privs_resolve(const char *user, const char *group, struct privs *pv,
    char *err, size_t errlen)
{
	char name[256];
	const char *colon;
	struct passwd *pw;
	long long v;
	int n;

	pv->active = 0;
	pv->has_passwd = 0;
	if (user == NULL && group == NULL)
		return 0;
	pv->active = 1;
	pv->uid = getuid();
	pv->gid = getgid();
	pv->ngroups = -1;	/* keep the current list */
	if (user != NULL) {
		colon = strchr(user, ':');
		n = snprintf(name, sizeof(name), "%.*s", colon != NULL ?
		    (int)(colon - user) : (int)strlen(user), user);
		if (n <= 0 || (size_t)n >= sizeof(name)) {
			snprintf(err, errlen, "invalid user '%s'", user);
			return -1;
		}
		if (colon != NULL && group == NULL)
			group = colon + 1;
		errno = 0;
		if ((pw = getpwnam(name)) == NULL && numeric(name, &v) == 0)
			pw = getpwuid((uid_t)v);
		if (pw != NULL) {
			pv->uid = pw->pw_uid;
			pv->gid = pw->pw_gid;
			pv->has_passwd = 1;
			snprintf(pv->name, sizeof(pv->name), "%s", pw->pw_name);
			snprintf(pv->home, sizeof(pv->home), "%s", pw->pw_dir);
			snprintf(pv->shell, sizeof(pv->shell), "%s",
			    pw->pw_shell);
		} else if (numeric(name, &v) == 0) {
			pv->uid = (uid_t)v;
			if (group == NULL) {
				snprintf(err, errlen, "uid %s has no passwd "
				    "entry: give its group with -g", name);
				return -1;
			}
		} else {
			snprintf(err, errlen, "unknown user '%s'%s%s", name,
			    errno != 0 ? ": " : "",
			    errno != 0 ? strerror(errno) : "");
			return -1;
		}
	}
	if (group != NULL) {
		if (group[0] == '\0') {
			snprintf(err, errlen, "empty group in '%s'", user);
			return -1;
		}
		if (lookup_group(group, &pv->gid, err, errlen) == -1)
			return -1;
	}
	if (user != NULL) {
		/* initgroups(3)'s list, computed here, applied in the daemon */
		pv->ngroups = PRIVS_GROUPS_MAX;
		if (!pv->has_passwd || getgrouplist(pv->name, pv->gid,
		    pv->groups, &pv->ngroups) == -1) {
			pv->groups[0] = pv->gid;
			pv->ngroups = 1;
		}
	}
	return 0;
}

/* In the daemon, just before exec.  -1 with errno on any failure. */
int
privs_apply(const struct privs *pv)
{
	if (!pv->active)
		return 0;
	if (pv->ngroups >= 0 && setgroups((size_t)pv->ngroups, pv->groups) ==
	    -1 && !(errno == EPERM && geteuid() != 0 && pv->uid == getuid()))
		return -1;
	if (setgid(pv->gid) == -1 || setuid(pv->uid) == -1)
		return -1;
	if (getuid() != pv->uid || geteuid() != pv->uid ||
	    getgid() != pv->gid || getegid() != pv->gid) {
		errno = EPERM;
		return -1;
	}
	/* The old ids must be gone for good. */
	if (pv->uid != 0 && (setuid(0) == 0 || seteuid(0) == 0)) {
		errno = EPERM;
		return -1;
	}
	return 0;
}
