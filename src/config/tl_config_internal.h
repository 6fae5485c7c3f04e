/* Shared between the files of the config module only (tl_config__ names). */
#ifndef TL_CONFIG_INTERNAL_H
#define TL_CONFIG_INTERNAL_H

#include <limits.h>

#include "tl_config.h"

#define TL_CONFIG__LONG_MIN LONG_MIN
#define TL_CONFIG__LONG_MAX LONG_MAX

/* Each key's tl_config_type. */
extern const uint8_t tl_config__types[TL_CFG__COUNT];

/* Fill err (may be NULL) with status and key, message empty; returns st. */
tl_config_status tl_config__err_key(tl_config_error *err, tl_config_status st,
                                    const char *key);

/* The same with the message m1 m2 m3. Without messages the sentences (and
 * whatever computes their parts) are compiled out. */
#if TL_CONFIG_MESSAGES
tl_config_status tl_config__err(tl_config_error *err, tl_config_status st,
                                const char *key, const char *m1, const char *m2,
                                const char *m3);
#else
#define tl_config__err(err, st, key, m1, m2, m3) tl_config__err_key((err), (st), (key))
#endif

/*
 * Check text[0..len), the text form of a value of key k ("60", "true", a
 * string's bytes), against the schema and, if cfg is not NULL, store it as
 * layer `layer`. With cfg NULL it only validates: the JSON loader's first
 * pass. Every way of setting a value ends here, defaults included.
 */
tl_config_status tl_config__put(tl_config *cfg, tl_config_key k, const char *text,
                                size_t len, tl_config_layer layer,
                                tl_config_error *err);

/* Fill err for a name that is no key, with a "did you mean" hint. */
#if TL_CONFIG_MESSAGES
tl_config_status tl_config__unknown(tl_config_error *err, const char *name);
#else
#define tl_config__unknown(err, name) \
    tl_config__err_key((err), TL_CONFIG_ERR_UNKNOWN_KEY, (name))
#endif

#endif
