/* Shared between the files of the config module only (tl_config__ names). */
#ifndef TL_CONFIG_INTERNAL_H
#define TL_CONFIG_INTERNAL_H

#include <limits.h>

#include "tl_config.h"

#define TL_CONFIG__LONG_MIN LONG_MIN
#define TL_CONFIG__LONG_MAX LONG_MAX

/* Fill err (may be NULL) with status, key and the message m1 m2 m3. */
void (tl_config__err)(tl_config_error *err, tl_config_status st, const char *key,
                      const char *m1, const char *m2, const char *m3);
#if !TL_CONFIG_MESSAGES
/* The sentences (and whatever computes their parts) are compiled out. */
#define tl_config__err(err, st, key, m1, m2, m3) (tl_config__err)((err), (st), (key), NULL, NULL, NULL)
#endif

/* Validate an integer in text form against key k's range. */
tl_config_status tl_config__check_int(tl_config_key k, const char *text,
                                      size_t len, long *out,
                                      tl_config_error *err);

/* Validate a string value for key k (length, UTF-8, no NUL). */
tl_config_status tl_config__check_str(tl_config_key k, const char *s, size_t len,
                                      tl_config_error *err);

/* Store an already validated string value. */
void tl_config__store_str(tl_config *cfg, tl_config_key k, const char *s,
                          size_t len);

#endif
