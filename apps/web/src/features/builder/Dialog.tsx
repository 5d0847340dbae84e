import { X } from 'lucide-react';
import { type CSSProperties, type ReactNode, useEffect, useId, useRef } from 'react';

/** Room a placed dialog keeps from the window's right and bottom edges. */
const PLACED_ROOM = { width: 400, height: 520 };

function placedAt(at: { x: number; y: number }): CSSProperties {
  const left = Math.max(8, Math.min(at.x, window.innerWidth - PLACED_ROOM.width));
  const top = Math.max(8, Math.min(at.y, window.innerHeight - PLACED_ROOM.height));
  return { position: 'fixed', margin: 0, left, top, right: 'auto', bottom: 'auto' };
}

/**
 * A modal dialog on the native `<dialog>` element (focus trapped and restored, Escape closes, the page
 * behind is inert). Its content is mounted only while it is open.
 */
export function Dialog({
  open,
  onClose,
  title,
  children,
  footer,
  wide = false,
  role = 'dialog',
  at = null,
}: {
  open: boolean;
  onClose: () => void;
  title: ReactNode;
  children: ReactNode;
  footer?: ReactNode;
  wide?: boolean;
  /** `alertdialog` for a question the user must answer (a save conflict). */
  role?: 'dialog' | 'alertdialog';
  /** Opens with its top-left corner here (window pixels, kept on screen) instead of centred. */
  at?: { x: number; y: number } | null;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (open && !dialog.open) {
      dialog.showModal();
      // showModal focuses the first focusable element (the Close button): a dialog opened for one field
      // marks it, and typing goes there at once.
      dialog.querySelector<HTMLElement>('[data-autofocus]')?.focus();
    } else if (!open && dialog.open) dialog.close();
  }, [open]);
  return (
    <dialog
      ref={ref}
      className={wide ? 'dialog dialog-wide' : 'dialog'}
      aria-labelledby={titleId}
      role={role === 'alertdialog' ? 'alertdialog' : undefined}
      style={at ? placedAt(at) : undefined}
      onClose={() => {
        if (open) onClose();
      }}
    >
      {open && (
        <>
          <header className="dialog-head">
            <h2 id={titleId}>{title}</h2>
            <button type="button" className="icon-btn" onClick={onClose} aria-label="Close">
              <X size={16} aria-hidden="true" />
            </button>
          </header>
          <div className="dialog-body">{children}</div>
          {footer && <footer className="dialog-foot">{footer}</footer>}
        </>
      )}
    </dialog>
  );
}
