/** One line of the import report the API sends with a BPMN or draw.io import. */
export type ImportNote = {
  severity: 'unmapped' | 'review';
  element: string;
  message: string;
  nodeId?: string;
};

/** What the file picker offers: Stepwise's own flow files, BPMN 2.0 and draw.io diagrams. */
export const IMPORT_ACCEPT = '.json,application/json,.bpmn,.bpmn20.xml,.drawio,.xml,text/xml,application/xml';
