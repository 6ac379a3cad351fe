/**
 * One task's stack of frames and, for the selected frame, its machine drawn
 * as a statechart: states are the kernel steps the machine names, the current
 * one highlighted, and the step results that lead out of it labelled. The
 * layout comes from model.ts (D3 scales); React draws the SVG.
 */
import { useEffect, useId, useMemo, useRef, useState } from 'react';
import type { Pid } from '../../kernel/ids.ts';
import { compiledMachine } from '../../threads/registry.ts';
import { useCurrentState, useFaultline } from '../store-context.tsx';
import { edgeOfMove, lastTransition, layoutMachine, outgoing, taskFrames, type ChartEdge, type ChartLayout, type ChartNode, type FrameEntry, type LastMove } from './model.ts';
import './statechart.css';

/** SVG ids are referenced by url(#…): keep React's generated id to safe characters. */
function svgId(raw: string, suffix: string): string {
  return `sc${raw.replace(/[^a-zA-Z0-9_-]/g, '')}-${suffix}`;
}

function StateNode({ node, current, ended }: { node: ChartNode; current: boolean; ended: boolean }) {
  const classes = ['sc-node', node.final ? 'sc-final' : '', current ? 'sc-current' : '', current && ended ? 'sc-ended' : ''].filter((c) => c !== '').join(' ');
  const left = node.x - node.width / 2;
  const top = node.y - node.height / 2;
  return (
    <g className={classes}>
      <title>{`${node.name}${node.final ? ' (final: the function returns)' : ''}${current ? ' (current)' : ''}`}</title>
      {/* The current state gets an outer ring, so it stands out without colour too. */}
      {current && <rect className="sc-ring" x={left - 4} y={top - 4} width={node.width + 8} height={node.height + 8} rx={9} />}
      <rect x={left} y={top} width={node.width} height={node.height} rx={node.final ? 13 : 6} />
      {node.final && <rect className="sc-final-inner" x={left + 3} y={top + 3} width={node.width - 6} height={node.height - 6} rx={10} />}
      <text x={node.x} y={node.y} dominantBaseline="central" textAnchor="middle">
        {node.name}
      </text>
    </g>
  );
}

function TransitionEdge({ edge, active, last, fatal, markers }: { edge: ChartEdge; active: boolean; last: boolean; fatal: boolean; markers: { plain: string; active: string; fatal: string } }) {
  const classes = ['sc-edge', `sc-edge-${edge.shape}`, active ? 'sc-edge-active' : '', last ? 'sc-edge-last' : '', fatal ? 'sc-edge-fatal' : ''].filter((c) => c !== '').join(' ');
  const marker = fatal ? markers.fatal : active ? markers.active : markers.plain;
  return (
    <g className={classes}>
      <title>{`${edge.from} → ${edge.to} on ${edge.events.join(', ')}`}</title>
      <path d={edge.path} markerEnd={`url(#${marker})`} />
    </g>
  );
}

/** Drawn after the boxes, so a label between two close boxes is never hidden under one. */
function EdgeLabel({ edge, fatal }: { edge: ChartEdge; fatal?: boolean }) {
  return (
    <text className={fatal === true ? 'sc-edge-label sc-edge-label-fatal' : 'sc-edge-label'} x={edge.labelX} y={edge.labelY} dominantBaseline="central" textAnchor="middle" aria-hidden="true">
      {edge.events.join(', ')}
    </text>
  );
}

/** The initial-state dot and arrow of UML statecharts, above the initial state. */
function InitialMarker({ layout }: { layout: ChartLayout }) {
  const node = layout.nodes.find((n) => n.name === layout.initial);
  if (node === undefined) return null;
  const top = node.y - node.height / 2;
  return (
    <g className="sc-initial">
      <circle cx={node.x - node.width / 2 - 14} cy={top - 6} r={4} />
      <path d={`M${node.x - node.width / 2 - 11},${top - 3}L${node.x - node.width / 2 + 2},${top + 6}`} />
    </g>
  );
}

function Chart({ layout, current, ended, lastEdge }: { layout: ChartLayout; current: string; ended: boolean; lastEdge: ChartEdge | undefined }) {
  const raw = useId();
  const markers = { plain: svgId(raw, 'arrow'), active: svgId(raw, 'arrow-active'), fatal: svgId(raw, 'arrow-fatal') };
  const scroller = useRef<HTMLDivElement>(null);
  const node = layout.nodes.find((n) => n.name === current);
  const nodeX = node?.x;
  const nodeY = node?.y;

  // Keep the current state in view inside the chart's own scroll box, without scrolling the page.
  useEffect(() => {
    const box = scroller.current;
    if (box === null || nodeX === undefined || nodeY === undefined) return;
    const top = nodeY - box.clientHeight / 2;
    const left = nodeX - box.clientWidth / 2;
    if (typeof box.scrollTo === 'function') box.scrollTo({ top: Math.max(0, top), left: Math.max(0, left) });
  }, [nodeX, nodeY, layout.machine]);

  const label = `Statechart of ${layout.machine}: ${layout.nodes.length} states; current state ${current}${ended ? `, where the task died${lastEdge !== undefined ? ` on ${lastEdge.events.join(', ')}` : ''}` : ''}.`;
  return (
    <div className="sc-scroll" ref={scroller}>
      <svg className="sc-svg" role="img" aria-label={label} viewBox={`0 0 ${layout.width} ${layout.height}`} width={layout.width} height={layout.height}>
        <defs>
          {[
            [markers.plain, 'sc-marker'],
            [markers.active, 'sc-marker-active'],
            [markers.fatal, 'sc-marker-fatal'],
          ].map(([id, className]) => (
            <marker key={id} id={id} className={className} viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
              <path d="M0,0L10,5L0,10z" />
            </marker>
          ))}
        </defs>
        <InitialMarker layout={layout} />
        {/* Inactive edges first, the current state's on top of them, boxes over all. */}
        {[...layout.edges]
          .sort((a, b) => Number(a.from === current || a.id === lastEdge?.id) - Number(b.from === current || b.id === lastEdge?.id))
          .map((e) => (
            <TransitionEdge key={e.id} edge={e} active={e.from === current && !ended} last={e.id === lastEdge?.id} fatal={ended && e.id === lastEdge?.id} markers={markers} />
          ))}
        {layout.nodes.map((n) => (
          <StateNode key={n.name} node={n} current={n.name === current} ended={ended} />
        ))}
        {ended
          ? lastEdge !== undefined && <EdgeLabel edge={lastEdge} fatal />
          : layout.edges.filter((e) => e.from === current).map((e) => <EdgeLabel key={e.id} edge={e} />)}
      </svg>
    </div>
  );
}

