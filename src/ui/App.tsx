import { Controls } from './Controls.tsx';
import { ShortcutHelp, useShortcuts } from './Keyboard.tsx';
import { LiveRegion } from './LiveRegion.tsx';
import { OutcomeBanner } from './OutcomeBanner.tsx';
import { ScenarioPicker } from './ScenarioPicker.tsx';
import { FaultlineProvider } from './store-context.tsx';
import { TaskPanels } from './TaskPanels.tsx';

function Page() {
  const [help, setHelp] = useShortcuts();
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
        <div className="column">
          <ScenarioPicker />
          <OutcomeBanner />
          <Controls />
          <TaskPanels />
        </div>
      </main>
      {help && <ShortcutHelp onClose={() => setHelp(false)} />}
      <LiveRegion />
    </div>
  );
}

export function App() {
  return (
    <FaultlineProvider>
      <Page />
    </FaultlineProvider>
  );
}
