/*
 * A start that failed: say why, with the right exit code, and leave
 * nothing behind: no process of the service, no pidfile, no record, no
 * output file that the start created.
 */
#include "config.h"

#include <err.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "detach.h"
#include "parse.h"
#include "start_int.h"
#include "stop.h"
#include "target.h"

/*
 * execvp() says EACCES when a PATH directory could not be searched, even
 * if the command is nowhere: is there a file of that name on PATH at all?
 */
static int
on_path(const char *cmd, char *const *envp)
{
	const char *path = "/bin:/usr/bin", *p, *end;
	char file[PATH_MAX];
	struct stat sb;
	size_t len;

	for (; envp != NULL && *envp != NULL; envp++)
		if (strncmp(*envp, "PATH=", 5) == 0)
			path = *envp + 5;
	for (p = path; *p != '\0'; p = *end != '\0' ? end + 1 : end) {
		end = strchr(p, ':');
		if (end == NULL)
			end = p + strlen(p);
		len = (size_t)(end - p);
		if (snprintf(file, sizeof(file), "%.*s/%s", (int)len, len ? p :
		    ".", cmd) < (int)sizeof(file) && stat(file, &sb) == 0)
			return 1;
		if (*end == '\0')
			break;
	}
	return 0;
}

static int
exec_failure(const struct start *s, int err)
{
	const char *cmd = s->o->command[0];

	if ((err == ENOENT || (err == EACCES && !on_path(cmd, s->env.vars))) &&
	    strchr(cmd, '/') == NULL) {
		warnx("%s: %s: command not found", s->p->name, cmd);
		return EXIT_NOTFOUND;
	}
	warnx("%s: %s: %s", s->p->name, cmd, strerror(err));
	if (err == ENOENT || err == ENOTDIR)
		return EXIT_NOTFOUND;
	if (err == EACCES || err == EPERM || err == EISDIR || err == ENOEXEC)
		return EXIT_NOEXEC;
	return EXIT_TROUBLE;
}

static void
exited(const struct start *s, const struct launch_result *r)
{
	const char *name = s->p->name, *when;
	const char *sep = s->ready.status[0] != '\0' ? "; its status: " : "";
	char sig[16];

	when = s->o->wait_ready || s->o->nchecks > 0 ? " before it was ready" :
	    s->o->wait_ms >= 0 ? " within --wait" : " at once";
	if (r->status == -1)
		warnx("%s (pid %ld) exited%s", name, (long)r->pid, when);
	else if (WIFSIGNALED(r->status)) {
		signal_name(WTERMSIG(r->status), sig, sizeof(sig));
		warnx("%s (pid %ld) was killed by SIG%s%s", name, (long)r->pid,
		    sig, when);
	} else
		warnx("%s (pid %ld) exited with status %d%s%s%s", name,
		    (long)r->pid, WEXITSTATUS(r->status), when, sep,
		    s->ready.status);
}

/* Map a failed step to a message and an exit code. */
int
start_report_failure(const struct start *s, const struct launch_result *r)
{
	const struct detach_opts *o = s->o;
	const char *name = s->p->name;

	switch (r->stage) {
	case STAGE_EXEC:
		return exec_failure(s, r->err);
	case STAGE_CHDIR:
		warnx("%s: %s: %s", name, s->p->chdir[0] != '\0' ?
		    s->p->chdir : "/", strerror(r->err));
		break;
	case STAGE_PIDFILE:
		warnx("%s: %s: %s", name, s->p->pidfile, strerror(r->err));
		break;
	case STAGE_PRIVS:
		warnx("%s: cannot run as %s: %s", name, o->user != NULL ?
		    o->user : o->group, strerror(r->err));
		break;
	case STAGE_CHROOT:
		warnx("%s: %s: %s", name, o->chroot, strerror(r->err));
		break;
	case STAGE_READY:
		if (r->err == ETIMEDOUT)
			warnx("%s (pid %ld) was not ready within %lld.%03lld "
			    "s%s%s", name, (long)r->pid,
			    (long long)(o->wait_ready_ms / 1000),
			    (long long)(o->wait_ready_ms % 1000),
			    s->ready.status[0] != '\0' ? "; its status: " : "",
			    s->ready.status);
		else
			warnx("%s (pid %ld) closed its readiness descriptor "
			    "without saying it was ready", name, (long)r->pid);
		break;
	case STAGE_ADOPT:
	case STAGE_PROBE:
		warnx("%s: %s", name, r->msg);
		break;
	case STAGE_VANISHED:
		warnx("%s: the daemon died before it could exec", name);
		break;
	case STAGE_EXITED:
		exited(s, r);
		break;
	default:
		warnx("%s: %s failed: %s", name, spawn_stage_name(r->stage),
		    strerror(r->err));
		break;
	}
	return EXIT_TROUBLE;
}

/* Close what the start opened; unlink what it created. */
void
start_discard(struct start *s)
{
	output_discard(&s->in);
	output_discard(&s->out);
	output_discard(&s->err);
	pidlock_remove(&s->lock);
}

/*
 * Stop every process the start created: the daemon (our child: we are
 * its subreaper), then what is left in its session and whatever else
 * came to us as an orphan (a command that forked into the background),
 * with start's own -s/-t/-R; then reap them all.
 */
void
start_abort(struct start *s, pid_t daemon)
{
	struct proc_id id = { daemon, s->rec.start };
	struct service sv = { .session = s->rec.session, .daemon = &id,
	    .children = 1 };
	struct target t;
	int n, st;

	if (daemon > 0 && target_pin(&t, daemon, 0) == 1) {
		stop_run(&t, 1, &s->o->sched, NULL, NULL);
		target_release(&t);
	}
	if (stop_leftovers(&sv, &s->o->sched, &n) != STOP_GONE)
		warnx("%s: some of its processes survived the stop schedule",
		    s->p->name);
	while (waitpid(-1, &st, WNOHANG) > 0)
		;
}
