import { type FlowDocument, type NodeType, kindLabel, NODE_TYPES, nameOf, outputLabel } from '@stepwise/flow';

/** The colours of one kind in a picture: concrete values (a file has no page styles to resolve from). */
export type KindColors = Record<NodeType, { fg: string; bg: string; border: string }>;

const NODE_W = 200;
const NODE_H = 64;
const PAD = 40;
const LEGEND_ROW = 22;

function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) =>
    c === '<' ? '&lt;' : c === '>' ? '&gt;' : c === '&' ? '&amp;' : c === '"' ? '&quot;' : '&apos;',
  );
}

/** A label cut to fit a node's width (about 26 characters at 13px), with an ellipsis. */
function fit(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length <= max ? flat : `${flat.slice(0, max - 1)}…`;
}

/**
 * A flow as a standalone SVG picture for documentation: every node as a box in its kind's colours with
 * its kind and name, every connection with its output's label, the notes, the title and a legend of
 * the kinds it uses. Pure: the same document and colours give the same file.
 */
export function flowSvg(document: FlowDocument, options: { title: string; colors: KindColors }): string {
  const { colors } = options;
  const xs = [...document.nodes.map((n) => n.position.x), ...document.notes.map((n) => n.position.x)];
  const ys = [...document.nodes.map((n) => n.position.y), ...document.notes.map((n) => n.position.y)];
  const minX = xs.length > 0 ? Math.min(...xs) : 0;
  const minY = ys.length > 0 ? Math.min(...ys) : 0;
  const maxX = Math.max(
    minX + NODE_W,
    ...document.nodes.map((n) => n.position.x + NODE_W),
    ...document.notes.map((n) => n.position.x + (n.width ?? 200)),
  );
  const maxY = Math.max(
    minY + NODE_H,
    ...document.nodes.map((n) => n.position.y + NODE_H),
    ...document.notes.map((n) => n.position.y + (n.height ?? 60)),
  );
  const used = NODE_TYPES.filter((t) => document.nodes.some((n) => n.type === t));
  const titleH = 36;
  const legendH = used.length > 0 ? 30 + used.length * LEGEND_ROW : 0;
  const width = Math.max(maxX - minX + 2 * PAD, 320);
  const height = maxY - minY + 2 * PAD + titleH + legendH;
  const ox = PAD - minX;
  const oy = PAD + titleH - minY;
  const byId = new Map(document.nodes.map((n) => [n.id, n]));
  const parts: string[] = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="Inter, system-ui, sans-serif" role="img" aria-label="${escapeXml(options.title)}">`,
    `<title>${escapeXml(options.title)}</title>`,
    '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="8" markerHeight="8" orient="auto-start-reverse"><path d="M0 0 L10 5 L0 10 z" fill="#6b7280"/></marker></defs>',
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text x="${PAD}" y="${PAD + 6}" font-size="18" font-weight="600" fill="#111827">${escapeXml(fit(options.title, 90))}</text>`,
  );
  for (const note of document.notes) {
    const w = note.width ?? 200;
    const h = note.height ?? 60;
    const x = note.position.x + ox;
    const y = note.position.y + oy;
    parts.push(
      `<g class="note"><rect x="${x}" y="${y}" width="${w}" height="${h}" rx="4" fill="#fef9c3" stroke="#eab308"/>`,
      `<text x="${x + 8}" y="${y + 18}" font-size="12" fill="#713f12">${escapeXml(fit(note.text, Math.max(8, Math.floor(w / 7))))}</text></g>`,
    );
  }
  for (const edge of document.edges) {
    const source = byId.get(edge.source);
    const target = byId.get(edge.target);
    if (!source || !target) continue;
    const x1 = source.position.x + ox + NODE_W / 2;
    const y1 = source.position.y + oy + NODE_H;
    const x2 = target.position.x + ox + NODE_W / 2;
    const y2 = target.position.y + oy;
    const bend = Math.max(40, Math.abs(y2 - y1) / 2);
    parts.push(
      `<path class="edge" d="M${x1} ${y1} C${x1} ${y1 + bend} ${x2} ${y2 - bend} ${x2} ${y2}" fill="none" stroke="#6b7280" stroke-width="1.5" marker-end="url(#arrow)"/>`,
    );
    const label = edge.sourceHandle === 'next' ? '' : outputLabel(source, edge.sourceHandle);
    if (label !== '') {
      const lx = (x1 + x2) / 2;
      const ly = (y1 + y2) / 2;
      const text = escapeXml(fit(label, 24));
      parts.push(
        `<g class="edge-label"><rect x="${lx - text.length * 3.4 - 6}" y="${ly - 10}" width="${text.length * 6.8 + 12}" height="18" rx="9" fill="#ffffff" stroke="#d1d5db"/>`,
        `<text x="${lx}" y="${ly + 3}" font-size="11" text-anchor="middle" fill="#374151">${text}</text></g>`,
      );
    }
  }
  for (const node of document.nodes) {
    const c = colors[node.type];
    const x = node.position.x + ox;
    const y = node.position.y + oy;
    const name = nameOf(node) || kindLabel(node.type);
    parts.push(
      `<g class="node node-${node.type}"><rect x="${x}" y="${y}" width="${NODE_W}" height="${NODE_H}" rx="8" fill="${c.bg}" stroke="${c.border}" stroke-width="1.5"/>`,
      `<rect x="${x}" y="${y}" width="${NODE_W}" height="4" rx="2" fill="${c.border}"/>`,
      `<text x="${x + 12}" y="${y + 24}" font-size="11" font-weight="600" fill="${c.fg}">${escapeXml(kindLabel(node.type).toUpperCase())}</text>`,
      `<text x="${x + 12}" y="${y + 46}" font-size="13" fill="#111827">${escapeXml(fit(name, 26))}</text></g>`,
    );
  }
  if (used.length > 0) {
    const lx = PAD;
    const ly = height - legendH - PAD / 2 + 10;
    parts.push(
      `<g class="legend"><text x="${lx}" y="${ly + 6}" font-size="12" font-weight="600" fill="#374151">Legend</text>`,
    );
    used.forEach((type, i) => {
      const c = colors[type];
      const y = ly + 16 + i * LEGEND_ROW;
      parts.push(
        `<rect x="${lx}" y="${y}" width="14" height="14" rx="3" fill="${c.bg}" stroke="${c.border}" stroke-width="1.5"/>`,
        `<text x="${lx + 22}" y="${y + 11}" font-size="12" fill="#374151">${escapeXml(kindLabel(type))}</text>`,
      );
    });
    parts.push('</g>');
  }
  parts.push('</svg>');
  return parts.join('\n');
}

