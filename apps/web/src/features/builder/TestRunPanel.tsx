import { type ActionNames, actionWords } from '../../canvas/actionWords.ts';
import {
  CHANNELS,
  type ComparisonTrace,
  type FieldDef,
  type FlowDocument,
  type FlowNode,
  PRIORITIES,
  type ScalarValue,
  type StepNode,
  TIERS,
  type TrailEntry,
} from '@stepwise/flow';
import {
  AlertTriangle,
  CircleCheck,
  CircleCheckBig,
  CircleX,
  Clock,
  FlaskConical,
  MessageSquareReply,
  Play,
  RotateCcw,
  TimerOff,
} from 'lucide-react';
import { useEffect, useId, useState } from 'react';
import { describeEndStatus, nodeTitle, outputLabel } from '../../canvas/describe.ts';
import { capitalize } from '../../ui/Badge.tsx';
import { Markdown } from '../../ui/Markdown.tsx';
import { gateHint, outcomeGates, requirementLabel } from '../../canvas/requirements.ts';
import { fieldNamer, fieldNamesOf } from '../../canvas/types.ts';
import { useBuilder } from './BuilderContext.ts';
import { OPERATOR_LABELS } from './inspector/fieldCatalog.ts';
import {
  breachSla,
  completeStep,
  currentNode,
  customerReplies,
  DEFAULT_SAMPLE,
  type RunLogItem,
  type SampleTicket,
  sampleForm,
  startRun,
  subflowCompletes,
  type TestRun,
  timeOut,
} from './testRun.ts';

const TIER_WORDS: Record<string, string> = { new: 'New', existing: 'Existing', vip: 'VIP' };

function formatValue(value: unknown): string {
  if (value === undefined || value === null || value === '') return 'nothing';
  if (Array.isArray(value)) return value.map((v) => formatValue(v)).join(', ');
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  return String(value);
}

/** One comparison a decision made, its field named by its label (the key shows on hover). */
function Comparison({ c, fieldName }: { c: ComparisonTrace; fieldName: (key: string) => string }) {
  const needsValue = c.operator !== 'is_set' && c.operator !== 'is_empty';
  const words = OPERATOR_LABELS[c.operator as keyof typeof OPERATOR_LABELS] ?? c.operator;
  return (
    <li className={c.result ? 'cmp is-true' : 'cmp is-false'}>
      {c.result ? <CircleCheck size={13} aria-label="true" /> : <CircleX size={13} aria-label="false" />}
      <span>
        <strong title={c.field}>{fieldName(c.field)}</strong> {words}
        {needsValue ? ` ${formatValue(c.expected)}` : ''}{' '}
        <span className="muted">— was {formatValue(c.actual)}</span>
      </span>
    </li>
  );
}

function TrailLine({
  entry,
  lookup,
  names,
}: {
  entry: TrailEntry;
  lookup: (id: string | null) => FlowNode | undefined;
  names: ActionNames;
}) {
  const name = (id: string | null) => {
    const node = lookup(id);
    return node ? nodeTitle(node) : (id ?? '—');
  };
  switch (entry.type) {
    case 'node_entered':
      return (
        <span>
          Entered <strong>{name(entry.nodeId)}</strong>
        </span>
      );
    case 'decision_evaluated': {
      const node = lookup(entry.nodeId);
      const label = (handle: string) => (node ? outputLabel(node, handle) : handle);
      return (
        <div>
          <span>
            Decision <strong>{name(entry.nodeId)}</strong> took <strong>{label(entry.handle)}</strong>
            {entry.branchId === null ? ' (no branch matched)' : ''}
          </span>
          {entry.tried.length > 0 && (
            <ul className="trail-branches">
              {entry.tried.map((t) => (
                <li key={t.branchId}>
                  <span className={t.matched ? 'branch-matched' : 'branch-missed'}>
                    {label(`branch:${t.branchId}`)}: {t.matched ? 'matched' : 'did not match'}
                  </span>
                  {t.comparisons.length > 0 && (
                    <ul className="cmp-list">
                      {t.comparisons.map((c, i) => (
                        // A branch's comparisons are a fixed, ordered list.
                        <Comparison key={i} c={c} fieldName={names.field} />
                      ))}
                    </ul>
                  )}
                </li>
              ))}
            </ul>
          )}
        </div>
      );
    }
    case 'step_completed': {
      const node = lookup(entry.nodeId);
      return (
        <span>
          Completed <strong>{name(entry.nodeId)}</strong> with{' '}
          <strong>{node ? outputLabel(node, `outcome:${entry.outcomeId}`) : entry.outcomeId}</strong>
        </span>
      );
    }
    case 'action_performed':
      return (
        <span>
          <strong>{name(entry.nodeId)}</strong>: {actionWords(entry, names).join('; ') || 'nothing to do'}
        </span>
      );
    case 'timer_fired':
      return (
        <span>
          Timer ({entry.kind}) fired at <strong>{name(entry.nodeId)}</strong>
        </span>
      );
    case 'sla_breached':
      return (
        <span>
          SLA breached at <strong>{name(entry.nodeId)}</strong>:{' '}
          {entry.escalatedBy === 'edge' ? 'followed “On SLA breach”' : 'priority raised, ticket stays'}
        </span>
      );
    case 'customer_replied':
      return (
        <span>
          Customer replied at <strong>{name(entry.nodeId)}</strong>
        </span>
      );
    case 'ended':
      return (
        <span>
          Ended at <strong>{name(entry.nodeId)}</strong>: {describeEndStatus(entry.status)}
        </span>
      );
    case 'parked':
      return <span className="trail-danger">Stopped: {entry.reason}</span>;
  }
}

