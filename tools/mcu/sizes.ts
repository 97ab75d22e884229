/**
 * Flash of the MCU image by part, from the linker map (what survived --gc-sections) and
 * the archive's own symbols: XS engine, the preloaded archive (split into each module
 * group's byte code and the preloaded object graph: ROM slots, keys, strings), the SDK's
 * native modules, this platform layer, and libc/libm/libgcc. RAM figures come from the
 * run, not from here.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';

export interface SizeRow {
  part: string;
  bytes: number;
}

const FLASH_SECTIONS = new Set(['.text', '.ARM.exidx', '.data', '.tdata']);
const PLATFORM_NATIVES = new Set(['native.o', 'host-flash.o']);

function partOf(file: string, libc: string): string {
  if (file.includes('/xs/')) return 'XS engine';
  if (file.endsWith('/archive/mc.xs.o') || file.endsWith('/archive/mc.resources.o')) return 'archive';
  if (file.includes('/modules/'))
    return PLATFORM_NATIVES.has(path.basename(file))
      ? 'MCU platform layer (C)'
      : 'SDK native modules (crypt digest, arith, timer, time)';
  if (file.includes('/platform/')) return 'MCU platform layer (C)';
  return `libc, libm, libgcc (${libc})`;
}

/** Input-section sizes per part, for the output sections that occupy flash. */
function mapParts(mapFile: string, libc: string): Map<string, number> {
  const lines = readFileSync(mapFile, 'utf8').split('\n');
  const parts = new Map<string, number>();
  let output = '';
  let inMap = false;
  for (const line of lines) {
    if (line.startsWith('Linker script and memory map')) inMap = true;
    if (!inMap) continue;
    const top = /^(\.\S+)/.exec(line);
    if (top) output = top[1] as string;
    if (!FLASH_SECTIONS.has(output)) continue;
    const m = /^\s+(?:\S+\s+)?0x[0-9a-f]+\s+0x([0-9a-f]+)\s+(\S+\.(?:o|a\(\S+\)))$/.exec(line);
    if (!m) continue;
    const part = partOf(m[2] as string, libc);
    parts.set(part, (parts.get(part) ?? 0) + parseInt(m[1] as string, 16));
  }
  return parts;
}

function groupOf(modulePath: string): string {
  if (/^(util|pki|image|storage|zigbee|agent|ecdsa)\/|^(errors|ports|main)$/.test(modulePath)) return 'agent';
  if (modulePath.startsWith('@noble/') || modulePath.startsWith('crypto/'))
    return 'noble and the portable crypto ports';
  if (modulePath.startsWith('platform/mcu/') || modulePath.startsWith('mcu/')) return 'MCU benchmark entries';
  if (modulePath.startsWith('platform/')) return 'agent';
  return 'SDK JavaScript';
}

/** Byte code per module group (gxCodeN arrays named in gxScripts) and the rest of the archive. */
function archiveParts(
  archiveDir: string,
  objectFile: string,
  nm: string,
): { code: Map<string, number>; agentModules: number } {
  const source = readFileSync(path.join(archiveDir, 'mc.xs.c'), 'utf8');
  const code = new Map<string, number>();
  let agentModules = 0;
  for (const m of source.matchAll(/\(txS1\*\)gxCode\d+, (\d+), NULL, 0, "([^"]+)"/g)) {
    const group = groupOf(m[2] as string);
    code.set(group, (code.get(group) ?? 0) + Number(m[1]));
    if (group === 'agent') agentModules++;
  }
  // Cross-check against the object's symbols: byte code arrays are the gxCode symbols.
  const symbols = spawnSync(nm, ['-S', objectFile], { encoding: 'utf8' });
  const codeBytes = [...(symbols.stdout ?? '').matchAll(/^[0-9a-f]+ ([0-9a-f]+) [rR] gxCode\d+$/gm)].reduce(
    (sum, m) => sum + parseInt(m[1] as string, 16),
    0,
  );
  const named = [...code.values()].reduce((a, b) => a + b, 0);
  if (codeBytes !== named) code.set('byte code not attributed', codeBytes - named);
  return { code, agentModules };
}

/** `tools`: the board's binutils prefix and libc (tools/mcu/mcu-env.ts boardTools). */
export function imageSizes(
  boardDir: string,
  archiveDir: string,
  tools: { prefix: string; libc: string } = { prefix: 'arm-none-eabi-', libc: 'newlib-nano' },
): SizeRow[] {
  const libcPart = `libc, libm, libgcc (${tools.libc})`;
  const parts = mapParts(path.join(boardDir, 'mcu.map'), tools.libc);
  const archive = parts.get('archive') ?? 0;
  parts.delete('archive');
  const { code, agentModules } = archiveParts(archiveDir, path.join(boardDir, 'archive/mc.xs.o'), `${tools.prefix}nm`);
  const rows: SizeRow[] = [];
  for (const [part, bytes] of parts) if (part !== libcPart) rows.push({ part, bytes });
  let codeTotal = 0;
  for (const [group, bytes] of code) {
    const label = group === 'agent' ? `agent modules not preloaded (${agentModules}: main, platform ports)` : group;
    rows.push({ part: `archive: ${label}, byte code`, bytes });
    codeTotal += bytes;
  }
  rows.push({
    part: 'archive: preloaded object graph (ROM slots, keys, strings, host bindings)',
    bytes: archive - codeTotal,
  });
  rows.push({ part: libcPart, bytes: parts.get(libcPart) ?? 0 });
  rows.push({ part: 'total flash', bytes: rows.reduce((a, r) => a + r.bytes, 0) });
  return rows;
}
