/*
 * detach start and the output files beyond opening them: whether
 * --log-max-size can rotate them, and PIDFILE.logs, which tells
 * `detach logs` where they are.
 */
#include "config.h"

#include <err.h>
#include <stdio.h>
#include <sys/stat.h>

#include "detach.h"
#include "logrec.h"
#include "start_int.h"

/* --log-max-size renames the output files: regular files only. */
int
start_rotatable(const struct start *s)
{
	const struct outfile *of[2] = { &s->out, &s->err };
	struct stat sb;
	int i;

	for (i = 0; i < 2; i++) {
		if (of[i]->fd == -1 || of[i]->path == NULL)
			continue;
		if (fstat(of[i]->fd, &sb) == -1) {
			warn("%s", of[i]->path);
			return EXIT_TROUBLE;
		}
		if (!S_ISREG(sb.st_mode)) {
			warnx("--log-max-size: %s is not a regular file, "
			    "which detach could rotate", of[i]->path);
			return EXIT_USAGE;
		}
	}
	return EXIT_OK;
}

/*
 * Where the output goes, for `detach logs`, even after the daemon ends.
 * Not fatal: the daemon runs, logs will not find its files.
 */
void
start_record_logs(const struct start *s)
{
	struct logrec r = { .syslog = s->o->syslog };

	snprintf(r.out, sizeof(r.out), "%s", s->p->out);
	snprintf(r.err, sizeof(r.err), "%s", s->p->err);
	if (logrec_write(s->p->pidfile, &r) == -1)
		warn("%s.logs (for detach logs)", s->p->pidfile);
}
