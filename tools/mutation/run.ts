/**
 * `npm run mutate [-- stryker options]`: runs StrykerJS (stryker.config.json: the files
 * of device/storage and the image signature and supplier checks; the tests of
 * vitest.mutate.config.ts), then merges its per-file scores into docs/mutation.json,
 * which `npm run bench` shows in docs/BENCHMARKS.md. One file at a time:
 * `npm run mutate -- --mutate device/storage/journal.ts`. `npm run mutate -- --summary-only`
 * merges the report already in reports/mutation/ without running Stryker.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import {
  fileScores,
  mergeSummary,
  renderMutationSection,
  type MutationSummary,
  type StrykerReport,
} from './summary.js';

const REPORT = 'reports/mutation/mutation.json';
const SUMMARY = 'docs/mutation.json';

const args = process.argv.slice(2);
const summaryOnly = args.includes('--summary-only');
let date = new Date().toISOString();
if (summaryOnly) {
  if (!existsSync(REPORT)) {
    console.error(`mutate: no ${REPORT} to summarise`);
    process.exit(3);
  }
  date = statSync(REPORT).mtime.toISOString();
} else {
  const run = spawnSync('npx', ['stryker', 'run', ...args], { stdio: 'inherit' });
  if (run.status !== 0) {
    console.error(`mutate: stryker exited ${run.status ?? run.signal}; ${SUMMARY} left as it was`);
    process.exit(run.status ?? 1);
  }
}
const report = JSON.parse(readFileSync(REPORT, 'utf8')) as StrykerReport;
const old = existsSync(SUMMARY) ? (JSON.parse(readFileSync(SUMMARY, 'utf8')) as MutationSummary) : undefined;
const summary = mergeSummary(old, fileScores(report, date, process.cwd()), 'npm run mutate');
writeFileSync(SUMMARY, `${JSON.stringify(summary, null, 2)}\n`);
console.log(renderMutationSection(summary));
