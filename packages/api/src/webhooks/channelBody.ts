/**
 * The request body a channel's service reads. Slack incoming webhooks take `{ "text": … }` (mrkdwn);
 * a Microsoft Teams workflow ("When a Teams webhook request is received", then "Post card in a chat or
 * channel") takes a message whose attachment is an Adaptive Card.
 */
export function channelBody(kind: 'slack' | 'teams', text: string): Record<string, unknown> {
  if (kind === 'slack') return { text };
  return {
    type: 'message',
    attachments: [
      {
        contentType: 'application/vnd.microsoft.card.adaptive',
        contentUrl: null,
        content: {
          $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
          type: 'AdaptiveCard',
          version: '1.4',
          body: [{ type: 'TextBlock', text, wrap: true }],
        },
      },
    ],
  };
}
