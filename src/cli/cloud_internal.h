/*
 * Internals of `trustlink cloud` shared by cmd_cloud.c, cloud_home.c and
 * cloud_proc.c: the cloud directory and the broker process.
 *
 * The cloud directory (mode 0700) holds:
 *   ca.key ca.pem            the CA (key 0600), made once, never regenerated
 *   server.key server.pem    the broker's and the API's certificate
 *   credentials              the API's access keys, in the AWS shared
 *                            credentials format (0600): the admin's first,
 *                            then `cloud users` (src/cloud/tl_api_iam.h);
 *                            credentials.lock serializes their changes
 *   registry.db              the SQLite registry (tl_registry)
 *   cloud.state              ports and endpoint of the last start
 *   mosquitto.conf           regenerated on every start (tl_cloud_conf)
 *   mosquitto.pid            the broker's pid while it runs
 *   mosquitto.log            the broker's log; mosquitto.out its stderr
 *   api.pid api.log          the API server process (cloud_api.c)
 */
#ifndef TL_CLI_CLOUD_INTERNAL_H
#define TL_CLI_CLOUD_INTERNAL_H

#include <stddef.h>
#include <sys/types.h>

#include "tl_cli.h"

#define TL_CLOUD_PATH_MAX 3800
#define TL_CLOUD_DEFAULT_DIR "trustlink-cloud"
#define TL_CLOUD_DEFAULT_MQTT 8883
#define TL_CLOUD_DEFAULT_API 8443
#define TL_CLOUD_START_WAIT_MS 5000
#define TL_CLOUD_STOP_WAIT_MS 5000

/* What a start records and status reads back. */
typedef struct {
    unsigned mqtt_port;
    unsigned api_port;
    char endpoint[254];
} tl_cli_cloud_state;

/* DIR from --dir, $TRUSTLINK_CLOUD_DIR or ./trustlink-cloud (not made
 * absolute; the directory may not exist yet). */
const char *tl_cli_cloud_dir_arg(const char *opt);

/* path = dir/name; -1 (with err) if it does not fit. */
int tl_cli_cloud_path(char *path, size_t cap, const char *dir, const char *name);

/*
 * Create the directory and everything in it that is missing (CA, server
 * certificate for endpoint, credentials, registry), never replacing what
 * exists. *created says whether the CA was made now. abs receives the
 * absolute directory path. 0, or -1 with err.
 */
int tl_cli_cloud_init(const char *dir, const char *endpoint, char *abs, size_t abscap,
                      int *created, char *err, size_t errcap);

/* A new random access key pair shaped like AWS's (AKIA...). 0, or -1 if the
 * random number generator failed. */
int tl_cli_cloud_new_key(char id[21], char secret[41]);

/* Read the admin's access key pair (the first) from dir/credentials. 0 or -1
 * with err. */
int tl_cli_cloud_read_creds(const char *dir, char *key_id, size_t idcap, char *secret,
                            size_t secretcap, char *err, size_t errcap);

/* Write / read dir/cloud.state. Reading fills defaults when absent. */
int tl_cli_cloud_write_state(const char *dir, const tl_cli_cloud_state *s, char *err,
                             size_t errcap);
void tl_cli_cloud_read_state(const char *dir, tl_cli_cloud_state *s);

/* The broker's pid if dir/mosquitto.pid names a live mosquitto process, else
 * 0 (a stale pid file is removed). */
pid_t tl_cli_cloud_running(const char *dir);

/* 1 if something accepts TCP connections on 127.0.0.1:port. */
int tl_cli_cloud_port_answers(unsigned port);

/*
 * Where the trustlink Mosquitto plugin is: $TRUSTLINK_PLUGIN, else
 * trustlink_plugin.so beside the trustlink program (the build directory).
 * 0, or -1 with a message in err.
 */
int tl_cli_cloud_plugin_path(char *path, size_t cap, char *err, size_t errcap);

/* 1 if 127.0.0.1:port can be bound (nobody listens there). */
int tl_cli_cloud_port_free(unsigned port);

/*
 * Start the broker on dir/mosquitto.conf, write the pid file and wait until
 * port answers. Returns the pid, or -1 with err (which then ends with the
 * last lines of the broker's log).
 */
pid_t tl_cli_cloud_start_broker(const char *dir, unsigned port, char *err, size_t errcap);

/* SIGTERM pid, wait for it to go, SIGKILL after the wait. 0 if it stopped on
 * SIGTERM, 1 if it had to be killed. Removes the pid file. */
int tl_cli_cloud_stop_broker(const char *dir, pid_t pid);

/* Print "key": "escaped value" followed by sep, on stdout. */
void tl_cli_cloud_json_str(const char *key, const char *val, const char *sep);

/* The API server process (cloud_api.c): pid if dir/api.pid names a live
 * trustlink process, else 0; start it (writes api.pid, waits until the port
 * answers; pid or -1 with err); stop it (SIGTERM, SIGKILL after the wait; 1
 * if it had to be killed); and the `cloud api` leaf. */
pid_t tl_cli_cloud_api_running(const char *dir);
pid_t tl_cli_cloud_start_api(const char *dir, unsigned port, char *err, size_t errcap);
int tl_cli_cloud_stop_api(const char *dir);
int tl_cli_cloud_cmd_api(tl_cli *cli, const char *prog, int argc, char **argv);

/* trustlink cloud users add|list|remove (cmd_cloud_users.c). */
extern const tl_cli_cmd tl_cli_cloud_user_cmds[];

/* The leaves in cmd_cloud_ca.c. */
int tl_cli_cloud_cmd_init(tl_cli *cli, const char *prog, int argc, char **argv);
int tl_cli_cloud_cmd_sign_csr(tl_cli *cli, const char *prog, int argc, char **argv);

#endif
