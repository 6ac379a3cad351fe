// The simulator steps through compiled transition tables for speed; XState's
// own `transition` is the reference. They must agree everywhere.
import { describe, expect, it } from 'vitest';
import { referenceNextState } from './define.ts';
import { allCompiled } from './registry.ts';

describe('compiled thread machines', () => {
  const machines = allCompiled();

  it('every machine is an XState machine with states named after kernel functions', () => {
    expect(machines.length).toBeGreaterThanOrEqual(20);
    for (const m of machines) expect(m.machine.config.id).toBe(m.id);
  });

  it.each(machines.map((m) => [m.id, m] as const))('%s: every (state, event) leads where XState says', (_id, compiled) => {
    const events = new Set<string>(['no.such.event']);
    for (const state of compiled.states.values()) for (const event of state.on.keys()) events.add(event);
    for (const state of compiled.states.values()) {
      for (const event of events) {
        expect(state.on.get(event), `${compiled.id}: ${state.name} on ${event}`).toBe(referenceNextState(compiled.machine, state.name, event));
      }
    }
  });

  it.each(machines.map((m) => [m.id, m] as const))('%s: every transition targets a state of the machine, and only final states lack a step', (_id, compiled) => {
    for (const state of compiled.states.values()) {
      for (const target of state.on.values()) expect(compiled.states.has(target), `${state.name} → ${target}`).toBe(true);
      expect(state.final || state.step !== undefined, state.name).toBe(true);
    }
  });
});
