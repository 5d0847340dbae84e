import { z } from 'zod';
import { sessionCookie } from '../auth/sessions.ts';
import { clientIpOf, clientOf } from '../createContext.ts';
import type { Me } from '../services/accounts.ts';
import { userOf } from '../services/callerOf.ts';
import {
  Email,
  GivenPassword,
  LinkToken,
  NewPassword,
  PersonName,
  RoleInput,
  RowId,
} from '../services/inputs.ts';
import {
  acceptInvitation,
  createInvitation,
  type InvitationRow,
  type InvitationView,
  invitationByToken,
  listInvitations,
  resendInvitation,
  revokeInvitation,
} from '../services/invitations.ts';
import { publicUrlOf } from '../services/secretLinks.ts';
import { procedure, router } from '../trpc.ts';

/**
 * Invitations: the only way a person joins an existing organization. An admin invites an address; the
 * answer is the same whether or not the address has an account anywhere, and nobody becomes a member
 * until they accept through the link (sent by mail, and shown once to the admin who sent it).
 */
export const invitationsRouter = router({
  /** The open invitations (pending or expired), for the members page. */
  list: procedure(['admin']).query(
    ({ ctx }): Promise<InvitationRow[]> => listInvitations(ctx.db, userOf(ctx).orgId, ctx.now()),
  ),

  /** Invites an address with a role and teams; returns the pending invitation and its link. */
  create: procedure(['admin'])
    .input(
      z.strictObject({
        email: Email,
        role: RoleInput,
        teamIds: z.array(RowId).max(100, 'Choose at most 100 teams.').default([]),
      }),
    )
    .mutation(({ ctx, input }) =>
      createInvitation(ctx.db, userOf(ctx), input, { now: ctx.now(), publicUrl: publicUrlOf(ctx) }),
    ),

  /** Sends an open invitation again: a new link (the old one stops working), valid 7 more days. */
  resend: procedure(['admin'])
    .input(z.strictObject({ invitationId: RowId }))
    .mutation(({ ctx, input }) =>
      resendInvitation(ctx.db, userOf(ctx), input.invitationId, {
        now: ctx.now(),
        publicUrl: publicUrlOf(ctx),
      }),
    ),

  /** Withdraws an open invitation: its link stops working. */
  revoke: procedure(['admin'])
    .input(z.strictObject({ invitationId: RowId }))
    .mutation(({ ctx, input }) => revokeInvitation(ctx.db, userOf(ctx), input.invitationId, ctx.now())),

  /** What an invitation link leads to: the organization, the address, the role and whether it still works. */
  get: procedure('public')
    .input(z.strictObject({ token: LinkToken }))
    .query(({ ctx, input }): Promise<InvitationView> => invitationByToken(ctx.db, input.token, ctx.now())),

  /**
   * Accepts an invitation and logs in to its organization: `account: 'new'` creates the person's account
   * (name and password), `account: 'existing'` signs in with the address's one password.
   */
  accept: procedure('public')
    .input(
      z.discriminatedUnion('account', [
        z.strictObject({
          token: LinkToken,
          account: z.literal('new'),
          name: PersonName,
          password: NewPassword,
        }),
        z.strictObject({
          token: LinkToken,
          account: z.literal('existing'),
          password: GivenPassword,
        }),
      ]),
    )
    .mutation(async ({ ctx, input }): Promise<Me> => {
      const { me, sessionToken } = await acceptInvitation(ctx.db, input, {
        now: ctx.now(),
        clientIp: clientIpOf(ctx),
        client: clientOf(ctx),
      });
      ctx.setCookie(sessionCookie(sessionToken));
      return me;
    }),
});
