/**
 * The kernel's objects at the cursor, in kernel words: every lock with its
 * holders and FIFO sleepers, the page cache, storage blocks, page tables and
 * inode sizes. Rows the last step changed are highlighted, with a Δ marker
 * and the word "changed" for screen readers, not by colour alone.
 */
import { useId, useMemo, type ReactNode } from 'react';
import { useCurrentState, useFaultline } from '../store-context.tsx';
import { inspect, type BlockRow, type CachedPageRow, type FileCache, type InodeRow, type InspectorModel, type LockOwner, type LockRow, type ProcessTables } from './model.ts';
import './inspector.css';

function ChangedCell({ changed }: { changed: boolean }) {
  return (
    <td className="ki-mark">
      {changed && (
        <>
          <span aria-hidden="true">Δ</span>
          <span className="ki-sr">changed</span>
        </>
      )}
    </td>
  );
}

function Row({ changed, muted, children }: { changed: boolean; muted?: boolean; children: ReactNode }) {
  const classes = [changed ? 'ki-changed' : '', muted === true ? 'ki-idle' : ''].filter((c) => c !== '').join(' ');
  return (
    <tr className={classes === '' ? undefined : classes} data-changed={changed ? 'true' : undefined}>
      <ChangedCell changed={changed} />
      {children}
    </tr>
  );
}

function MarkHeader() {
  return (
    <th scope="col" className="ki-mark">
      <span className="ki-sr">Changed</span>
    </th>
  );
}

/** A titled part of the inspector; its heading names it for assistive technology. */
function Part({ title, note, children, wide }: { title: string; note?: string; children: ReactNode; wide?: boolean }) {
  const id = useId();
  return (
    <section className={`ki-part${wide === true ? ' ki-wide' : ''}`} aria-labelledby={id}>
      <h3 id={id}>{title}</h3>
      {note !== undefined && <p className="ki-note">{note}</p>}
      {children}
    </section>
  );
}

// --- locks -------------------------------------------------------------------------------

function Owner({ owner, rank }: { owner: LockOwner; rank?: number }) {
  return (
    <li className="ki-owner" title={owner.detail ?? undefined}>
      {rank !== undefined && <span className="ki-rank">{rank}.</span>}
      <span className="ki-pid">pid {owner.pid}</span>
      {owner.mode !== null && <span className="ki-mode">{owner.mode}</span>}
      {owner.caller !== null && <span className="ki-caller">{owner.caller}</span>}
    </li>
  );
}

function lockState(row: LockRow): string {
  if (row.glock !== null) return row.glock.demote === null ? row.glock.state : `${row.glock.state}, demote to ${row.glock.demote}`;
  const writer = row.holders.length === 1 && (row.holders[0]?.mode === 'write' || row.holders[0]?.mode === null);
  if (row.holders.length === 0) return 'unlocked';
  if (row.type === 'page lock') return 'locked';
  if (row.type === 'mutex') return 'held';
  if (writer) return 'write-locked';
  return row.holders.length === 1 ? 'read-locked' : `read-locked ×${row.holders.length}`;
}

function LocksTable({ rows }: { rows: readonly LockRow[] }) {
  return (
    <table className="ki-table ki-locks">
      <thead>
        <tr>
          <MarkHeader />
          <th scope="col">Lock</th>
          <th scope="col">State</th>
          <th scope="col">Held by</th>
          <th scope="col">Waiting (FIFO)</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((row) => (
          <Row key={row.key} changed={row.changed} muted={row.idle}>
            <th scope="row" className="ki-name">
              {row.name} <span className="ki-type">{row.type}</span>
            </th>
            <td className={row.glock !== null ? 'ki-glock-state' : undefined}>{lockState(row)}</td>
            <td>
              {row.holders.length === 0 ? (
                <span className="ki-none">—</span>
              ) : (
                <ul className="ki-owners">
                  {row.holders.map((h, i) => (
                    <Owner key={`${h.pid}-${i}`} owner={h} />
                  ))}
                </ul>
              )}
            </td>
            <td>
              {row.waiters.length === 0 ? (
                <span className="ki-none">—</span>
              ) : (
                <ol className="ki-owners">
                  {row.waiters.map((w, i) => (
                    <Owner key={`${w.pid}-${i}`} owner={w} rank={i + 1} />
                  ))}
                </ol>
              )}
            </td>
          </Row>
        ))}
      </tbody>
    </table>
  );
}

// --- page cache -------------------------------------------------------------------------------

function yesNo(v: boolean): string {
  return v ? 'yes' : 'no';
}

