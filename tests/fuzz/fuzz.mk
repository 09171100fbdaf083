# libFuzzer targets for the pure parsers, built with clang and run by
# `make fuzz` (not part of `make check`):
#
#   make fuzz                       all seven targets, FUZZ_TIME seconds
#                                   each
#   make fuzz FUZZ_TIME=300         longer
#   make -j6 fuzz                   the targets side by side
#   make fuzz-cli                   one target (fuzz-pid, fuzz-signal,
#                                   fuzz-schedule, fuzz-duration,
#                                   fuzz-envline, fuzz-cli, fuzz-jsonstr)
#   make fuzz CC_FUZZ=clang-14      another clang
#   make fuzz-build                 build only
#
# The fuzzers are rebuilt when a source changes, not when a flag does:
# `make fuzz-clean` after changing CC_FUZZ, FUZZ_CFLAGS or FUZZ_KNOWN_BUGS.
#
# Each run works on a copy of the committed corpus in
# tests/fuzz/run/NAME/corpus under the build tree, logs to
# tests/fuzz/run/NAME/log, and leaves what it finds (crash-*, leak-*,
# timeout-*, oom-*) in tests/fuzz/run/NAME/artifacts/.  Any crash, leak,
# timeout, sanitizer report or failed postcondition fails the make.
#
# Reproducing a crash by hand, from the top build directory:
#
#   make fuzz-build
#   ./tests/fuzz/fuzz_cli tests/fuzz/run/cli/artifacts/crash-<sha1>
#
# which runs that one input, prints the sanitizer report with a symbolized
# stack trace, and exits non-zero.  Add -runs=100 to repeat it, or run
# the fuzzer under gdb (`gdb --args ./tests/fuzz/fuzz_cli FILE`, break
# on abort or __sanitizer::Die).  Minimize it with
#   ./tests/fuzz/fuzz_cli -minimize_crash=1 -runs=10000 FILE
# Once fixed, a small input worth keeping goes into
# tests/fuzz/corpus/NAME/ (any file name), never a crash still
# reproducing.

CC_FUZZ ?= clang
FUZZ_TIME = 20
FUZZ_CFLAGS = -g -O1 -fsanitize=fuzzer,address,undefined \
	-fno-sanitize-recover=undefined -fno-omit-frame-pointer \
	-std=c11 -Wall -Wextra
# Extra libFuzzer options for every run, e.g. FUZZ_FLAGS=-jobs=4.
FUZZ_FLAGS =
# Postconditions that src/ does not meet (none now): a check can be
# turned off with -DFUZZ_KNOWN_BUG_COUNT_SMALL_MAX, _LIMIT_PARTIAL or
# _SVSTATE_RANGE in FUZZ_KNOWN_BUGS while its bug is being fixed.
FUZZ_KNOWN_BUGS =
FUZZ_CPPFLAGS = $(DEFS) -I$(top_builddir) -I$(top_srcdir)/src \
	$(LIBBSD_CFLAGS) $(FUZZ_KNOWN_BUGS)
FUZZ_COMPILE = $(CC_FUZZ) $(FUZZ_CPPFLAGS) $(FUZZ_CFLAGS)

FUZZ_PROGS = \
	tests/fuzz/fuzz_pid$(EXEEXT) \
	tests/fuzz/fuzz_signal$(EXEEXT) \
	tests/fuzz/fuzz_schedule$(EXEEXT) \
	tests/fuzz/fuzz_duration$(EXEEXT) \
	tests/fuzz/fuzz_envline$(EXEEXT) \
	tests/fuzz/fuzz_cli$(EXEEXT) \
	tests/fuzz/fuzz_jsonstr$(EXEEXT) \
	# EOL

# The sources each fuzzer compiles in, with the sanitizers: never
# src/libdetach.a, which is built by $(CC) without them.
FUZZ_PID_SRC = $(srcdir)/src/parse.c
FUZZ_SIGNAL_SRC = $(srcdir)/src/parse.c
FUZZ_SCHEDULE_SRC = $(srcdir)/src/parse.c $(srcdir)/src/schedule.c
FUZZ_DURATION_SRC = $(srcdir)/src/parse.c
FUZZ_ENVLINE_SRC = $(srcdir)/src/parse.c $(srcdir)/src/envbuild.c
FUZZ_CLI_SRC = $(srcdir)/src/parse.c $(srcdir)/src/schedule.c \
	$(srcdir)/src/cli.c $(srcdir)/src/cli_check.c $(srcdir)/src/cli_ready.c \
	$(srcdir)/src/hostport.c $(srcdir)/src/svstate.c $(srcdir)/src/proc.c \
	$(srcdir)/src/smallfile.c $(srcdir)/src/cli_log.c
