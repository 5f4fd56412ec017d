/* cli: see cli.h. Parses the player's options and dispatches the tools. */
#include "cli.h"

#include "paths.h"
#include "replay.h"
#include "ui.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *USAGE =
    "Usage: outpost [OPTIONS] [LESSON | FOLDER]\n"
    "       outpost COMMAND [ARGS]\n"
    "\n"
    "Opens the Outpost lesson player. LESSON is a .lesson file or a lesson folder;\n"
    "FOLDER is a folder of lessons, shown as a library. With neither, the library\n"
    "shows the lessons in your data folder.\n"
    "\n"
    "Options:\n"
    "  --headless             draw off-screen; no display is needed\n"
    "  --screenshot FILE.png  draw the page, write it as a PNG picture and exit\n"
    "  --events FILE          replay the input in FILE (see docs/headless.md)\n"
    "  --page N               open the lesson at page N (counting from 1)\n"
    "  --size WxH             window size in points (default 1024x720)\n"
    "  --scale F              HiDPI scale factor (default: from the display)\n"
    "  --data DIR             keep progress and settings in DIR\n"
    "  --learner NAME         study as NAME (added if new), without the learner screen\n"
    "  --seed N               draw quiz numbers from seed N (to replay a quiz exactly)\n"
    "  --stats                print what the last page drew (missing glyphs, problems)\n"
    "  --help, --version\n"
    "\n"
    "Commands:\n"
    "  new DIR                   start a new lesson from a small working example\n"
    "  check DIR|FILE.lesson     report everything the player would trip on\n"
    "  pack DIR -o FILE.lesson   check a lesson folder and pack it into a .lesson file\n"
    "  keygen NAME [--out DIR]   make a publisher key pair (NAME.key, NAME.pub)\n"
    "  sign FILE.lesson --key NAME.key   sign a packed lesson\n"
    "  verify FILE.lesson [--keys DIR]   say who signed a lesson and if it changed\n"
    "  trust NAME.pub            trust a publisher's key on this computer\n"
    "  diff OLD.lesson NEW.lesson -o UPDATE.lessonpatch   make an update package\n"
    "  apply OLD.lesson UPDATE.lessonpatch -o NEW.lesson  rebuild NEW from an update\n"
    "  progress [--learner NAME] [--csv]   show learners' progress\n"
    "  sync [--lrs URL ...] [--status]   send progress to the LRS and fetch it back\n"
    "  export --to FILE          write unsent progress to a bundle (USB stick)\n"
    "  import FILE               add a bundle's progress to this computer\n"
    "  preview FOLDER            open a lesson folder; reload it when a file changes\n"
    "  help COMMAND              explain a command\n";

static const char *PREVIEW_USAGE =
    "usage: outpost preview FOLDER [OPTIONS]\n"
    "\n"
    "Opens the lesson in FOLDER for its author and reloads the page shown\n"
    "whenever a file of the lesson changes, keeping the page and the scroll\n"
    "position. A mistake in lesson.lua or in a quiz script is shown in the\n"
    "window until the next save fixes it. No progress is recorded.\n"
    "Takes the player's options (--size, --page, --scale, --events...).\n";

static int usage_error(const char *fmt, const char *arg)
{
    fputs("outpost: ", stderr);
    fprintf(stderr, fmt, arg);
    fputs("\nTry 'outpost --help'.\n", stderr);
    return 2;
}

typedef struct Command {
    const char *name;
    int (*run)(int argc, char **argv);
} Command;

static const Command commands[] = {
    {"new", cmd_new},
    {"check", cmd_check},
    {"pack", cmd_pack},
    {"keygen", cmd_keygen},
    {"sign", cmd_sign},
    {"verify", cmd_verify},
    {"trust", cmd_trust},
    {"diff", cmd_diff},
    {"apply", cmd_apply},
    {"progress", cmd_progress},
    {"sync", cmd_sync},
    {"export", cmd_export},
    {"import", cmd_import},
};

