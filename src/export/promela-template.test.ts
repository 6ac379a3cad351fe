// The Promela templates: the generated module is the .pml files as they are
// (npm run gen:promela), and the template language does what
// promela-template.ts says, failing loudly on what it does not know.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { GENERATED, generatedModule, readTemplates, TEMPLATE_DIR } from '../../scripts/gen-promela.ts';
import { renderTemplate, templatePlaces } from './promela-template.ts';
import { PROMELA_TEMPLATES } from './promela-templates.ts';

describe('promela-templates.ts', () => {
  it('is generated from the .pml files as they are now (else: npm run gen:promela)', () => {
    expect(readFileSync(GENERATED, 'utf8')).toBe(generatedModule(readTemplates()));
    expect(PROMELA_TEMPLATES).toEqual(readTemplates());
  });

  it('goes stale when a template changes: an edited copy of the templates no longer matches it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'faultline-pml-'));
    try {
      for (const [name, text] of Object.entries(readTemplates(TEMPLATE_DIR))) writeFileSync(join(dir, `${name}.pml`), name === 'glocks' ? text.replace('#define LOCAL_SHARE', '#define  LOCAL_SHARE') : text);
      expect(generatedModule(readTemplates(pathToFileURL(`${dir}/`)))).not.toBe(readFileSync(GENERATED, 'utf8'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the template language', () => {
  const render = (sources: Record<string, string>, ctx: Parameters<typeof renderTemplate>[2] = {}) => renderTemplate(sources, 'main', ctx);

  it('keeps text as it is and drops directive lines, the file\'s last newline included', () => {
    expect(render({ main: '//@# a note\n  :: a -> b   /* c */\n//@fl here\n\nx\n' })).toBe('  :: a -> b   /* c */\n\nx');
  });

  it('picks the branch of //@if / //@elif / //@else whose flag is set, nested too', () => {
    const main = '//@if rfc\nR\n//@elif late || v516\nL\n//@if v64\nsix\n//@end\n//@else\nN\n//@end\nend';
    expect(render({ main }, { rfc: true, late: true, v516: false, v64: true })).toBe('R\nend');
    expect(render({ main }, { rfc: false, late: true, v516: false, v64: true })).toBe('L\nsix\nend');
    expect(render({ main }, { rfc: false, late: false, v516: true, v64: false })).toBe('L\nend');
    expect(render({ main }, { rfc: false, late: false, v516: false, v64: false })).toBe('N\nend');
    expect(render({ main: '//@if !a && b\nyes\n//@end' }, { a: false, b: true })).toBe('yes');
  });

  it('fills strings, lists of lines and inline sections', () => {
    const main = '#define NT {{nt}}   /* {{#rfc}}RFC{{/rfc}}{{^rfc}}not RFC{{/rfc}} */\n  if\n{{rows}}\n  fi';
    expect(render({ main }, { nt: '3', rfc: false, rows: ['  :: a', '  :: b'] })).toBe('#define NT 3   /* not RFC */\n  if\n  :: a\n  :: b\n  fi');
    expect(render({ main }, { nt: '3', rfc: true, rows: [] })).toBe('#define NT 3   /* RFC */\n  if\n  fi');
  });

  it('includes another template and expands macros with their arguments, parentheses kept whole', () => {
    const sources = {
      main: '//@include part\n//@use nq(R_NQ, (direct -> DF : SH), rfc)',
      part: 'part of {{who}}',
      macros: '//@macro nq(at, mode, outer)\n  :: s_st == {{at}} -> nq_mode = {{mode}}\n//@if {{outer}}\n  outer\n//@end\n//@endmacro',
    };
    expect(render(sources, { who: 'it', rfc: true })).toBe('part of it\n  :: s_st == R_NQ -> nq_mode = (direct -> DF : SH)\n  outer');
  });

  it.each([
    ['an unknown flag', { main: '//@if rfcc\nx\n//@end' }, /main\.pml:1: unknown flag "rfcc"/],
    ['an unknown placeholder', { main: 'x = {{nt}}' }, /main\.pml:1: unknown placeholder \{\{nt\}\}/],
    ['an //@if without //@end', { main: 'a\n//@if rfc\nb' }, /an \/\/@if has no \/\/@end/],
    ['an unknown template', { main: '//@include nowhere' }, /no template nowhere\.pml/],
    ['an unknown macro', { main: '//@use nq(a)' }, /unknown macro nq/],
    ['a macro used with too few arguments', { main: '//@use m(a)', lib: '//@macro m(a, b)\n{{a}}{{b}}\n//@endmacro' }, /macro m takes 2 arguments \(a, b\), not 1/],
    ['an unknown directive', { main: '//@iff rfc' }, /unknown directive \/\/@iff/],
  ])('names the file and line of %s', (_what, sources, message) => {
    expect(() => render(sources, { rfc: true })).toThrow(message);
  });

  it('lists the places the templates name with //@fl', () => {
    expect(templatePlaces({ main: 'a\n//@fl x.one x.two\nb\n//@fl y' })).toEqual([
      { place: 'x.one', file: 'main', line: 2 },
      { place: 'x.two', file: 'main', line: 2 },
      { place: 'y', file: 'main', line: 4 },
    ]);
  });
});
