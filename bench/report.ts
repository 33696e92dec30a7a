/** Printing the benchmark's tables. */

/** Prints rows as an aligned plain-text table under a title. */
export function printTable(title: string, rows: readonly Record<string, unknown>[]): void {
  const out: string[] = ['', title];
  if (rows.length === 0) {
    process.stdout.write(`${out.join('\n')}\n  (no rows)\n`);
    return;
  }
  const columns = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  const cell = (v: unknown): string =>
    typeof v === 'number' ? (Number.isInteger(v) ? String(v) : String(Math.round(v * 1000) / 1000)) : String(v ?? '');
  const widths = columns.map((c) => Math.max(c.length, ...rows.map((r) => cell(r[c]).length)));
  const line = (values: string[]): string =>
    `  ${values.map((v, i) => (i === 0 ? v.padEnd(widths[i] ?? 0) : v.padStart(widths[i] ?? 0))).join('  ')}`;
  out.push(line(columns), line(widths.map((w) => '-'.repeat(w))));
  for (const r of rows) out.push(line(columns.map((c) => cell(r[c]))));
  process.stdout.write(`${out.join('\n')}\n`);
}
