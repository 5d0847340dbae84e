// Declarations for two libraries interop uses. bpmn-moddle 10 ships declarations that point at files its package leaves out; interop needs only the
// constructor (the methods it calls are typed in bpmnModel.ts).
declare module 'bpmn-moddle' {
  export class BpmnModdle {
    constructor(packages?: Record<string, unknown>);
  }
}

// saxen 11 ships no declarations: the part of its API the draw.io importer uses.
declare module 'saxen' {
  export class Parser {
    constructor(options?: { proxy?: boolean });
    // biome-ignore lint/complexity/noBannedTypes: saxen calls each hook with its own arguments
    on(event: string, handler: Function): void;
    parse(xml: string): void;
  }
}
