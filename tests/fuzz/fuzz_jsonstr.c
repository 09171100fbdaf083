/*
 * json_quote() on arbitrary bytes (no terminator, so an overread traps):
 * the output is exactly as long as returned and is one JSON string of
 * strict syntax, nothing raw below 0x20 nor DEL nor a C1 control, in
 * valid UTF-8; it decodes back to the input whenever the input was valid
 * UTF-8, a short buffer gets a NUL-terminated prefix of it, and
 * json_write_string() writes the same bytes for the input as a C string.
 * The UTF-8 and JSON checkers here are written apart from src/jsonstr.c.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "jsonstr.h"
#include "fuzz.h"

/* The code point at s[0..n) and its length in *len, or -1 if invalid. */
static long
utf8_decode(const unsigned char *s, size_t n, size_t *len)
{
	static const long min[] = { 0, 0, 0x80, 0x800, 0x10000 };
	size_t k, i;
	long cp;

	if (s[0] < 0x80)
		k = 1, cp = s[0];
	else if ((s[0] & 0xe0) == 0xc0)
		k = 2, cp = s[0] & 0x1f;
	else if ((s[0] & 0xf0) == 0xe0)
		k = 3, cp = s[0] & 0x0f;
	else if ((s[0] & 0xf8) == 0xf0)
		k = 4, cp = s[0] & 0x07;
	else
		return -1;
	if (k > n)
		return -1;
	for (i = 1; i < k; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return -1;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if (cp < min[k] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return -1;
	*len = k;
	return cp;
}

static int
utf8_valid(const unsigned char *s, size_t n)
{
	size_t i, k;

	for (i = 0; i < n; i += k)
		if (utf8_decode(s + i, n - i, &k) < 0)
			return 0;
	return 1;
}

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * Check that q[0..n) is one JSON string and decode it into out (room
 * for n bytes: no escape decodes to more than it takes); return the
 * decoded length.
 */
static size_t
json_decode(const unsigned char *q, size_t n, unsigned char *out)
{
	size_t i, k, o = 0;
	long v;
	int j, h;

	CHECK(n >= 2 && q[0] == '"' && q[n - 1] == '"');
	for (i = 1; i < n - 1; i += k) {
		CHECK(q[i] >= 0x20 && q[i] != 0x7f && q[i] != '"');
		if (q[i] != '\\') {
			v = utf8_decode(q + i, n - 1 - i, &k);
			CHECK(v >= 0);
			CHECK(v < 0x80 || v > 0x9f);
			memcpy(out + o, q + i, k);
			o += k;
			continue;
		}
		CHECK(i + 1 < n - 1);
		k = 2;
		switch (q[i + 1]) {
		case '"': case '\\': case '/':
			out[o++] = q[i + 1];
			continue;
		case 'b': out[o++] = '\b'; continue;
		case 'f': out[o++] = '\f'; continue;
		case 'n': out[o++] = '\n'; continue;
		case 'r': out[o++] = '\r'; continue;
		case 't': out[o++] = '\t'; continue;
		case 'u': break;
		default: CHECK(!"a valid escape");
		}
		CHECK(i + 6 <= n - 1);
		for (v = 0, j = 2; j < 6; j++) {
			CHECK((h = hexval(q[i + j])) >= 0);
			v = v * 16 + h;
		}
		k = 6;
		/* only controls are escaped, so never a surrogate */
		CHECK(v < 0x20 || (v >= 0x7f && v <= 0x9f));
		if (v < 0x80)
			out[o++] = (unsigned char)v;
		else {
			out[o++] = (unsigned char)(0xc0 | v >> 6);
			out[o++] = (unsigned char)(0x80 | (v & 0x3f));
		}
	}
	return o;
}

static void
check_stream(const uint8_t *data, size_t size)
{
	char *s = fuzz_strndup(data, size), *want, *got = NULL;
	size_t len = strlen(s), n, glen = 0;
	FILE *f;

	want = malloc(JSON_QUOTE_SIZE(len));
	CHECK(want != NULL);
	n = json_quote(want, JSON_QUOTE_SIZE(len), s, len);
	CHECK((f = open_memstream(&got, &glen)) != NULL);
	json_write_string(f, s);
	CHECK(fclose(f) == 0);
	CHECK(glen == n && memcmp(got, want, n) == 0);
	free(got);
	free(want);
	free(s);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *in = fuzz_memdup(data, size), *out, *small;
	unsigned char *dec;
	size_t n, k, d;

	n = json_quote(NULL, 0, in, size);
	CHECK(n + 1 <= JSON_QUOTE_SIZE(size));
	CHECK((out = malloc(n + 1)) != NULL);
	CHECK(json_quote(out, n + 1, in, size) == n);
	CHECK(strlen(out) == n);
	CHECK(utf8_valid((const unsigned char *)out, n));
	CHECK((dec = malloc(n)) != NULL);
	d = json_decode((const unsigned char *)out, n, dec);
	if (utf8_valid(data, size))
		CHECK(d == size && memcmp(dec, data, size) == 0);

	/* a buffer of k bytes, k taken from the input, exactly allocated */
	k = size > 0 ? data[size - 1] % (n + 2) : 0;
	small = k > 0 ? malloc(k) : NULL;
	CHECK(k == 0 || small != NULL);
	CHECK(json_quote(small, k, in, size) == n);
	if (k > 0) {
		CHECK(strlen(small) == (k - 1 < n ? k - 1 : n));
		CHECK(memcmp(small, out, strlen(small)) == 0);
	}

	check_stream(data, size);
	free(small);
	free(dec);
	free(out);
	free(in);
	return 0;
}
