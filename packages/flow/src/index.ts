export {
  ActionNode,
  ActionOp,
  AUTOMATIC_TYPES,
  BUILTIN_FIELDS,
  Branch,
  Channel,
  CHANNELS,
  ChecklistItem,
  Comparison,
  ConditionGroup,
  ConditionValue,
  CURRENT_SCHEMA_VERSION,
  DecisionNode,
  Edge,
  END_STATUSES,
  EndNode,
  FIELD_TYPES,
  FieldDef,
  FieldKey,
  FieldType,
  FlowDocument,
  FlowNode,
  FORM_FIELD_TYPES,
  FormField,
  Id,
  isRequiredFor,
  isRequiredForAll,
  LIMITS,
  NODE_TYPES,
  NotifyNode,
  namedTeamOf,
  Note,
  Operator,
  OPERATORS,
  Outcome,
  outputsOf,
  Position,
  PRIORITIES,
  Priority,
  RESERVED_KEYS,
  type Requirement,
  requiredOutputsOf,
  SafeRecord,
  SafeString,
  ScalarValue,
  StartNode,
  StartTrigger,
  StepNode,
  SubflowNode,
  Tier,
  TIERS,
  WaitNode,
} from './schema.ts';
export { isWellFormedText } from './schemaBase.ts';
export {
  FieldRecord,
  FieldValue,
  MAX_TICKET_TEXT,
  TicketCustomer,
  TicketIntake,
  TicketText,
} from './intake.ts';
export type { NodeOf, NodeType } from './schema.ts';
export type {
  ActionChange,
  ComparisonTrace,
  Effect,
  EndStatus,
  EngineContext,
  EngineError,
  EngineErrorCode,
  EngineEvent,
  RunState,
  RunStatus,
  TicketData,
  TrailEntry,
  TransitionResult,
} from './types.ts';
export { MIGRATIONS, parseFlowDocument } from './parseFlowDocument.ts';
export type { ParseResult } from './parseFlowDocument.ts';
export { canConnect, PARSE_CODES, VALIDATION_CODES, validate } from './validate.ts';
export type {
  CanConnectResult,
  Connection,
  ParseCode,
  RuleCode,
  ValidationCode,
  ValidationIssue,
} from './validate.ts';
export { describeCondition, evaluateCondition, readField } from './evaluateCondition.ts';
export { fillMacro, MACRO_PLACEHOLDERS, type MacroContext } from './fillMacro.ts';
export { fillTemplate, placeholdersOf, templateText } from './fillTemplate.ts';
export type { ConditionResult, FieldName } from './evaluateCondition.ts';
export { describeNode, describeOutput, hasOutput, kindLabel, nameOf } from './describeNode.ts';
export { isBreachOutput, outputLabel } from './outputs.ts';
export { isNodeKind, kindOf, nodeKinds } from './nodes/registry.ts';
export type { AnyNodeKind, NodeKind } from './nodes/registry.ts';
export { defineKind } from './nodes/kind.ts';
export type {
  EntryContext,
  EntryResult,
  KindWords,
  NodeKindDef,
  NodeShape,
  OutputItem,
  OutputSpec,
} from './nodes/kind.ts';
export { enterNode, initialState, readForm, transition } from './transition.ts';
export { generateFlow } from './generateFlow.ts';
export { seededRandom } from './seededRandom.ts';
export { TEMPLATE_TEAMS, TEMPLATES } from './templates.ts';
export type { FlowTemplate } from './templates.ts';
export {
  closestTeam,
  proposeTeamChoices,
  replaceTeamIds,
  TEAM_MATCH_THRESHOLD,
  teamNameSimilarity,
  templateTeamsOf,
} from './templateTeams.ts';
export type { TeamChoice, TeamRef, TemplateTeam } from './templateTeams.ts';
export { applyDiff, describeChange, diffDocuments } from './diffDocuments.ts';
export type {
  FieldDiff,
  FlowDiff,
  ItemDiff,
  NodeDiff,
  PositionMove,
  PropertyChange,
} from './diffDocuments.ts';
export { proposeMapping, WAITING_TYPES } from './proposeMapping.ts';
export type { MappingReason, ProposedMapping } from './proposeMapping.ts';
export { planMigration } from './planMigration.ts';
export type { MigrationChanges, MigrationContext, MigrationPlan, MigrationRefusal } from './planMigration.ts';
export { inPilot } from './inPilot.ts';
export {
  describeTrigger,
  explainRoute,
  firstPublishOrder,
  hasStartFilters,
  isCatchAll,
  moveBefore,
  normalizeCategory,
  orList,
  routeMiss,
  shadowingOf,
  startTriggerOf,
  triggerMatches,
} from './routing.ts';
export type {
  RouteExplanation,
  RouteMiss,
  RoutingFilter,
  RoutingFlow,
  RoutingTicket,
  Shadowing,
} from './routing.ts';
export {
  applyTicketEdit,
  CURRENT_EVENT_SCHEMA_VERSION,
  EVENT_MIGRATIONS,
  parseStoredEvent,
  STORED_EVENT_KINDS,
  StoredEvent,
} from './storedEvent.ts';
export type {
  StoredEventError,
  StoredEventKind,
  StoredEventOf,
  StoredEventParse,
  StoredInput,
  TicketEdit,
} from './storedEvent.ts';
export { beginsRun, replay, runOf } from './replay.ts';
export type { ReplayDivergence, ReplayEvent, ReplayResult, ReplayStep } from './replay.ts';
export {
  backtest,
  backtestTicket,
  emptyBacktest,
  mergeBacktest,
  pastTicketOf,
  SAMPLE_SIZE as BACKTEST_SAMPLE_SIZE,
} from './analytics/backtest.ts';
export type {
  BacktestOutcome,
  BacktestRun,
  BacktestSample,
  BacktestSummary,
  EndingKey,
  PastTicket,
  RecordedInput,
} from './analytics/backtest.ts';
export { visitsOfMove } from './analytics/visits.ts';
export type { OpenVisit, Visit, VisitExit, VisitMove, VisitsOfMove } from './analytics/visits.ts';
