/* fuzz_size.c: libFuzzer harness for proto_size_parse. Checks the contract:
 * a complete line takes 2..SIZE_LINE_MAX bytes (never more than len) and
 * yields 1 <= n <= max; a prefix is incomplete or gives the same answer. */
#include <stdint.h>
#include <stdlib.h>

#include "proto.h"

#define MAX (16UL << 20)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
    const char *buf = (const char *)data;
    unsigned long n = 0;
    long r = proto_size_parse(buf, len, MAX, &n);
    if (r > (long)len || r > SIZE_LINE_MAX || r == 1)
        abort();
    if (r > 0 && (n < 1 || n > MAX))
        abort();
    if (len > 0) {
        unsigned long m;
        long rp = proto_size_parse(buf, len - 1, MAX, &m);
        if (rp != 0 && rp != r)
            abort();
        if (rp > 0 && m != n)
            abort();
    }
    return 0;
}