FUZZ_JSONSTR_SRC = $(srcdir)/src/jsonstr.c

FUZZ_DEPS = config.h $(srcdir)/tests/fuzz/fuzz.h \
	$(srcdir)/src/parse.h $(srcdir)/src/schedule.h $(srcdir)/src/cli.h \
	$(srcdir)/src/cli_int.h $(srcdir)/src/hostport.h \
	$(srcdir)/src/envbuild.h $(srcdir)/src/privs.h $(srcdir)/src/svstate.h \
	$(srcdir)/src/proc.h $(srcdir)/src/jsonstr.h $(srcdir)/src/smallfile.h

tests/fuzz/fuzz_pid$(EXEEXT): $(srcdir)/tests/fuzz/fuzz_pid.c \
    $(FUZZ_PID_SRC) $(FUZZ_DEPS)
	@$(MKDIR_P) tests/fuzz
	$(AM_V_CCLD)$(FUZZ_COMPILE) -o $@ $(srcdir)/tests/fuzz/fuzz_pid.c \
	    $(FUZZ_PID_SRC) $(LIBBSD_LIBS)

tests/fuzz/fuzz_signal$(EXEEXT): $(srcdir)/tests/fuzz/fuzz_signal.c \
    $(FUZZ_SIGNAL_SRC) $(FUZZ_DEPS)
	@$(MKDIR_P) tests/fuzz
	$(AM_V_CCLD)$(FUZZ_COMPILE) -o $@ \
	    $(srcdir)/tests/fuzz/fuzz_signal.c $(FUZZ_SIGNAL_SRC) \
	    $(LIBBSD_LIBS)

tests/fuzz/fuzz_schedule$(EXEEXT): $(srcdir)/tests/fuzz/fuzz_schedule.c \
    $(FUZZ_SCHEDULE_SRC) $(FUZZ_DEPS)
	@$(MKDIR_P) tests/fuzz
	$(AM_V_CCLD)$(FUZZ_COMPILE) -o $@ \
	    $(srcdir)/tests/fuzz/fuzz_schedule.c $(FUZZ_SCHEDULE_SRC) \
	    $(LIBBSD_LIBS)

tests/fuzz/fuzz_duration$(EXEEXT): $(srcdir)/tests/fuzz/fuzz_duration.c \
    $(FUZZ_DURATION_SRC) $(FUZZ_DEPS)
	@$(MKDIR_P) tests/fuzz
	$(AM_V_CCLD)$(FUZZ_COMPILE) -o $@ \
	    $(srcdir)/tests/fuzz/fuzz_duration.c $(FUZZ_DURATION_SRC) \
	    $(LIBBSD_LIBS)

tests/fuzz/fuzz_envline$(EXEEXT): $(srcdir)/tests/fuzz/fuzz_envline.c \
    $(FUZZ_ENVLINE_SRC) $(FUZZ_DEPS)
	@$(MKDIR_P) tests/fuzz
	$(AM_V_CCLD)$(FUZZ_COMPILE) -o $@ \
	    $(srcdir)/tests/fuzz/fuzz_envline.c $(FUZZ_ENVLINE_SRC) \
	    $(LIBBSD_LIBS)

tests/fuzz/fuzz_cli$(EXEEXT): $(srcdir)/tests/fuzz/fuzz_cli.c \
    $(FUZZ_CLI_SRC) $(FUZZ_DEPS)
	@$(MKDIR_P) tests/fuzz
	$(AM_V_CCLD)$(FUZZ_COMPILE) -o $@ $(srcdir)/tests/fuzz/fuzz_cli.c \
	    $(FUZZ_CLI_SRC) $(LIBBSD_LIBS)

tests/fuzz/fuzz_jsonstr$(EXEEXT): $(srcdir)/tests/fuzz/fuzz_jsonstr.c \
    $(FUZZ_JSONSTR_SRC) $(FUZZ_DEPS)
	@$(MKDIR_P) tests/fuzz
	$(AM_V_CCLD)$(FUZZ_COMPILE) -o $@ \
	    $(srcdir)/tests/fuzz/fuzz_jsonstr.c $(FUZZ_JSONSTR_SRC) \
	    $(LIBBSD_LIBS)

