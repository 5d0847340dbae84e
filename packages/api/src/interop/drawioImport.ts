import { inflateRawSync } from 'node:zlib';
import {
  type Branch,
  CURRENT_SCHEMA_VERSION,
  type Edge,
  type FlowNode,
  LIMITS,
  type Note,
  type NodeType,
  nodeKinds,
  type Outcome,
  type TeamRef,
} from '@stepwise/flow';
import { parseConditionExpression } from './conditionExpression.ts';
import {
  cleanText,
  finish,
  idAllocator,
  type ImportNote,
  type ImportOutcome,
  refuse,
  slugOf,
  teamForLane,
  tooLarge,
  tooManyNodes,
} from './importResult.ts';
import { findElement, parseXml, type XmlElement, XmlError } from './xmlTree.ts';

/** draw.io units to canvas units: a draw.io box is about 120 wide, a Stepwise node 200. */
const DRAWIO_SCALE = 2;
/** The most an inflated page may grow to (a compressed bomb stops here). */
const MAX_INFLATED = 4 * 1024 * 1024;
const NEVER: Branch['condition'] = { kind: 'group', combinator: 'any', rules: [] };
const DEFAULT_LABEL = /^(else|otherwise|default|other|anything else)$/i;

type Cell = {
  id: string;
  value: string;
  style: Record<string, string>;
  vertex: boolean;
  edge: boolean;
  parent: string | undefined;
  source: string | undefined;
  target: string | undefined;
  geometry: { x: number; y: number; width: number; height: number } | undefined;
};

function parseStyle(style: string | undefined): Record<string, string> {
  const result: Record<string, string> = Object.create(null);
  for (const part of (style ?? '').split(';')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    if (eq === -1) result[part] = '1';
    else result[part.slice(0, eq)] = part.slice(eq + 1);
  }
  return result;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ' };

/** A label as text: draw.io labels are HTML when the style says `html=1` (line breaks, bold, divs). */
function labelText(value: string): string {
  return value
    .replace(/<br\s*\/?>|<\/(div|p|li)>/gi, '\n')
    .replace(/<[^>]*>/g, '')
    .replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, code: string) => {
      if (code.startsWith('#x') || code.startsWith('#X'))
        return String.fromCodePoint(Math.min(Number.parseInt(code.slice(2), 16) || 0xfffd, 0x10ffff));
      if (code.startsWith('#'))
        return String.fromCodePoint(Math.min(Number(code.slice(1)) || 0xfffd, 0x10ffff));
      return ENTITIES[code.toLowerCase()] ?? whole;
    })
    .split('\n')
    .map((line) => line.replace(/\s+/g, ' ').trim())
    .filter((line) => line !== '')
    .join('\n');
}

function num(value: string | undefined): number {
  const n = Number(value ?? 0);
  return Number.isFinite(n) && Math.abs(n) < 1e7 ? n : 0;
}

function cellsOf(model: XmlElement): Cell[] {
  const root = findElement(model, 'root');
  if (!root) return [];
  const cells: Cell[] = [];
  for (const child of root.children) {
    // A cell with properties is wrapped: <object label="…" id="…"><mxCell …/></object>.
    const wrapped = child.name === 'object' || child.name === 'UserObject';
    const cell = wrapped
      ? child.children.find((c) => c.name === 'mxCell')
      : child.name === 'mxCell'
        ? child
        : undefined;
    if (!cell) continue;
    const id = (wrapped ? child.attrs.id : cell.attrs.id) ?? '';
    const value = (wrapped ? child.attrs.label : cell.attrs.value) ?? '';
    const geometryElement = cell.children.find((c) => c.name === 'mxGeometry');
    cells.push({
      id,
      value,
      style: parseStyle(cell.attrs.style),
      vertex: cell.attrs.vertex === '1',
      edge: cell.attrs.edge === '1',
      parent: cell.attrs.parent,
      source: cell.attrs.source,
      target: cell.attrs.target,
      geometry:
        geometryElement && geometryElement.attrs.relative !== '1'
          ? {
              x: num(geometryElement.attrs.x),
              y: num(geometryElement.attrs.y),
              width: num(geometryElement.attrs.width),
              height: num(geometryElement.attrs.height),
            }
          : undefined,
    });
  }
  return cells;
}

