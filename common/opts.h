/* opts.h: the servers' command line (docs/design.md section 3), shared by both
 * models so that fork_server and thread_server take exactly the same flags. */
#ifndef PERCONN_OPTS_H
#define PERCONN_OPTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include "proto.h"

#define PERCONN_VERSION "0.1.0"

struct server_cfg {
    char host[256];             /* listen address, numeric or a name */
    int port;                   /* 0: the kernel chooses */
    enum proto_kind protocol;
    int backlog;
    long max_conns;             /* connections served at once */
    double idle_timeout_s;      /* 0: never */
    double drain_timeout_s;
    long work_us;               /* busy CPU per request */
    long sleep_us;              /* sleep per request */
    long ballast_mb;            /* MiB touched in the parent before serving */
    long stack_size_kib;        /* thread_server only; 0: the default */
    long prespawn;              /* workers started before serving; 0: one
                                   per accepted connection */
    bool iterative;             /* the accept loop serves each connection */
    unsigned long max_response; /* largest size-protocol reply or http body */
    const char *stats_path;     /* NULL: none; "-": stderr */
    int verbosity;              /* -1 quiet, 0 normal, 1 verbose */
};

/* What opts_parse found. */
enum opts_result {
    OPTS_RUN,       /* serve with the parsed configuration */
    OPTS_EXIT_OK,   /* --help or --version was printed: exit 0 */
    OPTS_USAGE,     /* err holds one line naming the flag and the reason: exit 2 */
};

/* Fills *cfg from argv for the server named prog. has_threads says whether
 * thread-only flags (--stack-size) apply. Help and version go to out. On
 * OPTS_USAGE, err (errlen bytes) holds the message without the program name
 * or a newline. Does not exit and keeps no state between calls. */
enum opts_result opts_parse(int argc, char **argv, const char *prog,
                            bool has_threads, struct server_cfg *cfg,
                            FILE *out, char *err, size_t errlen);

#endif
