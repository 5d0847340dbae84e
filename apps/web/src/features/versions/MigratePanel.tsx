import { type FlowDocument, WAITING_TYPES } from '@stepwise/flow';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { ArrowRightLeft } from 'lucide-react';
import { useMemo, useState } from 'react';
import { toast } from 'sonner';
import { errorMessage, type VersionSummary, useTRPC } from '../../trpc.ts';
import { Badge } from '../../ui/Badge.tsx';
import { ErrorState, Loading } from '../../ui/States.tsx';
import { formatDateTime } from '../../ui/time.ts';
import { nodeName } from './diffView.ts';
import type { Comparison, MigrationPreview, MigrationResult } from './types.ts';

const REASON_TEXT = {
  'same-id': 'Same node',
  'same-title': 'Same title',
  none: 'No match found',
} as const;

function slaText(minutes: number | null | undefined): string {
  return minutes === null || minutes === undefined ? 'no SLA' : `${minutes} min`;
}

/**
 * When the ticket is due on the new version, in words: the SLA keeps counting from when the ticket
 * entered its step, so a ticket can be overdue the moment it moves.
 */
function dueText(t: MigrationPreview['tickets'][number]): { text: string; overdue: boolean } {
  if (!t.ok) return { text: '—', overdue: false };
  if (t.slaDueAt === null) return { text: 'No SLA', overdue: false };
  const since = t.enteredAt ? ` (at its step since ${formatDateTime(t.enteredAt)})` : '';
  return t.overdue
    ? { text: `Already overdue: was due ${formatDateTime(t.slaDueAt)}${since}`, overdue: true }
    : { text: `Due ${formatDateTime(t.slaDueAt)}${since}`, overdue: false };
}

