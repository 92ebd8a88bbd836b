/* sock.h: the client's socket helpers. None exits or prints: each returns -1
 * and leaves errno (or an error buffer) for the caller. */
#ifndef CLIENT_SOCK_H
#define CLIENT_SOCK_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

struct sock_target {
    struct sockaddr_storage addr;
    socklen_t len;
    char text[300];             /* "127.0.0.1:8000", "[::1]:8000" */
    char host_header[300];      /* the same, for HTTP's Host: */
};

/* Resolves host:port (getaddrinfo, TCP, the first address) into *t.
 * Returns 0, or -1 with err filled ("resolve HOST: reason"). */
int sock_resolve(const char *host, int port, struct sock_target *t,
                 char *err, size_t errlen);

/* What sock_connect was doing when it failed. */
enum sock_step { SOCK_SOCKET, SOCK_BIND, SOCK_CONNECT };

/* Opens a non-blocking TCP_NODELAY socket and starts connecting it to t.
 * With src != 0 (an IPv4 address, host byte order) the socket is bound to
 * src first with IP_BIND_ADDRESS_NO_PORT, so that the kernel picks the port
 * at connect() time from the whole 4-tuple space rather than at bind().
 * Returns the descriptor (*done = 1 when already connected, 0 when the
 * connect is in progress), or -1 with errno set and *step saying where. */
int sock_connect(const struct sock_target *t, uint32_t src, int *done,
                 enum sock_step *step);

/* The pending error of a connecting socket (SO_ERROR): 0 when connected. */
int sock_error(int fd);

/* strerror(e) starting in lowercase, as messages here do: "connection
 * refused". Returns buf. */
const char *sock_strerror(int e, char *buf, size_t len);

#endif
