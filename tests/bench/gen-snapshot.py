#!/usr/bin/env python3
"""Write a synthetic waitscope snapshot with N threads (default 100000):
   gen-snapshot.py DIR [N [FUTEX_ROWS]]
Threads come in processes of 50 (pools worker-1..worker-49 plus a main
thread), each with a few histogram buckets per reason, some blocked now,
some futex waits, so every part of the CLI has work to do."""
import os
import random
import sys

out = sys.argv[1]
n = int(sys.argv[2]) if len(sys.argv) > 2 else 100000
# futex rows: one per process by default, more as words per process
nfutex = int(sys.argv[3]) if len(sys.argv) > 3 else n // 50
os.makedirs(out, exist_ok=True)
rnd = random.Random(42)
reasons = ["runq", "futex", "io", "uninterruptible", "sleep"]
cols = ("tid tgid comm state oncpu_ns nvcsw nivcsw " +
        " ".join(f"{r}_n {r}_ns {r}_max_ns" for r in reasons) +
        " waker waker_comm preemptor preemptor_comm cgroup off_ns partial syscall kthread futex_addr futex_op")
now = 10**13
with open(f"{out}/threads", "w") as t, open(f"{out}/histograms", "w") as h, \
        open(f"{out}/blocked", "w") as b:
    t.write(f"# waitscope threads v1 now_ns={now} unit=ns\n# {cols}\n")
    h.write("# waitscope histograms v1 unit=ns buckets=low_us:count\n"
            "# tid tgid comm reason count total_ns max_ns buckets\n")
    b.write(f"# waitscope blocked v1 now_ns={now} min_ms=100 unit=ns stack=indented\n"
            "# tid tgid comm reason off_ns partial syscall futex_addr futex_op\n")
    for i in range(n):
        tid = 1000 + i
        tgid = 1000 + (i // 50) * 50
        comm = "main" if tid == tgid else f"worker-{i % 50}"
        stats = []
        for r in reasons:
            cnt = rnd.randint(0, 2000)
            slots = sorted(rnd.sample(range(1, 20), 4))
            per = [cnt // 4] * 4
            total = sum(p * (1 << s) * 1000 for p, s in zip(per, slots))
            mx = (1 << slots[-1]) * 1000 if cnt else 0
            cnt = sum(per)
            stats.append((cnt, total, mx))
            if cnt:
                bk = " ".join(f"{1 << s}:{p}" for p, s in zip(per, slots) if p)
                h.write(f"{tid} {tgid} {comm} {r} {cnt} {total} {mx} {bk}\n")
        state = rnd.choice(["running", "sleep", "futex", "runq", "sleep"])
        off = 0 if state == "running" else rnd.randint(0, 30 * 10**9)
        fut = f"0x{0x7f0000001000 + (tgid % 7) * 64:x} wait" if state == "futex" else "- -"
        t.write(f"{tid} {tgid} {comm} {state} {rnd.randint(0, 10**10)} {rnd.randint(0, 10**5)} "
                f"{rnd.randint(0, 10**5)} " +
                " ".join(f"{c} {s} {m}" for c, s, m in stats) +
                f" {tgid} main - - 1 {off} 0 {202 if state == 'futex' else 0} 0 {fut}\n")
        if state != "running" and off >= 10**8:
            b.write(f"{tid} {tgid} {comm} {state} {off} 0 0 {fut}\n"
                    "        futex_wait_queue+0x60/0x90\n        do_syscall_64+0x87/0x1b0\n")
with open(f"{out}/futex", "w") as f:
    f.write("# waitscope futex v1 unit=ns dropped=0\n"
            "# tgid uaddr waiting count total_ns max_ns longest_now_ns op\n")
    nproc = max(n // 50, 1)
    for k in range(nfutex):
        p, word = k % nproc, k // nproc
        f.write(f"{1000 + p * 50} 0x{0x7f0000001000 + word * 64:x} 3 1000 {10**9} {10**7} {10**9} wait\n")
with open(f"{out}/stats", "w") as f:
    f.write("# waitscope stats v1 key value\nversion 0.1.0\nenabled 1\nprobes_attached 5/5\n"
            f"capacity {2 * n}\nused {n}\ndropped 0\ndropped_total 0\nfutex_capacity 4096\n"
            "futex_used 10\nfutex_dropped 0\nfilter_tgid 0\nblocked_min_ms 100\n"
            "thread_entry_bytes 1024\nmemory_bytes 1\n"
            "runq_cpu0   2:100 4:50\nrunq_cpu1   2:100 4:50\n")
