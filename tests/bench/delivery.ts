/**
 * W1 what the browser downloads to start: the JavaScript of the login page and of the queue (the page an
 * agent lands on), from a production build, gzip-compressed (the budget's measure, target ≤ 170 KB) and
 * as transferred (the brotli files the server sends to browsers that accept brotli, which all current
 * ones do). Files a page fetches later, on demand (the builder, analytics, admin), are not counted.
 * No ratio: sizes are the same on every machine for the same build.
 *
 *   npx tsx tests/bench/delivery.ts
 */
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ensureWebBuilt, WEB_DIR } from '../support/e2e.ts';
import { FIRST_PAGE_BUDGET_BYTES, FIRST_PAGES, pageWeight } from '../support/firstPage.ts';

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;

await ensureWebBuilt();
console.log('\nW1 first page JavaScript (target ≤ 170 KB gzip)\n');
console.log(
  `${'page'.padEnd(40)}${'files'.padStart(6)}${'raw'.padStart(11)}${'gzip'.padStart(11)}${'brotli'.padStart(11)}  target`,
);
for (const page of FIRST_PAGES) {
  const weight = pageWeight(WEB_DIR, page);
  const brotli = weight.files.reduce((sum, f) => {
    const variant = join(WEB_DIR, `${f.file}.br`);
    return sum + (existsSync(variant) ? statSync(variant).size : f.bytes);
  }, 0);
  const met = weight.gzipBytes <= FIRST_PAGE_BUDGET_BYTES;
  console.log(
    `${page.replace(/^src\/features\//, '').padEnd(40)}${String(weight.files.length).padStart(6)}${kb(weight.bytes).padStart(11)}${kb(weight.gzipBytes).padStart(11)}${kb(brotli).padStart(11)}  ${met ? 'met' : 'MISSED'}`,
  );
}
