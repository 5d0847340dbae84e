import { type ReactNode, useMemo } from 'react';
import { type Block, type Inline, parseMarkdown } from './markdown.ts';

function renderInline(nodes: Inline[]): ReactNode[] {
  return nodes.map(renderNode);
}

function renderNode(node: Inline): ReactNode {
  switch (node.kind) {
    case 'text':
      return <span key={node.key}>{node.text}</span>;
    case 'code':
      return <code key={node.key}>{node.text}</code>;
    case 'strong':
      return <strong key={node.key}>{renderInline(node.children)}</strong>;
    case 'em':
      return <em key={node.key}>{renderInline(node.children)}</em>;
    case 'link':
      return (
        <a key={node.key} href={node.href} target="_blank" rel="noopener noreferrer">
          {renderInline(node.children)}
        </a>
      );
  }
}

function renderBlock(block: Block): ReactNode {
  switch (block.kind) {
    case 'paragraph':
      return <p key={block.key}>{renderInline(block.children)}</p>;
    case 'heading': {
      const Tag = block.level === 1 ? 'h3' : block.level === 2 ? 'h4' : 'h5';
      return <Tag key={block.key}>{renderInline(block.children)}</Tag>;
    }
    case 'list': {
      const items = block.items.map((item) => <li key={item.key}>{renderInline(item.children)}</li>);
      return block.ordered ? <ol key={block.key}>{items}</ol> : <ul key={block.key}>{items}</ul>;
    }
  }
}

/** Renders the safe Markdown subset of `markdown.ts`; raw HTML in the source shows as text. */
export function Markdown({ source, className }: { source: string; className?: string }) {
  const blocks = useMemo(() => parseMarkdown(source), [source]);
  return <div className={className ? `markdown ${className}` : 'markdown'}>{blocks.map(renderBlock)}</div>;
}
