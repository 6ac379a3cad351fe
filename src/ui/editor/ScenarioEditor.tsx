/**
 * The scenario editor: files, mappings, tasks and their programs, the
 * filesystem and variants, checked by the format's own validator as the user
 * types. "Open this scenario" hands the validated scenario to the store,
 * where it runs, explores and shares like a preset (the link carries it).
 *
 * The draft lives here, not in the store: it may be invalid, and nothing
 * the page shows depends on it until it is opened. The page keeps the panel
 * mounted while it is hidden, so closing it loses no edits.
 */
import { useMemo, useState } from 'react';
import { VARIANTS, type Filesystem } from '../../kernel/variants.ts';
import type { PageState, Scenario } from '../../scenarios/types.ts';
import { MAX_LINK_LENGTH, encodeLink } from '../../share/link.ts';
import { validateScenario, type ValidationError } from '../../scenarios/validate.ts';
import { useFaultline, useFaultlineStore } from '../store-context.tsx';
import {
  CALLS,
  PAGE_STATES,
  addCall,
  addFile,
  addMapping,
  addTask,
  blankDraft,
  draftOf,
  errorsByPath,
  mappingPages,
  removeCall,
  removeFile,
  removeMapping,
  removeSchedule,
  removeTask,
  scenarioJsonOf,
  setFilesystem,
  toggleVariant,
  updateCall,
  updateFile,
  updateMapping,
  updateTask,
  userPagesOf,
  variantsOf,
  type CallKind,
  type Draft,
  type DraftCall,
} from './draft.ts';
import { CheckField, ErrorsContext, Group, NumberField, SelectField, TextArea, TextField } from './fields.tsx';
import { fieldTitle } from './paths.ts';
import './editor.css';

type Edit = (f: (d: Draft) => Draft) => void;

const FILESYSTEMS: readonly { value: Filesystem; title: string }[] = [
  { value: 'gfs2', title: 'gfs2 (cluster filesystem, glocks)' },
  { value: 'ext2-dax', title: 'ext2 on DAX (no page cache for data)' },
  { value: 'ext4', title: 'ext4 (page cache; mmap, truncate and punch only)' },
  { value: 'xfs', title: 'XFS (page cache; mmap, truncate and punch only)' },
];

function ScenarioFields({ draft, edit }: { draft: Draft; edit: Edit }) {
  return (
    <Group legend="Scenario" path="">
      <div className="field-row">
        <TextField label="Scenario id" path="id" value={draft.id} onChange={(id) => edit((d) => ({ ...d, id }))} size={18} />
        <TextField label="Title" path="title" value={draft.title} onChange={(title) => edit((d) => ({ ...d, title }))} size={40} />
        <SelectField label="Filesystem" path="fs" value={draft.fs} options={FILESYSTEMS} onChange={(fs) => edit((d) => setFilesystem(d, fs))} />
        {draft.fs === 'gfs2' && <NumberField label="Cluster nodes" path="nodes" value={draft.nodes} onChange={(nodes) => edit((d) => ({ ...d, nodes }))} />}
        <NumberField label="Free blocks" path="freeBlocks" value={draft.freeBlocks} onChange={(freeBlocks) => edit((d) => ({ ...d, freeBlocks }))} />
      </div>
      <div className="field-row" role="group" aria-label="Kernel variants">
        <span className="row-title">Kernel variants</span>
        {variantsOf(draft.fs).map((id) => {
          const v = VARIANTS.find((x) => x.id === id);
          return <CheckField key={id} label={`Variant ${id}`} caption={`${id}${v?.inferred === true ? ' (hypothetical)' : ''}`} path="variants" checked={draft.variants.includes(id)} onChange={(on) => edit((d) => toggleVariant(d, id, on))} />;
        })}
      </div>
      <TextArea label="Story" path="story" value={draft.story} onChange={(story) => edit((d) => ({ ...d, story }))} />
    </Group>
  );
}

