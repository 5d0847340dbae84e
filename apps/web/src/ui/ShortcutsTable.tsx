import { type ShortcutPage, shortcutsOf } from './shortcuts.ts';

const isMac = typeof navigator !== 'undefined' && /Mac|iPhone|iPad/.test(navigator.platform);

/** A page's keyboard shortcuts from the app's registry, as a two-column table (keys, what they do). */
export function ShortcutsTable({ page }: { page: ShortcutPage }) {
  return (
    <>
      <table className="shortcuts">
        <tbody>
          {shortcutsOf(page).map((s) => (
            <tr key={s.action}>
              <td>
                {s.keys.map((k, i) => (
                  <span key={k}>
                    {i > 0 && ' + '}
                    <kbd>{k === 'Mod' ? (isMac ? '⌘' : 'Ctrl') : k}</kbd>
                  </span>
                ))}
              </td>
              <td>{s.action}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p className="muted">Shortcuts pause while you type in a field.</p>
    </>
  );
}
