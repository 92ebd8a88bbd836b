/* net.h: socket helpers. None exits: each returns -1 and fills err with
 * "operation address: reason", leaving the decision to the caller. */
#ifndef PERCONN_NET_H
#define PERCONN_NET_H

#include <stdbool.h>
#include <stddef.h>

/* Opens a non-blocking TCP socket listening on host:port (IPv4 or IPv6, via
 * getaddrinfo; the first address that binds wins) with SO_REUSEADDR and the
 * given backlog. Returns the descriptor, or -1 with err filled. */
int net_listen(const char *host, int port, int backlog, char *err, size_t errlen);

/* Writes fd's local address as "HOST:PORT" ("[HOST]:PORT" for IPv6) into out.
 * Returns 0, or -1 with errno set. */
int net_local_name(int fd, char *out, size_t len);

/* Whether fd's local address is a loopback address (127.0.0.0/8 or ::1). */
bool net_is_loopback(int fd);

#endif
