/**
 * The requests the agent sends outside a download: a Query Next Image Request for the
 * trial's radio check (its answer is a server frame; the client ignores it), and the
 * Upgrade End Request asked again every query interval while a verified image waits for
 * an answer the server never gave, so that its answer (taken as unsolicited, when it
 * comes) can still activate the image. Their sequence numbers have the top bit set, apart
 * from the OTA client's.
 */
import { encodeOtaFrame, type OtaCommand, OtaStatus } from '../zigbee/index.js';
import { AgentError } from './agent-errors.js';
import type { AgentRuntime } from './agent-runtime.js';
import type { ImageIdentity } from './image-sink.js';
import { upgradeEndTrigger, type HeldIdentity } from './unsolicited-end.js';
import type { ActivationTrigger } from './activation.js';

export class ServerAsks {
  private sequence = 0;
  /** An Upgrade End Response named the held image: no need to ask for one again. */
  private endAnswered = false;

  constructor(
    private readonly runtime: AgentRuntime,
    private readonly identity: { manufacturerCode: number; imageType: number; hardwareVersion: number },
    private readonly queryIntervalMs: number,
  ) {}

  /** One Query Next Image Request naming the running version. */
  queryNextImage(runningVersion: number): void {
    const { manufacturerCode, imageType, hardwareVersion } = this.identity;
    this.send({
      name: 'queryNextImageRequest',
      manufacturerCode,
      imageType,
      fileVersion: runningVersion,
      hardwareVersion,
    });
  }

  /** Asks for the Upgrade End Response every query interval while `stillWaiting` holds. */
  askForUpgradeEnd(image: ImageIdentity, stillWaiting: () => boolean): void {
    this.runtime.setTimer(this.queryIntervalMs, () => {
      if (this.endAnswered || !stillWaiting()) return;
      const { manufacturerCode, imageType, fileVersion } = image;
      this.send({ name: 'upgradeEndRequest', status: OtaStatus.success, manufacturerCode, imageType, fileVersion });
      this.askForUpgradeEnd(image, stillWaiting);
    });
  }

  /** The trigger of an Upgrade End Response naming the held image, whenever it comes (SECMP0007). */
  answerFor(frame: Uint8Array, held: HeldIdentity): ActivationTrigger | undefined {
    const trigger = upgradeEndTrigger(frame, held);
    if (trigger) this.endAnswered = true;
    return trigger;
  }

  private send(command: OtaCommand): void {
    this.runtime.guard(AgentError.transportSendFailed, () => {
      this.sequence = (this.sequence + 1) & 0xff;
      this.runtime.ports.transport.send(encodeOtaFrame({ sequence: 0x80 | (this.sequence & 0x7f), command }));
    });
  }
}
