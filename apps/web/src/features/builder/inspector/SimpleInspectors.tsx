import {
  CHANNELS,
  END_STATUSES,
  type EndNode,
  PRIORITIES,
  type StartNode,
  type SubflowNode,
  TIERS,
  type WaitNode,
} from '@stepwise/flow';
import { describeEndStatus } from '../../../canvas/describe.ts';
import { capitalize } from '../../../ui/Badge.tsx';
import {
  CheckboxGroup,
  CheckboxInput,
  ListInput,
  MinutesInput,
  Section,
  SelectInput,
  TextInput,
} from './controls.tsx';
import { useNodeEdit } from './useNodeEdit.ts';

const TIER_WORDS: Record<(typeof TIERS)[number], string> = { new: 'New', existing: 'Existing', vip: 'VIP' };

export function StartInspector({ node }: { node: StartNode }) {
  const edit = useNodeEdit(node);
  const trigger = node.data.trigger;
  const setTrigger = (field: string | null, next: Partial<typeof trigger>) =>
    edit(field, (d) => ({ ...d, trigger: { ...d.trigger, ...next } }));
  return (
    <>
      <Section title="Start">
        <TextInput
          label="Label"
          value={node.data.label}
          onChange={(label) => edit('label', (d) => ({ ...d, label }))}
        />
        <fieldset className="insp-group">
          <legend>Tickets enter this flow</legend>
          <div className="segmented">
            <button
              type="button"
              className="segmented-btn"
              aria-pressed={trigger.mode === 'auto'}
              onClick={() => setTrigger(null, { mode: 'auto' })}
            >
              Automatically
            </button>
            <button
              type="button"
              className="segmented-btn"
              aria-pressed={trigger.mode === 'manual'}
              onClick={() => setTrigger(null, { mode: 'manual' })}
            >
              When an agent starts it
            </button>
          </div>
        </fieldset>
      </Section>
      {trigger.mode === 'auto' ? (
        <Section
          title="Which tickets"
          hint="A ticket enters when it passes every filter; an empty filter accepts any."
        >
          <CheckboxGroup
            legend="Channels"
            options={CHANNELS.map((c) => ({ value: c, label: capitalize(c) }))}
            values={trigger.channels}
            onChange={(channels) => setTrigger(null, { channels })}
          />
          <CheckboxGroup
            legend="Priorities"
            options={PRIORITIES.map((p) => ({ value: p, label: capitalize(p) }))}
            values={trigger.priorities}
            onChange={(priorities) => setTrigger(null, { priorities })}
          />
          <CheckboxGroup
            legend="Customer tiers"
            options={TIERS.map((t) => ({ value: t, label: TIER_WORDS[t] }))}
            values={trigger.tiers}
            onChange={(tiers) => setTrigger(null, { tiers })}
          />
          <ListInput
            label="Categories"
            values={trigger.categories}
            placeholder="Any category"
            hint="Separate with commas, e.g. billing, refund."
            onChange={(categories) => setTrigger('categories', { categories })}
          />
        </Section>
      ) : (
        <Section title="Manual start">
          <p className="insp-hint">
            Agents start this flow by hand on a ticket (onboarding, proactive follow-ups).
          </p>
        </Section>
      )}
    </>
  );
}

export function WaitInspector({ node }: { node: WaitNode }) {
  const edit = useNodeEdit(node);
  const { mode, minutes } = node.data;
  return (
    <Section title="Wait">
      <TextInput
        label="Label"
        value={node.data.label}
        onChange={(label) => edit('label', (d) => ({ ...d, label }))}
      />
      <SelectInput<'reply' | 'duration'>
        label="Wait for"
        value={mode}
        options={[
          { value: 'reply', label: 'The customer’s reply' },
          { value: 'duration', label: 'A fixed time' },
        ]}
        onChange={(next) => edit(null, (d) => ({ ...d, mode: next }))}
      />
      <MinutesInput
        label={mode === 'reply' ? 'Time out after (minutes)' : 'Wait for (minutes)'}
        optional={mode === 'reply'}
        value={minutes}
        hint={
          mode === 'reply'
            ? 'Optional. With a time-out, the node gets a “Timeout” output.'
            : 'The ticket continues on “Next” when the time is up.'
        }
        onChange={(value) => edit('minutes', (d) => ({ ...d, minutes: value }))}
      />
    </Section>
  );
}

export function SubflowInspector({
  node,
  flows,
}: {
  node: SubflowNode;
  flows: ReadonlyArray<{ id: string; name: string; published: boolean }>;
}) {
  const edit = useNodeEdit(node);
  const flowId = node.data.flowId;
  const known = flowId === null || flows.some((f) => f.id === flowId);
  return (
    <Section title="Subflow">
      <TextInput
        label="Label"
        value={node.data.label}
        onChange={(label) => edit('label', (d) => ({ ...d, label }))}
      />
      <SelectInput
        label="Flow to run"
        value={flowId ?? ''}
        options={[
          { value: '', label: 'Choose a flow…' },
          ...(known ? [] : [{ value: flowId ?? '', label: 'Unknown flow (pick another)' }]),
          ...flows.map((f) => ({
            value: f.id,
            label: f.published ? f.name : `${f.name} (not published yet)`,
          })),
        ]}
        hint="The ticket runs the other flow's active version, then continues on “Next”."
        onChange={(value) => edit(null, (d) => ({ ...d, flowId: value === '' ? null : value }))}
      />
    </Section>
  );
}

export function EndInspector({ node }: { node: EndNode }) {
  const edit = useNodeEdit(node);
  return (
    <Section title="End">
      <TextInput
        label="Label"
        value={node.data.label}
        onChange={(label) => edit('label', (d) => ({ ...d, label }))}
      />
      <SelectInput<EndNode['data']['status']>
        label="Resolution status"
        value={node.data.status}
        options={END_STATUSES.map((s) => ({ value: s, label: describeEndStatus(s) }))}
        onChange={(status) => edit(null, (d) => ({ ...d, status }))}
      />
      <CheckboxInput
        label="Ask the customer for feedback (CSAT 1–5 with a comment)"
        checked={node.data.feedback}
        onChange={(feedback) => edit(null, (d) => ({ ...d, feedback }))}
      />
    </Section>
  );
}
