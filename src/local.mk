noinst_LIBRARIES += src/libdetach.a
src_libdetach_a_SOURCES = \
	src/adopt.c src/adopt.h \
	src/bug.c \
	src/cli.c src/cli.h \
	src/cli_check.c src/cli_int.h \
	src/cli_log.c \
	src/cli_ready.c \
	src/clock.h \
	src/control.c src/control.h \
	src/daemonize.c src/daemonize.h \
	src/detach.h \
	src/envbuild.c src/envbuild.h \
	src/explain.c \
	src/fd.c src/fd.h \
	src/hostport.c src/hostport.h \
	src/jsonstr.c src/jsonstr.h \
	src/logrec.c src/logrec.h \
	src/logs.c src/logs.h src/logs_int.h \
	src/logs_follow.c \
	src/logs_rotate.c \
	src/memtrim.c src/memtrim.h \
	src/privs.c src/privs.h \
	src/rc_probe.c src/rc_int.h \
	src/ready.c src/ready.h \
	src/readycheck.c src/readycheck.h \
	src/report.c src/report.h \
	src/spawn.c src/spawn.h \
	src/output.c src/output.h \
	src/parse.c src/parse.h \
	src/paths.c src/paths.h \
	src/pidlock.c src/pidlock.h \
	src/probe.c \
	src/proc.c src/proc.h \
	src/schedule.c src/schedule.h \
	src/smallfile.c src/smallfile.h \
	src/start.c src/start.h src/start_int.h \
	src/start_fail.c src/start_logs.c src/start_prep.c src/start_ready.c \
	src/start_sv.c \
	src/status.c \
	src/stop.c src/stop.h \
	src/supervise.c src/supervise.h \
	src/sv_child.c src/sv_int.h \
	src/sv_health.c \
	src/sv_logfile.c \
	src/sv_output.c \
	src/sv_policy.c src/sv_policy.h \
	src/sv_ready.c \
	src/sv_stop.c \
	src/svreq.h \
	src/svstate.c src/svstate.h \
	src/sys.h \
	src/target.c src/target.h \
	# EOL

bin_PROGRAMS += src/detach
src_detach_SOURCES = src/main.c
src_detach_LDADD = src/libdetach.a $(LIBBSD_LIBS)