/** Where the selected frame stands, in a sentence. */
function Status({ pid, frame, callee, move, stopped }: { pid: Pid; frame: FrameEntry; callee: FrameEntry | undefined; move: LastMove | null; stopped: string | null }) {
  const at = (
    <>
      <code>{frame.machine}</code> at <code className="sc-state-name">{frame.state}</code>
    </>
  );
  if (frame.ended) {
    return (
      <p className="sc-status sc-died">
        <span aria-hidden="true">✖ </span>pid {pid} died in {at}
        {move !== null && (
          <>
            {' '}
            on <code>{move.event}</code>
          </>
        )}
        : {stopped === 'bug' ? 'BUG()' : stopped}.
      </p>
    );
  }
  if (callee !== undefined) {
    return (
      <p className="sc-status">
        <code>{frame.machine}</code> resumes at <code className="sc-state-name">{frame.state}</code> when <code>{callee.machine}</code> returns.
      </p>
    );
  }
  return (
    <p className="sc-status">
      pid {pid} is in {at}
      {move !== null && (
        <span className="sc-dim">
          {' '}
          (last step: {move.from} → {move.to} on {move.event})
        </span>
      )}
      .
    </p>
  );
}

function FrameList({ frames, selected, onSelect, pid }: { frames: readonly FrameEntry[]; selected: number; onSelect: (index: number) => void; pid: Pid }) {
  return (
    <ol className="sc-frames" aria-label={`Frames of pid ${pid}, bottom to top`}>
      {frames.map((f) => (
        <li key={f.index}>
          <button type="button" className={f.index === selected ? 'sc-frame sc-frame-selected' : 'sc-frame'} aria-pressed={f.index === selected} onClick={() => onSelect(f.index)}>
            <span className="sc-frame-machine">{f.machine}</span>
            <span className="sc-frame-state">{f.state}</span>
            {f.ended && <span className="sc-frame-ended">died here</span>}
          </button>
        </li>
      ))}
    </ol>
  );
}

export function StatechartView({ pid }: { pid: number }) {
  const state = useCurrentState();
  const last = useFaultline((s) => (s.cursor > 0 ? s.trace[s.cursor - 1] : undefined));
  const frames = useMemo(() => (state === undefined ? [] : taskFrames(state, pid, last)), [state, pid, last]);
  // A lower frame the user picked, checked against its machine so a different frame at that depth is not taken for it; null follows the top.
  const [picked, setPicked] = useState<{ readonly pid: Pid; readonly index: number; readonly machine: string } | null>(null);
  const top = frames[frames.length - 1];
  const chosen = picked !== null && picked.pid === pid ? frames.find((f) => f.index === picked.index && f.machine === picked.machine) : undefined;
  const frame = chosen ?? top;
  const machine = frame === undefined ? undefined : compiledMachine(frame.machine);
  const layout = useMemo(() => (machine === undefined ? null : layoutMachine(machine)), [machine]);
  const heading = useId();
  const task = state?.tasks.find((t) => t.pid === pid);

  if (task === undefined) {
    return (
      <section className="sc" aria-labelledby={heading}>
        <h2 id={heading}>Statechart</h2>
        <p className="sc-empty">No task with pid {pid}.</p>
      </section>
    );
  }
  if (frame === undefined || layout === null) {
    return (
      <section className="sc" aria-labelledby={heading}>
        <h2 id={heading}>Statechart</h2>
        <p className="sc-empty">pid {pid} has exited.</p>
      </section>
    );
  }

  const transitions = frame.ended ? [] : outgoing(layout, frame.state);
  const lastMove = lastTransition(frame, last, pid);
  const callee = frames[frame.index + 1];
  return (
    <section className="sc" aria-labelledby={heading}>
      <h2 id={heading}>Statechart: {layout.machine}</h2>
      <FrameList frames={frames} selected={frame.index} pid={pid} onSelect={(index) => setPicked(index === top?.index ? null : { pid, index, machine: frames.find((f) => f.index === index)?.machine ?? '' })} />
      <Status pid={pid} frame={frame} callee={callee} move={lastMove} stopped={state?.stopped?.kind ?? null} />
      <Chart layout={layout} current={frame.state} ended={frame.ended} lastEdge={edgeOfMove(layout, lastMove)} />
      {transitions.length > 0 ? (
        <>
          <h3 className="sc-sub">Out of {frame.state}</h3>
          <ul className="sc-transitions">
            {transitions.map((t) => (
              <li key={t.id}>
                <code>{t.events.join(', ')}</code> → <code>{t.to}</code>
              </li>
            ))}
          </ul>
        </>
      ) : (
        !frame.ended && <p className="sc-dim">{frame.state} is a final state: the function returns to its caller.</p>
      )}
    </section>
  );
}