/** "Migrate live tickets" from an older version to a newer one: mapping, per-ticket preview, apply. */
export function MigratePanel({
  flowId,
  from,
  to,
  comparison,
}: {
  flowId: string;
  from: VersionSummary;
  to: VersionSummary;
  comparison: Comparison;
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const teams = useQuery(trpc.teams.list.queryOptions());
  const [overrides, setOverrides] = useState<Record<string, string | null>>({});
  const [unchecked, setUnchecked] = useState<ReadonlySet<string>>(new Set());
  const [result, setResult] = useState<MigrationResult | null>(null);
  const input = { flowId, fromVersionId: from.id, toVersionId: to.id, mapping: overrides };
  const preview = useQuery(trpc.versions.previewMigration.queryOptions(input));
  const apply = useMutation(
    trpc.versions.applyMigration.mutationOptions({
      onSuccess: (r) => {
        setResult(r);
        setUnchecked(new Set());
        toast.success(
          `Moved ${r.moved.length} ${r.moved.length === 1 ? 'ticket' : 'tickets'} to v${to.number}`,
        );
        void queryClient.invalidateQueries({ queryKey: trpc.versions.pathKey() });
      },
      onError: (error) => toast.error(errorMessage(error)),
    }),
  );
  const teamName = useMemo(() => new Map((teams.data ?? []).map((t) => [t.id, t.name])), [teams.data]);
  const fromDoc = comparison.from.versionId === from.id ? comparison.from.document : null;
  const toDoc = comparison.to.versionId === to.id ? comparison.to.document : null;
  if (!fromDoc || !toDoc) return null;

  return (
    <section className="panel migrate-panel" aria-labelledby="migrate-title">
      <div className="panel-head">
        <h2 id="migrate-title">
          <ArrowRightLeft size={16} aria-hidden="true" /> Migrate live tickets from v{from.number} to v
          {to.number}
        </h2>
        <span className="muted">Tickets stay on the version they started on unless you move them here.</span>
      </div>
      {preview.isPending ? (
        <Loading label="Planning the migration…" />
      ) : preview.isError ? (
        <ErrorState error={preview.error} onRetry={() => void preview.refetch()} />
      ) : (
        <MigrateBody
          preview={preview.data}
          fromDoc={fromDoc}
          toDoc={toDoc}
          toNumber={to.number}
          fromNumber={from.number}
          teamName={teamName}
          unchecked={unchecked}
          onToggle={(id) =>
            setUnchecked((prev) => {
              const next = new Set(prev);
              if (next.has(id)) next.delete(id);
              else next.add(id);
              return next;
            })
          }
          onMap={(nodeId, target) => {
            setResult(null);
            setOverrides((prev) => ({ ...prev, [nodeId]: target }));
          }}
          applying={apply.isPending}
          onApply={(ids) =>
            apply.mutate({
              ...input,
              ticketIds: ids,
              expected: Object.fromEntries(
                preview.data.tickets.filter((t) => ids.includes(t.ticketId)).map((t) => [t.ticketId, t.seq]),
              ),
            })
          }
        />
      )}
      {result && <ResultSummary result={result} />}
    </section>
  );
}

function MigrateBody({
  preview,
  fromDoc,
  toDoc,
  fromNumber,
  toNumber,
  teamName,
  unchecked,
  onToggle,
  onMap,
  applying,
  onApply,
}: {
  preview: MigrationPreview;
  fromDoc: FlowDocument;
  toDoc: FlowDocument;
  fromNumber: number;
  toNumber: number;
  teamName: ReadonlyMap<string, string>;
  unchecked: ReadonlySet<string>;
  onToggle: (ticketId: string) => void;
  onMap: (nodeId: string, target: string | null) => void;
  applying: boolean;
  onApply: (ticketIds: string[]) => void;
}) {
  const fromNodes = new Map(fromDoc.nodes.map((n) => [n.id, n]));
  const toNodes = new Map(toDoc.nodes.map((n) => [n.id, n]));
  const targets = toDoc.nodes.filter((n) => WAITING_TYPES.has(n.type));
  const chosen = preview.tickets.filter((t) => t.ok && !unchecked.has(t.ticketId)).map((t) => t.ticketId);
  const team = (id: string | null) => (id === null ? 'no team' : (teamName.get(id) ?? 'another team'));
  const mappingRows = Object.entries(preview.mapping);

  return (
    <div className="migrate-body">
      <h3>Where tickets land</h3>
      {mappingRows.length === 0 ? (
        <p className="muted">v{fromNumber} has no step, wait or subflow where tickets can sit.</p>
      ) : (
        <div className="table-wrap">
          <table className="table">
            <thead>
              <tr>
                <th scope="col">In v{fromNumber}</th>
                <th scope="col">Goes to in v{toNumber}</th>
                <th scope="col">Proposed because</th>
              </tr>
            </thead>
            <tbody>
              {mappingRows.map(([nodeId, target]) => (
                <tr key={nodeId}>
                  <td>{nodeName(fromNodes.get(nodeId), nodeId)}</td>
                  <td>
                    <select
                      aria-label={`Target for ${nodeName(fromNodes.get(nodeId), nodeId)}`}
                      value={target ?? ''}
                      onChange={(e) => onMap(nodeId, e.target.value === '' ? null : e.target.value)}
                    >
                      <option value="">Leave on v{fromNumber}</option>
                      {targets.map((n) => (
                        <option key={n.id} value={n.id}>
                          {nodeName(n, n.id)}
                        </option>
                      ))}
                    </select>
                  </td>
                  <td className="muted">{REASON_TEXT[preview.proposed.reasons[nodeId] ?? 'none']}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <h3>Live tickets on v{fromNumber}</h3>
      {preview.tickets.length === 0 ? (
        <p className="muted">No live tickets run on v{fromNumber}.</p>
      ) : (
        <div className="table-wrap">
          <table className="table migrate-tickets">
            <thead>
              <tr>
                <th scope="col">
                  <span className="sr-only">Move</span>
                </th>
                <th scope="col">Ticket</th>
                <th scope="col">Now at</th>
                <th scope="col">Lands at</th>
                <th scope="col">Team</th>
                <th scope="col">SLA</th>
                <th scope="col">Due on v{toNumber}</th>
              </tr>
            </thead>
            <tbody>
              {preview.tickets.map((t) => (
                <tr key={t.ticketId} className={t.ok ? '' : 'is-disabled'}>
                  <td>
                    <input
                      type="checkbox"
                      aria-label={`Move ticket #${t.number}`}
                      disabled={!t.ok}
                      checked={t.ok && !unchecked.has(t.ticketId)}
                      onChange={() => onToggle(t.ticketId)}
                    />
                  </td>
                  <td>
                    <span className="mono">#{t.number}</span> {t.subject}
                  </td>
                  <td>{t.fromNode === null ? '—' : nodeName(fromNodes.get(t.fromNode), t.fromNode)}</td>
                  <td>
                    {t.ok && t.toNode !== null ? (
                      nodeName(toNodes.get(t.toNode), t.toNode)
                    ) : (
                      <span className="migrate-refused">
                        <Badge tone="warning">Cannot be mapped</Badge>{' '}
                        <span className="muted">{t.reason}</span>
                      </span>
                    )}
                  </td>
                  <td>
                    {t.changes.team ? (
                      `${team(t.changes.team.from)} → ${team(t.changes.team.to)}`
                    ) : (
                      <span className="muted">unchanged</span>
                    )}
                  </td>
                  <td>
                    {t.changes.sla ? (
                      `${slaText(t.changes.sla.fromMinutes)} → ${slaText(t.changes.sla.toMinutes)}`
                    ) : (
                      <span className="muted">unchanged</span>
                    )}
                  </td>
                  <td className={dueText(t).overdue ? 'migrate-due is-overdue' : 'migrate-due'}>
                    {dueText(t).text}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <div className="migrate-actions">
        <button
          type="button"
          className="btn btn-primary"
          disabled={chosen.length === 0 || applying}
          onClick={() => onApply(chosen)}
        >
          {applying
            ? 'Moving…'
            : `Move ${chosen.length} ${chosen.length === 1 ? 'ticket' : 'tickets'} to v${toNumber}`}
        </button>
      </div>
    </div>
  );
}

const SKIP_TEXT = {
  moved: 'it moved since the preview',
  not_found: 'it is no longer on this version',
} as const;

function ResultSummary({ result }: { result: MigrationResult }) {
  return (
    <output className="migrate-result" aria-live="polite">
      <strong>
        Moved {result.moved.length} {result.moved.length === 1 ? 'ticket' : 'tickets'}
      </strong>
      {result.skipped.length > 0 && (
        <span>
          , skipped {result.skipped.length}:{' '}
          {result.skipped
            .map((s) => SKIP_TEXT[s.reason])
            .filter((r, i, all) => all.indexOf(r) === i)
            .join('; ')}
        </span>
      )}
      {result.unmappable.length > 0 && (
        <span>, {result.unmappable.length} left on their version (cannot be mapped)</span>
      )}
      .
    </output>
  );
}
