/* server.h: the accept loop both servers run, and the seam between it and a
 * concurrency model. fork_server/ and thread_server/ each fill in one
 * struct model; everything else is here and in the rest of common/. */
#ifndef PERCONN_SERVER_H
#define PERCONN_SERVER_H

#include <stdbool.h>

#include "conn.h"

struct model {
    const char *name;          /* "fork" or "thread" */
    const char *prog;          /* "fork_server" or "thread_server" */
    bool has_threads;          /* accepts --stack-size */

    /* Prepares the model once the socket is listening. Returns a descriptor
     * the accept loop polls and calls collect() on when readable, -1 for
     * none, or -2 on failure (errno set). */
    int (*init)(const struct conn_env *env, int listen_fd);
    /* Hands the accepted connection fd to a new process or thread, which
     * serves it with conn_serve(). Returns 0 (fd is no longer the caller's),
     * or -1 with errno set (fd is still the caller's). */
    int (*spawn)(int fd);
    /* Collects finished connections: called on SIGCHLD and when the init()
     * descriptor is readable. Never blocks. */
    void (*collect)(void);
    /* Connections handed off and not yet collected. */
    long (*active)(void);
    /* Ends every connection at once (a second signal, or the drain timeout)
     * and collects them. */
    void (*abort_all)(void);
};

/* Parses argv, listens, serves until SIGINT/SIGTERM, drains, writes the
 * accounting. Returns main's exit status: 0 after a clean drain, 1 on a
 * runtime failure or a drain that timed out, 2 on bad usage, 128+signal
 * when a second signal cut the drain short. */
int server_main(int argc, char **argv, const struct model *m);

#endif
