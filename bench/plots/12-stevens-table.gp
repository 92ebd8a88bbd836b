# 12-stevens-table.gp: Stevens' table as bars: CPU per connection (left) and
# the job's wall time (right) for each of the six servers.
load lib.'style.gp'
file = data.'12-stevens-table.csv'
set style data histogram
set style fill solid 0.8 border -1
set boxwidth 0.7
set xtics rotate by -30 left nomirror
set yrange [0:*]
set key off
set bmargin 9
label(v) = (v eq "fork-iterative") ? "fork iterative" : (v eq "fork") ? "fork per accept" : \
    (v eq "fork-prespawn") ? "prefork" : (v eq "thread-iterative") ? "thread iterative" : \
    (v eq "thread") ? "thread per accept" : "prethreaded"
cputip(x) = sprintf("%s (%s_server)\nCPU per connection: %s µs\n%s× fork per accept (95 %% CI %s–%s×)\nprocess control: %s µs per connection\n%d rounds", \
    label(strcol("variant")), strcol("model"), gv(column("cpu_us_per_conn")), gv(column("cpu_vs_fork")), \
    strcol("cpu_ci_low"), strcol("cpu_ci_high"), gv(column("process_control_us")), column("rounds"))
walltip(x) = sprintf("%s (%s_server)\nwhole-run time: %s s\n%s× fork per accept (95 %% CI %s–%s×)\n%d rounds", \
    label(strcol("variant")), strcol("model"), gv(column("wall_s")), gv(column("wall_vs_fork")), \
    strcol("wall_ci_low"), strcol("wall_ci_high"), column("rounds"))
colour(m) = (m eq "fork") ? fork_rgb : thread_rgb
do for [t in terms] {
    eval setterm(t)
    set multiplot layout 1,2 title "Stevens' table redone: how much of each server's cost is the spawn?\n(his job: 5 clients x 1000 connections x 4000 bytes; medians, bars from the runs' and rounds' medians)"
    set title "server CPU per connection (µs, with reaped children)"
    set ylabel "µs per connection"
    plot file using 0:"cpu_us_per_conn":(0.7):(colour(strcol("model"))):xtic(label(strcol("variant"))) \
        with boxes lc rgb variable, \
         file using 0:"cpu_us_per_conn":(cputip(0)) with labels hypertext point ls 99 notitle
    set title "whole-run time of the job (s, hyperfine)"
    set ylabel "seconds"
    plot file using 0:"wall_s":(0.7):(colour(strcol("model"))):xtic(label(strcol("variant"))) \
        with boxes lc rgb variable, \
         file using 0:"wall_s":(walltip(0)) with labels hypertext point ls 99 notitle
    unset multiplot
}
set output
