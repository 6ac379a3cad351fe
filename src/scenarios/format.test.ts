/**
 * docs/scenario-format.md against the code: its example must parse, validate
 * and replay to the outcomes it claims, and it must document every field.
 */
import { readFileSync } from 'node:fs';
import { checkSchedule } from './check.ts';
import { describe, expect, it } from 'vitest';
import { VARIANTS, type VariantId } from '../kernel/variants.ts';
import { OUTCOME_KINDS } from '../sim/outcome.ts';
import type { PageState, SyscallSpec } from './types.ts';
import { FORMAT_FIELDS, parseScenarioJson } from './validate.ts';

const doc = readFileSync(new URL('../../docs/scenario-format.md', import.meta.url), 'utf8');

function firstJsonBlock(markdown: string): string {
  const match = /^```json\n([\s\S]*?)^```$/m.exec(markdown);
  if (match?.[1] === undefined) throw new Error('docs/scenario-format.md has no ```json block');
  return match[1];
}

const SYSCALL_CALLS: Record<SyscallSpec['call'], true> = { pread: true, pwrite: true, truncate: true, punch: true, mmap: true, touch: true, lock: true, copy: true };
const PAGE_STATES: Record<PageState, true> = { hole: true, disk: true, cached: true, 'hole-cached': true };

describe('docs/scenario-format.md', () => {
  const parsed = parseScenarioJson(firstJsonBlock(doc));

  it('has an example that parses and validates', () => {
    expect(parsed.ok ? [] : parsed.errors).toEqual([]);
  });

  const scenario = parsed.ok ? parsed.scenario : undefined;
  const cases = (scenario?.schedules ?? []).flatMap((schedule) =>
    Object.entries(schedule.expect).map(([variant, expectation]) => ({ schedule, variant: variant as VariantId, expectation })),
  );

  it('has an example with at least one schedule and expectation', () => {
    expect(cases.length).toBeGreaterThan(0);
  });

  it.each(cases.map((c) => ({ ...c, label: `${c.schedule.name} under ${c.variant}` })))('example replays $label to the documented outcome', ({ schedule, variant, expectation }) => {
    if (scenario === undefined || expectation === undefined) throw new Error('no scenario');
    expect(checkSchedule(scenario, variant, schedule, expectation)).toEqual([]);
  });

  const fieldGroups: [string, readonly string[]][] = [
    ...Object.entries(FORMAT_FIELDS),
    ['SyscallSpec call', Object.keys(SYSCALL_CALLS)],
    ['PageState', Object.keys(PAGE_STATES)],
    ['OutcomeKind', OUTCOME_KINDS],
    ['VariantId', VARIANTS.map((v) => v.id)],
  ];

  it.each(fieldGroups)('documents every name of %s', (_group, names) => {
    expect(names.filter((name) => !doc.includes(`\`${name}\``))).toEqual([]);
  });

  it('states the simplifications, the units and the limits', () => {
    for (const phrase of ['4 KiB', 'one page is one block', 'whole pages', 'user page', '64 KiB', 'PAGE_SIZE', '`F:1`', '`0`']) expect(doc).toContain(phrase);
  });
});
