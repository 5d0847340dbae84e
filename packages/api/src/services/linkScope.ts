import { type Database, withOrg } from '@stepwise/db';

/** The public links whose token names the organization a page acts for. */
export type LinkKind = 'feedback' | 'invitation' | 'sign_up';

/**
 * Runs a public link's work acting for the organization the link belongs to (found by the token's hash
 * through the narrowly granted `stepwise_link_org` function); for an unknown token, acting for none, so
 * the work finds nothing.
 */
export async function withLinkOrg<T>(
  db: Database,
  kind: LinkKind,
  tokenHash: string,
  work: () => Promise<T>,
): Promise<T> {
  const [row] = await withOrg(null, () =>
    db.query<{ org_id: string | null }>('SELECT stepwise_link_org($1, $2) AS org_id', [kind, tokenHash]),
  );
  return withOrg(row?.org_id ?? null, work);
}
