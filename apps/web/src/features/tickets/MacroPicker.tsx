import { fillMacro, type TicketData } from '@stepwise/flow';
import { useQuery } from '@tanstack/react-query';
import { FileText } from 'lucide-react';
import { useId, useState } from 'react';
import { type TicketDetail, useTRPC } from '../../trpc.ts';

/** What a macro's placeholders read: the ticket as the page shows it. */
export function ticketDataOf(detail: TicketDetail): TicketData {
  const t = detail.ticket;
  return {
    channel: t.channel as TicketData['channel'],
    priority: t.priority as TicketData['priority'],
    category: t.category,
    subject: t.subject,
    customer: {
      name: t.customer.name,
      email: t.customer.email,
      tier: t.customer.tier as TicketData['customer']['tier'],
    },
    tags: t.tags,
    fields: t.fields,
  };
}

/**
 * Picks one of the organization's macros and inserts it, its `{{placeholders}}` filled from this ticket
 * and its customer, for the agent to edit before sending. Nothing shows when the organization has none.
 */
export function MacroPicker({
  detail,
  agentName,
  onInsert,
  disabled,
}: {
  detail: TicketDetail;
  agentName: string;
  onInsert: (text: string) => void;
  disabled?: boolean;
}) {
  const trpc = useTRPC();
  const id = useId();
  const macros = useQuery(trpc.macros.list.queryOptions());
  const [chosen, setChosen] = useState('');
  const list = macros.data ?? [];
  if (list.length === 0) return null;
  const insert = () => {
    const macro = list.find((m) => m.id === chosen);
    if (!macro) return;
    onInsert(
      fillMacro(macro.body, { ticket: ticketDataOf(detail), number: detail.ticket.number, agentName }),
    );
    setChosen('');
  };
  return (
    <div className="macro-picker">
      <label htmlFor={`${id}-macro`} className="sr-only">
        Macro
      </label>
      <select
        id={`${id}-macro`}
        value={chosen}
        disabled={disabled}
        onChange={(e) => setChosen(e.target.value)}
      >
        <option value="">Choose a macro…</option>
        {list.map((m) => (
          <option key={m.id} value={m.id}>
            {m.name}
          </option>
        ))}
      </select>
      <button
        type="button"
        className="btn btn-ghost btn-small"
        disabled={disabled || chosen === ''}
        onClick={insert}
      >
        <FileText size={14} aria-hidden="true" /> Insert macro
      </button>
    </div>
  );
}
