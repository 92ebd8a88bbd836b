/* fuzz_http.c: libFuzzer harness for proto_http_parse and the reply writers.
 * Besides crashes (ASan/UBSan), it checks the parser's contract: a complete
 * request takes between 1 and len bytes, its fields are in range, and every
 * prefix of a buffer parses to "need more" or to the same answer. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "proto.h"

#define MAX_BODY (16UL << 20)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
    const char *buf = (const char *)data;
    struct http_req req;
    long r = proto_http_parse(buf, len, MAX_BODY, &req);
    if (r > (long)len)
        abort();
    if (r > 0) {
        if (req.minor != 0 && req.minor != 1)
            abort();
        if (req.body_len > MAX_BODY && req.body_len != HTTP_ROOT_BODY)
            abort();
        char head[256];
        if (proto_http_head(head, sizeof head, &req) == 0)
            abort();
    } else if (r < 0) {
        char out[256];
        if (proto_http_error(out, sizeof out, (int)-r) == 0)
            abort();
    }
    /* A prefix may be incomplete, or already certain to be the same answer. */
    if (len > 0) {
        struct http_req p;
        long rp = proto_http_parse(buf, len - 1, MAX_BODY, &p);
        if (rp != 0 && rp != r && !(rp > 0 && r > 0 && rp == r))
            abort();
    }
    return 0;
}
