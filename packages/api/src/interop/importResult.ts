import {
  type FlowDocument,
  LIMITS,
  parseFlowDocument,
  TEAM_MATCH_THRESHOLD,
  type TeamRef,
  teamNameSimilarity,
} from '@stepwise/flow';

/** The largest file an import reads: the API's request bound. */
export const MAX_IMPORT_BYTES = 1024 * 1024;

/**
 * One line of an import report: something in the file that did not map onto Stepwise (`unmapped`: it
 * was left out) or that mapped but needs a person's look (`review`: a condition Stepwise cannot read,
 * a lane that matches no team). `element` is the file's own id for it, `nodeId` the node it concerns.
 */
export type ImportNote = {
  severity: 'unmapped' | 'review';
  element: string;
  message: string;
  nodeId?: string;
};

export type ImportProblem = { code: string; message: string };

export type ImportOutcome =
  | {
      ok: true;
      document: FlowDocument;
      /** The diagram's own name (the BPMN process, the draw.io page), when it has one. */
      name: string | null;
      report: ImportNote[];
      /** What was read, for the report's summary. */
      counts: { nodes: number; edges: number; notes: number };
    }
  | { ok: false; problems: ImportProblem[] };

export function refuse(code: string, message: string): ImportOutcome {
  return { ok: false, problems: [{ code, message }] };
}

/** The size check every importer starts with (bytes, as the request limit counts them). */
export function tooLarge(text: string): ImportOutcome | null {
  if (text.length > MAX_IMPORT_BYTES || new TextEncoder().encode(text).length > MAX_IMPORT_BYTES) {
    return refuse('TOO_LARGE', 'The file is larger than 1 MiB, the most a flow can be.');
  }
  return null;
}

export function tooManyNodes(count: number): ImportOutcome {
  return refuse(
    'TOO_MANY_NODES',
    `The diagram has ${count} elements that would become nodes; a flow has at most ${LIMITS.maxNodes}. Split it into smaller flows (a Subflow node runs one from another).`,
  );
}

const LONE_SURROGATES = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** A text from a file as a document can store it: no NUL, no broken characters, at most `max` long. */
export function cleanText(text: string, max: number): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: NUL is what is removed
  const clean = text.replace(/\u0000/g, '').replace(LONE_SURROGATES, '\uFFFD');
  if (clean.length <= max) return clean;
  // Never cut a surrogate pair in half.
  const cut = /[\uD800-\uDBFF]/.test(clean[max - 1] ?? '') ? max - 1 : max;
  return clean.slice(0, cut);
}

const ID_CHARS = /[^A-Za-z0-9_.:-]/g;
const RESERVED = new Set(['__proto__', 'constructor', 'prototype']);

/** Makes unique Stepwise ids from a file's ids (which may be long or hold other characters). */
export function idAllocator(): (wanted: string | undefined, fallback: string) => string {
  const used = new Set<string>();
  return (wanted, fallback) => {
    let base = (wanted ?? '').replace(ID_CHARS, '_').slice(0, 56);
    if (base === '' || RESERVED.has(base)) base = fallback;
    let candidate = base;
    for (let n = 2; used.has(candidate); n++) candidate = `${base}_${n}`;
    used.add(candidate);
    return candidate;
  };
}

/** A slug for an outcome or branch id from its label ("Not eligible" → `not_eligible`). */
export function slugOf(label: string, fallback: string): string {
  const slug = label
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .slice(0, 40);
  return slug === '' || RESERVED.has(slug) ? fallback : slug;
}

/** The organization's team a lane or swimlane names, when one is alike enough. */
export function teamForLane(lane: string, teams: readonly TeamRef[]): TeamRef | null {
  let best: TeamRef | null = null;
  let bestScore = 0;
  for (const team of teams) {
    const score = teamNameSimilarity(lane, team.name);
    if (score > bestScore) {
      best = team;
      bestScore = score;
    }
  }
  return bestScore >= TEAM_MATCH_THRESHOLD ? best : null;
}

/**
 * The last check every importer ends with: the document must be one the API accepts (the same parse
 * `flows.create` runs). A failure here is reported as a problem; nothing is returned half-made.
 */
export function finish(document: FlowDocument, name: string | null, report: ImportNote[]): ImportOutcome {
  if (document.nodes.length > LIMITS.maxNodes) return tooManyNodes(document.nodes.length);
  const parsed = parseFlowDocument(document);
  if (!parsed.ok) {
    return {
      ok: false,
      problems: parsed.issues.slice(0, 20).map((i) => ({ code: i.code, message: i.message })),
    };
  }
  return {
    ok: true,
    document: parsed.document,
    name,
    report,
    counts: {
      nodes: parsed.document.nodes.length,
      edges: parsed.document.edges.length,
      notes: parsed.document.notes.length,
    },
  };
}
