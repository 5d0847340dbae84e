import { createHash } from 'node:crypto';

/** A feedback link stays valid this long. */
export const FEEDBACK_TTL_MS = 30 * 24 * 60 * 60 * 1000;

/** The public address when none is configured: the server's default port on this machine. */
export const DEFAULT_PUBLIC_URL = 'http://localhost:3000';

/**
 * The absolute address of the public feedback page for a token: a customer opens it from an email or a
 * chat, outside the app, so a relative path would lead nowhere. A trailing slash of `publicUrl` is dropped.
 */
export function feedbackLink(publicUrl: string, token: string): string {
  return `${publicUrl.replace(/\/+$/, '')}/feedback/${token}`;
}

/** Only the SHA-256 of a feedback token is stored: the link itself is the customer's secret. */
export function hashFeedbackToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}
