/**
 * "Import lockdep report": paste a report (or read it from a file), and see
 * the chain as read beside the tasks made from it, what each lock class
 * became, and the explorer's verdict; one button opens the interleaving (or
 * the scenario, when nothing deadlocks) on the timeline. The work runs in a
 * Web Worker; the view model is src/scenarios/lockdep-import/view.ts, the
 * same the command line prints.
 *
 * Self-contained: it needs only the store (openView) and mounts anywhere.
 */
import { useEffect, useId, useRef, useState, type ChangeEvent } from 'react';
import type { ImportView } from '../../scenarios/lockdep-import/view.ts';
import { useFaultline } from '../store-context.tsx';
import type { ImportMessage, ImportRequest } from './protocol.ts';
import './lockdep-import.css';

type Run =
  | { readonly kind: 'idle' }
  | { readonly kind: 'running' }
  | { readonly kind: 'refused'; readonly message: string }
  | { readonly kind: 'done'; readonly message: Extract<ImportMessage, { type: 'done' }> };

function ChainList({ view }: { view: ImportView }) {
  return (
    <section className="import-part" aria-label="Parsed chain">
      <h3>{view.report.kind === 'circular' ? 'Dependency chain, as read' : 'The lock taken twice, as read'}</h3>
      <ol className="import-chain">
        {view.chain.map((c) => (
          <li key={`${c.label}-${c.line}`}>
            <span className="import-label">{c.label}</span> <code>{c.cls}</code> <span className="import-line">line {c.line}</span>
            <div className="import-how">{c.how}</div>
            {c.frames.length > 0 && <div className="import-frames">{c.frames.slice(0, 6).join(' ← ')}</div>}
          </li>
        ))}
      </ol>
    </section>
  );
}

function TaskList({ view }: { view: ImportView }) {
  return (
    <section className="import-part" aria-label="Synthesised tasks">
      <h3>Tasks made from it</h3>
      <ul className="import-tasks">
        {view.tasks.map((t) => (
          <li key={t.pid}>
            <strong>pid {t.pid}</strong> <span className="import-line">{t.from}; {t.lines}</span>
            <ol>
              {t.steps.map((s, i) => (
                <li key={i}>{s}</li>
              ))}
            </ol>
          </li>
        ))}
      </ul>
    </section>
  );
}

