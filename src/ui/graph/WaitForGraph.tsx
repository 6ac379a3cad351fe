/**
 * Who waits for whom at the cursor: tasks, the locks they sleep on, and the
 * deadlock cycle named in kernel words above the picture. D3 computed the
 * positions (model.ts); React draws the SVG. The picture has a text
 * equivalent: the cycle's name as its label and each waiter's reason below.
 */
import { useId, useMemo } from 'react';
import { useCurrentState } from '../store-context.tsx';
import { waitForModel, type CycleKind, type GraphEdge, type GraphNode, type WaitForModel } from './model.ts';
import './graph.css';

const KIND_TITLE: Record<CycleKind, string> = {
  deadlock: 'Deadlock',
  'partial deadlock': 'Partial deadlock (other tasks can still run)',
  cycle: 'Wait-for cycle',
};

/** SVG ids are referenced by url(#…): keep React's generated id to safe characters. */
function svgId(raw: string, suffix: string): string {
  return `wfg${raw.replace(/[^a-zA-Z0-9_-]/g, '')}-${suffix}`;
}

function Node({ node }: { node: GraphNode }) {
  const classes = ['wfg-node', `wfg-${node.kind}`, node.inCycle ? 'wfg-in-cycle' : ''].filter((c) => c !== '').join(' ');
  const rx = node.kind === 'task' ? node.height / 2 : 4;
  return (
    <g className={classes}>
      <rect x={node.x - node.width / 2} y={node.y - node.height / 2} width={node.width} height={node.height} rx={rx} />
      <text x={node.x} y={node.y} dominantBaseline="central" textAnchor="middle">
        {node.label}
      </text>
    </g>
  );
}

function Edge({ edge, markers }: { edge: GraphEdge; markers: { plain: string; cycle: string } }) {
  const classes = ['wfg-edge', `wfg-edge-${edge.kind}`, edge.inCycle ? 'wfg-in-cycle' : ''].filter((c) => c !== '').join(' ');
  return (
    <g className={classes}>
      <title>{edge.sentence}</title>
      <path d={edge.path} markerEnd={`url(#${edge.inCycle ? markers.cycle : markers.plain})`} />
      <text x={edge.labelX} y={edge.labelY} dominantBaseline="central" textAnchor="middle">
        {edge.label}
      </text>
    </g>
  );
}

function Picture({ model }: { model: WaitForModel }) {
  const raw = useId();
  const markers = { plain: svgId(raw, 'arrow'), cycle: svgId(raw, 'arrow-cycle') };
  const label = model.cycle !== null ? `Wait-for graph. ${KIND_TITLE[model.cycle.kind]}: ${model.cycle.name}` : `Wait-for graph, no cycle. ${model.edges.map((e) => e.sentence).join('; ')}`;
  return (
    <svg className="wfg-svg" role="img" aria-label={label} viewBox={`0 0 ${model.width} ${model.height}`} width={model.width} height={model.height}>
      <defs>
        {[markers.plain, markers.cycle].map((id) => (
          <marker key={id} id={id} className={id === markers.cycle ? 'wfg-marker-cycle' : 'wfg-marker'} viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
            <path d="M0,0L10,5L0,10z" />
          </marker>
        ))}
      </defs>
      {/* Edges first, so boxes sit on top of any line that passes behind them. */}
      {model.edges.map((e) => (
        <Edge key={e.id} edge={e} markers={markers} />
      ))}
      {model.nodes.map((n) => (
        <Node key={n.id} node={n} />
      ))}
    </svg>
  );
}

export function WaitForGraph() {
  const state = useCurrentState();
  const model = useMemo(() => (state === undefined ? null : waitForModel(state)), [state]);
  const heading = useId();
  if (model === null) return null;
  const waiting = model.waits.length;

  return (
    <section className="wfg" aria-labelledby={heading}>
      <h2 id={heading}>Wait-for graph</h2>
      {model.nodes.length === 0 ? (
        <p className="wfg-empty">No task is waiting.</p>
      ) : (
        <figure className="wfg-figure">
          <figcaption className={model.cycle !== null ? 'wfg-caption wfg-caption-cycle' : 'wfg-caption'}>
            {model.cycle !== null ? (
              <>
                <strong>
                  <span aria-hidden="true">↻ </span>
                  {KIND_TITLE[model.cycle.kind]}:
                </strong>{' '}
                <span className="wfg-cycle-name">{model.cycle.name}</span>
              </>
            ) : (
              <>No cycle: {waiting === 1 ? '1 task is' : `${waiting} tasks are`} waiting.</>
            )}
          </figcaption>
          <div className="wfg-scroll">
            <Picture model={model} />
          </div>
          <ul className="wfg-waits" aria-label="Why each task waits">
            {model.waits.map((w) => (
              <li key={w.pid} className={model.cycle?.pids.includes(w.pid) === true ? 'wfg-wait-cycle' : undefined}>
                <span className="wfg-pid">pid {w.pid}</span> {w.reason}
              </li>
            ))}
          </ul>
          <p className="wfg-legend">
            Arrows run from a task to the lock it waits for, and from the lock to the task it waits behind: the owner, or{' '}
            <span className="wfg-key wfg-key-ahead" aria-hidden="true" /> a sleeper queued ahead of it (FIFO).
            {model.cycle !== null && (
              <>
                {' '}
                <span className="wfg-key wfg-key-cycle" aria-hidden="true" /> Thick red: the cycle.
              </>
            )}
          </p>
        </figure>
      )}
    </section>
  );
}
