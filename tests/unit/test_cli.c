/* test_cli.c: the number parsers every numeric flag of the servers and of
 * client_load goes through (common/cli.c). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

static char err[256];

/* The white space strtoll and strtod would skip, each before a number. */
static const char *const spaced[] = {" 5", "\t5", "\n5", "\v5", "\f5", "\r5",
                                     " \t5"};

/* The two kinds of number, and what a refusal says each is not. */
enum kind { WHOLE, NUMBER };
static const char *const kind_noun[] = {"a whole number", "a number"};

/* Parses arg as WHOLE (over the whole long long range) or as a NUMBER in
 * [0, 100]; returns the parser's result, *touched whether it wrote a value. */
static int parse_as(enum kind kind, const char *arg, bool *touched)
{
    long long w = -42;
    double d = -42;
    err[0] = '\0';
    int rc = kind == WHOLE
        ? cli_parse_whole(arg, LLONG_MIN, LLONG_MAX, "--n", &w, err, sizeof err)
        : cli_parse_number(arg, 0, 100, "--n", &d, err, sizeof err);
    *touched = w != -42 || d != -42;
    return rc;
}

/* arg is refused as not of its kind, and no value is written. */
static void assert_not(enum kind kind, const char *arg)
{
    bool touched;
    int rc = parse_as(kind, arg, &touched);
    char want[64];
    snprintf(want, sizeof want, "--n: '%s' is not %s", arg, kind_noun[kind]);
    if (rc != -1 || touched || strcmp(err, want) != 0)
        fail_msg("'%s': rc %d, %s, '%s'", arg, rc,
                 touched ? "value written" : "no value", err);
}

/* cli_parse_whole over the whole long long range: the value, or -42. */
static long long whole(const char *arg, int *rc)
{
    long long v = -42;
    err[0] = '\0';
    *rc = cli_parse_whole(arg, LLONG_MIN, LLONG_MAX, "--n", &v, err,
                          sizeof err);
    return v;
}

static void test_whole_accepts_the_number_alone(void **state)
{
    (void)state;
    int rc;
    assert_int_equal(whole("0", &rc), 0);
    assert_int_equal(rc, 0);
    assert_int_equal(whole("-17", &rc), -17);
    assert_int_equal(whole("+17", &rc), 17);
    assert_int_equal(whole("007", &rc), 7);
    assert_true(whole("9223372036854775807", &rc) == LLONG_MAX);
    assert_int_equal(rc, 0);
    assert_true(whole("-9223372036854775808", &rc) == LLONG_MIN);
    assert_int_equal(rc, 0);
}

static void test_whole_refuses_leading_white_space(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof spaced / sizeof spaced[0]; i++)
        assert_not(WHOLE, spaced[i]);
}

/* No unit suffix, no fraction, no other base: the digits and nothing else. */
static void test_whole_refuses_trailing_characters(void **state)
{
    (void)state;
    const char *junk[] = {"5 ", "5\t", "5\n", "5x", "4k", "1M", "10s", "1e3",
                          "5.0", "0x10", "1,000", "5-"};
    for (size_t i = 0; i < sizeof junk / sizeof junk[0]; i++)
        assert_not(WHOLE, junk[i]);
}

static void test_whole_refuses_no_digits(void **state)
{
    (void)state;
    const char *none[] = {"", "-", "+", " ", "x", "--5", "+-5"};
    for (size_t i = 0; i < sizeof none / sizeof none[0]; i++)
        assert_not(WHOLE, none[i]);
}

/* Beyond a long long, and beyond the flag's bounds (which are inclusive). */
static void test_whole_range(void **state)
{
    (void)state;
    int rc;
    assert_int_equal(whole("9223372036854775808", &rc), -42);
    assert_int_equal(rc, -1);
    assert_string_equal(err, "--n: 9223372036854775808 is out of range "
                        "(-9223372036854775808..9223372036854775807)");
    assert_int_equal(whole("-9223372036854775809", &rc), -42);
    assert_int_equal(rc, -1);
    assert_non_null(strstr(err, "is out of range"));
    long long v = -42;
    assert_int_equal(cli_parse_whole("10", 1, 10, "--x", &v, err, sizeof err), 0);
    assert_int_equal(v, 10);
    assert_int_equal(cli_parse_whole("1", 1, 10, "--x", &v, err, sizeof err), 0);
    assert_int_equal(v, 1);
    assert_int_equal(cli_parse_whole("11", 1, 10, "--x", &v, err, sizeof err),
                     -1);
    assert_string_equal(err, "--x: 11 is out of range (1..10)");
    assert_int_equal(cli_parse_whole("0", 1, 10, "--x", &v, err, sizeof err),
                     -1);
    assert_string_equal(err, "--x: 0 is out of range (1..10)");
    assert_int_equal(v, 1);
}

/* cli_parse_number in [0, 100]: the value, or -42. */
static double number(const char *arg, int *rc)
{
    double v = -42;
    err[0] = '\0';
    *rc = cli_parse_number(arg, 0, 100, "--r", &v, err, sizeof err);
    return v;
}

static void test_number(void **state)
{
    (void)state;
    int rc;
    assert_true(number("1.5", &rc) == 1.5);
    assert_int_equal(rc, 0);
    assert_true(number(".25", &rc) == 0.25);
    assert_true(number("1e2", &rc) == 100);
    assert_true(number("0", &rc) == 0);
    assert_int_equal(rc, 0);
    for (size_t i = 0; i < sizeof spaced / sizeof spaced[0]; i++)
        assert_not(NUMBER, spaced[i]);
    const char *bad[] = {"", "1.5 ", "1.5s", "10ms", "2k", "nan", "inf",
                         "-inf", "1e999", "."};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_not(NUMBER, bad[i]);
    assert_true(number("100.5", &rc) == -42);
    assert_int_equal(rc, -1);
    assert_string_equal(err, "--r: 100.5 is out of range (0..100)");
    assert_true(number("-0.001", &rc) == -42);
    assert_string_equal(err, "--r: -0.001 is out of range (0..100)");
}

static void test_seconds(void **state)
{
    (void)state;
    double v = -42;
    assert_int_equal(cli_parse_seconds("0.5", 10, "--t", &v, err, sizeof err),
                     0);
    assert_true(v == 0.5);
    assert_int_equal(cli_parse_seconds("\t1", 10, "--t", &v, err, sizeof err),
                     -1);
    assert_string_equal(err, "--t: '\t1' is not a number of seconds");
    assert_int_equal(cli_parse_seconds("1s", 10, "--t", &v, err, sizeof err),
                     -1);
    assert_string_equal(err, "--t: '1s' is not a number of seconds");
    assert_int_equal(cli_parse_seconds("11", 10, "--t", &v, err, sizeof err),
                     -1);
    assert_string_equal(err, "--t: 11 is out of range (0..10)");
    assert_true(v == 0.5);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_whole_accepts_the_number_alone),
        cmocka_unit_test(test_whole_refuses_leading_white_space),
        cmocka_unit_test(test_whole_refuses_trailing_characters),
        cmocka_unit_test(test_whole_refuses_no_digits),
        cmocka_unit_test(test_whole_range),
        cmocka_unit_test(test_number),
        cmocka_unit_test(test_seconds),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
