/**
 * The OTA cluster codec against zigbee-herdsman's ZCL codec (10.9.5), both ways, and
 * against the wire examples of REFERENCE.md §2; malformed frames are typed errors.
 */
import { describe, expect, it } from 'vitest';
import * as Zcl from 'zigbee-herdsman/dist/zspec/zcl/index.js';
import { isOtaError } from '../../device/errors.js';
import { fromHex, toHex } from '../../device/util/bytes.js';
import { decodeOtaFrame, encodeOtaFrame, type OtaCommand } from '../../device/zigbee/ota-frames.js';
import { Rng } from '../../sim/rng.js';

type Case = { herdsmanName: string; payload: Record<string, unknown>; ours: OtaCommand; dir: 'c2s' | 's2c' };

const ieee = fromHex('0102030405060708');
const data = new Uint8Array(50).map((_, i) => (i * 37) & 0xff);

const cases: Case[] = [
  {
    dir: 's2c',
    herdsmanName: 'imageNotify',
    payload: { payloadType: 0, queryJitter: 100 },
    ours: { name: 'imageNotify', payloadType: 0, queryJitter: 100 },
  },
  {
    dir: 's2c',
    herdsmanName: 'imageNotify',
    payload: { payloadType: 3, queryJitter: 50, manufacturerCode: 0x1234, imageType: 1, fileVersion: 0x01020304 },
    ours: {
      name: 'imageNotify',
      payloadType: 3,
      queryJitter: 50,
      manufacturerCode: 0x1234,
      imageType: 1,
      fileVersion: 0x01020304,
    },
  },
  {
    dir: 'c2s',
    herdsmanName: 'queryNextImageRequest',
    payload: { fieldControl: 0, manufacturerCode: 0x1234, imageType: 1, fileVersion: 0xacdcacdc },
    ours: { name: 'queryNextImageRequest', manufacturerCode: 0x1234, imageType: 1, fileVersion: 0xacdcacdc },
  },
  {
    dir: 'c2s',
    herdsmanName: 'queryNextImageRequest',
    payload: { fieldControl: 1, manufacturerCode: 0x1234, imageType: 1, fileVersion: 7, hardwareVersion: 0x1111 },
    ours: {
      name: 'queryNextImageRequest',
      manufacturerCode: 0x1234,
      imageType: 1,
      fileVersion: 7,
      hardwareVersion: 0x1111,
    },
  },
  {
    dir: 's2c',
    herdsmanName: 'queryNextImageResponse',
    payload: { status: 0, manufacturerCode: 0x1234, imageType: 1, fileVersion: 2, imageSize: 70000 },
    ours: {
      name: 'queryNextImageResponse',
      status: 0,
      image: { manufacturerCode: 0x1234, imageType: 1, fileVersion: 2, imageSize: 70000 },
    },
  },
  {
    dir: 's2c',
    herdsmanName: 'queryNextImageResponse',
    payload: { status: 0x98 },
    ours: { name: 'queryNextImageResponse', status: 0x98 },
  },
  {
    dir: 'c2s',
    herdsmanName: 'imageBlockRequest',
    payload: {
      fieldControl: 0,
      manufacturerCode: 0x1234,
      imageType: 1,
      fileVersion: 2,
      fileOffset: 65536,
      maximumDataSize: 64,
    },
    ours: {
      name: 'imageBlockRequest',
      manufacturerCode: 0x1234,
      imageType: 1,
      fileVersion: 2,
      fileOffset: 65536,
      maximumDataSize: 64,
    },
  },
  {
    dir: 'c2s',
    herdsmanName: 'imageBlockRequest',
    payload: {
      fieldControl: 3,
      manufacturerCode: 0x1234,
      imageType: 1,
      fileVersion: 2,
      fileOffset: 100,
      maximumDataSize: 64,
      requestNodeIeeeAddress: '0x0807060504030201',
      minimumBlockPeriod: 250,
    },
    ours: {
      name: 'imageBlockRequest',
      manufacturerCode: 0x1234,
      imageType: 1,
      fileVersion: 2,
      fileOffset: 100,
      maximumDataSize: 64,
      requestNodeAddress: ieee,
      minimumBlockPeriod: 250,
    },
  },
  {
    dir: 'c2s',
    herdsmanName: 'imagePageRequest',
    payload: {
      fieldControl: 0,
      manufacturerCode: 0x1234,
      imageType: 1,
      fileVersion: 2,
      fileOffset: 300,
      maximumDataSize: 64,
      pageSize: 1024,
      responseSpacing: 20,
    },
    ours: {
      name: 'imagePageRequest',
      manufacturerCode: 0x1234,
      imageType: 1,
      fileVersion: 2,
      fileOffset: 300,
      maximumDataSize: 64,
      pageSize: 1024,
      responseSpacing: 20,
    },
  },
  {
    dir: 's2c',
    herdsmanName: 'imageBlockResponse',
    payload: {
      status: 0,
      manufacturerCode: 0x1234,
      imageType: 1,
      fileVersion: 2,
      fileOffset: 4000,
      dataSize: data.length,
      data: Buffer.from(data),
    },
    ours: {
      name: 'imageBlockResponse',
      status: 0,
      manufacturerCode: 0x1234,
      imageType: 1,
      fileVersion: 2,
      fileOffset: 4000,
      data,
    },
  },
  {
    dir: 's2c',
    herdsmanName: 'imageBlockResponse',
    payload: { status: 0x97, currentTime: 1000, requestTime: 1060, minimumBlockPeriod: 250 },
    ours: { name: 'imageBlockResponse', status: 0x97, currentTime: 1000, requestTime: 1060, minimumBlockPeriod: 250 },
  },
  {
    dir: 's2c',
    herdsmanName: 'imageBlockResponse',
    payload: { status: 0x95 },
    ours: { name: 'imageBlockResponse', status: 0x95 },
  },
  {
    dir: 'c2s',
    herdsmanName: 'upgradeEndRequest',
    payload: { status: 0x96, manufacturerCode: 0x1234, imageType: 1, fileVersion: 2 },
    ours: { name: 'upgradeEndRequest', status: 0x96, manufacturerCode: 0x1234, imageType: 1, fileVersion: 2 },
  },
  {
    dir: 's2c',
    herdsmanName: 'upgradeEndResponse',
    payload: { manufacturerCode: 0x1234, imageType: 1, fileVersion: 2, currentTime: 0, upgradeTime: 0xffffffff },
    ours: {
      name: 'upgradeEndResponse',
      manufacturerCode: 0x1234,
      imageType: 1,
      fileVersion: 2,
      currentTime: 0,
      upgradeTime: 0xffffffff,
    },
  },
];

