/* badpeer: a server that misbehaves on purpose, for client_load's tests.
 *
 *   badpeer MODE [PROTO]        PROTO: echo | size | http (default http)
 *
 * It listens on 127.0.0.1 on a port the kernel picks, prints
 *   listening on 127.0.0.1:PORT mode=MODE protocol=PROTO pid=N
 * and serves every connection in a thread of its own until killed. What it
 * does with each request is the MODE:
 *
 *   good         the right reply; over http it closes after a reply to
 *                "Connection: close" (a reference for the others)
 *   refuse       binds the port and never listens: every connect is refused
 *   close-early  half the right reply, then close
 *   wrong-bytes  echo: the bytes inverted; http: "503" with no body;
 *                not for size, whose replies have no content to get wrong
 *                (too few bytes is close-early, too many extra-bytes)
 *   extra-bytes  the right reply with 8 more bytes in the same write
 *   reset        reads the request, then closes with an RST (SO_LINGER 0)
 *   silent       reads everything, never answers, closes at the peer's EOF
 *   keep-open    http: the right reply, but stays open (and silent) after
 *                "Connection: close" until the peer closes
 *   hang-up      reads the request, then closes (FIN) without a byte
 *
 * Requests are recognised only as far as the mode needs: a size line up to
 * its newline, an http head up to its blank line ("GET /N" asks N bytes,
 * "GET /" 64), echo bytes as they come.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

enum mode {
    M_GOOD, M_REFUSE, M_CLOSE_EARLY, M_WRONG, M_EXTRA, M_RESET, M_SILENT,
    M_KEEP_OPEN, M_HANGUP, M_COUNT
};
static const char *const mode_names[M_COUNT] = {
    "good", "refuse", "close-early", "wrong-bytes", "extra-bytes", "reset",
    "silent", "keep-open", "hang-up",
};

enum proto { P_ECHO, P_SIZE, P_HTTP };

static enum mode mode;
static enum proto proto = P_HTTP;

#define BUF_SIZE 65536

/* Writes all of buf; returns 0, or -1 when the peer is gone. */
static int write_all(int fd, const void *buf, size_t len)
{
    const char *p = buf;
    while (len > 0) {
        ssize_t k = send(fd, p, len, MSG_NOSIGNAL);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            return -1;
        p += k;
        len -= (size_t)k;
    }
    return 0;
}

/* Closes fd with an RST instead of a FIN. */
static void reset_close(int fd)
{
    struct linger lg = {.l_onoff = 1, .l_linger = 0};
    setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
    close(fd);
}

/* The right reply to a request asking n bytes (close: http's
 * "Connection: close"), into a malloc'ed buffer; *len is its length and
 * *head the length of its http head (0 otherwise). */
static char *good_reply(unsigned long n, bool close, size_t *len,
                        size_t *head)
{
    char h[160];
    int hl = 0;
    if (proto == P_HTTP)
        hl = snprintf(h, sizeof h, "HTTP/1.1 200 OK\r\nContent-Type: "
                      "application/octet-stream\r\nContent-Length: %lu\r\n%s"
                      "\r\n", n, close ? "Connection: close\r\n" : "");
    char *r = malloc((size_t)hl + n + 8);
    if (r == NULL)
        return NULL;
    memcpy(r, h, (size_t)hl);
    memset(r + hl, 'x', n);
    *len = (size_t)hl + n;
    *head = (size_t)hl;
    return r;
}

/* Answers one size or http request asking n bytes. Returns 1 to go on
 * reading, 0 when the connection is over (closed), -1 on a write error. */
static int answer(int fd, unsigned long n, bool close_asked)
{
    size_t len, head;
    int rc = 1;
    if (mode == M_RESET) {
        reset_close(fd);
        return 0;
    }
    if (mode == M_HANGUP) {
        close(fd);
        return 0;
    }
    if (mode == M_SILENT)
        return 1;
    if (mode == M_WRONG && proto == P_HTTP) {
        static const char r503[] = "HTTP/1.1 503 Service Unavailable\r\n"
                                   "Content-Length: 0\r\n\r\n";
        return write_all(fd, r503, sizeof r503 - 1) < 0 ? -1 : 1;
    }
    char *r = good_reply(n, close_asked && mode == M_GOOD, &len, &head);
    if (r == NULL)
        return -1;
    if (mode == M_CLOSE_EARLY) {
        len = head + (len - head) / 2;
        rc = 0;
    } else if (mode == M_EXTRA) {
        memcpy(r + len, "EXTRAEXT", 8);
        len += 8;
    }
    if (write_all(fd, r, len) < 0)
        rc = -1;
    else if (close_asked && mode == M_GOOD)
        rc = 0;
    free(r);
    if (rc == 0)
        close(fd);
    return rc;
}

