"""pandas grouping the benchmark's CSV (benches/score.rs) the way the scorer does: counts
per category per segment, for 20 stores, 200 advisors and 12 months. Prints
`pandas <segmentation> <median ms>`, timing the group-by only (not the CSV read)."""
import sys
import time

import pandas as pd

RUNS = 21
df = pd.read_csv(sys.argv[1])
df["category"] = pd.cut(df["score"], bins=[-1, 6, 8, 10], labels=["detractor", "passive", "promoter"])
for key in ["store", "advisor", "month"]:
    times = []
    for _ in range(RUNS):
        t = time.perf_counter()
        counts = df.groupby([key, "category"], observed=False).size().unstack(fill_value=0)
        times.append((time.perf_counter() - t) * 1000)
    times.sort()
    print(f"pandas {key} {times[RUNS // 2]:.2f} ({len(counts)} segments)")
