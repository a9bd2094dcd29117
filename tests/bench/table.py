#!/usr/bin/env python3
"""The make-bench table, from the guest's results log.

   table.py RESULTS.LOG

Every condition is compared with "none" of the same round (runs alternate,
so drift within the boot cancels); a cell is the median over rounds of that
per-round ratio, with the range of the ratios beside it.  "ns/switch" is
what a condition adds per context switch of the workload: the median ratio
minus one, times the untraced time per operation, divided by the
workload's context switches per operation.
"""
import statistics
import sys
from collections import defaultdict

CONDITIONS = ["none", "enabled", "norec", "disabled", "runqlat", "runqlat+offcpu", "perf", "none-again"]
LABELS = {
    "none": "nothing loaded",
    "enabled": "waitscope enabled",
    "norec": "... recorder off",
    "disabled": "waitscope disabled",
    "runqlat": "bpftrace runqlat",
    "runqlat+offcpu": "runqlat + offcputime",
    "perf": "perf sched record",
    "none-again": "nothing loaded (A/A)",
}
WORKLOADS = ["pipe", "pipe-x", "futex", "futex-x", "pairs", "churn"]
WHAT = {
    "pipe": "pipe ping-pong, 2 threads on 1 CPU (ns per round trip)",
    "pipe-x": "pipe ping-pong, 2 threads on CPUs 0 and 1 (ns per round trip)",
    "futex": "futex ping-pong, 2 threads on 1 CPU (ns per round trip)",
    "futex-x": "futex ping-pong, 2 threads on CPUs 0 and 1 (ns per round trip)",
    "pairs": "16 pipe ping-pong pairs on 2 CPUs (ns per round trip)",
    "churn": "thread create + exit + join, on 1 CPU (threads per second)",
}


def parse(path):
    runs = defaultdict(dict)  # (cond, mode) -> {round: (ns_per_op, sw_per_op)}
    stats, micro, info = {}, {}, ""
    ab = defaultdict(lambda: defaultdict(dict))  # arm -> path -> {load: ns}
    with open(path, errors="replace") as f:
        for line in f:
            w = line.split()
            if not w:
                continue
            if w[0] == "BENCH" and len(w) == 7:
                runs[(w[2], w[3])][int(w[1])] = (float(w[5]), float(w[6]))
            elif w[0] == "BENCH-STAT" and len(w) == 3:
                stats[w[1]] = w[2]
            elif w[0] == "BENCH-MICRO" and len(w) == 3:
                micro[w[1]] = w[2]
            elif w[0] in ("BENCH-MICRO-BASE", "BENCH-MICRO-NEW") and len(w) == 4:
                ab[w[0]][w[2]][int(w[1])] = float(w[3])
            elif w[0] == "BENCH-MICRO-REC" and len(w) == 5:
                ab["REC-" + w[1]][w[3]][int(w[2])] = float(w[4])
            elif w[0] == "BENCH-INFO":
                info = " ".join(w[1:])
    return runs, stats, micro, info, ab


def print_micro_ab(ab):
    """Base and new microbenchmark modules loaded alternately in one boot."""
    base, new = ab.get("BENCH-MICRO-BASE", {}), ab.get("BENCH-MICRO-NEW", {})
    paths = [p for p in new if p in base]
    if not paths:
        return
    print("\nProbe paths, A/B in this boot (base and new module loaded in turn),")
    print("ns per call, median over loads, and new/base per load pair:")
    print(f"  {'path':<16} {'base':>7} {'new':>7}  new/base (range)")
    for p in paths:
        loads = sorted(set(base[p]) & set(new[p]))
        r = [new[p][i] / base[p][i] for i in loads if base[p][i] > 0]
        if not r:
            continue
        print(f"  {p:<16} {statistics.median(base[p].values()):>7.0f} "
              f"{statistics.median(new[p].values()):>7.0f}  {statistics.median(r):.2f} "
              f"({min(r):.2f}..{max(r):.2f}, {len(r)} pairs)")


def print_micro_recorder(ab):
    """The recorder off, at its default and with every wait an event, loads alternating."""
    off = ab.get("REC-off", {})
    if not off:
        return
    print("\nThe recorder's cost per probe path (same loop, loads alternating),")
    print("ns per call, median over loads; +ns against off (median of per-load differences, range):")
    print(f"  {'path':<16} {'off':>7} {'default':>8} {'(+ns)':>16} {'all':>8} {'(+ns)':>16}")
    for p in off:
        cells = []
        for arm in ("REC-default", "REC-all"):
            other = ab.get(arm, {}).get(p, {})
            loads = sorted(set(off[p]) & set(other))
            d = [other[i] - off[p][i] for i in loads]
            if not d:
                cells.append(" " * 25)
                continue
            cells.append(f"{statistics.median(other.values()):>8.0f} "
                         f"{statistics.median(d):>+5.0f} ({min(d):+.0f}..{max(d):+.0f})")
        print(f"  {p:<16} {statistics.median(off[p].values()):>7.0f} {cells[0]} {cells[1]}")
    print("  default: slow_min_us=10000 (no loop wait is that long), an event per exit;"
          " all: slow_min_us=1, every wait an event")


