import { ROLES } from '@stepwise/db';
import { SafeRecord, SafeString } from '@stepwise/flow';
import { z } from 'zod';

/**
 * Input schemas shared by the routers; every string is bounded (strings ≤ 10 KB, ids ≤ 64 characters).
 *
 * Every text input starts from `SafeString` (it refuses the NUL character and unpaired surrogates,
 * which PostgreSQL cannot store), every object input is a `z.strictObject` (an unknown key is refused,
 * named, not dropped) and every record-like input is a `SafeRecord` (`__proto__`, `constructor` and
 * `prototype` keys are refused). services/inputs.test.ts fails on a router that starts one
 * from `z.string()`, `z.object()` or `z.record()`.
 */
export { SafeRecord, SafeString };

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A row id: the database's ids are UUIDs, so anything else cannot name a row. */
export const RowId = SafeString.max(64, 'an id is at most 64 characters')
  .regex(UUID_RE, 'not a valid id')
  .transform((s) => s.toLowerCase());

export const Email = SafeString.trim()
  .toLowerCase()
  .max(254, 'An email address is at most 254 characters.')
  .pipe(z.email('Enter a valid email address.'));

/** New passwords: long enough to resist guessing, bounded so hashing stays cheap to refuse. */
export const NewPassword = SafeString.min(10, 'Use a password of at least 10 characters.').max(
  1024,
  'A password is at most 1024 characters.',
);

/** A password typed at log-in: only bounded, never judged (old rules must not lock anyone out). */
export const GivenPassword = SafeString.min(1, 'Enter your password.').max(
  1024,
  'A password is at most 1024 characters.',
);

export const PersonName = SafeString.trim()
  .min(1, 'Enter a name.')
  .max(200, 'A name is at most 200 characters.');

export const Title = SafeString.trim().min(1, 'Enter a name.').max(200, 'A name is at most 200 characters.');

export const Description = SafeString.max(10_000, 'A description is at most 10,000 characters.');

/** A date-time such as 2030-03-01T00:00:00Z (`offset`: any offset, such as +02:00, is read). */
export const IsoDateTime = (message: string, offset = false) =>
  SafeString.pipe(z.iso.datetime({ offset, message }));

export const RoleInput = z.enum(ROLES);

/** The secret of a link sent by mail (an invitation, a sign-up confirmation): checked when it is looked up. */
export const LinkToken = SafeString.trim()
  .min(1, 'This link is incomplete.')
  .max(200, 'This link is not valid.');
