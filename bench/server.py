"""The benchmark's OpenAI-compatible server: chat completions whose timing is
set by the request itself, so each scenario controls its latencies exactly.

A request's system message may carry `latency=MS` (time to the first token),
`tokens=N` (tokens in the answer; `tokens=input`: as many as the user
message has words) and `rate=R` (tokens per second after the
first). Without them: --latency-ms, 5 tokens, all sent at once. Streams
include a usage chunk and `[DONE]`; CORS is open, as the browser page needs.

Usage: python bench/server.py PORT [--latency-ms N] [--certfile F --keyfile F]
With a certificate it serves HTTP/2 over TLS (hypercorn), else HTTP/1.1.
"""

import argparse
import asyncio
import json
import re
import time

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, StreamingResponse
from starlette.routing import Route

DEFAULT_LATENCY_MS = 1000
LOG: list[dict] = []


def knob(system: str, name: str, default: float) -> float:
    m = re.search(rf"\b{name}=(\d+(?:\.\d+)?)", system)
    return float(m.group(1)) if m else default


def chunk(model: str, delta: dict, finish=None) -> str:
    body = {
        "id": "chatcmpl-bench",
        "object": "chat.completion.chunk",
        "created": int(time.time()),
        "model": model,
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
    }
    return f"data: {json.dumps(body)}\n\n"


async def chat(request: Request):
    body = await request.json()
    model = body.get("model", "bench")
    system = " ".join(m.get("content", "") for m in body.get("messages", []) if m.get("role") == "system")
    latency = knob(system, "latency", DEFAULT_LATENCY_MS) / 1000.0
    if re.search(r"\btokens=input\b", system):
        # As many tokens as the user message has words: an answer that
        # follows its input's length, as a translation's does.
        user = [m.get("content", "") for m in body.get("messages", []) if m.get("role") == "user"]
        tokens = max(1, len(user[-1].split()) if user else 1)
    else:
        tokens = int(knob(system, "tokens", 5))
    rate = knob(system, "rate", 0.0)
    words = [f"w{i} " for i in range(tokens)]
    usage = {"prompt_tokens": 50, "completion_tokens": tokens, "total_tokens": 50 + tokens}
    entry = {"received": time.time(), "latency": latency, "tokens": tokens}
    LOG.append(entry)

    if not body.get("stream"):
        await asyncio.sleep(latency + (tokens - 1) / rate if rate else latency)
        entry["ended"] = time.time()
        return JSONResponse({
            "id": "chatcmpl-bench", "object": "chat.completion", "created": int(time.time()),
            "model": model,
            "choices": [{"index": 0, "message": {"role": "assistant", "content": "".join(words)},
                         "finish_reason": "stop"}],
            "usage": usage,
        })

    async def events():
        start = time.monotonic()
        yield chunk(model, {"role": "assistant", "content": ""})
        await asyncio.sleep(max(0.0, latency - (time.monotonic() - start)))
        if rate:
            t0 = time.monotonic()
            for i, w in enumerate(words):
                # Token i is due at i / rate after the first: no drift.
                await asyncio.sleep(max(0.0, t0 + i / rate - time.monotonic()))
                yield chunk(model, {"content": w})
        else:
            yield chunk(model, {"content": "".join(words)})
        yield chunk(model, {}, "stop")
        yield "data: " + json.dumps({"id": "chatcmpl-bench", "object": "chat.completion.chunk",
                                     "created": int(time.time()), "model": model,
                                     "choices": [], "usage": usage}) + "\n\n"
        yield "data: [DONE]\n\n"
        entry["ended"] = time.time()

    # Timing-Allow-Origin lets the page read the protocol (h2 or http/1.1).
    return StreamingResponse(events(), media_type="text/event-stream",
                             headers={"cache-control": "no-cache", "timing-allow-origin": "*"})


async def models(_: Request):
    return JSONResponse({"object": "list", "data": [{"id": "bench", "object": "model",
                                                      "created": 0, "owned_by": "bench"}]})


async def log(_: Request):
    return JSONResponse({"requests": LOG})


async def clear(_: Request):
    LOG.clear()
    return JSONResponse({"cleared": True})


async def health(_: Request):
    return JSONResponse({"ok": True})


app = Starlette(
    routes=[
        Route("/v1/chat/completions", chat, methods=["POST"]),
        Route("/v1/models", models),
        Route("/_bench/requests", log),
        Route("/_bench/clear", clear, methods=["POST"]),
        Route("/health", health),
    ],
    middleware=[Middleware(CORSMiddleware, allow_origins=["*"], allow_methods=["*"],
                           allow_headers=["*"])],
)

if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("port", type=int)
    parser.add_argument("--latency-ms", type=int, default=DEFAULT_LATENCY_MS)
    parser.add_argument("--certfile")
    parser.add_argument("--keyfile")
    args = parser.parse_args()
    DEFAULT_LATENCY_MS = args.latency_ms
    if args.certfile:
        from hypercorn.asyncio import serve
        from hypercorn.config import Config

        config = Config()
        config.bind = [f"127.0.0.1:{args.port}"]
        config.certfile, config.keyfile = args.certfile, args.keyfile
        config.alpn_protocols = ["h2", "http/1.1"]
        config.keep_alive_timeout = 60
        config.h2_max_concurrent_streams = 1000
        asyncio.run(serve(app, config))
    else:
        import uvicorn

        uvicorn.run(app, host="127.0.0.1", port=args.port, log_level="warning")
