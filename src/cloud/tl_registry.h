/*
 * tl_registry: the local cloud's registry in SQLite (host side, C11).
 *
 * One database file holds what AWS IoT Core's registry holds: certificates
 * (id, PEM, status), things (name, attributes, version), policies (name,
 * document, default version), the attachments between them (policy ->
 * certificate, thing <-> certificate), and Device Shadow documents. The broker
 * plugin and the control-plane API open the same file at the same time: the
 * database runs in WAL mode with a busy timeout, and every write is one
 * IMMEDIATE transaction, so a reader never sees half of an operation.
 *
 * Every statement is prepared with bound parameters; no SQL is ever built
 * from input. Names are checked against AWS's rules before they reach the
 * database (thing names [a-zA-Z0-9:_-]{1,128}, policy names
 * [\w+=,.@-]{1,128}).
 *
 * Each operation returns a tl_registry_status. Failures also leave a message
 * that reads like AWS's in tl_registry_message(); tl_registry_error_name()
 * gives the AWS exception name the API puts in x-amzn-ErrorType.
 *
 * Naming: tl_registry_<noun>_<verb>. Results that carry text are malloc'd
 * and freed with the matching *_free function. Lists are ordered by id or
 * name and paged like AWS's: pass the `next` marker of one page as `after`
 * of the next (NULL or "" for the first page; one buffer may serve as both);
 * `next` comes back empty on the last page.
 *
 * Principals and targets: wherever AWS takes a certificate ARN
 * (arn:aws:iot:REGION:ACCOUNT:cert/ID), the registry takes either that ARN
 * or the bare 64-hex-digit id, and stores the id.
 */
#ifndef TL_REGISTRY_H
#define TL_REGISTRY_H

#include <stddef.h>

#define TL_REGISTRY_ID_LEN 64          /* certificate id, hex digits */
#define TL_REGISTRY_NAME_MAX 128       /* thing and policy names */
#define TL_REGISTRY_SHADOW_NAME_MAX 64 /* named shadows */
#define TL_REGISTRY_POLICY_DOC_MAX 20480
#define TL_REGISTRY_ATTRS_MAX 50       /* attributes per thing */
#define TL_REGISTRY_PAGE_MAX 250       /* AWS's largest maxResults */
#define TL_REGISTRY_BUSY_MS 5000

typedef enum {
    TL_REG_OK = 0,
    TL_REG_ALREADY_EXISTS,   /* ResourceAlreadyExistsException (409) */
    TL_REG_NOT_FOUND,        /* ResourceNotFoundException (404) */
    TL_REG_INVALID,          /* InvalidRequestException (400) */
    TL_REG_DELETE_CONFLICT,  /* DeleteConflictException (409) */
    TL_REG_CERT_STATE,       /* CertificateStateException (406) */
    TL_REG_VERSION_CONFLICT, /* VersionConflictException (409) */
    TL_REG_INTERNAL          /* InternalFailureException (500): SQLite failed */
} tl_registry_status;

typedef enum {
    TL_CERT_ACTIVE = 0,
    TL_CERT_INACTIVE,
    TL_CERT_REVOKED,
    TL_CERT_PENDING_TRANSFER
} tl_registry_cert_status;

typedef struct tl_registry tl_registry;

/* --- database ---------------------------------------------------------- */

/*
 * Open (creating if needed) the registry at path and bring its schema up to
 * date. Returns TL_REG_OK with *out set, or an error with a message in err.
 */
tl_registry_status tl_registry_open(tl_registry **out, const char *path,
                                    char *err, size_t errcap);
void tl_registry_close(tl_registry *r);

/* The message of the last failed operation on r ("" after a success). */
const char *tl_registry_message(const tl_registry *r);

/* AWS's exception name for a status ("ResourceNotFoundException", ...),
 * and the HTTP status AWS uses with it. */
const char *tl_registry_error_name(tl_registry_status st);
int tl_registry_http_status(tl_registry_status st);

/* "ACTIVE", "INACTIVE", ... and back (-1 for an unknown word). */
const char *tl_registry_cert_status_name(tl_registry_cert_status s);
int tl_registry_cert_status_parse(const char *word);

/* 1 if name is a valid thing name / policy name / shadow name, else 0. */
int tl_registry_valid_thing_name(const char *name);
int tl_registry_valid_policy_name(const char *name);
int tl_registry_valid_shadow_name(const char *name);

/* Certificate id from an ARN or a bare id (lowercased); 0 or -1 if it is
 * neither. */
int tl_registry_parse_cert_principal(const char *principal, char id[TL_REGISTRY_ID_LEN + 1]);

/* --- certificates (tl_registry_certs.c) -------------------------------- */

typedef struct {
    char id[TL_REGISTRY_ID_LEN + 1];
    tl_registry_cert_status status;
    long long created;         /* Unix seconds */
    long long updated;
    char *pem;                 /* NULL in list results */
} tl_registry_cert;

