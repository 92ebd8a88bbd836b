# 02-persistent-rate.gp: requests/s vs concurrency over kept-alive connections.
load lib.'style.gp'
file = data.'02-persistent.csv'
stats file using "flagged_runs" nooutput
flagtitle = flag_key(STATS_max)
stats file using "client_bound_runs" nooutput
boundtitle = bound_key(STATS_max)
stats file using "disturbed_used" nooutput
busytitle = busy_key(STATS_max)
set title "How many requests per second does each model serve over persistent connections?\n(client_load -r 0: each connection open all run, echo; median of repeats, bars min-max)"
set xlabel "concurrent connections (client_load -c)"
set ylabel "requests per second (1/s)"
set logscale x 2
set xrange [*:*] noextend
set offsets graph 0.03, graph 0.03, 0, 0
set yrange [0:*]
do for [t in terms] {
    eval setterm(t)
    plot for [m in models] file using "concurrency":(sel(m, "requests_per_s_median")):(sel(m, "requests_per_s_min")):(sel(m, "requests_per_s_max")) \
            with yerrorlines ls mstyle(m) title m."_server", \
         file using "concurrency":(flagged("requests_per_s_median")) with points ls 9 title flagtitle, \
         file using "concurrency":(bound("requests_per_s_median")) with points ls 8 title boundtitle, \
         file using "concurrency":(busy("requests_per_s_median")) with points ls 7 title busytitle, \
         file using (column(tipx)):(med("requests_per_s", 1)):(tip("rate", "requests_per_s", 1, "requests/s")) with labels hypertext point ls 99 notitle
}
set output
