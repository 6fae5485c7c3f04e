/* Fuzz the API's users and permissions: the credentials file parser (a file
 * anyone with the directory can edit), action patterns against actions, and
 * the route -> action table. Never a crash; a file that parses has the admin
 * first, every user findable by its key, and allow lists that re-validate.
 * Input: line 1 "METHOD PATH", line 2 a pattern, the rest the file. */
#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cloud/tl_api_iam.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *buf = malloc(size + 1), err[512], action[64], arn[1024];
    if (!buf)
        return 0;
    memcpy(buf, data, size);
    buf[size] = '\0';
    char *req = buf, *pat = strchr(req, '\n'), *file = NULL;
    if (pat) {
        *pat++ = '\0';
        file = strchr(pat, '\n');
        if (file)
            *file++ = '\0';
    }
    char *path = strchr(req, ' ');
    if (path) {
        *path++ = '\0';
        if (tl_api_iam_operation(req, path, file, file ? strlen(file) : 0, "us-east-1",
                                 "123456789012", action, sizeof action, arn, sizeof arn) == 0) {
            assert(strncmp(action, "iot:", 4) == 0);
            if (pat)
                (void)tl_api_iam_allows(pat, action);
        }
    }
    if (pat) {
        (void)tl_api_iam_valid_pattern(pat, err, sizeof err);
        (void)tl_api_iam_match(pat, req);
    }
    tl_api_users u;
    if (file && tl_api_users_parse(file, &u, err, sizeof err) == 0) {
        assert(u.n >= 1 && u.v[0].admin && strcmp(u.v[0].allow, "*") == 0);
        for (size_t i = 0; i < u.n; i++) {
            assert(tl_api_users_find(&u, u.v[i].key_id) == &u.v[i]);
            assert(tl_api_iam_valid_name(u.v[i].name));
            assert(i == 0 || (!u.v[i].admin && u.v[i].allow[0]));
        }
        tl_api_users_free(&u);
    }
    free(buf);
    return 0;
}
