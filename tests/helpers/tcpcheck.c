/* tcpcheck: a small, strict TCP client for the integration tests.
 *
 * Each subcommand does one thing a test needs and exits 0 only when every
 * reply was exactly right; otherwise it says what was wrong on stderr and
 * exits 1. Every wait is bounded by a timeout (TCPCHECK_TIMEOUT seconds,
 * default 20) so a broken server fails a test instead of hanging it.
 *
 *   tcpcheck echo  PORT BYTES              one echo round trip of BYTES
 *   tcpcheck size  PORT CLIENTS CONNS N    Stevens' client: CLIENTS processes,
 *                                          each CONNS connections asking "N\n"
 *   tcpcheck storm PORT CONNS PROTO N      CONNS connections open at once, then
 *                                          one request each (echo/size/http)
 *   tcpcheck tally PORT CONNS PROTO N      like storm, but a connection the
 *                                          server closes or resets unanswered
 *                                          is counted, not fatal; prints
 *                                          "served S closed C"
 *   tcpcheck seq   PORT COUNT PROTO N      COUNT connections one after another
 *   tcpcheck raw   PORT                    send stdin, half-close, print reply
 *   tcpcheck idle  PORT                    connect, send nothing, wait for the
 *                                          server to close; print "closed"
 *   tcpcheck hold  PORT CONNS              open CONNS idle connections, print
 *                                          "held CONNS", keep them until stdin
 *                                          closes
 *   tcpcheck slow  PORT PROTO N            send one request, print "sent",
 *                                          wait for the reply and check it
 *   tcpcheck trickle PORT MS               slowloris: an http head one byte
 *                                          every MS ms, never finished; prints
 *                                          "closed" once the server closes
 *                                          (the timeout bounds the whole run)
 *   tcpcheck reset PORT PROTO N            ask for N bytes, read a little,
 *                                          then vanish with an RST
 *   tcpcheck flood PORT CONNS              CONNS connects, all closed at once
 *                                          without a byte sent
 *   tcpcheck split PORT                    send stdin one byte per write,
 *                                          half-close, print the reply
 * The host is 127.0.0.1 unless TCPCHECK_HOST names another.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "clock.h"

static const char *host = "127.0.0.1";
static const char *port;
static int timeout_ms = 20000;

__attribute__((format(printf, 1, 2), noreturn))
static void die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "tcpcheck: ");
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\n");
    va_end(ap);
    exit(1);
}

static long num(const char *s, long min, long max)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (end == s || *end || errno || v < min || v > max)
        die("bad number '%s'", s);
    return v;
}

static int dial(void)
{
    struct addrinfo hints = {.ai_socktype = SOCK_STREAM}, *res;
    if (getaddrinfo(host, port, &hints, &res) != 0)
        die("cannot resolve %s", host);
    int fd = socket(res->ai_family, SOCK_STREAM, 0);
    if (fd < 0 || connect(fd, res->ai_addr, res->ai_addrlen) < 0)
        die("connect: %s", strerror(errno));
    freeaddrinfo(res);
    return fd;
}

/* Waits until fd is ready for events; dies on timeout. */
static void wait_fd(int fd, short events, const char *what)
{
    struct pollfd p = {.fd = fd, .events = events};
    int n;
    while ((n = poll(&p, 1, timeout_ms)) < 0 && errno == EINTR)
        ;
    if (n == 0)
        die("timed out waiting to %s", what);
}

/* Builds the request for proto with size n into buf; returns its length and
 * sets *expect to the bytes the reply must have (http: body only). */
static size_t make_request(const char *proto, long n, char *buf, size_t cap,
                           long *expect)
{
    *expect = n;
    if (strcmp(proto, "echo") == 0) {
        if ((size_t)n > cap)
            die("an echo request of %ld bytes is over %zu", n, cap);
        for (long i = 0; i < n; i++)
            buf[i] = (char)('a' + i % 26);
        return (size_t)n;
    }
    if (strcmp(proto, "size") == 0)
        return (size_t)snprintf(buf, cap, "%ld\n", n);
    if (strcmp(proto, "http") == 0)
        return (size_t)snprintf(buf, cap,
                                "GET /%ld HTTP/1.1\r\nHost: t\r\n"
                                "Connection: close\r\n\r\n", n);
    die("unknown protocol %s", proto);
    return 0;
}