/* Register a certificate with its id (from tl_ca_cert_id) and PEM. */
tl_registry_status tl_registry_cert_create(tl_registry *r, const char *id, const char *pem,
                                           tl_registry_cert_status status);
tl_registry_status tl_registry_cert_describe(tl_registry *r, const char *id,
                                             tl_registry_cert *out);
void tl_registry_cert_free(tl_registry_cert *c);

/*
 * UpdateCertificate. AWS's rules: a REVOKED certificate stays revoked
 * (CertificateStateException), and PENDING_TRANSFER cannot be set here.
 */
tl_registry_status tl_registry_cert_update_status(tl_registry *r, const char *id,
                                                  tl_registry_cert_status status);

/*
 * DeleteCertificate: refused while the certificate is ACTIVE
 * (CertificateStateException) or while policies or things are attached to it
 * (DeleteConflictException).
 */
tl_registry_status tl_registry_cert_delete(tl_registry *r, const char *id);

/* ListCertificates, in id order. *items is malloc'd (free with
 * tl_registry_cert_list_free); next has room for TL_REGISTRY_ID_LEN + 1. */
tl_registry_status tl_registry_cert_list(tl_registry *r, const char *after, int limit,
                                         tl_registry_cert **items, size_t *n, char *next);
void tl_registry_cert_list_free(tl_registry_cert *items, size_t n);

/* Counts for `cloud status`. */
tl_registry_status tl_registry_count(tl_registry *r, long *things, long *certs,
                                     long *policies);

/*
 * What the broker needs when a certificate connects: its status, the names
 * of the things attached to it and the policies attached to it with their
 * documents. TL_REG_NOT_FOUND for an unknown certificate.
 */
typedef struct {
    char id[TL_REGISTRY_ID_LEN + 1];
    tl_registry_cert_status status;
    char **things;              /* nthings names */
    size_t nthings;
    char **policy_names;        /* npolicies names, with... */
    char **policy_documents;    /* ...their default documents */
    size_t npolicies;
} tl_registry_principal;

tl_registry_status tl_registry_principal_lookup(tl_registry *r, const char *cert_id,
                                                tl_registry_principal *out);
void tl_registry_principal_free(tl_registry_principal *p);

/* --- things (tl_registry_things.c, tl_registry_principals.c) ---------- */

typedef struct {
    char *name;
    char *attributes;          /* JSON object of string values, "{}" if none */
    long long version;         /* starts at 1, +1 per update */
    long long created;
} tl_registry_thing;

/*
 * CreateThing. attributes is NULL or a JSON object whose values are strings
 * (at most TL_REGISTRY_ATTRS_MAX). Creating a thing that exists with the
 * same attributes succeeds (AWS makes CreateThing idempotent); with other
 * attributes it is ResourceAlreadyExistsException.
 */
tl_registry_status tl_registry_thing_create(tl_registry *r, const char *name,
                                            const char *attributes);
tl_registry_status tl_registry_thing_describe(tl_registry *r, const char *name,
                                              tl_registry_thing *out);
void tl_registry_thing_free(tl_registry_thing *t);

/*
 * UpdateThing's attributePayload: replace the attributes, or with merge set
 * add them to the existing ones, an empty string value removing a key.
 * expected_version < 0 means any version (else VersionConflictException).
 */
tl_registry_status tl_registry_thing_update(tl_registry *r, const char *name,
                                            const char *attributes, int merge,
                                            long long expected_version);

/*
 * DeleteThing: deleting a thing that does not exist succeeds (as on AWS); a
 * thing with principals attached is refused (InvalidRequestException). Its
 * shadows go with it.
 */
tl_registry_status tl_registry_thing_delete(tl_registry *r, const char *name,
                                            long long expected_version);

tl_registry_status tl_registry_thing_list(tl_registry *r, const char *after, int limit,
                                          tl_registry_thing **items, size_t *n,
                                          char *next /* TL_REGISTRY_NAME_MAX + 1 */);
void tl_registry_thing_list_free(tl_registry_thing *items, size_t n);

/* AttachThingPrincipal / DetachThingPrincipal (both idempotent on AWS;
 * detaching a pair that is not attached succeeds). */
tl_registry_status tl_registry_thing_attach(tl_registry *r, const char *thing,
                                            const char *principal);
tl_registry_status tl_registry_thing_detach(tl_registry *r, const char *thing,
                                            const char *principal);

/* ListThingPrincipals: the certificate ids (malloc'd array of malloc'd
 * strings, free with tl_registry_strings_free). */
tl_registry_status tl_registry_thing_principals(tl_registry *r, const char *thing,
                                                char ***ids, size_t *n);
/* ListPrincipalThings. */
tl_registry_status tl_registry_principal_things(tl_registry *r, const char *principal,
                                                char ***names, size_t *n);
void tl_registry_strings_free(char **v, size_t n);