/** A file name for a picture or a BPMN file of a flow: `refund-request.png`. */
export function fileNameFor(name: string, extension: string): string {
  const slug = name
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60);
  return `${slug || 'flow'}.${extension}`;
}

/** Offers a blob as a download. */
export function downloadBlob(blob: Blob, fileName: string): void {
  const url = URL.createObjectURL(blob);
  const link = window.document.createElement('a');
  link.href = url;
  link.download = fileName;
  link.style.display = 'none';
  window.document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/** The SVG drawn on a canvas at `scale` (2: sharp on high-density screens and in documents), as PNG. */
export async function svgToPng(svg: string, scale = 2): Promise<Blob> {
  const size = /width="([\d.]+)" height="([\d.]+)"/.exec(svg);
  const width = Number(size?.[1] ?? 800);
  const height = Number(size?.[2] ?? 600);
  const image = new Image();
  const url = URL.createObjectURL(new Blob([svg], { type: 'image/svg+xml' }));
  try {
    await new Promise<void>((resolve, reject) => {
      image.onload = () => resolve();
      image.onerror = () => reject(new Error('the picture could not be drawn'));
      image.src = url;
    });
    const canvas = window.document.createElement('canvas');
    // Browsers refuse canvases past about 16k pixels a side: scale down a very large flow.
    const fitScale = Math.min(scale, 16_000 / width, 16_000 / height);
    canvas.width = Math.round(width * fitScale);
    canvas.height = Math.round(height * fitScale);
    const context = canvas.getContext('2d');
    if (!context) throw new Error('the browser cannot draw pictures here');
    context.scale(fitScale, fitScale);
    context.drawImage(image, 0, 0);
    return await new Promise<Blob>((resolve, reject) =>
      canvas.toBlob(
        (blob) => (blob ? resolve(blob) : reject(new Error('the picture could not be made'))),
        'image/png',
      ),
    );
  } finally {
    URL.revokeObjectURL(url);
  }
}

/** The kinds' colours with CSS variables (`var(--accent)`) resolved against the page. */
export function resolvedKindColors(
  colors: Record<NodeType, { fg: string; bg: string; border: string }>,
  root: Element,
): KindColors {
  const style = window.getComputedStyle(root);
  const resolve = (value: string) => {
    const variable = /^var\((--[\w-]+)\)$/.exec(value.trim());
    if (!variable) return value;
    return style.getPropertyValue(variable[1] as string).trim() || '#4b5563';
  };
  const out = {} as KindColors;
  for (const type of NODE_TYPES) {
    const c = colors[type];
    out[type] = { fg: resolve(c.fg), bg: resolve(c.bg), border: resolve(c.border) };
  }
  return out;
}
