/**
 * How every function of the product is bundled, in one place: `cdk synth` (lib/constructs/jit-function.ts
 * through lib/bundle-function.ts) and `npm run bench` (bench/bundle.ts) both build with these options,
 * so the figures are of what ships.
 */
import { createRequire } from 'node:module';
import { basename, dirname } from 'node:path';
import type { BuildOptions, Plugin } from 'esbuild';
import { BUNDLED_CONFIG_IDENTIFIER } from '../lambdas/config/bundled';

/**
 * Modules left out of every bundle. The YAML parser: a deployed function reads the configuration
 * compiled into it as JSON, so only a YAML file named by `JIT_CONFIG` would need it (and says so).
 */
export const BUNDLE_EXTERNALS: readonly string[] = ['yaml'];

/** esbuild's `define` that compiles the configuration's JSON text (lambdas/config/compile.ts) into a bundle. */
export function configDefine(configJson: string): Record<string, string> {
  // A string literal of the JSON: V8 parses JSON.parse('...') faster than the same object written as code.
  return { [BUNDLED_CONFIG_IDENTIFIER]: JSON.stringify(configJson) };
}

/**
 * zod's locale index with English alone. zod's classic API exports every locale (`z.locales`), so
 * each bundle would carry some forty of them (a quarter MB to parse at every cold start); the product
 * speaks English, the language zod sets by default.
 */
export const zodEnglishOnly: Plugin = {
  name: 'zod-english-only',
  setup(build) {
    // The index zod's classic API imports (`../locales/index.js`); its English module is imported directly.
    build.onResolve({ filter: /[\\/]locales[\\/]index\.c?js$/ }, (args) =>
      /[\\/]node_modules[\\/]zod[\\/]/.test(args.importer) ? { path: args.path, namespace: 'zod-locales' } : undefined,
    );
    build.onLoad({ filter: /.*/, namespace: 'zod-locales' }, () => {
      const english = createRequire(__filename).resolve('zod/v4/locales/en.js');
      return {
        contents: `export { default as en } from ${JSON.stringify(english)};`,
        loader: 'js',
        resolveDir: dirname(english),
      };
    });
  },
};

/** A package a bundle leaves out, for the importers that need it only on paths no function runs, and why. */
export interface NeverRun {
  readonly module: string;
  /** The importing packages (their node_modules folder names) whose import of `module` is left unresolved. */
  readonly importers: readonly string[];
  readonly why: string;
}

/**
 * What a function loads only because a module it imports requires it at the top for a path the
 * product never takes. Bolt's index loads every receiver: its Socket Mode receiver requires undici
 * (for a WebSocket), its HTTP and Express receivers' body parsing iconv-lite; the product answers
 * through the Lambda receiver alone, which needs neither. minipass-fetch requires iconv-lite for
 * `textConverted` only, which the Slack clients never call. Half of the Slack endpoint's bundle.
 */
export const NEVER_RUN: readonly NeverRun[] = [
  { module: 'undici', importers: ['@slack/socket-mode'], why: "Bolt's Socket Mode receiver" },
  { module: 'iconv-lite', importers: ['raw-body', 'body-parser'], why: "Bolt's HTTP and Express receivers" },
  { module: 'iconv-lite', importers: ['minipass-fetch'], why: "minipass-fetch's textConverted" },
];

/** The module left in place of a package of NEVER_RUN: loading it is harmless, using it fails with `why`. */
function stubOf(entry: NeverRun): string {
  const message = `${entry.module} is left out of this function's bundle: only ${entry.why} uses it`;
  // Reading a member fails, naming the path; what a module loader or esbuild's interop probes answers undefined.
  return `module.exports = new Proxy({}, { get(_, key) {
    if (typeof key === 'symbol' || key === '__esModule' || key === 'then' || key === 'default') return undefined;
    throw new Error(${JSON.stringify(message)});
  } });`;
}

