# 04-payload.gp: MB/s vs reply size, a new connection per reply.
load lib.'style.gp'
file = data.'04-payload.csv'
stats file using "flagged_runs" nooutput
flagtitle = flag_key(STATS_max)
stats file using "client_bound_runs" nooutput
boundtitle = bound_key(STATS_max)
stats file using "disturbed_used" nooutput
busytitle = busy_key(STATS_max)
set title "How much data per second does each model deliver as replies grow?\n(size protocol, a new connection per reply; median of repeats, bars min-max)"
set xlabel "reply size (bytes, log scale)"
set ylabel "throughput (MB/s = 10^6 bytes/s received, log scale)"
set logscale x 2
set logscale y 10
set xrange [*:*] noextend
set offsets graph 0.03, graph 0.03, 0, 0
tipx = "size"
tipxname = "reply bytes"
set xtics ("64 B" 64, "256 B" 256, "1 KiB" 1024, "4 KiB" 4096, "16 KiB" 16384, "64 KiB" 65536, "256 KiB" 262144, "1 MiB" 1048576)
do for [t in terms] {
    eval setterm(t)
    plot for [m in models] file using "size":(sel(m, "mb_per_s_median")):(sel(m, "mb_per_s_min")):(sel(m, "mb_per_s_max")) \
            with yerrorlines ls mstyle(m) title m."_server", \
         file using "size":(flagged("mb_per_s_median")) with points ls 9 title flagtitle, \
         file using "size":(bound("mb_per_s_median")) with points ls 8 title boundtitle, \
         file using "size":(busy("mb_per_s_median")) with points ls 7 title busytitle, \
         file using (column(tipx)):(med("mb_per_s", 1)):(tip("throughput", "mb_per_s", 1, "MB/s")) with labels hypertext point ls 99 notitle
}
set output
