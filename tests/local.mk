# Unit tests (Check) link the library; black-box tests run src/detach.
TEST_EXTENSIONS = .sh
LOG_DRIVER = env AM_TAP_AWK='$(AWK)' $(SHELL) $(top_srcdir)/build-aux/tap-driver.sh
SH_LOG_DRIVER = $(LOG_DRIVER)
SH_LOG_COMPILER = $(top_builddir)/tests/reaper $(BASH)
AM_TESTS_ENVIRONMENT = \
	DETACH='$(abs_top_builddir)/src/detach'; export DETACH; \
	TESTTOOL='$(abs_top_builddir)/tests/testtool'; export TESTTOOL; \
	NOSYS='$(abs_top_builddir)/tests/nosys'; export NOSYS; \
	srcdir='$(srcdir)'; export srcdir; \
	DETACH_SANITIZED='$(enable_sanitizers)'; export DETACH_SANITIZED; \
	ASAN_OPTIONS='detect_leaks=0:abort_on_error=1'; export ASAN_OPTIONS; \
	UBSAN_OPTIONS='print_stacktrace=1:halt_on_error=1'; export UBSAN_OPTIONS; \
	# EOL

UNIT_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) -I$(top_srcdir)/tests/unit
UNIT_LDADD = src/libdetach.a $(CHECK_LIBS) $(LIBBSD_LIBS)

check_PROGRAMS += \
	tests/unit/check_parse \
	tests/unit/check_schedule \
	tests/unit/check_cli \
	tests/unit/check_paths \
	tests/unit/check_svstate \
	tests/unit/check_proc \
	tests/unit/check_jsonstr \
	tests/unit/check_sv_policy \
	tests/unit/check_adopt \
	tests/unit/check_hostport \
	tests/unit/check_readycheck \
	tests/unit/check_logs \
	# EOL
tests_unit_check_proc_CFLAGS = $(UNIT_CFLAGS)
tests_unit_check_proc_LDADD = $(UNIT_LDADD)
tests_unit_check_jsonstr_CFLAGS = $(UNIT_CFLAGS)
tests_unit_check_jsonstr_LDADD = $(UNIT_LDADD)
tests_unit_check_svstate_CFLAGS = $(UNIT_CFLAGS)
tests_unit_check_svstate_LDADD = $(UNIT_LDADD)
tests_unit_check_sv_policy_CFLAGS = $(UNIT_CFLAGS)
tests_unit_check_sv_policy_LDADD = $(UNIT_LDADD)
tests_unit_check_parse_CFLAGS = $(UNIT_CFLAGS)
tests_unit_check_parse_LDADD = $(UNIT_LDADD)
tests_unit_check_schedule_CFLAGS = $(UNIT_CFLAGS)
tests_unit_check_schedule_LDADD = $(UNIT_LDADD)
tests_unit_check_cli_CFLAGS = $(UNIT_CFLAGS)
tests_unit_check_cli_LDADD = $(UNIT_LDADD)
tests_unit_check_paths_CFLAGS = $(UNIT_CFLAGS)
tests_unit_check_paths_LDADD = $(UNIT_LDADD)
tests_unit_check_adopt_CFLAGS = $(UNIT_CFLAGS)
tests_unit_check_adopt_LDADD = $(UNIT_LDADD)
tests_unit_check_hostport_CFLAGS = $(UNIT_CFLAGS)
tests_unit_check_hostport_LDADD = $(UNIT_LDADD)
tests_unit_check_readycheck_CFLAGS = $(UNIT_CFLAGS)
tests_unit_check_readycheck_LDADD = $(UNIT_LDADD)
tests_unit_check_logs_CFLAGS = $(UNIT_CFLAGS)
tests_unit_check_logs_LDADD = $(UNIT_LDADD)

# Helpers for the black-box tests, not tests themselves.
check_PROGRAMS += tests/reaper tests/testtool tests/nosys

TESTS += \
	tests/unit/check_parse \
	tests/unit/check_schedule \
	tests/unit/check_cli \
	tests/unit/check_paths \
	tests/unit/check_svstate \
	tests/unit/check_proc \
	tests/unit/check_jsonstr \
	tests/unit/check_sv_policy \
	tests/unit/check_adopt \
	tests/unit/check_hostport \
	tests/unit/check_readycheck \
	tests/unit/check_logs \
	# EOL

# oldkernel.sh first: the longest, mostly waiting, it runs beside the rest.
dist_check_SCRIPTS += \
	tests/integration/oldkernel.sh \
	tests/integration/usage.sh \
	tests/integration/start.sh \
	tests/integration/start-errors.sh \
	tests/integration/stop.sh \
	tests/integration/identity.sh \
	tests/integration/forking.sh \
	tests/integration/legacy-nginx.sh \
	tests/integration/legacy-redis.sh \
	tests/integration/legacy-memcached.sh \
	tests/integration/legacy-lighttpd.sh \
	tests/integration/legacy-dnsmasq.sh \
	tests/integration/legacy-sshd.sh \
	tests/integration/fdclose-real.sh \
	tests/integration/outputs.sh \
	tests/integration/restart-signal.sh \
	tests/integration/hostile.sh \
	tests/integration/concurrency.sh \
	tests/integration/named.sh \
	tests/integration/supervise.sh \
	tests/integration/supervise-fg.sh \
	tests/integration/supervise-output.sh \
	tests/integration/supervise-syslog.sh \
	tests/integration/harden.sh \
	tests/integration/privs-env.sh \
	tests/integration/ready.sh \
	tests/integration/ready-probes.sh \
	tests/integration/health.sh \
	tests/integration/health-more.sh \
	tests/integration/logs.sh \
	tests/integration/logfile.sh \
	tests/integration/stress.sh \
	tests/integration/valgrind.sh \
	tests/integration/list.sh \
	tests/integration/docs.sh \
	tests/integration/initd.sh \
	tests/integration/completion.sh \
	# EOL
TESTS += $(dist_check_SCRIPTS)
EXTRA_DIST += tests/lib.sh tests/legacy-lib.sh tests/legacy-run.sh \
	tests/legacy-case.sh tests/health-lib.sh tests/unit/unit.h
