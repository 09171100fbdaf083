# Benchmarks: detach against its floors and its peers (start-stop-daemon,
# libslack daemon, daemonize, `nc -z` loops for --ready-port, svlogd -tt
# and multilog t for --timestamps and --log-max-size), and a supervisor's
# memory over thousands of health checks, as Markdown tables on stdout.
# Not part of `make check`.
#
#   make bench          the full run (a few minutes)
#   make bench-quick    every row, fewer repetitions (under a minute)
#   make bench BENCH_FLAGS='--only=memory'
#   make bench BENCH_FLAGS='--only=ready --reps=30'
#   make bench BENCH_FLAGS='--only=health'
#   make bench BENCH_FLAGS='--only=logs'
#   make bench BENCH_FLAGS='--also=static=/path/to/detach-static'
#
# bench/run exits non-zero when a tool fails functionally (a pidfile
# never written, a process that outlives its stop, a short output file).
# It builds its helpers with $(CC) in a temporary directory; see
# `bench/run --help` for the options.
BENCH_FLAGS =
BENCH_RUN = DETACH='$(abs_top_builddir)/src/detach' CC='$(CC)' \
	$(BASH) $(srcdir)/bench/run

bench: src/detach
	@$(BENCH_RUN) $(BENCH_FLAGS)

bench-quick: src/detach
	@$(BENCH_RUN) --quick $(BENCH_FLAGS)

.PHONY: bench bench-quick

EXTRA_DIST += \
	bench/run \
	bench/throughput.sh \
	bench/list.sh \
	bench/list-worker.sh \
	bench/memory \
	bench/benchtool.c \
	bench/minimal-daemonize.c \
	bench/sleeper.c \
	# EOL
