/**
 * Activation port over the lin link: an `activate` message is a CS06 command (32-byte
 * Manufacturer Image Hash, optional u32 activation time); the handler's code goes back
 * as `activateResponse`. A malformed command is answered activationFailure without
 * reaching the agent.
 */
import { ActivationResponse, type Activation, type ActivationCommand } from '../../ports.js';
import type { LinLink } from './link.js';
import { LinMessage } from './link-protocol.js';

export function linActivation(link: LinLink): Activation {
  return {
    onCommand(handler) {
      link.on(LinMessage.activate, (body) => {
        let code: number = ActivationResponse.activationFailure;
        if (body.length === 32 || body.length === 36) {
          const command: ActivationCommand = { imageHash: body.slice(0, 32) };
          if (body.length === 36)
            command.atUnixSeconds = (body[32] | (body[33] << 8) | (body[34] << 16) | (body[35] << 24)) >>> 0;
          code = handler(command);
        }
        try {
          link.send(LinMessage.activateResponse, new Uint8Array([code]));
        } catch {
          // the requester times out and asks again; the agent's decision stands
        }
      });
    },
  };
}
