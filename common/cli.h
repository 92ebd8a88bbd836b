/* cli.h: what the servers' and the client's command lines share: the number
 * parsers every numeric flag goes through, and the line for an unknown or
 * incomplete option. */
#ifndef PERCONN_CLI_H
#define PERCONN_CLI_H

#include <getopt.h>
#include <stddef.h>

/* Parses arg, a whole decimal number with an optional sign and no unit, in
 * [min, max], as the value of flag. Returns 0 with *out set, or -1 with err
 * (errlen bytes) holding "FLAG: 'ARG' is not a whole number" (empty, leading
 * white space, anything after the digits) or "FLAG: ARG is out of range
 * (MIN..MAX)" (beyond the bounds or a long long); *out is then untouched. */
int cli_parse_whole(const char *arg, long long min, long long max,
                    const char *flag, long long *out, char *err,
                    size_t errlen);

/* The same for a finite decimal number, fractions and exponents allowed:
 * "FLAG: 'ARG' is not a number" or "FLAG: ARG is out of range (MIN..MAX)". */
int cli_parse_number(const char *arg, double min, double max,
                     const char *flag, double *out, char *err, size_t errlen);

/* cli_parse_number in [0, max], whose first message says "is not a number of
 * seconds". */
int cli_parse_seconds(const char *arg, double max, const char *flag,
                      double *out, char *err, size_t errlen);

/* After getopt_long (with opterr = 0) returned '?' or ':', writes into err
 * one line naming the unknown or incomplete option among longs: "--port:
 * missing value", "-Z: unknown option". Reads getopt's optind and optopt. */
void cli_describe_bad_option(const struct option *longs, int argc, char **argv,
                             char *err, size_t errlen);

#endif
