/* sock.c: resolving the target and opening connections to it. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "sock.h"

#ifndef IP_BIND_ADDRESS_NO_PORT
#define IP_BIND_ADDRESS_NO_PORT 24      /* linux/in.h, Linux >= 4.2 */
#endif

const char *sock_strerror(int e, char *buf, size_t len)
{
    snprintf(buf, len, "%s", strerror(e));
    if (buf[0] != '\0' && !(isupper((unsigned char)buf[0]) &&
                            isupper((unsigned char)buf[1])))
        buf[0] = (char)tolower((unsigned char)buf[0]);
    return buf;
}

int sock_resolve(const char *host, int port, struct sock_target *t,
                 char *err, size_t errlen)
{
    struct addrinfo hints, *res = NULL;
    char portstr[16], buf[128];
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    snprintf(portstr, sizeof portstr, "%d", port);
    int rc = getaddrinfo(host, portstr, &hints, &res);
    if (rc != 0) {
        snprintf(err, errlen, "resolve %s: %s", host,
                 rc == EAI_SYSTEM ? sock_strerror(errno, buf, sizeof buf)
                                  : gai_strerror(rc));
        return -1;
    }
    memset(t, 0, sizeof *t);
    memcpy(&t->addr, res->ai_addr, res->ai_addrlen);
    t->len = res->ai_addrlen;
    char num[INET6_ADDRSTRLEN] = "?";
    if (res->ai_family == AF_INET6) {
        inet_ntop(AF_INET6, &((struct sockaddr_in6 *)res->ai_addr)->sin6_addr,
                  num, sizeof num);
        snprintf(t->text, sizeof t->text, "[%s]:%d", num, port);
    } else {
        inet_ntop(AF_INET, &((struct sockaddr_in *)res->ai_addr)->sin_addr,
                  num, sizeof num);
        snprintf(t->text, sizeof t->text, "%s:%d", num, port);
    }
    if (strchr(host, ':') != NULL)
        snprintf(t->host_header, sizeof t->host_header, "[%s]:%d", host, port);
    else
        snprintf(t->host_header, sizeof t->host_header, "%s:%d", host, port);
    freeaddrinfo(res);
    return 0;
}

static int bind_source(int fd, uint32_t src)
{
    int one = 1;
    struct sockaddr_in sin;
    /* Without this, bind() would reserve a port per source address for
     * every socket, and 28k sockets would exhaust it regardless of the
     * target; with it the port is picked at connect() and only the full
     * 4-tuple has to be unique. */
    if (setsockopt(fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof one) < 0)
        return -1;
    memset(&sin, 0, sizeof sin);
    sin.sin_family = AF_INET;
    sin.sin_addr.s_addr = htonl(src);
    return bind(fd, (struct sockaddr *)&sin, sizeof sin);
}

int sock_connect(const struct sock_target *t, uint32_t src, int *done,
                 enum sock_step *step)
{
    int one = 1, saved;
    *step = SOCK_SOCKET;
    int fd = socket(t->addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
                    IPPROTO_TCP);
    if (fd < 0)
        return -1;
    /* A request is one write; Nagle would only ever delay a multi-write
     * echo payload behind a delayed ACK, which is the client's cost. */
    if (setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one) < 0)
        goto error;
    *step = SOCK_BIND;
    if (src != 0 && bind_source(fd, src) < 0)
        goto error;
    *step = SOCK_CONNECT;
    if (connect(fd, (const struct sockaddr *)&t->addr, t->len) == 0) {
        *done = 1;
        return fd;
    }
    if (errno != EINPROGRESS)
        goto error;
    *done = 0;
    return fd;
error:
    saved = errno;
    close(fd);
    errno = saved;
    return -1;
}

int sock_error(int fd)
{
    int e = 0;
    socklen_t len = sizeof e;
    if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &len) < 0)
        return errno;
    return e;
}
