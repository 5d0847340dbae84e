import { parseFlowDocument } from '@stepwise/flow';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { getViewportForBounds, useReactFlow, useStoreApi } from '@xyflow/react';
import {
  ArrowLeft,
  CircleAlert,
  Download,
  FlaskConical,
  Keyboard,
  LayoutDashboard,
  LoaderCircle,
  Maximize,
  Redo2,
  Rewind,
  Rocket,
  SlidersHorizontal,
  Undo2,
  Upload,
} from 'lucide-react';
import { type ChangeEvent, useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { flushSync } from 'react-dom';
import { Link, useNavigate } from 'react-router';
import { toast } from 'sonner';
import { type CanvasNames, fieldNamesOf } from '../../canvas/types.ts';
import { Badge } from '../../ui/Badge.tsx';
import {
  errorCode,
  errorDetails,
  errorMessage,
  type FlowSummary,
  type Team,
  useTRPC,
  useTRPCClient,
} from '../../trpc.ts';
import { BuilderCanvas, type PaletteItem } from './BuilderCanvas.tsx';
import { BuilderContext, useBuilderState, useHistory, usePlanDocument } from './BuilderContext.ts';
import { ConflictDialog, ImportProblemsDialog, PublishDialog, ShortcutsDialog } from './BuilderDialogs.tsx';
import { FindNodeDialog } from './FindNode.tsx';
import { NodePickerDialog, type PickerEntry } from './NodePicker.tsx';
import { appendHandle, freeSpot } from './quickAdd.ts';
import { cachedFieldCatalog } from './inspector/fieldCatalog.ts';
import { newOp } from './inspector/ActionInspector.tsx';
import { labelOf } from './nodeNames.ts';
import { outputLabel } from '../../canvas/describe.ts';
import { canConnect, type FieldName, type FlowNode, kindLabel } from '@stepwise/flow';
import type { Point } from './documentOps.ts';
import { type Conflict, describeStatus, type SaveStatus } from './DraftSaver.ts';
import { boundsOf } from './documentOps.ts';
import { ExportMenu } from './ExportMenu.tsx';
import { IMPORT_ACCEPT, type ImportNote, problemsOf, readImportFile } from './importDiagram.ts';
import type { ImportProblem } from './importExport.ts';
import { ImportReportDialog } from './ImportReportDialog.tsx';
import { type FlowOption, Inspector } from './inspector/Inspector.tsx';
import { layout } from './layout.ts';
import { LeaveGuard } from './LeaveGuard.tsx';
import { Palette } from './Palette.tsx';
import { clampProblemsHeight, PROBLEMS_HEIGHT, ProblemsPanel } from './ProblemsPanel.tsx';
import { useBuilderShortcuts, useClipboard } from './shortcuts.ts';
import type { Builder as BuilderModel } from './store.ts';
import type { BuilderIssue } from './teamIssues.ts';
import { TestRunPanel } from './TestRunPanel.tsx';
import { useDraftSaver } from './useDraftSaver.ts';
import { useValidation } from './useValidation.ts';

const NO_TEAMS: readonly Team[] = [];

/** Where the problems panel's state (open, height) is kept between visits, per browser. */
const PANEL_KEY = 'stepwise.builder.problems';

function readPanel(): { open: boolean; height: number } {
  try {
    const stored = JSON.parse(window.localStorage.getItem(PANEL_KEY) ?? 'null') as unknown;
    if (stored && typeof stored === 'object' && 'open' in stored && 'height' in stored) {
      const { open, height } = stored as { open: unknown; height: unknown };
      if (typeof open === 'boolean' && typeof height === 'number' && Number.isFinite(height))
        return { open, height: clampProblemsHeight(height) };
    }
  } catch {
    // Unreadable: the defaults.
  }
  return { open: true, height: PROBLEMS_HEIGHT.initial };
}
const NO_PATH: readonly string[] = [];
const FOCUS_OPTIONS = { duration: 300, maxZoom: 1.1, padding: 0.35 };

function SaveIndicator({ status, onRetry }: { status: SaveStatus; onRetry: () => void }) {
  const text = describeStatus(status);
  return (
    <span
      className={`save-status is-${status.kind}`}
      role="status"
      aria-live="polite"
      data-save-status={status.kind}
    >
      {status.kind === 'saving' ? (
        <LoaderCircle size={13} className="spin" aria-hidden="true" />
      ) : status.kind === 'error' || status.kind === 'conflict' ? (
        <CircleAlert size={13} aria-hidden="true" />
      ) : (
        <span className="save-dot" aria-hidden="true" />
      )}
      <span>{text}</span>
      {status.kind === 'error' && (
        <button type="button" className="link-btn" onClick={onRetry}>
          Retry
        </button>
      )}
    </span>
  );
}

type Props = {
  builder: BuilderModel;
  flowId: string;
  revision: number;
  teams: readonly Team[] | undefined;
  flows: readonly FlowSummary[] | undefined;
};

/**
 * The flow builder: toolbar (save status, undo/redo, layout, import/export, test run, publish), the
 * palette, the canvas with the problems list, and the inspector or the test run on the side.
 */
export function Builder({ builder, flowId, revision, teams, flows }: Props) {
  return (
    <BuilderContext.Provider value={builder}>
      <BuilderScreen builder={builder} flowId={flowId} revision={revision} teams={teams} flows={flows} />
    </BuilderContext.Provider>
  );
}

function BuilderScreen({ builder, flowId, revision, teams, flows }: Props) {
  const trpc = useTRPC();
  const client = useTRPCClient();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const reactFlow = useReactFlow();
  const [saver, status] = useDraftSaver(builder, flowId, revision);
  // Positions do not matter to validation or the toolbar: a drag re-renders none of this screen.
  const document = usePlanDocument();
  const meta = useBuilderState((s) => s.meta);
  const { canUndo, canRedo } = useHistory();
  const validation = useValidation(document, teams);
  const versions = useQuery(trpc.versions.list.queryOptions({ flowId }));
  const hasVersions = (versions.data?.length ?? 0) > 0;

  const [side, setSide] = useState<'inspect' | 'test'>('inspect');
  const [problemsOpen, setProblemsOpen] = useState(() => readPanel().open);
  const [problemsHeight, setProblemsHeight] = useState(() => readPanel().height);
  useEffect(() => {
    try {
      window.localStorage.setItem(PANEL_KEY, JSON.stringify({ open: problemsOpen, height: problemsHeight }));
    } catch {
      // Storage may be full or off (private mode): the panel then opens as it always does.
    }
  }, [problemsOpen, problemsHeight]);
  const [path, setPath] = useState<readonly string[]>(NO_PATH);
  const [shortcutsOpen, setShortcutsOpen] = useState(false);
  const [findOpen, setFindOpen] = useState(false);
  const [picker, setPicker] = useState<{
    source: string;
    handle: string | null;
    screen: Point | null;
    at: Point | null;
  } | null>(null);
  const [publishOpen, setPublishOpen] = useState(false);
  const [publishing, setPublishing] = useState(false);
  const [publishProblems, setPublishProblems] = useState<{ message: string; issues: string[] } | null>(null);
  const [published, setPublished] = useState<number | null>(null);
  const [importProblems, setImportProblems] = useState<{
    fileName: string;
    problems: ImportProblem[];
  } | null>(null);
  const [importReport, setImportReport] = useState<{
    fileName: string;
    report: ImportNote[];
    counts: { nodes: number; edges: number; notes: number };
  } | null>(null);
  const [dismissedConflict, setDismissedConflict] = useState<Conflict | null>(null);
  const [resolving, setResolving] = useState(false);
  const [layingOut, setLayingOut] = useState(false);
  const fileInput = useRef<HTMLInputElement>(null);
  const canvasArea = useRef<HTMLDivElement>(null);
  const sidePanel = useRef<HTMLElement>(null);

  const teamList = teams ?? NO_TEAMS;
  // The fields' labels as one string, so the names (and every node view) change only when a label does.
  const fieldLabels = useBuilderState((s) => JSON.stringify(fieldNamesOf(s.document)));
  const names: CanvasNames = useMemo(
    () => ({
      teams: new Map(teamList.map((t) => [t.id, t.name])),
      flows: new Map((flows ?? []).map((f) => [f.id, f.name])),
      fields: JSON.parse(fieldLabels) as FieldName[],
    }),
    [teamList, flows, fieldLabels],
  );
  // Assign actions are named after their team ("Assign to Billing").
  useEffect(() => builder.setTeamNames(names.teams), [builder, names.teams]);
  const flowOptions: FlowOption[] = useMemo(
    () =>
      (flows ?? [])
        .filter((f) => f.id !== flowId)
        .map((f) => ({ id: f.id, name: f.name, published: f.activeVersion !== null })),
    [flows, flowId],
  );

  // --- camera -------------------------------------------------------------------------------------
  const flowStore = useStoreApi();
  /**
   * Centres the canvas on the nodes (zooming out when they do not fit, in to at most 1.1), from their
   * positions in the document: it works for nodes React Flow has not rendered (off screen in a large flow).
   */
  const focusNodes = useCallback(
    (ids: readonly string[]) => {
      const { document: current, measured } = builder.store.getState();
      const bounds = boundsOf(current, ids, measured);
      const { width, height, minZoom } = flowStore.getState();
      if (!bounds || width === 0 || height === 0) return;
      const viewport = getViewportForBounds(
        bounds,
        width,
        height,
        minZoom,
        FOCUS_OPTIONS.maxZoom,
        FOCUS_OPTIONS.padding,
      );
      void reactFlow.setViewport(viewport, { duration: FOCUS_OPTIONS.duration });
    },
    [builder, flowStore, reactFlow],
  );
  /**
   * A click on a problem selects what it names — its nodes and its connections — and centres the canvas
   * on them (a connection's problem: on the nodes at both ends).
   */
  const focusIssue = useCallback(
    (issue: BuilderIssue) => {
      const edges = builder.document.edges.filter((e) => issue.edgeIds.includes(e.id));
      builder.select(
        issue.nodeIds,
        edges.map((e) => e.id),
      );
      focusNodes(issue.nodeIds.length > 0 ? issue.nodeIds : edges.flatMap((e) => [e.source, e.target]));
    },
    [builder, focusNodes],
  );
  /** Brings the test run's node into view when it is not (the camera stays put otherwise). */
  const followRun = useCallback(
    (nodeId: string) => {
      const node = reactFlow.getNode(nodeId);
      const area = canvasArea.current?.getBoundingClientRect();
      if (!node || !area) return;
      const width = node.measured?.width ?? 200;
      const height = node.measured?.height ?? 100;
      const topLeft = reactFlow.flowToScreenPosition(node.position);
      const bottomRight = reactFlow.flowToScreenPosition({
        x: node.position.x + width,
        y: node.position.y + height,
      });
      const inView =
        topLeft.x >= area.left &&
        topLeft.y >= area.top &&
        bottomRight.x <= area.right &&
        bottomRight.y <= area.bottom;
      if (inView) return;
      void reactFlow.setCenter(node.position.x + width / 2, node.position.y + height / 2, {
        zoom: Math.max(reactFlow.getZoom(), 0.8),
        duration: 300,
      });
    },
    [reactFlow],
  );

  // --- editing ------------------------------------------------------------------------------------
  /** Gives a canvas node the keyboard focus (once it has rendered, for a new one); Tab then appends after it. */
  const focusNode = useCallback((nodeId: string) => {
    const find = () =>
      canvasArea.current?.querySelector<HTMLElement>(`.react-flow__node[data-id="${CSS.escape(nodeId)}"]`);
    const now = find();
    if (now) {
      now.focus({ preventScroll: true });
      return;
    }
    window.requestAnimationFrame(() =>
      window.requestAnimationFrame(() => find()?.focus({ preventScroll: true })),
    );
  }, []);

  /**
   * Brings a new node into view when it is not (a quick-added node placed off screen) with the node it
   * follows, panning at the current zoom when both fit and zooming out (to 0.5 at most) when they do
   * not; then gives it the keyboard focus, so Tab appends after it in turn.
   */
  const reveal = useCallback(
    (nodeId: string, from?: string) => {
      const { document: current, measured } = builder.store.getState();
      const bounds = boundsOf(current, [nodeId], measured);
      const both = boundsOf(current, from ? [nodeId, from] : [nodeId], measured);
      const area = canvasArea.current?.getBoundingClientRect();
      if (!bounds || !both || !area) return;
      const topLeft = reactFlow.flowToScreenPosition({ x: bounds.x, y: bounds.y });
      const bottomRight = reactFlow.flowToScreenPosition({
        x: bounds.x + bounds.width,
        y: bounds.y + bounds.height,
      });
      const inView =
        topLeft.x >= area.left &&
        topLeft.y >= area.top &&
        bottomRight.x <= area.right &&
        bottomRight.y <= area.bottom;
      if (!inView) {
        // The least move that shows the new node with the one it follows: a pan at the current zoom when
        // both fit, else centred on both, zoomed out as far as 0.5.
        const margin = 48;
        const zoom = reactFlow.getZoom();
        const fits = Math.min(
          (area.width - 2 * margin) / both.width,
          (area.height - 2 * margin) / both.height,
        );
        if (fits >= zoom) {
          const a = reactFlow.flowToScreenPosition({ x: both.x, y: both.y });
          const b = reactFlow.flowToScreenPosition({ x: both.x + both.width, y: both.y + both.height });
          const dx =
            a.x < area.left + margin
              ? area.left + margin - a.x
              : b.x > area.right - margin
                ? area.right - margin - b.x
                : 0;
          const dy =
            a.y < area.top + margin
              ? area.top + margin - a.y
              : b.y > area.bottom - margin
                ? area.bottom - margin - b.y
                : 0;
          const viewport = reactFlow.getViewport();
          void reactFlow.setViewport({ x: viewport.x + dx, y: viewport.y + dy, zoom }, { duration: 250 });
        } else {
          void reactFlow.setCenter(both.x + both.width / 2, both.y + both.height / 2, {
            zoom: Math.max(0.5, fits),
            duration: 250,
          });
        }
      }
      focusNode(nodeId);
    },
    [builder, reactFlow, focusNode],
  );

  /** The single selected node (not a note), or null. */
  const selectedNode = useCallback((): FlowNode | null => {
    const { selectedNodes, document: current } = builder.store.getState();
    if (selectedNodes.size !== 1) return null;
    const [id] = [...selectedNodes];
    return current.nodes.find((n) => n.id === id) ?? null;
  }, [builder]);

  const addFromPalette = useCallback(
    (item: PaletteItem) => {
      const after = selectedNode();
      // With a node selected, the new node follows it: placed to its right and connected.
      if (after && item !== 'note') {
        // Rendered in this event, so the new node has the focus before the next key (see `pickNode`).
        const id = flushSync(() => builder.appendNode(item, { after: { source: after.id, handle: null } }));
        if (id) reveal(id, after.id);
        return;
      }
      const rect = canvasArea.current?.getBoundingClientRect();
      const { document: current, measured } = builder.store.getState();
      // The first node goes near the left, a third of the way down: the flow then grows into the view
      // (to the right, and down for further outcomes). Later ones go in the middle of the view.
      const wanted = !rect
        ? { x: 0, y: 0 }
        : current.nodes.length === 0
          ? reactFlow.screenToFlowPosition({ x: rect.left + 56, y: rect.top + rect.height * 0.3 })
          : (({ x, y }) => ({ x: x - 100, y: y - 40 }))(
              reactFlow.screenToFlowPosition({
                x: rect.left + rect.width / 2,
                y: rect.top + rect.height / 2,
              }),
            );
      const at = freeSpot(current, measured, wanted);
      if (item === 'note') builder.addNote(at);
      else focusNode(flushSync(() => builder.addNode(item, at)));
    },
    [builder, reactFlow, reveal, selectedNode, focusNode],
  );

  const openAppend = useCallback((): boolean => {
    const after = selectedNode();
    if (!after) return false;
    setPicker({ source: after.id, handle: appendHandle(builder.document, after), screen: null, at: null });
    return true;
  }, [builder, selectedNode]);

  const pickNode = useCallback(
    (entry: PickerEntry) => {
      if (!picker) return;
      if ('target' in entry || 'disconnect' in entry) {
        setPicker(null);
        if (picker.handle === null) return;
        const result = builder.setOutputTarget(
          picker.source,
          picker.handle,
          'target' in entry ? entry.target : null,
        );
        if (!result.ok) toast.error(result.message, { id: 'connect-refused' });
        return;
      }
      const variant = entry.variant;
      const prepare = variant
        ? (node: FlowNode): FlowNode => {
            if (node.type === 'action' && 'op' in variant)
              return {
                ...node,
                data: {
                  ...node.data,
                  ops: [newOp(variant.op, teamList, cachedFieldCatalog(builder.document))],
                },
              };
            if (node.type === 'end' && 'status' in variant)
              return { ...node, data: { ...node.data, status: variant.status } };
            return node;
          }
        : undefined;
      // Closed and added at once, in this keystroke, not a frame later: closing hands the focus back to the
      // node the picker opened from, and the new node must take it before the next key arrives (a Tab typed
      // straight after would otherwise append after the old node).
      flushSync(() => setPicker(null));
      const id = flushSync(() =>
        builder.appendNode(entry.type, {
          after: { source: picker.source, handle: picker.handle },
          at: picker.at ?? undefined,
          prepare,
        }),
      );
      if (id) reveal(id, picker.source);
      else toast.error('That node cannot follow this output.');
    },
    [builder, picker, reveal, teamList],
  );

  const pickerTargets = useMemo(() => {
    if (!picker || picker.handle === null) return [];
    const current = builder.document;
    const handle = picker.handle;
    const without = {
      ...current,
      edges: current.edges.filter((e) => !(e.source === picker.source && e.sourceHandle === handle)),
    };
    return current.nodes
      .filter((n) => canConnect(without, { source: picker.source, sourceHandle: handle, target: n.id }).ok)
      .map((n) => ({ id: n.id, name: labelOf(n).trim() || kindLabel(n.type), kind: kindLabel(n.type) }));
  }, [builder, picker]);
  const pickerConnected =
    picker !== null &&
    picker.handle !== null &&
    builder.document.edges.some((e) => e.source === picker.source && e.sourceHandle === picker.handle);

  const pickerTitle = useMemo(() => {
    if (!picker) return '';
    const source = builder.document.nodes.find((n) => n.id === picker.source);
    if (!source) return 'Add a node';
    const name = labelOf(source).trim() || source.type;
    return picker.handle === null
      ? `Add after “${name}”`
      : `Add after “${name}” → ${outputLabel(source, picker.handle)}`;
  }, [builder, picker]);

  const runLayout = useCallback(async () => {
    const { document: current, measured } = builder.store.getState();
    if (current.nodes.length === 0) return;
    setLayingOut(true);
    try {
      const positions = await layout(
        current.nodes.map((n) => ({
          id: n.id,
          width: measured.get(n.id)?.width ?? 200,
          height: measured.get(n.id)?.height ?? 120,
        })),
        current.edges,
      );
      builder.applyLayout(positions);
      window.requestAnimationFrame(
        () => void reactFlow.fitView({ duration: 300, padding: 0.15, maxZoom: 1.1 }),
      );
    } catch (error) {
      toast.error(`Auto-layout failed: ${errorMessage(error)}`);
    } finally {
      setLayingOut(false);
    }
  }, [builder, reactFlow]);

  useClipboard({
    copy: () => {
      const text = builder.copyText();
      if (text !== null) {
        const n = builder.store.getState().selectedNodes.size;
        toast.success(`Copied ${n} ${n === 1 ? 'item' : 'items'}`, { id: 'clipboard', duration: 1500 });
      }
      return text;
    },
    paste: (text) => {
      const n = builder.pasteText(text);
      if (n > 0)
        toast.success(`Pasted ${n} ${n === 1 ? 'item' : 'items'}`, { id: 'clipboard', duration: 1500 });
      return n;
    },
  });

  useBuilderShortcuts({
    undo: builder.undo,
    redo: builder.redo,
    duplicate: () => void builder.duplicate(),
    remove: () => void builder.deleteSelection(),
    selectAll: builder.selectAll,
    deselect: () => builder.select([], []),
    save: () => void saver.flush(),
    find: () => setFindOpen(true),
    help: () => setShortcutsOpen(true),
    append: openAppend,
    inspect: () => {
      // React Flow selected the node on this Enter already; its inspector renders in the same frame.
      window.requestAnimationFrame(() => {
        const panel = sidePanel.current;
        const field =
          panel?.querySelector<HTMLElement>('.insp-node :is(input, select, textarea)') ??
          panel?.querySelector<HTMLElement>('.insp-node button');
        field?.focus();
      });
    },
  });

  // --- import / export ----------------------------------------------------------------------------
  const onImport = async (event: ChangeEvent<HTMLInputElement>) => {
    const file = event.target.files?.[0];
    event.target.value = '';
    if (!file) return;
    const read = await readImportFile(file);
    if (!read.ok) {
      setImportProblems({ fileName: file.name, problems: read.problems });
      return;
    }
    let document = read.kind === 'json' ? read.document : null;
    if (read.kind === 'diagram') {
      // BPMN and draw.io are mapped by the server, which knows the organization's teams; nothing is saved
      // until the draft is (the import is one undo step, like any edit).
      try {
        const result = await client.interop.convert.mutate({ text: read.text });
        document = result.document;
        setImportReport({ fileName: file.name, report: result.report, counts: result.counts });
      } catch (error) {
        setImportProblems({ fileName: file.name, problems: problemsOf(error) });
        return;
      }
    }
    if (!document) return;
    builder.replaceDocument(document, 'record');
    toast.success(`Imported “${file.name}” — undo (Ctrl+Z) to go back`);
    window.requestAnimationFrame(
      () => void reactFlow.fitView({ duration: 300, padding: 0.15, maxZoom: 1.1 }),
    );
  };

  // --- conflict -----------------------------------------------------------------------------------
  const reloadTheirs = async () => {
    setResolving(true);
    try {
      const fresh = await client.flows.get.query({ flowId });
      const parsed = parseFlowDocument(fresh.draft);
      if (!parsed.ok) throw new Error('the saved draft is not a valid flow document');
      saver.reset(fresh.draftRevision, parsed.document, { name: fresh.name, description: fresh.description });
      builder.setMeta({ name: fresh.name, description: fresh.description });
      builder.replaceDocument(parsed.document, 'reset');
      toast.success(`Loaded ${fresh.updatedBy ?? 'their'} version (revision ${fresh.draftRevision})`);
    } catch (error) {
      toast.error(`Could not reload the flow: ${errorMessage(error)}`);
    } finally {
      setResolving(false);
    }
  };
  const saveAsCopy = async () => {
    setResolving(true);
    const base = `${meta.name} (copy)`.slice(0, 200);
    try {
      for (let attempt = 1; attempt <= 5; attempt++) {
        const name = attempt === 1 ? base : `${meta.name} (copy ${attempt})`.slice(0, 200);
        try {
          const created = await client.flows.create.mutate({
            name,
            description: meta.description,
            document: builder.document,
          });
          await queryClient.invalidateQueries({ queryKey: trpc.flows.pathKey() });
          toast.success(`Saved your version as “${name}”`);
          await navigate(`/flows/${created.id}/edit`);
          return;
        } catch (error) {
          // A flow by that name exists already: try the next name.
          if (errorCode(error) !== 'CONFLICT') throw error;
        }
      }
      toast.error('Could not find a free name for the copy: rename the flow and try again.');
    } catch (error) {
      toast.error(`Could not save a copy: ${errorMessage(error)}`);
    } finally {
      setResolving(false);
    }
  };

  // --- publish ------------------------------------------------------------------------------------
  const publish = async (message: string, pilotPercent: number | undefined) => {
    setPublishing(true);
    setPublishProblems(null);
    try {
      if (!(await saver.flush())) {
        setPublishProblems({ message: 'The draft could not be saved, so it was not published.', issues: [] });
        return;
      }
      const version = await client.versions.publish.mutate({
        flowId,
        message,
        revision: saver.currentRevision,
        pilotPercent,
      });
      setPublished(version.number);
      setPublishOpen(false);
      toast.success(
        pilotPercent === undefined
          ? `Published v${version.number}`
          : `Published v${version.number} as a pilot on ${pilotPercent}% of new tickets`,
      );
      await queryClient.invalidateQueries({ queryKey: trpc.flows.pathKey() });
      await queryClient.invalidateQueries({ queryKey: trpc.versions.pathKey() });
    } catch (error) {
      const details = errorDetails(error);
      const issues = Array.isArray(details)
        ? details.flatMap((d: unknown) =>
            d && typeof d === 'object' && 'message' in d && typeof d.message === 'string' ? [d.message] : [],
          )
        : [];
      setPublishProblems({ message: errorMessage(error), issues });
    } finally {
      setPublishing(false);
    }
  };

  const errors = validation.errors;
  const publishBlocked = errors > 0 ? `Fix ${errors} ${errors === 1 ? 'error' : 'errors'} to publish` : null;
  const conflict = status.kind === 'conflict' ? status.conflict : null;
  const conflictOpen = conflict !== null && dismissedConflict !== conflict;

  return (
    <div className="builder">
      <LeaveGuard saver={saver} />
      <header className="builder-bar">
        <div className="builder-title">
          <Link
            to={`/flows/${flowId}`}
            className="icon-btn"
            aria-label="Back to the flow"
            title="Back to the flow"
          >
            <ArrowLeft size={16} aria-hidden="true" />
          </Link>
          <div className="builder-name">
            <h1 title={meta.name}>{meta.name || 'Untitled flow'}</h1>
            <div className="builder-sub">
              <Badge tone="neutral">Draft</Badge>
              <SaveIndicator status={status} onRetry={() => void saver.flush()} />
              {published !== null && <Badge tone="success">Published v{published}</Badge>}
              {conflict && !conflictOpen && (
                <button type="button" className="link-btn" onClick={() => setDismissedConflict(null)}>
                  Resolve…
                </button>
              )}
            </div>
          </div>
        </div>
        <div className="builder-tools" role="toolbar" aria-label="Builder tools">
          <div className="tool-group">
            <button
              type="button"
              className="icon-btn"
              onClick={builder.undo}
              disabled={!canUndo}
              aria-label="Undo"
              title="Undo (Ctrl+Z)"
            >
              <Undo2 size={17} aria-hidden="true" />
            </button>
            <button
              type="button"
              className="icon-btn"
              onClick={builder.redo}
              disabled={!canRedo}
              aria-label="Redo"
              title="Redo (Shift+Ctrl+Z)"
            >
              <Redo2 size={17} aria-hidden="true" />
            </button>
          </div>
          <div className="tool-group">
            <button
              type="button"
              className="btn btn-ghost btn-small"
              onClick={() => void runLayout()}
              disabled={layingOut || document.nodes.length === 0}
              title="Arrange the nodes left to right"
            >
              {layingOut ? (
                <LoaderCircle size={15} className="spin" aria-hidden="true" />
              ) : (
                <LayoutDashboard size={15} aria-hidden="true" />
              )}
              Auto-layout
            </button>
            <button
              type="button"
              className="icon-btn"
              onClick={() => void reactFlow.fitView({ duration: 300, padding: 0.15, maxZoom: 1.1 })}
              aria-label="Fit view"
              title="Fit the whole flow in view"
            >
              <Maximize size={16} aria-hidden="true" />
            </button>
          </div>
          <div className="tool-group">
            <button
              type="button"
              className="btn btn-ghost btn-small"
              onClick={() => fileInput.current?.click()}
              title="Replace the draft with a flow file, a BPMN 2.0 file or a draw.io diagram"
            >
              <Upload size={15} aria-hidden="true" /> Import
            </button>
            <input
              ref={fileInput}
              type="file"
              accept={IMPORT_ACCEPT}
              className="sr-only"
              tabIndex={-1}
              aria-label="Flow file to import"
              onChange={(e) => void onImport(e)}
            />
            <ExportMenu
              document={document}
              name={meta.name}
              flowId={flowId}
              beforeBpmn={() => saver.flush()}
            />
          </div>
          <div className="tool-group">
            <button
              type="button"
              className={
                side === 'test' ? 'btn btn-secondary btn-small is-active' : 'btn btn-ghost btn-small'
              }
              aria-pressed={side === 'test'}
              onClick={() => setSide(side === 'test' ? 'inspect' : 'test')}
            >
              {side === 'test' ? (
                <SlidersHorizontal size={15} aria-hidden="true" />
              ) : (
                <FlaskConical size={15} aria-hidden="true" />
              )}
              {side === 'test' ? 'Inspector' : 'Test run'}
            </button>
            {hasVersions && (
              <Link
                to={`/flows/${flowId}/analytics?backtest=draft`}
                className="btn btn-ghost btn-small"
                title="Replay the draft over this flow's finished tickets"
                onClick={(e) => {
                  // Save first, so the backtest replays the draft as it is on screen.
                  e.preventDefault();
                  void saver.flush().then((saved) => {
                    if (saved) void navigate(`/flows/${flowId}/analytics?backtest=draft`);
                    else toast.error('Save the draft before backtesting it.');
                  });
                }}
              >
                <Rewind size={15} aria-hidden="true" /> Backtest
              </Link>
            )}
            <button
              type="button"
              className="icon-btn"
              onClick={() => setShortcutsOpen(true)}
              aria-label="Keyboard shortcuts"
              title="Keyboard shortcuts (?)"
            >
              <Keyboard size={17} aria-hidden="true" />
            </button>
          </div>
          <div className="publish-box">
            {publishBlocked && <span className="publish-reason">{publishBlocked}</span>}
            <button
              type="button"
              className="btn btn-primary"
              onClick={() => {
                setPublishProblems(null);
                setPublishOpen(true);
              }}
              disabled={publishBlocked !== null}
              title={publishBlocked ?? 'Publish the draft as a new version'}
            >
              <Rocket size={15} aria-hidden="true" /> Publish
            </button>
          </div>
        </div>
      </header>

      <div className="builder-body">
        <Palette onAdd={addFromPalette} />
        <div className="builder-main" ref={canvasArea}>
          <BuilderCanvas
            label={`${meta.name || 'Flow'} draft`}
            names={names}
            validation={validation}
            path={side === 'test' ? path : NO_PATH}
            onQuickAdd={(request) =>
              setPicker({
                source: request.source,
                handle: request.handle,
                screen: request.screen,
                at: request.at,
              })
            }
          />
          <ProblemsPanel
            validation={validation}
            open={problemsOpen}
            onToggle={() => setProblemsOpen(!problemsOpen)}
            onFocus={focusIssue}
            height={problemsHeight}
            onResize={setProblemsHeight}
          />
        </div>
        <aside
          ref={sidePanel}
          className="builder-side"
          aria-label={side === 'test' ? 'Test run' : 'Inspector'}
          onKeyDown={(event) => {
            // Esc in the inspector goes back to the node on the canvas (Tab there appends after it).
            if (event.key !== 'Escape' || side !== 'inspect' || event.defaultPrevented) return;
            const node = selectedNode();
            if (!node) return;
            event.preventDefault();
            reveal(node.id);
          }}
        >
          {side === 'test' ? (
            <TestRunPanel teams={names.teams} onPath={setPath} onFocus={followRun} hasErrors={errors > 0} />
          ) : (
            <Inspector
              teams={teamList}
              flows={flowOptions}
              onConnectOutput={(source, handle) => setPicker({ source, handle, screen: null, at: null })}
            />
          )}
        </aside>
      </div>

      <ShortcutsDialog open={shortcutsOpen} onClose={() => setShortcutsOpen(false)} />
      <FindNodeDialog
        open={findOpen}
        nodes={builder.document.nodes}
        onClose={() => setFindOpen(false)}
        onPick={(nodeId) => {
          setFindOpen(false);
          builder.select([nodeId], []);
          focusNodes([nodeId]);
          focusNode(nodeId);
        }}
      />
      <NodePickerDialog
        open={picker !== null}
        title={pickerTitle}
        at={picker?.screen ?? null}
        targets={pickerTargets}
        connected={pickerConnected}
        onPick={pickNode}
        onClose={() => setPicker(null)}
      />
      <PublishDialog
        flowId={flowId}
        open={publishOpen}
        errors={errors}
        busy={publishing}
        problems={publishProblems}
        onPublish={(message, pilotPercent) => void publish(message, pilotPercent)}
        onClose={() => setPublishOpen(false)}
      />
      <ImportReportDialog
        report={importReport?.report ?? null}
        fileName={importReport?.fileName ?? ''}
        counts={importReport?.counts ?? null}
        onClose={() => setImportReport(null)}
        onShow={(nodeId) => {
          setImportReport(null);
          builder.select([nodeId], []);
          focusNodes([nodeId]);
        }}
      />
      <ImportProblemsDialog
        problems={importProblems?.problems ?? null}
        fileName={importProblems?.fileName ?? ''}
        onClose={() => setImportProblems(null)}
      />
      {conflict && (
        <ConflictDialog
          conflict={conflict}
          open={conflictOpen}
          busy={resolving}
          onReload={() => void reloadTheirs()}
          onSaveCopy={() => void saveAsCopy()}
          onClose={() => setDismissedConflict(conflict)}
        />
      )}
    </div>
  );
}