/* Writes everything in buf, while reading whatever the peer sends back into
 * in (up to want bytes, or to EOF when want < 0). Returns bytes read. */
static long exchange(int fd, const char *out, size_t out_len, char *in,
                     long in_cap, long want)
{
    size_t sent = 0;
    long got = 0;
    for (;;) {
        bool need_out = sent < out_len;
        if (!need_out && want >= 0 && got >= want)
            return got;
        struct pollfd p = {.fd = fd, .events = POLLIN | (need_out ? POLLOUT : 0)};
        int n = poll(&p, 1, timeout_ms);
        if (n == 0)
            die("timed out (%s)", need_out ? "sending" : "reading");
        if (n < 0 && errno == EINTR)
            continue;
        if (p.revents & POLLIN || p.revents & (POLLHUP | POLLERR)) {
            char scratch[65536];
            char *dst = got < in_cap ? in + got : scratch;
            size_t room = got < in_cap ? (size_t)(in_cap - got) : sizeof scratch;
            ssize_t r = read(fd, dst, room);
            if (r < 0 && errno != EINTR && errno != EAGAIN)
                die("read: %s", strerror(errno));
            if (r == 0)
                return got;
            if (r > 0)
                got += r;
        }
        if (need_out && (p.revents & POLLOUT)) {
            ssize_t w = send(fd, out + sent, out_len - sent, MSG_DONTWAIT);
            if (w < 0 && errno != EINTR && errno != EAGAIN)
                die("write: %s", strerror(errno));
            if (w > 0)
                sent += (size_t)w;
        }
    }
}

/* Checks a complete http reply: status 200 and a body of n bytes. */
static void check_http(const char *in, long got, long n)
{
    const char *end = memmem(in, (size_t)got, "\r\n\r\n", 4);
    if (strncmp(in, "HTTP/1.1 200 ", 13) != 0 || !end)
        die("bad http reply: %.40s", in);
    long body = got - (end + 4 - in);
    if (body != n)
        die("http body of wrong length (reply starts %.60s)", in);
}

/* One request on a fresh connection, checked; the connection is closed. */
static void one_request(const char *proto, long n)
{
    static char out[1 << 21], in[(1 << 21) + 4096];
    long expect;
    size_t len = make_request(proto, n, out, sizeof out, &expect);
    int fd = dial();
    bool http = strcmp(proto, "http") == 0;
    long got = exchange(fd, out, len, in, sizeof in, http ? -1 : expect);
    close(fd);
    if (http) {
        check_http(in, got, n);
        return;
    }
    if (got != expect)
        die("short reply on %s", proto);
    if (strcmp(proto, "echo") == 0 && memcmp(in, out, (size_t)n) != 0)
        die("echo reply differs from what was sent");
}

static int cmd_size(char **a)
{
    long clients = num(a[0], 1, 1000), conns = num(a[1], 1, 1000000);
    long n = num(a[2], 1, 1 << 20);
    for (long c = 0; c < clients; c++) {
        pid_t pid = fork();
        if (pid < 0)
            die("fork: %s", strerror(errno));
        if (pid == 0) {
            for (long i = 0; i < conns; i++)
                one_request("size", n);
            exit(0);
        }
    }
    int bad = 0, status;
    while (wait(&status) > 0)
        bad |= !WIFEXITED(status) || WEXITSTATUS(status) != 0;
    if (!bad)
        printf("%ld connections served\n", clients * conns);
    return bad;
}

/* CONNS connections, all established before the first request is sent.
 * With tally, a connection closed or reset before its reply is counted. */
