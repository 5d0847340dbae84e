import { useQuery } from '@tanstack/react-query';
import { Megaphone } from 'lucide-react';
import { memo, useId } from 'react';
import { NodeFrame } from '../canvas/nodes/NodeFrame.tsx';
import { sameNodeProps } from '../canvas/nodes/sameNodeProps.ts';
import { LABEL_MAX, Section, TextArea, TextInput } from '../features/builder/inspector/controls.tsx';
import { useNodeEdit } from '../features/builder/inspector/useNodeEdit.ts';
import { useTRPC } from '../trpc.ts';
import type { InspectorProps, ViewProps, WebNodeKind } from './kind.ts';

/** The placeholders a notify message may use, with what they become. */
const PLACEHOLDERS: ReadonlyArray<[string, string]> = [
  ['{{ticket.number}}', 'the ticket number'],
  ['{{ticket.subject}}', 'its subject'],
  ['{{ticket.priority}}', 'its priority'],
  ['{{ticket.url}}', 'a link to it'],
  ['{{step.title}}', 'the step the ticket came from (an SLA breach: the overdue step)'],
  ['{{team.name}}', 'its team'],
  ['{{assignee.name}}', 'its assignee'],
  ['{{customer.name}}', 'the customer'],
];

const NotifyView = memo(function NotifyView({ data, selected }: ViewProps<'notify'>) {
  const channel = data.node.data.channel.trim();
  return (
    <NodeFrame node={data.node} icon={Megaphone} mark={data.mark} issues={data.issues} selected={selected}>
      <p className="fnode-text">{channel === '' ? 'No channel chosen' : `Posts to ${channel}`}</p>
    </NodeFrame>
  );
}, sameNodeProps);

function NotifyInspector({ node }: InspectorProps<'notify'>) {
  const edit = useNodeEdit(node);
  const trpc = useTRPC();
  const channels = useQuery(trpc.admin.channels.names.queryOptions());
  const id = useId();
  const known = channels.data ?? [];
  const chosen = node.data.channel.trim().toLowerCase();
  const found = chosen === '' || known.some((c) => c.name.toLowerCase() === chosen || c.id === chosen);
  return (
    <>
      <Section title="Notify a channel">
        <TextInput
          label="Label"
          value={node.data.label}
          onChange={(label) => edit('label', (d) => ({ ...d, label }))}
        />
        <div className="insp-field">
          <label htmlFor={id}>Channel</label>
          <input
            id={id}
            list={`${id}-channels`}
            value={node.data.channel}
            maxLength={LABEL_MAX}
            placeholder="e.g. Escalations"
            onChange={(e) => {
              const channel = e.target.value;
              edit('channel', (d) => ({ ...d, channel }));
            }}
            aria-describedby={`${id}-hint`}
          />
          <datalist id={`${id}-channels`}>
            {known.map((c) => (
              <option key={c.id} value={c.name}>
                {c.kind === 'slack' ? 'Slack' : 'Microsoft Teams'}
              </option>
            ))}
          </datalist>
          <p className="insp-hint" id={`${id}-hint`}>
            {found
              ? 'A Slack or Teams channel set up in Admin → Integrations, by name.'
              : 'No channel has this name yet: until an admin adds it in Admin → Integrations, each message is logged there as failed.'}
          </p>
        </div>
        <TextArea
          label="Message"
          value={node.data.message}
          rows={4}
          onChange={(message) => edit('message', (d) => ({ ...d, message }))}
        />
      </Section>
      <Section title="Placeholders">
        <dl className="insp-placeholders">
          {PLACEHOLDERS.map(([code, meaning]) => (
            <div key={code}>
              <dt>
                <code>{code}</code>
              </dt>
              <dd>{meaning}</dd>
            </div>
          ))}
        </dl>
      </Section>
    </>
  );
}

export const notifyView: WebNodeKind<'notify'> = {
  view: NotifyView,
  inspector: NotifyInspector,
  palette: { group: 'Logic', icon: Megaphone },
  colors: { fg: '#9a3412', bg: '#ffedd5', border: '#ea580c' },
};
