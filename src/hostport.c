/*
 * Parsing [HOST:]PORT.  The only rule that is not obvious: a HOST holding
 * a colon must be in brackets ("[::1]:8080"), so that "::1:8080" cannot
 * be read two ways.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hostport.h"

#define DEFAULT_HOST	"127.0.0.1"

static int
port_of(const char *s, struct hostport *hp, const char **why)
{
	const char *err = NULL;
	long long n;

	if (*s == '\0') {
		*why = "the port is missing";
		return -1;
	}
	if (strspn(s, "0123456789") != strlen(s)) {
		*why = "the port is not a number";
		return -1;
	}
	n = strtonum(s, 1, 65535, &err);
	if (err != NULL) {
		*why = "the port must be between 1 and 65535";
		return -1;
	}
	snprintf(hp->port, sizeof(hp->port), "%lld", n);
	return 0;
}

static int
host_of(const char *s, size_t len, struct hostport *hp, const char **why)
{
	if (len == 0) {
		*why = "the host is empty";
		return -1;
	}
	if (len > HOSTPORT_HOST_MAX) {
		*why = "the host is too long";
		return -1;
	}
	memcpy(hp->host, s, len);
	hp->host[len] = '\0';
	return 0;
}

/*
 * 0 and *out, or -1 and *why (a clause for "--ready-port=...: WHY");
 * *out is untouched on failure.
 */
int
hostport_parse(const char *s, struct hostport *out, const char **why)
{
	struct hostport hp;
	const char *colon, *end;

	memset(&hp, 0, sizeof(hp));
	if (s[0] == '[') {
		if ((end = strchr(s, ']')) == NULL) {
			*why = "the '[' of the host has no ']'";
			return -1;
		}
		if (host_of(s + 1, (size_t)(end - s - 1), &hp, why) == -1)
			return -1;
		if (strchr(hp.host, '[') != NULL) {
			*why = "the host holds a '['";
			return -1;
		}
		if (end[1] != ':') {
			*why = "a bracketed host needs \":PORT\" after it";
			return -1;
		}
		if (port_of(end + 2, &hp, why) == -1)
			return -1;
	} else if ((colon = strrchr(s, ':')) != NULL) {
		if (memchr(s, ':', (size_t)(colon - s)) != NULL) {
			*why = "an IPv6 address goes in brackets: [ADDRESS]:PORT";
			return -1;
		}
		if (host_of(s, (size_t)(colon - s), &hp, why) == -1 ||
		    port_of(colon + 1, &hp, why) == -1)
			return -1;
	} else {
		strcpy(hp.host, DEFAULT_HOST);
		if (port_of(s, &hp, why) == -1)
			return -1;
	}
	*out = hp;
	return 0;
}
