/* conn.h: the connection slots' state machine (conn.c), as the worker's
 * loop in engine.c drives it: each slot connects, sends its requests, checks
 * the replies and closes, and is then replaced, until the run ends. */
#ifndef CLIENT_CONN_H
#define CLIENT_CONN_H

#include <stdint.h>

#include "worker.h"

/* Empties w's lists; before the first conn_ call. */
void conn_lists_init(struct worker *w);
/* What slot c does once it has no socket: connect, wait, or end. */
void conn_next_closed(struct worker *w, struct conn *c, int64_t now);
/* Handles epoll events ev for c. */
void conn_event(struct worker *w, struct conn *c, uint32_t ev);
/* The timers: fails every connect or request whose -T deadline has passed,
 * retries parked slots whose backoff is over and, with -R, hands every
 * request due by now to an idle slot. */
void conn_tick(struct worker *w, int64_t now);

/* Sends the first bytes of every request begun since the last flush. */
void conn_flush(struct worker *w);
/* When conn_tick next has work, if no socket wakes the worker first;
 * INT64_MAX: never. */
int64_t conn_next_wake(const struct worker *w);
/* -R: counts (and uses up) the requests due before stop that no slot was
 * free to send. */
uint64_t conn_count_missed(struct worker *w, int64_t stop);
/* Closes c's socket (if any) and takes it off its list. */
void conn_close(struct worker *w, struct conn *c);
/* The run stopped: counts the request c was serving, as unfinished, or as
 * completed when its reply was complete and only the server's close was
 * awaited; then closes c. */
void conn_finish(struct worker *w, struct conn *c);

#endif
