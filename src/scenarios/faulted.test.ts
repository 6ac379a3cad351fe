// `faulted` mappings: user pages already in the page tables at the start.
// What matters to a kernel developer is whether the copy faults at all, and
// so whether gfs2_fault (and its glock) is ever reached.
import { describe, expect, it } from 'vitest';
import type { VariantId } from '../kernel/variants.ts';
import { replay } from '../sim/replay.ts';
import { buildSetup } from './build.ts';
import { findPreset } from './index.ts';
import type { Scenario } from './types.ts';
import { validateScenario } from './validate.ts';

function readSelf(): Scenario {
  const preset = findPreset('gfs2-read-self');
  if (preset === undefined) throw new Error('gfs2-read-self is missing');
  return preset;
}

/** gfs2-read-self with page 0 of F cached (a zeroed page) and already mapped in the buffer. */
function readSelfPrefaulted(): Scenario {
  const s = readSelf();
  const checked = validateScenario({
    ...s,
    id: 'read-self-prefaulted',
    files: [{ name: 'F', pages: ['hole-cached', 'disk'] }],
    mappings: [{ process: 0, file: 'F', at: 0, pages: 2, shared: false, faulted: [0] }],
    schedules: [],
  });
  if (!checked.ok) throw new Error(checked.errors.map((e) => `${e.path}: ${e.message}`).join('; '));
  return checked.scenario;
}

function run(s: Scenario, variant: VariantId) {
  return replay(buildSetup(s), variant, [], { finish: true });
}

describe('a mapping with faulted pages', () => {
  it('starts with a read-only PTE to the page-cache page', () => {
    const setup = buildSetup(readSelfPrefaulted());
    expect(setup.kernel.mms[0]?.ptes[0]).toEqual({ kind: 'page', page: 0, writable: false });
    expect(setup.kernel.mms[0]?.ptes[1] ?? null).toBeNull();
  });

  it('under gfs2-5.15, reading into an already-mapped private page COWs in do_wp_page and never calls gfs2_fault: no recursive glock, no BUG', () => {
    const before = run(readSelf(), 'gfs2-5.15');
    expect(before.outcome?.kind).toBe('bug');
    const after = run(readSelfPrefaulted(), 'gfs2-5.15');
    expect(after.outcome?.kind).toBe('completed');
    expect(after.trace.some((t) => t.machine === 'do_page_fault' && t.to === 'do_wp_page')).toBe(true);
    expect(after.trace.some((t) => t.machine.startsWith('gfs2_fault'))).toBe(false);
  });

  it('on DAX maps the block itself', () => {
    const dax = findPreset('dax-truncate');
    if (dax === undefined) throw new Error('dax-truncate is missing');
    const m = dax.mappings[0];
    if (m === undefined) throw new Error('dax-truncate has no mapping');
    const checked = validateScenario({ ...dax, mappings: [{ ...m, faulted: [m.at] }, ...dax.mappings.slice(1)] });
    if (!checked.ok) throw new Error(checked.errors.map((e) => `${e.path}: ${e.message}`).join('; '));
    expect(buildSetup(checked.scenario).kernel.mms[m.process]?.ptes[m.at]).toMatchObject({ kind: 'dax', writable: false });
  });
});

describe('validation of faulted pages names the field', () => {
  const base = readSelf();
  const errorsOf = (faulted: unknown, pages: readonly string[] = ['hole', 'disk']) => {
    const result = validateScenario({ ...base, files: [{ name: 'F', pages }], mappings: [{ process: 0, file: 'F', at: 0, pages: 2, shared: false, faulted }] });
    return result.ok ? [] : result.errors.map((e) => `${e.path}: ${e.message}`);
  };

  it('refuses a page outside the mapping', () => {
    expect(errorsOf([2], ['cached', 'cached'])).toEqual(['mappings[0].faulted[0]: user page 2 is outside the mapping (user pages 0 to 1)']);
  });

  it('refuses a hole and, on gfs2, a page that is only on disk', () => {
    expect(errorsOf([0, 1])).toEqual([
      'mappings[0].faulted[0]: user page 0 maps F:0, a hole with no page in the page cache; a read fault would have left a zeroed page there: make it hole-cached',
      'mappings[0].faulted[1]: user page 1 maps F:1, a disk with no page in the page cache; a read fault would have read it into the page cache: make it cached',
    ]);
  });

  it('refuses a page listed twice and a value that is not a page', () => {
    expect(errorsOf([1, 1], ['cached', 'cached'])).toEqual(['mappings[0].faulted[1]: user page 1 is listed twice']);
    expect(errorsOf('0')[0]).toMatch(/^mappings\[0\]\.faulted: must be a list of user pages/);
  });
});