function PageRows({ rows, removed }: { rows: readonly CachedPageRow[]; removed: boolean }) {
  return (
    <>
      {rows.map((p) => (
        <Row key={p.key} changed={p.changed}>
          <th scope="row">{p.index}</th>
          {p.page === null && !removed ? (
            <td colSpan={6} className="ki-none">
              no page (removed from the cache)
            </td>
          ) : (
            <>
              <td>
                {p.lockedBy === null ? 'unlocked' : `locked by pid ${p.lockedBy}`}
                {p.waiters.length > 0 && <span className="ki-waiters">; waiting: {p.waiters.map((w) => `pid ${w}`).join(', ')}</span>}
              </td>
              <td>{yesNo(p.uptodate)}</td>
              <td className={p.mapping === null ? 'ki-null' : undefined}>{p.mapping ?? 'NULL'}</td>
              <td>{p.refs}</td>
              <td className="ki-tag">{p.content}</td>
              <td className="ki-dim">{p.page === null ? '' : `#${p.page}`}</td>
            </>
          )}
        </Row>
      ))}
    </>
  );
}

function PageTable({ caption, rows, removed }: { caption: string; rows: readonly CachedPageRow[]; removed: boolean }) {
  return (
    <table className="ki-table">
      <caption>{caption}</caption>
      <thead>
        <tr>
          <MarkHeader />
          <th scope="col">index</th>
          <th scope="col">PG_locked</th>
          <th scope="col">uptodate</th>
          <th scope="col">mapping</th>
          <th scope="col">refs</th>
          <th scope="col">content</th>
          <th scope="col">
            <span className="ki-sr">page frame</span>
          </th>
        </tr>
      </thead>
      <tbody>
        <PageRows rows={rows} removed={removed} />
      </tbody>
    </table>
  );
}

function PageCache({ files, removed, dax }: { files: readonly FileCache[]; removed: readonly CachedPageRow[]; dax: boolean }) {
  return (
    <Part title="Page cache" note={dax ? 'Under DAX only holes are cached: zeroed pages from dax_load_hole.' : undefined}>
      {files.map((f) =>
        f.pages.length === 0 ? (
          <p key={f.ino} className="ki-empty">
            <span className="ki-file">{f.file}</span>: no page cached
          </p>
        ) : (
          <PageTable key={f.ino} caption={f.file} rows={f.pages} removed={false} />
        ),
      )}
      {removed.length > 0 && <PageTable caption="Removed by truncate, still referenced (mapping NULL)" rows={removed} removed />}
    </Part>
  );
}

// --- blocks, page tables, inodes --------------------------------------------------------------------

/** A free block still mapped by a user PTE (kernel-semantics.md §5). */
function UseAfterFree() {
  return (
    <span className="ki-uaf">
      <span aria-hidden="true">⚠ </span>use-after-free
    </span>
  );
}

function blockState(b: BlockRow): string {
  if (b.owner === null) return 'free';
  return b.fresh ? 'new, not zeroed' : 'allocated';
}

function Blocks({ rows, dax }: { rows: readonly BlockRow[]; dax: boolean }) {
  return (
    <Part title="Blocks" note={dax ? 'DAX: storage is memory, and a user PTE may map a block directly.' : 'Disk blocks.'}>
      <table className="ki-table">
        <thead>
          <tr>
            <MarkHeader />
            <th scope="col">block</th>
            <th scope="col">owner</th>
            <th scope="col">state</th>
            <th scope="col">content</th>
            {dax && <th scope="col">mapped by</th>}
          </tr>
        </thead>
        <tbody>
          {rows.map((b) => {
            const stale = b.owner === null && b.mappedBy.length > 0;
            return (
              <Row key={b.key} changed={b.changed} muted={b.owner === null && !stale && !b.changed}>
                <th scope="row">{b.block}</th>
                <td className="ki-tag">{b.owner ?? '—'}</td>
                <td>{blockState(b)}</td>
                <td className="ki-tag">{b.content}</td>
                {dax && (
                  <td className={stale ? 'ki-danger' : undefined}>
                    {b.mappedBy.length === 0 ? '—' : b.mappedBy.join(', ')}
                    {stale && <UseAfterFree />}
                  </td>
                )}
              </Row>
            );
          })}
        </tbody>
      </table>
    </Part>
  );
}

