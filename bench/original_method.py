"""The method of the demo Fanout replaces, against the same local server:
the official openai SDK, six tasks in a sequential loop, then the same six in
a ThreadPoolExecutor(max_workers=6) collected with as_completed, timed with
time.time(). Prints JSON with the same ratios the browser benchmark reports.

Usage: python bench/original_method.py BASE_URL SCENARIO [--repeats N]
SCENARIO is "uniform" (every request 1000 ms) or "mixed" (300 to 1800 ms).
"""

import argparse
import json
import statistics
import time
from concurrent.futures import ThreadPoolExecutor, as_completed

from openai import OpenAI

UNIFORM = [1000] * 6
MIXED = [300, 600, 900, 1200, 1500, 1800]


def one(client: OpenAI, latency_ms: int) -> float:
    start = time.time()
    client.chat.completions.create(
        model="bench",
        messages=[
            {"role": "system", "content": f"latency={latency_ms}"},
            {"role": "user", "content": "Summarise: the benchmark text."},
        ],
        max_tokens=50,
    )
    return (time.time() - start) * 1000


def run(client: OpenAI, latencies: list[int]) -> dict:
    start = time.time()
    seq_tasks = [one(client, ms) for ms in latencies]
    seq_wall = (time.time() - start) * 1000

    start = time.time()
    par_tasks = []
    with ThreadPoolExecutor(max_workers=6) as pool:
        futures = [pool.submit(one, client, ms) for ms in latencies]
        for f in as_completed(futures):
            par_tasks.append(f.result())
    par_wall = (time.time() - start) * 1000
    return {
        "sequential_ms": seq_wall,
        "parallel_ms": par_wall,
        "sequential_overhead": seq_wall / sum(seq_tasks),
        "parallel_overhead": par_wall / max(par_tasks),
        "speedup": seq_wall / par_wall,
        "ideal_speedup": sum(latencies) / max(latencies),
    }


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("base_url")
    parser.add_argument("scenario", choices=["uniform", "mixed"])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    client = OpenAI(base_url=args.base_url, api_key="sk-bench", max_retries=0)
    latencies = UNIFORM if args.scenario == "uniform" else MIXED
    run(client, latencies)  # warm-up: connection set-up, imports
    runs = [run(client, latencies) for _ in range(args.repeats)]
    out = {k: {"median": statistics.median(r[k] for r in runs),
               "min": min(r[k] for r in runs), "max": max(r[k] for r in runs)}
           for k in runs[0]}
    print(json.dumps(out))


if __name__ == "__main__":
    main()
