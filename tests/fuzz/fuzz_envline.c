/*
 * env_parse_line(), one line of an --env-file, on the raw bytes (no
 * terminator, so an overread traps), then per line as read_env_file()
 * splits a file.  Then env_build() without the file system (no
 * --env-file, no -u) on an environment, --unset names and -E
 * assignments taken from the input, checking that the result is a
 * NULL-terminated list of NAME=VALUE strings with unique names, that
 * later -E assignments win, and that --unset and the notification
 * variables are gone unless -E gives them back.
 */
#include "config.h"

#include <string.h>

#include "cli.h"
#include "envbuild.h"
#include "parse.h"
#include "fuzz.h"

#define MAX_LINES	128

static int
name_char(int c, int first)
{
	return c == '_' || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	    (!first && c >= '0' && c <= '9');
}

static void
check_line(const uint8_t *data, size_t len)
{
	char *line = fuzz_memdup(data, len);
	size_t namelen = (size_t)-1, i;
	const char *why = NULL;
	int r = env_parse_line(line, len, &namelen, &why);

	CHECK(r == -1 || r == 0 || r == 1);
	if (r == 1) {
		CHECK(namelen >= 1 && namelen < len);
		CHECK(line[namelen] == '=');
		for (i = 0; i < namelen; i++)
			CHECK(name_char((unsigned char)line[i], i == 0));
		CHECK(memchr(line, '\0', len) == NULL);
	} else if (r == 0) {
		/* blank, or a comment */
		for (i = 0; i < len && (line[i] == ' ' || line[i] == '\t'); i++)
			;
		CHECK(i == len || line[i] == '#');
	} else {
		CHECK(why != NULL && why[0] != '\0');
	}
	free(line);
}

static size_t
name_len(const char *s)
{
	return strcspn(s, "=");
}

static int
same_name(const char *a, const char *b)
{
	size_t n = name_len(a);

	return n == name_len(b) && strncmp(a, b, n) == 0;
}

static int
notify_var(const char *s)
{
	return strncmp(s, "NOTIFY_SOCKET=", 14) == 0 ||
	    strncmp(s, "LISTEN_", 7) == 0;
}

static void
check_build(const uint8_t *data, size_t size)
{
	char *copy = fuzz_strndup(data, size), *p, *nl, err[256];
	char *base[MAX_LINES + 1];
	const char *env[MAX_LINES + 1], *unset[MAX_LINES + 1], *files[1];
	struct detach_opts o = { 0 };
	struct envbuf e;
	size_t nbase = 0, nenv = 0, nunset = 0, i, j;
	int from_env;

	if (size == 0) {
		free(copy);
		return;
	}
	o.clear_env = data[0] & 1;
	o.foreground = (data[0] >> 1) & 1;
	/* Lines after the flags byte: "-NAME" unsets, "+N=V" is -E. */
	for (p = copy + 1; p < copy + size && nbase + nenv + nunset < MAX_LINES;
	    p = nl + 1) {
		nl = strchr(p, '\n');
		if (nl == NULL)
			nl = p + strlen(p);
		*nl = '\0';
		if (p[0] == '-' && p[1] != '\0' && strchr(p, '=') == NULL)
			unset[nunset++] = p + 1;
		else if (p[0] == '+' && parse_env_assign(p + 1) == 0)
			env[nenv++] = p + 1;
		else if (strchr(p, '=') != NULL)
			base[nbase++] = p;
	}
	base[nbase] = NULL;
	env[nenv] = NULL;
	unset[nunset] = NULL;
	files[0] = NULL;
	o.env = env;
	o.unset = unset;
	o.env_files = files;

	CHECK(env_build(&o, NULL, base, &e, err, sizeof(err)) == 0);
	CHECK(e.vars != NULL);
	CHECK(e.n < e.cap);
	CHECK(e.vars[e.n] == NULL);
	for (i = 0; i < e.n; i++) {
		CHECK(e.vars[i] != NULL);
		CHECK(strchr(e.vars[i], '=') != NULL);
		for (j = i + 1; j < e.n; j++)
			CHECK(!same_name(e.vars[i], e.vars[j]));
		for (from_env = 0, j = 0; j < nenv; j++)
			if (e.vars[i] == env[j])
				from_env = 1;
		if (from_env)
			continue;
		if (!o.foreground)
			CHECK(!notify_var(e.vars[i]));
		for (j = 0; j < nunset; j++)
			CHECK(!(name_len(e.vars[i]) == strlen(unset[j]) &&
			    strncmp(e.vars[i], unset[j], strlen(unset[j])) == 0));
		if (o.clear_env)
			CHECK(strcmp(e.vars[i], ENV_DEFAULT_PATH) == 0);
	}
	/* The last -E of each name is there. */
	for (i = 0; i < nenv; i++) {
		for (j = i + 1; j < nenv; j++)
			if (same_name(env[i], env[j]))
				break;
		if (j < nenv)
			continue;
		for (j = 0; j < e.n; j++)
			if (e.vars[j] == env[i])
				break;
		CHECK(j < e.n);
	}
	env_free(&e);
	CHECK(e.vars == NULL && e.n == 0);
	free(copy);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *line, *end = data + size, *nl;
	size_t len;
	int nlines = 0;

	check_line(data, size);
	for (line = data; line < end && nlines < MAX_LINES; line = nl + 1) {
		nl = memchr(line, '\n', (size_t)(end - line));
		if (nl == NULL)
			nl = end;
		len = (size_t)(nl - line);
		if (len > 0 && line[len - 1] == '\r')
			len--;
		check_line(line, len);
		nlines++;
	}
	check_build(data, size);
	return 0;
}
