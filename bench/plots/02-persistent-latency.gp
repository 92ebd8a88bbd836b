# 02-persistent-latency.gp: request latency p50/p99 vs concurrency, keep-alive.
load lib.'style.gp'
file = data.'02-persistent.csv'
stats file using "flagged_runs" nooutput
flagtitle = flag_key(STATS_max)
stats file using "client_bound_runs" nooutput
boundtitle = bound_key(STATS_max)
stats file using "disturbed_used" nooutput
busytitle = busy_key(STATS_max)
set title "How long does a request take over a persistent connection?\n(client_load -r 0; p50 solid, p99 dashed; median of repeats, bars min-max)"
set xlabel "concurrent connections (client_load -c)"
set ylabel "request latency (ms, log scale)"
set logscale x 2
set logscale y 10
set xrange [*:*] noextend
set offsets graph 0.03, graph 0.03, 0, 0
do for [t in terms] {
    eval setterm(t)
    plot for [m in models] file using "concurrency":(sel(m, "request_p50_us_median")/1000):(sel(m, "request_p50_us_min")/1000):(sel(m, "request_p50_us_max")/1000) \
            with yerrorlines ls mstyle(m) title m."_server p50", \
         for [m in models] file using "concurrency":(sel(m, "request_p99_us_median")/1000):(sel(m, "request_p99_us_min")/1000):(sel(m, "request_p99_us_max")/1000) \
            with yerrorlines ls mstyle(m)+2 title m."_server p99", \
         file using "concurrency":(flagged("request_p99_us_median")/1000) with points ls 9 title flagtitle, \
         file using "concurrency":(bound("request_p99_us_median")/1000) with points ls 8 title boundtitle, \
         file using "concurrency":(busy("request_p99_us_median")/1000) with points ls 7 title busytitle, \
         for [p in "p50 p99"] file using (column(tipx)):(med("request_".p."_us", 1000)):(tip("request ".p, "request_".p."_us", 1000, "ms")) with labels hypertext point ls 99 notitle
}
set output
