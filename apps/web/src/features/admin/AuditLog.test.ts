import { describe, expect, it } from 'vitest';
import { describeData, shortValue } from './AuditLog.tsx';

describe('describeData', () => {
  it('given an entry’s data, when described, then keys read as words and machine values are shortened', () => {
    expect(
      describeData({
        flowName: 'Refund request',
        versionId: '835b2674-d994-46df-b73f-b59ca7d48a7e',
        contentHash: '3d2d6cec94d09d379c11fe6fe821293d72fcd7591b16ad7b13325d81d5569044',
        from: 'agent',
        note: '',
      }),
    ).toBe('flow name: Refund request · version id: 835b2674… · content hash: 3d2d6cec94d0… · from: agent');
  });

  it('given no data, when described, then nothing is said', () => {
    expect(describeData(null)).toBe('');
  });

  it('given a long free text, when shortened, then it is cut with an ellipsis', () => {
    expect(shortValue('x'.repeat(200))).toHaveLength(118);
  });
});