static int cmd_storm(char **a, bool tally)
{
    long closed = 0;
    long conns = num(a[0], 1, 100000);
    const char *proto = a[1];
    long n = num(a[2], 1, 65536);
    int *fds = calloc((size_t)conns, sizeof *fds);
    long *got = calloc((size_t)conns, sizeof *got);
    char (*in)[65536 + 512] = malloc((size_t)conns * sizeof *in);
    if (!fds || !got || !in)
        die("out of memory");
    for (long i = 0; i < conns; i++)
        fds[i] = dial();
    char out[65536 + 512];
    long expect;
    size_t len = make_request(proto, n, out, sizeof out, &expect);
    for (long i = 0; i < conns; i++)
        if (write(fds[i], out, len) != (ssize_t)len && !tally)
            die("write: %s", strerror(errno));
    bool http = strcmp(proto, "http") == 0;
    struct pollfd *p = calloc((size_t)conns, sizeof *p);
    long open_conns = conns;
    while (open_conns > 0) {
        for (long i = 0; i < conns; i++)
            p[i] = (struct pollfd){.fd = fds[i], .events = POLLIN};  /* -1: skipped */
        int r = poll(p, (nfds_t)conns, timeout_ms);
        if (r == 0)
            die("timed out with connections unanswered");
        for (long i = 0; i < conns; i++) {
            if (!p[i].revents)
                continue;
            ssize_t k = read(fds[i], in[i] + got[i], sizeof in[i] - (size_t)got[i]);
            if (tally && (k < 0 || (k == 0 && got[i] == 0))) {
                close(fds[i]);
                fds[i] = -1;
                open_conns--;
                closed++;
                continue;
            }
            if (k < 0)
                die("read: %s", strerror(errno));
            got[i] += k;
            bool done = http ? k == 0 : got[i] >= expect;
            if (k == 0 && !done)
                die("connection closed before the reply was complete");
            if (!done)
                continue;
            if (http)
                check_http(in[i], got[i], n);
            else if (got[i] != expect ||
                     (strcmp(proto, "echo") == 0 && memcmp(in[i], out, (size_t)n)))
                die("wrong reply on %s", proto);
            close(fds[i]);
            fds[i] = -1;
            open_conns--;
        }
    }
    if (tally)
        printf("served %ld closed %ld\n", conns - closed, closed);
    else
        printf("%ld connections served\n", conns);
    free(p);
    free(in);
    free(got);
    free(fds);
    return 0;
}

static int cmd_raw(void)
{
    static char out[1 << 20], in[1 << 22];
    size_t len = fread(out, 1, sizeof out, stdin);
    int fd = dial();
    long got = exchange(fd, out, len, in, sizeof in, 0);
    (void)got;
    shutdown(fd, SHUT_WR);
    got = exchange(fd, "", 0, in, sizeof in, -1);
    fwrite(in, 1, (size_t)got, stdout);
    close(fd);
    return 0;
}

static int cmd_idle(void)
{
    int fd = dial();
    char c;
    wait_fd(fd, POLLIN, "see the server close");
    ssize_t r = read(fd, &c, 1);
    if (r != 0)
        die("expected the server to close, got %s", r > 0 ? "data" : strerror(errno));
    printf("closed\n");
    return 0;
}

static int cmd_hold(char **a)
{
    long conns = num(a[0], 1, 100000);
    int *fds = calloc((size_t)conns, sizeof *fds);
    for (long i = 0; i < conns; i++)
        fds[i] = dial();
    printf("held %ld\n", conns);
    fflush(stdout);
    char buf[64];
    while (read(0, buf, sizeof buf) > 0)
        ;
    for (long i = 0; i < conns; i++)
        close(fds[i]);
    free(fds);
    return 0;
}

static int cmd_slow(char **a)
{
    static char out[70000], in[1 << 21];
    const char *proto = a[0];
    long n = num(a[1], 1, 65536), expect;
    size_t len = make_request(proto, n, out, sizeof out, &expect);
    int fd = dial();
    if (write(fd, out, len) != (ssize_t)len)
        die("write: %s", strerror(errno));
    printf("sent\n");
    fflush(stdout);
    bool http = strcmp(proto, "http") == 0;
    long got = exchange(fd, "", 0, in, sizeof in, http ? -1 : expect);
    if (http)
        check_http(in, got, n);
    else if (got != expect)
        die("short reply on %s", proto);
    printf("reply complete\n");
    return 0;
}

static int cmd_trickle(char **a)
{
    long ms = num(a[0], 1, 10000);
    const char *head = "GET / HTTP/1.1\r\nHost: a\r\nX-Slow: ";
    int fd = dial();
    if (write(fd, head, strlen(head)) < 0)
        die("write: %s", strerror(errno));
    /* Each byte would restart a per-wait timeout: the whole trickle has one
     * deadline instead, or a server that never closes would be found out
     * only when its head limit trips, minutes later. */
    double deadline = clock_s() + timeout_ms / 1000.0;
    for (;;) {
        if (clock_s() >= deadline)
            die("timed out: the server kept the unfinished head open for %d s",
                timeout_ms / 1000);
        struct pollfd p = {.fd = fd, .events = POLLIN};
        int n = poll(&p, 1, (int)ms);   /* the pace of the trickle */
        if (n > 0) {
            char c;
            ssize_t r = read(fd, &c, 1);
            if (r > 0)
                die("the server answered an unfinished request");
            printf("closed\n");
            return 0;
        }
        if (send(fd, "a", 1, MSG_NOSIGNAL) < 0) {
            printf("closed\n");
            return 0;
        }
    }
}

