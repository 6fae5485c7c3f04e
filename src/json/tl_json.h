/*
 * tl_json: strict JSON checking and string helpers for device-side code.
 *
 * jsmn (libjsmn-dev) tokenizes JSON without allocating, but even in strict
 * mode it accepts a few things RFC 8259 forbids (missing commas, trailing
 * commas, bad escapes, bad numbers) and it does not say where a document
 * broke. tl_json_check() is a small strict grammar check that runs before
 * jsmn so that every consumer (config, shadow) rejects malformed input the
 * same way and can name the line and column.
 *
 * tl_json_tokenize() is the device's one copy of jsmn (strict mode, no
 * parent links); config and shadow tokenize checked documents with it, so
 * the tokenizer is in the image once however many modules parse JSON.
 *
 * The string helpers decode a JSON string token into a caller buffer and
 * encode a C string as a JSON string. Nothing here allocates or keeps state.
 */
#ifndef TL_JSON_H
#define TL_JSON_H

#include <stddef.h>

/* jsmn's token type (jsmntok_t, JSMN_OBJECT ...) without its code: the code
 * is compiled once, in tl_json_tokens.c. Do not include jsmn.h elsewhere:
 * every file must see the same token layout (no JSMN_PARENT_LINKS). */
#ifndef JSMN_H
#define JSMN_HEADER
#include <jsmn.h>
#undef JSMN_HEADER
#endif

/* Why a document was refused. */
typedef enum {
    TL_JSON_OK = 0,
    TL_JSON_ERR_SYNTAX,     /* not valid JSON at the reported position */
    TL_JSON_ERR_DEPTH,      /* nesting deeper than allowed */
    TL_JSON_ERR_UTF8,       /* a string holds invalid UTF-8 */
    TL_JSON_ERR_TRUNCATED   /* the document ends early */
} tl_json_status;

/* Where and why tl_json_check() refused a document. */
typedef struct {
    tl_json_status status;
    size_t offset;          /* byte offset of the offending character */
    const char *what;       /* static text: what was expected or found
                               ("" when built with TL_JSON_MESSAGES 0) */
} tl_json_error;

/* 1 (default): errors say in words what was expected or found. 0 (small
 * device builds): `what` is "" and the sentences are not in the binary; the
 * status and the offset still tell what kind of error and where. */
#ifndef TL_JSON_MESSAGES
#define TL_JSON_MESSAGES 1
#endif

/*
 * Check that js[0..len) is exactly one JSON value (surrounding whitespace
 * allowed) with nesting no deeper than max_depth (objects and arrays count).
 * Strings must be valid UTF-8 without raw control characters and with valid
 * escapes. Returns TL_JSON_OK or fills *err (which may be NULL).
 */
tl_json_status tl_json_check(const char *js, size_t len, unsigned max_depth,
                             tl_json_error *err);

/*
 * Tokenize js[0..len), a document tl_json_check() accepted, into tok[0..cap)
 * with jsmn in strict mode. Returns the number of tokens (tok[0] is the
 * top-level value), JSMN_ERROR_NOMEM if cap tokens are not enough, or
 * another negative JSMN_ERROR_* (for example a bare top-level number).
 * *stop (may be NULL) gets the offset where tokenizing stopped.
 */
int tl_json_tokenize(const char *js, size_t len, jsmntok_t *tok, unsigned cap,
                     size_t *stop);

/* 1-based line and column of a byte offset, for error messages. */
void tl_json_line_col(const char *js, size_t len, size_t offset,
                      unsigned *line, unsigned *col);

/*
 * Decode the body of a JSON string (the text between the quotes, escapes
 * included, already checked by tl_json_check) into out, NUL-terminated.
 * Returns the decoded length, or -1 if it does not fit in cap-1 bytes,
 * or -2 if it would contain a NUL byte (\u0000), which C strings cannot hold.
 */
long tl_json_unescape(const char *s, size_t len, char *out, size_t cap);

/*
 * Encode s as a JSON string with quotes into out, NUL-terminated.
 * Returns the encoded length, or -1 if it does not fit.
 */
long tl_json_escape(const char *s, char *out, size_t cap);

/* Check that s[0..len) is valid UTF-8 (no overlongs, no surrogates). */
int tl_json_utf8_valid(const char *s, size_t len);

#endif
