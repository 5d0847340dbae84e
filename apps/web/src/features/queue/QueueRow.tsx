import type { Ref } from 'react';
import { Link } from 'react-router';
import { Badge, capitalize, PriorityBadge } from '../../ui/Badge.tsx';
import { SlaClock } from '../../ui/SlaClock.tsx';
import { formatDateTime, formatSla } from '../../ui/time.ts';
import type { TicketListRow } from '../../trpc.ts';
import { SelectAllCell, SelectCell } from './SelectCell.tsx';
import type { RowSelection } from './useRowSelection.ts';

/** The header cells that go with `QueueRow` (one per cell it renders, in order). */
export function QueueHeaderCells({ selection }: { selection?: RowSelection }) {
  return (
    <>
      {selection && <SelectAllCell selection={selection} />}
      <th scope="col">Ticket</th>
      <th scope="col">Current step</th>
      <th scope="col">Priority</th>
      <th scope="col">Team</th>
      <th scope="col">Assignee</th>
      <th scope="col">SLA</th>
    </>
  );
}

/** One ticket of the queue: its subject and customer, step, priority, team, assignee and SLA clock. */
export function QueueRow({
  ticket: t,
  now,
  flashing,
  index,
  rowRef,
  selection,
}: {
  ticket: TicketListRow;
  /** The rows chosen for a bulk action (a checkbox cell first when given). */
  selection?: RowSelection;
  now: number;
  /** Changed a moment ago (highlighted). */
  flashing: boolean;
  /** Its place in the whole list (the virtualised table measures rows by it). */
  index: number;
  rowRef?: Ref<HTMLTableRowElement>;
}) {
  const overdue = formatSla(t.slaDueAt, now, t.breached).tone === 'overdue';
  const className = [overdue ? 'is-overdue' : '', flashing ? 'is-updated' : ''].filter(Boolean).join(' ');
  return (
    <tr ref={rowRef} data-index={index} className={className || undefined} data-ticket-id={t.id}>
      {selection && <SelectCell selection={selection} id={t.id} label={`Select ticket #${t.number}`} />}
      <td>
        <Link to={`/tickets/${t.id}`} className="row-title">
          <span className="ticket-number">#{t.number}</span> {t.subject}
        </Link>
        <div className="row-sub">
          {t.customerName} · {capitalize(t.channel)}
          {flashing && <span className="updated-tag">Updated</span>}
        </div>
      </td>
      <td>
        <div className="step-cell">
          {t.stepTitle ?? <span className="muted">{statusWords(t.status)}</span>}
        </div>
        {t.flowName && (
          <div className="row-sub">
            {t.flowName}
            {t.versionNumber !== null ? ` v${t.versionNumber}` : ''}
          </div>
        )}
      </td>
      <td>
        <PriorityBadge priority={t.priority} />
      </td>
      <td>{t.teamName ?? <span className="muted">—</span>}</td>
      <td>{t.assigneeName ?? <span className="muted">Unassigned</span>}</td>
      <td>
        <div className="sla-cell">
          {/* A breached ticket shows how late it is (when its due time has passed here too) and the badge. */}
          {(!t.breached || formatSla(t.slaDueAt, now).tone === 'overdue') && (
            <SlaClock dueAt={t.slaDueAt} breached={t.breached} now={now} />
          )}
          {(t.breached || t.slaBreachedAt !== null) && (
            <Badge
              tone="danger"
              title={
                t.slaBreachedAt !== null
                  ? `SLA first breached ${formatDateTime(t.slaBreachedAt)}`
                  : 'SLA breached'
              }
            >
              Breached
            </Badge>
          )}
        </div>
      </td>
    </tr>
  );
}

function statusWords(status: string): string {
  switch (status) {
    case 'waiting':
      return 'Waiting';
    case 'in_subflow':
      return 'In a subflow';
    case 'parked':
      return 'Needs attention';
    case 'ended':
      return 'Closed';
    case 'unrouted':
      return 'Unrouted';
    default:
      return '—';
  }
}
