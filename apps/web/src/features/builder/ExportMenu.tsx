import type { FlowDocument } from '@stepwise/flow';
import { ChevronDown, Download } from 'lucide-react';
import { useEffect, useId, useRef, useState } from 'react';
import { toast } from 'sonner';
import { webNodeKinds } from '../../kinds/registry.tsx';
import { errorMessage, useTRPCClient } from '../../trpc.ts';
import { downloadBlob, fileNameFor, flowSvg, resolvedKindColors, svgToPng } from './flowImage.ts';
import { downloadDocument } from './importExport.ts';

/**
 * The builder's (and a version's) Export menu: the Stepwise flow file, BPMN 2.0 for other modelers, and
 * pictures of the flow with a legend for documentation (PNG, SVG). A menu button: arrow keys move
 * between the items, Escape closes it and gives the focus back.
 */
export function ExportMenu({
  document,
  name,
  flowId,
  versionId,
  beforeBpmn,
}: {
  document: FlowDocument;
  name: string;
  flowId: string;
  /** Export this version; absent: the draft. */
  versionId?: string;
  /** Runs before the BPMN export (the builder saves the draft, so the server exports what is on screen). */
  beforeBpmn?: () => Promise<boolean>;
}) {
  const client = useTRPCClient();
  const [open, setOpen] = useState(false);
  const menuId = useId();
  const button = useRef<HTMLButtonElement>(null);
  const list = useRef<HTMLDivElement>(null);

  useEffect(() => {
    if (!open) return;
    list.current?.querySelector('button')?.focus();
    const onDown = (event: PointerEvent) => {
      if (!list.current?.parentElement?.contains(event.target as Node)) setOpen(false);
    };
    window.addEventListener('pointerdown', onDown);
    return () => window.removeEventListener('pointerdown', onDown);
  }, [open]);

  const close = () => {
    setOpen(false);
    button.current?.focus();
  };
  const picture = () =>
    flowSvg(document, {
      title: name,
      colors: resolvedKindColors(
        Object.fromEntries(Object.entries(webNodeKinds).map(([k, v]) => [k, v.colors])) as Parameters<
          typeof resolvedKindColors
        >[0],
        window.document.documentElement,
      ),
    });
  const run = async (what: 'json' | 'bpmn' | 'png' | 'svg') => {
    close();
    try {
      if (what === 'json') downloadDocument(document, name);
      else if (what === 'svg')
        downloadBlob(new Blob([picture()], { type: 'image/svg+xml' }), fileNameFor(name, 'svg'));
      else if (what === 'png') downloadBlob(await svgToPng(picture()), fileNameFor(name, 'png'));
      else {
        if (beforeBpmn && !(await beforeBpmn())) {
          toast.error('Save the draft before exporting it as BPMN.');
          return;
        }
        const result = await client.interop.exportBpmn.query({ flowId, versionId });
        downloadBlob(new Blob([result.xml], { type: 'application/xml' }), fileNameFor(result.name, 'bpmn'));
      }
    } catch (error) {
      toast.error(`Could not export: ${errorMessage(error)}`);
    }
  };
  const items: Array<{ what: 'json' | 'bpmn' | 'png' | 'svg'; label: string }> = [
    { what: 'json', label: 'Stepwise flow (.json)' },
    { what: 'bpmn', label: 'BPMN 2.0 (.bpmn)' },
    { what: 'png', label: 'Picture (.png)' },
    { what: 'svg', label: 'Picture (.svg)' },
  ];
  return (
    <div className="export-menu">
      <button
        ref={button}
        type="button"
        className="btn btn-ghost btn-small"
        aria-haspopup="menu"
        aria-expanded={open}
        aria-controls={open ? menuId : undefined}
        onClick={() => setOpen(!open)}
        title="Download the flow as a file or a picture"
      >
        <Download size={15} aria-hidden="true" /> Export <ChevronDown size={13} aria-hidden="true" />
      </button>
      {open && (
        <div
          ref={list}
          id={menuId}
          role="menu"
          aria-label="Export as"
          className="export-menu-list"
          onKeyDown={(event) => {
            const buttons = [...(list.current?.querySelectorAll('button') ?? [])];
            const at = buttons.indexOf(window.document.activeElement as HTMLButtonElement);
            if (event.key === 'Escape') {
              event.preventDefault();
              event.stopPropagation();
              close();
            } else if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
              event.preventDefault();
              const next = (at + (event.key === 'ArrowDown' ? 1 : buttons.length - 1)) % buttons.length;
              buttons[next]?.focus();
            } else if (event.key === 'Tab') setOpen(false);
          }}
        >
          {items.map((item) => (
            <button key={item.what} type="button" role="menuitem" onClick={() => void run(item.what)}>
              {item.label}
            </button>
          ))}
        </div>
      )}
    </div>
  );
}
