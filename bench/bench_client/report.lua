-- wrk's results for bench/bench_client/run.sh as one tab-separated line,
-- from a done() hook that costs nothing per request: requests, errors,
-- p50 and p99 in microseconds, and the run's duration in microseconds.
done = function(summary, latency, requests)
    local e = summary.errors
    io.write(string.format("RESULT\t%d\t%d\t%.1f\t%.1f\t%d\n",
        summary.requests, e.connect + e.read + e.write + e.status + e.timeout,
        latency:percentile(50), latency:percentile(99), summary.duration))
end
