import type { Comparison, ConditionGroup, ConditionValue, ScalarValue } from '@stepwise/flow';

/*
 * Decision conditions as BPMN condition expressions. Export writes a small FEEL subset (what Camunda 8
 * and most modelers show): `priority = "high" and (channel = "email" or customer.tier in ("vip"))`.
 * Import reads that subset back, and the same comparisons in JUEL (Camunda 7: `${priority == 'high' &&
 * amount > 50}`). Anything else — functions, arithmetic, `>=` — does not map onto a Stepwise condition:
 * `parseConditionExpression` returns null and the importer flags the branch for review. The text is
 * parsed into data; nothing is ever evaluated.
 */

const MAX_EXPRESSION = 10_000;

function formatValue(value: ScalarValue): string {
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}

function formatList(value: ConditionValue | undefined): string {
  const items = Array.isArray(value) ? value : value === undefined ? [] : [value];
  return `(${items.map(formatValue).join(', ')})`;
}

function formatComparison(c: Comparison): string {
  const single = (v: ConditionValue | undefined) =>
    v === undefined ? 'null' : Array.isArray(v) ? formatList(v) : formatValue(v);
  switch (c.operator) {
    case 'equals':
      return `${c.field} = ${single(c.value)}`;
    case 'not_equals':
      return `${c.field} != ${single(c.value)}`;
    case 'greater_than':
      return `${c.field} > ${single(c.value)}`;
    case 'less_than':
      return `${c.field} < ${single(c.value)}`;
    case 'in':
      return `${c.field} in ${formatList(c.value)}`;
    case 'not_in':
      return `not(${c.field} in ${formatList(c.value)})`;
    case 'contains':
      return `contains(${c.field}, ${single(c.value)})`;
    case 'is_set':
      return `${c.field} != null`;
    case 'is_empty':
      return `${c.field} = null`;
  }
}

function formatGroup(group: ConditionGroup, nested: boolean): string {
  if (group.rules.length === 0) return group.combinator === 'all' ? 'true' : 'false';
  const joiner = group.combinator === 'all' ? ' and ' : ' or ';
  const text = group.rules
    .map((rule) => (rule.kind === 'group' ? formatGroup(rule, true) : formatComparison(rule)))
    .join(joiner);
  return nested ? `(${text})` : text;
}

/** The FEEL text of a decision branch's condition (the body of its BPMN condition expression). */
export function formatConditionExpression(group: ConditionGroup): string {
  return formatGroup(group, false);
}

// ---------------------------------------------------------------------------------------------------
// Reading

type Token =
  | { t: 'ident'; v: string }
  | { t: 'string'; v: string }
  | { t: 'number'; v: number }
  | { t: 'op'; v: string };

const OPERATOR_TOKENS = ['==', '!=', '&&', '||', '>=', '<=', '=', '>', '<', '(', ')', '[', ']', ','];

function tokenize(text: string): Token[] | null {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const ch = text[i] as string;
    if (/\s/.test(ch)) {
      i++;
      continue;
    }
    if (ch === '"' || ch === "'") {
      let value = '';
      i++;
      let closed = false;
      while (i < text.length) {
        const c = text[i] as string;
        if (c === '\\' && i + 1 < text.length) {
          const next = text[i + 1] as string;
          value += next === 'n' ? '\n' : next === 't' ? '\t' : next;
          i += 2;
          continue;
        }
        if (c === ch) {
          closed = true;
          i++;
          break;
        }
        value += c;
        i++;
      }
      if (!closed) return null;
      tokens.push({ t: 'string', v: value });
      continue;
    }
    const number = /^-?\d+(\.\d+)?/.exec(text.slice(i, i + 40));
    if (number && (ch !== '-' || tokens.length === 0 || tokens[tokens.length - 1]?.t === 'op')) {
      tokens.push({ t: 'number', v: Number(number[0]) });
      i += number[0].length;
      continue;
    }
    const ident = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*/.exec(text.slice(i, i + 200));
    if (ident) {
      tokens.push({ t: 'ident', v: ident[0] });
      i += ident[0].length;
      continue;
    }
    const op = OPERATOR_TOKENS.find((o) => text.startsWith(o, i));
    if (op === undefined) return null;
    tokens.push({ t: 'op', v: op });
    i += op.length;
  }
  return tokens;
}

class Unmappable extends Error {}

const FIELD = /^[A-Za-z][A-Za-z0-9_]*(\.[A-Za-z][A-Za-z0-9_]*)?$/;
const RESERVED = new Set(['__proto__', 'constructor', 'prototype']);
const KEYWORDS = new Set(['and', 'or', 'not', 'in', 'null', 'true', 'false', 'contains']);

class Parser {
  private at = 0;
  private depth = 0;
  constructor(private readonly tokens: Token[]) {}

  private peek(offset = 0): Token | undefined {
    return this.tokens[this.at + offset];
  }
  private isOp(v: string, offset = 0): boolean {
    const token = this.peek(offset);
    return token?.t === 'op' && token.v === v;
  }
  private isWord(v: string, offset = 0): boolean {
    const token = this.peek(offset);
    return token?.t === 'ident' && token.v.toLowerCase() === v;
  }
  private expectOp(v: string): void {
    if (!this.isOp(v)) throw new Unmappable();
    this.at++;
  }

