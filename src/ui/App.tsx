/**
 * The workspace, like a trace viewer or a debugger: a header that never
 * scrolls away (pickers, step controls, the outcome), the timeline across the
 * top, the task panels and a dock of views (kernel state first) side by side
 * below it. The page itself never scrolls: each region scrolls inside itself,
 * so nothing moves the window but the user.
 */
import { useMemo, useState } from 'react';
import { Notice, SchedulerBar, StepControls } from './Controls.tsx';
import { CopyLink } from './CopyLink.tsx';
import { ShortcutHelp, useShortcuts } from './Keyboard.tsx';
import { LiveRegion } from './LiveRegion.tsx';
import { OutcomeBanner } from './OutcomeBanner.tsx';
import { ScenarioPicker } from './ScenarioPicker.tsx';
import { useLinkSync } from './link-sync.ts';
import { FaultlineProvider, useFaultlineStore } from './store-context.tsx';
import type { FaultlineStoreApi } from '../store/faultline.ts';
import { TaskPanels } from './TaskPanels.tsx';
import { TimelinePanel } from './timeline/TimelinePanel.tsx';
import { Dock } from './workspace/Dock.tsx';
import { dockViews } from './workspace/panels.tsx';
import './workspace/workspace.css';

function Page() {
  const [help, setHelp] = useShortcuts();
  const [view, setView] = useState('kernel');
  const views = useMemo(() => dockViews(setView), []);
  useLinkSync(useFaultlineStore());
  return (
    <div className="app">
      <header className="app-header">
        <div className="header-row">
          <h1 title="Page faults racing with locks in the Linux kernel, one atomic kernel step at a time. You are the scheduler.">Faultline</h1>
          <ScenarioPicker onEdit={() => setView('editor')} />
          <span className="header-tools">
            <CopyLink />
            <button type="button" onClick={() => setHelp(!help)} aria-label="Keyboard shortcuts" title="Keyboard shortcuts (?)">
              ?
            </button>
          </span>
        </div>
        <div className="header-row">
          <StepControls />
          <OutcomeBanner />
        </div>
        <Notice />
      </header>
      <main className="workspace">
        <TimelinePanel />
        <div className="workspace-lower">
          <section className="tasks-pane" aria-label="Tasks">
            <SchedulerBar />
            <TaskPanels />
          </section>
          <Dock views={views} active={view} onActivate={setView} />
        </div>
      </main>
      {help && <ShortcutHelp onClose={() => setHelp(false)} />}
      <LiveRegion />
    </div>
  );
}

export function App({ store }: { store: FaultlineStoreApi }) {
  return (
    <FaultlineProvider store={store}>
      <Page />
    </FaultlineProvider>
  );
}
