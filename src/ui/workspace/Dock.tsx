/**
 * The workspace's dock: the views beside the task panels, one at a time,
 * as tabs (WAI-ARIA tabs: ←/→ move between them, Home/End to the ends).
 * A view is mounted the first time its tab is opened and then only hidden,
 * so an editor draft, an exploration or a comparison survives switching
 * tabs. Each view scrolls inside its own panel, never the window.
 *
 * The views and their order are data (panels.tsx): adding one is adding an
 * entry there.
 */
import { useId, useRef, useState, type KeyboardEvent, type ReactNode } from 'react';

export interface DockView {
  /** Stable id: the tab's key, and what `open` is called with. */
  readonly id: string;
  /** The tab's text and the panel's accessible name. */
  readonly title: string;
  readonly render: () => ReactNode;
}

export function Dock({ views, active, onActivate }: { views: readonly DockView[]; active: string; onActivate: (id: string) => void }) {
  const base = useId();
  const [opened, setOpened] = useState<ReadonlySet<string>>(() => new Set([active]));
  const tabs = useRef(new Map<string, HTMLButtonElement>());
  if (!opened.has(active)) setOpened(new Set([...opened, active]));

  const onKeyDown = (event: KeyboardEvent<HTMLButtonElement>, index: number) => {
    const last = views.length - 1;
    const to = event.key === 'ArrowRight' ? (index === last ? 0 : index + 1) : event.key === 'ArrowLeft' ? (index === 0 ? last : index - 1) : event.key === 'Home' ? 0 : event.key === 'End' ? last : null;
    if (to === null) return;
    // The page's own ←/→ (back/forward one step) must not fire as well.
    event.preventDefault();
    event.stopPropagation();
    const view = views[to];
    if (view === undefined) return;
    onActivate(view.id);
    tabs.current.get(view.id)?.focus();
  };

  return (
    <div className="dock">
      <div className="dock-tabs" role="tablist" aria-label="Views">
        {views.map((view, index) => (
          <button
            key={view.id}
            ref={(node) => {
              if (node === null) tabs.current.delete(view.id);
              else tabs.current.set(view.id, node);
            }}
            type="button"
            role="tab"
            id={`${base}-tab-${view.id}`}
            aria-controls={`${base}-panel-${view.id}`}
            aria-selected={view.id === active}
            tabIndex={view.id === active ? 0 : -1}
            className="dock-tab"
            onClick={() => onActivate(view.id)}
            onKeyDown={(e) => onKeyDown(e, index)}
          >
            {view.title}
          </button>
        ))}
      </div>
      {views.map((view) => (
        <div key={view.id} role="tabpanel" id={`${base}-panel-${view.id}`} aria-labelledby={`${base}-tab-${view.id}`} className="dock-panel" hidden={view.id !== active}>
          {opened.has(view.id) && view.render()}
        </div>
      ))}
    </div>
  );
}
