/* server.h: the accept loop both servers run, and the seam between it and a
 * concurrency model. fork_server/ and thread_server/ each fill in one
 * struct model; everything else is here and in the rest of common/. */
#ifndef PERCONN_SERVER_H
#define PERCONN_SERVER_H

#include <stdatomic.h>

#include "conn.h"
#include "opts.h"

struct model {
    const char *name;          /* "fork" or "thread" */
    /* The program's name, its words for the help text and the messages, and
     * its answer to --stack-size: the model says these, common/ prints and
     * calls them as they are. */
    struct model_desc desc;

    /* Prepares the model once the socket is listening. Returns a descriptor
     * the accept loop polls and calls collect() on when readable, -1 for
     * none, or -2 on failure (errno set). */
    int (*init)(const struct conn_env *env, int listen_fd);
    /* Hands the accepted connection fd to a new process or thread, which
     * serves it with conn_serve(). Returns 0 (fd is no longer the caller's),
     * or -1 with errno set (fd is still the caller's). */
    int (*spawn)(int fd);
    /* Collects finished connections (with --prespawn: ended workers, which
     * it replaces unless the server is draining): called on SIGCHLD, when
     * the init() descriptor is readable and, while the pool is short of
     * workers, every back-off. Never blocks. */
    void (*collect)(void);
    /* Connections handed off and not yet collected; with --prespawn,
     * workers started and not yet collected (the drain waits for none). */
    long (*active)(void);
    /* Ends every connection at once (a second signal, or the drain timeout)
     * and collects them. */
    void (*abort_all)(void);
    /* --prespawn: starts n workers, each running server_worker() until the
     * drain; the accept loop then only supervises. Returns 0, or -1 with
     * errno set when one could not be started (the ones started count in
     * active(), and abort_all() ends them). */
    int (*pool_start)(long n);
};

/* What a pool worker runs, in its own process or thread: accepts on
 * listen_fd (blocking) and serves each connection with conn_serve(), one at
 * a time, until the server drains (its shutdown of the listening socket
 * makes accept() fail). Counts accepted, serving and peak_active. busy, if
 * not NULL, is true while a connection is being served, in memory the
 * supervisor shares: a worker found dead with busy set took a connection
 * with it, and the supervisor takes it off serving. */
void server_worker(const struct conn_env *env, int listen_fd,
                   atomic_bool *busy);

/* Parses argv, listens, serves until SIGINT/SIGTERM, drains, writes the
 * accounting. Returns main's exit status: 0 after a clean drain, 1 on a
 * runtime failure or a drain that timed out, 2 on bad usage, 128+signal
 * when a second signal cut the drain short. */
int server_main(int argc, char **argv, const struct model *m);

#endif
