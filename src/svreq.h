/*
 * The requests stop, signal and reopen send to a supervisor.
 */
#ifndef SVREQ_H
#define SVREQ_H

#include <signal.h>

/*
 * Requests to a supervisor, each a real-time signal queued with a value
 * (sigqueue semantics: target_queue()):
 *   STOP     value: the signal for the child's process group; stop for good
 *   REOPEN   value: a token echoed in the state file once output reopened
 *   FORWARD  value: a signal for the child alone (detach signal)
 * A plain TERM or INT means STOP with the default schedule; HUP, USR1 and
 * USR2 are forwarded to the child.
 */
#define SV_SIG_STOP	(SIGRTMIN + 1)
#define SV_SIG_REOPEN	(SIGRTMIN + 2)
#define SV_SIG_FORWARD	(SIGRTMIN + 3)

#endif
