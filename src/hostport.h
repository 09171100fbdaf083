/*
 * [HOST:]PORT, as --ready-port (and later --health-port) take it: HOST
 * defaults to 127.0.0.1, an IPv6 address goes in brackets, PORT is
 * 1-65535.  Pure: the name is resolved when the probe runs.
 */
#ifndef HOSTPORT_H
#define HOSTPORT_H

#define HOSTPORT_HOST_MAX	255	/* a DNS name's longest text form */

struct hostport {
	char	host[HOSTPORT_HOST_MAX + 1];
	char	port[6];		/* decimal, for getaddrinfo() */
};

int	hostport_parse(const char *, struct hostport *, const char **);

#endif
