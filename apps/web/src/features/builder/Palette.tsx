import { NODE_TYPES, nodeKinds } from '@stepwise/flow';
import type { LucideIcon } from 'lucide-react';
import { StickyNote } from 'lucide-react';
import type { DragEvent } from 'react';
import { PALETTE_GROUPS } from '../../kinds/kind.ts';
import { KindStyles, webNodeKinds } from '../../kinds/registry.tsx';
import { PALETTE_MIME, type PaletteItem } from './BuilderCanvas.tsx';

type Entry = { item: PaletteItem; label: string; hint: string; icon: LucideIcon };

/** Each kind's entry in its group (kinds in registry order), then the canvas's own items. */
const GROUPS: ReadonlyArray<{ title: string; entries: Entry[] }> = [
  ...PALETTE_GROUPS.map((title) => ({
    title,
    entries: NODE_TYPES.filter((type) => webNodeKinds[type].palette.group === title).map((type) => ({
      item: type,
      label: nodeKinds[type].words.label,
      hint: nodeKinds[type].words.description,
      icon: webNodeKinds[type].palette.icon,
    })),
  })),
  {
    title: 'Canvas',
    entries: [{ item: 'note', label: 'Note', hint: 'A sticky note for the team', icon: StickyNote }],
  },
];

/**
 * The node palette: drag an item onto the canvas, or click it (Enter or Space from the keyboard) to add
 * it in the middle of the view. A button's accessible name is its visible text (label, then hint), so
 * speech users can say what they see; how to use it is its description (the title).
 */
export function Palette({ onAdd }: { onAdd: (item: PaletteItem) => void }) {
  const onDragStart = (event: DragEvent, item: PaletteItem) => {
    event.dataTransfer.setData(PALETTE_MIME, item);
    event.dataTransfer.effectAllowed = 'copy';
  };
  return (
    <nav className="palette" aria-label="Node palette">
      <KindStyles />
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
