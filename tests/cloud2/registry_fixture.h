/* The registry tests' fixture: a fresh registry file in a temporary
 * directory per test, and small helpers. */
#ifndef TL_TEST_REGISTRY_FIXTURE_H
#define TL_TEST_REGISTRY_FIXTURE_H

#include "cloud/tl_registry.h"

#define PEM "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"
#define ARN "arn:aws:iot:us-east-1:123456789012:cert/"
#define EXPECT(call, status) assert_int_equal((call), (status))

typedef struct {
    char dir[64];
    char db[128];
    tl_registry *r;
} fixture;

int registry_setup(void **state);
int registry_teardown(void **state);
/* A certificate id made of one repeated hex digit. */
const char *cid(char c);
void add_cert(tl_registry *r, const char *id, tl_registry_cert_status st);

#endif
