import { type ComponentType, lazy } from 'react';

/**
 * A page loaded with its route: the first page carries only the code it shows, and each other page
 * comes as its own file when it is first opened. A page whose file cannot be fetched (offline, or a new
 * release replaced the files while this tab was open) shows a way out instead of a blank screen.
 */
export function lazyPage<M extends Record<K, ComponentType>, K extends keyof M & string>(
  load: () => Promise<M>,
  name: K,
) {
  return lazy<ComponentType>(() =>
    load().then(
      (module) => ({ default: module[name] as ComponentType }),
      () => ({ default: PageLoadFailed }),
    ),
  );
}

function PageLoadFailed() {
  return (
    <div className="state state-error" role="alert">
      <span>This page could not be loaded — Stepwise may have been updated, or the connection dropped.</span>{' '}
      <button type="button" className="btn" onClick={() => window.location.reload()}>
        Reload
      </button>
    </div>
  );
}
