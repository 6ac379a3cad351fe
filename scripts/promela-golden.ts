/**
 * What promelaOf exports for every case of src/export/promela-cases.ts, as
 * one digest per case: the SHA-256 of the model with its notes (or of the
 * refusal) and its length. src/export/promela-golden.json keeps the table;
 * promela-golden.test.ts holds the export to it, so a change to the templates
 * (src/export/promela/*.pml) or to their composition that must keep the
 * output keeps it byte for byte. Run it only when the output is meant to
 * change, and review the model's diff (DIR writes every text there):
 *
 *   npx tsx scripts/promela-golden.ts [DIR]
 */
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promelaCases } from '../src/export/promela-cases.ts';
import { promelaOf } from '../src/export/promela.ts';

/** `model <sha256> <chars>` or `refused <sha256> <chars>`, by case name; the texts go into `texts` when given. */
export function goldenRows(texts?: Map<string, string>): Record<string, string> {
  const rows: Record<string, string> = {};
  for (const c of promelaCases()) {
    const result = promelaOf(c.scenario, c.variant, { hidden: c.hidden });
    const text = result.ok ? `${result.model}\n--- notes\n${result.notes.join('\n')}\n` : `${result.message}\n`;
    texts?.set(c.name, text);
    rows[c.name] = `${result.ok ? 'model' : 'refused'} ${createHash('sha256').update(text).digest('hex')} ${text.length}`;
  }
  return rows;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const dir = process.argv[2];
  const texts = new Map<string, string>();
  const rows = goldenRows(texts);
  writeFileSync(new URL('../src/export/promela-golden.json', import.meta.url), `${JSON.stringify(rows, null, 1)}\n`);
  if (dir !== undefined) {
    mkdirSync(dir, { recursive: true });
    for (const [name, text] of texts) writeFileSync(join(dir, `${name.replaceAll(/[^A-Za-z0-9.-]+/g, '_')}.pml`), text);
  }
  const models = Object.values(rows).filter((r) => r.startsWith('model')).length;
  console.log(`${Object.keys(rows).length} cases: ${models} models, ${Object.keys(rows).length - models} refusals`);
}
