/*
 * A process detach acts on, known by pid and start time: pinned with a
 * pidfd where the kernel has one, and otherwise checked again by start
 * time before every signal.  The one place that decides "is this still
 * that process?", and the only way detach signals or waits for a
 * process it did not fork itself.
 */
#ifndef TARGET_H
#define TARGET_H

#include <stdint.h>
#include <sys/types.h>

struct target {
	pid_t		pid;
	uint64_t	start;		/* /proc/PID/stat field 22 */
	int		pidfd;		/* -1: none (old kernel, seccomp) */
};

#define TARGET_NONE	((struct target){ .pid = 0, .start = 0, .pidfd = -1 })

int	target_pin(struct target *, pid_t, uint64_t);
int	target_alive(const struct target *);
int	target_signal(const struct target *, int);
int	target_queue(const struct target *, int, int);
int	target_wait(const struct target *, int, int64_t);
void	target_release(struct target *);

#endif
