/* cli.c: see cli.h. */
#include <stdio.h>
#include <string.h>

#include "cli.h"

void cli_describe_bad_option(const struct option *longs, int argc, char **argv,
                             char *err, size_t errlen)
{
    const char *arg = optind > 0 && optind <= argc ? argv[optind - 1] : "?";
    if (optopt != 0 && optopt != '?') {
        for (const struct option *o = longs; o->name; o++)
            if (o->val == optopt && o->has_arg == required_argument) {
                snprintf(err, errlen, "--%s: missing value", o->name);
                return;
            }
        snprintf(err, errlen, "-%c: unknown option", optopt);
        return;
    }
    if (strncmp(arg, "--", 2) == 0 && strchr(arg, '=') == NULL) {
        for (const struct option *o = longs; o->name; o++)
            if (strcmp(arg + 2, o->name) == 0) {
                snprintf(err, errlen, "%s: missing value", arg);
                return;
            }
    }
    snprintf(err, errlen, "%s: unknown option", arg);
}
