/* tl_cloud_conf: the generated mosquitto.conf, with and without the plugin,
 * and the paths it refuses. (test_cloud_broker.sh runs it in a real broker.) */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "cloud/tl_cloud_conf.h"

static void test_without_plugin(void **state)
{
    tl_cloud_conf c = { "/srv/cloud", 8883, NULL, NULL };
    char out[8192];
    long n = tl_cloud_conf_render(&c, out, sizeof out);
    (void)state;
    assert_true(n > 0);
    assert_int_equal((size_t)n, strlen(out));
    assert_non_null(strstr(out, "\nlistener 8883 127.0.0.1\n"));
    assert_non_null(strstr(out, "\ncafile /srv/cloud/ca.pem\n"));
    assert_non_null(strstr(out, "\ncertfile /srv/cloud/server.pem\n"));
    assert_non_null(strstr(out, "\nkeyfile /srv/cloud/server.key\n"));
    assert_non_null(strstr(out, "\nrequire_certificate true\n"));
    assert_non_null(strstr(out, "\ntls_version tlsv1.2\n"));
    assert_non_null(strstr(out, "\nset_tcp_nodelay true\n"));
    assert_non_null(strstr(out, "\nallow_anonymous true\n"));
    assert_non_null(strstr(out, "\npersistence true\n"));
    assert_non_null(strstr(out, "\npersistence_location /srv/cloud/\n"));
    assert_non_null(strstr(out, "\nlog_dest file /srv/cloud/mosquitto.log\n"));
    assert_non_null(strstr(out, "\n# plugin <path to the trustlink plugin>\n"));
    assert_null(strstr(out, "\nplugin "));
    assert_null(strstr(out, "\nuser "));
}

static void test_with_plugin_and_user(void **state)
{
    tl_cloud_conf c = { "/srv/cloud", 18883, "/opt/tl/trustlink_plugin.so", "alice" };
    char out[8192];
    (void)state;
    assert_true(tl_cloud_conf_render(&c, out, sizeof out) > 0);
    assert_non_null(strstr(out, "\nplugin /opt/tl/trustlink_plugin.so\n"));
    assert_non_null(strstr(out, "\nplugin_opt_database /srv/cloud/registry.db\n"));
    assert_non_null(strstr(out, "\nallow_anonymous false\n"));
    assert_non_null(strstr(out, "\nuser alice\n"));
    assert_non_null(strstr(out, "\nlistener 18883 127.0.0.1\n"));
}

static void test_refusals(void **state)
{
    char out[8192], small[64];
    tl_cloud_conf ok = { "/srv/cloud", 8883, NULL, NULL };
    tl_cloud_conf relative = { "srv/cloud", 8883, NULL, NULL };
    tl_cloud_conf newline = { "/srv/x\nplugin /evil.so", 8883, NULL, NULL };
    tl_cloud_conf port0 = { "/srv/cloud", 0, NULL, NULL };
    tl_cloud_conf bigport = { "/srv/cloud", 65536, NULL, NULL };
    tl_cloud_conf badplugin = { "/srv/cloud", 8883, "rel.so", NULL };
    tl_cloud_conf baduser = { "/srv/cloud", 8883, NULL, "a b" };
    (void)state;
    assert_int_equal(tl_cloud_conf_render(&relative, out, sizeof out), -1);
    assert_int_equal(tl_cloud_conf_render(&newline, out, sizeof out), -1);
    assert_int_equal(tl_cloud_conf_render(&port0, out, sizeof out), -1);
    assert_int_equal(tl_cloud_conf_render(&bigport, out, sizeof out), -1);
    assert_int_equal(tl_cloud_conf_render(&badplugin, out, sizeof out), -1);
    assert_int_equal(tl_cloud_conf_render(&baduser, out, sizeof out), -1);
    assert_int_equal(tl_cloud_conf_render(&ok, small, sizeof small), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_without_plugin),
        cmocka_unit_test(test_with_plugin_and_user),
        cmocka_unit_test(test_refusals),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
