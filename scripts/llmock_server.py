"""llmock, the local OpenAI-compatible server, wrapped with CORS so that a
browser page on another origin can call it, as the real API allows.

Usage: python scripts/llmock_server.py PORT [--chunk-delay-ms N] [--latency-ms N]

Tests steer single requests by markers in the request body (a task's system
message, say), so one task can misbehave while the others run normally:
  latency-ms=N     hold the request N ms before llmock answers it;
  scenario=NAME    send it to llmock as model "<model>--NAME", so faults
                   scripted for that model (POST /_llmock/scenario) hit only
                   these requests, and llmock's log counts their attempts;
  fault=no-cors    answer without CORS headers (a server that does not allow
                   browser calls);
  fault=html-502   answer 502 with an HTML page, as a proxy in front does;
  fault=empty-200  answer 200 with an empty body;
  fault=no-usage   ask llmock for no usage (drops stream_options);
  echo-ms-per-word=N  answer, without llmock, with the user message's text
                   after its first blank line (the input of a task's
                   prompt), N ms per word: an answer whose length and
                   time follow the request's, as a translation's do.
  slots=N serve-ms=D  answer, without llmock, as a server that works on
                   at most N requests at once (per model) and queues the
                   rest first come, first served: each takes D ms to its
                   first token, then streams 20 tokens 5 ms apart, with
                   x-ratelimit-* headers that the page may read.
  reasoning=FORM:NT:TMS:NA:AMS  answer, without llmock, as a reasoning model:
                   a role frame with empty content, then NT thinking tokens
                   over TMS ms, then NA answer tokens over AMS ms (a JSON
                   object for a request with a response_format). FORM says
                   how the thinking comes: `reasoning_content` (vLLM,
                   llama.cpp, DeepSeek), `reasoning` (OpenRouter, Ollama) or
                   `think` (a <think>...</think> block in the content).
                   Usage reports the thinking tokens in
                   completion_tokens_details unless the body also says
                   `reasoning-usage=plain`; with `server-timings` the last
                   chunk (or the whole answer) carries llama.cpp's
                   `timings` (prompt 10 tokens in 20 ms, the output tokens
                   over TMS + AMS).
Any GET under /junk/ (a base URL of <server>/junk/v1) answers 200 with an
HTML page, as a misconfigured server or a captive portal does.
llmock's own faults (errors, delays, stream cuts) are scripted per model.

--hosts 127.0.0.1,127.0.0.2,::1 listens on each of these (loopback)
addresses, so that one server answers under several names (lanes);
GET /_lanes/requests lists each chat request's Host, key header, model and
the start of its last user message (also those answered without llmock,
which llmock's own log misses), and the most that were in flight at once
under each Host.

For soak runs, --chaos "500=0.05,429=0.02,cut=0.01" makes every chat
request fail at random (seeded by --seed): a 500, a 429 with Retry-After,
a stream cut after its first chunk, or (stall=) a stream silent after its
first chunk for --stall-ms, so that the client times out; GET /_chaos/stats
counts the chat requests that arrived and how each was treated.
"""

import argparse
import asyncio
import ipaddress
import json
import os
import random
import re
import socket

import uvicorn
from starlette.middleware.cors import CORSMiddleware

LATENCY = re.compile(rb"latency-ms=(\d{1,6})")
SCENARIO = re.compile(rb"scenario=([A-Za-z0-9_-]{1,40})")
FAULT = re.compile(rb"fault=(no-cors|html-502|empty-200|no-usage)")
ECHO = re.compile(rb"echo-ms-per-word=(\d{1,4})")
SLOTS = re.compile(rb"slots=(\d{1,3}) serve-ms=(\d{1,6})")
REASONING = re.compile(rb"reasoning=(reasoning_content|reasoning|think):(\d{1,4}):(\d{1,6}):(\d{1,4}):(\d{1,6})")
# One queue per (model, slots): each test's server is its own.
SLOT_QUEUES = {}
SLOT_SERVED = {}


