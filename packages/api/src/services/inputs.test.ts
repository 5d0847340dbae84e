import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { TicketIntake } from '@stepwise/flow';
import { CreateTicketInput } from '../routers/tickets.ts';
import { Email, PersonName, SafeRecord, SafeString } from './inputs.ts';

/**
 * The input rules, as a lint: every text input starts from `SafeString`, every object input is strict
 * and every record-like input is a `SafeRecord`, in the routers and in the flow document's schema. A
 * schema written from `z.string()`, `z.object()` or `z.record()` there fails this test, so no field can
 * forget the rules (tests/integration/badInput.test.ts checks the same end to end).
 */

const ROUTERS = fileURLToPath(new URL('../routers/', import.meta.url));
const FLOW = fileURLToPath(new URL('../../../flow/src/', import.meta.url));

function sources(): Array<{ file: string; text: string }> {
  const inDir = (dir: string, names: string[]) =>
    names.map((name) => ({ file: `${dir}${name}`, text: readFileSync(`${dir}${name}`, 'utf8') }));
  const isSource = (name: string) => name.endsWith('.ts') && !name.endsWith('.test.ts');
  return [
    ...inDir(ROUTERS, readdirSync(ROUTERS).filter(isSource)),
    ...inDir(FLOW, ['schema.ts', 'schemaBase.ts', 'intake.ts']),
    ...inDir(`${FLOW}nodes/`, readdirSync(`${FLOW}nodes/`).filter(isSource)),
    { file: 'services/inputs.ts', text: readFileSync(new URL('./inputs.ts', import.meta.url), 'utf8') },
  ];
}

/** Code without comments (a comment may name what it forbids). */
function code(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:])\/\/.*$/gm, '$1');
}

const RULES: Array<{ pattern: RegExp; why: string }> = [
  { pattern: /\bz\s*\.\s*string\s*\(/, why: 'start text from SafeString' },
  { pattern: /\bz\s*\.\s*(object|looseObject)\s*\(/, why: 'objects are z.strictObject' },
  { pattern: /\.\s*(passthrough|loose|strip)\s*\(/, why: 'objects are z.strictObject' },
  { pattern: /\bz\s*\.\s*record\s*\(/, why: 'records are SafeRecord' },
  { pattern: /\bz\s*\.\s*any\s*\(/, why: 'inputs are typed' },
  {
    pattern: /(?<!\.pipe\(\s*)\bz\s*\.\s*(iso\s*\.|email\s*\(|url\s*\(|uuid\s*\()/,
    why: 'pipe SafeString into a format',
  },
];

/** The one schema-less input: flow documents, which `parseFlowDocument` reads against FlowDocument. */
const UNKNOWN_ALLOWED = /^const DocumentInput = z\.unknown\(\);$/m;

describe('the input rules', () => {
  it('given the routers and the flow document schema, when read, then no input is built from a bare zod string, object or record', () => {
    // given
    const offences: string[] = [];
    for (const { file, text } of sources()) {
      const lines = code(text).split('\n');
      lines.forEach((line, i) => {
        // when
        for (const { pattern, why } of RULES) {
          // SafeString and SafeRecord are themselves built from z.string() and z.record(), once.
          if (file.endsWith('schemaBase.ts') && /SafeString = z$|const record = z\.record\(/.test(line))
            continue;
          if (pattern.test(line)) offences.push(`${file}:${i + 1}: ${line.trim()} (${why})`);
        }
        if (/\bz\s*\.\s*unknown\s*\(/.test(line) && !UNKNOWN_ALLOWED.test(line)) {
          offences.push(`${file}:${i + 1}: ${line.trim()} (inputs are typed)`);
        }
      });
    }
    // then
    expect(offences).toEqual([]);
  });

  it('given the rules, when a router-like file breaks them, then each is caught', () => {
    // given
    const bad = [
      'name: z.string().max(10),',
      'input(z.object({ a: RowId }))',
      'fields: z.record(FieldKey, Value),',
      'x: Thing.passthrough(),',
      'at: z.iso.datetime(),',
    ];
    // when
    const caught = bad.filter((line) => RULES.some(({ pattern }) => pattern.test(line)));
    // then
    expect(caught).toEqual(bad);
    expect(RULES.some(({ pattern }) => pattern.test('at: SafeString.pipe(z.iso.datetime()),'))).toBe(false);
  });
});

describe('SafeString', () => {
  it.each([
    ['a NUL character', 'Refund\u0000 please', 'NUL character (U+0000)'],
    ['a lone high surrogate', 'Refund \ud800 please', 'unpaired UTF-16 surrogate'],
    ['a lone low surrogate at the end', 'Refund please \udfff', 'unpaired UTF-16 surrogate'],
    ['a low surrogate before its high one', '\udc00\ud800', 'unpaired UTF-16 surrogate'],
  ])('refuses %s, whatever is chained after it', (_what, text, reason) => {
    // given a schema built on SafeString, with checks and a transform chained after
    const schema = z.strictObject({ subject: SafeString.trim().min(1).max(500) });
    // when
    const result = schema.safeParse({ subject: text });
    // then the first issue is the character's, at the field
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]).toMatchObject({ path: ['subject'] });
    expect(result.error?.issues[0]?.message).toContain(reason);
  });

  it('keeps emoji, accents, right-to-left text, tabs and line breaks as given', () => {
    // given
    const text = 'Remboursé 💶 — استرداد\tline one\r\nline two';
    // when / then
    expect(SafeString.parse(text)).toBe(text);
    expect(PersonName.parse(' Zoë 👩‍💻 ')).toBe('Zoë 👩‍💻');
    expect(Email.safeParse('ada\u0000@example.test').success).toBe(false);
  });
});

describe('SafeRecord', () => {
  const Record = SafeRecord(z.string().regex(/^[a-z_]+$/), SafeString.max(20));

  it.each([['__proto__'], ['constructor'], ['prototype']])('refuses a "%s" key, naming it', (key) => {
    // given a record holding the key as its own, as JSON.parse makes it
    const input = JSON.parse(`{"order_id": "A-1", "${key}": {"polluted": true}}`) as unknown;
    // when
    const result = z.strictObject({ fields: Record }).safeParse({ fields: input });
    // then
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]).toMatchObject({ path: ['fields', key] });
    expect(result.error?.issues[0]?.message).toContain(`"${key}"`);
    expect(({} as { polluted?: unknown }).polluted).toBeUndefined();
  });

  it('given plain keys and values, when parsed, then they come through; a NUL in a value is refused at its key', () => {
    // given / when / then
    expect(Record.parse({ order_id: 'A-1', reason: 'Late' })).toEqual({ order_id: 'A-1', reason: 'Late' });
    const refused = Record.safeParse({ reason: 'La\u0000te' });
    expect(refused.error?.issues[0]).toMatchObject({ path: ['reason'] });
  });
});

describe('tickets.create and the new-ticket form', () => {
  it('given the intake schema the form checks drafts with, when tickets.create is built, then it keeps every one of its fields unchanged', () => {
    // The form says what the server would only while the server parses with the very same schemas.
    for (const [key, schema] of Object.entries(TicketIntake.shape))
      expect(CreateTicketInput.shape[key as keyof typeof CreateTicketInput.shape], key).toBe(schema);
    expect(CreateTicketInput.safeParse({ ...validTicket(), surplus: 1 }).success).toBe(false);
  });
});

function validTicket() {
  return {
    channel: 'phone',
    subject: 'Charged twice',
    description: '',
    customer: { name: 'Priya', email: 'priya@example.com', tier: 'existing' },
    category: '',
    priority: 'normal',
  };
}