def ratios(runs, cond, mode):
    base, this = runs.get(("none", mode), {}), runs.get((cond, mode), {})
    return [this[r][0] / base[r][0] for r in sorted(this) if r in base]


def summary(runs):
    """(mode, cond) -> dict(ratio, lo, hi, added_ns_per_switch, n)"""
    out = {}
    for mode in WORKLOADS:
        base = runs.get(("none", mode), {})
        if not base:
            continue
        base_ns = statistics.median(v[0] for v in base.values())
        sw = statistics.median(v[1] for v in base.values())
        for cond in CONDITIONS:
            rs = ratios(runs, cond, mode)
            if not rs:
                continue
            med = statistics.median(rs)
            added = (med - 1) * base_ns / sw if sw > 0 else None
            out[(mode, cond)] = dict(ratio=med, lo=min(rs), hi=max(rs), n=len(rs),
                                     added=added, base_ns=base_ns, sw=sw)
    return out


def noise(runs, mode):
    """How far untraced runs stray from their median: (median, worst) ratio."""
    base = [v[0] for v in runs.get(("none", mode), {}).values()]
    if len(base) < 2:
        return 0.0, 0.0
    med = statistics.median(base)
    dev = [abs(b / med - 1) for b in base]
    return statistics.median(dev), max(dev)


def fmt_pct(r):
    return f"{(r - 1) * 100:+.1f}%"


def print_table(runs, s):
    for mode in WORKLOADS:
        if (mode, "none") not in s:
            continue
        base = s[(mode, "none")]
        print(f"\n{mode}: {WHAT[mode]}")
        if mode == "churn":
            print(f"  {'condition':<22} {'threads/s':>10} {'change':>8} {'range':>17}")
        else:
            print(f"  {'condition':<22} {'ns/op':>10} {'overhead':>8} {'range':>17} {'ns/switch':>10}")
        for cond in CONDITIONS:
            c = s.get((mode, cond))
            if not c:
                continue
            rng = f"{fmt_pct(c['lo'])}..{fmt_pct(c['hi'])}"
            if mode == "churn":
                rng = f"{fmt_pct(1 / c['hi'])}..{fmt_pct(1 / c['lo'])}"
                # per-op time up means fewer threads per second
                print(f"  {LABELS[cond]:<22} {1e9 / (base['base_ns'] * c['ratio']):>10.0f} "
                      f"{fmt_pct(1 / c['ratio']):>8} {rng:>17}")
            else:
                added = "" if cond == "none" else f"{c['added']:.0f}"
                print(f"  {LABELS[cond]:<22} {base['base_ns'] * c['ratio']:>10.0f} "
                      f"{fmt_pct(c['ratio']):>8} {rng:>17} {added:>10}")
        typ, worst = noise(runs, mode)
        print(f"  ({base['n']} rounds; context switches per op untraced: {base['sw']:.2f}; "
              f"untraced runs stray {typ * 100:.1f}% from their median, at worst {worst * 100:.1f}%)")


def verdict(ok):
    return "met" if ok else "MISSED"


# A verdict needs the A/A spread (the per-round range of none-again against
# none, as ns per switch) to be at most this share of the effect it must
# resolve; else the table says "noisy: no verdict".
NOISE_SHARE = 0.5


def aa_halfwidth_ns(s, mode):
    """Half the per-round range of the A/A arm, in ns per switch."""
    aa = s.get((mode, "none-again"))
    if not aa or not aa["sw"]:
        return None
    return (aa["hi"] - aa["lo"]) / 2 * aa["base_ns"] / aa["sw"]


def per_round_share(runs, mode):
    """Per round: waitscope's added time over runqlat's, where runqlat added any."""
    ws, rq = ratios(runs, "enabled", mode), ratios(runs, "runqlat", mode)
    return [(w - 1) / (r - 1) for w, r in zip(ws, rq) if r > 1]