static int run_player(int argc, char **argv, bool preview)
{
    AppOptions opt = {0};
    opt.preview = preview;
    const char *screenshot = NULL, *events = NULL;
    bool stats = false;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *next = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            fputs(USAGE, stdout);
            return 0;
        } else if (strcmp(a, "--version") == 0) {
            puts("outpost " OUTPOST_VERSION);
            return 0;
        } else if (strcmp(a, "--headless") == 0) {
            opt.headless = true;
        } else if (strcmp(a, "--stats") == 0) {
            stats = true;
        } else if (strcmp(a, "--screenshot") == 0 || strcmp(a, "--events") == 0 ||
                   strcmp(a, "--page") == 0 || strcmp(a, "--size") == 0 ||
                   strcmp(a, "--scale") == 0 || strcmp(a, "--data") == 0 ||
                   strcmp(a, "--learner") == 0 || strcmp(a, "--seed") == 0) {
            if (!next) return usage_error("%s needs a value", a);
            i++;
            if (strcmp(a, "--screenshot") == 0) {
                screenshot = next;
            } else if (strcmp(a, "--events") == 0) {
                events = next;
            } else if (strcmp(a, "--seed") == 0) {
                char *end;
                unsigned long long n = strtoull(next, &end, 10);
                if (*end || n == 0) return usage_error("--seed needs a whole number above 0, not '%s'", next);
                opt.seed = n;
            } else if (strcmp(a, "--learner") == 0) {
                if (!*next) return usage_error("--learner needs a name%s", "");
                opt.learner = next;
            } else if (strcmp(a, "--page") == 0) {
                char *end;
                long n = strtol(next, &end, 10);
                if (*end || n < 1 || n > 100000) return usage_error("--page needs a page number, not '%s'", next);
                opt.page = (int)n;
            } else if (strcmp(a, "--size") == 0) {
                int w, h;
                char x;
                if (sscanf(next, "%d%c%d", &w, &x, &h) != 3 || (x != 'x' && x != 'X') || w < 200 ||
                    h < 150 || w > 8192 || h > 8192)
                    return usage_error("--size needs WIDTHxHEIGHT, e.g. 1024x720 (not '%s')", next);
                opt.width = w;
                opt.height = h;
            } else if (strcmp(a, "--scale") == 0) {
                char *end;
                double s = strtod(next, &end);
                if (*end || s < 0.5 || s > 4) return usage_error("--scale needs a number from 0.5 to 4, not '%s'", next);
                opt.scale = (float)s;
            } else {
                paths_set_data_dir(next);
            }
        } else if (a[0] == '-' && a[1]) {
            return usage_error("unknown option '%s'", a);
        } else if (opt.path) {
            return usage_error("only one lesson or folder can be opened ('%s' is extra)", a);
        } else {
            opt.path = a;
        }
    }
    if (preview) {
        char *manifest = opt.path ? xasprintf("%s/lesson.lua", opt.path) : NULL;
        bool ok = manifest && path_is_file(manifest);
        free(manifest);
        if (!opt.path) return usage_error("preview needs a lesson folder%s", "");
        if (!ok) {
            fprintf(stderr, "outpost: %s: not a lesson folder (there is no lesson.lua in it)\n", opt.path);
            return 1;
        }
        /* Previewing is not studying: record no progress. */
        if (!opt.learner) opt.no_learner = true;
    }
    if (screenshot || events) opt.headless = true;
    /* A picture of a page is not a study session: record nothing, unless a
     * learner is named. */
    if (screenshot && !events && !opt.learner) opt.no_learner = true;
    if (opt.path && !path_is_dir(opt.path) && !path_is_file(opt.path)) {
        fprintf(stderr, "outpost: %s: no such file or folder\n", opt.path);
        return 1;
    }
    Error err = {{0}};
    App *app = app_new(&opt, &err);
    if (!app) {
        fprintf(stderr, "outpost: %s\n", err.msg);
        return 1;
    }
    int status = 0;
    AppState st = app_state(app);
    if (st.error) {
        fprintf(stderr, "outpost: %s\n", st.error);
        status = 1;
    }
    if (events && !replay_file(app, events, &err)) {
        fprintf(stderr, "outpost: %s\n", err.msg);
        status = 1;
    }
    if (screenshot && !app_screenshot(app, screenshot, &err)) {
        fprintf(stderr, "outpost: %s\n", err.msg);
        status = 1;
    }
    if (opt.headless) {
        if (!screenshot) app_draw(app); /* the screenshot has just drawn it */
        st = app_state(app);
        for (int i = 0; i < st.n_problems; i++) {
            fprintf(stderr, "outpost: %s\n", app_problem(app, i));
            status = 1;
        }
        if (stats)
            printf("screen=%s page=%d pages=%d missing_glyphs=%d problems=%d scroll=%d badge=%s\n",
                   st.screen == SCREEN_LESSON      ? "lesson"
                   : st.screen == SCREEN_LIBRARY   ? "library"
                   : st.screen == SCREEN_LEARNERS  ? "learners"
                                                   : "error",
                   st.page, st.n_pages, st.missing, st.n_problems, st.scroll, st.badge);
        if (!screenshot && !events && !stats)
            fputs("outpost: --headless draws nothing visible; add --screenshot FILE.png or --events FILE\n", stderr);
    } else {
        app_run(app);
    }
    app_free(app);
    paths_reset();
    return status;
}

int cli_main(int argc, char **argv)
{
    if (argc >= 2 && argv[1][0] != '-' && !path_is_dir(argv[1]) && !path_is_file(argv[1])) {
        const char *name = argv[1];
        if (strcmp(name, "preview") == 0) {
            if (argc >= 3 && (strcmp(argv[2], "--help") == 0 || strcmp(argv[2], "-h") == 0)) {
                fputs(PREVIEW_USAGE, stdout);
                return 0;
            }
            return run_player(argc - 1, argv + 1, true);
        }
        if (strcmp(name, "help") == 0) {
            if (argc >= 3 && strcmp(argv[2], "preview") == 0) {
                fputs(PREVIEW_USAGE, stdout);
                return 0;
            }
            if (argc < 3) {
                fputs(USAGE, stdout);
                return 0;
            }
            for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
                if (strcmp(argv[2], commands[i].name) == 0) {
                    char *args[] = {argv[2], "--help", NULL};
                    return commands[i].run(2, args);
                }
            return usage_error("there is no command '%s'", argv[2]);
        }
        for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
            if (strcmp(name, commands[i].name) == 0) return commands[i].run(argc - 1, argv + 1);
        if (!strchr(name, '/') && !strchr(name, '.'))
            return usage_error("there is no command '%s'", name);
    }
    return run_player(argc, argv, false);
}
