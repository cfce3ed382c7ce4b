"""llmock, the local OpenAI-compatible server, wrapped with CORS so that a
browser page on another origin can call it, as the real API allows.

Usage: python scripts/llmock_server.py PORT [--chunk-delay-ms N] [--latency-ms N]
"""

import argparse
import os

import uvicorn
from starlette.middleware.cors import CORSMiddleware


def build_app():
    # Imported late: llmock reads its settings from the environment on import.
    from llmock.main import create_app

    return CORSMiddleware(
        create_app(),
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
