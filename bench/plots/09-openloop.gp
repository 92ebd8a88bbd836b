# 09-openloop.gp: open loop relative to capacity: p99 and achieved share vs
# offered rate, each model's capacity and sustainable rate marked.
load lib.'style.gp'
file = data.'09-openloop.csv'
cap = data.'09-openloop-capacity.csv'
sus = data.'09-openloop-sustainable.csv'
stats file using "flagged_runs" nooutput
flagtitle = flag_key(STATS_max)
stats file using "client_bound_runs" nooutput
boundtitle = bound_key(STATS_max)
stats file using "disturbed_used" nooutput
busytitle = busy_key(STATS_max)
# relsel(m, col): COL of model M's row for the relative bound (x unloaded p99).
relsel(m, col) = (strcol("model") eq m && strstrt(strcol("bound"), "unloaded") > 0) ? column(col) : NaN
# Each model's capacity: a dotted vertical line in its colour.
do for [m in models] {
    stats cap using (sel(m, "capacity_per_s")) nooutput
    set arrow from STATS_max, graph 0 to STATS_max, graph 1 nohead lw 1.5 dt 3 lc rgb mcolour(m)
}
tipx = "offered_rate"
tipxname = "offered rate (requests/s)"
sustip(m) = sprintf("%s_server: maximum sustainable rate\n%s requests/s (%s× its capacity)\np99 %s ms, under the bound %s", \
    m, gv(column("sustainable_rate")), gv(column("over_capacity")), gv(column("p99_us") / 1000), strcol("bound"))
sharetip(x) = sprintf("%s_server\n%s: %s\nachieved: %s\n%s of the offered rate\n%s", strcol("model"), tipxname, \
    strcol(tipx), spread("requests_per_s", 1, "requests/s"), gv(med("requests_per_s", 1) / column(tipx)), runs(column("n")))
set xlabel "offered rate (requests/s, each a new connection; log scale)"
set logscale x 2
set xrange [*:*] noextend
set offsets graph 0.03, graph 0.03, 0, 0
set bmargin 8
do for [t in terms] {
    eval setterm(t)
    set multiplot layout 1,2 title "What rate can each model sustain, and where does its latency break?\n(client_load -R: open loop, -r 1, latency from each request's intended start; median of repeats, bars min-max;\ndotted vertical line: the model's closed-loop capacity; big circle: its sustainable rate, p99 under 10x its unloaded p99)"
    set title "p99 request latency"
    set ylabel "p99 latency (ms, log scale)"
    set logscale y 10
    set yrange [*:*]
    plot for [m in models] file using "offered_rate":(sel(m, "request_p99_us_median")/1000):(sel(m, "request_p99_us_min")/1000):(sel(m, "request_p99_us_max")/1000) \
            with yerrorlines ls mstyle(m) title m."_server", \
         for [m in models] sus using (relsel(m, "sustainable_rate")):(relsel(m, "p99_us")/1000) \
            with points pt 6 ps 4 lw 2 lc rgb mcolour(m) title m."_server sustainable", \
         file using "offered_rate":(flagged("request_p99_us_median")/1000) with points ls 9 title flagtitle, \
         file using "offered_rate":(bound("request_p99_us_median")/1000) with points ls 8 title boundtitle, \
         file using "offered_rate":(busy("request_p99_us_median")/1000) with points ls 7 title busytitle, \
         file using (column(tipx)):(med("request_p99_us", 1000)):(tip("request p99", "request_p99_us", 1000, "ms")) with labels hypertext point ls 99 notitle, \
         for [m in models] sus using (relsel(m, "sustainable_rate")):(relsel(m, "p99_us")/1000):(sustip(m)) with labels hypertext point ls 99 notitle
    set title "achieved / offered"
    set ylabel "achieved rate / offered rate"
    unset logscale y
    set yrange [0:1.1]
    plot for [m in models] file using "offered_rate":(sel(m, "requests_per_s_median")/column("offered_rate")) \
            with linespoints ls mstyle(m) title m."_server", \
         0.95 with lines lc rgb "#808080" dt 2 title "95 % of offered", \
         file using (column(tipx)):(med("requests_per_s", 1) / column(tipx)):(sharetip(0)) with labels hypertext point ls 99 notitle
    unset multiplot
}
set output
