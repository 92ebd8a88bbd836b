/* cli.h: what the servers' and the client's command lines share. */
#ifndef PERCONN_CLI_H
#define PERCONN_CLI_H

#include <getopt.h>
#include <stddef.h>

/* After getopt_long (with opterr = 0) returned '?' or ':', writes into err
 * one line naming the unknown or incomplete option among longs: "--port:
 * missing value", "-Z: unknown option". Reads getopt's optind and optopt. */
void cli_describe_bad_option(const struct option *longs, int argc, char **argv,
                             char *err, size_t errlen);

#endif
