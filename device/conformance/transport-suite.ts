/**
 * OtaTransport port contract, against an OTA server on the other end (the vendor's test
 * Communications Hub, or the emulated one): a Query Next Image Request goes out as one ZCL
 * frame, and the server's answer comes back as one whole frame for cluster 0x0019 with the
 * same transaction sequence number, in a Uint8Array the agent may keep.
 */
import type { OtaTransport } from '../ports.js';
import { decodeOtaFrame, encodeOtaFrame } from '../zigbee/index.js';
import { must, SuiteRun, type CheckResult } from './report.js';

export interface TransportSuiteEnv {
  /** Lets `ms` of time pass so that frames can travel (see ClockSuiteEnv.wait). */
  wait(ms: number): Promise<void>;
  /** How long the server may take to answer, in ms. */
  answerWithinMs: number;
  /** The image the query names (the server need not have a newer one: any answer will do). */
  manufacturerCode: number;
  imageType: number;
  fileVersion: number;
}

export async function runTransportSuite(transport: OtaTransport, env: TransportSuiteEnv): Promise<CheckResult[]> {
  const run = new SuiteRun('OtaTransport');
  const received: Uint8Array[] = [];
  run.check('onReceive accepts a handler', () => {
    transport.onReceive((frame) => {
      if (received.length < 16) received.push(frame);
    });
  });
  const seq = 0x5c;
  await run.checkAsync(
    'a Query Next Image Request is answered with one frame of the same sequence number',
    async () => {
      const frame = encodeOtaFrame({
        sequence: seq,
        command: {
          name: 'queryNextImageRequest',
          manufacturerCode: env.manufacturerCode,
          imageType: env.imageType,
          fileVersion: env.fileVersion,
        },
      });
      transport.send(frame);
      const step = 10;
      for (let t = 0; t < env.answerWithinMs && received.length === 0; t += step) await env.wait(step);
      must(received.length > 0, `no frame within ${env.answerWithinMs} ms`);
      const got = received[0];
      must(got instanceof Uint8Array, 'the frame is not a Uint8Array');
      const decoded = decodeOtaFrame(got);
      must(decoded.header.sequence === seq, `sequence number ${decoded.header.sequence}, sent ${seq}`);
      must(
        decoded.command.name === 'queryNextImageResponse' || decoded.command.name === 'defaultResponse',
        `answer ${decoded.command.name}`,
      );
    },
  );
  return run.results;
}
