/** CRC-32 (IEEE 802.3, reflected, polynomial 0xEDB88320): the check word of journal and boot records. */

// The table and the running value are kept as signed 32-bit integers: XS holds a number
// above 2^31 as a double, and every XOR on one converts it back, which made the CRC of a
// journal record cost about 1.9 k Cortex-M instructions per byte. Only the result is
// turned unsigned.
let table: Int32Array | undefined;

function crcTable(): Int32Array {
  if (table) return table;
  const t = new Int32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c;
  }
  table = t;
  return t;
}

/** CRC-32 of `data[start, end)`; `seed` chains calls (pass the previous result). */
export function crc32(data: Uint8Array, start = 0, end = data.length, seed = 0): number {
  const t = crcTable();
  let c = ~seed;
  let i = start;
  // Four bytes a loop turn: the turn's own test and increment cost about as much as a byte.
  for (; i + 4 <= end; i += 4) {
    c = t[(c ^ data[i]) & 0xff] ^ (c >>> 8);
    c = t[(c ^ data[i + 1]) & 0xff] ^ (c >>> 8);
    c = t[(c ^ data[i + 2]) & 0xff] ^ (c >>> 8);
    c = t[(c ^ data[i + 3]) & 0xff] ^ (c >>> 8);
  }
  for (; i < end; i++) c = t[(c ^ data[i]) & 0xff] ^ (c >>> 8);
  return ~c >>> 0;
}
