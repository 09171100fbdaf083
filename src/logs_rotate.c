/*
 * detach logs -f, when a file's name stands for a new file: the writer
 * rotated it (FILE.k renamed FILE.(k+1) for the older ones, FILE renamed
 * FILE.1, a new FILE: the supervisor's --log-max-size, or logrotate), or
 * it was renamed away and the supervisor reopened it (detach reopen).
 *
 * The old file has been read to its end.  If FILE.1 is the old file, the
 * new one is read from its start.  If the writer rotated more than once
 * since we last looked, the old file is further up, FILE.k, and FILE.(k-1)
 * ... FILE.1 came between: they are printed whole, oldest first, then the
 * new one.  If the old file is nowhere (logrotate may name it anything,
 * or it was removed), the new one simply follows it; an old file that has
 * no name left (--log-keep=0, or removed) is not looked for at all.
 *
 * The files between are all opened before any is read, so that a
 * rotation meanwhile moves their names, not what we read.  One still
 * under way while we look (it renames from the oldest down) can show us
 * a file twice, or a gap; then we look again at the next wake-up, which
 * its renames bring, up to ROTATE_TRIES times.
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "logs_int.h"

#define ROTATE_TRIES	3
#define ROTATE_MAX	(LOG_KEEP_MAX + 1)	/* the last FILE.k looked at */

enum walk {
	WALK_FOUND,	/* the old file is FILE.k; those between are known */
	WALK_NONE,	/* it is not FILE.k for any k */
	WALK_UNSURE,	/* a rotation under way: look again */
};

struct between {
	struct seen {
		int	fd;
		dev_t	dev;
		ino_t	ino;
	}	*v;		/* FILE.1 first */
	int	 n;
	int	 cap;
};

static int
between_has(const struct between *b, const struct stat *st)
{
	int i;

	for (i = 0; i < b->n; i++)
		if (b->v[i].dev == st->st_dev && b->v[i].ino == st->st_ino)
			return 1;
	return 0;
}

static int
between_add(struct between *b, int fd, const struct stat *st)
{
	struct seen *v;
	int cap;

	if (b->n == b->cap) {
		cap = b->cap == 0 ? 8 : 2 * b->cap;
		if ((v = reallocarray(b->v, (size_t)cap, sizeof(*v))) == NULL)
			return -1;
		b->v = v;
		b->cap = cap;
	}
	b->v[b->n++] = (struct seen){ fd, st->st_dev, st->st_ino };
	return 0;
}

static void
between_free(struct between *b)
{
	while (b->n > 0)
		close(b->v[--b->n].fd);
	free(b->v);
	*b = (struct between){ 0 };
}

/*
 * Look for f's old file among FILE.1, FILE.2, ..., given cur, the file
 * FILE is now.  FOUND is believed only if FILE is still cur afterwards:
 * else a whole rotation came while we looked.
 */
static enum walk
walk(const struct logfile *f, const struct stat *cur, struct between *b)
{
	char name[PATH_MAX];
	struct stat st;
	int k, n, fd;

	for (k = 1; k <= ROTATE_MAX; k++) {
		n = snprintf(name, sizeof(name), "%s.%d", f->path, k);
		if (n < 0 || (size_t)n >= sizeof(name) ||
		    (fd = logs_open(name, &st)) == -1)
			return WALK_NONE;
		if (logs_same(&st, f)) {
			close(fd);
			return stat(f->path, &st) == 0 &&
			    st.st_dev == cur->st_dev &&
			    st.st_ino == cur->st_ino ? WALK_FOUND : WALK_UNSURE;
		}
		if ((st.st_dev == cur->st_dev && st.st_ino == cur->st_ino) ||
		    between_has(b, &st) || between_add(b, fd, &st) == -1) {
			close(fd);
			return WALK_UNSURE;
		}
	}
	return WALK_NONE;
}

/*
 * File i's name stands for a new file: move to it, printing what came
 * between.  0, or -1 if output ended.
 */
int
logs_rotated(struct logs *l, int i)
{
	struct logfile *f = &l->f[i];
	struct between b = { 0 };
	struct stat st, old;
	enum walk w;
	off_t end;
	int fd, j, r = 0;

	if ((fd = logs_open(f->path, &st)) == -1)
		return 0;		/* gone again: next time */
	w = WALK_NONE;
	if (fstat(f->fd, &old) == 0 && old.st_nlink == 0)
		f->tries = ROTATE_TRIES;	/* no name left to find it by */
	else
		w = walk(f, &st, &b);
	if (w != WALK_FOUND) {
		between_free(&b);
		if (++f->tries < ROTATE_TRIES) {
			close(fd);
			logs_watch(l, f->path, &f->wd_new);
			return 0;
		}
	}
	for (j = b.n - 1; j >= 0 && r == 0; j--)
		r = logs_copy(l, i, b.v[j].fd, 0, LOGS_TO_EOF, &end);
	between_free(&b);
	close(f->fd);
	*f = (struct logfile){ .path = f->path, .fd = fd, .dev = st.st_dev,
	    .ino = st.st_ino, .wd = f->wd, .wd_new = f->wd_new };
	logs_watch(l, f->path, &f->wd);
	if (f->wd_new != f->wd)
		logs_unwatch(l, &f->wd_new);
	f->wd_new = -1;
	if (r == -1)
		return -1;
	return logs_copy(l, i, f->fd, 0, LOGS_TO_EOF, &f->off);
}
