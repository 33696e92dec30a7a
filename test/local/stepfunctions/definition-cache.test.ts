/**
 * The synthesized workflow definition is cached by the content hash of its sources: a start with
 * unchanged sources reads it back without synthesizing, and any change to lib/, to the renderer or
 * to a file they import (however deep) synthesizes it again.
 */
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import {
  definitionFingerprint,
  definitionSourceFiles,
  loadLocalWorkflowDefinition,
} from '../../../local/stepfunctions/definition-cache';
import type { LocalWorkflowDefinition } from '../../../local/stepfunctions/local-definition';
import { renderLocalWorkflowDefinition } from '../../../local/stepfunctions/local-definition';

const ROOT = resolve(__dirname, '../../..');
let dirs: string[] = [];
const tempDir = (): string => {
  const dir = mkdtempSync(join(tmpdir(), 'jit-definition-cache-'));
  dirs.push(dir);
  return dir;
};
afterEach(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  dirs = [];
});

/** A small repository: lib/ importing a file under lambdas/, which imports another; and an unrelated file. */
function fakeRepository(): { root: string; write: (path: string, text: string) => void } {
  const root = tempDir();
  const write = (path: string, text: string): void => {
    mkdirSync(join(root, path, '..'), { recursive: true });
    writeFileSync(join(root, path), text);
  };
  write('local/stepfunctions/local-definition.ts', "import { WORKFLOW } from '../../lib/workflow';\n");
  write('lib/workflow.ts', "import { NAMES } from '../lambdas/domain/names';\nexport const WORKFLOW = NAMES;\n");
  write('lib/constructs/table.ts', 'export const TABLE = 1;\n');
  write('lambdas/domain/names.ts', "export { RETRY } from './retry';\nexport const NAMES = ['a'];\n");
  write('lambdas/domain/retry.ts', 'export const RETRY = 3;\n');
  write('lambdas/slack/app.ts', 'export const UNRELATED = 1;\n');
  return { root, write };
}

const definition = (marker: string): LocalWorkflowDefinition => ({
  asl: { Comment: marker, StartAt: 'A', States: { A: { Type: 'Succeed' } } },
  functionNames: {} as LocalWorkflowDefinition['functionNames'],
});

describe('the definition fingerprint', () => {
  it('covers lib/, the renderer and every file they import, transitively, and nothing else', () => {
    const { root } = fakeRepository();
    const files = definitionSourceFiles(root).map((f) => f.slice(root.length + 1));
    expect(files).toEqual([
      'lambdas/domain/names.ts',
      'lambdas/domain/retry.ts',
      'lib/constructs/table.ts',
      'lib/workflow.ts',
      'local/stepfunctions/local-definition.ts',
    ]);
  });

  it.each([
    ['a file under lib/', 'lib/constructs/table.ts'],
    ['the renderer', 'local/stepfunctions/local-definition.ts'],
    ['a file lib/ imports from lambdas/', 'lambdas/domain/names.ts'],
    ['a file imported two steps away', 'lambdas/domain/retry.ts'],
  ])('changes when %s changes', (_what, path) => {
    const { root, write } = fakeRepository();
    const before = definitionFingerprint(root);
    write(path, '// edited\n');
    expect(definitionFingerprint(root)).not.toBe(before);
  });

  it('stays when a file the definition does not import changes', () => {
    const { root, write } = fakeRepository();
    const before = definitionFingerprint(root);
    write('lambdas/slack/app.ts', 'export const UNRELATED = 2;\n');
    expect(definitionFingerprint(root)).toBe(before);
  });

  it("follows the real definition's sources out of lib/", () => {
    const files = definitionSourceFiles(ROOT).map((f) => f.slice(ROOT.length + 1));
    expect(files).toEqual(
      expect.arrayContaining([
        'local/stepfunctions/local-definition.ts',
        'lib/workflow-definition.ts',
        'lib/constructs/workflow.ts',
        'lambdas/domain/error-names.ts',
        'lambdas/lifecycle/task-io.ts',
      ]),
    );
  });
});

describe('loading the definition through the cache', () => {
  it('synthesizes once, then reads it back until a source changes', async () => {
    const { root, write } = fakeRepository();
    const dir = tempDir();
    let renders = 0;
    const render = (): LocalWorkflowDefinition => definition(`render ${++renders}`);

    const first = await loadLocalWorkflowDefinition({ dir, root, render });
    const second = await loadLocalWorkflowDefinition({ dir, root, render });
    expect(renders).toBe(1);
    expect(second).toEqual(first);

    write('lib/workflow.ts', "import { NAMES } from '../lambdas/domain/names';\nexport const WORKFLOW = [NAMES];\n");
    const third = await loadLocalWorkflowDefinition({ dir, root, render });
    expect(renders).toBe(2);
    expect(third.asl.Comment).toBe('render 2');
  });

  it('synthesizes again over a torn or foreign cache file', async () => {
    const { root } = fakeRepository();
    const dir = tempDir();
    let renders = 0;
    const render = (): LocalWorkflowDefinition => definition(`render ${++renders}`);
    await loadLocalWorkflowDefinition({ dir, root, render });
    const [file] = readdirSync(dir);
    for (const text of ['{"asl": {"Comm', '{"something": "else"}']) {
      writeFileSync(join(dir, file ?? ''), text);
      expect((await loadLocalWorkflowDefinition({ dir, root, render })).asl.Comment).toBe(`render ${renders}`);
    }
    expect(renders).toBe(3);
  });

  it('stores nothing when the rendered definition fails its check, so the next start checks it again', async () => {
    const { root } = fakeRepository();
    const dir = tempDir();
    const validate = (): void => {
      throw new Error('invalid definition');
    };
    const render = (): LocalWorkflowDefinition => definition('bad');
    await expect(loadLocalWorkflowDefinition({ dir, root, render, validate })).rejects.toThrow('invalid definition');
    expect(readdirSync(dir)).toEqual([]);
  });

  it('keeps nothing when told to (dir undefined): every load synthesizes', async () => {
    const { root } = fakeRepository();
    let renders = 0;
    const render = (): LocalWorkflowDefinition => definition(`render ${++renders}`);
    await loadLocalWorkflowDefinition({ dir: undefined, root, render });
    await loadLocalWorkflowDefinition({ dir: undefined, root, render });
    expect(renders).toBe(2);
  });

  it('reads back exactly what the CDK synthesizes for the workflow', async () => {
    const dir = tempDir();
    const stored = await loadLocalWorkflowDefinition({ dir });
    const read = await loadLocalWorkflowDefinition({ dir, render: () => definition('not synthesized again') });
    expect(read).toEqual(stored);
    expect(read).toEqual(renderLocalWorkflowDefinition());
  });
});
