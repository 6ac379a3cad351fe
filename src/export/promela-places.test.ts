// The Promela model against the thread machines it translates, state by
// state: every state of every machine the gfs2 export covers (the machines
// of threads/gfs2.ts and gfs2-write.ts, and every machine a gfs2 preset or
// a custom export scenario runs) has a counterpart in promela-places.ts, each
// place there is marked in a template (//@fl) and emitted under the
// variants the machine runs under, and each marked place is some state's;
// and every state a gfs2 scenario's replay passes through has its place in
// the model exported for that scenario (the export's reach left nothing out).
// The lock rules likewise, function by function (RULES): every function of
// kernel/glock.ts and kernel/sleeplock.ts has its place or a reason.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Gfs2Fix } from '../kernel/variants.ts';
import { VARIANTS } from '../kernel/variants.ts';
import { buildSetup } from '../scenarios/build.ts';
import { PRESETS } from '../scenarios/index.ts';
import { replay } from '../sim/replay.ts';
import * as gfs2Write from '../threads/gfs2-write.ts';
import * as gfs2 from '../threads/gfs2.ts';
import { compiledMachine } from '../threads/registry.ts';
import { promelaCases } from './promela-cases.ts';
import { promelaOf } from './promela.ts';
import { CALLS, kernelPaths, type CalleeKind } from './promela-lib.ts';
import { PLACES, RULES, type Counterpart, type MachinePlaces } from './promela-places.ts';
import { templatePlaces, type TemplateSources } from './promela-template.ts';
import { PROMELA_TEMPLATES } from './promela-templates.ts';

const FIXES: readonly Gfs2Fix[] = ['none', 'rfc', '5.16', '5.18', '6.4'];
const KINDS: readonly CalleeKind[] = ['read', 'dio', 'buffered', 'faultin', 'touch'];

/** The machines whose states must have a counterpart: gfs2's own, and every machine a gfs2 export scenario runs. */
function machinesInScope(): Map<string, readonly string[]> {
  const ids = new Set<string>();
  for (const value of [...Object.values(gfs2), ...Object.values(gfs2Write)]) {
    const id = (value as { id?: unknown }).id;
    if (typeof id === 'string' && compiledMachine(id) !== undefined) ids.add(id);
  }
  const gfs2Variants = VARIANTS.filter((v) => v.flags.fs === 'gfs2').map((v) => v.id);
  const scenarios = [...PRESETS.filter((p) => p.fs === 'gfs2'), ...promelaCases().map((c) => c.scenario).filter((s) => s.fs === 'gfs2' && s.schedules.length === 0)];
  for (const scenario of new Set(scenarios)) {
    for (const variant of gfs2Variants) {
      const schedules = scenario.schedules.length > 0 ? scenario.schedules.map((s) => s.steps) : [[]];
      for (const steps of schedules) for (const t of replay(buildSetup(scenario), variant, steps, { finish: true }).trace) ids.add(t.machine);
    }
  }
  return new Map([...ids].map((id) => [id, [...(compiledMachine(id)?.states.keys() ?? [])]]));
}

/** The functions a source file of the simulator defines (`function name(`, exported or not). */
function functionsOf(file: string): string[] {
  const text = readFileSync(new URL(`../${file}`, import.meta.url), 'utf8');
  return [...text.matchAll(/^(?:export )?function (\w+)/gm)].map((m) => m[1] ?? '');
}

const placesOf = (c: Counterpart): readonly string[] => (typeof c === 'string' ? [c] : 'none' in c ? [] : (c as readonly string[]));

/** The templates with each //@fl line left in as a comment, so that a rendering shows which places it emits. */
function withPlacesShown(templates: TemplateSources): TemplateSources {
  return Object.fromEntries(Object.entries(templates).map(([name, text]) => [name, text.replace(/^\/\/@fl (.*)$/gm, (_all, places: string) => `/*@fl ${places} */`)]));
}

