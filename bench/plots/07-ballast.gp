# 07-ballast.gp: short-connection rate and connect p99 vs the parent's size.
load lib.'style.gp'
file = data.'07-ballast.csv'
stats file using "flagged_runs" nooutput
flagtitle = flag_key(STATS_max)
stats file using "client_bound_runs" nooutput
boundtitle = bound_key(STATS_max)
stats file using "disturbed_used" nooutput
busytitle = busy_key(STATS_max)
set xlabel "server parent's touched memory (--ballast-mb, MiB)"
set xrange [*:*] noextend
tipx = "ballast_mb"
tipxname = "parent ballast (MiB)"
set offsets graph 0.05, graph 0.05, 0, 0
do for [t in terms] {
    eval setterm(t)
    set multiplot layout 1,2 title "Does a bigger parent make each model slower to serve a new connection?\n(client_load -r 1, echo; median of repeats, bars min-max)"
    set title "short connections per second"
    set ylabel "connections per second (1/s)"
    set yrange [0:*]
    plot for [m in models] file using "ballast_mb":(sel(m, "connections_per_s_median")):(sel(m, "connections_per_s_min")):(sel(m, "connections_per_s_max")) \
            with yerrorlines ls mstyle(m) title m."_server", \
         file using "ballast_mb":(flagged("connections_per_s_median")) with points ls 9 title flagtitle, \
         file using "ballast_mb":(bound("connections_per_s_median")) with points ls 8 title boundtitle, \
         file using "ballast_mb":(busy("connections_per_s_median")) with points ls 7 title busytitle, \
         file using (column(tipx)):(med("connections_per_s", 1)):(tip("rate", "connections_per_s", 1, "connections/s")) with labels hypertext point ls 99 notitle
    set title "connect() p99"
    set ylabel "connect p99 (ms)"
    plot for [m in models] file using "ballast_mb":(sel(m, "connect_p99_us_median")/1000):(sel(m, "connect_p99_us_min")/1000):(sel(m, "connect_p99_us_max")/1000) \
            with yerrorlines ls mstyle(m) title m."_server", \
         file using "ballast_mb":(flagged("connect_p99_us_median")/1000) with points ls 9 title flagtitle, \
         file using "ballast_mb":(bound("connect_p99_us_median")/1000) with points ls 8 title boundtitle, \
         file using "ballast_mb":(busy("connect_p99_us_median")/1000) with points ls 7 title busytitle, \
         file using (column(tipx)):(med("connect_p99_us", 1000)):(tip("connect p99", "connect_p99_us", 1000, "ms")) with labels hypertext point ls 99 notitle
    unset multiplot
}
set output
