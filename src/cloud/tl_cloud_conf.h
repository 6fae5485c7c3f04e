/*
 * tl_cloud_conf: the mosquitto.conf that `trustlink cloud start` writes
 * (host side, C11).
 *
 * One function renders the broker's configuration for a cloud directory, so
 * that the CLI and the broker plugin's tests produce the same file. The
 * broker listens on 127.0.0.1 only, requires a client certificate from the
 * cloud's CA, and speaks TLS 1.2 or later. Without a plugin it lets every
 * certificate holder in (allow_anonymous true); with a plugin path, the
 * plugin loads with the registry database and takes over authentication and
 * authorization.
 */
#ifndef TL_CLOUD_CONF_H
#define TL_CLOUD_CONF_H

#include <stddef.h>

typedef struct {
    const char *dir;          /* absolute cloud directory (no trailing slash) */
    unsigned mqtt_port;       /* 1..65535 */
    const char *plugin_path;  /* the trustlink Mosquitto plugin, or NULL */
    const char *user;         /* the `user` option, or NULL: a broker started
                                 as root otherwise switches to the user
                                 "mosquitto", who cannot read the 0600 keys */
} tl_cloud_conf;

/*
 * Render mosquitto.conf into out (NUL-terminated). Returns its length, or -1
 * if the directory name cannot be used (empty, relative, containing a line
 * break) or the output does not fit.
 */
long tl_cloud_conf_render(const tl_cloud_conf *c, char *out, size_t cap);

#endif