/* --- policies (tl_registry_policies.c) --------------------------------- */

typedef struct {
    char *name;
    char *document;
    long long version;         /* the default version id */
    long long created;
    long long updated;
} tl_registry_policy;

/*
 * CreatePolicy. The document is stored as given: checking it is the policy
 * engine's job (the API calls tl_policy first and answers
 * MalformedPolicyException itself).
 */
tl_registry_status tl_registry_policy_create(tl_registry *r, const char *name,
                                             const char *document);
tl_registry_status tl_registry_policy_get(tl_registry *r, const char *name,
                                          tl_registry_policy *out);
void tl_registry_policy_free(tl_registry_policy *p);
/* DeletePolicy: refused while attached (DeleteConflictException). */
tl_registry_status tl_registry_policy_delete(tl_registry *r, const char *name);
tl_registry_status tl_registry_policy_list(tl_registry *r, const char *after, int limit,
                                           char ***names, size_t *n,
                                           char *next /* TL_REGISTRY_NAME_MAX + 1 */);

/* AttachPolicy / DetachPolicy with a certificate target (ARN or id).
 * Attaching twice succeeds, as on AWS; detaching a pair that is not
 * attached succeeds too. */
tl_registry_status tl_registry_policy_attach(tl_registry *r, const char *policy,
                                             const char *target);
tl_registry_status tl_registry_policy_detach(tl_registry *r, const char *policy,
                                             const char *target);
/* ListAttachedPolicies (policy names of a target) and ListTargetsForPolicy
 * (certificate ids of a policy). */
tl_registry_status tl_registry_policy_attached(tl_registry *r, const char *target,
                                               char ***names, size_t *n);
tl_registry_status tl_registry_policy_targets(tl_registry *r, const char *policy,
                                              char ***ids, size_t *n);

/* --- shadows (tl_registry_shadows.c) ----------------------------------- */

/*
 * Shadow storage for the Device Shadow service, which does the merging: the
 * registry only keeps documents and versions. shadow_name "" is the classic
 * shadow. Shadows do not require a registered thing (neither do AWS's).
 */
tl_registry_status tl_registry_shadow_get(tl_registry *r, const char *thing,
                                          const char *shadow_name, char **document,
                                          long long *version, long long *updated);

/*
 * Store a new document if the stored version is still expected_version (0:
 * the shadow must not exist yet; < 0: any). The new version is the old one
 * + 1 (1 for a new shadow), returned in *new_version.
 */
tl_registry_status tl_registry_shadow_put(tl_registry *r, const char *thing,
                                          const char *shadow_name, const char *document,
                                          long long expected_version, long long *new_version);
/* Delete a shadow; TL_REG_NOT_FOUND if there is none. */
tl_registry_status tl_registry_shadow_delete(tl_registry *r, const char *thing,
                                             const char *shadow_name,
                                             long long *deleted_version);

/* --- outbox (tl_registry_outbox.c) -------------------------------------- */

/*
 * Messages that another process (the HTTP API) wants published on the broker:
 * a shadow updated through REST must reach devices on .../update/delta just
 * as one updated over MQTT does. Only the broker plugin publishes on the
 * reserved shadow topics, so the API queues them here and the plugin drains
 * the queue, in order, on the next tick after the API's commit (see
 * tl_registry_data_version).
 */
tl_registry_status tl_registry_outbox_add(tl_registry *r, const char *topic,
                                          const char *payload);

/* Hand up to max queued messages, oldest first, to fn and remove them. */
typedef void (*tl_registry_outbox_fn)(void *arg, const char *topic, const void *payload,
                                      size_t len);
tl_registry_status tl_registry_outbox_drain(tl_registry *r, size_t max,
                                            tl_registry_outbox_fn fn, void *arg,
                                            size_t *count);

/*
 * A number that differs from the one the previous call on r returned iff
 * another connection (the API, a second plugin, an admin tool) committed to
 * the database in between; r's own commits leave it unchanged (SQLite's
 * PRAGMA data_version, which reads shared memory, not the file). The plugin
 * polls it on every tick and re-reads the registry only when it moved.
 */
tl_registry_status tl_registry_data_version(tl_registry *r, long long *version);

/*
 * Persistent MQTT sessions (the broker plugin's): which certificate opened
 * the session of a client id that asked for one (clean session off), so that
 * after a broker restart, before the client is back, the broker can still
 * decide with its policies whether messages may be queued for it.
 * remember replaces; forget of an unknown id is OK; cert gets
 * TL_REG_NOT_FOUND for an unknown id.
 */
tl_registry_status tl_registry_session_remember(tl_registry *r, const char *client_id,
                                                const char *cert_id);
tl_registry_status tl_registry_session_forget(tl_registry *r, const char *client_id);
tl_registry_status tl_registry_session_cert(tl_registry *r, const char *client_id,
                                            char cert_id[TL_REGISTRY_ID_LEN + 1]);

#endif
