/**
 * The terminal view of an emulated update: one line per phase, and a live progress bar
 * during the download (redrawn in place on a terminal, a line per 10 % otherwise, so
 * logs stay readable).
 */
import type { WorldEvent } from '../../sim/index.js';

export interface Output {
  write(text: string): void;
  isTTY?: boolean;
}

const BAR = 30;

function clock(t: number): string {
  const s = Math.floor(t);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
}

const PHASE_TEXT: Record<string, string> = {
  query: 'asking the Communications Hub for an image',
  download: 'downloading',
  paused: 'paused (power policy)',
  resumed: 'resumed',
  verify: 'verifying',
  activate: 'activating',
  trial: 'trial boot of the new image',
  confirmed: 'confirmed',
  'rolled-back': 'rolled back',
  refused: 'refused',
  failed: 'failed',
  'power-cut': 'POWER CUT',
  reboot: 'rebooting',
};

export class ProgressView {
  private barShown = false;
  private lastDecile = -1;
  /** Progress is shown only while a download is under way (not for the idle queries after it). */
  private downloading = false;

  constructor(private readonly out: Output) {}

  onEvent(e: WorldEvent): void {
    if (e.kind === 'progress') {
      if (this.downloading) this.progress(e.t, e.offset, e.total, e.battery);
      return;
    }
    this.downloading = e.phase === 'download' || e.phase === 'resumed';
    if (this.downloading) this.lastDecile = -1;
    this.clearBar();
    const detail = e.detail ? `: ${e.detail}` : '';
    this.out.write(`[${clock(e.t)}] ${PHASE_TEXT[e.phase] ?? e.phase}${detail}\n`);
  }

  /** Ends the bar line so what follows starts on a fresh line. */
  finish(): void {
    this.clearBar();
  }

  private progress(t: number, offset: number, total: number, battery: number | undefined): void {
    const pct = total > 0 ? Math.min(100, (100 * offset) / total) : 0;
    const bat = battery === undefined ? '' : `  battery ${battery.toFixed(0).padStart(3)}%`;
    if (this.out.isTTY) {
      const filled = Math.round((BAR * pct) / 100);
      const bar = '#'.repeat(filled) + '-'.repeat(BAR - filled);
      this.out.write(`\r[${clock(t)}] [${bar}] ${pct.toFixed(1).padStart(5)}%  ${offset}/${total} B${bat}   `);
      this.barShown = true;
      return;
    }
    const decile = Math.floor(pct / 10);
    if (decile !== this.lastDecile) {
      this.lastDecile = decile;
      this.out.write(`[${clock(t)}] download ${pct.toFixed(0).padStart(3)}%  ${offset}/${total} B${bat}\n`);
    }
  }

  private clearBar(): void {
    if (this.barShown) {
      this.out.write('\n');
      this.barShown = false;
    }
  }
}
