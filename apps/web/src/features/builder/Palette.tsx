import type { LucideIcon } from 'lucide-react';
import {
  CircleCheckBig,
  ClipboardCheck,
  GitBranch,
  Hourglass,
  Play,
  StickyNote,
  Workflow,
  Zap,
} from 'lucide-react';
import type { DragEvent } from 'react';
import { PALETTE_MIME, type PaletteItem } from './BuilderCanvas.tsx';

type Entry = { item: PaletteItem; label: string; hint: string; icon: LucideIcon };

const GROUPS: ReadonlyArray<{ title: string; entries: Entry[] }> = [
  {
    title: 'Flow',
    entries: [
      { item: 'start', label: 'Start', hint: 'Which tickets enter the flow', icon: Play },
      { item: 'end', label: 'End', hint: 'Close with a status, ask for feedback', icon: CircleCheckBig },
    ],
  },
  {
    title: 'Work',
    entries: [
      { item: 'step', label: 'Step', hint: 'A task for an agent, with outcomes', icon: ClipboardCheck },
      { item: 'wait', label: 'Wait', hint: 'For a reply or a duration', icon: Hourglass },
    ],
  },
  {
    title: 'Logic',
    entries: [
      { item: 'decision', label: 'Decision', hint: 'Branch on ticket fields', icon: GitBranch },
      { item: 'action', label: 'Action', hint: 'Set fields, assign, message, webhook', icon: Zap },
      { item: 'subflow', label: 'Subflow', hint: 'Run another published flow', icon: Workflow },
    ],
  },
  {
    title: 'Canvas',
    entries: [{ item: 'note', label: 'Note', hint: 'A sticky note for the team', icon: StickyNote }],
  },
];

/**
 * The node palette: drag an item onto the canvas, or click it (Enter or Space from the keyboard) to add
 * it in the middle of the view.
 */
export function Palette({ onAdd }: { onAdd: (item: PaletteItem) => void }) {
  const onDragStart = (event: DragEvent, item: PaletteItem) => {
    event.dataTransfer.setData(PALETTE_MIME, item);
    event.dataTransfer.effectAllowed = 'copy';
  };
  return (
    <nav className="palette" aria-label="Node palette">
      {GROUPS.map((group) => (
        <div key={group.title} className="palette-group">
          <p className="palette-title">{group.title}</p>
          <ul>
            {group.entries.map(({ item, label, hint, icon: Icon }) => (
              <li key={item}>
                <button
                  type="button"
                  className={`palette-item palette-${item}`}
                  draggable
                  onDragStart={(e) => onDragStart(e, item)}
                  onClick={() => onAdd(item)}
                  title={`${hint}. Drag onto the canvas, or click to add.`}
                  aria-label={`Add ${label}: ${hint}`}
                  data-palette={item}
                >
                  <span className="palette-icon">
                    <Icon size={15} aria-hidden="true" />
                  </span>
                  <span className="palette-text">
                    <span className="palette-label">{label}</span>
                    <span className="palette-hint">{hint}</span>
                  </span>
                </button>
              </li>
            ))}
          </ul>
        </div>
      ))}
    </nav>
  );
}
