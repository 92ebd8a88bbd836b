/* config.h: client_load's command line (docs/design.md section 4). */
#ifndef CLIENT_CONFIG_H
#define CLIENT_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "proto.h"

#define CLIENT_VERSION "0.1.0"

struct client_cfg {
    char host[256];             /* target, numeric or a name */
    int port;
    enum proto_kind protocol;
    long connections;           /* -c: concurrent connections */
    long threads;               /* -t: resolved, 1..connections */
    double duration_s;          /* -d: 0 = no time limit (only with -n) */
    uint64_t requests;          /* -n: 0 = no count limit */
    double warmup_s;            /* -w: run but do not record */
    long requests_per_conn;     /* -r: 0 = keep-alive for the whole run */
    long size;                  /* -s: echo bytes sent; size/http bytes asked */
    double rate;                /* -R: requests/s in all; 0 = closed loop */
    double timeout_s;           /* -T */
    uint32_t source_first;      /* --source, host byte order; 0 = none */
    uint32_t source_last;
    char source_text[40];       /* --source as given, for the reports */
    const char *json_path;      /* NULL: none; "-": stdout */
    const char *csv_path;
    const char *hist_path;
    bool quiet;                 /* -q: no progress and no summary */
};

enum config_result {
    CONFIG_RUN,                 /* run with the parsed configuration */
    CONFIG_EXIT_OK,             /* --help or --version was printed: exit 0 */
    CONFIG_USAGE,               /* err names the flag and the reason: exit 2 */
};

/* Fills *cfg from argv; ncpu (>= 1) is the -t default before the cap at -c.
 * Help and version go to out. On CONFIG_USAGE err (errlen bytes) holds one
 * line without the program name or a newline. Never exits; keeps no state
 * between calls (getopt is reset), so it can be called again. */
enum config_result config_parse(int argc, char **argv, long ncpu,
                                struct client_cfg *cfg, FILE *out,
                                char *err, size_t errlen);

#endif