function LogLine({
  item,
  lookup,
  names,
}: {
  item: RunLogItem;
  lookup: (id: string | null) => FlowNode | undefined;
  names: ActionNames;
}) {
  switch (item.kind) {
    case 'event':
      return <span className="run-event">{item.label}</span>;
    case 'refused':
      return <span className="trail-danger">Refused: {item.message}</span>;
    case 'trail':
      return <TrailLine entry={item.entry} lookup={lookup} names={names} />;
  }
}

function SampleField({
  def,
  value,
  onChange,
}: {
  def: FieldDef;
  value: ScalarValue | null;
  onChange: (value: ScalarValue | null) => void;
}) {
  const id = useId();
  const text = value === null ? '' : String(value);
  return (
    <div className="insp-field">
      <label htmlFor={id}>{def.label || def.key}</label>
      {def.type === 'choice' ? (
        <select
          id={id}
          value={text}
          onChange={(e) => onChange(e.target.value === '' ? null : e.target.value)}
        >
          <option value="">Not set</option>
          {(def.options ?? []).map((o) => (
            <option key={o} value={o}>
              {o}
            </option>
          ))}
        </select>
      ) : def.type === 'boolean' ? (
        <select
          id={id}
          value={value === null ? '' : value ? 'yes' : 'no'}
          onChange={(e) => onChange(e.target.value === '' ? null : e.target.value === 'yes')}
        >
          <option value="">Not set</option>
          <option value="yes">Yes</option>
          <option value="no">No</option>
        </select>
      ) : (
        <input
          id={id}
          type={
            def.type === 'number'
              ? 'number'
              : def.type === 'date'
                ? 'date'
                : def.type === 'email'
                  ? 'email'
                  : 'text'
          }
          value={text}
          onChange={(e) => {
            const raw = e.target.value;
            if (raw === '') onChange(null);
            else if (def.type === 'number') onChange(Number.isFinite(Number(raw)) ? Number(raw) : raw);
            else onChange(raw);
          }}
        />
      )}
    </div>
  );
}

