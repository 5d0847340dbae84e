import callCentreServiceRequest from '../fixtures/call-centre-service-request.flow.json';
import complaintManagement from '../fixtures/complaint-management.flow.json';
import escalation from '../fixtures/escalation.flow.json';
import onboarding from '../fixtures/onboarding.flow.json';
import proactiveCheckIn from '../fixtures/proactive-check-in.flow.json';
import refundRequest from '../fixtures/refund-request.flow.json';
import ticketResolution from '../fixtures/ticket-resolution.flow.json';
import { FlowDocument } from './schema.ts';

/** A starting point for a new flow, drawn from real support practice. */
export type FlowTemplate = { id: string; name: string; description: string; document: FlowDocument };

/**
 * The placeholder team ids the templates use (on steps and in assign actions), each with a default
 * name. When a template is copied into an organization, the app maps each id to one of its real teams
 * (creating one with the default name if it has none).
 */
export const TEMPLATE_TEAMS: ReadonlyArray<{ id: string; name: string }> = [
  { id: 'team-billing', name: 'Billing' },
  { id: 'team-technical', name: 'Technical' },
  { id: 'team-senior', name: 'Senior support' },
  { id: 'team-success', name: 'Customer success' },
];

/**
 * The built-in templates. Their documents are the fixture flows of this package, parsed through the
 * schema (the template tests keep them valid, without errors or warnings, and drive each one from its
 * start to an end). Team ids are the placeholders of `TEMPLATE_TEAMS`.
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
  {
    id: 'escalation',
    name: 'Escalation',
    description:
      'A senior agent takes ownership of an escalated ticket, agrees one plan with the customer, has billing or technical carry it out, and closes only once the customer confirms it is fixed.',
    document: FlowDocument.parse(escalation),
  },
  {
    id: 'complaint-management',
    name: 'Complaint management',
    description:
      'Acknowledge and log a complaint, investigate it, get senior sign-off for serious cases, propose a remedy, pay it, and give a final response when the customer does not accept it.',
    document: FlowDocument.parse(complaintManagement),
  },
  {
    id: 'onboarding',
    name: 'Customer onboarding',
    description:
      'Started by hand for a new customer: welcome, kick-off call, data import and set-up, training, go-live and a 30-day value review.',
    document: FlowDocument.parse(onboarding),
  },
  {
    id: 'proactive-check-in',
    name: 'Proactive check-in',
    description:
      'Started by hand before a renewal or when usage drops: prepare, reach out by message or phone, record how the customer feels, and act on any risk or open question.',
    document: FlowDocument.parse(proactiveCheckIn),
  },
  {
    id: 'call-centre-service-request',
    name: 'Call-centre service request',
    description:
      'Answer the call within the SLA, open the account and its history, record the fault, book an engineer, notify the visit date, record the engineer’s report and close the job.',
    document: FlowDocument.parse(callCentreServiceRequest),
  },
];