function FilesEditor({ draft, edit }: { draft: Draft; edit: Edit }) {
  return (
    <section className="editor-section" aria-label="Files">
      <h3>Files</h3>
      {draft.files.map((file, i) => {
        const n = i + 1;
        const path = `files[${i}]`;
        const setPage = (k: number, state: PageState) => edit((d) => updateFile(d, i, (f) => ({ ...f, pages: f.pages.map((p, j) => (j === k ? state : p)) })));
        return (
          <Group
            key={i}
            legend={`File ${n}: ${file.name}`}
            path={path}
            actions={
              <button type="button" onClick={() => edit((d) => removeFile(d, i))}>
                Remove file {n}
              </button>
            }
          >
            <div className="field-row">
              <TextField label={`Name of file ${n}`} caption="Name" path={`${path}.name`} value={file.name} onChange={(name) => edit((d) => updateFile(d, i, (f) => ({ ...f, name })))} size={8} />
              <span className="row-title">i_size {file.pages.length} pages</span>
              <button type="button" onClick={() => edit((d) => updateFile(d, i, (f) => ({ ...f, pages: [...f.pages, 'disk'] })))}>
                Add a page to file {n}
              </button>
              <button type="button" disabled={file.pages.length <= 1} onClick={() => edit((d) => updateFile(d, i, (f) => ({ ...f, pages: f.pages.slice(0, -1), shortExtents: f.shortExtents.filter((p) => p < f.pages.length - 1) })))}>
                Remove the last page of file {n}
              </button>
            </div>
            <div className="field-row">
              {file.pages.map((state, k) => (
                <SelectField
                  key={k}
                  label={`Page ${k} of file ${n}`}
                  caption={`page ${k}`}
                  path={`${path}.pages[${k}]`}
                  value={state}
                  options={PAGE_STATES.map((p) => ({ value: p.state, title: p.title }))}
                  onChange={(s) => setPage(k, s)}
                />
              ))}
            </div>
            {draft.fs === 'ext2-dax' && (
              <div className="field-row" role="group" aria-label={`Short extents of file ${n}`}>
                <span className="row-title">get_block returns a short extent (-EIO) for</span>
                {file.pages.map((_, k) => (
                  <CheckField
                    key={k}
                    label={`Short extent at page ${k} of file ${n}`}
                    caption={`page ${k}`}
                    path={`${path}.shortExtents`}
                    checked={file.shortExtents.includes(k)}
                    onChange={(on) => edit((d) => updateFile(d, i, (f) => ({ ...f, shortExtents: on ? [...f.shortExtents, k].sort((a, b) => a - b) : f.shortExtents.filter((p) => p !== k) })))}
                  />
                ))}
              </div>
            )}
          </Group>
        );
      })}
      <button type="button" onClick={() => edit(addFile)}>
        Add a file
      </button>
    </section>
  );
}

function fileOptions(draft: Draft) {
  return draft.files.map((f) => ({ value: f.name, title: f.name }));
}

function MappingsEditor({ draft, edit }: { draft: Draft; edit: Edit }) {
  return (
    <section className="editor-section" aria-label="Mappings">
      <h3>Mappings at the start</h3>
      {draft.mappings.map((m, i) => {
        const n = i + 1;
        const path = `mappings[${i}]`;
        const set = (f: (x: typeof m) => typeof m) => edit((d) => updateMapping(d, i, f));
        return (
          <Group
            key={i}
            legend={`Mapping ${n}: ${m.shared ? 'MAP_SHARED' : 'MAP_PRIVATE'} mmap of ${m.file} in process ${m.process}`}
            path={path}
            actions={
              <button type="button" onClick={() => edit((d) => removeMapping(d, i))}>
                Remove mapping {n}
              </button>
            }
          >
            <div className="field-row">
              <NumberField label={`Process of mapping ${n}`} caption="process" path={`${path}.process`} value={m.process} onChange={(process) => set((x) => ({ ...x, process }))} />
              <SelectField label={`File of mapping ${n}`} caption="file" path={`${path}.file`} value={m.file} options={fileOptions(draft)} onChange={(file) => set((x) => ({ ...x, file }))} />
              <NumberField label={`File page offset of mapping ${n}`} caption="pgoff" path={`${path}.pgoff`} value={m.pgoff} onChange={(pgoff) => set((x) => ({ ...x, pgoff }))} />
              <NumberField label={`Pages of mapping ${n}`} caption="pages" path={`${path}.pages`} value={m.pages} onChange={(pages) => set((x) => ({ ...x, pages }))} />
              <NumberField label={`First user page of mapping ${n}`} caption="at user page" path={`${path}.at`} value={m.at} onChange={(at) => set((x) => ({ ...x, at }))} />
              <CheckField label={`MAP_SHARED (mapping ${n})`} caption="MAP_SHARED" path={`${path}.shared`} checked={m.shared} onChange={(shared) => set((x) => ({ ...x, shared }))} />
            </div>
            <div className="field-row" role="group" aria-label={`Pages of mapping ${n} already faulted in`}>
              <span className="row-title">already faulted in (read-only PTE)</span>
              {mappingPages(m).map((vpage) => (
                <CheckField
                  key={vpage}
                  label={`User page ${vpage} of mapping ${n} faulted in`}
                  caption={`user page ${vpage}`}
                  path={`${path}.faulted`}
                  checked={m.faulted.includes(vpage)}
                  onChange={(on) => set((x) => ({ ...x, faulted: on ? [...x.faulted, vpage].sort((a, b) => a - b) : x.faulted.filter((p) => p !== vpage) }))}
                />
              ))}
            </div>
          </Group>
        );
      })}
      <button type="button" onClick={() => edit(addMapping)}>
        Add a mapping
      </button>
    </section>
  );
}