function SampleForm({
  sample,
  fields,
  onChange,
  onStart,
}: {
  sample: SampleTicket;
  fields: readonly FieldDef[];
  onChange: (sample: SampleTicket) => void;
  onStart: () => void;
}) {
  const ids = { channel: useId(), priority: useId(), tier: useId(), category: useId(), subject: useId() };
  return (
    <form
      className="run-sample"
      onSubmit={(e) => {
        e.preventDefault();
        onStart();
      }}
    >
      <p className="insp-hint">
        A ticket that exists only in your browser. It runs through the draft with the same engine the server
        uses; nothing is saved or sent.
      </p>
      <div className="insp-grid">
        <div className="insp-field">
          <label htmlFor={ids.channel}>Channel</label>
          <select
            id={ids.channel}
            value={sample.channel}
            onChange={(e) => onChange({ ...sample, channel: e.target.value as SampleTicket['channel'] })}
          >
            {CHANNELS.map((c) => (
              <option key={c} value={c}>
                {capitalize(c)}
              </option>
            ))}
          </select>
        </div>
        <div className="insp-field">
          <label htmlFor={ids.priority}>Priority</label>
          <select
            id={ids.priority}
            value={sample.priority}
            onChange={(e) => onChange({ ...sample, priority: e.target.value as SampleTicket['priority'] })}
          >
            {PRIORITIES.map((p) => (
              <option key={p} value={p}>
                {capitalize(p)}
              </option>
            ))}
          </select>
        </div>
        <div className="insp-field">
          <label htmlFor={ids.tier}>Customer tier</label>
          <select
            id={ids.tier}
            value={sample.tier}
            onChange={(e) => onChange({ ...sample, tier: e.target.value as SampleTicket['tier'] })}
          >
            {TIERS.map((t) => (
              <option key={t} value={t}>
                {TIER_WORDS[t]}
              </option>
            ))}
          </select>
        </div>
        <div className="insp-field">
          <label htmlFor={ids.category}>Category</label>
          <input
            id={ids.category}
            type="text"
            value={sample.category}
            maxLength={200}
            placeholder="e.g. billing"
            onChange={(e) => onChange({ ...sample, category: e.target.value })}
          />
        </div>
      </div>
      <div className="insp-field">
        <label htmlFor={ids.subject}>Subject</label>
        <input
          id={ids.subject}
          type="text"
          value={sample.subject}
          maxLength={500}
          onChange={(e) => onChange({ ...sample, subject: e.target.value })}
        />
      </div>
      {fields.length > 0 && (
        <fieldset className="insp-group">
          <legend>Custom fields</legend>
          <div className="insp-grid">
            {fields.map((def) => (
              <SampleField
                key={def.key}
                def={def}
                value={sample.fields[def.key] ?? null}
                onChange={(value) => onChange({ ...sample, fields: { ...sample.fields, [def.key]: value } })}
              />
            ))}
          </div>
        </fieldset>
      )}
      <button type="submit" className="btn btn-primary btn-block">
        <Play size={15} aria-hidden="true" /> Start test run
      </button>
    </form>
  );
}

/** "Required", or "Required for Refund" when only some outcomes need it; nothing when none does. */
function RequiredTag({ label }: { label: string | null }) {
  return label === null ? null : <span className="required-tag">{label}</span>;
}

