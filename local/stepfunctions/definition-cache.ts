/**
 * The workflow's local definition, synthesized once and kept on disk under the content hash of its
 * sources: every file under lib/, the renderer, each file they import from the repository
 * (followed transitively) and the aws-cdk-lib version. A start whose sources are unchanged reads
 * the ASL back and never loads the CDK, which is most of what `npm start` used to spend.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import type { LocalWorkflowDefinition } from './local-definition';

const ROOT = resolve(__dirname, '../..');

/** Where cached definitions go unless told otherwise (ignored by git with node_modules). */
export const DEFAULT_DEFINITION_CACHE_DIR = join(ROOT, 'node_modules/.cache/ontap-jit-local');

/** Where the fingerprint starts: the renderer and everything under lib/. */
const DEFINITION_SOURCES = ['local/stepfunctions/local-definition.ts', 'lib'];

/** Relative module specifiers in `import … from '…'`, `export … from '…'` and `import('…')`. */
const RELATIVE_IMPORT = /(?:from\s+|import\s*\(\s*)['"](\.{1,2}\/[^'"]+)['"]/g;

/** How the definition is loaded. */
export interface DefinitionCacheOptions {
  /** Folder of cached definitions; undefined keeps none (every load synthesizes). @default the module's own */
  readonly dir?: string | undefined;
  /** Repository the sources are read from. @default this repository */
  readonly root?: string;
  /** Renders the definition on a miss. @default the CDK synthesis of local-definition.ts */
  readonly render?: () => LocalWorkflowDefinition;
  /** Checks a freshly rendered definition before it is stored, so a cached one needs no check. @default none */
  readonly validate?: (definition: LocalWorkflowDefinition) => void;
}

/** The file a specifier in `from` names: `x.ts`, or `x/index.ts`; undefined for anything else. */
function resolveImport(from: string, specifier: string): string | undefined {
  const base = resolve(dirname(from), specifier);
  for (const candidate of [base, `${base}.ts`, join(base, 'index.ts')])
    if (existsSync(candidate) && statSync(candidate).isFile()) return candidate;
  return undefined;
}

function filesUnder(path: string): string[] {
  if (!statSync(path).isDirectory()) return [path];
  return readdirSync(path).flatMap((name) => filesUnder(join(path, name)));
}

/**
 * The files the definition is made from, sorted: `sources` (files or folders under `root`) and every
 * file they import by a relative path, transitively.
 */
export function definitionSourceFiles(root: string, sources: readonly string[] = DEFINITION_SOURCES): string[] {
  const seen = new Set<string>();
  const pending = sources.flatMap((s) => filesUnder(join(root, s))).filter((f) => f.endsWith('.ts'));
  for (let file = pending.pop(); file !== undefined; file = pending.pop()) {
    if (seen.has(file)) continue;
    seen.add(file);
    for (const match of readFileSync(file, 'utf8').matchAll(RELATIVE_IMPORT)) {
      const target = match[1] ? resolveImport(file, match[1]) : undefined;
      if (target && !seen.has(target)) pending.push(target);
    }
  }
  return [...seen].sort();
}

/** The content hash of the definition's sources under `root`, and the aws-cdk-lib version that synthesizes it. */
export function definitionFingerprint(root: string, sources?: readonly string[]): string {
  const hash = createHash('sha256');
  for (const file of definitionSourceFiles(root, sources)) {
    hash.update(`${relative(root, file)}\0`);
    hash.update(readFileSync(file));
    hash.update('\0');
  }
  const cdk = join(root, 'node_modules/aws-cdk-lib/package.json');
  hash.update(existsSync(cdk) ? String((JSON.parse(readFileSync(cdk, 'utf8')) as { version?: string }).version) : '');
  return hash.digest('hex').slice(0, 32);
}

function isDefinition(value: unknown): value is LocalWorkflowDefinition {
  if (!value || typeof value !== 'object') return false;
  const v = value as Record<string, unknown>;
  return typeof v.asl === 'object' && v.asl !== null && typeof v.functionNames === 'object' && v.functionNames !== null;
}

function readCached(file: string): LocalWorkflowDefinition | undefined {
  try {
    const parsed: unknown = JSON.parse(readFileSync(file, 'utf8'));
    return isDefinition(parsed) ? parsed : undefined;
  } catch {
    // Missing or torn (a start killed mid-write before the rename existed): synthesize again.
    return undefined;
  }
}

async function synthesize(): Promise<LocalWorkflowDefinition> {
  return (await import('./local-definition')).renderLocalWorkflowDefinition();
}

/**
 * The workflow's local definition: from the cache when its sources are unchanged, else synthesized
 * and stored (written to a temporary file and renamed, so a reader never sees half of one).
 */
export async function loadLocalWorkflowDefinition(
  options: DefinitionCacheOptions = {},
): Promise<LocalWorkflowDefinition> {
  const dir = 'dir' in options ? options.dir : DEFAULT_DEFINITION_CACHE_DIR;
  const given = options.render;
  const render = given ? async () => given() : synthesize;
  if (dir === undefined) return render();
  const file = join(dir, `workflow-${definitionFingerprint(options.root ?? ROOT)}.json`);
  const cached = readCached(file);
  if (cached) return cached;
  const definition = await render();
  options.validate?.(definition);
  try {
    mkdirSync(dir, { recursive: true });
    const partial = `${file}.${process.pid}.tmp`;
    writeFileSync(partial, JSON.stringify(definition));
    renameSync(partial, file);
  } catch {
    // A read-only checkout still starts; it synthesizes every time.
  }
  return definition;
}