/** A user page: one of the process's mapped pages, described, or the number as it is when it maps nothing (the validator says so). */
function UserPageField({ label, caption, path, value, choices, onChange }: { label: string; caption: string; path: string; value: string; choices: ReturnType<typeof userPagesOf>; onChange: (v: string) => void }) {
  const options = choices.map((c) => ({ value: String(c.vpage), title: c.title }));
  if (!options.some((o) => o.value === value)) options.unshift({ value, title: value.trim() === '' ? '(none)' : `user page ${value}: not mapped in this process` });
  return <SelectField label={label} caption={caption} path={path} value={value} options={options} onChange={onChange} />;
}

/** A `lock` or `copy` entry of a lockdep import, which this form shows but does not edit. */
function keptText(call: DraftCall): string {
  const kept = call.kept;
  if (kept === undefined) return 'nothing to edit here: choose another call';
  if (kept.call === 'copy') return `${kept.at ?? 'copy'}: ${kept.write ? 'copy_to_user' : 'copy_from_user'} of user page ${kept.buf} (kept as imported)`;
  const lock = kept.lock.kind === 'named' ? kept.lock.name : kept.lock.kind === 'mmap_lock' ? 'mmap_lock' : `${kept.lock.kind} of ${kept.lock.file}`;
  return `${kept.at ?? 'lock'}: takes ${lock} for ${kept.write ? 'write' : 'read'} around ${kept.body.length} entr${kept.body.length === 1 ? 'y' : 'ies'} (kept as imported)`;
}

function CallFields({ draft, edit, task, index, call }: { draft: Draft; edit: Edit; task: number; index: number; call: DraftCall }) {
  const where = `task ${task + 1} call ${index + 1}`;
  const path = `tasks[${task}].program[${index}]`;
  const set = (f: (c: DraftCall) => DraftCall) => edit((d) => updateCall(d, task, index, f));
  const process = draft.tasks[task]?.process ?? '0';
  const pages = userPagesOf(draft, process);
  const file = <SelectField label={`File of ${where}`} caption="file" path={`${path}.file`} value={call.file} options={fileOptions(draft)} onChange={(v) => set((c) => ({ ...c, file: v }))} />;
  const num = (key: 'pos' | 'len' | 'size' | 'pgoff' | 'at', caption: string, title: string) => (
    <NumberField label={`${title} of ${where}`} caption={caption} path={`${path}.${key}`} value={call[key]} onChange={(v) => set((c) => ({ ...c, [key]: v }))} />
  );
  switch (call.call) {
    case 'pread':
    case 'pwrite':
      return (
        <>
          {file}
          {num('pos', 'pos (pages)', 'Position')}
          {num('len', 'len (pages)', 'Length')}
          <UserPageField label={`Buffer of ${where}`} caption="buffer at" path={`${path}.buf`} value={call.buf} choices={pages} onChange={(buf) => set((c) => ({ ...c, buf }))} />
          <CheckField label={`O_DIRECT (${where})`} caption="O_DIRECT" path={`${path}.direct`} checked={call.direct} onChange={(direct) => set((c) => ({ ...c, direct }))} />
        </>
      );
    case 'truncate':
      return (
        <>
          {file}
          {num('size', 'new size (pages)', 'New size')}
        </>
      );
    case 'punch':
      return (
        <>
          {file}
          {num('pos', 'pos (pages)', 'Position')}
          {num('len', 'len (pages)', 'Length')}
        </>
      );
    case 'mmap':
      return (
        <>
          {file}
          {num('pgoff', 'pgoff', 'File page offset')}
          {num('len', 'len (pages)', 'Length')}
          {num('at', 'at user page', 'First user page')}
          <CheckField label={`MAP_SHARED (${where})`} caption="MAP_SHARED" path={`${path}.shared`} checked={call.shared} onChange={(shared) => set((c) => ({ ...c, shared }))} />
        </>
      );
    case 'lock':
    case 'copy':
      return <span className="kept-entry">{keptText(call)}</span>;
    case 'touch':
      return (
        <>
          <UserPageField label={`User page of ${where}`} caption="user page" path={`${path}.vpage`} value={call.vpage} choices={pages} onChange={(vpage) => set((c) => ({ ...c, vpage }))} />
          <CheckField label={`Store (${where})`} caption="store (write fault)" path={`${path}.write`} checked={call.write} onChange={(write) => set((c) => ({ ...c, write }))} />
        </>
      );
  }
}

