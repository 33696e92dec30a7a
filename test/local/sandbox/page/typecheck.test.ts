import { join } from 'node:path';
import ts from 'typescript';

// The page's script runs in a browser: it has its own tsconfig (DOM types) and is left out of the
// root project, so this keeps it type-checked as part of the test run.
it('the sandbox page type-checks against the DOM', () => {
  const configPath = join(__dirname, '../../../../local/sandbox/page/tsconfig.json');
  const config = ts.getParsedCommandLineOfConfigFile(
    configPath,
    {},
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (d) => {
        throw new Error(String(d.messageText));
      },
    },
  );
  if (!config) throw new Error('no page tsconfig');
  const program = ts.createProgram(config.fileNames, config.options);
  const problems = ts.getPreEmitDiagnostics(program).map((d) =>
    ts.formatDiagnostic(d, {
      getCanonicalFileName: (f) => f,
      getCurrentDirectory: () => process.cwd(),
      getNewLine: () => '\n',
    }),
  );
  expect(config.fileNames.map((f) => f.split('/').pop())).toEqual(expect.arrayContaining(['main.ts', 'dom.ts']));
  expect(problems).toEqual([]);
});