function herdsmanEncode(c: Case, seq: number): Buffer {
  const dir = c.dir === 'c2s' ? Zcl.Direction.CLIENT_TO_SERVER : Zcl.Direction.SERVER_TO_CLIENT;
  return Zcl.Frame.create(
    Zcl.FrameType.SPECIFIC,
    dir,
    c.dir === 's2c',
    undefined,
    seq,
    c.herdsmanName,
    'genOta',
    c.payload,
    {},
  ).toBuffer();
}

function herdsmanDecode(bytes: Uint8Array): { name: string; payload: Record<string, unknown> } {
  const buf = Buffer.from(bytes);
  const f = Zcl.Frame.fromBuffer(0x0019, Zcl.Header.fromBuffer(buf), buf, {});
  return { name: f.command.name, payload: f.payload as Record<string, unknown> };
}

/** Our command as herdsman's payload shape, to compare decoded values. */
function asHerdsmanPayload(c: OtaCommand): Record<string, unknown> {
  const p: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(c)) {
    if (k === 'name') continue;
    if (k === 'image' && v) Object.assign(p, v);
    else if (k === 'requestNodeAddress') p.requestNodeIeeeAddress = '0x' + toHex((v as Uint8Array).slice().reverse());
    else if (k === 'data') {
      p.data = Buffer.from(v as Uint8Array);
      p.dataSize = (v as Uint8Array).length;
    } else p[k] = v;
  }
  // herdsman reads a UTC field of 0xFFFFFFFF as "invalid time", NaN.
  if (c.name === 'upgradeEndResponse' && c.upgradeTime === 0xffffffff) p.upgradeTime = NaN;
  if (c.name === 'queryNextImageRequest') p.fieldControl = c.hardwareVersion === undefined ? 0 : 1;
  if (c.name === 'imageBlockRequest')
    p.fieldControl = (c.requestNodeAddress ? 1 : 0) | (c.minimumBlockPeriod !== undefined ? 2 : 0);
  if (c.name === 'imagePageRequest') p.fieldControl = c.requestNodeAddress ? 1 : 0;
  return p;
}