function TasksEditor({ draft, edit }: { draft: Draft; edit: Edit }) {
  const nodes = Number(draft.nodes) || 1;
  return (
    <section className="editor-section" aria-label="Tasks">
      <h3>Tasks</h3>
      {draft.tasks.map((t, i) => {
        const n = i + 1;
        const path = `tasks[${i}]`;
        return (
          <Group
            key={i}
            legend={`Task ${n}: pid ${t.pid}`}
            path={path}
            actions={
              <button type="button" onClick={() => edit((d) => removeTask(d, i))}>
                Remove task {n}
              </button>
            }
          >
            <div className="field-row">
              <NumberField label={`Pid of task ${n}`} caption="pid" path={`${path}.pid`} value={t.pid} onChange={(pid) => edit((d) => updateTask(d, i, (x) => ({ ...x, pid })))} />
              <NumberField label={`Process of task ${n}`} caption="process (mm)" path={`${path}.process`} value={t.process} onChange={(process) => edit((d) => updateTask(d, i, (x) => ({ ...x, process })))} />
              {draft.fs === 'gfs2' && (nodes > 1 || t.node !== '0') && (
                <NumberField label={`Node of task ${n}`} caption="node" path={`${path}.node`} value={t.node} onChange={(node) => edit((d) => updateTask(d, i, (x) => ({ ...x, node })))} />
              )}
            </div>
            <ol className="program">
              {t.program.map((call, k) => (
                <li key={k} className="field-row">
                  <SelectField
                    label={`Call ${k + 1} of task ${n}`}
                    caption={`${k + 1}.`}
                    path={`${path}.program[${k}].call`}
                    value={call.call}
                    options={[...CALLS, ...(call.kept !== undefined ? [{ call: call.kept.call, title: `${call.kept.call} (from a lockdep import)` }] : [])].map((c) => ({ value: c.call, title: c.title }))}
                    onChange={(kind: CallKind) => edit((d) => updateCall(d, i, k, (c) => ({ ...c, call: kind })))}
                  />
                  <CallFields draft={draft} edit={edit} task={i} index={k} call={call} />
                  <button type="button" onClick={() => edit((d) => removeCall(d, i, k))}>
                    Remove call {k + 1} of task {n}
                  </button>
                </li>
              ))}
            </ol>
            <button type="button" onClick={() => edit((d) => addCall(d, i))}>
              Add a call to task {n}
            </button>
          </Group>
        );
      })}
      <button type="button" onClick={() => edit(addTask)}>
        Add a task
      </button>
    </section>
  );
}

