/** The API's rules for a new password (the server checks them again). */
export const MIN_PASSWORD = 10;
export const MAX_PASSWORD = 1024;

/** What is wrong with a new password, or null. */
export function passwordProblem(password: string): string | null {
  if (password.length < MIN_PASSWORD) return `Use a password of at least ${MIN_PASSWORD} characters.`;
  if (password.length > MAX_PASSWORD) return `A password is at most ${MAX_PASSWORD} characters.`;
  return null;
}
