import { z } from 'zod';
import { Label, nodeBase, Text } from '../schemaBase.ts';
import { defineKind } from './kind.ts';

export const NotifyNode = z.strictObject({
  ...nodeBase,
  type: z.literal('notify'),
  data: z.strictObject({
    label: Label,
    /**
     * The organization's channel (Admin → Integrations), by name or id. A name keeps a flow valid and
     * portable where no such channel exists yet: the runtime records a failed delivery saying so.
     */
    channel: Label,
    /** The message, with placeholders such as `{{ticket.number}}`, `{{ticket.subject}}`, `{{step.title}}`. */
    message: Text,
  }),
});
export type NotifyNode = z.infer<typeof NotifyNode>;

/**
 * Posts a message to a Slack or Microsoft Teams channel, then goes on. The engine names the channel
 * and the template; the runtime fills the template with the ticket as stored (its number, team and
 * assignee are the runtime's) and delivers it through the outbox, with retries and a delivery log.
 */
export const notifyKind = defineKind(NotifyNode, {
  nameKey: 'label',
  words: {
    label: 'Notify a channel',
    description: 'Post to Slack or Teams',
    properties: { channel: 'Channel', message: 'Message' },
  },
  defaults: () => ({
    label: 'Notify the team channel',
    channel: '',
    message: 'Ticket #{{ticket.number}} "{{ticket.subject}}" needs attention at {{step.title}}.',
  }),
  outputs: [{ handle: 'next', label: 'Next' }],
  automatic: true,
  enter(node, ctx) {
    ctx.effect({
      type: 'notify_channel',
      nodeId: node.id,
      channel: node.data.channel.trim(),
      template: node.data.message,
    });
    return { follow: 'next' };
  },
  validate(node, report, name) {
    if (node.data.channel.trim() === '')
      report('NOTIFY_INCOMPLETE', `${name} names no channel: choose the channel it posts to.`);
    if (node.data.message.trim() === '')
      report('NOTIFY_INCOMPLETE', `${name} has no message: write what it posts.`);
  },
});
