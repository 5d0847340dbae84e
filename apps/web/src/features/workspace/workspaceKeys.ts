/**
 * What the workspace's shortcuts do to the page, through the page's own controls (a row's link, the
 * reply box, an outcome button), so a key does exactly what a click would.
 */

/** The queue's rows, by their title links (the link is the row's cursor: focused, Enter opens it). */
const ROW_LINKS = 'table.queue tbody tr a.row-title';

/** Moves the focus to the next (`1`) or previous (`-1`) ticket of the queue; false when there is none. */
export function moveQueueCursor(root: ParentNode, step: 1 | -1): boolean {
  const links = [...root.querySelectorAll<HTMLAnchorElement>(ROW_LINKS)];
  if (links.length === 0) return false;
  const active = document.activeElement;
  const at = links.findIndex((link) => link === active || link.closest('tr')?.contains(active));
  const next =
    at < 0 ? (step === 1 ? 0 : links.length - 1) : Math.min(links.length - 1, Math.max(0, at + step));
  const link = links[next];
  if (!link) return false;
  link.focus();
  link.scrollIntoView?.({ block: 'nearest' });
  return true;
}

/**
 * Focuses the box for a reply to the customer, or for an internal note. A note box marks itself with
 * `data-compose="note"` (or is a mode of the message form, a radio with the value `note`); without one,
 * `N` opens the reply box.
 */
export function focusComposer(root: ParentNode, kind: 'reply' | 'note'): boolean {
  const marked = root.querySelector<HTMLElement>(`[data-compose="${kind}"]`);
  if (marked && !isDisabled(marked)) {
    marked.focus();
    return true;
  }
  const form = root.querySelector<HTMLFormElement>('.conversation form');
  if (!form) return false;
  const mode =
    form.querySelector<HTMLInputElement>(
      `input[type="radio"][value="${kind === 'note' ? 'note' : 'agent'}"]`,
    ) ??
    (kind === 'note' ? form.querySelector<HTMLInputElement>('input[type="radio"][value="agent"]') : null);
  if (mode && !mode.checked && !mode.disabled) mode.click();
  const box = form.querySelector<HTMLTextAreaElement>('textarea');
  if (!box || box.disabled) return false;
  box.focus();
  return true;
}

/** Clicks the current step's outcome button at `index` (left to right), when it exists and is enabled. */
export function pickOutcome(root: ParentNode, index: number): boolean {
  const buttons = [...root.querySelectorAll<HTMLButtonElement>('.step-card .outcome-btn')];
  const button = buttons[index];
  if (!button || button.disabled || button.getAttribute('aria-disabled') === 'true') return false;
  button.focus();
  button.click();
  return true;
}

function isDisabled(element: HTMLElement): boolean {
  return 'disabled' in element && (element as HTMLButtonElement).disabled === true;
}
