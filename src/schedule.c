/*
 * Parse stop schedules into a flat array of items that stop.c runs.  The
 * grammar is start-stop-daemon's: items separated by '/', each a signal
 * (NAME, -NAME or -NUM), a timeout in decimal seconds, or "forever".
 * "forever" makes the end of the schedule jump back: as in dpkg, to the
 * item after it when items follow ("TERM/5/forever/KILL/5" repeats KILL/5),
 * and to the item just before it when it comes last ("TERM/5/KILL/5/forever"
 * keeps waiting after the KILL, "TERM/5/forever" waits as long as it takes).
 * The repeated part must contain a wait, or it would spin.
 */
#include "config.h"

#include <signal.h>
#include <string.h>

#include "parse.h"
#include "schedule.h"

#define ITEM_MAX	64

static int
parse_item(const char *s, struct sched_item *it)
{
	int sig;

	if (s[0] >= '0' && s[0] <= '9') {
		it->type = SCHED_TIMEOUT;
		return parse_duration(s, &it->value);
	}
	if (s[0] == '-')
		s++;
	if (parse_signal(s, &sig) == -1)
		return -1;
	it->type = SCHED_SIGNAL;
	it->value = sig;
	return 0;
}

void
schedule_default(struct schedule *sc, int sig, int64_t timeout_ms)
{
	sc->items[0] = (struct sched_item){ SCHED_SIGNAL, sig };
	sc->items[1] = (struct sched_item){ SCHED_TIMEOUT, timeout_ms };
	sc->items[2] = (struct sched_item){ SCHED_SIGNAL, SIGKILL };
	sc->items[3] = (struct sched_item){ SCHED_TIMEOUT, 5000 };
	sc->n = 4;
}

/*
 * On error, *why names the problem in a few words for the usage message.
 */
int
schedule_parse(const char *s, int sig, struct schedule *sc, const char **why)
{
	char item[ITEM_MAX];
	const char *p = s, *slash;
	size_t len;
	int forever_at = -1, i, n = 0, waits;

	if (strchr(s, '/') == NULL) {
		struct sched_item it;

		if (parse_item(s, &it) == -1 || it.type != SCHED_TIMEOUT) {
			*why = "a schedule of one item must be a timeout";
			return -1;
		}
		sc->items[0] = (struct sched_item){ SCHED_SIGNAL, sig };
		sc->items[1] = it;
		sc->items[2] = (struct sched_item){ SCHED_SIGNAL, SIGKILL };
		sc->items[3] = it;
		sc->n = 4;
		return 0;
	}
	for (;;) {
		slash = strchr(p, '/');
		len = slash != NULL ? (size_t)(slash - p) : strlen(p);
		if (len == 0 || len >= sizeof(item)) {
			*why = len == 0 ? "empty item" : "item too long";
			return -1;
		}
		memcpy(item, p, len);
		item[len] = '\0';
		if (strcmp(item, "forever") == 0) {
			if (forever_at != -1) {
				*why = "'forever' appears more than once";
				return -1;
			}
			if (n == 0) {
				*why = "'forever' needs an item before it";
				return -1;
			}
			forever_at = n;
		} else {
			if (n == SCHED_MAX - 1) {
				*why = "too many items";
				return -1;
			}
			if (parse_item(item, &sc->items[n]) == -1) {
				*why = "bad signal or timeout";
				return -1;
			}
			n++;
		}
		if (slash == NULL)
			break;
		p = slash + 1;
	}
	if (forever_at != -1) {
		if (forever_at == n)
			forever_at--;
		for (waits = 0, i = forever_at; i < n; i++)
			if (sc->items[i].type == SCHED_TIMEOUT &&
			    sc->items[i].value > 0)
				waits = 1;
		if (!waits) {
			*why = "the part repeated 'forever' must wait";
			return -1;
		}
		sc->items[n++] = (struct sched_item){ SCHED_GOTO, forever_at };
	}
	sc->n = n;
	return 0;
}
