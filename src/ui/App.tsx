import { ReplayView } from './ReplayView.tsx';

export function App() {
  return (
    <div className="app">
      <header className="app-header">
        <h1>Faultline</h1>
        <p className="tagline">Page faults racing with locks in the Linux kernel, one atomic kernel step at a time.</p>
      </header>
      <main className="app-main">
        <ReplayView />
      </main>
    </div>
  );
}
