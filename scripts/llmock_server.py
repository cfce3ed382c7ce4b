"""llmock, the local OpenAI-compatible server, wrapped with CORS so that a
browser page on another origin can call it, as the real API allows.

Usage: python scripts/llmock_server.py PORT [--chunk-delay-ms N] [--latency-ms N]

A request whose body contains `latency-ms=N` (in a task's system message,
say) is held N ms before llmock answers it, so tests can give one task a
latency of its own.
"""

import argparse
import asyncio
import os
import re

import uvicorn
from starlette.middleware.cors import CORSMiddleware


LATENCY = re.compile(rb"latency-ms=(\d{1,6})")


def per_request_latency(app):
    """Holds a request whose body asks for a latency, then passes it on."""

    async def wrapped(scope, receive, send):
        if scope["type"] != "http" or scope["method"] != "POST":
            return await app(scope, receive, send)
        chunks = []
        more = True
        while more:
            message = await receive()
            chunks.append(message)
            more = message.get("more_body", False) and message["type"] == "http.request"
        body = b"".join(m.get("body", b"") for m in chunks)
        found = LATENCY.search(body)
        if found:
            await asyncio.sleep(int(found.group(1)) / 1000)
        pending = list(chunks)

        async def replay():
            return pending.pop(0) if pending else await receive()

        return await app(scope, replay, send)

    return wrapped


def build_app():
    # Imported late: llmock reads its settings from the environment on import.
    from llmock.main import create_app

    return CORSMiddleware(
        per_request_latency(create_app()),
        allow_origins=["*"],
        allow_methods=["*"],
        allow_headers=["*"],
        # Page scripts can read only these non-safelisted headers.
        expose_headers=["retry-after", "retry-after-ms", "x-request-id"],
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("port", type=int)
    parser.add_argument("--chunk-delay-ms", type=int, default=0, help="pause between stream chunks")
    parser.add_argument("--latency-ms", type=int, default=0, help="delay before every answer")
    args = parser.parse_args()
    os.environ["LLMOCK_STREAM_CHUNK_DELAY_MS"] = str(args.chunk_delay_ms)
    os.environ["LLMOCK_LATENCY_MS"] = str(args.latency_ms)
    uvicorn.run(build_app(), host="127.0.0.1", port=args.port, log_level="warning")
