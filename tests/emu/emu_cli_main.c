/* Runs `trustlink chip emulate` alone (argv[1..] are its options), so the
 * command is tested before and independently of the chip command table. */
#include <string.h>

#include "cli/tl_cli.h"

int main(int argc, char **argv)
{
    tl_cli cli;
    memset(&cli, 0, sizeof cli);
    return tl_cli_cmd_chip_emulate(&cli, "trustlink chip emulate", argc - 1, argv + 1);
}
