import { type Branch, type DecisionNode, describeCondition } from '@stepwise/flow';
import { CornerDownRight, Plus } from 'lucide-react';
import { useBuilderState } from '../BuilderContext.ts';
import { itemId, moveItem } from '../documentOps.ts';
import { ConditionEditor } from './ConditionEditor.tsx';
import { ItemControls, Section, TextInput } from './controls.tsx';
import { adaptValue, cachedFieldCatalog } from './fieldCatalog.ts';
import { useNodeEdit } from './useNodeEdit.ts';

/**
 * A decision: ordered branches, each a condition (the first that matches wins), and the default
 * ("Otherwise") branch, always there, taken when none matches.
 */
export function DecisionInspector({ node }: { node: DecisionNode }) {
  const edit = useNodeEdit(node);
  const fields = useBuilderState((s) => cachedFieldCatalog(s.document));
  const customFields = useBuilderState((s) => s.document.fields);
  const branches = node.data.branches;
  const setBranches = (next: Branch[], field: string | null) =>
    edit(field, (d) => ({ ...d, branches: next }));
  const addBranch = () => {
    const label = `Branch ${branches.length + 1}`;
    const first = fields.find((f) => f.key === 'priority') ?? fields[0];
    const value = adaptValue(undefined, first, 'equals', true);
    setBranches(
      [
        ...branches,
        {
          id: itemId(
            label,
            branches.map((b) => b.id),
            'branch',
          ),
          label,
          condition: {
            kind: 'group',
            combinator: 'all',
            rules: [
              value === undefined
                ? { kind: 'comparison', field: first?.key ?? 'priority', operator: 'equals' }
                : { kind: 'comparison', field: first?.key ?? 'priority', operator: 'equals', value },
            ],
          },
        },
      ],
      null,
    );
  };
  return (
    <>
      <Section title="Decision">
        <TextInput
          label="Label"
          value={node.data.label}
          onChange={(label) => edit('label', (d) => ({ ...d, label }))}
          hint="The question this decision answers, e.g. “Needs manager approval?”"
        />
      </Section>
      <Section
        title="Branches"
        hint="Checked in order; the first branch whose rules match is taken."
        actions={
          <button
            type="button"
            className="btn btn-ghost btn-xs"
            onClick={addBranch}
            disabled={branches.length >= 50}
          >
            <Plus size={13} aria-hidden="true" /> Add branch
          </button>
        }
      >
        <ol className="insp-cards">
          {branches.map((branch, i) => (
            <li key={branch.id} className="insp-card" data-branch-id={branch.id}>
              <div className="insp-card-head">
                <span className="insp-card-index" aria-hidden="true">
                  {i + 1}
                </span>
                <TextInput
                  label={`Branch ${i + 1} label`}
                  hideLabel
                  value={branch.label}
                  onChange={(label) =>
                    setBranches(
                      branches.map((b) => (b.id === branch.id ? { ...b, label } : b)),
                      `branch:${branch.id}:label`,
                    )
                  }
                />
                <ItemControls
                  name={`branch “${branch.label || branch.id}”`}
                  index={i}
                  count={branches.length}
                  onMove={(by) => setBranches(moveItem(branches, i, by), null)}
                  onRemove={() =>
                    setBranches(
                      branches.filter((b) => b.id !== branch.id),
                      null,
                    )
                  }
                />
              </div>
              <ConditionEditor
                group={branch.condition}
                fields={fields}
                onChange={(condition) =>
                  setBranches(
                    branches.map((b) => (b.id === branch.id ? { ...b, condition } : b)),
                    `branch:${branch.id}:condition`,
                  )
                }
              />
              <p className="insp-hint cond-summary">
                When {describeCondition(branch.condition, customFields)}
              </p>
            </li>
          ))}
          <li className="insp-card is-default">
            <div className="insp-card-head">
              <CornerDownRight size={14} aria-hidden="true" />
              <span className="insp-card-title">Otherwise</span>
              <span className="muted">default — always there</span>
            </div>
            <p className="insp-hint">Taken when no branch matches. Connect it like any other output.</p>
          </li>
        </ol>
      </Section>
    </>
  );
}