/** A page's graph: inline `<mxGraphModel>`, or the compressed form (base64 of raw deflate of the URI-encoded XML). */
function modelOfDiagram(diagram: XmlElement): XmlElement | null {
  const inline = findElement(diagram, 'mxGraphModel');
  if (inline) return inline;
  const text = diagram.text.trim();
  if (text === '') return null;
  let xml: string;
  try {
    const inflated = inflateRawSync(Buffer.from(text, 'base64'), { maxOutputLength: MAX_INFLATED });
    xml = decodeURIComponent(inflated.toString('utf8'));
  } catch {
    throw new XmlError('a page is compressed but does not inflate (it is not a draw.io page)');
  }
  return findElement(parseXml(xml), 'mxGraphModel') ?? null;
}

type Shape = 'start_or_end' | 'decision' | 'step' | 'subflow' | 'wait' | 'note' | 'lane' | 'container' | null;

/** What a vertex is, by its style. */
function shapeOf(style: Record<string, string>): Shape {
  const shape = style.shape ?? '';
  const has = (key: string) => key in style;
  if (has('swimlane') || shape === 'swimlane' || shape === 'table' || shape.includes('pool')) return 'lane';
  if (has('group')) return 'container';
  if (
    has('text') ||
    has('edgeLabel') ||
    shape === 'note' ||
    has('note') ||
    shape.endsWith('.note') ||
    shape.includes('annotation')
  )
    return 'note';
  if (has('rhombus') || shape === 'rhombus' || shape.endsWith('.decision')) return 'decision';
  if (
    has('ellipse') ||
    shape === 'ellipse' ||
    shape.endsWith('.terminator') ||
    shape.includes('start_') ||
    shape === 'mxgraph.flowchart.on-page_reference' ||
    shape.endsWith('.end') ||
    shape.includes('doubleEllipse')
  )
    return 'start_or_end';
  if (shape === 'process' || shape.endsWith('.predefined_process')) return 'subflow';
  if (shape.endsWith('.delay') || shape.includes('timer')) return 'wait';
  if (shape === '' || shape === 'rect' || shape === 'rectangle' || shape.endsWith('.process')) return 'step';
  return null;
}

/**
 * Reads a draw.io diagram (`.drawio` / mxGraph XML, plain or compressed) into a flow document and an
 * import report. Shapes map by style: rhombus → Decision; ellipse or terminator → Start (nothing comes
 * in) or End; rectangle or process → Step; predefined process (double bars) → Subflow; delay → Wait;
 * text and note shapes → notes; swimlanes → the team of the steps inside them (by name). Connectors
 * become connections: labels on a decision's connectors become branch names (a label Stepwise can read
 * as a condition, like `amount > 100`, becomes the condition; "else" or "otherwise" the default), and
 * on a step's connectors its outcomes. Positions are kept. Never throws on any input.
 */
export function importDrawio(text: string, options: { teams?: readonly TeamRef[] } = {}): ImportOutcome {
  const large = tooLarge(text);
  if (large) return large;
  try {
    return readDrawio(text, options.teams ?? []);
  } catch (error) {
    if (error instanceof XmlError || error instanceof URIError || error instanceof RangeError)
      return refuse('NOT_DRAWIO', `The file could not be read as a draw.io diagram (${error.message}).`);
    const reason = error instanceof Error ? error.message : 'unexpected content';
    return refuse('NOT_DRAWIO', `The draw.io file could not be mapped (${reason}).`);
  }
}

