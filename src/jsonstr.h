/*
 * JSON string literals from arbitrary bytes: always valid JSON and valid
 * UTF-8, whatever a command line or a file name holds.
 */
#ifndef JSONSTR_H
#define JSONSTR_H

#include <stddef.h>
#include <stdio.h>

/* Room json_quote() needs for len bytes: "\u001f" each, quotes, NUL. */
#define JSON_QUOTE_SIZE(len)	((len) * 6 + 3)

size_t	json_quote(char *, size_t, const char *, size_t);
void	json_write_string(FILE *, const char *);

#endif