function StepStop({
  step,
  teams,
  onComplete,
  onBreach,
}: {
  step: StepNode;
  teams: ReadonlyMap<string, string>;
  onComplete: (outcomeId: string, form: Record<string, string>, checklist: string[]) => void;
  onBreach: () => void;
}) {
  const [form, setForm] = useState(() => sampleForm(step));
  const [ticked, setTicked] = useState<string[]>(() => step.data.checklist.map((c) => c.id));
  const idPrefix = useId();
  const gates = outcomeGates(step.data.checklist, step.data.outcomes, new Set(ticked));
  return (
    <div className="run-stop">
      <p className="eyebrow">Agent step</p>
      <h3 className="run-stop-title">{step.data.title || 'Untitled step'}</h3>
      <p className="muted run-stop-meta">
        {step.data.teamSource === 'current'
          ? 'Ticket’s current team'
          : step.data.teamId
            ? (teams.get(step.data.teamId) ?? 'Unknown team')
            : 'No team'}
        {step.data.slaMinutes !== null ? ` · SLA ${step.data.slaMinutes} min` : ''}
      </p>
      {step.data.instructions.trim() !== '' && (
        <details className="run-instructions">
          <summary>Instructions</summary>
          <Markdown source={step.data.instructions} />
        </details>
      )}
      {step.data.checklist.length > 0 && (
        <fieldset className="insp-group">
          <legend>Checklist (ticked so the run can go on)</legend>
          <ul className="run-checklist">
            {step.data.checklist.map((item) => (
              <li key={item.id}>
                <input
                  id={`${idPrefix}-c-${item.id}`}
                  type="checkbox"
                  checked={ticked.includes(item.id)}
                  onChange={(e) =>
                    setTicked(e.target.checked ? [...ticked, item.id] : ticked.filter((id) => id !== item.id))
                  }
                />
                <label htmlFor={`${idPrefix}-c-${item.id}`}>
                  {item.label}
                  <RequiredTag label={requirementLabel(item, step.data.outcomes)} />
                </label>
              </li>
            ))}
          </ul>
        </fieldset>
      )}
      {step.data.form.length > 0 && (
        <fieldset className="insp-group">
          <legend>Form (sample values)</legend>
          {step.data.form.map((field) =>
            field.type === 'boolean' ? (
              <fieldset key={field.key} className="insp-field run-yes-no">
                <legend>
                  {field.label || field.key}
                  <RequiredTag label={requirementLabel(field, step.data.outcomes)} />
                </legend>
                {(['yes', 'no'] as const).map((choice) => (
                  <label key={choice} className="run-yes-no-option">
                    <input
                      type="radio"
                      name={`${idPrefix}-f-${field.key}`}
                      checked={form[field.key] === choice}
                      onChange={() => setForm({ ...form, [field.key]: choice })}
                    />
                    {choice === 'yes' ? 'Yes' : 'No'}
                  </label>
                ))}
                <button
                  type="button"
                  className="btn btn-ghost btn-small"
                  disabled={(form[field.key] ?? '') === ''}
                  onClick={() => setForm({ ...form, [field.key]: '' })}
                >
                  Leave unanswered
                </button>
              </fieldset>
            ) : (
              <div key={field.key} className="insp-field">
                <label htmlFor={`${idPrefix}-f-${field.key}`}>
                  {field.label || field.key}
                  <RequiredTag label={requirementLabel(field, step.data.outcomes)} />
                </label>
                {field.type === 'choice' ? (
                  <select
                    id={`${idPrefix}-f-${field.key}`}
                    value={form[field.key] ?? ''}
                    onChange={(e) => setForm({ ...form, [field.key]: e.target.value })}
                  >
                    <option value="">Choose…</option>
                    {(field.options ?? []).map((o) => (
                      <option key={o} value={o}>
                        {o}
                      </option>
                    ))}
                  </select>
                ) : (
                  <input
                    id={`${idPrefix}-f-${field.key}`}
                    type={field.type === 'number' ? 'text' : field.type}
                    value={form[field.key] ?? ''}
                    onChange={(e) => setForm({ ...form, [field.key]: e.target.value })}
                  />
                )}
              </div>
            ),
          )}
        </fieldset>
      )}
      <p className="section-label">Pick the outcome</p>
      <div className="run-outcomes">
        {step.data.outcomes.map((o) => {
          const missing = gates.get(o.id);
          return (
            <button
              key={o.id}
              type="button"
              className="btn btn-primary btn-small"
              disabled={missing !== undefined}
              title={missing ? gateHint(o, missing) : undefined}
              onClick={() => onComplete(o.id, form, ticked)}
            >
              {o.label || o.id}
            </button>
          );
        })}
        <button type="button" className="btn btn-secondary btn-small" onClick={onBreach}>
          <Clock size={14} aria-hidden="true" /> SLA breach
        </button>
      </div>
    </div>
  );
}

/**
 * The test run: fill a sample ticket, then step it through the draft in the browser with the engine
 * the server runs. The path shows on the canvas; each decision says which branch matched and why;
 * steps offer their outcomes (form and checklist prefilled), waits a reply or a time-out.
 */