function readDrawio(text: string, teams: readonly TeamRef[]): ImportOutcome {
  const tree = parseXml(text);
  const top = tree.children[0];
  if (!top || (top.name !== 'mxfile' && top.name !== 'mxGraphModel')) {
    return refuse(
      'NOT_DRAWIO',
      'The file is not a draw.io diagram: it has no <mxfile> or <mxGraphModel>. Save it from draw.io as .drawio or .xml.',
    );
  }
  const report: ImportNote[] = [];
  const note = (severity: ImportNote['severity'], element: string, message: string, nodeId?: string) =>
    report.push({ severity, element, message, ...(nodeId !== undefined ? { nodeId } : {}) });

  let model: XmlElement | null = null;
  let pageName: string | null = null;
  if (top.name === 'mxGraphModel') model = top;
  else {
    const pages = top.children.filter((c) => c.name === 'diagram');
    for (const page of pages) {
      const pageModel = modelOfDiagram(page);
      if (!pageModel) continue;
      if (model === null) {
        model = pageModel;
        pageName = page.attrs.name?.trim() || null;
      } else
        note(
          'unmapped',
          page.attrs.id ?? '',
          `The page "${page.attrs.name ?? ''}" was left out: a flow is one page. Import it on its own.`,
        );
    }
  }
  if (model === null) return refuse('EMPTY_DIAGRAM', 'The draw.io file has no page with a diagram on it.');

  const cells = cellsOf(model);
  const byId = new Map(cells.map((c) => [c.id, c]));
  const vertices = cells.filter((c) => c.vertex);
  if (vertices.length > 20_000) return tooManyNodes(vertices.length);

  // Absolute positions: a child's geometry is relative to its container (swimlane, group).
  const absolute = (cell: Cell) => {
    let x = cell.geometry?.x ?? 0;
    let y = cell.geometry?.y ?? 0;
    let parent = cell.parent ? byId.get(cell.parent) : undefined;
    for (let depth = 0; parent && depth < 32; depth++) {
      if (parent.vertex && parent.geometry) {
        x += parent.geometry.x;
        y += parent.geometry.y;
      }
      parent = parent.parent ? byId.get(parent.parent) : undefined;
    }
    return { x, y };
  };
  const laneOf = (cell: Cell): string | undefined => {
    let parent = cell.parent ? byId.get(cell.parent) : undefined;
    for (let depth = 0; parent && depth < 32; depth++) {
      if (parent.vertex && shapeOf(parent.style) === 'lane') {
        const name = labelText(parent.value);
        if (name !== '') return name;
      }
      parent = parent.parent ? byId.get(parent.parent) : undefined;
    }
    return undefined;
  };

  const edgesCells = cells.filter((c) => c.edge);
  // A connector's label may be its value or a child label cell.
  const edgeLabel = new Map<string, string>();
  for (const edge of edgesCells) edgeLabel.set(edge.id, labelText(edge.value));
  for (const cell of vertices) {
    if (cell.parent && byId.get(cell.parent)?.edge && 'edgeLabel' in cell.style) {
      const existing = edgeLabel.get(cell.parent) ?? '';
      edgeLabel.set(cell.parent, [existing, labelText(cell.value)].filter((s) => s !== '').join(' '));
    }
  }
  const incoming = new Map<string, number>();
  const outgoing = new Map<string, Cell[]>();
  for (const edge of edgesCells) {
    if (edge.target) incoming.set(edge.target, (incoming.get(edge.target) ?? 0) + 1);
    if (edge.source) outgoing.set(edge.source, [...(outgoing.get(edge.source) ?? []), edge]);
  }

  const kindOf = new Map<Cell, NodeType>();
  const noteCells: Cell[] = [];
  for (const cell of vertices) {
    if (cell.parent && byId.get(cell.parent)?.edge) continue;
    const shape = shapeOf(cell.style);
    const label = labelText(cell.value);
    if (shape === 'lane' || shape === 'container') continue;
    if (shape === 'note') {
      if (label !== '') noteCells.push(cell);
      continue;
    }
    if (shape === null) {
      note(
        'unmapped',
        cell.id,
        `The shape ${label ? `"${label.slice(0, 80)}" ` : ''}(${cell.style.shape ?? 'unknown'}) was left out: Stepwise has no node for it.`,
      );
      continue;
    }
    if (shape === 'start_or_end') {
      const ins = incoming.get(cell.id) ?? 0;
      const outs = outgoing.get(cell.id)?.length ?? 0;
      kindOf.set(
        cell,
        ins === 0 && outs > 0
          ? 'start'
          : ins > 0 && outs === 0
            ? 'end'
            : /start|begin|new/i.test(label)
              ? 'start'
              : 'end',
      );
      continue;
    }
    kindOf.set(
      cell,
      shape === 'subflow'
        ? 'subflow'
        : shape === 'wait'
          ? 'wait'
          : shape === 'decision'
            ? 'decision'
            : 'step',
    );
  }
  if (kindOf.size > LIMITS.maxNodes) return tooManyNodes(kindOf.size);
  const starts = [...kindOf].filter(([, k]) => k === 'start').map(([c]) => c);
  for (const extra of starts.slice(1)) {
    kindOf.set(extra, 'end');
    note(
      'review',
      extra.id,
      `"${labelText(extra.value) || 'A start shape'}" became an End: a flow has one start. Check it.`,
    );
  }

  const allocate = idAllocator();
  const nodeIdOf = new Map<string, string>();
  for (const cell of kindOf.keys()) nodeIdOf.set(cell.id, allocate(cell.id, 'node'));

  const edges: Edge[] = [];
  const edgeIds = idAllocator();
  const used = new Set<string>();
  const connect = (edge: Cell, source: string, handle: string) => {
    const target = edge.target ? nodeIdOf.get(edge.target) : undefined;
    if (target === undefined) return;
    if (used.has(`${source}\u0000${handle}`)) return;
    used.add(`${source}\u0000${handle}`);
    edges.push({ id: edgeIds(edge.id, 'edge'), source, sourceHandle: handle, target });
  };

  const teamIds = new Set(teams.map((t) => t.id));
  const unmatchedLanes = new Map<string, string[]>();
  const nodes: FlowNode[] = [];
  for (const [cell, kind] of kindOf) {
    const id = nodeIdOf.get(cell.id)!;
    const label = cleanText(labelText(cell.value).replace(/\n/g, ' '), 200);
    const { x, y } = absolute(cell);
    const position = { x: x * DRAWIO_SCALE, y: y * DRAWIO_SCALE };
    const outs: Cell[] = [];
    for (const edge of outgoing.get(cell.id) ?? []) {
      if (edge.target && nodeIdOf.has(edge.target)) outs.push(edge);
      else {
        const to = edge.target ? byId.get(edge.target) : undefined;
        const toLabel = to ? labelText(to.value) : '';
        note(
          'unmapped',
          edge.id,
          `A connector from "${label}" ${toLabel ? `to "${toLabel.slice(0, 80)}" ` : ''}leads to no shape Stepwise kept: it was left out.`,
          id,
        );
      }
    }
    switch (kind) {
      case 'start': {
        const data = nodeKinds.start.defaults();
        data.trigger.mode = 'manual';
        nodes.push({ id, type: 'start', position, data: { ...data, label: label || data.label } });
        break;
      }
      case 'end':
        nodes.push({
          id,
          type: 'end',
          position,
          data: { ...nodeKinds.end.defaults(), label: label || 'Resolved' },
        });
        break;
      case 'subflow':
        nodes.push({
          id,
          type: 'subflow',
          position,
          data: { label: label || 'Run another flow', flowId: null },
        });
        note('review', cell.id, `"${label}" became a Subflow: pick the published flow it runs.`, id);
        break;
      case 'wait':
        nodes.push({
          id,
          type: 'wait',
          position,
          data: { label: label || 'Wait', mode: 'duration', minutes: null },
        });
        note(
          'review',
          cell.id,
          `"${label}" became a Wait: choose what it waits for (the customer's reply, or how long).`,
          id,
        );
        break;
      case 'step': {
        const outcomes: Outcome[] = [];
        const handles: Array<{ edge: Cell; handle: string }> = [];
        for (const edge of outs) {
          const text = cleanText(edgeLabel.get(edge.id) ?? '', 200);
          const outcomeLabel =
            text !== '' ? text : outcomes.length === 0 ? 'Done' : `Outcome ${outcomes.length + 1}`;
          let outcomeId = slugOf(outcomeLabel, `outcome_${outcomes.length + 1}`);
          for (let n = 2; outcomes.some((o) => o.id === outcomeId); n++)
            outcomeId = `${slugOf(outcomeLabel, 'outcome')}_${n}`;
          outcomes.push({ id: outcomeId, label: outcomeLabel });
          handles.push({ edge, handle: `outcome:${outcomeId}` });
        }
        if (outcomes.length === 0) outcomes.push({ id: 'done', label: 'Done' });
        if (outs.length > 1 && outs.some((e) => (edgeLabel.get(e.id) ?? '') === ''))
          note(
            'review',
            cell.id,
            `"${label}" has unlabelled ways out; each became an outcome: name them for the agent's buttons.`,
            id,
          );
        const lane = laneOf(cell);
        let teamId: string | null = null;
        if (lane) {
          const team = teamForLane(lane, teams);
          if (team && teamIds.has(team.id)) teamId = team.id;
          else unmatchedLanes.set(lane, [...(unmatchedLanes.get(lane) ?? []), label || id]);
        }
        nodes.push({
          id,
          type: 'step',
          position,
          data: {
            ...nodeKinds.step.defaults(),
            title: label || 'Step',
            teamId,
            outcomes: outcomes.slice(0, 50),
          },
        });
        for (const { edge, handle } of handles) connect(edge, id, handle);
        continue;
      }
      case 'decision': {
        const branches: Branch[] = [];
        const wired: Array<{ edge: Cell; handle: string }> = [];
        let hasDefault = false;
        for (const edge of outs) {
          const text = cleanText(edgeLabel.get(edge.id) ?? '', 200);
          if (!hasDefault && DEFAULT_LABEL.test(text)) {
            hasDefault = true;
            wired.push({ edge, handle: 'default' });
            continue;
          }
          const branchLabel = text !== '' ? text : `Branch ${branches.length + 1}`;
          let branchId = slugOf(branchLabel, `branch_${branches.length + 1}`);
          for (let n = 2; branches.some((b) => b.id === branchId); n++)
            branchId = `${slugOf(branchLabel, 'branch')}_${n}`;
          const condition = parseConditionExpression(text);
          branches.push({ id: branchId, label: branchLabel, condition: condition ?? NEVER });
          if (!condition)
            note(
              'review',
              edge.id,
              `The branch "${branchLabel}" of "${label}" needs its condition: set it in the branch (until then it never matches).`,
              id,
            );
          wired.push({ edge, handle: `branch:${branchId}` });
        }
        if (!hasDefault && outs.length > 0)
          note(
            'review',
            cell.id,
            `"${label}" has no connector labelled "else" or "otherwise": connect "Otherwise" to where tickets go when no branch matches.`,
            id,
          );
        nodes.push({
          id,
          type: 'decision',
          position,
          data: { label: label || 'Decision', branches: branches.slice(0, 50) },
        });
        for (const { edge, handle } of wired) connect(edge, id, handle);
        continue;
      }
    }
    if (kind === 'end') {
      if (outs.length > 0)
        note('unmapped', cell.id, `The connectors out of "${label}" were left out: it became an End.`, id);
      continue;
    }
    outs.forEach((edge, i) => {
      if (i === 0) connect(edge, id, 'next');
      else
        note(
          'unmapped',
          edge.id,
          `A second connector out of "${label}" was left out: it goes on one way. Add a decision to choose.`,
          id,
        );
    });
  }
  for (const edge of edgesCells) {
    if (!edge.source || !nodeIdOf.has(edge.source)) {
      if (edge.source && noteCells.some((c) => c.id === edge.source)) continue;
      note(
        'unmapped',
        edge.id,
        `A connector ${edgeLabel.get(edge.id) ? `"${edgeLabel.get(edge.id)}" ` : ''}starts at no shape Stepwise kept: it was left out.`,
      );
    }
  }
  for (const [lane, steps] of unmatchedLanes) {
    note(
      'review',
      lane,
      `The swimlane "${lane}" matches none of your teams: pick a team for ${steps
        .slice(0, 5)
        .map((s) => `"${s}"`)
        .join(
          ', ',
        )}${steps.length > 5 ? ` and ${steps.length - 5} more` : ''} (or create a team named "${lane}").`,
    );
  }

  const notes: Note[] = [];
  const noteIds = idAllocator();
  for (const cell of noteCells.slice(0, LIMITS.maxNotes)) {
    const { x, y } = absolute(cell);
    const n: Note = {
      id: noteIds(cell.id, 'note'),
      position: { x: x * DRAWIO_SCALE, y: y * DRAWIO_SCALE },
      text: cleanText(labelText(cell.value), LIMITS.maxString),
    };
    if (cell.geometry && cell.geometry.width > 0 && cell.geometry.height > 0) {
      n.width = Math.min(5000, cell.geometry.width * DRAWIO_SCALE);
      n.height = Math.min(5000, cell.geometry.height * DRAWIO_SCALE);
    }
    notes.push(n);
  }

  return finish(
    {
      schemaVersion: CURRENT_SCHEMA_VERSION,
      fields: [],
      nodes,
      edges: edges.slice(0, LIMITS.maxEdges),
      notes,
    },
    pageName === null || /^Page-\d+$/.test(pageName) ? null : cleanText(pageName, 200),
    report,
  );
}
