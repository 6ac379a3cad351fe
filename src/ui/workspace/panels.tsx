/**
 * The views of the dock, in tab order. To add one (an importer, another
 * graph): write its component, scrolling nothing but itself, and add an
 * entry here; `id` is what `open(id)` and the tab use, `title` the tab's
 * text and the panel's accessible name. The first entry is the view the page
 * opens on: the kernel state, so it stays in view while the user steps.
 */
import { useId } from 'react';
import { ComparePanel } from '../compare/ComparePanel.tsx';
import { ScenarioEditor } from '../editor/ScenarioEditor.tsx';
import { ExplorePanel } from '../explore/ExplorePanel.tsx';
import { ExportPanel } from '../exports/ExportPanel.tsx';
import { WaitForGraph } from '../graph/WaitForGraph.tsx';
import { KernelInspector } from '../inspector/KernelInspector.tsx';
import { LockOrderGraph } from '../lockdep/LockOrderGraph.tsx';
import { ImportLockdepPanel } from '../lockdep-import/ImportLockdepPanel.tsx';
import { ScenarioInfo } from '../ScenarioInfo.tsx';
import { StatechartView } from '../statechart/StatechartView.tsx';
import { useFaultline } from '../store-context.tsx';
import type { DockView } from './Dock.tsx';

/** The statechart of one task at a time; a link keeps which. */
function StatechartPanel() {
  const tasks = useFaultline((s) => s.scenario.tasks);
  const chosen = useFaultline((s) => s.statechartPid);
  const showStatechart = useFaultline((s) => s.showStatechart);
  const pid = chosen ?? tasks[0]?.pid ?? 0;
  const id = useId();
  return (
    <section className="statechart-panel" aria-label="Statechart">
      <label htmlFor={id}>Statechart of</label>{' '}
      <select id={id} value={pid} onChange={(e) => showStatechart(Number(e.target.value))}>
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

/** `open` switches the dock to another view (the editor's Close goes back to the kernel state). */
export function dockViews(open: (id: string) => void): readonly DockView[] {
  return [
    { id: 'kernel', title: 'Kernel state', render: () => <KernelInspector /> },
    { id: 'scenario', title: 'Story & sources', render: () => <ScenarioInfo /> },
    { id: 'waits', title: 'Wait-for graph', render: () => <WaitForGraph /> },
    { id: 'lockdep', title: 'Lock order', render: () => <LockOrderGraph /> },
    { id: 'import-lockdep', title: 'Import lockdep', render: () => <ImportLockdepPanel /> },
    { id: 'statechart', title: 'Statechart', render: () => <StatechartPanel /> },
    { id: 'explore', title: 'Explore', render: () => <ExplorePanel /> },
    { id: 'compare', title: 'Compare', render: () => <ComparePanel /> },
    { id: 'editor', title: 'Editor', render: () => <ScenarioEditor onClose={() => open('kernel')} /> },
    { id: 'export', title: 'Export', render: () => <ExportPanel /> },
  ];
}
