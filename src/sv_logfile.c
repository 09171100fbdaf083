/*
 * Output to a file, as the supervisor's relay writes it: each line
 * stamped with the time it was read (--timestamps), the file rotated at
 * a line boundary once it would pass --log-max-size, in the manner of
 * svlogd and s6-log but with the names logrotate uses: FILE -> FILE.1
 * -> ... -> FILE.N, the oldest deleted.
 *
 * Rotation never loses a byte: the new file is created first, under a
 * temporary name, and only then are the old ones renamed; if anything
 * fails, the renames done so far lose nothing, output goes on to the
 * file it went to, and the failure is reported once and retried a
 * second later.  A line longer than the limit goes whole into a file of
 * its own; a line is never split between two files.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "sv_int.h"

#define STAMP_LEN	25	/* "2026-12-02T15:04:05.123Z " */
#define RETRY_MS	1000

/* The time now, as STAMP_LEN bytes at buf (len > STAMP_LEN). */
size_t
sv_stamp(char *buf, size_t len)
{
	struct timespec ts;
	struct tm tm;

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	if (len <= STAMP_LEN || strftime(buf, len, "%Y-%m-%dT%H:%M:%S",
	    &tm) != 19)
		return 0;
	snprintf(buf + 19, len - 19, ".%03ldZ ", ts.tv_nsec / 1000000);
	return STAMP_LEN;
}

/* Write n bytes at p; returns how many were written, *failed why not. */
size_t
sv_write_all(int fd, const char *p, size_t n, int *failed)
{
	size_t done = 0;
	ssize_t w;

	*failed = 0;
	while (done < n) {
		w = write(fd, p + done, n - done);
		if (w == -1 && errno == EINTR)
			continue;
		if (w <= 0) {
			*failed = w == -1 ? errno : ENOSPC;
			break;
		}
		done += (size_t)w;
	}
	return done;
}

/* n bytes to the pump's file; failures are counted, not fatal. */
static void
pump_write(struct supervisor *sv, struct pump *pp, const char *p, size_t n)
{
	size_t done;
	int failed;

	/* a line cut short when writes failed is ended, not glued on */
	if (pp->failing && pp->midline &&
	    sv_write_all(pp->out, "\n", 1, &failed) == 1) {
		pp->midline = 0;
		pp->size++;
	}
	done = sv_write_all(pp->out, p, n, &failed);
	if (done > 0) {
		pp->midline = p[done - 1] != '\n';
		pp->size += (int64_t)done;
	}
	/* the flags first: what we say may come back here */
	if (failed) {
		pp->dropped += (uint64_t)(n - done);
		if (!pp->failing) {
			pp->failing = 1;
			sv_say(sv, LOG_ERR, "cannot write to %s: %s; "
			    "dropping output until it works again",
			    pp->what, strerror(failed));
		}
	} else if (pp->failing) {
		pp->failing = 0;
		sv_say(sv, LOG_NOTICE, "writing to %s again; %llu bytes "
		    "were dropped", pp->what, (unsigned long long)pp->dropped);
		pp->dropped = 0;
	}
}

/* The file now behind pp->out (opened, reopened): how much it holds. */
void
sv_file_opened(struct pump *pp)
{
	struct stat sb;

	pp->size = fstat(pp->out, &sb) == 0 ? (int64_t)sb.st_size : 0;
}

static int
name(char *buf, const char *path, int k)
{
	int n = k > 0 ? snprintf(buf, PATH_MAX, "%s.%d", path, k) :
	    snprintf(buf, PATH_MAX, "%s.rotating", path);

	return n < 0 || n >= PATH_MAX ? -1 : 0;
}

/* A new, empty file like the one at pp->out, at tmp: its fd, or -1. */
static int
create_like(const struct pump *pp, const char *tmp)
{
	struct stat sb;
	int fd, tries;

	if (fstat(pp->out, &sb) == -1)
		return -1;
	for (tries = 0; tries < 2; tries++) {
		fd = open(tmp, O_WRONLY | O_APPEND | O_CREAT | O_EXCL |
		    O_NOFOLLOW | O_CLOEXEC | O_NOCTTY, sb.st_mode & 0777);
		if (fd != -1 || errno != EEXIST)
			break;
		unlink(tmp);	/* left by a supervisor that died here */
	}
	if (fd == -1)
		return -1;
	/* the same owner and mode, whatever our umask and user */
	if ((fchown(fd, sb.st_uid, sb.st_gid) == -1 && errno != EPERM) ||
	    fchmod(fd, sb.st_mode & 07777) == -1) {
		close(fd);
		unlink(tmp);
		return -1;
	}
	return fd;
}

