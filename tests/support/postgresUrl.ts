/** The PostgreSQL the real-database tests use: TEST_DATABASE_URL, else DATABASE_URL; undefined = skip them. */
export function postgresUrl(): string | undefined {
  return process.env.TEST_DATABASE_URL || process.env.DATABASE_URL || undefined;
}
