import { describe, expect, it } from 'vitest';
import { jsonbOrder } from './jsonbOrder.ts';

describe('jsonbOrder', () => {
  it('given an object, when ordered, then its keys go shorter first (in UTF-8 bytes), then bytewise, at every depth', () => {
    const ordered = jsonbOrder({ bb: 1, a: { zz: [{ y: 1, x: 2 }], b: 0 }, c: 'x', é: true, aa: null });
    expect(JSON.stringify(ordered)).toBe(
      '{"a":{"b":0,"zz":[{"x":2,"y":1}]},"c":"x","aa":null,"bb":1,"é":true}',
    );
  });

  it('given a `__proto__` key from a client, when ordered, then it stays data and the prototype is untouched', () => {
    const input = JSON.parse('{"__proto__":{"polluted":true},"constructor":"c"}') as Record<string, unknown>;
    const ordered = jsonbOrder(input);
    expect(Object.getPrototypeOf(ordered)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(JSON.stringify(ordered)).toBe('{"__proto__":{"polluted":true},"constructor":"c"}');
  });

  it('given undefined members, when ordered, then they are dropped as jsonb drops them', () => {
    expect(JSON.stringify(jsonbOrder({ b: undefined, a: [1, 'x'] }))).toBe('{"a":[1,"x"]}');
  });
});
