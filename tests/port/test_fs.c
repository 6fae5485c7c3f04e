/* tl_fs: whole-file reads with a size limit, atomic replacement. */
#define _POSIX_C_SOURCE 200809L
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <dirent.h>
#include <cmocka.h>

#include "port/tl_fs.h"

static char dir[64];

static int setup(void **state)
{
    (void)state;
    strcpy(dir, "/tmp/tl_fs_test.XXXXXX");
    return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
    char cmd[128];
    (void)state;
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd);
}

static void test_write_then_read(void **state)
{
    char path[128], buf[64], err[256];
    struct stat st;
    (void)state;
    snprintf(path, sizeof path, "%s/a.json", dir);
    assert_int_equal(tl_fs_exists(path), 0);
    assert_int_equal(tl_fs_write_atomic(path, "first", 5, err, sizeof err), 0);
    assert_int_equal(tl_fs_read(path, buf, sizeof buf, err, sizeof err), 5);
    assert_string_equal(buf, "first");
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    assert_int_equal(tl_fs_write_atomic(path, "second!", 7, err, sizeof err), 0);
    assert_int_equal(tl_fs_read(path, buf, sizeof buf, err, sizeof err), 7);
    assert_string_equal(buf, "second!");
}

static void test_no_temp_files_left(void **state)
{
    char path[128], err[256];
    DIR *d;
    struct dirent *de;
    int n = 0;
    (void)state;
    snprintf(path, sizeof path, "%s/b.json", dir);
    assert_int_equal(tl_fs_write_atomic(path, "x", 1, err, sizeof err), 0);
    d = opendir(dir);
    assert_non_null(d);
    while ((de = readdir(d)) != NULL)
        if (strstr(de->d_name, ".tmp."))
            n++;
    closedir(d);
    assert_int_equal(n, 0);
}

static void test_failures_keep_the_old_file(void **state)
{
    char path[128], buf[64], err[256];
    (void)state;
    /* A directory that does not exist: clear error, nothing created. */
    snprintf(path, sizeof path, "%s/missing/c.json", dir);
    assert_int_equal(tl_fs_write_atomic(path, "x", 1, err, sizeof err), -1);
    assert_non_null(strstr(err, "cannot create"));
    assert_non_null(strstr(err, "No such file or directory"));
    /* The target is a directory: rename fails, the temp file is removed. */
    snprintf(path, sizeof path, "%s/sub", dir);
    assert_int_equal(mkdir(path, 0700), 0);
    assert_int_equal(tl_fs_write_atomic(path, "x", 1, err, sizeof err), -1);
    assert_non_null(strstr(err, "cannot replace"));
    snprintf(path, sizeof path, "%s/d.json", dir);
    assert_int_equal(tl_fs_write_atomic(path, "keep", 4, err, sizeof err), 0);
    /* Reads: missing file and a file over the limit. */
    snprintf(path, sizeof path, "%s/none", dir);
    assert_int_equal(tl_fs_read(path, buf, sizeof buf, err, sizeof err), -1);
    assert_non_null(strstr(err, "cannot open"));
    snprintf(path, sizeof path, "%s/d.json", dir);
    assert_int_equal(tl_fs_read(path, buf, 4, err, sizeof err), -2);
    assert_non_null(strstr(err, "file too large (limit 3 bytes)"));
    assert_int_equal(tl_fs_read(path, buf, 5, err, sizeof err), 4);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_write_then_read),
        cmocka_unit_test(test_no_temp_files_left),
        cmocka_unit_test(test_failures_keep_the_old_file),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