describe('OTA codec cross-checked with zigbee-herdsman', () => {
  for (const [i, c] of cases.entries()) {
    const label = `${c.herdsmanName} ${JSON.stringify(c.payload).slice(0, 60)}`;
    it(`encodes like herdsman: ${label}`, () => {
      const seq = 0x10 + i;
      expect(toHex(encodeOtaFrame({ sequence: seq, command: c.ours }))).toBe(herdsmanEncode(c, seq).toString('hex'));
    });
    it(`decodes herdsman's frame and herdsman decodes ours: ${label}`, () => {
      const seq = 0x40 + i;
      const theirs = herdsmanEncode(c, seq);
      const mine = decodeOtaFrame(new Uint8Array(theirs));
      expect(mine.header.sequence).toBe(seq);
      expect(mine.header.direction).toBe(c.dir === 'c2s' ? 0 : 1);
      expect(mine.command).toEqual(c.ours);
      const back = herdsmanDecode(encodeOtaFrame({ sequence: seq, command: c.ours }));
      expect(back.name).toBe(c.herdsmanName);
      expect(back.payload).toEqual(asHerdsmanPayload(c.ours));
    });
  }

  it('decodes a herdsman Default Response on the cluster', () => {
    const buf = Zcl.Frame.create(
      Zcl.FrameType.GLOBAL,
      Zcl.Direction.SERVER_TO_CLIENT,
      true,
      undefined,
      9,
      'defaultRsp',
      'genOta',
      { cmdId: 6, statusCode: 0 },
      {},
    ).toBuffer();
    expect(decodeOtaFrame(new Uint8Array(buf)).command).toEqual({ name: 'defaultResponse', commandId: 6, status: 0 });
  });
});

describe('OTA codec against the wire examples of REFERENCE.md', () => {
  const examples: [string, OtaCommand, number][] = [
    [
      '010b030034120100020000000000000040',
      {
        name: 'imageBlockRequest',
        manufacturerCode: 0x1234,
        imageType: 1,
        fileVersion: 2,
        fileOffset: 0,
        maximumDataSize: 64,
      },
      0x0b,
    ],
    [
      '19070200341201000200000074040000',
      {
        name: 'queryNextImageResponse',
        status: 0,
        image: { manufacturerCode: 0x1234, imageType: 1, fileVersion: 2, imageSize: 1140 },
      },
      0x07,
    ],
    [
      '19210734120100020000000000000001000000',
      {
        name: 'upgradeEndResponse',
        manufacturerCode: 0x1234,
        imageType: 1,
        fileVersion: 2,
        currentTime: 0,
        upgradeTime: 1,
      },
      0x21,
    ],
    [
      '192a0597e803000024040000fa00',
      { name: 'imageBlockResponse', status: 0x97, currentTime: 1000, requestTime: 1060, minimumBlockPeriod: 250 },
      0x2a,
    ],
    ['192b0595', { name: 'imageBlockResponse', status: 0x95 }, 0x2b],
    ['192c0298', { name: 'queryNextImageResponse', status: 0x98 }, 0x2c],
  ];
  for (const [hex, command, seq] of examples) {
    it(`${command.name} ${hex}`, () => {
      expect(decodeOtaFrame(fromHex(hex)).command).toEqual(command);
      expect(toHex(encodeOtaFrame({ sequence: seq, command }))).toBe(hex);
    });
  }
});

