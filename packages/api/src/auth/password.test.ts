import { describe, expect, it } from 'vitest';
import { admitHash, hashPassword, hashQueueState, PasswordCheckBusy, verifyPassword } from './password.ts';

describe('the hashing queue', () => {
  it('given one address holding its three admissions, when it asks again, then it is refused at once while another address is admitted', () => {
    // given
    const held = [admitHash('192.0.2.1'), admitHash('192.0.2.1'), admitHash('192.0.2.1')];
    // when
    const refused = (() => {
      try {
        admitHash('192.0.2.1');
        return null;
      } catch (error) {
        return error;
      }
    })();
    const other = admitHash('192.0.2.2');
    // then
    expect(refused).toBeInstanceOf(PasswordCheckBusy);
    expect((refused as PasswordCheckBusy).retryAfterMs).toBe(1000);
    expect(hashQueueState().admitted).toBe(4);
    for (const ticket of [...held, other]) ticket.release();
    // releasing twice changes nothing, and the lanes are gone
    held[0]?.release();
    expect(hashQueueState()).toEqual({ running: 0, waiting: 0, admitted: 0, lanes: 0 });
    admitHash('192.0.2.1').release();
  });

  it('given a flooding address with derivations queued, when another address checks a password, then it is served before the flood’s queued ones', async () => {
    // given: address A holds three admissions (one more is refused: A is flooding) and queues three checks
    const stored = await hashPassword('right password');
    const a = [admitHash('198.51.100.1'), admitHash('198.51.100.1'), admitHash('198.51.100.1')];
    expect(() => admitHash('198.51.100.1')).toThrow(PasswordCheckBusy);
    const order: string[] = [];
    const flood = a.map((ticket, i) =>
      verifyPassword(`guess ${i}`, stored, { ticket }).then(() => order.push(`A${i}`)),
    );
    // when B comes while A's first runs
    const b = admitHash('198.51.100.2');
    const real = verifyPassword('right password', stored, { ticket: b }).then((ok) => {
      order.push('B');
      return ok;
    });
    // then B is checked second: A's queued checks wait while B runs
    expect(await real).toBe(true);
    await Promise.all(flood);
    expect(order.indexOf('B')).toBeLessThanOrEqual(1);
    for (const ticket of [...a, b]) ticket.release();
    expect(hashQueueState()).toEqual({ running: 0, waiting: 0, admitted: 0, lanes: 0 });
  }, 30_000);
  it('given a burst of hashing with no client (sign-ups, an admin), when a log-in comes, then the burst holds one slot and the log-in the other', async () => {
    // given
    const burst = [
      hashPassword('new account 1'),
      hashPassword('new account 2'),
      hashPassword('new account 3'),
    ];
    // when
    const ticket = admitHash('192.0.2.77');
    const login = hashPassword('checked password', { ticket });
    // then
    expect(hashQueueState()).toMatchObject({ running: 2, waiting: 2 });
    await Promise.all([...burst, login]);
    ticket.release();
    expect(hashQueueState()).toEqual({ running: 0, waiting: 0, admitted: 0, lanes: 0 });
  }, 30_000);
});
