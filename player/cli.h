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
int cmd_sync(int argc, char **argv);     /* sync.c */
int cmd_export(int argc, char **argv);   /* bundle.c */
int cmd_import(int argc, char **argv);   /* bundle.c */
int cmd_check(int argc, char **argv);    /* check.c */
int cmd_new(int argc, char **argv);      /* newlesson.c */
int cmd_keygen(int argc, char **argv);   /* sign.c */
int cmd_sign(int argc, char **argv);     /* sign.c */
int cmd_verify(int argc, char **argv);   /* sign.c */
int cmd_trust(int argc, char **argv);    /* sign.c */
int cmd_diff(int argc, char **argv);     /* patch.c */
int cmd_apply(int argc, char **argv);    /* patch.c */

#endif
