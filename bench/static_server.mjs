// Serves a built site (dist/) the way a static host with precompressed
// files does: over TLS (HTTP/2, HTTP/1.1 for clients without it), the
// `.br` copy where the browser accepts brotli, else the `.gz` copy, else
// the file itself; long-lived caching off (the benchmark loads cold).
// Usage: node bench/static_server.mjs PORT DIR CERT KEY
import http2 from 'node:http2';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { extname, join, normalize } from 'node:path';

const [port, dir, cert, key] = process.argv.slice(2);
const types = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript',
  '.wasm': 'application/wasm',
  '.css': 'text/css',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.txt': 'text/plain; charset=utf-8',
};

const server = http2.createSecureServer({ cert: readFileSync(cert), key: readFileSync(key), allowHTTP1: true }, (req, res) => {
  let path = decodeURIComponent(new URL(req.url, 'https://x').pathname);
  if (path.endsWith('/')) path += 'index.html';
  const file = join(dir, normalize(path).replace(/^(\.\.[/\\])+/, ''));
  if (!existsSync(file) || !statSync(file).isFile()) {
    res.writeHead(404, { 'content-type': 'text/plain' });
    res.end('not found');
    return;
  }
  const accept = String(req.headers['accept-encoding'] ?? '');
  const headers = { 'content-type': types[extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-store', vary: 'accept-encoding' };
  let body = file;
  if (/\bbr\b/.test(accept) && existsSync(`${file}.br`)) {
    body = `${file}.br`;
    headers['content-encoding'] = 'br';
  } else if (/\bgzip\b/.test(accept) && existsSync(`${file}.gz`)) {
    body = `${file}.gz`;
    headers['content-encoding'] = 'gzip';
  }
  const data = readFileSync(body);
  headers['content-length'] = data.length;
  res.writeHead(200, headers);
  res.end(data);
});
server.listen(Number(port), '127.0.0.1');
