"""reporthtml.py: report.html, the report as one page that opens from disk.

report.py calls write() after report.md. The page is that same Markdown,
rendered by Python-Markdown (Debian's python3-markdown, with its tables and
toc extensions), with three changes:

- each figure's PNG is replaced by its SVG from plots/, inline, so the page
  needs no other file: gnuplot's own script and handlers are taken out, and
  each point's hover text (the "labels hypertext" layer of bench/plots/*.gp)
  becomes an SVG <title> that the page's one small script shows as a tooltip;
- a summary of data/verdicts.csv comes first: per verdict the model ahead,
  by how much, the 95 % interval drawn on a log scale, how sure, and marks
  for flagged, disturbed and client-bound runs, each linking to its
  experiment's section (#exp-N);
- table rows marked ⚠ and verdict sentences with a caution are highlighted.

Styles are inline, there is no font, image or script from elsewhere, and a
Content-Security-Policy forbids any. The output depends on nothing but the
run folder, so --replot writes the same bytes.
"""
import html
import re
import sys
from math import log2

try:
    import markdown
except ImportError:
    # Debian's modules are not on the path of a python3 that is not Debian's
    # (pyenv, a virtualenv): look where python3-markdown installs.
    sys.path.append("/usr/lib/python3/dist-packages")
    try:
        import markdown
    except ImportError:
        markdown = None

from compare import advantage
from reportlib import VERDICT_COLUMNS, server

FIGURE = re.compile(r'<p><img alt="(?P<alt>[^"]*)" src="plots/(?P<name>[^"/]+)\.png" /></p>')
SVG_LINK = re.compile(r'<p>\(<a href="plots/[^"/]+\.svg">SVG</a> for zooming\)</p>\n?')
HYPERTEXT = re.compile(r"""<g onmousemove="gnuplot_svg\.showHypertext\(evt,'(.*?)'\)" """
                       r"""onmouseout="gnuplot_svg\.hideHypertext\(\)"><title> </title>""")
# What gnuplot's mouse script needs and the page does not: the script, the
# box that catches the mouse, the grid button, the coordinate and hypertext
# boxes, the handlers, the titles it gives every plot (they would show as
# tooltips), comments, its description.
STRIP = [
    re.compile(r"<script.*?</script>\s*", re.S),
    re.compile(r"<!--.*?-->\s*", re.S),
    re.compile(r"""\s*<(?:rect|image)\s[^>]*(?:toggleCoordBox|toggleGrid)[^>]*/>"""),
    re.compile(r"""\s*<text id="(?:coord_text|hypertext)"[^>]*>[^<]*</text>"""),
    re.compile(r"""\s*<(?:rect|image) id="(?:hypertextbox|hyperimage)"[^>]*/>"""),
    re.compile(r"""\s*<filter id='(?:textbox|greybox)'.*?</filter>""", re.S),
    re.compile(r"""\s+on(?:load|click|mousemove|mouseout)=(?:"[^"]*"|'[^']*')"""),
    re.compile(r"<title>(?:Gnuplot|gnuplot_plot_\d+(?:_keyentry)?)</title>"),
    re.compile(r"<desc>.*?</desc>\s*", re.S),
]
ID = re.compile(r"""(\sid=['"])([^'"]+)(['"])""")
REF = re.compile(r"""((?:xlink:)?href=['"]#|url\(#)([^'")]+)""")

# The thread/fork ratio axis of the summary's interval column: log2 from
# 1/8 to 8, a ratio beyond drawn at the edge with an arrow.
AXIS_W, AXIS_H, AXIS_LOG2, AXIS_PAD = 230, 18, 3.0, 12