function MappingTable({ view }: { view: ImportView }) {
  return (
    <table className="import-mapping" aria-label="Mapped onto the model">
      <caption>What each lock class became</caption>
      <thead>
        <tr>
          <th scope="col">Lockdep class</th>
          <th scope="col">In the model</th>
          <th scope="col">Why</th>
        </tr>
      </thead>
      <tbody>
        {view.mapping.map((m) => (
          <tr key={`${m.cls}-${m.model}`}>
            <td>
              <code>{m.cls}</code>
            </td>
            <td>{m.model}</td>
            <td>{m.why}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function Result({ message, onOpen }: { message: Extract<ImportMessage, { type: 'done' }>; onOpen: () => void }) {
  const { view } = message;
  const r = view.report;
  return (
    <div className="import-result">
      <p className="import-report">
        Read: {r.title}, {r.form}
        {r.release !== null ? `, ${r.release}` : ''}
        {r.task !== null ? `, task ${r.task}` : ''} (line {r.line}).
      </p>
      {r.notes.length > 0 && (
        <ul className="import-notes" aria-label="What the reader skipped">
          {r.notes.map((n, i) => (
            <li key={i}>{n}</li>
          ))}
        </ul>
      )}
      <div className="import-columns">
        <ChainList view={view} />
        <TaskList view={view} />
      </div>
      <MappingTable view={view} />
      {view.notes.length > 0 && (
        <ul className="import-notes" aria-label="Choices and omissions">
          {view.notes.map((n, i) => (
            <li key={i}>{n}</li>
          ))}
        </ul>
      )}
      <section className={`import-verdict import-verdict-${view.verdict.kind}`} aria-label="Verdict">
        <h3>Verdict</h3>
        <p className="import-headline">{view.verdict.headline}</p>
        {view.verdict.details.map((d, i) => (
          <p key={i}>{d}</p>
        ))}
        <button type="button" onClick={onOpen}>
          {message.deadlock ? 'Open the deadlocking interleaving on the timeline' : 'Open the scenario on the timeline'}
        </button>
      </section>
      {view.verdict.interleaving !== null && (
        <details className="import-interleaving">
          <summary>The interleaving, step by step ({view.verdict.interleaving.length} steps), with the frames each step runs in</summary>
          <ol>
            {view.verdict.interleaving.map((s) => (
              <li key={s.step}>
                <span className="import-line">pid {s.pid}</span> <span className="import-frames">{s.frames}</span>: {s.label}
              </li>
            ))}
          </ol>
        </details>
      )}
    </div>
  );
}

export function ImportLockdepPanel() {
  const openView = useFaultline((s) => s.openView);
  const [text, setText] = useState('');
  const [run, setRun] = useState<Run>({ kind: 'idle' });
  const worker = useRef<Worker | null>(null);
  const textId = useId();
  const fileId = useId();

  useEffect(() => () => worker.current?.terminate(), []);

  const start = () => {
    worker.current?.terminate();
    const w = new Worker(new URL('./import.worker.ts', import.meta.url), { type: 'module' });
    worker.current = w;
    setRun({ kind: 'running' });
    w.onmessage = (event: MessageEvent<ImportMessage>) => {
      const message = event.data;
      setRun(message.type === 'refused' ? { kind: 'refused', message: message.message } : { kind: 'done', message });
      w.terminate();
      worker.current = null;
    };
    w.onerror = (event) => {
      setRun({ kind: 'refused', message: `the import failed: ${event.message}` });
      w.terminate();
      worker.current = null;
    };
    const request: ImportRequest = { text };
    w.postMessage(request);
  };

  const cancel = () => {
    worker.current?.terminate();
    worker.current = null;
    setRun({ kind: 'idle' });
  };

  const readFile = (event: ChangeEvent<HTMLInputElement>) => {
    const file = event.target.files?.[0];
    if (file === undefined) return;
    void file.text().then(setText, () => setRun({ kind: 'refused', message: `${file.name}: could not be read` }));
  };

  const open = () => {
    if (run.kind !== 'done') return;
    const { scenario, variant, schedule } = run.message.open;
    openView({ scenario, variant, schedule, cursor: schedule.length });
  };

  return (
    <section className="panel lockdep-import" aria-label="Import lockdep report">
      <p className="import-hint">
        Paste a &ldquo;possible circular locking dependency&rdquo; or &ldquo;possible recursive locking&rdquo; report: get the interleaving that deadlocks, or the proof that none of
        its tasks can.
      </p>
      <div className="import-body">
        <label htmlFor={textId}>Lockdep report</label>
        <textarea
          id={textId}
          value={text}
          onChange={(e) => setText(e.target.value)}
          rows={10}
          spellCheck={false}
          placeholder={'======================================================\nWARNING: possible circular locking dependency detected\n…'}
        />
        <div className="control-row">
          <label htmlFor={fileId}>Or read it from a file</label> <input id={fileId} type="file" accept=".txt,.log,text/plain" onChange={readFile} />
          {run.kind === 'running' ? (
            <button type="button" onClick={cancel}>
              Cancel
            </button>
          ) : (
            <button type="button" onClick={start} disabled={text.trim() === ''}>
              Import and explore
            </button>
          )}
          {run.kind === 'running' && <span role="status">Reading the report and exploring every interleaving of its tasks…</span>}
        </div>
        {run.kind === 'refused' && (
          <p role="alert" className="import-error">
            Could not import it: {run.message}
          </p>
        )}
        {run.kind === 'done' && <Result message={run.message} onOpen={open} />}
      </div>
    </section>
  );
}
