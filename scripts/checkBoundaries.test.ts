import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';

const script = join(dirname(fileURLToPath(import.meta.url)), 'check-boundaries.mjs');
let root = '';

function tree(files: Record<string, string>): string {
  root = mkdtempSync(join(tmpdir(), 'boundaries-'));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

const run = (dir: string) => spawnSync(process.execPath, [script, dir], { encoding: 'utf8' });

afterEach(() => rmSync(root, { recursive: true, force: true }));

describe('package boundaries lint', () => {
  it('passes a tree that keeps to the table', () => {
    // given imports each package may make
    const dir = tree({
      'packages/flow/src/a.ts': "import { z } from 'zod';\nimport { b } from './b.ts';\n",
      'packages/db/src/a.ts': "import type { FlowDocument } from '@stepwise/flow';\n",
      'apps/web/src/a.ts':
        "import type { AppRouter } from '@stepwise/api';\nimport { useState } from 'react';\n",
    });
    // when / then
    const result = run(dir);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  });

  it.each([
    ['packages/flow/src/a.ts', "import { useState } from 'react';", "'react'"],
    ['packages/flow/src/a.ts', "import { readFileSync } from 'node:fs';", "'node:fs'"],
    ['packages/flow/src/a.ts', "import { createDb } from '@stepwise/db';", "'@stepwise/db'"],
    ['packages/db/src/a.ts', "import { appRouter } from '@stepwise/api';", "'@stepwise/api'"],
    ['apps/web/src/a.ts', "import { appRouter } from '@stepwise/api';", "'@stepwise/api'"],
    ['apps/web/src/a.ts', "import { createDb } from '@stepwise/db';", "'@stepwise/db'"],
    ['packages/flow/src/a.ts', "export { x } from '../../db/src/x.ts';", 'leaves packages/flow'],
  ])('fails when %s does %s', (path, line, named) => {
    // given one forbidden import
    const dir = tree({ [path]: `${line}\n` });
    // when
    const result = run(dir);
    // then lint fails and names it
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(named);
  });
});
