/**
 * Who may replace which trust anchor cell: the authorisation matrix of credential
 * replacement, as data (docs/PKI.md "Who may replace which cell" renders these rows and
 * gives the reasoning; a test keeps the two identical).
 *
 * - The Root's key signs certificates, never commands (its certificate is keyCertSign
 *   only and the key is kept offline): it authorises nothing directly.
 * - Recovery may replace any cell, itself included (any-by-recovery, root-by-recovery):
 *   it is the way back from a lost or compromised key.
 * - A Supplier may replace its own cell only (supplier-by-supplier: it hands the cell to
 *   its successor). It never touches the other Supplier's cell (split supply stays
 *   independent), the Recovery cell or the Root.
 */
import type { AnchorCell } from './api.js';

export interface AuthorityRow {
  authority: AnchorCell;
  /** The cells this authority's signature may replace. */
  may: readonly AnchorCell[];
  why: string;
}

export const AUTHORISATION_MATRIX: readonly AuthorityRow[] = [
  {
    authority: 'root',
    may: [],
    why: 'the Root key certifies, it does not sign commands (keyCertSign only, kept offline)',
  },
  {
    authority: 'recovery',
    may: ['root', 'recovery', 'supplier1', 'supplier2'],
    why: 'any-by-recovery: the way back from a lost or compromised key, the Root included',
  },
  {
    authority: 'supplier1',
    may: ['supplier1'],
    why: 'supplier-by-supplier: a Supplier hands its own cell to its successor',
  },
  {
    authority: 'supplier2',
    may: ['supplier2'],
    why: "supplier-by-supplier; never the other Supplier's cell (split supply stays independent)",
  },
];

/** True when a command signed by `authority` may replace `cell`. */
export function mayReplace(authority: AnchorCell, cell: AnchorCell): boolean {
  const row = AUTHORISATION_MATRIX.find((r) => r.authority === authority);
  return !!row && row.may.includes(cell);
}

/** The matrix as a Markdown table, authorities as rows and cells as columns (docs/PKI.md carries exactly this). */
export function authorisationMatrixMarkdown(cells: readonly AnchorCell[]): string {
  const lines = [
    `| authority \\ cell | ${cells.join(' | ')} | why |`,
    `| --- | ${cells.map(() => '---').join(' | ')} | --- |`,
  ];
  for (const r of AUTHORISATION_MATRIX) {
    lines.push(`| ${r.authority} | ${cells.map((c) => (r.may.includes(c) ? 'yes' : '—')).join(' | ')} | ${r.why} |`);
  }
  return lines.join('\n');
}
