import { readField } from './evaluateCondition.ts';
import { fillTemplate } from './fillTemplate.ts';
import type { TicketData } from './types.ts';

/** What a macro may name besides the ticket's own fields (`{{ticket.number}}`, `{{agent.name}}`). */
export type MacroContext = { ticket: TicketData; number: number; agentName: string };

/**
 * Fills a macro (a canned reply) for one ticket: `{{subject}}`, `{{priority}}`, `{{category}}`,
 * `{{customer.name}}`, `{{customer.email}}`, `{{customer.tier}}`, any custom field by its key (the same
 * names an action node's customer message reads), plus `{{ticket.number}}`, `{{customer.firstName}}` and
 * `{{agent.name}}`. An unknown name becomes empty text.
 */
export function fillMacro(body: string, context: MacroContext): string {
  return fillTemplate(body, (name) => {
    switch (name) {
      case 'ticket.number':
        return context.number;
      case 'agent.name':
        return context.agentName;
      case 'customer.firstName':
        return context.ticket.customer.name.trim().split(/\s+/)[0] ?? '';
      default:
        return readField(context.ticket, name);
    }
  });
}

/** The placeholders the macro editor offers, in the order it lists them. */
export const MACRO_PLACEHOLDERS = [
  'customer.name',
  'customer.firstName',
  'customer.email',
  'customer.tier',
  'ticket.number',
  'subject',
  'priority',
  'category',
  'agent.name',
] as const;