STYLE = """
:root { color-scheme: light; --fork: #D55E00; --thread: #0072B2; --line: #d0d0d0; }
* { box-sizing: border-box; }
body { margin: 0; color: #1b1b1b; background: #fff;
       font: 15px/1.5 system-ui, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; }
main { max-width: 1200px; margin: 0 auto; padding: 0.5rem 1.5rem 4rem; }
h1 { font-size: 1.55rem; line-height: 1.25; margin: 1rem 0 0.5rem; }
h2 { font-size: 1.25rem; margin: 2.5rem 0 0.6rem; padding-bottom: 0.2rem;
     border-bottom: 1px solid var(--line); }
a { color: #0b5cad; }
code { font: 0.88em ui-monospace, "DejaVu Sans Mono", monospace; background: #f2f2f2;
       padding: 0 0.2em; border-radius: 3px; }
nav { font-size: 0.85rem; padding: 0.4rem 0; border-bottom: 1px solid var(--line); }
nav a { margin-right: 0.8rem; white-space: nowrap; }
.table { overflow-x: auto; margin: 0.5rem 0 1rem; }
table { border-collapse: collapse; font-size: 0.84rem; }
th, td { border: 1px solid var(--line); padding: 0.2rem 0.45rem; text-align: left;
         vertical-align: top; }
th { background: #f6f6f6; }
tr.warn td { background: #fff3d0; }
li { margin: 0.25rem 0; }
li.caution { background: #fff8e6; border-left: 3px solid #c77c00; padding-left: 0.4rem; }
figure { margin: 1.2rem 0; }
figure svg { display: block; width: 100%; max-width: 1000px; height: auto; }
figcaption { font-size: 0.82rem; color: #555; }
svg.plot g.tip { cursor: crosshair; }
#tip { position: fixed; z-index: 10; pointer-events: none; max-width: 28rem;
       padding: 0.3rem 0.5rem; font-size: 0.8rem; white-space: pre-line;
       background: #fffff4; border: 1px solid #777; box-shadow: 0 2px 6px rgba(0,0,0,.2); }
.summary td { vertical-align: middle; }
.summary th svg, .summary td svg { display: block; }
.summary svg text { font-family: inherit; }
.summary td.ratio { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
.fork { color: var(--fork); font-weight: 600; }
.thread { color: var(--thread); font-weight: 600; }
.none { color: #555; }
.mark { display: inline-block; margin: 0 0.2rem 0.1rem 0; padding: 0 0.4rem;
        border-radius: 0.7rem; font-size: 0.75rem; white-space: nowrap; color: #fff; }
.mark.flagged { background: #111; }
.mark.disturbed { background: #8E44AD; }
.mark.bound { background: #707070; }
.mark.wide { background: #f1dfbf; color: #5a3b00; }
.lead { font-size: 1rem; }
@media print {
  nav, #tip { display: none; }
  main { max-width: none; padding: 0; }
  body { font-size: 11pt; }
  figure, tr, li { break-inside: avoid; }
  h2 { break-after: avoid; }
  a { color: inherit; text-decoration: none; }
  .table { overflow: visible; }
}
"""

# The tooltip: each point's <title> (kept for a page without scripts) moves
# to data-tip, and the box follows the pointer over the point.
SCRIPT = """
(function () {
  var tip = document.getElementById("tip");
  document.querySelectorAll("svg.plot g.tip").forEach(function (g) {
    var t = g.querySelector("title");
    if (t) { g.setAttribute("data-tip", t.textContent); t.remove(); }
  });
  function place(e) {
    var r = tip.getBoundingClientRect(), x = e.clientX + 14, y = e.clientY + 14;
    if (x + r.width > window.innerWidth) x = e.clientX - r.width - 14;
    if (y + r.height > window.innerHeight) y = e.clientY - r.height - 14;
    tip.style.left = Math.max(0, x) + "px";
    tip.style.top = Math.max(0, y) + "px";
  }
  document.addEventListener("mouseover", function (e) {
    var g = e.target.closest && e.target.closest("g.tip");
    if (!g) { tip.hidden = true; return; }
    tip.textContent = g.getAttribute("data-tip");
    tip.hidden = false;
    place(e);
  });
  document.addEventListener("mousemove", function (e) { if (!tip.hidden) place(e); });
})();
"""

CSP = ("default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; "
       "img-src data:")


def slug(value, separator):
    """Heading ids: "12. Stevens' table..." is exp-12, others their words."""
    m = re.match(r"(\d+)\. ", value)
    if m:
        return f"exp-{m.group(1)}"
    return re.sub(r"[^a-z0-9]+", separator, value.lower()).strip(separator)


def inline_svg(path, name, alt):
    """plots/NAME.svg as an element of the page: its ids prefixed by NAME (a
    page holds many figures), gnuplot's script and handlers out, each
    hover text an SVG <title> in a g.tip."""
    svg = path.read_text()
    svg = svg[svg.index("<svg"):].rstrip()
    svg = HYPERTEXT.sub(lambda m: '<g class="tip"><title>'
                        + m.group(1).replace("\\n", "\n") + "</title>", svg)
    for pattern in STRIP:
        svg = pattern.sub("", svg)
    ids = set(m.group(2) for m in ID.finditer(svg))
    svg = ID.sub(lambda m: f"{m.group(1)}fig-{name}-{m.group(2)}{m.group(3)}", svg)
    svg = REF.sub(lambda m: m.group(1) + (f"fig-{name}-{m.group(2)}" if m.group(2) in ids
                                         else m.group(2)), svg)
    return svg.replace("<svg", f'<svg class="plot" role="img" aria-label="{html.escape(alt)}"',
                       1)


