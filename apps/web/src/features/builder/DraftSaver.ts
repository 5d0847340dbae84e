import type { FlowDocument } from '@stepwise/flow';

export type FlowMeta = { name: string; description: string };

/** Who saved the draft since this builder loaded it (the API's CONFLICT details). */
export type Conflict = { currentRevision: number; updatedBy: string | null; updatedAt: string };

export type SaveInput = {
  revision: number;
  document: FlowDocument;
  /** Present only when changed since the last save. */
  name?: string;
  description?: string;
};

export type SaveResult =
  | { ok: true; revision: number }
  /** Another manager saved first: never overwrite, ask. */
  | { ok: false; kind: 'conflict'; conflict: Conflict }
  /** No answer (offline, server restarting): try again shortly. */
  | { ok: false; kind: 'network'; message: string }
  /** The API refused this content (e.g. a duplicate name): retrying the same would fail again. */
  | { ok: false; kind: 'refused'; message: string };

export type SaveStatus =
  | { kind: 'saved'; revision: number }
  | { kind: 'dirty'; revision: number }
  | { kind: 'saving'; revision: number }
  | { kind: 'error'; revision: number; message: string; retrying: boolean }
  | { kind: 'conflict'; revision: number; conflict: Conflict };

export type DraftSaverOptions = {
  revision: number;
  document: FlowDocument;
  meta: FlowMeta;
  save: (input: SaveInput) => Promise<SaveResult>;
  /** Quiet time after the last change before saving (default 1 s). */
  delayMs?: number;
  /** Wait before retrying after a network failure (default 3 s). */
  retryMs?: number;
  timers?: {
    set: (fn: () => void, ms: number) => unknown;
    clear: (handle: unknown) => void;
  };
};

type Content = { document: FlowDocument; meta: FlowMeta };

const sameMeta = (a: FlowMeta, b: FlowMeta) => a.name === b.name && a.description === b.description;

/**
 * Autosave of one flow's draft: saves a second after the last change (and at once on `flush`, which the
 * builder calls on blur, on leaving and before publishing), one request at a time, always with the
 * revision it last saw. A stale revision is never overwritten: the saver stops in `conflict` until the
 * user reloads their colleague's version or saves theirs as a copy (`reset`).
 */
export class DraftSaver {
  private revision: number;
  private saved: Content;
  private current: Content;
  private refused: Content | null = null;
  private inFlight: Promise<boolean> | null = null;
  private timer: unknown = null;
  private status: SaveStatus;
  private readonly listeners = new Set<() => void>();
  private readonly options: Required<Omit<DraftSaverOptions, 'revision' | 'document' | 'meta'>>;

  constructor(options: DraftSaverOptions) {
    this.revision = options.revision;
    this.saved = { document: options.document, meta: options.meta };
    this.current = this.saved;
    this.status = { kind: 'saved', revision: options.revision };
    this.options = {
      save: options.save,
      delayMs: options.delayMs ?? 1000,
      retryMs: options.retryMs ?? 3000,
      timers: options.timers ?? {
        set: (fn, ms) => setTimeout(fn, ms),
        clear: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
      },
    };
  }

  readonly subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  readonly getStatus = (): SaveStatus => this.status;

  get currentRevision(): number {
    return this.revision;
  }

  /** True while there is something not yet saved (or being saved). */
  get dirty(): boolean {
    return this.inFlight !== null || this.isDirty();
  }

  private isDirty(): boolean {
    return this.current.document !== this.saved.document || !sameMeta(this.current.meta, this.saved.meta);
  }

  private setStatus(status: SaveStatus): void {
    this.status = status;
    for (const listener of this.listeners) listener();
  }

  private schedule(ms: number): void {
    this.cancelTimer();
    this.timer = this.options.timers.set(() => {
      this.timer = null;
      void this.flush();
    }, ms);
  }

  private cancelTimer(): void {
    if (this.timer !== null) this.options.timers.clear(this.timer);
    this.timer = null;
  }

  /** The builder's content changed: save it after the quiet time. */
  changed(document: FlowDocument, meta: FlowMeta): void {
    this.current = { document, meta };
    if (this.status.kind === 'conflict') return;
    if (!this.isDirty()) {
      if (this.inFlight === null && this.status.kind === 'dirty') {
        this.cancelTimer();
        this.setStatus({ kind: 'saved', revision: this.revision });
      }
      return;
    }
    if (this.inFlight === null) this.setStatus({ kind: 'dirty', revision: this.revision });
    this.schedule(this.options.delayMs);
  }

  /**
   * Saves now (after any save in flight) until nothing is left to save; resolves true when everything
   * is saved, false on a conflict or a failure.
   */
  async flush(): Promise<boolean> {
    this.cancelTimer();
    for (;;) {
      if (this.inFlight) {
        await this.inFlight;
        continue;
      }
      if (this.status.kind === 'conflict') return false;
      if (!this.isDirty()) return true;
      if (
        this.refused &&
        this.refused.document === this.current.document &&
        sameMeta(this.refused.meta, this.current.meta)
      ) {
        return false;
      }
      if (!(await this.saveNow())) return false;
    }
  }

  private saveNow(): Promise<boolean> {
    const content = this.current;
    const input: SaveInput = { revision: this.revision, document: content.document };
    if (content.meta.name !== this.saved.meta.name) input.name = content.meta.name;
    if (content.meta.description !== this.saved.meta.description)
      input.description = content.meta.description;
    this.setStatus({ kind: 'saving', revision: this.revision });
    const request = this.options
      .save(input)
      .catch(
        (error: unknown): SaveResult => ({
          ok: false,
          kind: 'network',
          message: error instanceof Error ? error.message : String(error),
        }),
      )
      .then((result) => {
        this.inFlight = null;
        if (result.ok) {
          this.revision = result.revision;
          this.saved = content;
          this.refused = null;
          if (this.isDirty()) {
            this.setStatus({ kind: 'dirty', revision: this.revision });
            this.schedule(this.options.delayMs);
          } else this.setStatus({ kind: 'saved', revision: this.revision });
          return true;
        }
        if (result.kind === 'conflict') {
          this.cancelTimer();
          this.setStatus({ kind: 'conflict', revision: this.revision, conflict: result.conflict });
          return false;
        }
        if (result.kind === 'network') {
          this.setStatus({ kind: 'error', revision: this.revision, message: result.message, retrying: true });
          this.schedule(this.options.retryMs);
          return false;
        }
        this.refused = content;
        this.setStatus({ kind: 'error', revision: this.revision, message: result.message, retrying: false });
        return false;
      });
    this.inFlight = request;
    return request;
  }

  /** Starts over from a draft loaded from the server (after reloading a colleague's version). */
  reset(revision: number, document: FlowDocument, meta: FlowMeta): void {
    this.cancelTimer();
    this.revision = revision;
    this.saved = { document, meta };
    this.current = this.saved;
    this.refused = null;
    this.setStatus({ kind: 'saved', revision });
  }
}

/** The save status in words, for the toolbar. */
export function describeStatus(status: SaveStatus): string {
  switch (status.kind) {
    case 'saved':
      return `Saved · revision ${status.revision}`;
    case 'saving':
      return 'Saving…';
    case 'dirty':
      return 'Unsaved changes';
    case 'error':
      return status.retrying ? 'Not saved — retrying…' : `Not saved: ${status.message}`;
    case 'conflict':
      return 'Not saved — someone else saved this flow';
  }
}
