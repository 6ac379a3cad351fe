/**
 * The lock-order graph of the run the store holds (every step, not only up
 * to the cursor), as lockdep would build it, with lockdep's reports below.
 * Clicking a dependency (its arrow or its label, each label its own target)
 * moves the timeline cursor to just after the step that created it.
 */
import { useEffect, useId, useMemo, useState, type KeyboardEvent } from 'react';
import { lockdepOfRun } from '../../sim/lockdep.ts';
import { formatReport, reportTitle } from '../../sim/lockdep-format.ts';
import { useFaultline } from '../store-context.tsx';
import { layoutLockOrder, type DepArrow, type LockOrderModel } from './model.ts';
import '../panel.css';
import './lockdep.css';

function activate(go: () => void) {
  return (e: KeyboardEvent) => {
    if (e.key === 'Enter' || e.key === ' ') {
      e.preventDefault();
      go();
    }
  };
}

/** The arrow's line: clickable, but the label (drawn above every line) is the button a keyboard or a screen reader reaches. */
function ArrowLine({ arrow, marker, onSelect }: { arrow: DepArrow; marker: string; onSelect: (cursor: number) => void }) {
  return (
    <g className={arrow.inCycle ? 'ld-edge ld-in-cycle' : 'ld-edge'} aria-hidden="true" onClick={() => onSelect(arrow.site.step + 1)}>
      <title>{arrow.sentence}</title>
      <path className="ld-hit" d={arrow.path} />
      <path d={arrow.path} markerEnd={`url(#${marker})`} />
    </g>
  );
}

function ArrowLabel({ arrow, onSelect }: { arrow: DepArrow; onSelect: (cursor: number) => void }) {
  const go = () => onSelect(arrow.site.step + 1);
  const { x, y, width, height, text } = arrow.label;
  return (
    <g className={arrow.inCycle ? 'ld-label ld-in-cycle' : 'ld-label'} role="button" tabIndex={0} aria-label={`${arrow.sentence}. Go to step ${arrow.site.step + 1}`} onClick={go} onKeyDown={activate(go)}>
      <title>{arrow.sentence}</title>
      <rect x={x} y={y} width={width} height={height} rx={3} />
      <text x={x + width / 2} y={y + height / 2} dominantBaseline="central" textAnchor="middle">
        {text}
      </text>
    </g>
  );
}

export function LockOrderGraph() {
  const states = useFaultline((s) => s.states);
  const trace = useFaultline((s) => s.trace);
  const variant = useFaultline((s) => s.variant);
  const jumpTo = useFaultline((s) => s.jumpTo);
  const result = useMemo(() => lockdepOfRun(states, trace), [states, trace]);
  // ELK lays the graph out asynchronously; until it has, the previous picture stays (or none).
  const [laidOut, setLaidOut] = useState<{ result: typeof result; model: LockOrderModel } | null>(null);
  useEffect(() => {
    let live = true;
    layoutLockOrder(result).then(
      (model) => live && setLaidOut({ result, model }),
      () => live && setLaidOut(null),
    );
    return () => {
      live = false;
    };
  }, [result]);
  const model = laidOut?.result === result ? laidOut.model : null;
  const heading = useId();
  const marker = `ld-arrow-${useId().replace(/[^a-zA-Z0-9_-]/g, '')}`;
  const markerCycle = `${marker}-cycle`;

  return (
    <section className="ld panel" aria-labelledby={heading}>
      <h2 id={heading}>Lock order (lockdep)</h2>
      <p className={result.reports.length > 0 ? 'ld-status ld-status-warn' : 'ld-status'} role="status" aria-label="Lockdep">
        {result.reports.length === 0
          ? `No circular dependency: ${result.classes.length} lock classes, ${result.edges.length} dependencies over the whole schedule.`
          : `${result.reports.length} lockdep warning${result.reports.length === 1 ? '' : 's'} over the whole schedule.`}
      </p>
      {model !== null && model.nodes.length > 0 && (
        <div className="ld-scroll">
          <svg className="ld-svg" role="group" aria-label="Lock-order graph" viewBox={`0 0 ${model.width} ${model.height}`} width={model.width} height={model.height}>
            <defs>
              {[marker, markerCycle].map((id) => (
                <marker key={id} id={id} className={id === markerCycle ? 'ld-marker-cycle' : 'ld-marker'} viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
                  <path d="M0,0L10,5L0,10z" />
                </marker>
              ))}
            </defs>
            {/* Lines, then boxes, then labels: a label is never under another arrow's line or hit area. */}
            {model.arrows.map((a) => (
              <ArrowLine key={a.id} arrow={a} marker={a.inCycle ? markerCycle : marker} onSelect={jumpTo} />
            ))}
            {model.nodes.map((node) => (
              <g key={node.key} className={node.inCycle ? 'ld-node ld-in-cycle' : 'ld-node'}>
                <title>{node.lockdepName}</title>
                <rect x={node.x - node.width / 2} y={node.y - node.height / 2} width={node.width} height={node.height} rx={4} />
                <text x={node.x} y={node.y} dominantBaseline="central" textAnchor="middle">
                  {node.label}
                </text>
              </g>
            ))}
            {model.arrows.map((a) => (
              <ArrowLabel key={a.id} arrow={a} onSelect={jumpTo} />
            ))}
          </svg>
        </div>
      )}
      {result.reports.length > 0 && (
        <ul className="ld-reports" aria-label="Lockdep reports">
          {result.reports.map((r, i) => (
            <li key={r.key}>
              <details open={i === 0}>
                <summary>{reportTitle(result, r)}</summary>
                <pre className="ld-report">{formatReport(result, r, `${variant} (Faultline model)`)}</pre>
              </details>
            </li>
          ))}
        </ul>
      )}
      <p className="ld-legend">
        An arrow A → B: a task took or asked for a lock of class B while holding one of class A; it is labelled with the step that first did it (click it to go
        there). A loop: a task asked for a lock of a class it already held. <span className="ld-key ld-key-cycle" aria-hidden="true" /> Red: a cycle or a recursion lockdep reports, even if this schedule never deadlocks.
        The kernel&apos;s lockdep tracks neither glocks nor PG_locked: here each inode&apos;s glock is its own class (gfs2 orders glocks by number), the page lock
        one class, and a 5.16 may-demote holder is not counted as held.
      </p>
    </section>
  );
}