def figure(run, m):
    name, alt = m.group("name"), html.unescape(m.group("alt"))
    path = run / "plots" / f"{name}.svg"
    if not path.exists():
        return f"<p><em>(figure {html.escape(name)} was not drawn)</em></p>"
    return (f'<figure id="fig-{name}">\n{inline_svg(path, name, alt)}\n'
            f"<figcaption>{html.escape(alt)}: hover a point for its numbers "
            f'(<a href="plots/{name}.svg">SVG</a>, <a href="plots/{name}.png">PNG</a>)'
            "</figcaption>\n</figure>")


def axis_x(ratio):
    """Where a thread/fork RATIO falls on the summary's axis, clamped."""
    v = max(-AXIS_LOG2, min(AXIS_LOG2, log2(ratio)))
    return round(AXIS_W / 2 + v * (AXIS_W / 2 - AXIS_PAD) / AXIS_LOG2, 1)


def axis_svg(height, marks):
    """The summary's log axis, its ticks, and MARKS (SVG elements) on it."""
    mid = AXIS_W / 2
    ticks = "".join(f'<line x1="{x}" y1="0" x2="{x}" y2="{height}" stroke="#e4e4e4"/>'
                    for k in range(1, int(AXIS_LOG2) + 1)
                    for x in (axis_x(2 ** k), axis_x(2 ** -k)))
    return (f'<svg class="axis" width="{AXIS_W}" height="{height}" viewBox="0 0 {AXIS_W} '
            f'{height}" aria-hidden="true">{ticks}<line x1="{mid}" y1="0" x2="{mid}" '
            f'y2="{height}" stroke="#888"/>{marks}</svg>')


def axis_head():
    """The axis column's heading: the ratios at the ticks, who did better where."""
    labels = "".join(
        f'<text x="{axis_x(2 ** k)}" y="11" text-anchor="middle">'
        f'{2 ** k if k >= 0 else "1/" + str(2 ** -k)}</text>'
        for k in range(-int(AXIS_LOG2), int(AXIS_LOG2) + 1))
    sides = (f'<text x="2" y="25" fill="var(--fork)">← fork_server</text>'
             f'<text x="{AXIS_W - 2}" y="25" text-anchor="end" fill="var(--thread)">'
             "thread_server →</text>")
    return axis_svg(28, f'<g font-size="10">{labels}{sides}</g>')


def interval_svg(v):
    """A verdict's thread/fork ratio (a dot) and its interval (a bar)."""
    r, lo, hi = advantage(v)
    colour = {"thread": "var(--thread)", "fork": "var(--fork)"}.get(v["better"], "#777")
    y, out = AXIS_H / 2, []
    if lo is not None:
        out.append(f'<line x1="{axis_x(lo)}" y1="{y}" x2="{axis_x(hi)}" y2="{y}" '
                   f'stroke="{colour}" stroke-width="3"/>')
    x = axis_x(r)
    out.append(f'<circle cx="{x}" cy="{y}" r="4" fill="{colour}"/>')
    if abs(log2(r)) > AXIS_LOG2:
        d = 1 if r > 1 else -1
        out.append(f'<path d="M{x + 5 * d},{y - 4} l{4 * d},4 l{-4 * d},4 z" fill="{colour}"/>')
    return axis_svg(AXIS_H, "".join(out))


def marks(v):
    """The badges of a verdict: flagged, disturbed, client-bound runs; a wide interval."""
    out = []
    if v["flagged_runs"] not in ("", "0"):
        out.append(f'<span class="mark flagged">⚠ {v["flagged_runs"]} flagged</span>')
    if v["disturbed_runs"] not in ("", "0"):
        out.append(f'<span class="mark disturbed">{v["disturbed_runs"]} disturbed</span>')
    if v["client_bound_runs"] not in ("", "0"):
        out.append(f'<span class="mark bound">⚠ {v["client_bound_runs"]} client-bound</span>')
    if v["target_reached"] == "no":
        out.append(f'<span class="mark wide">wide: ±{v["halfwidth_pct"]} %</span>')
    return " ".join(out)


def verdict_cell(v):
    if v["difference"] == "single run":
        return f'<span class="{v["better"]}">{server(v["better"])}</span> (one run each)'
    if v["difference"] == "shown":
        return f'<span class="{v["better"]}">{server(v["better"])}</span>'
    return '<span class="none">no difference shown</span>'