# One run; the recipe sets t to the target's name.  The sanitizer
# options are set here whatever the environment says (the test suite
# turns leak detection off, a fuzzer needs it).  The log is scanned as
# well as the exit status, in case a report did not end the run.
FUZZ_RUN = \
	run=tests/fuzz/run/$$t; \
	rm -rf "$$run" && $(MKDIR_P) "$$run/corpus" "$$run/artifacts" && \
	cp "$(srcdir)/tests/fuzz/corpus/$$t/"* "$$run/corpus/" || exit 1; \
	dict=; \
	if test -f "$(srcdir)/tests/fuzz/$$t.dict"; then \
	  dict="-dict=$(srcdir)/tests/fuzz/$$t.dict"; \
	fi; \
	echo "  FUZZ     fuzz_$$t for $(FUZZ_TIME)s"; \
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:symbolize=1 \
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	LSAN_OPTIONS= \
	./tests/fuzz/fuzz_$$t$(EXEEXT) $$dict -max_total_time=$(FUZZ_TIME) \
	  -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
	  -artifact_prefix="$$run/artifacts/" $(FUZZ_FLAGS) \
	  "$$run/corpus" >"$$run/log" 2>&1; \
	rc=$$?; \
	if test $$rc -ne 0 || \
	    grep -E '==[0-9]+== ?ERROR|^SUMMARY: |runtime error:|postcondition failed' \
	    "$$run/log" >/dev/null; then \
	  tail -n 60 "$$run/log"; \
	  echo "FAIL: fuzz_$$t (exit $$rc): log in $$run/log, input in:"; \
	  ls -1 "$$run/artifacts"; \
	  exit 1; \
	fi; \
	execs=`sed -n 's/^stat::number_of_executed_units: *//p' "$$run/log"`; \
	rate=`sed -n 's/^stat::average_exec_per_sec: *//p' "$$run/log"`; \
	echo "  PASS     fuzz_$$t: $$execs runs, $$rate exec/s"

fuzz-pid: tests/fuzz/fuzz_pid$(EXEEXT)
	@t=pid; $(FUZZ_RUN)
fuzz-signal: tests/fuzz/fuzz_signal$(EXEEXT)
	@t=signal; $(FUZZ_RUN)
fuzz-schedule: tests/fuzz/fuzz_schedule$(EXEEXT)
	@t=schedule; $(FUZZ_RUN)
fuzz-duration: tests/fuzz/fuzz_duration$(EXEEXT)
	@t=duration; $(FUZZ_RUN)
fuzz-envline: tests/fuzz/fuzz_envline$(EXEEXT)
	@t=envline; $(FUZZ_RUN)
fuzz-cli: tests/fuzz/fuzz_cli$(EXEEXT)
	@t=cli; $(FUZZ_RUN)
fuzz-jsonstr: tests/fuzz/fuzz_jsonstr$(EXEEXT)
	@t=jsonstr; $(FUZZ_RUN)

fuzz-build: $(FUZZ_PROGS)

fuzz: fuzz-pid fuzz-signal fuzz-schedule fuzz-duration fuzz-envline \
    fuzz-cli fuzz-jsonstr

fuzz-clean:
	-rm -f $(FUZZ_PROGS)
	-rm -rf tests/fuzz/run

clean-local: fuzz-clean

.PHONY: fuzz fuzz-build fuzz-clean fuzz-pid fuzz-signal fuzz-schedule \
	fuzz-duration fuzz-envline fuzz-cli fuzz-jsonstr

EXTRA_DIST += \
	tests/fuzz/fuzz.h \
	tests/fuzz/fuzz_pid.c \
	tests/fuzz/fuzz_signal.c \
	tests/fuzz/fuzz_schedule.c \
	tests/fuzz/fuzz_duration.c \
	tests/fuzz/fuzz_envline.c \
	tests/fuzz/fuzz_cli.c \
	tests/fuzz/fuzz_jsonstr.c \
	tests/fuzz/signal.dict \
	tests/fuzz/schedule.dict \
	tests/fuzz/duration.dict \
	tests/fuzz/envline.dict \
	tests/fuzz/cli.dict \
	tests/fuzz/jsonstr.dict \
	tests/fuzz/corpus \
	# EOL
