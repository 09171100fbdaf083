/*
 * The daemon's standard files: opened by the caller, so their errors
 * reach the terminal, and removed again if they were created by a start
 * that then failed.  The one opener of output files, also used by a
 * supervisor's reopen.
 */
#ifndef OUTPUT_H
#define OUTPUT_H

#include <sys/types.h>

struct outfile {
	const char	*path;
	int		 fd;		/* -1 when not opened */
	int		 created;	/* we created it (O_EXCL) */
	int		 shared;	/* fd belongs to another outfile */
	dev_t		 dev;
	ino_t		 ino;
};

int	output_open_write(struct outfile *, const char *, int, mode_t);
int	output_open_read(struct outfile *, const char *);
int	output_open_null(struct outfile *, struct outfile *);
int	output_null_fd(int);
const char *output_strerror(int);
void	output_discard(struct outfile *);
void	output_close(struct outfile *);

#endif
