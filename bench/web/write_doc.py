#!/usr/bin/env python3
"""Writes the "Web" section of docs/benchmarks.md from bench/out/web-results.txt (other sections are kept).

  write_doc.py RESULTS docs/benchmarks.md DURATION
"""
import datetime, os, platform, re, subprocess, sys

results_path, doc_path, duration = sys.argv[1], sys.argv[2], sys.argv[3]
runs = {}  # (provider, kind, connections) → the values of each run, in the order first run
for line in open(results_path):
    name, *pairs = line.split()
    values = dict(p.split("=", 1) for p in pairs)
    provider, kind, conns = re.match(r"(\w+)-(\w+)-c(\d+)", name).groups()
    runs.setdefault((provider, kind, int(conns)), []).append(values)

def median(values):
    """Each field's median over the runs (BENCH_RUNS); a field that is not a number is the first run's."""
    out = {}
    for key in values[0]:
        try:
            xs = sorted(float(v[key].rstrip("%")) for v in values)
            m = xs[len(xs) // 2] if len(xs) % 2 else (xs[len(xs) // 2 - 1] + xs[len(xs) // 2]) / 2
            text = f"{m:.2f}".rstrip("0").rstrip(".")
            out[key] = text + ("%" if values[0][key].endswith("%") else "")
        except ValueError:
            out[key] = values[0][key]
    out["runs"] = str(len(values))
    return out

rows = [(provider, kind, conns, median(values)) for (provider, kind, conns), values in runs.items()]

def cpu():
    for line in open("/proc/cpuinfo"):
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor()

def version(cmd):
    try:
        return subprocess.run(cmd, capture_output=True, text=True).stdout.strip().splitlines()[0]
    except Exception:
        return "?"

label = {"static": "static file `/css/site.css` (ceiling)", "view": "page view `GET /a/{token}/s/2`",
         "pagefile": "the same page's bytes as a static file (the page's ceiling)",
         "viewcookie": "page view, with the antiforgery cookie a browser has after its first page",
         "submit": "submission `POST /a/{token}/review`"}
lines = [
    "## Web",
    "",
    f"Measured by `scripts/bench-web.sh` on {datetime.date.today().isoformat()}: {os.cpu_count()} cores ({cpu()}), "
    f"{version(['dotnet', '--version']) and '.NET SDK ' + version(['dotnet', '--version'])}, "
    f"wrk {version(['wrk', '-v']).split()[1]}, loopback 127.0.0.1, wrk `-t2` sharing the cores with the server, "
    f"{duration} s per run after a warm-up (up to 20,000 page views, 5 s of submissions), Release build, request logging "
    "at Warning. Latencies in ms. The load average is the machine's at the start of each run (2 cores: above 2, other "
    "processes were taking CPU from the server and from wrk). With `BENCH_RUNS=N` each row is the median of N runs "
    "(the runs column).",
    "",
    "| database | what | connections | requests/s | p50 | p95 | p99 | max | errors | durable submissions/s | server CPU ms/request | load average | runs |",
    "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
]
for provider, kind, conns, v in rows:
    durable = v.get("durable_per_s", "")
    errors = round(float(v["non2xx3xx"]) + float(v["socket_errors"]))
    lines.append(f"| {'SQLite' if provider == 'sqlite' else 'PostgreSQL'} | {label[kind]} | {conns} | {v['rps']} | "
                 f"{v['p50']} | {v['p95']} | {v['p99']} | {v['max']} | {errors} | {durable} | {v.get('cpu_ms_per_req', '')} | {v.get('loadavg', '')} | {v['runs']} |")
lines.append("")
shares = [f"{'SQLite' if p == 'sqlite' else 'PostgreSQL'} at {c} connections **{v['of_page_file']}**"
          for p, k, c, v in rows if k == "view" and "of_page_file" in v]
cookie_shares = [f"{'SQLite' if p == 'sqlite' else 'PostgreSQL'} at {c} connections {v['of_page_file']}"
                 for p, k, c, v in rows if k == "viewcookie" and "of_page_file" in v]
if shares:
    lines += ["Page views/s as a share of the same page's bytes served as a static file by the same app in the same run: "
              + ", ".join(shares) + "."
              + (" With the browser's antiforgery cookie: " + ", ".join(cookie_shares) + "." if cookie_shares else ""), ""]
section = "\n".join(lines)

start, end = "<!-- web-bench:start -->", "<!-- web-bench:end -->"
block = f"{start}\n{section}\n{end}"
doc = open(doc_path).read() if os.path.exists(doc_path) else "# Benchmarks\n"
if start in doc:
    doc = re.sub(re.escape(start) + ".*?" + re.escape(end), lambda _: block, doc, flags=re.S)
else:
    doc = doc.rstrip("\n") + "\n\n" + block + "\n"
open(doc_path, "w").write(doc)