function SchedulesEditor({ draft, edit }: { draft: Draft; edit: Edit }) {
  return (
    <section className="editor-section" aria-label="Schedules">
      <h3>Documented interleavings</h3>
      {draft.schedules.length === 0 && <p className="hint">None: the scenario opens round-robin. The link you share carries the exact interleaving you stepped.</p>}
      <ul>
        {draft.schedules.map((s, i) => (
          <li key={s.name}>
            <strong>{s.name}</strong> ({s.steps.length} steps; expects {Object.keys(s.expect).join(', ') || 'nothing'}){' '}
            <button type="button" onClick={() => edit((d) => removeSchedule(d, i))}>
              Remove interleaving {s.name}
            </button>
          </li>
        ))}
      </ul>
      <TextArea label="Sources (one per line)" path="sources" value={draft.sources} onChange={(sources) => edit((d) => ({ ...d, sources }))} />
    </section>
  );
}

/** How long a link to the scenario alone would be: the URL fragment carries it deflated. */
function linkLength(scenario: Scenario): number {
  return encodeLink({ scenario, preset: false, variant: scenario.variants[0] ?? 'gfs2-5.15', schedule: [], cursor: 0 }).length;
}

function Problems({ errors, draft, link }: { errors: readonly ValidationError[]; draft: Draft; link: number | null }) {
  return (
    <div className="editor-problems" role="status" aria-live="polite" aria-label="Scenario problems">
      {errors.length === 0 ? (
        <p className="ok">
          The scenario is valid.
          {link !== null && link > MAX_LINK_LENGTH && (
            <span className="field-error">
              {' '}
              It runs, but a link to it would be {link} characters, over the {MAX_LINK_LENGTH} a link may have: share it as a JSON file, or shorten the story, sources or interleavings.
            </span>
          )}
        </p>
      ) : (
        <>
          <p>
            {errors.length === 1 ? '1 problem' : `${errors.length} problems`} to fix before it can run:
          </p>
          <ul>
            {errors.map((e, i) => (
              <li key={i}>
                <strong>{fieldTitle(e.path, draft)}</strong>: {e.message}
              </li>
            ))}
          </ul>
        </>
      )}
    </div>
  );
}

/**
 * The draft follows the open scenario until the user edits it; from then on
 * it is theirs until they start again.
 */
function useDraft(): [Draft, (next: Draft | ((d: Draft) => Draft)) => void, () => void] {
  const scenario = useFaultline((s) => s.scenario);
  const [own, setOwn] = useState<Draft | null>(null);
  const following = useMemo(() => draftOf(scenario), [scenario]);
  const draft = own ?? following;
  const set = (next: Draft | ((d: Draft) => Draft)) => setOwn((d) => (typeof next === 'function' ? next(d ?? following) : next));
  return [draft, set, () => setOwn(null)];
}

export function ScenarioEditor({ onClose }: { onClose: () => void }) {
  const store = useFaultlineStore();
  const variant = useFaultline((s) => s.variant);
  const [draft, setDraft, follow] = useDraft();
  const edit: Edit = (f) => setDraft(f);
  const result = useMemo(() => validateScenario(scenarioJsonOf(draft)), [draft]);
  const errors = useMemo(() => (result.ok ? [] : result.errors), [result]);
  const byPath = useMemo(() => errorsByPath(errors), [errors]);
  const link = useMemo(() => (result.ok ? linkLength(result.scenario) : null), [result]);

  return (
    <ErrorsContext.Provider value={byPath}>
      <section className="panel scenario-editor" aria-label="Scenario editor">
        <div className="editor-head">
          <h2>Scenario editor</h2>
          <button type="button" onClick={follow}>
            Start from the open scenario
          </button>
          <button type="button" onClick={() => setDraft(blankDraft(draft.fs))}>
            Start from a blank scenario
          </button>
          <button type="button" onClick={onClose}>
            Close the editor
          </button>
        </div>
        <ScenarioFields draft={draft} edit={edit} />
        <FilesEditor draft={draft} edit={edit} />
        <MappingsEditor draft={draft} edit={edit} />
        <TasksEditor draft={draft} edit={edit} />
        <SchedulesEditor draft={draft} edit={edit} />
        <Problems errors={errors} draft={draft} link={link} />
        <div className="editor-foot">
          <button
            type="button"
            className="primary"
            disabled={!result.ok}
            onClick={() => {
              if (!result.ok) return;
              store.getState().openCustom(result.scenario, variant);
              follow();
            }}
          >
            Open this scenario
          </button>
        </div>
      </section>
    </ErrorsContext.Provider>
  );
}
