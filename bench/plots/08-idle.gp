# 08-idle.gp: server memory (PSS + page tables + kernel stacks) vs idle connections held.
load lib.'style.gp'
file = data.'08-idle.csv'
stats file using "flagged_runs" nooutput
flagtitle = (STATS_max > 0) ? "stopped short of K (held fewer)" : ""
set title "How much memory does each model need to hold K idle connections?\n(delta while holding: PSS of the server and all its processes + PageTables + KernelStack of /proc/meminfo)"
set xlabel "idle connections held (K, log scale)"
set ylabel "memory added (MiB, log scale)"
set logscale x 10
set logscale y 10
set xrange [*:*] noextend
set offsets graph 0.05, graph 0.05, 0, 0
selv(v, col) = (strcol("variant") eq v) ? column(col) : NaN
stats file using "stack_kib" nooutput
variant(x) = (strcol("variant") eq "fork") ? "fork_server" : (strcol("variant") eq "thread") \
    ? "thread_server" : sprintf("thread_server --stack-size %s KiB", strcol("stack_kib"))
pointtip(x) = sprintf("%s\nidle connections held: %d of %d\nmemory added: %s MiB (%s KiB per connection)\n%d run%s%s", \
    variant(0), column("held"), column("conns"), gv(column("total_mib")), gv(column("kib_per_conn")), \
    column("n"), (column("n") == 1) ? "" : "s", \
    (column("flagged_runs") > 0) ? "\nflagged: stopped short of K (see the table)" : "")
do for [t in terms] {
    eval setterm(t)
    plot file using "held":(selv("fork", "total_mib")) with linespoints ls 1 title "fork_server", \
         file using "held":(selv("thread", "total_mib")) with linespoints ls 2 title "thread_server", \
         file using "held":(strcol("variant") ne "fork" && strcol("variant") ne "thread" ? column("total_mib") : NaN) \
            with linespoints ls 4 title "thread_server, small --stack-size", \
         file using "held":(flagged("total_mib")) with points ls 9 title flagtitle, \
         file using "held":"total_mib":(pointtip(0)) with labels hypertext point ls 99 notitle
}
set output
