import { Parser } from 'saxen';

/** An XML element as the draw.io importer reads it: name, attributes (entities decoded), children. */
export type XmlElement = {
  name: string;
  attrs: Record<string, string>;
  children: XmlElement[];
  text: string;
};

export class XmlError extends Error {}

/**
 * Parses XML into a tree with saxen (the bpmn.io SAX parser under bpmn-moddle): no DTDs, no external
 * entities, nothing fetched. Stops with an `XmlError` on malformed XML or past `maxElements` elements.
 */
export function parseXml(xml: string, maxElements = 50_000): XmlElement {
  const parser = new Parser();
  const root: XmlElement = { name: '#document', attrs: {}, children: [], text: '' };
  const stack: XmlElement[] = [root];
  let count = 0;
  parser.on(
    'openTag',
    (
      name: string,
      getAttrs: () => Record<string, string>,
      decode: (s: string) => string,
      selfClosing: boolean,
    ) => {
      if (++count > maxElements) throw new XmlError(`more than ${maxElements} elements`);
      const raw = getAttrs();
      const attrs: Record<string, string> = Object.create(null);
      for (const key of Object.keys(raw)) {
        const value = raw[key];
        if (typeof value === 'string') attrs[key] = decode(value);
      }
      const element: XmlElement = { name, attrs, children: [], text: '' };
      stack[stack.length - 1]!.children.push(element);
      if (!selfClosing) stack.push(element);
    },
  );
  parser.on('closeTag', (_name: string, _decode: unknown, selfClosing: boolean) => {
    if (!selfClosing) stack.pop();
  });
  parser.on('text', (text: string, decode: (s: string) => string) => {
    const top = stack[stack.length - 1]!;
    if (top.text.length < 2_000_000) top.text += decode(text);
  });
  parser.on('cdata', (text: string) => {
    const top = stack[stack.length - 1]!;
    if (top.text.length < 2_000_000) top.text += text;
  });
  parser.on('error', (error: Error) => {
    throw new XmlError(error.message.split('\n')[0] ?? 'malformed XML');
  });
  parser.parse(xml);
  if (stack.length !== 1) throw new XmlError('an element is not closed');
  return root;
}

/** The first child element called `name` (depth-first), if any. */
export function findElement(element: XmlElement, name: string, depth = 0): XmlElement | undefined {
  if (depth > 64) return undefined;
  for (const child of element.children) {
    if (child.name === name) return child;
    const found = findElement(child, name, depth + 1);
    if (found) return found;
  }
  return undefined;
}
