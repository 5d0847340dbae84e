import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain .mjs script without types
import { repair } from './patch-postgres.mjs';

const ROOT = join(import.meta.dirname, '..');
const MARK = '/* stepwise: nextWrite repaired */';

describe('the postgres driver repair', () => {
  it('is applied to both builds of the installed driver (by postinstall)', () => {
    for (const file of ['src/connection.js', 'cjs/src/connection.js']) {
      const text = readFileSync(join(ROOT, 'node_modules/postgres', file), 'utf8');
      expect(text).toContain(MARK);
      // Teardown (terminate, closed) forgets the cancelled write timer and its bytes, as a write does; a
      // write without a socket is a connection error.
      expect(text.match(/clearImmediate\(nextWriteTimer\)\n\s+chunk = nextWriteTimer = null/g)).toHaveLength(
        4,
      );
      expect(text).toMatch(/if \(!socket\) \{[^}]*CONNECTION_CLOSED/);
    }
  });

  it('leaves a repaired file alone and refuses text it does not recognise', () => {
    const repaired = readFileSync(join(ROOT, 'node_modules/postgres/src/connection.js'), 'utf8');
    expect((repair as (text: string) => string | null)(repaired)).toBeNull();
    expect(() => (repair as (text: string) => string | null)('function somethingElse() {}')).toThrow(
      /not found/,
    );
  });
});