/** The places a model written from `withPlacesShown` templates shows. */
function shownIn(text: string): Set<string> {
  return new Set([...text.matchAll(/\/\*@fl (.*?) \*\//g)].flatMap((m) => (m[1] ?? '').split(/\s+/)));
}

/** The places the kernel paths of a variant emit, with every call and callee reached, with and without a MAP_SHARED mapping. */
function emitted(templates: TemplateSources, fix: Gfs2Fix): Set<string> {
  return shownIn([true, false].map((shared) => kernelPaths({ fix, calls: new Set(CALLS), kinds: new Set(KINDS), shared }, withPlacesShown(templates))).join('\n'));
}

/** Everything wrong between the machines, the table and the templates, in words; empty when they agree. */
function placeProblems(machines: ReadonlyMap<string, readonly string[]>, places: Readonly<Record<string, MachinePlaces>>, templates: TemplateSources, rules: typeof RULES = RULES): string[] {
  const problems: string[] = [];
  const marked = templatePlaces(templates);
  const markedAt = new Map<string, string>();
  for (const m of marked) {
    if (markedAt.has(m.place)) problems.push(`${m.file}.pml:${m.line}: place ${m.place} is marked twice`);
    markedAt.set(m.place, m.file);
    if (!m.place.startsWith(`${m.file}.`)) problems.push(`${m.file}.pml:${m.line}: place ${m.place} is not named after its file (${m.file}.…)`);
  }
  const perFix = new Map(FIXES.map((fix) => [fix, emitted(templates, fix)]));
  const anyFix = new Set([...perFix.values()].flatMap((s) => [...s]));
  const named = new Set<string>();
  for (const [machine, states] of machines) {
    const entry = places[machine];
    if (entry === undefined) {
      problems.push(`machine ${machine} has no entry`);
      continue;
    }
    for (const state of states) if (!(state in entry.states)) problems.push(`${machine}.${state} has no counterpart in the model`);
    for (const [state, counterpart] of Object.entries(entry.states)) {
      if (!states.includes(state)) problems.push(`${machine}.${state} is not a state of the machine (stale entry)`);
      if (typeof counterpart === 'object' && 'none' in counterpart && counterpart.none.trim() === '') problems.push(`${machine}.${state}: no counterpart, and no reason given`);
      for (const place of placesOf(counterpart)) {
        named.add(place);
        if (!markedAt.has(place)) {
          problems.push(`${machine}.${state} → ${place}: no template marks this place`);
          continue;
        }
        // Places of the kernel paths must be emitted under the machine's variants (those of model.pml and glocks.pml always are).
        if (!anyFix.has(place) && (markedAt.get(place) === 'model' || markedAt.get(place) === 'glocks')) continue;
        const fixes = entry.fixes ?? FIXES;
        const shown = entry.fixes === undefined ? fixes.some((f) => perFix.get(f)?.has(place)) : fixes.every((f) => perFix.get(f)?.has(place));
        if (!shown) problems.push(`${machine}.${state} → ${place}: the model for ${fixes.join(', ')} does not emit this place`);
      }
    }
  }
  for (const machine of Object.keys(places)) if (!machines.has(machine)) problems.push(`machine ${machine} has an entry but is not in scope (stale)`);
  for (const [file, table] of Object.entries(rules)) {
    const functions = functionsOf(file);
    for (const fn of functions) if (!(fn in table)) problems.push(`${file}: ${fn} has no counterpart in the model`);
    for (const [fn, counterpart] of Object.entries(table)) {
      if (!functions.includes(fn)) problems.push(`${file}: ${fn} is not a function there (stale entry)`);
      if (typeof counterpart === 'object' && 'none' in counterpart && counterpart.none.trim() === '') problems.push(`${file}: ${fn}: no counterpart, and no reason given`);
      for (const place of placesOf(counterpart)) {
        named.add(place);
        if (!markedAt.has(place)) problems.push(`${file}: ${fn} → ${place}: no template marks this place`);
      }
    }
  }
  for (const m of marked) if (!named.has(m.place)) problems.push(`${m.file}.pml:${m.line}: place ${m.place} is no machine state's or lock rule's counterpart`);
  return problems;
}

/** Replay every gfs2 preset's schedules (the custom export scenarios: round-robin) under every gfs2 variant: the states passed through whose places the model exported for that scenario and variant does not show. */
function scenarioMisses(places: Readonly<Record<string, MachinePlaces>>): { checked: number; missing: string[] } {
  const shown = withPlacesShown(PROMELA_TEMPLATES);
  const gfs2Variants = VARIANTS.filter((v) => v.flags.fs === 'gfs2').map((v) => v.id);
  const scenarios = new Set([...PRESETS.filter((p) => p.fs === 'gfs2'), ...promelaCases().map((c) => c.scenario).filter((s) => s.fs === 'gfs2')]);
  const missing: string[] = [];
  let checked = 0;
  for (const scenario of scenarios) {
    for (const variant of gfs2Variants) {
      const result = promelaOf(scenario, variant, { templates: shown });
      if (!result.ok) throw new Error(result.message);
      const inModel = shownIn(result.model);
      const schedules = scenario.schedules.length > 0 ? scenario.schedules.map((s) => s.steps) : [[]];
      const visited = new Set(schedules.flatMap((steps) => replay(buildSetup(scenario), variant, steps, { finish: true }).trace.flatMap((t) => [`${t.machine}\u0000${t.from}`, `${t.machine}\u0000${t.to}`])));
      for (const key of visited) {
        const [machine = '', state = ''] = key.split('\u0000');
        const counterpart = places[machine]?.states[state];
        if (counterpart === undefined || (typeof counterpart === 'object' && 'none' in counterpart)) continue;
        checked++;
        if (!placesOf(counterpart).some((place) => inModel.has(place))) missing.push(`${scenario.id} (${scenario.tasks.length} tasks) under ${variant}: ${machine}.${state} → ${placesOf(counterpart).join(' | ')}`);
      }
    }
  }
  return { checked, missing };
}

describe('the Promela model, state by state', () => {
  const machines = machinesInScope();

  it('covers the gfs2 machines, the syscall and fault paths they run, and truncate and punch', () => {
    for (const id of ['gfs2_fault', 'gfs2_page_mkwrite', 'gfs2_file_read_iter (6.4)', 'gfs2_file_write_iter (6.4)', 'iomap_file_buffered_write (gfs2_iomap_begin locks)', 'do_page_fault', 'filemap_fault', 'iomap_dio_rw', 'fault_in_iov_iter', 'do_mmap', 'user_access', 'do_truncate', 'punch_hole', 'task']) {
      expect(machines.has(id), id).toBe(true);
    }
    // ext2 DAX, ext4/XFS and lockdep-import machines are not exported.
    for (const id of ['do_dax_fault', 'xfs_filemap_fault', 'lock_region', 'do_sync_mmap_readahead']) expect(machines.has(id), id).toBe(false);
    expect([...machines.values()].reduce((n, states) => n + states.length, 0)).toBeGreaterThan(250);
  });

  it('every machine state has a counterpart, every counterpart is a marked and emitted place, every marked place is a state\'s', () => {
    expect(placeProblems(machines, PLACES, PROMELA_TEMPLATES)).toEqual([]);
  });

  it('fails on a machine state with no entry', () => {
    const planted = { ...PLACES, 'gfs2_file_read_iter (5.18)': { ...PLACES['gfs2_file_read_iter (5.18)'], states: Object.fromEntries(Object.entries(PLACES['gfs2_file_read_iter (5.18)']?.states ?? {}).filter(([s]) => s !== 'faulted_in')) } };
    expect(placeProblems(machines, planted, PROMELA_TEMPLATES)).toEqual(['gfs2_file_read_iter (5.18).faulted_in has no counterpart in the model']);
  });

  it('fails on a new machine state the table does not know', () => {
    const grown = new Map(machines);
    grown.set('gfs2_fault', [...(machines.get('gfs2_fault') ?? []), 'glock_nq_retry']);
    expect(placeProblems(grown, PLACES, PROMELA_TEMPLATES)).toEqual(['gfs2_fault.glock_nq_retry has no counterpart in the model']);
  });

  it('fails on a place no template marks, and on a marked place no state names', () => {
    const renamed = Object.fromEntries(Object.entries(PROMELA_TEMPLATES).map(([name, text]) => [name, text.replace('//@fl read-iter.R_ALLOW\n', '//@fl read-iter.R_ALLOW_DEMOTE\n')]));
    expect(placeProblems(machines, PLACES, renamed).sort()).toEqual(['gfs2_file_read_iter (5.16).allow_demote → read-iter.R_ALLOW: no template marks this place', expect.stringMatching(/^read-iter\.pml:\d+: place read-iter\.R_ALLOW_DEMOTE is no machine state's or lock rule's counterpart$/)]);
  });

  it('fails on a stale marker left in a template', () => {
    const stale = { ...PROMELA_TEMPLATES, 'read-iter': (PROMELA_TEMPLATES['read-iter'] ?? '').replace('//@fl read-iter.R_RETURN\n', '//@fl read-iter.R_RETURN\n//@fl read-iter.R_RELOCK\n') };
    expect(placeProblems(machines, PLACES, stale)).toEqual([expect.stringMatching(/^read-iter\.pml:\d+: place read-iter\.R_RELOCK is no machine state's or lock rule's counterpart$/)]);
  });

  it('fails on a glock rule with no counterpart, and on a rule that no longer exists', () => {
    const planted = { ...RULES, 'kernel/glock.ts': { ...Object.fromEntries(Object.entries(RULES['kernel/glock.ts']).filter(([fn]) => fn !== 'remoteCallback')), gfs2GlockCb: 'glocks.gfs2_glock_cb' } };
    expect(placeProblems(machines, PLACES, PROMELA_TEMPLATES, planted).sort()).toEqual(['kernel/glock.ts: gfs2GlockCb is not a function there (stale entry)', 'kernel/glock.ts: remoteCallback has no counterpart in the model']);
  });

  it('fails on a place that the machine\'s variant does not emit: a 5.16 state pointed at the 5.18 fault-in', () => {
    const entry = PLACES['gfs2_file_read_iter (5.16)'];
    if (entry === undefined) throw new Error('no 5.16 read');
    const wrong = { ...PLACES, 'gfs2_file_read_iter (5.16)': { ...entry, states: { ...entry.states, allow_demote: 'read-iter.R_DQ_FAULTIN' } } };
    expect(placeProblems(machines, wrong, PROMELA_TEMPLATES)).toEqual([
      'gfs2_file_read_iter (5.16).allow_demote → read-iter.R_DQ_FAULTIN: the model for 5.16 does not emit this place',
      expect.stringMatching(/^read-iter\.pml:\d+: place read-iter\.R_ALLOW is no machine state's or lock rule's counterpart$/),
    ]);
  });

  it('every state the simulator passes through on a gfs2 preset\'s schedules and the custom export scenarios is in the model exported for that scenario and variant', () => {
    const { checked, missing } = scenarioMisses(PLACES);
    expect(checked).toBeGreaterThan(1000);
    expect(missing).toEqual([]);
  });

  it('fails on a state whose place the scenario\'s model leaves out: filemap_read pointed at iomap_dio_rw, which a buffered read never emits', () => {
    const entry = PLACES.filemap_read;
    if (entry === undefined) throw new Error('no filemap_read');
    const wrong = { ...PLACES, filemap_read: { ...entry, states: { ...entry.states, find_page: 'iomap-dio-rw.c1' } } };
    expect(scenarioMisses(wrong).missing).toContain('gfs2-read-self (1 tasks) under gfs2-5.15: filemap_read.find_page → iomap-dio-rw.c1');
  });
});