static int cmd_reset(char **a)
{
    static char out[1 << 21], in[4096];
    long expect;
    size_t len = make_request(a[0], num(a[1], 1, 1 << 30), out, sizeof out,
                              &expect);
    int fd = dial();
    if (write(fd, out, len) != (ssize_t)len)
        die("write: %s", strerror(errno));
    wait_fd(fd, POLLIN, "read the start of the reply");
    if (read(fd, in, sizeof in) <= 0)
        die("no reply to reset");
    struct linger lg = {.l_onoff = 1, .l_linger = 0};
    setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
    close(fd);                  /* with unread data and linger 0: RST */
    printf("reset\n");
    return 0;
}

static int cmd_flood(char **a)
{
    long conns = num(a[0], 1, 100000);
    int *fds = calloc((size_t)conns, sizeof *fds);
    if (!fds)
        die("out of memory");
    for (long i = 0; i < conns; i++)
        fds[i] = dial();
    for (long i = 0; i < conns; i++)
        close(fds[i]);
    free(fds);
    printf("flooded %ld\n", conns);
    return 0;
}

static int cmd_split(void)
{
    static char out[1 << 16], in[1 << 22];
    size_t len = fread(out, 1, sizeof out, stdin);
    int fd = dial();
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    for (size_t i = 0; i < len; i++)
        if (write(fd, out + i, 1) != 1)
            die("write: %s", strerror(errno));
    shutdown(fd, SHUT_WR);
    long got = exchange(fd, "", 0, in, sizeof in, -1);
    fwrite(in, 1, (size_t)got, stdout);
    close(fd);
    return 0;
}

int main(int argc, char **argv)
{
    if (getenv("TCPCHECK_HOST"))
        host = getenv("TCPCHECK_HOST");
    if (getenv("TCPCHECK_TIMEOUT"))
        timeout_ms = (int)num(getenv("TCPCHECK_TIMEOUT"), 1, 3600) * 1000;
    if (argc < 3) {
        fprintf(stderr, "usage: tcpcheck CMD PORT ARGS... (see the source)\n");
        return 2;
    }
    const char *cmd = argv[1];
    port = argv[2];
    char **a = argv + 3;
    int rest = argc - 3;
    if (strcmp(cmd, "echo") == 0 && rest == 1) {
        one_request("echo", num(a[0], 1, 1 << 21));
        printf("ok\n");
        return 0;
    }
    if (strcmp(cmd, "size") == 0 && rest == 3)
        return cmd_size(a);
    if (strcmp(cmd, "storm") == 0 && rest == 3)
        return cmd_storm(a, false);
    if (strcmp(cmd, "tally") == 0 && rest == 3)
        return cmd_storm(a, true);
    if (strcmp(cmd, "seq") == 0 && rest == 3) {
        long count = num(a[0], 1, 10000000);
        for (long i = 0; i < count; i++)
            one_request(a[1], num(a[2], 1, 1 << 20));
        printf("%ld connections served\n", count);
        return 0;
    }
    if (strcmp(cmd, "raw") == 0 && rest == 0)
        return cmd_raw();
    if (strcmp(cmd, "idle") == 0 && rest == 0)
        return cmd_idle();
    if (strcmp(cmd, "hold") == 0 && rest == 1)
        return cmd_hold(a);
    if (strcmp(cmd, "slow") == 0 && rest == 2)
        return cmd_slow(a);
    if (strcmp(cmd, "trickle") == 0 && rest == 1)
        return cmd_trickle(a);
    if (strcmp(cmd, "reset") == 0 && rest == 2)
        return cmd_reset(a);
    if (strcmp(cmd, "flood") == 0 && rest == 1)
        return cmd_flood(a);
    if (strcmp(cmd, "split") == 0 && rest == 0)
        return cmd_split();
    fprintf(stderr, "tcpcheck: bad command or arguments: %s\n", cmd);
    return 2;
}