describe('malformed frames are typed errors', () => {
  const code = (hex: string): string => {
    try {
      decodeOtaFrame(fromHex(hex));
      return 'accepted';
    } catch (e) {
      return isOtaError(e) ? e.code : `untyped ${String(e)}`;
    }
  };
  it('names each fault', () => {
    expect(code('19')).toBe('ZCL_TRUNCATED');
    expect(code('192a0597e8030000')).toBe('ZCL_TRUNCATED');
    expect(code('192a0500341201000200000000000000ff0102')).toBe('ZCL_TRUNCATED'); // says 255 bytes, carries 3
    expect(code('192b0595ff')).toBe('ZCL_TRAILING_BYTES');
    expect(code('192b09')).toBe('ZCL_UNKNOWN_COMMAND'); // server-to-client 0x09 is not handled
    expect(code('012b05')).toBe('ZCL_UNKNOWN_COMMAND'); // 0x05 client-to-server does not exist
    expect(code('1d34122b0595')).toBe('ZCL_MANUFACTURER_SPECIFIC');
    expect(code('1a2b0595')).toBe('ZCL_BAD_FRAME_CONTROL');
    expect(code('f92b0595')).toBe('ZCL_BAD_FRAME_CONTROL');
    expect(code('192b0501')).toBe('ZCL_BAD_FIELD'); // block status FAILURE is not a block response
    expect(code('19010065')).toBe('ZCL_BAD_FIELD'); // jitter 101
    expect(code('18010a0000')).toBe('ZCL_UNKNOWN_COMMAND'); // global Read Attributes
  });

  it('the encoder refuses values that do not fit their field', () => {
    expect(() =>
      encodeOtaFrame({
        sequence: 1,
        command: { name: 'upgradeEndRequest', status: 0, manufacturerCode: 0x10000, imageType: 1, fileVersion: 1 },
      }),
    ).toThrow(/ZCL_FIELD_RANGE/);
    expect(() => encodeOtaFrame({ sequence: 256, command: { name: 'imageBlockResponse', status: 0x95 } })).toThrow(
      /ZCL_FIELD_RANGE/,
    );
  });

  it('fuzz: mutated and truncated valid frames never throw anything but an OtaError', () => {
    const rng = new Rng(2026);
    const seeds = cases.map((c, i) => encodeOtaFrame({ sequence: i, command: c.ours }));
    let typed = 0;
    let decoded = 0;
    for (let n = 0; n < 20000; n++) {
      const base = seeds[rng.int(0, seeds.length)];
      let f = base.slice(0, rng.chance(0.3) ? rng.int(0, base.length + 1) : base.length);
      const flips = rng.int(0, 4);
      for (let k = 0; k < flips && f.length; k++) f[rng.int(0, f.length)] = rng.int(0, 256);
      if (rng.chance(0.1)) f = new Uint8Array([...f, ...rng.bytes(rng.int(1, 5))]);
      try {
        const d = decodeOtaFrame(f);
        decoded++;
        // Whatever decodes must encode back to the same bytes (no silent reinterpretation).
        expect(
          toHex(
            encodeOtaFrame(
              {
                sequence: d.header.sequence,
                disableDefaultResponse: d.header.disableDefaultResponse,
                command: d.command,
              },
              d.header.direction,
            ),
          ),
        ).toBe(toHex(f));
      } catch (e) {
        if (!isOtaError(e)) throw e;
        typed++;
      }
    }
    expect(typed).toBeGreaterThan(1000);
    expect(decoded).toBeGreaterThan(1000);
  });
});
