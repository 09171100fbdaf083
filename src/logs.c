/* `detach logs`: stub, being written. */
#include "config.h"

#include <err.h>

#include "detach.h"
#include "logs.h"

int
cmd_logs(const struct detach_opts *o, const struct paths *p)
{
	(void)o;
	warnx("%s: logs is not written yet", p->name);
	return EXIT_TROUBLE;
}
