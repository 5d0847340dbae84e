import type { Role } from '../../trpc.ts';

/** The page each role starts on: agents work the queue, managers and admins look after flows. */
export function homeFor(role: Role): string {
  return role === 'agent' ? '/queue' : '/flows';
}
