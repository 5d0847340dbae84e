import { spawnSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..');
const biome = join(repo, 'node_modules/.bin/biome');
let probe = '';

/** Lints one file written into the tree (the override applies by path), then removes it. */
function lint(path: string, text: string) {
  probe = join(repo, path);
  writeFileSync(probe, text);
  return spawnSync(biome, ['lint', '--max-diagnostics=50', path], { cwd: repo, encoding: 'utf8' });
}

afterEach(() => {
  if (probe) rmSync(probe, { force: true });
  probe = '';
});

// Each case starts the linter as its own process: seconds on a loaded machine.
describe('packages/flow purity lint', { timeout: 30_000 }, () => {
  it.each([
    ['Date.now()', 'export const t = Date.now();\n'],
    ['new Date()', 'export const t = new Date();\n'],
    ['Math.random()', 'export const r = Math.random();\n'],
    ['setTimeout', 'setTimeout(() => {}, 1);\n'],
    ['fetch', "export const f = () => fetch('http://example.test');\n"],
    ['crypto', 'export const u = () => crypto.randomUUID();\n'],
    ['performance', 'export const p = performance.now();\n'],
    ['console', "console.log('x');\n"],
  ])('given %s in a packages/flow source file, when linted, then lint fails', (_name, text) => {
    const result = lint(`packages/flow/src/zzPurityProbe${process.pid}.ts`, text);
    expect(result.status).not.toBe(0);
    expect(`${result.stdout}${result.stderr}`).toMatch(/packages\/flow is pure/);
  });

  it('given pure arithmetic in packages/flow, and the clock in packages/api, when linted, then both pass', () => {
    expect(
      lint(`packages/flow/src/zzPurityProbe${process.pid}.ts`, 'export const n = Math.max(1, 2);\n').status,
    ).toBe(0);
    rmSync(probe, { force: true });
    expect(
      lint(`packages/api/src/zzPurityProbe${process.pid}.ts`, 'export const t = Date.now();\n').status,
    ).toBe(0);
  });
});
