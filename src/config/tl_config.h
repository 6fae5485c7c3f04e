/*
 * tl_config: the device's layered configuration.
 *
 * Values come in layers, each overriding the one before:
 *   compiled-in defaults (tl_config_keys.h) < config file (JSON) < --set key=value.
 * The schema in tl_config_keys.h declares every key with its type, default,
 * range and description; there are no other keys.
 *
 * A tl_config is a plain struct owned by the caller (about 2.5 KB): values
 * live inside it, strings in a pool sized from the schema at compile time.
 * Nothing allocates. Every change is all-or-nothing: a document or value
 * that fails validation leaves the config exactly as it was, and the error
 * names the key, what was wrong and, for documents, the line and column.
 *
 * JSON documents nest by section, as in {"mqtt": {"keep_alive": 60}};
 * a dotted member name ({"mqtt.keep_alive": 60}) means the same.
 */
#ifndef TL_CONFIG_H
#define TL_CONFIG_H

#include <stddef.h>
#include <stdint.h>

#include "tl_config_keys.h"

/* Limits; override with -D. */
#ifndef TL_CONFIG_MAX_TOKENS
#define TL_CONFIG_MAX_TOKENS 96   /* jsmn tokens per document (on the stack) */
#endif
#ifndef TL_CONFIG_DESCRIPTIONS
#define TL_CONFIG_DESCRIPTIONS 1  /* keep the one-line description of each key
                                     (0: tl_config_schema_entry has no desc) */
#endif
#ifndef TL_CONFIG_MESSAGES
#define TL_CONFIG_MESSAGES 1      /* 0: errors keep status, key, line and column
                                     but no sentence and no "did you mean" */
#endif
#ifndef TL_CONFIG_MAX_DEPTH
#define TL_CONFIG_MAX_DEPTH 4     /* object nesting in a document */
#endif

typedef enum {
    TL_CFG_STR,
    TL_CFG_INT,
    TL_CFG_BOOL
} tl_config_type;

/* Key identifiers: TL_CFG_MQTT_KEEP_ALIVE and so on. */
typedef enum {
#define TL_CONFIG__ENUM(id, name, type, def, min, max, desc) TL_CFG_##id,
    TL_CONFIG_KEYS(TL_CONFIG__ENUM)
#undef TL_CONFIG__ENUM
    TL_CFG__COUNT
} tl_config_key;

/* Bytes of string storage: the sum of (max + 1) over string keys. */
enum {
#define TL_CONFIG__STRSIZE(id, name, type, def, min, max, desc) \
    + (TL_CFG_##type == TL_CFG_STR ? (max) + 1 : 0)
    TL_CONFIG_STRPOOL_SIZE = 0 TL_CONFIG_KEYS(TL_CONFIG__STRSIZE)
#undef TL_CONFIG__STRSIZE
};

/* Where a value came from. */
typedef enum {
    TL_CFG_LAYER_DEFAULT = 0,
    TL_CFG_LAYER_FILE = 1,
    TL_CFG_LAYER_OVERRIDE = 2
} tl_config_layer;

/* One schema entry, as declared in tl_config_keys.h. */
typedef struct {
    const char *name;
    tl_config_type type;
    const char *def;
    long min;
    long max;        /* INT: largest value; STR: longest length in bytes */
#if TL_CONFIG_DESCRIPTIONS
    const char *desc;  /* only in builds that keep the descriptions */
#endif
} tl_config_schema_entry;

typedef struct {
    long ival[TL_CFG__COUNT];              /* INT and BOOL values */
    uint8_t layer[TL_CFG__COUNT];          /* tl_config_layer of each value */
    char strpool[TL_CONFIG_STRPOOL_SIZE];  /* STR values, one slot per key */
} tl_config;

typedef enum {
    TL_CONFIG_OK = 0,
    TL_CONFIG_ERR_SYNTAX,       /* malformed JSON or KEY=VALUE */
    TL_CONFIG_ERR_UNKNOWN_KEY,  /* no such key in the schema */
    TL_CONFIG_ERR_TYPE,         /* value of the wrong type */
    TL_CONFIG_ERR_RANGE,        /* integer out of range */
    TL_CONFIG_ERR_TOO_LONG,     /* string longer than the schema allows */
    TL_CONFIG_ERR_DUPLICATE,    /* the same key twice in one document */
    TL_CONFIG_ERR_TOO_BIG,      /* document or output larger than the limits */
    TL_CONFIG_ERR_ENCODING      /* invalid UTF-8 or a NUL in a string */
} tl_config_status;

/* What went wrong. line/column are 1-based, 0 when not from a document. */
typedef struct {
    tl_config_status status;
    unsigned line;
    unsigned column;
    char key[80];        /* the key concerned, if any */
    char message[200];   /* one sentence, without file name or position */
} tl_config_error;

/* Number of keys and the schema entry of key k (NULL if out of range). */
size_t tl_config_key_count(void);
const tl_config_schema_entry *tl_config_schema(tl_config_key k);

/* Key of a dotted name, or -1. */
int tl_config_find(const char *name);

/*
 * The known key closest to name (edit distance), for "did you mean" hints;
 * NULL if none is reasonably close.
 */
const char *tl_config_suggest(const char *name);

/* Fill cfg with the compiled-in defaults. */
void tl_config_init(tl_config *cfg);

/*
 * Apply a JSON document as layer `layer`. All keys are checked before any is
 * applied. On error, cfg is unchanged and *err says what and where.
 */
tl_config_status tl_config_load_json(tl_config *cfg, const char *json,
                                     size_t len, tl_config_layer layer,
                                     tl_config_error *err);

/* Set one key from its text form ("60", "true", "chip:0") as layer `layer`. */
tl_config_status tl_config_set(tl_config *cfg, const char *name,
                               const char *value, tl_config_layer layer,
                               tl_config_error *err);

/* Parse "key=value" and set it, as tl_config_set. */
tl_config_status tl_config_set_assignment(tl_config *cfg, const char *assignment,
                                          tl_config_layer layer,
                                          tl_config_error *err);

/* Typed access by key id. Strings are never NULL. */
const char *tl_config_str(const tl_config *cfg, tl_config_key k);
long tl_config_int(const tl_config *cfg, tl_config_key k);
int tl_config_bool(const tl_config *cfg, tl_config_key k);
tl_config_layer tl_config_layer_of(const tl_config *cfg, tl_config_key k);

/* Text form of a value ("60", "true", the string itself) into out. */
int tl_config_format(const tl_config *cfg, tl_config_key k, char *out,
                     size_t cap);

/*
 * Write the keys whose layer is at least min_layer as a nested JSON document
 * into out (NUL-terminated, ending in a newline). Returns the length, or -1
 * if out is too small.
 */
long tl_config_write_json(const tl_config *cfg, tl_config_layer min_layer,
                          char *out, size_t cap);

/* Static name of a status, for logs. */
const char *tl_config_status_name(tl_config_status st);

#endif
