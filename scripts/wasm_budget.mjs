// Fails the build when the page's wasm is heavier than the budget written in
// wasm-budget.json (gzip level 9 bytes, as `make dist` compresses it), so
// every change that adds weight says so and raises the budget on purpose.
// Usage: node scripts/wasm_budget.mjs dist
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

const dir = process.argv[2] ?? 'dist';
const budgetFile = new URL('../wasm-budget.json', import.meta.url);
const budget = JSON.parse(readFileSync(budgetFile, 'utf8'));
const limit = budget.page_wasm_gzip_bytes;
if (!Number.isInteger(limit) || limit <= 0) {
  console.error('wasm-budget.json: page_wasm_gzip_bytes must be a positive whole number of bytes');
  process.exit(1);
}
// The page's module: every *_bg.wasm but the document reader's worker.
const pages = readdirSync(dir).filter((n) => n.endsWith('_bg.wasm') && !n.startsWith('extract'));
if (pages.length !== 1) {
  console.error(`expected one page wasm in ${dir}/, found: ${pages.join(', ') || 'none'}`);
  process.exit(1);
}
const data = readFileSync(join(dir, pages[0]));
const gz = gzipSync(data, { level: 9 }).length;
const kb = (b) => `${(b / 1000).toFixed(1)} KB`;
const line = `page wasm ${pages[0]}: ${data.length} B raw, ${gz} B gzip (${kb(gz)}); budget ${limit} B (${kb(limit)})`;
if (gz > limit) {
  console.error(`${line}: OVER by ${gz - limit} B.`);
  console.error('Make it lighter, or raise page_wasm_gzip_bytes in wasm-budget.json and say why in the change.');
  process.exit(1);
}
console.log(`${line}: ${limit - gz} B to spare.`);
