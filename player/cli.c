/* cli: see cli.h. */
#include "cli.h"
#include <stdio.h>

int cli_main(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fputs("outpost: not ready\n", stderr);
    return 1;
}