def summary(ctx, titles):
    """The verdicts first: which model, by how much, how sure; a row each,
    grouped by experiment, each group linking to its section."""
    rows = [dict(zip(VERDICT_COLUMNS, (str(x) for x in r))) for r in ctx.verdict_rows]
    if not rows:
        return ""
    count = {k: sum(v["better"] == k for v in rows if v["difference"] == "shown")
             for k in ("thread", "fork")}
    single = sum(v["difference"] == "single run" for v in rows)
    none = len(rows) - count["thread"] - count["fork"] - single
    target = f"{100 * ctx.target:g}"
    lead = (f'{len(rows)} verdicts: <span class="thread">thread_server</span> did better in '
            f'{count["thread"]}, <span class="fork">fork_server</span> in {count["fork"]}, '
            f"no difference shown in {none}"
            + (f", {single} from one run each" if single else "") + ".")
    out = ['<section class="summary">', '<h2 id="summary">Summary</h2>',
           f'<p class="lead">{lead}</p>',
           "<p>Per verdict, the model that did better and by how much: the ratio of the "
           "two models' medians, with its 95 % bootstrap interval, drawn as thread_server's "
           "advantage on a log scale (a dot, and a bar for the interval; a bar that crosses "
           "the middle line is no difference shown). Marks: "
           '<span class="mark flagged">⚠ flagged</span> runs with client errors or a failed '
           'exit among those used, <span class="mark disturbed">disturbed</span> runs that '
           'other programs disturbed (measured again), <span class="mark bound">⚠ '
           "client-bound</span> runs that measured the client as much as the server, "
           f'<span class="mark wide">wide</span> an interval wider than the ±{target} % '
           "target. Each experiment links to its section, where the sentence, the figure "
           "and the table say more.</p>",
           '<div class="table"><table>',
           "<thead><tr><th>experiment</th><th>verdict on</th><th>better</th><th>ratio</th>"
           f"<th>95 % CI</th><th>{axis_head()}</th><th>runs</th><th>marks</th>"
           "</tr></thead>", "<tbody>"]
    groups = {}
    for v, words in zip(rows, ctx.verdict_words):
        groups.setdefault(int(v["experiment"]), []).append((v, words))
    for nn, group in groups.items():
        title = html.escape(titles.get(nn, "").split(":")[0])
        for i, (v, (where, what)) in enumerate(group):
            warn = v["flagged_runs"] not in ("", "0") or v["client_bound_runs"] not in ("", "0")
            head = (f'<td rowspan="{len(group)}"><a href="#exp-{nn}">{nn}. {title}</a></td>'
                    if i == 0 else "")
            ci = f"{v['ci_low']}–{v['ci_high']}×" if v["ci_low"] else "no interval"
            cls = ' class="warn"' if warn else ""
            out.append(f"<tr{cls}>{head}"
                       f"<td>{html.escape(what)} {html.escape(where)}</td>"
                       f"<td>{verdict_cell(v)}</td><td class=\"ratio\">{v['ratio']}×</td>"
                       f'<td class="ratio">{ci}</td><td>{interval_svg(v)}</td>'
                       f"<td>{v['n_fork']}/{v['n_thread']}</td><td>{marks(v)}</td></tr>")
    return "\n".join(out + ["</tbody></table></div>", "</section>"])


def nav(md):
    links = ['<a href="#summary">Summary</a>']
    for h in md.toc_tokens:
        for sub in h.get("children", []):
            name = sub["name"].split(":")[0]
            links.append(f'<a href="#{sub["id"]}">{name}</a>')
    return "<nav>" + "\n".join(links) + "</nav>"


def highlight(body):
    """Rows of a table with a ⚠ mark, and verdicts with a caution, stand out."""
    body = re.sub(r"<tr>(?=(?:(?!</tr>).)*⚠)", '<tr class="warn">', body, flags=re.S)
    body = re.sub(r"<li>(?=(?:(?!</li>).)*Caution:)", '<li class="caution">', body,
                  flags=re.S)
    return body.replace("<table>", '<div class="table"><table>').replace(
        "</table>", "</table></div>")


def write(run, text, ctx, titles):
    """RUN/report.html from report.md's TEXT; TITLES: experiment number -> TITLE."""
    if markdown is None:
        raise SystemExit("report.py: report.html needs Python-Markdown: install "
                         "python3-markdown (./deps.sh bench does)")
    md = markdown.Markdown(extensions=["tables", "toc"],
                           extension_configs={"toc": {"slugify": slug}})
    body = md.convert(text)
    body = SVG_LINK.sub("", body)
    body = FIGURE.sub(lambda m: figure(run, m), body)
    body = highlight(body)
    # The summary goes after the title and the paragraph under it.
    at = body.index('<h2 id="verdict">') if '<h2 id="verdict">' in body else 0
    body = body[:at] + summary(ctx, titles) + "\n" + body[at:]
    title = re.search(r"<h1[^>]*>(.*?)</h1>", body)
    page = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        '<link rel="icon" href="data:,">',
        f"<title>{re.sub(r'<[^>]+>', '', title.group(1)) if title else 'perconn report'}</title>",
        f"<style>{STYLE}</style>",
        "</head>",
        "<body>",
        "<main>",
        nav(md),
        body,
        "</main>",
        '<div id="tip" hidden></div>',
        f"<script>{SCRIPT}</script>",
        "</body>",
        "</html>",
    ]
    (run / "report.html").write_text("\n".join(page) + "\n")
