/* pack: not written yet. */
#include "util.h"
#include "cli.h"
int cmd_pack(int argc, char **argv) { (void)argc; (void)argv; return 1; }
