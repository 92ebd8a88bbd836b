/* test_client_opts.c: client_load's command line (config_parse).
 *
 * config.c is compiled into this test directly: it is part of the client,
 * not of the common library the unit tests link against.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../client_load/config.c"
#include "white_space.h"

static struct client_cfg cfg;
static char err[256];
static char outbuf[8192];

/* Parses the NULL-terminated words (after the program name) with ncpu CPUs. */
static enum config_result parse_n(long ncpu, const char *first, ...)
{
    char *argv[64];
    int argc = 0;
    va_list ap;
    argv[argc++] = (char *)"client_load";
    va_start(ap, first);
    for (const char *a = first; a != NULL; a = va_arg(ap, const char *))
        argv[argc++] = (char *)a;
    va_end(ap);
    argv[argc] = NULL;
    memset(outbuf, 0, sizeof outbuf);
    FILE *out = fmemopen(outbuf, sizeof outbuf - 1, "w");
    assert_non_null(out);
    enum config_result r = config_parse(argc, argv, ncpu, &cfg, out, err,
                                        sizeof err);
    fclose(out);
    return r;
}

#define parse(...) parse_n(2, __VA_ARGS__, (const char *)NULL)

/* A usage error whose message starts with want. */
#define assert_usage(want, ...) do {                                        \
        assert_int_equal(parse(__VA_ARGS__), CONFIG_USAGE);                 \
        if (strncmp(err, want, strlen(want)) != 0) {                       \
            print_error("message '%s' does not start with '%s'\n", err,    \
                        want);                                              \
            fail();                                                         \
        }                                                                   \
    } while (0)

static void test_defaults(void **state)
{
    (void)state;
    assert_int_equal(parse_n(8, (const char *)NULL), CONFIG_RUN);
    assert_string_equal(cfg.host, "127.0.0.1");
    assert_int_equal(cfg.port, 8000);
    assert_int_equal(cfg.protocol, PROTO_ECHO);
    assert_int_equal(cfg.connections, 10);
    assert_int_equal(cfg.threads, 8);
    assert_true(cfg.duration_s == 10);
    assert_int_equal(cfg.requests, 0);
    assert_true(cfg.warmup_s == 0);
    assert_int_equal(cfg.requests_per_conn, 1);
    assert_int_equal(cfg.size, 64);
    assert_true(cfg.rate == 0);
    assert_true(cfg.timeout_s == 10);
    assert_int_equal(cfg.source_first, 0);
    assert_null(cfg.json_path);
    assert_null(cfg.csv_path);
    assert_null(cfg.hist_path);
    assert_false(cfg.quiet);
}

static void test_every_flag(void **state)
{
    (void)state;
    assert_int_equal(parse("-H", "localhost", "-p", "9000", "-P", "http",
                           "-c", "100", "-t", "4", "-d", "2.5", "-n", "1000",
                           "-w", "0.5", "-r", "0", "-s", "4000", "-R", "1500.5",
                           "-T", "0.25", "--source", "127.0.0.2-127.0.0.9",
                           "--json", "out.json", "--csv", "out.csv",
                           "--histogram", "-", "-q"), CONFIG_RUN);
    assert_string_equal(cfg.host, "localhost");
    assert_int_equal(cfg.port, 9000);
    assert_int_equal(cfg.protocol, PROTO_HTTP);
    assert_int_equal(cfg.connections, 100);
    assert_int_equal(cfg.threads, 4);
    assert_true(cfg.duration_s == 2.5);
    assert_int_equal(cfg.requests, 1000);
    assert_true(cfg.warmup_s == 0.5);
    assert_int_equal(cfg.requests_per_conn, 0);
    assert_int_equal(cfg.size, 4000);
    assert_true(cfg.rate == 1500.5);
    assert_true(cfg.timeout_s == 0.25);
    assert_int_equal(cfg.source_first, 0x7f000002);
    assert_int_equal(cfg.source_last, 0x7f000009);
    assert_string_equal(cfg.source_text, "127.0.0.2-127.0.0.9");
    assert_string_equal(cfg.json_path, "out.json");
    assert_string_equal(cfg.csv_path, "out.csv");
    assert_string_equal(cfg.hist_path, "-");
    assert_true(cfg.quiet);
}

