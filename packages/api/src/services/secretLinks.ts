import { createHash, randomBytes } from 'node:crypto';
import type { Context } from '../trpc.ts';
import { DEFAULT_PUBLIC_URL } from '../runtime/feedbackLink.ts';

/** 43 base64url characters: the 32 random bytes of an invitation or sign-up link. */
const LINK_TOKEN_RE = /^[A-Za-z0-9_-]{43}$/;

/** A new link token and the SHA-256 that is stored in its place (the link itself is the recipient's secret). */
export function newLinkToken(): { token: string; hash: string } {
  const token = randomBytes(32).toString('base64url');
  return { token, hash: hashLinkToken(token) };
}

export function hashLinkToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** Whether a string can be a link token at all (anything else is refused without a lookup). */
export function isLinkToken(token: string): boolean {
  return LINK_TOKEN_RE.test(token);
}

/** The absolute address of a page of this app: links go out by mail, so a relative path leads nowhere. */
export function appLink(publicUrl: string, path: string): string {
  return `${publicUrl.replace(/\/+$/, '')}${path}`;
}

/** The server's `PUBLIC_URL` as this request's context carries it. */
export function publicUrlOf(ctx: Context): string {
  return ctx.publicUrl?.() ?? DEFAULT_PUBLIC_URL;
}

/** The hash a link's token is stored by ('' for a malformed token, which matches nothing). */
export function linkHashOf(token: string): string {
  return isLinkToken(token) ? hashLinkToken(token) : '';
}
