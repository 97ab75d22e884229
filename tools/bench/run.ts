/**
 * `npm run bench`: every cost of an update next to the least it could be and next to the
 * obvious alternatives, all measured in one run, written to docs/BENCHMARKS.md and
 * docs/benchmarks.json with the date, machine and command. Sections:
 * radio.ts, flash.ts, resume.ts, xs-cost.ts, energy.ts, host.ts, alternatives.ts; digests.ts
 * explains the download path's four digests with the run's XS figures.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { alternativeRows } from './alternatives.js';
import { digestNote } from './digests.js';
import { energyRows } from './energy.js';
import { flashRows, updateChain } from './flash.js';
import { hostRows } from './host.js';
import { radioRows } from './radio.js';
import { renderJson, renderMarkdown, type RunInfo } from './render.js';
import { resumeRows, resumeRuns } from './resume.js';
import type { BenchRow } from './rows.js';
import { xsFigures, xsRows } from './xs-cost.js';
import { renderMutationSection, type MutationSummary } from '../mutation/summary.js';

const MODDABLE_SECTION = 'Moddable lin build and MCU cores';

/**
 * Rows from the real runtime, when the Moddable SDK is installed: tools/bench/moddable-rows.ts
 * (`export async function moddableRows(): Promise<BenchRow[]>`, each row's `ran` naming
 * where it ran) is loaded only when $MODDABLE is set.
 */
async function moddableRows(absent: RunInfo['absent']): Promise<BenchRow[]> {
  if (!process.env.MODDABLE) {
    absent.push({
      section: MODDABLE_SECTION,
      why: 'Absent from this run: `$MODDABLE` is not set (the Moddable SDK is not installed on this machine). When it is set, the rows from the Moddable lin build and the emulated MCU cores appear here, each marked with where it ran.',
    });
    return [];
  }
  const modulePath = './moddable-rows.js';
  try {
    const m = (await import(modulePath)) as { moddableRows: () => Promise<BenchRow[]> };
    return await m.moddableRows();
  } catch (e) {
    absent.push({
      section: MODDABLE_SECTION,
      why: `\`$MODDABLE\` is set, but its rows could not be made: ${e instanceof Error ? e.message : String(e)}`,
    });
    return [];
  }
}

function step<T>(name: string, fn: () => T): T {
  const t0 = performance.now();
  const v = fn();
  console.error(`bench: ${name} ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  return v;
}

async function stepAsync<T>(name: string, fn: () => Promise<T>): Promise<T> {
  const t0 = performance.now();
  const v = await fn();
  console.error(`bench: ${name} ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  return v;
}

export async function runBench(): Promise<{ markdown: string; json: string }> {
  const t0 = performance.now();
  const absent: RunInfo['absent'] = [];
  const rows: BenchRow[] = [];
  rows.push(...step('radio', radioRows));
  rows.push(...step('flash', () => flashRows(updateChain())));
  const resume = step('resume', () => resumeRuns());
  rows.push(...resumeRows(resume));
  const xs = await stepAsync('xs', () => xsFigures());
  rows.push(...xsRows(xs));
  rows.push(...step('energy', () => energyRows(xs)));
  rows.push(...step('host', hostRows));
  rows.push(...step('alternatives', () => alternativeRows(xs, resume)));
  rows.push(...(await moddableRows(absent)));
  const info: RunInfo = {
    date: new Date().toISOString(),
    machine: {
      nproc: os.availableParallelism(),
      cpu: os.cpus()[0]?.model ?? 'unknown CPU',
      node: process.version,
      platform: `${os.platform()} ${os.arch()}`,
      loadAverage: os.loadavg()[0],
    },
    command: 'npm run bench',
    seconds: (performance.now() - t0) / 1000,
    absent,
    notes: [digestNote(xs)],
  };
  // The mutation section is not measured here: it shows the latest `npm run mutate` (docs/mutation.json).
  const mutation = existsSync('docs/mutation.json')
    ? (JSON.parse(readFileSync('docs/mutation.json', 'utf8')) as MutationSummary)
    : undefined;
  return {
    markdown: `${renderMarkdown(info, rows)}\n${renderMutationSection(mutation)}`,
    json: renderJson(info, rows),
  };
}

const { markdown, json } = await runBench();
// Sections made by other commands that need the Moddable SDK (`npm run moddable:e2e`, the MCU
// runs) are kept as they are: each starts with a heading listed here and runs to the end of the page.
const KEPT_SECTIONS = ['## Real Moddable build (lin)', '<!-- mcu:begin', '## On microcontroller cores'];
const previous = existsSync('docs/BENCHMARKS.md') ? readFileSync('docs/BENCHMARKS.md', 'utf8') : '';
const keptAt = KEPT_SECTIONS.map((h) => previous.indexOf(h)).filter((i) => i >= 0);
const kept = keptAt.length ? `\n${previous.slice(Math.min(...keptAt))}` : '';
writeFileSync('docs/BENCHMARKS.md', markdown.trimEnd() + '\n' + kept);
writeFileSync('docs/benchmarks.json', json);
console.log(markdown);
