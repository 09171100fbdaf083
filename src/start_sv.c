/*
 * start --supervise: the daemonized process (or, with -f, this one)
 * becomes the supervisor and runs the command as its child.  The
 * supervisor holds the pidfile's lock and writes its own record (it
 * knows when its signal handling is in place); the child never inherits
 * the lock.
 */
#include "config.h"

#include <err.h>
#include <fcntl.h>
#include <unistd.h>

#include "daemonize.h"
#include "detach.h"
#include "start_int.h"
#include "supervise.h"

int
start_supervised(struct start *s, const struct launch *child)
{
	const struct detach_opts *o = s->o;
	const struct paths *p = s->p;
	struct launch_result r;
	struct sv_config cfg;
	struct launch sup;
	int null, code;

	cfg = (struct sv_config){
		.child = *child,
		.name = p->name,
		.command = o->command[0],
		.pidfile = p->pidfile,
		.lock = &s->lock,
		.child_pidfile = p->child_pidfile[0] != '\0' ?
		    p->child_pidfile : NULL,
		.out_path = p->out[0] != '\0' ? p->out : NULL,
		.err_path = p->err[0] != '\0' ? p->err : NULL,
		.out_fd = s->out.fd,
		.err_fd = s->err.fd,
		.syslog = o->syslog,
		.facility = o->syslog_facility,
		.tag = o->syslog_tag != NULL ? o->syslog_tag : p->name,
		.restart = o->restart,
		.delay_ms = o->restart_delay_ms,
		.delay_max_ms = o->restart_delay_max_ms,
		.delay_reset_ms = o->restart_delay_reset_ms,
		.window_ms = o->restart_window_ms,
		.max_restarts = o->max_restarts,
		.foreground = o->foreground,
		.ready = &s->ready,
		.ready_ms = s->ready.kind == READY_SURVIVE ? o->wait_ms :
		    o->wait_ready_ms,
		.stop_sched = &o->sched,
		.privs = s->privs.active ? &s->privs : NULL,
		.umask = o->umask,
		.forking = o->forking,
		.follow = p->follow[0] != '\0' ? p->follow : NULL,
		.adopt_ms = o->ready_timeout_ms,
		.checks = s->checks.n > 0 ? &s->checks : NULL,
		.health = s->health.n > 0 ? &s->health : NULL,
		.health_interval_ms = o->health_interval_ms,
		.health_start_ms = o->health_start_ms,
		.health_retries = o->health_retries,
		.watchdog_ms = o->watchdog_ms,
		.wait_first = o->wait_ready || o->wait_ms >= 0,
		.timestamps = o->timestamps,
		.log_max_size = o->log_max_size,
		.log_keep = o->log_keep,
	};
	cfg.child.lock = NULL;
	cfg.child.keep_lock = 0;
	cfg.child.new_pgrp = 1;
	cfg.child.watchdog_pid = o->watchdog_ms > 0;
	if (o->foreground) {
		umask(o->umask);	/* for the files a reopen creates */
		code = supervise_foreground(&cfg, &r);
		if (code == -1) {
			code = start_report_failure(s, &r);
			start_discard(s);
		}
		return code;
	}
	if ((null = open("/dev/null", O_RDWR | O_CLOEXEC)) == -1) {
		warn("/dev/null");
		start_discard(s);
		return EXIT_TROUBLE;
	}
	sup = (struct launch){
		.dir = "/",
		.umask = o->umask,
		.fd_in = null,
		.fd_out = null,
		.fd_err = null,
		.lock = &s->lock,
		.body = supervise_body,
		.body_arg = &cfg,
	};
	code = daemonize_launch(&sup, &r);
	close(null);
	if (code == -1) {
		code = start_report_failure(s, &r);
		start_abort(s, r.pid);
		start_discard(s);
		return code;
	}
	return EXIT_OK;
}
