/*
 * The supervisor's restart policy, pure so that it can be tested alone:
 * from the configuration, the restarts so far, the clock and how the
 * child ended, whether to restart it and after what delay.
 */
#ifndef SV_POLICY_H
#define SV_POLICY_H

#include <stdint.h>

#include "supervise.h"

/* The restarts so far: their times in a ring of --max-restarts slots. */
struct sv_history {
	int64_t		*times;		/* NULL: no --max-restarts */
	long long	 size;
	long long	 n;		/* restarts recorded */
	int64_t		 delay;		/* the last delay chosen; 0: none */
};

enum sv_verdict {
	SV_RESTART,		/* after the delay given */
	SV_NO_RESTART,		/* --restart says not for this exit */
	SV_GIVE_UP,		/* --max-restarts within --restart-window */
};

int		sv_history_init(struct sv_history *, long long);
void		sv_history_free(struct sv_history *);
void		sv_history_record(struct sv_history *, int64_t);
long long	sv_history_recent(const struct sv_history *, int64_t, int64_t);
enum sv_verdict	sv_policy_decide(const struct sv_config *,
		    const struct sv_history *, int64_t, int64_t, int,
		    int64_t *);

#endif
