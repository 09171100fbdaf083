/*
 * schedule_parse(), the --retry grammar.  On success the schedule has 1
 * to SCHED_MAX items, signals in 1..SIGRTMAX, timeouts within the
 * duration range, at most one SCHED_GOTO, last, pointing back inside
 * the schedule at a part that waits (or stop.c would spin).  On failure
 * *why explains.
 */
#include "config.h"

#include <signal.h>
#include <string.h>

#include "parse.h"
#include "schedule.h"
#include "fuzz.h"

#define MS_MAX	(DURATION_MAX_S * 1000 + 999)

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_strndup(data, size);
	struct schedule sc;
	const char *why = NULL;
	int i, j, waits;

	memset(&sc, 0xa5, sizeof(sc));
	if (schedule_parse(s, SIGTERM, &sc, &why) == 0) {
		CHECK(sc.n >= 1 && sc.n <= SCHED_MAX);
		for (i = 0; i < sc.n; i++) {
			const struct sched_item *it = &sc.items[i];

			switch (it->type) {
			case SCHED_SIGNAL:
				CHECK(it->value >= 1 && it->value <= SIGRTMAX);
				break;
			case SCHED_TIMEOUT:
				CHECK(it->value >= 0 && it->value <= MS_MAX);
				break;
			case SCHED_GOTO:
				CHECK(it->value >= 0 && it->value < sc.n);
				/* only as the last item, and backwards */
				CHECK(i == sc.n - 1);
				CHECK(it->value < i);
				for (waits = 0, j = (int)it->value; j < i; j++)
					if (sc.items[j].type == SCHED_TIMEOUT &&
					    sc.items[j].value > 0)
						waits = 1;
				CHECK(waits);
				break;
			default:
				CHECK(!"unknown item type");
			}
		}
		/* A bare timeout N means SIG/N/KILL/N. */
		if (strchr(s, '/') == NULL) {
			CHECK(sc.n == 4);
			CHECK(sc.items[0].type == SCHED_SIGNAL &&
			    sc.items[0].value == SIGTERM);
			CHECK(sc.items[1].type == SCHED_TIMEOUT);
			CHECK(sc.items[2].type == SCHED_SIGNAL &&
			    sc.items[2].value == SIGKILL);
			CHECK(sc.items[3].type == SCHED_TIMEOUT &&
			    sc.items[3].value == sc.items[1].value);
		}
	} else {
		CHECK(why != NULL);
		CHECK(why[0] != '\0');
	}
	free(s);
	return 0;
}
