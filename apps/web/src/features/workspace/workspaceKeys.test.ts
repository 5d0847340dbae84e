import { afterEach, describe, expect, it, vi } from 'vitest';
import { focusComposer, moveQueueCursor, pickOutcome } from './workspaceKeys.ts';

afterEach(() => {
  document.body.innerHTML = '';
});

function queue(count: number) {
  document.body.innerHTML = `<main id="main"><table class="queue"><tbody>${Array.from(
    { length: count },
    (_, i) => `<tr><td><a class="row-title" href="/tickets/${i}">#${i}</a></td></tr>`,
  ).join('')}</tbody></table></main>`;
  return [...document.querySelectorAll('a')];
}

describe('moveQueueCursor', () => {
  it('given no row focused, when J or K, then the first or the last row takes the focus', () => {
    const links = queue(3);
    expect(moveQueueCursor(document, 1)).toBe(true);
    expect(document.activeElement).toBe(links[0]);
    (document.activeElement as HTMLElement).blur();
    moveQueueCursor(document, -1);
    expect(document.activeElement).toBe(links[2]);
  });

  it('given a focused row, when J past the last or K past the first, then the focus stays at the end', () => {
    const links = queue(2);
    links[1]?.focus();
    moveQueueCursor(document, 1);
    expect(document.activeElement).toBe(links[1]);
    moveQueueCursor(document, -1);
    moveQueueCursor(document, -1);
    expect(document.activeElement).toBe(links[0]);
  });

  it('given an empty queue, when J, then nothing is handled', () => {
    queue(0);
    expect(moveQueueCursor(document, 1)).toBe(false);
  });
});

describe('focusComposer', () => {
  const form = (extra = '') => {
    document.body.innerHTML = `<section class="conversation"><form>
      <input type="radio" name="m" value="agent" checked><input type="radio" name="m" value="customer">${extra}
      <textarea></textarea></form></section>`;
  };

  it('given no note box, when N, then the reply box takes the focus', () => {
    form();
    expect(focusComposer(document, 'note')).toBe(true);
    expect(document.activeElement).toBe(document.querySelector('textarea'));
  });

  it('given the form set to log a customer reply, when R, then it switches to a reply to the customer', () => {
    form();
    (document.querySelector('input[value="customer"]') as HTMLInputElement).click();
    focusComposer(document, 'reply');
    expect((document.querySelector('input[value="agent"]') as HTMLInputElement).checked).toBe(true);
    expect(document.activeElement?.tagName).toBe('TEXTAREA');
  });

  it('given a note mode in the form or a marked note box, when N, then that is what opens', () => {
    form('<input type="radio" name="m" value="note">');
    focusComposer(document, 'note');
    expect((document.querySelector('input[value="note"]') as HTMLInputElement).checked).toBe(true);
    document.body.insertAdjacentHTML('beforeend', '<textarea data-compose="note" id="note"></textarea>');
    focusComposer(document, 'note');
    expect(document.activeElement?.id).toBe('note');
  });

  it('given no message form, when R, then nothing is handled', () => {
    expect(focusComposer(document, 'reply')).toBe(false);
  });
});

describe('pickOutcome', () => {
  it('given outcome buttons, when a digit names one, then an enabled one is clicked and a gated or missing one is not', () => {
    document.body.innerHTML = `<section class="step-card"><div class="outcomes">
      <button class="outcome-btn" id="a"></button><button class="outcome-btn" id="b" disabled></button></div></section>`;
    const clicked = vi.fn();
    document.getElementById('a')?.addEventListener('click', clicked);
    expect(pickOutcome(document, 0)).toBe(true);
    expect(clicked).toHaveBeenCalledOnce();
    expect(pickOutcome(document, 1)).toBe(false);
    expect(pickOutcome(document, 2)).toBe(false);
  });
});
