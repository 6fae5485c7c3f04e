/*
 * The one jsmn instantiation of the device code. jsmn is header-only and
 * gcc inlines it into whoever includes it with JSMN_STATIC, so every module
 * that did so carried its own copy; they all call this instead.
 */
#define JSMN_STATIC
#define JSMN_STRICT
#include <jsmn.h>

#include "tl_json.h"

int tl_json_tokenize(const char *js, size_t len, jsmntok_t *tok, unsigned cap,
                     size_t *stop)
{
    jsmn_parser p;
    int n;
    jsmn_init(&p);
    n = jsmn_parse(&p, js, len, tok, cap);
    if (stop)
        *stop = p.pos;
    return n;
}