async def echo(send, body, ms_per_word):
    """Answers with the request's own input, at `ms_per_word` per word."""
    data = json.loads(body)
    user = [m for m in data.get("messages", []) if m.get("role") == "user"]
    content = user[-1]["content"] if user else ""
    text = content.split("\n\n", 1)[1] if "\n\n" in content else content
    words = text.split()
    await asyncio.sleep(len(words) * ms_per_word / 1000)
    model = data.get("model", "")
    usage = {"prompt_tokens": len(content.split()), "completion_tokens": len(words),
             "total_tokens": len(content.split()) + len(words)}
    if not data.get("stream"):
        reply = {"id": "echo", "object": "chat.completion", "created": 0, "model": model,
                 "choices": [{"index": 0, "message": {"role": "assistant", "content": text},
                              "finish_reason": "stop"}], "usage": usage}
        return await answer(send, 200, b"application/json", json.dumps(reply).encode())
    def chunk(delta, finish=None, **extra):
        c = {"id": "echo", "object": "chat.completion.chunk", "created": 0, "model": model,
             "choices": [{"index": 0, "delta": delta, "finish_reason": finish}], **extra}
        return f"data: {json.dumps(c)}\n\n".encode()
    events = [chunk({"role": "assistant", "content": text}), chunk({}, "stop")]
    if (data.get("stream_options") or {}).get("include_usage"):
        events.append(f"data: {json.dumps({'id': 'echo', 'object': 'chat.completion.chunk', 'created': 0, 'model': model, 'choices': [], 'usage': usage})}\n\n".encode())
    events.append(b"data: [DONE]\n\n")
    await send({"type": "http.response.start", "status": 200,
                "headers": [(b"content-type", b"text/event-stream")]})
    for e in events:
        await send({"type": "http.response.body", "body": e, "more_body": True})
    await send({"type": "http.response.body", "body": b"", "more_body": False})


async def slotted(send, body, slots, serve_ms):
    """Answers as a server with `slots` slots and a first-come queue."""
    data = json.loads(body)
    model = data.get("model", "")
    key = (model, slots)
    queue = SLOT_QUEUES.setdefault(key, asyncio.Semaphore(slots))
    tokens = ["tok "] * 20
    usage = {"prompt_tokens": 10, "completion_tokens": len(tokens), "total_tokens": 10 + len(tokens)}
    async with queue:
        await asyncio.sleep(serve_ms / 1000)
        SLOT_SERVED[key] = SLOT_SERVED.get(key, 0) + 1
        limits = [(b"x-ratelimit-limit-requests", b"10000"),
                  (b"x-ratelimit-remaining-requests", str(10000 - SLOT_SERVED[key]).encode()),
                  (b"x-ratelimit-reset-requests", b"6ms")]
        if not data.get("stream"):
            reply = {"id": "slot", "object": "chat.completion", "created": 0, "model": model,
                     "choices": [{"index": 0, "message": {"role": "assistant", "content": "".join(tokens)},
                                  "finish_reason": "stop"}], "usage": usage}
            body = json.dumps(reply).encode()
            await send({"type": "http.response.start", "status": 200,
                        "headers": [(b"content-type", b"application/json"),
                                    (b"content-length", str(len(body)).encode()), *limits]})
            return await send({"type": "http.response.body", "body": body})
        def chunk(delta, finish=None, **extra):
            c = {"id": "slot", "object": "chat.completion.chunk", "created": 0, "model": model,
                 "choices": [{"index": 0, "delta": delta, "finish_reason": finish}], **extra}
            return f"data: {json.dumps(c)}\n\n".encode()
        await send({"type": "http.response.start", "status": 200,
                    "headers": [(b"content-type", b"text/event-stream"), *limits]})
        for i, t in enumerate(tokens):
            if i:
                await asyncio.sleep(0.005)
            delta = {"role": "assistant", "content": t} if i == 0 else {"content": t}
            await send({"type": "http.response.body", "body": chunk(delta), "more_body": True})
        tail = chunk({}, "stop")
        if (data.get("stream_options") or {}).get("include_usage"):
            tail += f"data: {json.dumps({'id': 'slot', 'object': 'chat.completion.chunk', 'created': 0, 'model': model, 'choices': [], 'usage': usage})}\n\n".encode()
        await send({"type": "http.response.body", "body": tail + b"data: [DONE]\n\n", "more_body": True})
        await send({"type": "http.response.body", "body": b"", "more_body": False})


