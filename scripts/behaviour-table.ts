/**
 * Writes src/scenarios/behaviour-table.json from the code as it is now: run
 * once before a change that must keep behaviour, commit the table, and let
 * behaviour.test.ts hold the change to it.
 *
 *   npx tsx scripts/behaviour-table.ts
 */
import { writeFileSync } from 'node:fs';
import { exploreRows, scheduleRows } from '../src/scenarios/behaviour.ts';

const started = performance.now();
const table = { schedules: scheduleRows(), explorer: exploreRows() };
writeFileSync(new URL('../src/scenarios/behaviour-table.json', import.meta.url), `${JSON.stringify(table, null, 1)}\n`);
console.log(`${table.schedules.length} schedules, ${table.explorer.length} explorations in ${Math.round(performance.now() - started)} ms`);
