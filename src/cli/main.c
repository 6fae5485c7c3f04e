/* trustlink: entry point and the top-level command table. */
#include <stdio.h>
#include <string.h>

#include "tl_cli.h"

#ifndef TL_VERSION
#define TL_VERSION "0.0.0"
#endif

static const tl_cli_cmd top[] = {
    { "config", "show, get and set the device configuration", NULL, tl_cli_config_cmds },
    { "chip", "talk to the ATECC508A/608A secure element (or its emulator)", NULL, tl_cli_chip_cmds },
    { "cloud", "run the local AWS-IoT-compatible cloud", NULL, tl_cli_cloud_cmds },
    { "mqtt", "publish and subscribe through the device stack", NULL, tl_cli_mqtt_cmds },
    { "shadow", "get, update, delete and watch the device's shadow over MQTT", NULL,
      tl_cli_shadow_cmds },
    { "aws-iot-setup", "provision: find the chip, key, certificate, thing, policy, config",
      tl_cli_cmd_aws_iot_setup, NULL },
    { "agent", "run the device: shadow sync, telemetry, reconnects", tl_cli_cmd_agent, NULL },
    { NULL, NULL, NULL, NULL }
};

int main(int argc, char **argv)
{
    tl_cli cli;
    memset(&cli, 0, sizeof cli);
    if (argc >= 2 && strcmp(argv[1], "--version") == 0) {
        printf("trustlink %s\n", TL_VERSION);
        return TL_CLI_EXIT_OK;
    }
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        fputs("trustlink: secure IoT connectivity with an ATECC508A/608A secure element\n\n",
              stdout);
        tl_cli_print_commands("trustlink", top);
        fputs("\nOptions:\n"
              "  --version          print the version and exit\n"
              "  -h, --help         show this help\n"
              "  --config FILE      device config (default $TRUSTLINK_CONFIG, else ./trustlink.json)\n"
              "  --set KEY=VALUE    override a config value for this run (repeatable)\n"
              "  --json             print data as JSON\n", stdout);
        return argc < 2 ? TL_CLI_EXIT_USAGE : TL_CLI_EXIT_OK;
    }
    return tl_cli_dispatch(&cli, "trustlink", top, argc - 1, argv + 1);
}
