export function App() {
  return (
    <div className="app">
      <header className="app-header">
        <h1>Faultline</h1>
        <p className="tagline">
          Page faults racing with locks in the Linux kernel, one atomic kernel step at a time.
        </p>
      </header>
      <main className="app-main">
        <p>
          Pick a scenario, become the scheduler, and watch where a read into an mmap of the same
          gfs2 file BUGs on a recursive glock, where two O_DIRECT readers deadlock, or where a DAX
          fault loses its race with truncate.
        </p>
      </main>
    </div>
  );
}
