/* The registry tests' fixture (registry_fixture.h). */
#define _XOPEN_SOURCE 700
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "registry_fixture.h"

int registry_setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    char err[256];
    assert_non_null(f);
    strcpy(f->dir, "/tmp/tl_registry_XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    snprintf(f->db, sizeof f->db, "%s/registry.db", f->dir);
    assert_int_equal(tl_registry_open(&f->r, f->db, err, sizeof err), TL_REG_OK);
    *state = f;
    return 0;
}

int registry_teardown(void **state)
{
    fixture *f = *state;
    char cmd[200];
    tl_registry_close(f->r);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->dir);
    assert_int_equal(system(cmd), 0);
    free(f);
    return 0;
}

const char *cid(char c)
{
    static char ids[16][65];
    static int next;
    char *id = ids[next++ % 16];
    memset(id, c, 64);
    id[64] = '\0';
    return id;
}

void add_cert(tl_registry *r, const char *id, tl_registry_cert_status st)
{
    assert_int_equal(tl_registry_cert_create(r, id, PEM, st), TL_REG_OK);
}

