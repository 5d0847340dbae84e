import { cleanup, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { FormField } from './FormField.tsx';

afterEach(cleanup);

describe('FormField', () => {
  it('given a required field with a hint, when rendered, then the control is named by its label and described by the hint', () => {
    render(
      <FormField label="Subject" required hint="What the request is about.">
        {(p) => <input {...p} type="text" />}
      </FormField>,
    );
    const input = screen.getByRole('textbox', { name: 'Subject' });
    expect(input.getAttribute('aria-required')).toBe('true');
    expect(input.getAttribute('aria-invalid')).toBeNull();
    const described = input.getAttribute('aria-describedby') ?? '';
    expect(document.getElementById(described)?.textContent).toBe('What the request is about.');
  });

  it('given an error, when rendered, then the control is invalid and its description includes the message', () => {
    render(
      <FormField label="Email" hint="Work address." error="Enter a valid email address.">
        {(p) => <input {...p} type="email" />}
      </FormField>,
    );
    const input = screen.getByRole('textbox', { name: 'Email' });
    expect(input.getAttribute('aria-invalid')).toBe('true');
    const texts = (input.getAttribute('aria-describedby') ?? '')
      .split(' ')
      .map((id) => document.getElementById(id)?.textContent);
    expect(texts).toEqual(['Work address.', 'Enter a valid email address.']);
  });
});
