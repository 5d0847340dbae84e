import type { TeamRef } from '@stepwise/flow';
import { importBpmn } from './bpmnImport.ts';
import { importDrawio } from './drawioImport.ts';
import { type ImportOutcome, refuse } from './importResult.ts';

export const DIAGRAM_FORMATS = ['bpmn', 'drawio'] as const;
export type DiagramFormat = (typeof DIAGRAM_FORMATS)[number];

/** Which format a file is, by its content: BPMN has `<definitions>`, draw.io `<mxfile>` or `<mxGraphModel>`. */
export function detectFormat(text: string): DiagramFormat | null {
  const head = text.slice(0, 4096);
  if (/<([A-Za-z_][\w.-]*:)?definitions[\s>]/.test(head)) return 'bpmn';
  if (/<mxfile[\s>]|<mxGraphModel[\s>]/.test(head)) return 'drawio';
  return null;
}

/**
 * Reads a diagram file (BPMN 2.0 XML or draw.io) into a flow document and an import report. `format`
 * absent: told by the content. Never throws; a file that cannot be read is refused with problems.
 */
export async function importDiagram(
  text: string,
  options: { format?: DiagramFormat; teams?: readonly TeamRef[] } = {},
): Promise<ImportOutcome> {
  const format = options.format ?? detectFormat(text);
  if (format === null) {
    return refuse(
      'UNKNOWN_FORMAT',
      'The file is neither BPMN 2.0 XML nor a draw.io diagram. Export BPMN 2.0 from your modeler, or save the diagram from draw.io (.drawio or .xml).',
    );
  }
  const teams = options.teams ?? [];
  return format === 'bpmn' ? importBpmn(text, { teams }) : importDrawio(text, { teams });
}
