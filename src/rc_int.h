/*
 * Between readycheck.c (the rounds) and rc_probe.c (the checks that
 * talk to the system).  Not for the rest of detach.
 */
#ifndef RC_INT_H
#define RC_INT_H

#include "readycheck.h"

void	rc_round(struct readycheck *, struct rc_check *, int64_t);
void	rc_release(struct rc_check *);
void	rc_file_begin(struct rc_check *);

#endif