  parse(): ConditionGroup {
    const group = this.orExpression();
    if (this.at !== this.tokens.length) throw new Unmappable();
    return group.kind === 'group' ? group : { kind: 'group', combinator: 'all', rules: [group] };
  }

  private orExpression(): Comparison | ConditionGroup {
    const first = this.andExpression();
    const rules = [first];
    while (this.isWord('or') || this.isOp('||')) {
      this.at++;
      rules.push(this.andExpression());
    }
    return rules.length === 1 ? first : { kind: 'group', combinator: 'any', rules };
  }

  private andExpression(): Comparison | ConditionGroup {
    const first = this.unary();
    const rules = [first];
    while (this.isWord('and') || this.isOp('&&')) {
      this.at++;
      rules.push(this.unary());
    }
    return rules.length === 1 ? first : { kind: 'group', combinator: 'all', rules };
  }

  private unary(): Comparison | ConditionGroup {
    if (++this.depth > 10) throw new Unmappable();
    try {
      if (this.isWord('not') && this.isOp('(', 1)) {
        this.at += 2;
        const inner = this.orExpression();
        this.expectOp(')');
        if (inner.kind === 'comparison' && inner.operator === 'in') return { ...inner, operator: 'not_in' };
        throw new Unmappable();
      }
      if (this.isOp('(')) {
        this.at++;
        const inner = this.orExpression();
        this.expectOp(')');
        return inner.kind === 'group' ? inner : { kind: 'group', combinator: 'all', rules: [inner] };
      }
      if (this.isWord('true') || this.isWord('false')) {
        const combinator = this.isWord('true') ? 'all' : 'any';
        this.at++;
        return { kind: 'group', combinator, rules: [] };
      }
      if (this.isWord('contains') && this.isOp('(', 1)) {
        this.at += 2;
        const field = this.field();
        this.expectOp(',');
        const value = this.scalar();
        this.expectOp(')');
        if (value === null) throw new Unmappable();
        return { kind: 'comparison', field, operator: 'contains', value };
      }
      return this.comparison();
    } finally {
      this.depth--;
    }
  }

  private field(): string {
    const token = this.peek();
    if (token?.t !== 'ident' || KEYWORDS.has(token.v.toLowerCase())) throw new Unmappable();
    if (!FIELD.test(token.v) || token.v.length > 64 || token.v.split('.').some((p) => RESERVED.has(p)))
      throw new Unmappable();
    this.at++;
    return token.v;
  }

  private scalar(): ScalarValue | null {
    const token = this.peek();
    if (token === undefined) throw new Unmappable();
    this.at++;
    if (token.t === 'string') return token.v;
    if (token.t === 'number') return token.v;
    if (token.t === 'ident') {
      const word = token.v.toLowerCase();
      if (word === 'true') return true;
      if (word === 'false') return false;
      if (word === 'null') return null;
    }
    throw new Unmappable();
  }

  private list(): ScalarValue[] {
    const close = this.isOp('(') ? ')' : this.isOp('[') ? ']' : null;
    if (close === null) throw new Unmappable();
    this.at++;
    const items: ScalarValue[] = [];
    while (!this.isOp(close)) {
      if (items.length > 0) this.expectOp(',');
      const value = this.scalar();
      if (value === null || items.length >= 200) throw new Unmappable();
      items.push(value);
    }
    this.at++;
    return items;
  }

  private comparison(): Comparison {
    const field = this.field();
    if (this.isWord('in')) {
      this.at++;
      return { kind: 'comparison', field, operator: 'in', value: this.list() };
    }
    const op = this.peek();
    if (op?.t !== 'op') throw new Unmappable();
    this.at++;
    const value = this.scalar();
    switch (op.v) {
      case '=':
      case '==':
        return value === null
          ? { kind: 'comparison', field, operator: 'is_empty' }
          : { kind: 'comparison', field, operator: 'equals', value };
      case '!=':
        return value === null
          ? { kind: 'comparison', field, operator: 'is_set' }
          : { kind: 'comparison', field, operator: 'not_equals', value };
      case '>':
        if (typeof value !== 'number') throw new Unmappable();
        return { kind: 'comparison', field, operator: 'greater_than', value };
      case '<':
        if (typeof value !== 'number') throw new Unmappable();
        return { kind: 'comparison', field, operator: 'less_than', value };
      default:
        throw new Unmappable();
    }
  }
}

/**
 * Reads a BPMN condition expression (FEEL as `formatConditionExpression` writes it, optionally behind
 * Camunda 8's leading `=`, or JUEL inside `${…}`) into a Stepwise condition, or null when it does not
 * map onto one. Never throws, never evaluates anything.
 */
export function parseConditionExpression(text: string): ConditionGroup | null {
  if (text.length > MAX_EXPRESSION) return null;
  let body = text.trim();
  const juel = /^[$#]\{([\s\S]*)\}$/.exec(body);
  if (juel) body = (juel[1] ?? '').trim();
  else if (body.startsWith('=')) body = body.slice(1).trim();
  if (body === '') return null;
  const tokens = tokenize(body);
  if (tokens === null || tokens.length > 2000) return null;
  try {
    return new Parser(tokens).parse();
  } catch (error) {
    if (error instanceof Unmappable) return null;
    throw error;
  }
}
