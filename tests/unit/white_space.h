/* white_space.h: the check the servers' and client_load's command-line tests
 * share: white space before or after a number makes it no number, in every
 * numeric flag, since both parse numbers with common/cli.c. Included by one
 * test file each (it defines static functions). */
#ifndef TEST_WHITE_SPACE_H
#define TEST_WHITE_SPACE_H

#include <stdio.h>
#include <string.h>

/* A numeric flag, and what its refusal says a bad value is not. */
struct numeric_flag {
    const char *flag;
    const char *what;           /* "a whole number", "a number", ... */
};

/* Parses a command line of flag and value; returns its error message, or
 * NULL when it was accepted. */
typedef const char *parse_one_fn(const char *flag, const char *value);

/* Every flag refuses every spaced value, in the same words: "FLAG: 'VALUE'
 * is not WHAT", the value quoted as it came. */
static void assert_white_space_refused(const struct numeric_flag *flags,
                                       size_t n, parse_one_fn *parse_one)
{
    /* What strtol and strtod would skip before a number, and some after. */
    static const char *const spaced[] = {" 5", "\t5", "\n5", "\v5", "\f5",
                                         "\r5", " \t5", "5 ", "5\t", "5\n"};
    char want[96];
    for (size_t f = 0; f < n; f++)
        for (size_t i = 0; i < sizeof spaced / sizeof spaced[0]; i++) {
            const char *got = parse_one(flags[f].flag, spaced[i]);
            snprintf(want, sizeof want, "%s: '%s' is not %s", flags[f].flag,
                     spaced[i], flags[f].what);
            if (got == NULL || strcmp(got, want) != 0)
                fail_msg("%s '%s': %s", flags[f].flag, spaced[i],
                         got ? got : "accepted");
        }
}

#endif
