"""Scenario 4's batch without the browser: 120 streamed requests (300 ms
each) over one HTTP/2 connection at K in flight, from Python (httpx with h2,
both already installed with the openai SDK and hypercorn). It tells the cost
of the server and the machine apart from the page's: if this client also
ends above 1.10 × the ideal, the page is not what is missing the target.

Usage: python bench/h2_client.py BASE_URL [--repeats N]   (prints JSON)
"""

import argparse
import asyncio
import json
import math
import statistics
import time

import httpx

N = 120
LATENCY_MS = 300


async def one(client: httpx.AsyncClient, url: str, slots: asyncio.Semaphore) -> None:
    async with slots:
        body = {
            "model": "bench",
            "stream": True,
            "messages": [
                {"role": "system", "content": f"latency={LATENCY_MS}"},
                {"role": "user", "content": "Benchmark document."},
            ],
        }
        async with client.stream("POST", url, json=body) as r:
            async for _ in r.aiter_bytes():
                pass


async def batch(base: str, k: int) -> float:
    async with httpx.AsyncClient(http2=True, verify=False, timeout=60) as client:
        url = f"{base}/chat/completions"
        await one(client, url, asyncio.Semaphore(1))  # connection set-up
        slots = asyncio.Semaphore(k)
        start = time.perf_counter()
        await asyncio.gather(*(one(client, url, slots) for _ in range(N)))
        return (time.perf_counter() - start) * 1000


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("base")
    p.add_argument("--repeats", type=int, default=5)
    a = p.parse_args()
    out = {}
    for k in (6, 12, 24):
        walls = [asyncio.run(batch(a.base, k)) for _ in range(a.repeats)]
        ideal = math.ceil(N / k) * LATENCY_MS
        ratios = [w / ideal for w in walls]
        out[f"k{k}"] = {
            "wall_ms": {"median": statistics.median(walls), "min": min(walls), "max": max(walls)},
            "ideal_ms": ideal,
            "wall_over_ideal": {"median": statistics.median(ratios), "min": min(ratios), "max": max(ratios)},
        }
    print(json.dumps(out))


if __name__ == "__main__":
    main()