/* Is path still the file at fd?  (logrotate may have moved it.) */
static int
still_ours(int fd, const char *path)
{
	struct stat a, b;

	return fstat(fd, &a) == 0 && lstat(path, &b) == 0 &&
	    a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

/*
 * FILE.N-1 -> FILE.N ... FILE -> FILE.1, then the new file -> FILE.
 * 0, or -1 with errno and what failed in *step.
 */
static int
shift(const char *path, const char *tmp, int keep, const char **step)
{
	char from[PATH_MAX], to[PATH_MAX];
	struct stat sb;
	int k, top;

	/*
	 * Only the run FILE.1 ... FILE.top that exists moves up: the first
	 * gap takes FILE.top, and nothing past it is touched (1000 renames
	 * that fail with ENOENT at each rotation, with --log-keep=1000,
	 * were most of the supervisor's time).
	 */
	for (top = 0; top < keep - 1; top++)
		if (name(from, path, top + 1) == -1 ||
		    lstat(from, &sb) == -1)
			break;
	for (k = top; k >= 1; k--) {
		if (name(from, path, k) == -1 || name(to, path, k + 1) == -1) {
			errno = ENAMETOOLONG;
			*step = "naming the rotated files";
			return -1;
		}
		if (rename(from, to) == -1 && errno != ENOENT) {
			*step = "renaming the rotated files";
			return -1;
		}
	}
	if (keep > 0 && (name(to, path, 1) == -1 || rename(path, to) == -1)) {
		*step = "renaming it";
		return -1;
	}
	if (rename(tmp, path) == -1) {
		*step = "putting the new file in place";
		if (keep > 0)
			rename(to, path);	/* as it was */
		return -1;
	}
	return 0;
}

/* Rotate pp's file.  0, or -1: output goes on to the file it went to. */
static int
rotate(struct supervisor *sv, struct pump *pp)
{
	char tmp[PATH_MAX];
	const char *step = "creating the new file";
	int64_t now = clock_ms();
	int fd, saved;

	if (pp->rotate_failing && now < pp->rotate_retry_at)
		return -1;
	/* moved away (logrotate without reopen): go on with what is there */
	if (!still_ours(pp->out, pp->what)) {
		if (sv_reopen_file(sv, pp) == 0)
			return 0;
		pp->rotate_failing = 1;		/* said; not again at once */
		pp->rotate_retry_at = now + RETRY_MS;
		return -1;
	}
	fd = -1;
	if (name(tmp, pp->what, 0) == -1)
		errno = ENAMETOOLONG;
	else if ((fd = create_like(pp, tmp)) != -1 &&
	    shift(pp->what, tmp, sv->cfg->log_keep, &step) == 0 &&
	    (step = "switching to it", dup3(fd, pp->out, O_CLOEXEC)) != -1) {
		close(fd);
		pp->size = 0;
		pp->midline = 0;
		if (pp->rotate_failing) {
			pp->rotate_failing = 0;
			sv_say(sv, LOG_NOTICE, "rotating %s works again",
			    pp->what);
		}
		return 0;
	}
	saved = errno;
	if (fd != -1) {
		close(fd);
		unlink(tmp);
	}
	pp->rotate_retry_at = now + RETRY_MS;
	if (!pp->rotate_failing) {
		pp->rotate_failing = 1;
		sv_say(sv, LOG_ERR, "cannot rotate %s (%s): %s; output goes "
		    "on to it, retried every second", pp->what, step,
		    strerror(saved));
	}
	return -1;
}

/*
 * How much of p (n bytes) goes to the current file before a rotation:
 * the whole lines that fit, or the line that must go here (the file is
 * empty, or ends inside it).  0: rotate first.
 */
static size_t
fits(const struct pump *pp, const char *p, size_t n, int64_t max)
{
	const char *nl;
	size_t room;

	if (max == 0 || pp->size + (int64_t)n <= max)
		return n;
	room = pp->size < max ? (size_t)(max - pp->size) : 0;
	if (room > 0 && (nl = memrchr(p, '\n', room)) != NULL)
		return (size_t)(nl - p) + 1;
	if (pp->size > 0 && !pp->midline)
		return 0;
	nl = memchr(p, '\n', n);
	return nl != NULL ? (size_t)(nl - p) + 1 : n;
}

/* n bytes to the file, rotating it at line boundaries. */
static void
emit(struct supervisor *sv, struct pump *pp, const char *p, size_t n)
{
	size_t cut;

	while (n > 0) {
		if ((cut = fits(pp, p, n, sv->cfg->log_max_size)) > 0) {
			pump_write(sv, pp, p, cut);
			p += cut;
			n -= cut;
		} else if (rotate(sv, pp) == -1) {
			pump_write(sv, pp, p, n);
			return;
		}
	}
}

/* p (n bytes) with each line that starts in it stamped, to the file. */
static void
emit_stamped(struct supervisor *sv, struct pump *pp, const char *p,
    size_t n)
{
	char stamp[STAMP_LEN + 1], *out = sv->stamped;
	const char *nl;
	size_t used = 0, take, slen;

	slen = sv_stamp(stamp, sizeof(stamp));
	while (n > 0) {
		if (!pp->stamp_mid) {
			if (used + slen > STAMP_BUF) {
				emit(sv, pp, out, used);
				used = 0;
			}
			memcpy(out + used, stamp, slen);
			used += slen;
			pp->stamp_mid = 1;
		}
		nl = memchr(p, '\n', n);
		take = nl != NULL ? (size_t)(nl - p) + 1 : n;
		if (take > STAMP_BUF - used) {
			take = STAMP_BUF - used;
			nl = NULL;
		}
		memcpy(out + used, p, take);
		used += take;
		p += take;
		n -= take;
		if (nl != NULL)
			pp->stamp_mid = 0;
		if (used == STAMP_BUF) {
			emit(sv, pp, out, used);
			used = 0;
		}
	}
	if (used > 0)
		emit(sv, pp, out, used);
}

/* What a child wrote, n bytes at p, to pp's file. */
void
sv_file_write(struct supervisor *sv, struct pump *pp, const char *p,
    size_t n)
{
	if (n == 0)
		return;
	if (sv->stamped != NULL)
		emit_stamped(sv, pp, p, n);
	else
		emit(sv, pp, p, n);
}

/* A line of our own (stamped already, if stamps are on) to pp's file. */
void
sv_file_say(struct supervisor *sv, struct pump *pp, const char *line,
    size_t n)
{
	int failed;

	if (pp->failing) {	/* the message would be dropped: try once */
		sv_write_all(pp->out, line, n, &failed);
		return;
	}
	emit(sv, pp, line, n);
}