/** Leaves NEVER_RUN's packages out of a bundle, each for its named importers alone. */
export const leaveOutNeverRun: Plugin = {
  name: 'leave-out-never-run',
  setup(build) {
    // Package names need no escaping in a pattern: letters, digits, '-', '@' and '/'.
    const modules = [...new Set(NEVER_RUN.map((e) => e.module))];
    build.onResolve({ filter: new RegExp(`^(${modules.join('|')})$`) }, (args) => {
      const entry = NEVER_RUN.find(
        (e) =>
          e.module === args.path &&
          e.importers.some((i) => args.importer.replace(/\\/g, '/').includes(`/node_modules/${i}/`)),
      );
      return entry ? { path: `${entry.module}:${entry.importers.join(',')}`, namespace: 'never-run' } : undefined;
    });
    build.onLoad({ filter: /.*/, namespace: 'never-run' }, (args) => {
      const entry = NEVER_RUN.find((e) => args.path === `${e.module}:${e.importers.join(',')}`);
      return { contents: entry ? stubOf(entry) : '', loader: 'js' };
    });
  },
};

/**
 * The functions bundled as ES modules split at their dynamic `import()`s: what their first invocation does
 * not need (the Slack endpoint's DynamoDB, Step Functions and Lambda clients, which `/jit` never calls) is
 * then neither compiled nor run at init, where a single file is compiled whole. The workflow's tasks
 * stay one CommonJS file each: their first invocation loads nearly all they import, and loading it
 * as separate modules then costs more than it saves (`npx tsx bench/compare-cold-start.ts`).
 */
export const SPLIT_FUNCTIONS: ReadonlySet<string> = new Set(['slack-ingress']);

/**
 * What every file of a split bundle starts with: ES modules have no `require`, `__filename` or
 * `__dirname`, which the CommonJS packages in a bundle (and the lazy `require` of the YAML parser) use.
 */
const ESM_PRELUDE = [
  "import { createRequire as __jitCreateRequire } from 'node:module';",
  "import { fileURLToPath as __jitFileURLToPath } from 'node:url';",
  'const require = __jitCreateRequire(import.meta.url);',
  'const __filename = __jitFileURLToPath(import.meta.url);',
  "const __dirname = __filename.slice(0, __filename.lastIndexOf('/'));",
].join(' ');

/** The bundle's format and files: one CommonJS file at `outfile`, or for SPLIT_FUNCTIONS an ES module entry and its chunks. */
function outputOptions(entry: string, outfile: string): BuildOptions {
  const name = basename(entry).replace(/\.[cm]?[jt]s$/, '');
  if (!SPLIT_FUNCTIONS.has(name)) return { entryPoints: [entry], outfile, format: 'cjs' };
  return {
    // `dir/index.js` is written as `dir/index.mjs` (Lambda's `index.handler` finds either), the chunks in `dir/chunks/`.
    entryPoints: { [basename(outfile).replace(/\.[cm]?js$/, '')]: entry },
    outdir: dirname(outfile),
    outExtension: { '.js': '.mjs' },
    chunkNames: 'chunks/[name]-[hash]',
    format: 'esm',
    splitting: true,
    banner: { js: ESM_PRELUDE },
  };
}

/**
 * The esbuild options of a function's bundle: for Node 22, minified, a source map beside each file;
 * CommonJS in one file at `outfile`, or split ES modules beside it for SPLIT_FUNCTIONS.
 */
export function functionBuildOptions(entry: string, outfile: string, configJson?: string): BuildOptions {
  return {
    ...outputOptions(entry, outfile),
    bundle: true,
    platform: 'node',
    target: 'node22',
    // A package's ES module build first: esbuild drops what a function does not import from it (the AWS
    // SDK's clients ship every command in one CommonJS file, parsed whole at each cold start otherwise).
    mainFields: ['module', 'main'],
    minify: true,
    // The map ships beside the bundle to read a stack trace with; NODE_OPTIONS does not load it (jit-function.ts).
    sourcemap: true,
    external: [...BUNDLE_EXTERNALS],
    plugins: [zodEnglishOnly, leaveOutNeverRun],
    // The configuration travels inside the bundle, so what runs is what was validated at synth.
    ...(configJson !== undefined ? { define: configDefine(configJson) } : {}),
    // Warnings and errors show; esbuild's size table would be noise in every synth.
    logLevel: 'warning',
  };
}
