/* cli: the `outpost` command line. `outpost [options] [LESSON|FOLDER]` opens
 * the player; `outpost COMMAND ...` runs a tool. Every command prints its
 * errors on stderr as "outpost: FILE: reason" and exits non-zero on failure;
 * `outpost help COMMAND` documents each. */
#ifndef OUTPOST_CLI_H
#define OUTPOST_CLI_H

int cli_main(int argc, char **argv);

/* Commands, each in the file of its subsystem. argv[0] is the command name.
 * They return the process exit status (0 ok, 1 failure, 2 usage error). */
int cmd_pack(int argc, char **argv);     /* pack.c */
int cmd_progress(int argc, char **argv); /* store.c */

#endif
