/**
 * Both drivers report PostgreSQL's SQLSTATE as `code`; drizzle wraps the driver error in `cause`.
 * Returns the violated constraint's name when the error (or one of its causes) is a unique violation.
 */
export function uniqueViolation(error: unknown): { constraint: string | null } | null {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && typeof current === 'object' && current !== null; depth++) {
    const code = 'code' in current ? current.code : undefined;
    if (code === '23505') {
      const constraint =
        'constraint_name' in current && typeof current.constraint_name === 'string'
          ? current.constraint_name
          : 'constraint' in current && typeof current.constraint === 'string'
            ? current.constraint
            : null;
      return { constraint };
    }
    current = 'cause' in current ? current.cause : undefined;
  }
  return null;
}
