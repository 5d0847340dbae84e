import refundRequest from '../fixtures/refund-request.flow.json';
import ticketResolution from '../fixtures/ticket-resolution.flow.json';
import { FlowDocument } from './schema.ts';

/** A starting point for a new flow, drawn from real support practice. */
export type FlowTemplate = { id: string; name: string; description: string; document: FlowDocument };

/**
 * The built-in templates. Their documents are the fixture flows of this package, parsed through the
 * schema (the scenario and validator tests keep them valid, without errors or warnings). Team ids are
 * `team-billing` and `team-technical`, which the seed maps to real teams.
 */
export const TEMPLATES: FlowTemplate[] = [
  {
    id: 'ticket-resolution',
    name: 'Ticket resolution',
    description:
      'Acknowledge, triage, route billing and technical issues to the right team, resolve, send a summary and ask for feedback.',
    document: FlowDocument.parse(ticketResolution),
  },
  {
    id: 'refund-request',
    name: 'Refund request',
    description:
      'Verify eligibility, get a manager’s approval above 100, issue the refund or explain the alternatives, then follow up.',
    document: FlowDocument.parse(refundRequest),
  },
];
