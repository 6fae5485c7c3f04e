/*
 * What tools print about the config: the schema as whole entries
 * (tl_config_schema) and the status names. The device code reads the packed
 * tables in tl_config.c instead; in a file of their own, these entries and
 * their strings stay out of a device image that never prints them.
 */
#include "tl_config.h"

static const tl_config_schema_entry schema[TL_CFG__COUNT] = {
/* A device that never prints its schema can drop the descriptions
 * (-DTL_CONFIG_DESCRIPTIONS=0): about 1 KB of flash. */
#if TL_CONFIG_DESCRIPTIONS
#define TL_CONFIG__DESC(d) , d
#else
#define TL_CONFIG__DESC(d)
#endif
#define TL_CONFIG__ROW(id, name, type, def, min, max, desc) \
    { name, TL_CFG_##type, def, min, max TL_CONFIG__DESC(desc) },
    TL_CONFIG_KEYS(TL_CONFIG__ROW)
#undef TL_CONFIG__ROW
};

size_t tl_config_key_count(void) { return TL_CFG__COUNT; }

const tl_config_schema_entry *tl_config_schema(tl_config_key k)
{
    if ((unsigned)k >= (unsigned)TL_CFG__COUNT)
        return NULL;
    return &schema[k];
}

const char *tl_config_status_name(tl_config_status st)
{
    switch (st) {
    case TL_CONFIG_OK: return "ok";
    case TL_CONFIG_ERR_SYNTAX: return "syntax error";
    case TL_CONFIG_ERR_UNKNOWN_KEY: return "unknown key";
    case TL_CONFIG_ERR_TYPE: return "wrong type";
    case TL_CONFIG_ERR_RANGE: return "out of range";
    case TL_CONFIG_ERR_TOO_LONG: return "too long";
    case TL_CONFIG_ERR_DUPLICATE: return "duplicate key";
    case TL_CONFIG_ERR_TOO_BIG: return "too big";
    case TL_CONFIG_ERR_ENCODING: return "bad encoding";
    }
    return "unknown status";
}
