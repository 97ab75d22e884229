/**
 * The update's timeline as an SVG picture: download progress (offset, % of the image)
 * and battery level against virtual time, pauses shaded, power cuts as red lines, phase
 * changes marked along the top. Self-contained SVG, no scripts or external resources.
 */
import type { WorldEvent, WorldResult } from '../../sim/index.js';

const W = 900;
const H = 380;
const M = { left: 60, right: 20, top: 60, bottom: 50 };
const PW = W - M.left - M.right;
const PH = H - M.top - M.bottom;

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function fmtTime(t: number): string {
  if (t >= 3600) return `${(t / 3600).toFixed(1)} h`;
  if (t >= 60) return `${(t / 60).toFixed(0)} min`;
  return `${t.toFixed(0)} s`;
}

export function renderTimelineSvg(events: readonly WorldEvent[], result: WorldResult): string {
  const tEnd = Math.max(result.virtualSeconds, ...events.map((e) => e.t), 1);
  const x = (t: number) => M.left + (PW * t) / tEnd;
  const y = (pct: number) => M.top + PH - (PH * pct) / 100;
  const parts: string[] = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="11">`,
  );
  parts.push(`<rect width="${W}" height="${H}" fill="white"/>`);
  parts.push(
    `<text x="${M.left}" y="18" font-size="14" font-weight="bold">althan-ota emulated update: ${esc(result.outcome)} (0x${result.fromVersion.toString(16)} → 0x${result.toVersion.toString(16)}, running 0x${result.runningVersion.toString(16)})</text>`,
  );
  parts.push(
    `<text x="${M.left}" y="34">${result.bytes} bytes, ${result.blockRequests} block requests, ${result.retries} retries, ${result.powerCuts} power cuts, ${fmtTime(result.virtualSeconds)} of device time</text>`,
  );

  // pauses: shaded from 'paused' to the next 'resumed' (or a cut/reboot)
  let pauseStart: number | undefined;
  for (const e of events) {
    if (e.kind !== 'phase') continue;
    if (e.phase === 'paused' && pauseStart === undefined) pauseStart = e.t;
    else if (pauseStart !== undefined && (e.phase === 'resumed' || e.phase === 'power-cut' || e.phase === 'reboot')) {
      parts.push(
        `<rect x="${x(pauseStart).toFixed(1)}" y="${M.top}" width="${Math.max(1, x(e.t) - x(pauseStart)).toFixed(1)}" height="${PH}" fill="#fde9b6"/>`,
      );
      pauseStart = undefined;
    }
  }
  if (pauseStart !== undefined)
    parts.push(
      `<rect x="${x(pauseStart).toFixed(1)}" y="${M.top}" width="${Math.max(1, x(tEnd) - x(pauseStart)).toFixed(1)}" height="${PH}" fill="#fde9b6"/>`,
    );

  // axes and grid
  for (let p = 0; p <= 100; p += 25) {
    parts.push(`<line x1="${M.left}" x2="${M.left + PW}" y1="${y(p)}" y2="${y(p)}" stroke="#ddd"/>`);
    parts.push(`<text x="${M.left - 6}" y="${y(p) + 4}" text-anchor="end">${p}%</text>`);
  }
  for (let i = 0; i <= 5; i++) {
    const t = (tEnd * i) / 5;
    parts.push(`<text x="${x(t)}" y="${M.top + PH + 16}" text-anchor="middle">${fmtTime(t)}</text>`);
  }
  parts.push(`<rect x="${M.left}" y="${M.top}" width="${PW}" height="${PH}" fill="none" stroke="#888"/>`);

  // series
  const offsetPts: string[] = [];
  const batteryPts: string[] = [];
  // Only samples taken while a download runs: after a reboot the offset is unknown until
  // the resume reports it, and the idle queries after an update are not progress.
  let downloading = false;
  for (const e of events) {
    if (e.kind === 'phase') {
      downloading = e.phase === 'download' || e.phase === 'resumed';
      continue;
    }
    if (!downloading) continue;
    offsetPts.push(`${x(e.t).toFixed(1)},${y(e.total > 0 ? (100 * e.offset) / e.total : 0).toFixed(1)}`);
    if (e.battery !== undefined) batteryPts.push(`${x(e.t).toFixed(1)},${y(e.battery).toFixed(1)}`);
  }
  if (batteryPts.length)
    parts.push(`<polyline points="${batteryPts.join(' ')}" fill="none" stroke="#2a9d3a" stroke-width="1.5"/>`);
  if (offsetPts.length)
    parts.push(`<polyline points="${offsetPts.join(' ')}" fill="none" stroke="#1f5fbf" stroke-width="2"/>`);

  // phase marks and power cuts
  let lastLabelX = -Infinity;
  let seenDownload = false;
  for (const e of events) {
    if (e.kind !== 'phase') continue;
    const px = x(e.t);
    if (e.phase === 'power-cut') {
      parts.push(
        `<line x1="${px.toFixed(1)}" x2="${px.toFixed(1)}" y1="${M.top}" y2="${M.top + PH}" stroke="#d62828" stroke-width="1.5"/>`,
      );
      continue;
    }
    if (['paused', 'resumed', 'reboot', 'query'].includes(e.phase)) continue;
    if (e.phase === 'download' && seenDownload) continue; // resumes after cuts: the red lines say it
    if (e.phase === 'download') seenDownload = true;
    parts.push(
      `<line x1="${px.toFixed(1)}" x2="${px.toFixed(1)}" y1="${M.top - 4}" y2="${M.top + PH}" stroke="#666" stroke-dasharray="2,3"/>`,
    );
    if (px - lastLabelX > 60) {
      parts.push(`<text x="${px.toFixed(1)}" y="${M.top - 8}" text-anchor="middle">${esc(e.phase)}</text>`);
      lastLabelX = px;
    }
  }

  // legend
  const ly = H - 14;
  parts.push(
    `<line x1="${M.left}" x2="${M.left + 20}" y1="${ly}" y2="${ly}" stroke="#1f5fbf" stroke-width="2"/><text x="${M.left + 25}" y="${ly + 4}">image downloaded</text>`,
  );
  parts.push(
    `<line x1="${M.left + 140}" x2="${M.left + 160}" y1="${ly}" y2="${ly}" stroke="#2a9d3a" stroke-width="1.5"/><text x="${M.left + 165}" y="${ly + 4}">battery</text>`,
  );
  parts.push(
    `<rect x="${M.left + 230}" y="${ly - 6}" width="20" height="12" fill="#fde9b6"/><text x="${M.left + 255}" y="${ly + 4}">paused by the power policy</text>`,
  );
  parts.push(
    `<line x1="${M.left + 420}" x2="${M.left + 440}" y1="${ly}" y2="${ly}" stroke="#d62828" stroke-width="1.5"/><text x="${M.left + 445}" y="${ly + 4}">power cut</text>`,
  );
  parts.push('</svg>');
  return parts.join('\n');
}
