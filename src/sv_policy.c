/*
 * The restart policy.  Nothing here reads the clock or touches a
 * process: the supervisor passes the times in and carries out the
 * verdict.
 */
#include "config.h"

#include <stdlib.h>
#include <sys/wait.h>

#include "sv_policy.h"

/* max: --max-restarts, 0 for unlimited (then nothing is kept). */
int
sv_history_init(struct sv_history *h, long long max)
{
	*h = (struct sv_history){ .size = max };
	if (max > 0 && (h->times = calloc((size_t)max,
	    sizeof(*h->times))) == NULL)
		return -1;
	return 0;
}

void
sv_history_free(struct sv_history *h)
{
	free(h->times);
	h->times = NULL;
}

/* A restart at now; the oldest is forgotten once the ring is full. */
void
sv_history_record(struct sv_history *h, int64_t now)
{
	if (h->times == NULL)
		return;
	h->times[h->n % h->size] = now;
	h->n++;
}

/* How many of the restarts kept happened less than window ms ago. */
long long
sv_history_recent(const struct sv_history *h, int64_t now, int64_t window)
{
	long long i, n = 0;

	for (i = 0; i < h->n && i < h->size; i++)
		if (now - h->times[i] < window)
			n++;
	return n;
}

/*
 * The child started at started and ended at now with wait status
 * status.  On SV_RESTART, *delay is the wait before the next start: the
 * first delay after a child that ran at least --restart-delay-reset,
 * twice the last one (up to --restart-delay-max) after one that died
 * young.  The caller keeps it in h->delay for the next decision.
 */
enum sv_verdict
sv_policy_decide(const struct sv_config *c, const struct sv_history *h,
    int64_t started, int64_t now, int status, int64_t *delay)
{
	int failed = !(WIFEXITED(status) && WEXITSTATUS(status) == 0);

	if (c->restart == RESTART_NEVER ||
	    (c->restart == RESTART_ON_FAILURE && !failed))
		return SV_NO_RESTART;
	if (c->max_restarts > 0 &&
	    sv_history_recent(h, now, c->window_ms) >= c->max_restarts)
		return SV_GIVE_UP;
	if (h->delay == 0 || now - started >= c->delay_reset_ms)
		*delay = c->delay_ms;
	else
		*delay = h->delay * 2 > c->delay_max_ms ? c->delay_max_ms :
		    h->delay * 2;
	return SV_RESTART;
}