async def reasoned(send, body, form, n_think, think_ms, n_answer, answer_ms):
    """Answers as a reasoning model: thinking first, then the answer."""
    data = json.loads(body)
    model = data.get("model", "")
    if data.get("response_format"):
        text = json.dumps({"sentiment": "positive", "reason": "the review says it works"})
        step = max(1, -(-len(text) // n_answer))
        answer = [text[i:i + step] for i in range(0, len(text), step)]
        answer += [""] * (n_answer - len(answer))
    else:
        answer = [f"w{i} " for i in range(n_answer)]
    thoughts = [f"t{i} " for i in range(n_think)]
    details = b"reasoning-usage=plain" not in body
    usage = {"prompt_tokens": 10, "completion_tokens": n_think + n_answer,
             "total_tokens": 10 + n_think + n_answer}
    if details:
        usage["completion_tokens_details"] = {"reasoning_tokens": n_think}
    timings = None
    if b"server-timings" in body:
        n = n_think + n_answer
        gen_ms = float(think_ms + answer_ms)
        timings = {"prompt_n": 10, "prompt_ms": 20.0, "prompt_per_second": 500.0,
                   "predicted_n": n, "predicted_ms": gen_ms,
                   "predicted_per_second": n * 1000.0 / gen_ms if gen_ms else None}
    if not data.get("stream"):
        message = {"role": "assistant", "content": "".join(answer)}
        if form == "think":
            message["content"] = "<think>" + "".join(thoughts) + "</think>\n\n" + message["content"]
        else:
            message[form] = "".join(thoughts)
        await asyncio.sleep((think_ms + answer_ms) / 1000)
        reply = {"id": "think", "object": "chat.completion", "created": 0, "model": model,
                 "choices": [{"index": 0, "message": message, "finish_reason": "stop"}], "usage": usage}
        if timings:
            reply["timings"] = timings
        return await answer_json(send, reply)

    def chunk(delta, finish=None):
        c = {"id": "think", "object": "chat.completion.chunk", "created": 0, "model": model,
             "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}
        if finish and timings:
            c["timings"] = timings
        return f"data: {json.dumps(c)}\n\n".encode()

    async def out(b):
        await send({"type": "http.response.body", "body": b, "more_body": True})

    await send({"type": "http.response.start", "status": 200,
                "headers": [(b"content-type", b"text/event-stream")]})
    # A role frame with empty content: not a token of any kind.
    await out(chunk({"role": "assistant", "content": ""}))
    if form == "think":
        await out(chunk({"content": "<think>"}))
    for t in thoughts:
        await asyncio.sleep(think_ms / 1000 / max(1, n_think))
        await out(chunk({"content": t} if form == "think" else {form: t}))
    if form == "think":
        await out(chunk({"content": "</think>\n\n"}))
    for a in answer:
        await asyncio.sleep(answer_ms / 1000 / max(1, n_answer))
        # Servers that think apart send a null thinking field beside the answer.
        await out(chunk({"content": a} if form == "think" else {"content": a, form: None}))
    tail = chunk({}, "stop")
    if (data.get("stream_options") or {}).get("include_usage"):
        tail += f"data: {json.dumps({'id': 'think', 'object': 'chat.completion.chunk', 'created': 0, 'model': model, 'choices': [], 'usage': usage})}\n\n".encode()
    await out(tail + b"data: [DONE]\n\n")
    await send({"type": "http.response.body", "body": b"", "more_body": False})


async def answer_json(send, value):
    await answer(send, 200, b"application/json", json.dumps(value).encode())


async def read_body(receive):
    """The whole request body, and a receive() that replays it."""
    chunks = []
    more = True
    while more:
        message = await receive()
        chunks.append(message)
        more = message["type"] == "http.request" and message.get("more_body", False)
    body = b"".join(m.get("body", b"") for m in chunks)
    return body


def replaying(body, receive):
    sent = False

    async def replay():
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


def with_length(scope, body):
    headers = [(k, v) for k, v in scope["headers"] if k.lower() != b"content-length"]
    headers.append((b"content-length", str(len(body)).encode()))
    return {**scope, "headers": headers}


async def answer(send, status, content_type, body):
    await send({
        "type": "http.response.start",
        "status": status,
        "headers": [(b"content-type", content_type), (b"content-length", str(len(body)).encode())],
    })
    await send({"type": "http.response.body", "body": body})


def test_hooks(app):
    """Applies the body markers that change what llmock sees or answers."""

    async def wrapped(scope, receive, send):
        if scope["type"] == "http" and scope["method"] == "GET" and scope["path"].startswith("/junk/"):
            return await answer(send, 200, b"text/html", b"<html><body>Welcome to nginx!</body></html>")
        if scope["type"] != "http" or scope["method"] != "POST":
            return await app(scope, receive, send)
        body = await read_body(receive)
        found = LATENCY.search(body)
        if found:
            await asyncio.sleep(int(found.group(1)) / 1000)
        fault = FAULT.search(body)
        fault = fault.group(1).decode() if fault else None
        if fault == "html-502":
            page = b"<html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1><hr>nginx</body></html>"
            return await answer(send, 502, b"text/html", page)
        if fault == "empty-200":
            return await answer(send, 200, b"application/json", b"")
        thinking = REASONING.search(body)
        if thinking:
            form = thinking.group(1).decode()
            n_think, think_ms, n_answer, answer_ms = (int(thinking.group(i)) for i in range(2, 6))
            return await reasoned(send, body, form, n_think, think_ms, n_answer, answer_ms)
        slot = SLOTS.search(body)
        if slot:
            return await slotted(send, body, int(slot.group(1)), int(slot.group(2)))
        echoing = ECHO.search(body)
        if echoing:
            return await echo(send, body, int(echoing.group(1)))
        scenario = SCENARIO.search(body)
        if scenario or fault == "no-usage":
            try:
                data = json.loads(body)
                if scenario:
                    data["model"] = f"{data.get('model', '')}--{scenario.group(1).decode()}"
                if fault == "no-usage":
                    data.pop("stream_options", None)
                body = json.dumps(data).encode()
            except ValueError:
                pass
        return await app(with_length(scope, body), replaying(body, receive), send)

    return wrapped


def after_first_chunk(send, act):
    """A `send` that runs `act` before the body's second chunk goes out."""
    chunks = 0

    async def sending(message):
        nonlocal chunks
        if message["type"] == "http.response.body":
            chunks += 1
            if chunks == 2:
                await act()
        await send(message)

    return sending


def chaos(app, rates, seed, stall_ms=10_000):
    """Random faults for soak runs, with counts of what was done."""
    rng = random.Random(seed)
    stats = {"chat_requests": 0, "ok": 0, "500": 0, "429": 0, "cut": 0, "stall": 0}

    async def wrapped(scope, receive, send):
        if scope["type"] == "http" and scope["path"] == "/_chaos/stats":
            return await answer(send, 200, b"application/json", json.dumps(stats).encode())
        if scope["type"] != "http" or scope["method"] != "POST" or not scope["path"].endswith("/chat/completions"):
            return await app(scope, receive, send)
        stats["chat_requests"] += 1
        r = rng.random()
        if r < rates.get("500", 0):
            stats["500"] += 1
            body = json.dumps({"error": {"message": "chaos: internal error", "type": "server_error"}}).encode()
            return await answer(send, 500, b"application/json", body)
        r -= rates.get("500", 0)
        if r < rates.get("429", 0):
            stats["429"] += 1
            body = json.dumps({"error": {"message": "chaos: rate limited", "type": "rate_limit"}}).encode()
            await send({
                "type": "http.response.start",
                "status": 429,
                "headers": [(b"content-type", b"application/json"), (b"retry-after", b"1"),
                            (b"content-length", str(len(body)).encode())],
            })
            return await send({"type": "http.response.body", "body": body})
        r -= rates.get("429", 0)
        if r < rates.get("cut", 0):
            stats["cut"] += 1

            async def cut():
                # Dropping the connection mid-body, as a broken network does.
                raise ConnectionResetError("chaos: stream cut")

            return await app(scope, receive, after_first_chunk(send, cut))
        r -= rates.get("cut", 0)
        if r < rates.get("stall", 0):
            stats["stall"] += 1

            async def stall():
                # Silent mid-answer for longer than a client waits: the
                # client's timeout, not the server, ends it.
                await asyncio.sleep(stall_ms / 1000)

            return await app(scope, receive, after_first_chunk(send, stall))
        stats["ok"] += 1
        return await app(scope, receive, send)

    return wrapped


def lane_log(app):
    """Records each chat request's Host and key, and the peak in flight per Host."""
    log = []
    in_flight = {}
    peak = {}

    async def wrapped(scope, receive, send):
        if scope["type"] == "http" and scope["path"] == "/_lanes/requests":
            body = json.dumps({"requests": log, "peak": peak}).encode()
            return await answer(send, 200, b"application/json", body)
        if scope["type"] == "http" and scope["path"] == "/_lanes/clear":
            log.clear()
            peak.clear()
            return await answer(send, 200, b"application/json", b"{}")
        if scope["type"] != "http" or scope["method"] != "POST" or not scope["path"].endswith("/chat/completions"):
            return await app(scope, receive, send)
        headers = {k.decode().lower(): v.decode() for k, v in scope["headers"]}
        body = await read_body(receive)
        try:
            data = json.loads(body)
            model = data.get("model", "")
            users = [m.get("content") for m in data.get("messages", []) if m.get("role") == "user"]
        except (ValueError, AttributeError):
            model, users = "", []
        # The start of the last user message: which document was asked.
        user = users[-1][:300] if users and isinstance(users[-1], str) else ""
        host = headers.get("host", "")
        log.append({"host": host, "model": model, "user": user,
                    "key": headers.get("authorization") or headers.get("api-key") or ""})
        in_flight[host] = in_flight.get(host, 0) + 1
        peak[host] = max(peak.get(host, 0), in_flight[host])
        try:
            return await app(scope, replaying(body, receive), send)
        finally:
            in_flight[host] -= 1

    return wrapped


def build_app(chaos_rates=None, seed=0, stall_ms=10_000):
    # Imported late: llmock reads its settings from the environment on import.
    from llmock.main import create_app

    inner = lane_log(test_hooks(create_app()))
    if chaos_rates:
        inner = chaos(inner, chaos_rates, seed, stall_ms)
    with_cors = CORSMiddleware(
        inner,
        allow_origins=["*"],
        allow_methods=["*"],
        allow_headers=["*"],
        # Page scripts can read only these non-safelisted headers.
        expose_headers=["retry-after", "retry-after-ms", "x-request-id",
                        "x-ratelimit-limit-requests", "x-ratelimit-remaining-requests",
                        "x-ratelimit-reset-requests", "x-ratelimit-limit-tokens",
                        "x-ratelimit-remaining-tokens", "x-ratelimit-reset-tokens"],
    )

    async def app(scope, receive, send):
        # A request marked fault=no-cors skips the CORS layer (its preflight,
        # which has no body, still passes, as with real servers).
        if scope["type"] == "http" and scope["method"] == "POST":
            body = await read_body(receive)
            target = inner if b"fault=no-cors" in body else with_cors
            return await target(scope, replaying(body, receive), send)
        return await with_cors(scope, receive, send)

    return app


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("port", type=int)
    parser.add_argument("--chunk-delay-ms", type=int, default=0, help="pause between stream chunks")
    parser.add_argument("--latency-ms", type=int, default=0, help="delay before every answer")
    parser.add_argument("--chaos", default="", help='random faults, e.g. "500=0.05,429=0.02,cut=0.01"')
    parser.add_argument("--seed", type=int, default=1, help="seed of the random faults")
    parser.add_argument("--stall-ms", type=int, default=10_000, help="how long a stall fault keeps a stream silent")
    parser.add_argument("--hosts", default="127.0.0.1", help="comma-separated loopback addresses to listen on")
    args = parser.parse_args()
    rates = {k: float(v) for k, v in (p.split("=") for p in args.chaos.split(",") if p)}
    os.environ["LLMOCK_STREAM_CHUNK_DELAY_MS"] = str(args.chunk_delay_ms)
    os.environ["LLMOCK_LATENCY_MS"] = str(args.latency_ms)
    hosts = [h.strip() for h in args.hosts.split(",") if h.strip()]
    for h in hosts:
        if not ipaddress.ip_address(h).is_loopback:
            parser.error(f"{h} is not a loopback address: this test server stays on this machine")
    sockets = []
    for h in hosts:
        family = socket.AF_INET6 if ":" in h else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((h, args.port))
        sockets.append(sock)
    config = uvicorn.Config(build_app(rates, args.seed, args.stall_ms), log_level="warning")
    asyncio.run(uvicorn.Server(config).serve(sockets=sockets))
