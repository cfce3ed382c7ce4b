// Writes a brotli (quality 11) and a gzip (level 9) copy beside each text
// and wasm asset of a built site (`make dist`), for static hosts that serve
// precompressed files (nginx gzip_static / brotli_static, Caddy
// precompressed, Netlify and Cloudflare compress on their own). Prints each
// file's sizes. Usage: node scripts/precompress.mjs dist
import { readdirSync, readFileSync, writeFileSync, statSync } from 'node:fs';
import { join, extname } from 'node:path';
import { brotliCompressSync, gzipSync, constants } from 'node:zlib';

const dir = process.argv[2] ?? 'dist';
const kinds = new Set(['.html', '.js', '.wasm', '.css', '.json', '.svg', '.txt']);
let raw = 0, br = 0, gz = 0;
for (const name of readdirSync(dir)) {
  const path = join(dir, name);
  if (!statSync(path).isFile() || !kinds.has(extname(name))) continue;
  const data = readFileSync(path);
  const b = brotliCompressSync(data, {
    params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: data.length },
  });
  const g = gzipSync(data, { level: 9 });
  writeFileSync(`${path}.br`, b);
  writeFileSync(`${path}.gz`, g);
  raw += data.length; br += b.length; gz += g.length;
  console.log(`${name}: ${data.length} B, brotli ${b.length} B, gzip ${g.length} B`);
}
console.log(`all: ${raw} B, brotli ${br} B, gzip ${gz} B`);
