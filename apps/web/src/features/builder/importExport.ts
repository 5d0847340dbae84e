import { type FlowDocument, parseFlowDocument } from '@stepwise/flow';

export type ImportProblem = { code: string; message: string };
export type ImportResult = { ok: true; document: FlowDocument } | { ok: false; problems: ImportProblem[] };

/** A file name for a flow's export: `refund-request.flow.json`. */
export function exportFileName(name: string): string {
  const slug = name
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60);
  return `${slug || 'flow'}.flow.json`;
}

/** The exported text of a document: the document itself, as JSON (what import reads back). */
export function exportText(document: FlowDocument): string {
  return `${JSON.stringify(document, null, 2)}\n`;
}

/** Offers the document as a `.json` download. */
export function downloadDocument(document: FlowDocument, name: string): void {
  const blob = new Blob([exportText(document)], { type: 'application/json' });
  const url = URL.createObjectURL(blob);
  const link = window.document.createElement('a');
  link.href = url;
  link.download = exportFileName(name);
  link.style.display = 'none';
  window.document.body.append(link);
  link.click();
  link.remove();
  // Give the browser a moment to start the download before the URL goes away.
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/** The most a flow file can be: the API's request bound (1 MiB). */
export const MAX_IMPORT_BYTES = 1024 * 1024;

/**
 * Reads an imported file: JSON, then `parseFlowDocument` (migrating older schema versions). Returns the
 * document, or every problem found — never part of a document.
 */
export function importText(text: string): ImportResult {
  if (text.length > MAX_IMPORT_BYTES) {
    return {
      ok: false,
      problems: [
        {
          code: 'TOO_LARGE',
          message: 'The file is larger than 1 MiB: it cannot be a flow of this workspace.',
        },
      ],
    };
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return {
      ok: false,
      problems: [
        {
          code: 'NOT_JSON',
          message: `The file is not JSON (${error instanceof Error ? error.message : 'unreadable'}). Export a flow from Stepwise to get a file to import.`,
        },
      ],
    };
  }
  const parsed = parseFlowDocument(value);
  if (!parsed.ok)
    return { ok: false, problems: parsed.issues.map((i) => ({ code: i.code, message: i.message })) };
  return { ok: true, document: parsed.document };
}