static void test_long_names(void **state)
{
    (void)state;
    assert_int_equal(parse("--host=::1", "--port=1", "--protocol=size",
                           "--connections=3", "--threads=2", "--duration=1",
                           "--requests=5", "--warmup=1",
                           "--requests-per-conn=3", "--size=1", "--rate=10",
                           "--timeout=60", "--quiet"), CONFIG_RUN);
    assert_string_equal(cfg.host, "::1");
    assert_int_equal(cfg.port, 1);
    assert_int_equal(cfg.protocol, PROTO_SIZE);
    assert_int_equal(cfg.connections, 3);
    assert_int_equal(cfg.threads, 2);
    assert_true(cfg.duration_s == 1);
    assert_int_equal(cfg.requests, 5);
    assert_true(cfg.warmup_s == 1);
    assert_int_equal(cfg.requests_per_conn, 3);
    assert_int_equal(cfg.size, 1);
    assert_true(cfg.rate == 10);
    assert_true(cfg.timeout_s == 60);
    assert_true(cfg.quiet);
}

static void test_threads(void **state)
{
    (void)state;
    /* The default is the CPU count, at most one per connection. */
    assert_int_equal(parse_n(8, "-c", "3", (const char *)NULL), CONFIG_RUN);
    assert_int_equal(cfg.threads, 3);
    assert_int_equal(parse_n(1, "-c", "300", (const char *)NULL), CONFIG_RUN);
    assert_int_equal(cfg.threads, 1);
    assert_int_equal(parse("-c", "2", "-t", "16"), CONFIG_RUN);
    assert_int_equal(cfg.threads, 2);
}

static void test_stop_conditions(void **state)
{
    (void)state;
    assert_int_equal(parse("-n", "500"), CONFIG_RUN);
    assert_true(cfg.duration_s == 0);      /* -n alone: no time limit */
    assert_int_equal(cfg.requests, 500);
    assert_int_equal(parse("-n", "500", "-d", "3"), CONFIG_RUN);
    assert_true(cfg.duration_s == 3);      /* both: whichever comes first */
}

static void test_target(void **state)
{
    (void)state;
    assert_int_equal(parse("10.1.2.3:8080"), CONFIG_RUN);
    assert_string_equal(cfg.host, "10.1.2.3");
    assert_int_equal(cfg.port, 8080);
    assert_int_equal(parse("[::1]:9001"), CONFIG_RUN);
    assert_string_equal(cfg.host, "::1");
    assert_int_equal(cfg.port, 9001);
    assert_int_equal(parse("-c", "5", "localhost:80", "-n", "4"), CONFIG_RUN);
    assert_string_equal(cfg.host, "localhost");
    assert_int_equal(cfg.requests, 4);
    assert_usage("'localhost' is not HOST:PORT", "localhost");
    assert_usage("'::1:80' is not HOST:PORT", "::1:80");
    assert_usage("':80' is not HOST:PORT", ":80");
    assert_usage("HOST:PORT: 'x' is not a whole number", "a:x");
    assert_usage("HOST:PORT: 0 is out of range", "a:0");
    assert_usage("'a:1': the target is given twice", "-p", "9", "a:1");
    assert_usage("unexpected argument 'b:2'", "a:1", "b:2");
}

static void test_numbers_name_the_flag(void **state)
{
    (void)state;
    assert_usage("--connections: 0 is out of range (1..1000000)", "-c", "0");
    assert_usage("--connections: 'ten' is not a whole number", "-c", "ten");
    assert_usage("--connections: '10k' is not a whole number", "-c", "10k");
    assert_usage("--connections: '' is not a whole number", "-c", "");
    assert_usage("--connections: ' 5' is not a whole number", "-c", " 5");
    assert_usage("--connections: 99999999999999999999 is out of range",
                 "-c", "99999999999999999999");
    assert_usage("--port: 65536 is out of range", "-p", "65536");
    assert_usage("--port: 0 is out of range", "-p", "0");
    assert_usage("--threads: 0 is out of range", "-t", "0");
    assert_usage("--threads: 1025 is out of range", "-t", "1025");
    assert_usage("--duration: 0 is out of range", "-d", "0");
    assert_usage("--duration: -1 is out of range", "-d", "-1");
    assert_usage("--duration: 'nan' is not a number", "-d", "nan");
    assert_usage("--duration: '10s' is not a number", "-d", "10s");
    assert_usage("--requests: 0 is out of range", "-n", "0");
    assert_usage("--requests: -5 is out of range", "-n", "-5");
    assert_usage("--warmup: 3601 is out of range", "-w", "3601");
    assert_usage("--requests-per-conn: -1 is out of range", "-r", "-1");
    assert_usage("--size: 0 is out of range", "-s", "0");
    assert_usage("--size: 1073741825 is out of range", "-s", "1073741825");
    assert_usage("--rate: -1 is out of range", "-R", "-1");
    assert_usage("--rate: 'inf' is not a number", "-R", "inf");
    assert_usage("--timeout: 0 is out of range", "-T", "0");
    assert_usage("--rate: 0.0001 requests/s is less than one per thread",
                 "-R", "0.0001");
}

