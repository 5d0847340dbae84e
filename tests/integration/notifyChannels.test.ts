import { type RuntimeLoop, startRuntimeLoop } from '@stepwise/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalReceiver, localReceiver } from '../support/localReceiver.ts';
import { breachNotifyDocument } from '../support/runtimeDocs.ts';
import {
  apiAs,
  createRuntimeOrg,
  fakeClock,
  newKey,
  publishFlow,
  type RuntimeOrg,
  ticketInput,
} from '../support/runtimeFixture.ts';
import { backends, openTestDb, type TestDb } from '../support/testDb.ts';

const MINUTE = 60_000;

/**
 * Slack and Teams notifications from a notify node on an SLA breach: through the outbox and the one
 * runtime loop, to a local receiver (never the internet), once per breach, retried after a failure.
 */
describe.each(backends())('notify a channel (%s)', (backend) => {
  let db: TestDb;
  let org: RuntimeOrg;
  let receiver: LocalReceiver;
  /** A server's runtime loop, driven by tick() (its own interval never comes in a test). */
  let loop: RuntimeLoop;
  const clock = fakeClock();

  beforeAll(async () => {
    db = await openTestDb(backend);
    receiver = await localReceiver();
    org = await createRuntimeOrg(db, 'Notify Ltd', clock.now());
    await publishFlow(db, org, 'Breach to Slack', breachNotifyDocument('escalations', 'to-slack'), 10);
    await publishFlow(db, org, 'Breach to Teams', breachNotifyDocument('Leads', 'to-teams'), 20);
    await publishFlow(db, org, 'Breach to nowhere', breachNotifyDocument('Nowhere', 'to-nowhere'), 30);
    const admin = apiAs(db, org.people.admin, clock);
    await admin.admin.channels.create({ name: 'Escalations', kind: 'slack', url: `${receiver.url}/slack` });
    await admin.admin.channels.create({ name: 'Leads', kind: 'teams', url: `${receiver.url}/teams` });
    loop = startRuntimeLoop(db, { now: clock.now, intervalMs: 3_600_000, publicUrl: 'https://sw.test' });
  });
  afterAll(async () => {
    await loop?.stop();
    await receiver?.close();
    await db?.dispose();
  });

  const admin = () => apiAs(db, org.people.admin, clock);
  const manager = () => apiAs(db, org.people.manager, clock);
  const postsTo = (path: string) => receiver.received.filter((r) => r.path === path);

  it('given a Slack channel answering 500 once, when a step breaches its SLA, then the notification is retried and delivered exactly once', async () => {
    // given
    const created = await manager().tickets.create(
      ticketInput({ category: 'to-slack', subject: 'Late refund' }),
    );
    const number = created.ticket.number;
    receiver.answer([500]);
    const before = postsTo('/slack').length;
    // when: the SLA passes; the loop fires the timer, performs the move's effects and posts
    clock.advance(11 * MINUTE);
    await loop.tick();
    // then: one attempt, answered 500; the delivery waits for its retry
    expect(
      postsTo('/slack')
        .slice(before)
        .map((r) => r.status),
    ).toEqual([500]);
    const [pending] = await admin().admin.channels.deliveries({ limit: 10 });
    expect(pending).toMatchObject({
      channelName: 'Escalations',
      ticketNumber: number,
      status: 'pending',
      attempts: 1,
      lastStatusCode: 500,
      lastError: 'The endpoint answered HTTP 500.',
    });
    // when: rounds before the retry is due send nothing
    await loop.tick();
    expect(postsTo('/slack').length - before).toBe(1);
    // when: the retry is due (10 s later)
    clock.advance(10_000);
    await loop.tick();
    // then: delivered on the second attempt, as Slack's {"text": …} with the ticket and the breached step
    const posts = postsTo('/slack').slice(before);
    expect(posts.map((r) => r.status)).toEqual([500, 200]);
    expect(posts[0]?.body).toBe(posts[1]?.body);
    expect(JSON.parse(posts[1]?.body ?? '{}')).toEqual({
      text: `SLA breached: #${number} Late refund at Watch`,
    });
    const [delivered] = await admin().admin.channels.deliveries({ limit: 10 });
    expect(delivered).toMatchObject({
      status: 'delivered',
      attempts: 2,
      lastStatusCode: 200,
      lastError: null,
    });
    // and: later rounds, and the timer poller, post nothing more for this breach
    clock.advance(10 * MINUTE);
    await loop.tick();
    await loop.tick();
    expect(postsTo('/slack').length - before).toBe(2);
    const ticket = await manager().tickets.get({ ticketId: created.ticket.id });
    expect(ticket.ticket.nodeId).toBe('lead');
  });

  it('given two tickets breaching, when the loop runs, then each breach is posted once, its subject escaped for Slack', async () => {
    // given
    const before = postsTo('/slack').length;
    const a = await manager().tickets.create(
      ticketInput({ category: 'to-slack', subject: 'First late <!channel> & co' }),
    );
    const b = await manager().tickets.create(ticketInput({ category: 'to-slack', subject: 'Second late' }));
    // when
    clock.advance(11 * MINUTE);
    await loop.tick();
    await loop.tick();
    // then
    const texts = postsTo('/slack')
      .slice(before)
      .map((r) => (JSON.parse(r.body) as { text: string }).text)
      .sort();
    expect(texts).toEqual(
      [
        // the subject is text in Slack, not a mention of everyone
        `SLA breached: #${a.ticket.number} First late &lt;!channel&gt; &amp; co at Watch`,
        `SLA breached: #${b.ticket.number} Second late at Watch`,
      ].sort(),
    );
  });

  it('given a Teams channel, when a step breaches, then it gets an Adaptive Card message', async () => {
    // given
    const created = await manager().tickets.create(
      ticketInput({ category: 'to-teams', subject: 'Slow reply' }),
    );
    // when
    clock.advance(11 * MINUTE);
    await loop.tick();
    // then
    const [post] = postsTo('/teams');
    expect(post?.headers['content-type']).toBe('application/json');
    expect(JSON.parse(post?.body ?? '{}')).toEqual({
      type: 'message',
      attachments: [
        {
          contentType: 'application/vnd.microsoft.card.adaptive',
          contentUrl: null,
          content: {
            $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
            type: 'AdaptiveCard',
            version: '1.4',
            body: [
              {
                type: 'TextBlock',
                text: `SLA breached: #${created.ticket.number} Slow reply at Watch`,
                wrap: true,
              },
            ],
          },
        },
      ],
    });
  });

  it('given a node naming a channel the organization does not have, when it is entered, then the move goes on and the log says why nothing was posted', async () => {
    // given
    const before = receiver.received.length;
    const created = await manager().tickets.create(ticketInput({ category: 'to-nowhere', subject: 'Lost' }));
    // when
    clock.advance(11 * MINUTE);
    await loop.tick();
    clock.advance(MINUTE);
    await loop.tick();
    // then: nothing posted; the ticket moved past the node; the delivery failed with the reason
    expect(receiver.received.length).toBe(before);
    const ticket = await manager().tickets.get({ ticketId: created.ticket.id });
    expect(ticket.ticket.nodeId).toBe('lead');
    const log = await admin().admin.channels.deliveries({ limit: 50 });
    expect(log.find((d) => d.ticketId === created.ticket.id)).toMatchObject({
      channelId: null,
      channelName: 'Nowhere',
      status: 'failed',
      attempts: 0,
      lastError: 'No channel named "Nowhere" is set up: add it in Admin → Integrations.',
    });
    // and the ticket can be worked on
    const done = await manager().tickets.complete({
      ticketId: created.ticket.id,
      expectedSeq: ticket.ticket.seq,
      nodeId: 'lead',
      outcomeId: 'done',
      form: {},
      checklist: [],
      idempotencyKey: newKey(),
    });
    expect(done.ticket.status).toBe('ended');
  });

  it('given channels, when an admin tests one, then it is posted at once and the answer is shown; bad input is refused and writes nothing', async () => {
    // given
    const [slack] = (await admin().admin.channels.list()).filter((c) => c.name === 'Escalations');
    if (!slack) throw new Error('no channel');
    expect(slack.urlHint).toBe(`${receiver.url}/…`);
    // when
    const result = await admin().admin.channels.test({ channelId: slack.id });
    // then
    expect(result).toMatchObject({ ok: true, statusCode: 200, error: null });
    expect(JSON.parse(receiver.received.at(-1)?.body ?? '{}')).toEqual({
      text: 'Stepwise test message: notify nodes can post to Escalations.',
    });
    // when: an answer of 500 to a test is shown and not retried
    receiver.answer([500]);
    const failed = await admin().admin.channels.test({ channelId: slack.id });
    expect(failed).toMatchObject({ ok: false, statusCode: 500, error: 'The endpoint answered HTTP 500.' });
    const log = await admin().admin.channels.deliveries({ channelId: slack.id, limit: 50 });
    expect(log.find((d) => d.id === failed.deliveryId)).toMatchObject({ status: 'failed', attempts: 1 });
    // when: bad channels
    const count = async () => (await admin().admin.channels.list()).length;
    const n = await count();
    await expect(
      admin().admin.channels.create({ name: 'escalations', kind: 'slack', url: 'https://hooks.slack.com/x' }),
    ).rejects.toMatchObject({ code: 'CONFLICT' });
    await expect(
      admin().admin.channels.create({ name: 'Plain', kind: 'slack', url: 'http://hooks.example.test/x' }),
    ).rejects.toMatchObject({ code: 'BAD_REQUEST', message: expect.stringContaining('https://') });
    await expect(
      admin().admin.channels.create({ name: 'Odd', kind: 'discord' as 'slack', url: 'https://x.test/' }),
    ).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    await expect(
      manager().admin.channels.create({ name: 'Mine', kind: 'slack', url: 'https://x.test/' }),
    ).rejects.toMatchObject({ code: 'FORBIDDEN' });
    expect(await count()).toBe(n);
    // and a manager drawing a flow sees the channels' names only
    expect(await manager().admin.channels.names()).toEqual([
      expect.objectContaining({ name: 'Escalations', kind: 'slack' }),
      expect.objectContaining({ name: 'Leads', kind: 'teams' }),
    ]);
  });
});
