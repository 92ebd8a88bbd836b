/* cli.c: see cli.h. */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* strtoll and strtod skip leading white space and stop at the first
 * character they cannot use; a flag's value is the number alone, so either
 * makes it no number. */
static bool is_just_a_number(const char *arg, const char *end)
{
    return end != arg && *end == '\0' && !isspace((unsigned char)arg[0]);
}

/* Writes the message into err; returns -1, what a parser returns then. */
__attribute__((format(printf, 3, 4)))
static int refuse(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
    return -1;
}

int cli_parse_whole(const char *arg, long long min, long long max,
                    const char *flag, long long *out, char *err,
                    size_t errlen)
{
    char *end;
    errno = 0;
    long long v = strtoll(arg, &end, 10);
    if (!is_just_a_number(arg, end))
        return refuse(err, errlen, "%s: '%s' is not a whole number", flag,
                      arg);
    if (errno == ERANGE || v < min || v > max)
        return refuse(err, errlen, "%s: %s is out of range (%lld..%lld)",
                      flag, arg, min, max);
    *out = v;
    return 0;
}

/* cli_parse_number, whose first message says what arg is not. */
static int parse_real(const char *arg, double min, double max,
                      const char *flag, const char *what, double *out,
                      char *err, size_t errlen)
{
    char *end;
    errno = 0;
    double v = strtod(arg, &end);
    if (!is_just_a_number(arg, end) || !isfinite(v))
        return refuse(err, errlen, "%s: '%s' is not %s", flag, arg, what);
    if (errno == ERANGE || v < min || v > max)
        return refuse(err, errlen, "%s: %s is out of range (%g..%g)", flag,
                      arg, min, max);
    *out = v;
    return 0;
}

int cli_parse_number(const char *arg, double min, double max,
                     const char *flag, double *out, char *err, size_t errlen)
{
    return parse_real(arg, min, max, flag, "a number", out, err, errlen);
}

int cli_parse_seconds(const char *arg, double max, const char *flag,
                      double *out, char *err, size_t errlen)
{
    return parse_real(arg, 0, max, flag, "a number of seconds", out, err,
                      errlen);
}

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