/* Echo: answers the n bytes just read. */
static int answer_echo(int fd, char *buf, size_t n)
{
    switch (mode) {
    case M_RESET:
        reset_close(fd);
        return 0;
    case M_HANGUP:
        close(fd);
        return 0;
    case M_SILENT:
        return 1;
    case M_CLOSE_EARLY:
        write_all(fd, buf, n / 2);
        close(fd);
        return 0;
    case M_WRONG:
        for (size_t i = 0; i < n; i++)
            buf[i] = (char)~buf[i];
        break;
    case M_EXTRA:
        memcpy(buf + n, "EXTRAEXT", 8);
        n += 8;
        break;
    default:
        break;
    }
    return write_all(fd, buf, n) < 0 ? -1 : 1;
}

/* The complete request at the start of buf (have bytes): its length, or 0
 * when it is not complete yet; *n is the bytes it asks for and *close
 * whether it says "Connection: close". */
static size_t parse_request(const char *buf, size_t have, unsigned long *n,
                            bool *close)
{
    const char *end;
    *close = false;
    if (proto == P_SIZE) {
        end = memchr(buf, '\n', have);
        if (end == NULL)
            return 0;
        *n = strtoul(buf, NULL, 10);
        return (size_t)(end - buf) + 1;
    }
    end = memmem(buf, have, "\r\n\r\n", 4);
    if (end == NULL)
        return 0;
    size_t len = (size_t)(end - buf) + 4;
    const char *slash = memchr(buf, '/', len);
    *n = slash && slash[1] >= '0' && slash[1] <= '9'
         ? strtoul(slash + 1, NULL, 10) : 64;
    for (const char *p = buf; p + 17 <= buf + len; p++)
        if (strncasecmp(p, "connection: close", 17) == 0)
            *close = true;
    return len;
}

static void *serve(void *arg)
{
    int fd = (int)(long)arg;
    char *buf = malloc(BUF_SIZE + 8);
    size_t have = 0;
    int rc = buf ? 1 : -1;
    while (rc > 0) {
        ssize_t k = recv(fd, buf + have, BUF_SIZE - have, 0);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            break;
        if (proto == P_ECHO) {
            rc = answer_echo(fd, buf, (size_t)k);
            continue;
        }
        have += (size_t)k;
        for (;;) {
            unsigned long n;
            bool close_asked;
            size_t used = parse_request(buf, have, &n, &close_asked);
            if (used == 0)
                break;
            memmove(buf, buf + used, have - used);
            have -= used;
            if ((rc = answer(fd, n, close_asked)) <= 0)
                break;
        }
        if (have == BUF_SIZE)
            have = 0;               /* a request this long: drop it */
    }
    if (rc != 0)
        close(fd);
    free(buf);
    return NULL;
}

static int parse_args(int argc, char **argv)
{
    if (argc < 2 || argc > 3)
        return -1;
    int m;
    for (m = 0; m < M_COUNT; m++)
        if (strcmp(argv[1], mode_names[m]) == 0)
            break;
    if (m == M_COUNT)
        return -1;
    mode = (enum mode)m;
    if (argc == 3) {
        if (strcmp(argv[2], "echo") == 0)
            proto = P_ECHO;
        else if (strcmp(argv[2], "size") == 0)
            proto = P_SIZE;
        else if (strcmp(argv[2], "http") != 0)
            return -1;
    }
    if (mode == M_WRONG && proto == P_SIZE)
        return -1;
    return 0;
}

int main(int argc, char **argv)
{
    static const char *const pnames[] = {"echo", "size", "http"};
    struct sockaddr_in sin = {.sin_family = AF_INET};
    socklen_t slen = sizeof sin;
    int one = 1;
    if (parse_args(argc, argv) < 0) {
        fprintf(stderr, "usage: badpeer good|refuse|close-early|wrong-bytes|hang-up|"
                "extra-bytes|reset|silent|keep-open [echo|size|http]\n");
        return 2;
    }
    signal(SIGPIPE, SIG_IGN);
    sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (lfd < 0 || setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one,
                              sizeof one) < 0 ||
        bind(lfd, (struct sockaddr *)&sin, sizeof sin) < 0 ||
        getsockname(lfd, (struct sockaddr *)&sin, &slen) < 0 ||
        (mode != M_REFUSE && listen(lfd, 1024) < 0)) {
        perror("badpeer: listening socket");
        return 1;
    }
    printf("listening on 127.0.0.1:%u mode=%s protocol=%s pid=%ld\n",
           ntohs(sin.sin_port), mode_names[mode], pnames[proto],
           (long)getpid());
    fflush(stdout);
    if (mode == M_REFUSE) {
        for (;;)
            pause();
    }
    for (;;) {
        int fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
        if (fd < 0) {
            if (errno == EINTR || errno == ECONNABORTED)
                continue;
            perror("badpeer: accept");
            return 1;
        }
        pthread_t t;
        pthread_attr_t attr;
        pthread_attr_init(&attr);
        pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
        if (pthread_create(&t, &attr, serve, (void *)(long)fd) != 0)
            close(fd);
        pthread_attr_destroy(&attr);
    }
}