function Process({ p }: { p: ProcessTables }) {
  const who = p.pids.length === 0 ? '' : ` · ${p.pids.map((pid) => `pid ${pid}`).join(', ')}`;
  return (
    <div className="ki-process">
      <h4>
        mm {p.mm}
        <span className="ki-dim">{who}</span>
      </h4>
      {p.vmas.length > 0 && (
        <ul className="ki-vmas" aria-label={`VMAs of mm ${p.mm}`}>
          {p.vmas.map((v) => (
            <li key={v.key} className={v.changed ? 'ki-changed' : undefined}>
              {v.changed && <span aria-hidden="true" className="ki-inline-mark">Δ </span>}
              {v.changed && <span className="ki-sr">changed: </span>}
              user {v.pages === 1 ? `page ${v.start}` : `pages ${v.start}–${v.start + v.pages - 1}`}: {v.shared ? 'MAP_SHARED' : 'MAP_PRIVATE'} {v.file} from page {v.pgoff}
            </li>
          ))}
        </ul>
      )}
      {p.ptes.length === 0 ? (
        <p className="ki-empty">no PTEs</p>
      ) : (
        <table className="ki-table">
          <thead>
            <tr>
              <MarkHeader />
              <th scope="col">user page</th>
              <th scope="col">maps</th>
              <th scope="col">writable</th>
              <th scope="col">content</th>
            </tr>
          </thead>
          <tbody>
            {p.ptes.map((r) => (
              <Row key={r.key} changed={r.changed}>
                <th scope="row">{r.vpage}</th>
                <td className={r.target === 'none' ? 'ki-none' : r.stale ? 'ki-danger' : undefined}>
                  {r.maps}
                  {r.stale && <UseAfterFree />}
                </td>
                <td>{r.target === 'none' ? '' : yesNo(r.writable)}</td>
                <td className="ki-tag">{r.content ?? ''}</td>
              </Row>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}

function blockMap(map: readonly (number | null)[]): string {
  if (map.length === 0) return 'empty';
  return map.map((b, i) => `${i}→${b === null ? 'hole' : `block ${b}`}`).join(', ');
}

function Inodes({ rows }: { rows: readonly InodeRow[] }) {
  return (
    <Part title="Inodes">
      <table className="ki-table">
        <thead>
          <tr>
            <MarkHeader />
            <th scope="col">file</th>
            <th scope="col">i_size</th>
            <th scope="col">block map</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <Row key={r.key} changed={r.changed}>
              <th scope="row">{r.file}</th>
              <td>
                {r.sizeBytes} bytes <span className="ki-dim">({r.sizePages === 1 ? '1 page' : `${r.sizePages} pages`})</span>
              </td>
              <td className="ki-tag">{blockMap(r.map)}</td>
            </Row>
          ))}
        </tbody>
      </table>
    </Part>
  );
}

function ChangeSummary({ model, cursor, label }: { model: InspectorModel; cursor: number; label: string | undefined }) {
  if (cursor === 0) return <p className="ki-summary">Initial state: no step has run.</p>;
  return (
    <p className="ki-summary">
      Step {cursor}
      {label !== undefined && <span className="ki-dim"> ({label})</span>}
      {model.changes.length === 0 ? ' changed no kernel object.' : <> changed: {model.changes.join(', ')}.</>}
    </p>
  );
}

export function KernelInspector() {
  const state = useCurrentState();
  const previous = useFaultline((s) => (s.cursor > 0 ? s.states[s.cursor - 1] : undefined));
  const cursor = useFaultline((s) => s.cursor);
  const label = useFaultline((s) => (s.cursor > 0 ? s.trace[s.cursor - 1]?.label : undefined));
  const model = useMemo(() => (state === undefined ? null : inspect(state, previous)), [state, previous]);
  if (model === null) return null;
  const dax = model.fs === 'ext2-dax';

  return (
    <section className="ki" aria-label="Kernel state">
      <header className="ki-header">
        <h2>Kernel state</h2>
        <ChangeSummary model={model} cursor={cursor} label={label} />
        <p className="ki-legend">
          <span className="ki-legend-swatch" aria-hidden="true">
            Δ
          </span>{' '}
          marks what the last step changed.
        </p>
      </header>
      <div className="ki-grid">
        <Part title="Locks" wide note={model.era === '2015' ? 'Linux 4.0 names: i_mutex, mmap_sem.' : 'Linux 5.x names: i_rwsem, mmap_lock.'}>
          <LocksTable rows={model.locks} />
        </Part>
        <PageCache files={model.pageCache} removed={model.removedPages} dax={dax} />
        <Blocks rows={model.blocks} dax={dax} />
        <Part title="Page tables">
          {model.processes.map((p) => (
            <Process key={p.mm} p={p} />
          ))}
        </Part>
        <Inodes rows={model.inodes} />
      </div>
    </section>
  );
}
