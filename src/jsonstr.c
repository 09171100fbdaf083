/*
 * Quoting bytes as a JSON string (RFC 8259).  Valid UTF-8 is kept as it
 * is; each invalid sequence (a stray byte, an overlong form, a surrogate,
 * a code point past U+10FFFF, a truncated sequence) becomes one U+FFFD,
 * as the Unicode standard recommends ("maximal subparts"), so the output
 * is always UTF-8 a strict decoder accepts.  Besides what JSON requires
 * (", \ and C0 controls) DEL and the C1 controls are escaped too: a
 * terminal showing the output would act on them.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "jsonstr.h"

/* Longest encoding of one character, plus snprintf's NUL. */
#define CHAR_MAX_OUT	8

/*
 * The length of the valid UTF-8 sequence at s[0..len), or 0 with *bad
 * set to the length of its longest valid prefix (at least 1).
 */
static size_t
utf8_length(const unsigned char *s, size_t len, size_t *bad)
{
	unsigned char lo = 0x80, hi = 0xbf;
	size_t need, i;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		need = 1;
	else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		need = 2;
		if (s[0] == 0xe0)
			lo = 0xa0;	/* below is overlong */
		else if (s[0] == 0xed)
			hi = 0x9f;	/* above are the surrogates */
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		need = 3;
		if (s[0] == 0xf0)
			lo = 0x90;	/* below is overlong */
		else if (s[0] == 0xf4)
			hi = 0x8f;	/* above is past U+10FFFF */
	} else {
		*bad = 1;
		return 0;
	}
	for (i = 1; i <= need; i++) {
		if (i == len || s[i] < lo || s[i] > hi) {
			*bad = i;
			return 0;
		}
		lo = 0x80;
		hi = 0xbf;
	}
	return need + 1;
}

static char
short_escape(unsigned char c)
{
	switch (c) {
	case '"':	return '"';
	case '\\':	return '\\';
	case '\b':	return 'b';
	case '\f':	return 'f';
	case '\n':	return 'n';
	case '\r':	return 'r';
	case '\t':	return 't';
	default:	return '\0';
	}
}

/*
 * Encode the character at s[0..len), len > 0, into out (*outlen bytes,
 * not NUL-terminated); return how many bytes of s it took.
 */
static size_t
json_char(const unsigned char *s, size_t len, char *out, size_t *outlen)
{
	size_t n, bad;
	char e;

	if ((n = utf8_length(s, len, &bad)) == 0) {
		memcpy(out, "\xef\xbf\xbd", 3);
		*outlen = 3;
		return bad;
	}
	if ((e = short_escape(s[0])) != '\0') {
		out[0] = '\\';
		out[1] = e;
		*outlen = 2;
	} else if (s[0] < 0x20 || s[0] == 0x7f)
		*outlen = snprintf(out, CHAR_MAX_OUT, "\\u%04x", s[0]);
	else if (s[0] == 0xc2 && s[1] < 0xa0)	/* U+0080 to U+009F */
		*outlen = snprintf(out, CHAR_MAX_OUT, "\\u%04x", s[1]);
	else {
		memcpy(out, s, n);
		*outlen = n;
	}
	return n;
}

/* Append p[0..n) to dst, keeping room for the NUL; count it all. */
static void
put(char *dst, size_t size, size_t *total, const char *p, size_t n)
{
	for (; n > 0; n--, p++, (*total)++)
		if (*total + 1 < size)
			dst[*total] = *p;
}

/*
 * Write src[0..len) as a JSON string, quotes included, to dst as snprintf
 * would: at most size bytes with a NUL, the length of the whole returned.
 * A NUL in src is escaped like any other control character.
 */
size_t
json_quote(char *dst, size_t size, const char *src, size_t len)
{
	const unsigned char *s = (const unsigned char *)src;
	char one[CHAR_MAX_OUT];
	size_t total = 0, i, n;

	put(dst, size, &total, "\"", 1);
	for (i = 0; i < len; ) {
		i += json_char(s + i, len - i, one, &n);
		put(dst, size, &total, one, n);
	}
	put(dst, size, &total, "\"", 1);
	if (size > 0)
		dst[total < size ? total : size - 1] = '\0';
	return total;
}

/* The same for a C string, straight to a stream. */
void
json_write_string(FILE *f, const char *src)
{
	const unsigned char *s = (const unsigned char *)src;
	char one[CHAR_MAX_OUT];
	size_t len = strlen(src), i, n;

	fputc('"', f);
	for (i = 0; i < len; ) {
		i += json_char(s + i, len - i, one, &n);
		fwrite(one, 1, n, f);
	}
	fputc('"', f);
}
