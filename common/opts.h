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

/* What a concurrency model says about itself (docs/design.md section 2):
 * the words the help text and the messages use, and its own answer to the
 * one flag that is not every model's. The shared code prints and calls these
 * as they are, and never asks which model it serves. */
struct model_desc {
    const char *prog;            /* "fork_server" or "thread_server" */
    const char *spawn_call;      /* its spawn primitive, as messages name it:
                                    "fork", "pthread_create" */
    const char *unit;            /* what serves one connection: "process" */
    const char *units;           /* what a --prespawn pool holds: "processes" */
    const char *iterative_lacks; /* what --iterative goes without, after "no":
                                    "fork", "threads" */
    const char *stack_size_note; /* ends --stack-size's help line: "" or
                                    "; refused here" */
    /* Checks --stack-size's value and stores it in *kib; or refuses it, for
     * a model with no stack to size. Returns 0, or -1 with err filled. */
    int (*stack_size)(const char *arg, long *kib, char *err, size_t errlen);
};

/* The answer of a model that takes --stack-size: KiB, 64..1048576, as the
 * help text says. */
int opts_stack_size(const char *arg, long *kib, char *err, size_t errlen);

/* Fills *cfg from argv for the server model describes. Help and version go
 * to out. On OPTS_USAGE, err (errlen bytes) holds the message without the
 * program name or a newline. Does not exit and keeps no state between
 * calls. */
enum opts_result opts_parse(int argc, char **argv,
                            const struct model_desc *model,
                            struct server_cfg *cfg, FILE *out, char *err,
                            size_t errlen);

#endif