def print_share_target(runs, s, mode, limit=0.2):
    ws, rq = s.get((mode, "enabled")), s.get((mode, "runqlat"))
    if not (ws and rq) or rq["added"] is None or rq["added"] <= 0:
        print(f"  {mode}: incomplete data")
        return
    share = ws["added"] / rq["added"]
    rounds = per_round_share(runs, mode)
    rng = f", per round {min(rounds):.2f}..{max(rounds):.2f}" if rounds else ""
    noise = aa_halfwidth_ns(s, mode)
    line = (f"  {mode}: waitscope adds {ws['added']:.0f} ns/switch, runqlat {rq['added']:.0f}: "
            f"{share:.2f} of runqlat's cost{rng} (at most {limit})")
    if noise is None:
        print(line + ": no A/A arm, no verdict")
    elif noise > NOISE_SHARE * limit * rq["added"]:
        print(line + f": noisy: no verdict (A/A spread +-{noise:.0f} ns/switch)")
    else:
        print(line + f": {verdict(share <= limit)} (A/A spread +-{noise:.0f} ns/switch)")


def print_recorder_target(runs):
    """The recorder at its default against off, per round: "adds nothing
    measurable" when the per-round ratios do not all lie on one side of 1."""
    for mode in WORKLOADS:
        on, off = runs.get(("enabled", mode), {}), runs.get(("norec", mode), {})
        r = [on[k][0] / off[k][0] for k in sorted(on) if k in off and off[k][0] > 0]
        if not r:
            continue
        med, lo, hi = statistics.median(r), min(r), max(r)
        what = "time per op"
        if mode == "churn":
            what, med, lo, hi = "threads/s", 1 / med, 1 / hi, 1 / lo
        print(f"  {mode}: recorder at its default vs off {fmt_pct(med)} {what}, per round "
              f"{fmt_pct(lo)}..{fmt_pct(hi)}: "
              f"{'no measurable change' if min(r) <= 1 <= max(r) else 'MEASURABLE'}")


def print_churn_target(s, limit=0.02):
    ch, aa = s.get(("churn", "enabled")), s.get(("churn", "none-again"))
    if not ch:
        return
    change = 1 / ch["ratio"] - 1
    line = f"  churn: waitscope enabled {change * 100:+.1f}% threads/s (at most -{limit * 100:.0f}%)"
    if not aa:
        print(line + ": no A/A arm, no verdict")
        return
    spread = (aa["hi"] - aa["lo"]) / 2
    if spread > NOISE_SHARE * limit:
        print(line + f": noisy: no verdict (A/A spread +-{spread * 100:.1f}%)")
    else:
        print(line + f": {verdict(change >= -limit)} (A/A spread +-{spread * 100:.1f}%)")


def print_targets(runs, s, stats):
    print("\nTargets")
    for mode in ("pipe", "futex", "pipe-x", "futex-x"):
        print_share_target(runs, s, mode)
    # Disabled "adds nothing measurable": its per-round differences from
    # the untraced runs do not all have the same sign.
    for mode in WORKLOADS:
        d = s.get((mode, "disabled"))
        if d:
            what = "time per op"
            med, lo, hi = d["ratio"], d["lo"], d["hi"]
            if mode == "churn":
                what, med, lo, hi = "threads/s", 1 / med, 1 / hi, 1 / lo
            print(f"  {mode}: disabled {fmt_pct(med)} {what}, per round "
                  f"{fmt_pct(lo)}..{fmt_pct(hi)}: "
                  f"{'no measurable change' if d['lo'] <= 1 <= d['hi'] else 'MEASURABLE'}")
    print_churn_target(s)
    print_recorder_target(runs)
    if stats:
        entry = int(stats.get("thread_entry_bytes", 0))
        cap = int(stats.get("capacity", 0))
        mem = int(stats.get("memory_bytes", 0))
        print(f"  memory: {entry} bytes per tracked thread (at most 1024): {verdict(0 < entry <= 1024)}; "
              f"{mem / 2**20:.1f} MiB in all at capacity {cap} "
              f"({mem / cap if cap else 0:.0f} bytes per entry with indexes and tables)")


def main():
    if len(sys.argv) != 2:
        print("usage: table.py RESULTS.LOG", file=sys.stderr)
        return 2
    runs, stats, micro, info, ab = parse(sys.argv[1])
    if not runs:
        print("table.py: no BENCH lines in " + sys.argv[1], file=sys.stderr)
        return 1
    s = summary(runs)
    print(f"waitscope bench ({info})")
    print_table(runs, s)
    if micro:
        print("\nProbe paths, in-kernel loop (waitscope_bench.ko), ns per call:")
        for k, v in micro.items():
            print(f"  {k:<16} {v:>6}")
    print_micro_ab(ab)
    print_micro_recorder(ab)
    print_targets(runs, s, stats)
    return 0


if __name__ == "__main__":
    sys.exit(main())