export function TestRunPanel({
  teams,
  onPath,
  onFocus,
  hasErrors,
}: {
  teams: ReadonlyMap<string, string>;
  onPath: (path: readonly string[]) => void;
  onFocus: (nodeId: string) => void;
  hasErrors: boolean;
}) {
  const builder = useBuilder();
  const [sample, setSample] = useState<SampleTicket>(DEFAULT_SAMPLE);
  const [run, setRun] = useState<TestRun | null>(null);
  const [fields, setFields] = useState<readonly FieldDef[]>(() => builder.document.fields);
  useEffect(() => builder.store.subscribe((s) => setFields(s.document.fields)), [builder]);

  const update = (next: TestRun) => {
    setRun(next);
    onPath(next.path);
    const at = next.state.nodeId;
    if (at) onFocus(at);
  };
  const reset = () => {
    setRun(null);
    onPath([]);
  };
  useEffect(() => () => onPath([]), [onPath]);

  if (!run) {
    return (
      <div className="run">
        <div className="run-head">
          <FlaskConical size={16} aria-hidden="true" />
          <h2>Test run</h2>
        </div>
        {hasErrors && (
          <p className="run-warning">
            <AlertTriangle size={14} aria-hidden="true" /> The flow has errors: the run may stop where they
            are.
          </p>
        )}
        <SampleForm
          sample={sample}
          fields={fields}
          onChange={setSample}
          onStart={() => update(startRun(builder.document, sample, Date.now()))}
        />
      </div>
    );
  }

  const document: FlowDocument = run.document;
  const lookup = (id: string | null) => (id === null ? undefined : document.nodes.find((n) => n.id === id));
  const fieldName = fieldNamer(fieldNamesOf(document));
  const names: ActionNames = {
    team: (id) => (typeof id === 'string' ? (teams.get(id) ?? 'an unknown team') : 'a team'),
    field: (key) => (typeof key === 'string' ? fieldName(key) : 'a field'),
  };
  const node = currentNode(run);
  const status = run.state.status;
  return (
    <div className="run">
      <div className="run-head">
        <FlaskConical size={16} aria-hidden="true" />
        <h2>Test run</h2>
        <button type="button" className="btn btn-ghost btn-small run-reset" onClick={reset}>
          <RotateCcw size={14} aria-hidden="true" /> Reset
        </button>
      </div>
      <div className="run-now" aria-live="polite">
        {status === 'at_step' && node?.type === 'step' ? (
          <StepStop
            key={`${node.id}:${run.log.length}`}
            step={node}
            teams={teams}
            onComplete={(outcomeId, form, checklist) =>
              update(completeStep(run, node, outcomeId, form, checklist, Date.now()))
            }
            onBreach={() => update(breachSla(run, node, Date.now()))}
          />
        ) : status === 'waiting' && node?.type === 'wait' ? (
          <div className="run-stop">
            <p className="eyebrow">Waiting</p>
            <h3 className="run-stop-title">{nodeTitle(node)}</h3>
            <div className="run-outcomes">
              {node.data.mode === 'reply' && (
                <button
                  type="button"
                  className="btn btn-primary btn-small"
                  onClick={() => update(customerReplies(run, Date.now()))}
                >
                  <MessageSquareReply size={14} aria-hidden="true" /> Customer replies
                </button>
              )}
              {(node.data.mode === 'duration' || node.data.minutes !== null) && (
                <button
                  type="button"
                  className="btn btn-secondary btn-small"
                  onClick={() => update(timeOut(run, node, Date.now()))}
                >
                  <TimerOff size={14} aria-hidden="true" />{' '}
                  {node.data.mode === 'duration' ? 'Time passes' : 'Time out'}
                </button>
              )}
            </div>
          </div>
        ) : status === 'in_subflow' && node ? (
          <div className="run-stop">
            <p className="eyebrow">In a subflow</p>
            <h3 className="run-stop-title">{nodeTitle(node)}</h3>
            <button
              type="button"
              className="btn btn-primary btn-small"
              onClick={() => update(subflowCompletes(run, Date.now()))}
            >
              Subflow finishes
            </button>
          </div>
        ) : status === 'ended' ? (
          <div className="run-stop run-ended">
            <CircleCheckBig size={18} aria-hidden="true" />
            <div>
              <p className="eyebrow">Ended</p>
              <h3 className="run-stop-title">{describeEndStatus(run.state.endStatus ?? 'resolved')}</h3>
              {node?.type === 'end' && node.data.feedback && (
                <p className="muted">The customer is asked for feedback.</p>
              )}
            </div>
          </div>
        ) : (
          <div className="run-stop run-parked">
            <AlertTriangle size={18} aria-hidden="true" />
            <div>
              <p className="eyebrow">Stopped</p>
              <p>The ticket cannot go on from {node ? nodeTitle(node) : 'here'}: see the log below.</p>
            </div>
          </div>
        )}
      </div>
      <h3 className="section-label">What happened</h3>
      <ul className="run-log">
        {run.log.map((item, i) => (
          // The log only grows: an item's position is its identity.
          <li key={i} className={`run-log-${item.kind}`}>
            <LogLine item={item} lookup={lookup} names={names} />
          </li>
        ))}
      </ul>
    </div>
  );
}