/* One flag and its value; "HOST:PORT" stands for the target a:VALUE. */
static const char *parse_one(const char *flag, const char *value)
{
    char target[32];
    snprintf(target, sizeof target, "a:%s", value);
    enum config_result r = strcmp(flag, "HOST:PORT") == 0 ? parse(target)
                                                          : parse(flag, value);
    return r == CONFIG_USAGE ? err : NULL;
}

/* White space makes a value no number, in every numeric flag and in the
 * target's port, as in the servers' command line. */
static void test_white_space_is_no_number(void **state)
{
    (void)state;
    static const char whole[] = "a whole number", real[] = "a number";
    const struct numeric_flag flags[] = {
        {"--port", whole}, {"--connections", whole}, {"--threads", whole},
        {"--requests", whole}, {"--requests-per-conn", whole},
        {"--size", whole}, {"HOST:PORT", whole}, {"--duration", real},
        {"--warmup", real}, {"--rate", real}, {"--timeout", real},
    };
    assert_white_space_refused(flags, sizeof flags / sizeof flags[0],
                               parse_one);
}

static void test_other_values(void **state)
{
    (void)state;
    assert_usage("--protocol: unknown protocol 'ftp'", "-P", "ftp");
    assert_usage("--host: '' is not a usable address", "-H", "");
    assert_usage("--json: empty file name", "--json", "");
    assert_usage("--csv: empty file name", "--csv=");
    assert_usage("--histogram: empty file name", "--histogram", "");
}

static void test_source(void **state)
{
    (void)state;
    assert_int_equal(parse("--source", "127.0.0.5"), CONFIG_RUN);
    assert_int_equal(cfg.source_first, 0x7f000005);
    assert_int_equal(cfg.source_last, 0x7f000005);
    assert_int_equal(parse("--source", "127.0.0.250-127.0.1.4"), CONFIG_RUN);
    assert_int_equal(cfg.source_last - cfg.source_first + 1, 11);
    assert_usage("--source: 127.0.0.9 comes after 127.0.0.2", "--source",
                 "127.0.0.9-127.0.0.2");
    assert_usage("--source: '10.0.0.1-10.0.0.2' is not", "--source",
                 "10.0.0.1-10.0.0.2");
    assert_usage("--source: '127.0.0.1-' is not", "--source", "127.0.0.1-");
    assert_usage("--source: '-127.0.0.1' is not", "--source", "-127.0.0.1");
    assert_usage("--source: 'abc' is not", "--source", "abc");
    assert_usage("--source: IPv4 loopback sources cannot reach IPv6",
                 "--source", "127.0.0.2", "[::1]:80");
}

static void test_bad_options(void **state)
{
    (void)state;
    assert_usage("--bogus: unknown option", "--bogus");
    assert_usage("-x: unknown option", "-x");
    assert_usage("--connections: missing value", "-c");
    assert_usage("--json: missing value", "--json");
}

static void test_help_and_version(void **state)
{
    (void)state;
    assert_int_equal(parse("--help"), CONFIG_EXIT_OK);
    assert_non_null(strstr(outbuf, "usage: client_load"));
    assert_non_null(strstr(outbuf, "--source"));
    assert_int_equal(parse("-V"), CONFIG_EXIT_OK);
    assert_non_null(strstr(outbuf, CLIENT_VERSION));
    /* Help wins over an error later on the line, as with getopt tools. */
    assert_int_equal(parse("-h", "-c", "0"), CONFIG_EXIT_OK);
}

static void test_reparse(void **state)
{
    (void)state;
    /* getopt's state is reset: a second parse sees the whole line. */
    assert_int_equal(parse("-c", "7", "-q"), CONFIG_RUN);
    assert_int_equal(parse("-c", "9"), CONFIG_RUN);
    assert_int_equal(cfg.connections, 9);
    assert_false(cfg.quiet);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_every_flag),
        cmocka_unit_test(test_long_names),
        cmocka_unit_test(test_threads),
        cmocka_unit_test(test_stop_conditions),
        cmocka_unit_test(test_target),
        cmocka_unit_test(test_numbers_name_the_flag),
        cmocka_unit_test(test_white_space_is_no_number),
        cmocka_unit_test(test_other_values),
        cmocka_unit_test(test_source),
        cmocka_unit_test(test_bad_options),
        cmocka_unit_test(test_help_and_version),
        cmocka_unit_test(test_reparse),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
