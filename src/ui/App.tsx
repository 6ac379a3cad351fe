import { useId, useState } from 'react';
import { ComparePanel } from './compare/ComparePanel.tsx';
import { Controls } from './Controls.tsx';
import { ScenarioEditor } from './editor/ScenarioEditor.tsx';
import { ExplorePanel } from './explore/ExplorePanel.tsx';
import { ExportBar } from './exports/ExportBar.tsx';
import { WaitForGraph } from './graph/WaitForGraph.tsx';
import { KernelInspector } from './inspector/KernelInspector.tsx';
import { LockOrderGraph } from './lockdep/LockOrderGraph.tsx';
import { ImportLockdepPanel } from './lockdep-import/ImportLockdepPanel.tsx';
import { ShortcutHelp, useShortcuts } from './Keyboard.tsx';
import { LiveRegion } from './LiveRegion.tsx';
import { OutcomeBanner } from './OutcomeBanner.tsx';
import { ScenarioPicker } from './ScenarioPicker.tsx';
import { StatechartView } from './statechart/StatechartView.tsx';
import { useLinkSync } from './link-sync.ts';
import { FaultlineProvider, useFaultline, useFaultlineStore } from './store-context.tsx';
import type { FaultlineStoreApi } from '../store/faultline.ts';
import { TaskPanels } from './TaskPanels.tsx';
import { TimelinePanel } from './timeline/TimelinePanel.tsx';

/** The statechart of one task at a time; the choice follows the scenario's tasks. */
function StatechartPanel() {
  const tasks = useFaultline((s) => s.scenario.tasks);
  const scenarioId = useFaultline((s) => s.scenario.id);
  const [chosen, setChosen] = useState<{ scenario: string; pid: number } | null>(null);
  const pid = chosen !== null && chosen.scenario === scenarioId ? chosen.pid : (tasks[0]?.pid ?? 0);
  const id = useId();
  return (
    <section className="statechart-panel" aria-label="Statechart">
      <label htmlFor={id}>Statechart of</label>{' '}
      <select id={id} value={pid} onChange={(e) => setChosen({ scenario: scenarioId, pid: Number(e.target.value) })}>
        {tasks.map((t) => (
          <option key={t.pid} value={t.pid}>
            pid {t.pid}
          </option>
        ))}
      </select>
      <StatechartView pid={pid} />
    </section>
  );
}

function Page() {
  const [help, setHelp] = useShortcuts();
  // Mounted on first use and then only hidden, so closing the editor keeps the draft.
  const [editor, setEditor] = useState<'never' | 'open' | 'closed'>('never');
  useLinkSync(useFaultlineStore());
  return (
    <div className="app">
      <header className="app-header">
        <h1>Faultline</h1>
        <p className="tagline">
          Page faults racing with locks in the Linux kernel, one atomic kernel step at a time. You are the scheduler: step a task, or press <kbd>?</kbd> for
          shortcuts.
        </p>
      </header>
      <main className="app-main">
        <div className="intro">
          <ScenarioPicker />
          <ExportBar onEdit={() => setEditor('open')} />
          {editor !== 'never' && (
            <div hidden={editor === 'closed'}>
              <ScenarioEditor onClose={() => setEditor('closed')} />
            </div>
          )}
          <OutcomeBanner />
          <ImportLockdepPanel />
        </div>
        <Controls />
        <ExplorePanel />
        <TimelinePanel />
        <ComparePanel />
        <div className="columns">
          <div className="column-left">
            <TaskPanels />
          </div>
          <div className="column-right">
            <WaitForGraph />
            <LockOrderGraph />
            <StatechartPanel />
            <KernelInspector />
          </div>
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
