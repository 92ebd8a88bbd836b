/* engine.h: the load engine. -t worker threads, each an epoll loop over its
 * share of the -c connections, each with its own counters and histograms;
 * nothing is shared on the hot path, and the results are merged after join.
 */
#ifndef CLIENT_ENGINE_H
#define CLIENT_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "run_stats.h"
#include "sock.h"

struct engine;

/* Creates the workers against t and starts them; the run begins now (the
 * warmup first). Returns 0, or -1 with err filled. */
int engine_start(struct engine **out, const struct client_cfg *cfg,
                 const struct sock_target *t, char *err, size_t errlen);
/* Asks every worker to stop now (a signal): the run ends as if its
 * duration were over. Safe to call more than once. */
void engine_stop(struct engine *e);
/* A descriptor that becomes readable when a worker finishes; reading it
 * (8 bytes) returns how many finished since the last read. */
int engine_done_fd(const struct engine *e);
/* Recorded requests and errors so far, summed over workers (for progress;
 * read without locks, so a moment old). */
void engine_progress(const struct engine *e, uint64_t *requests,
                     uint64_t *errors);
/* Joins the workers and merges their results into *total (which must be
 * stats_init'ed). Returns 0, or -1 with err filled when a worker could not
 * run at all. */
int engine_join(struct engine *e, struct run_stats *total, char *err,
                size_t errlen);
/* Frees e (after engine_join). */
void engine_free(struct engine *e);

#endif
