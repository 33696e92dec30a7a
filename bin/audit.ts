/** `npm run audit`: exports the audit trail, or verifies the archive against the table (lambdas/audit-export/cli.ts). */
import { runAudit } from '../lambdas/audit-export/cli';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

runAudit(process.argv.slice(2), {
  env: process.env,
  now: () => new Date().toISOString(),
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
}).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`audit: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 3;
  },
);
