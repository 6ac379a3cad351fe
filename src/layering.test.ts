// The layer boundary of DEVELOPERS.md is enforced by ESLint; these tests make
// sure the rule really fires, so a broken config cannot pass silently.
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const eslint = new ESLint();

async function ruleIdsFor(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return (result?.messages ?? []).map((m) => m.ruleId ?? m.message);
}

describe('layer boundaries', () => {
  it('rejects an import of react from src/kernel', async () => {
    const ids = await ruleIdsFor('src/kernel/probe.ts', "import { useState } from 'react';\nexport const s = useState;\n");
    expect(ids).toContain('no-restricted-imports');
  });

  it.each([
    ['src/kernel/probe.ts', "import { x } from '../threads/x.ts';"],
    ['src/threads/probe.ts', "import { x } from '../sim/x.ts';"],
    ['src/sim/probe.ts', "import { x } from '../scenarios/x.ts';"],
    ['src/share/probe.ts', "import { x } from '../store/x.ts';"],
    ['src/export/probe.ts', "import { x } from '../share/x.ts';"],
    ['src/scenarios/probe.ts', "import { x } from '../export/x.ts';"],
    ['src/store/probe.ts', "import { x } from '../ui/x.ts';"],
    ['src/sim/explore/probe.ts', "import { x } from '../../ui/panels/x.ts';"],
    ['src/cli/probe.ts', "import { x } from '../store/x.ts';"],
  ])('rejects an upward import in %s', async (filePath, line) => {
    const ids = await ruleIdsFor(filePath, `${line}\nexport const y = x;\n`);
    expect(ids).toContain('no-restricted-imports');
  });

  it.each(['zustand', 'react-dom', 'd3', '@xstate/react'])('rejects %s in engine code', async (pkg) => {
    const ids = await ruleIdsFor('src/sim/probe.ts', `import * as m from '${pkg}';\nexport const y = m;\n`);
    expect(ids).toContain('no-restricted-imports');
  });

  it('rejects the DOM in engine code', async () => {
    const ids = await ruleIdsFor('src/threads/probe.ts', 'export const t = document.title;\n');
    expect(ids).toContain('no-restricted-globals');
  });

  it('allows downward imports', async () => {
    const ids = await ruleIdsFor('src/ui/probe.ts', "import { x } from '../store/x.ts';\nimport { k } from '../kernel/k.ts';\nexport const y = [x, k];\n");
    expect(ids).not.toContain('no-restricted-imports');
    const engine = await ruleIdsFor('src/sim/probe.ts', "import { k } from '../kernel/k.ts';\nimport { t } from '../threads/t.ts';\nexport const y = [k, t];\n");
    expect(engine).toEqual([]);
  });
});
