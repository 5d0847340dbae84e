import { AlertTriangle, Info, X } from 'lucide-react';
import type { ReactNode } from 'react';

/** An inline banner for things the user must notice (a conflict, a failed save). */
export function Notice({
  tone,
  children,
  onDismiss,
}: {
  tone: 'warning' | 'danger' | 'info';
  children: ReactNode;
  onDismiss?: () => void;
}) {
  const Icon = tone === 'info' ? Info : AlertTriangle;
  return (
    <div className={`notice notice-${tone}`} role={tone === 'info' ? 'status' : 'alert'}>
      <Icon size={18} aria-hidden="true" className="notice-icon" />
      <div className="notice-body">{children}</div>
      {onDismiss && (
        <button type="button" className="icon-btn" onClick={onDismiss} aria-label="Dismiss notice">
          <X size={16} aria-hidden="true" />
        </button>
      )}
    </div>
  );
}
