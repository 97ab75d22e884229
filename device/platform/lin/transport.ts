/** OtaTransport port over the lin link: each ZCL frame is one zclUp / zclDown message. */
import type { OtaTransport } from '../../ports.js';
import type { LinLink } from './link.js';
import { LinMessage } from './link-protocol.js';

export function linTransport(link: LinLink): OtaTransport {
  return {
    send: (frame) => link.send(LinMessage.zclUp, frame),
    onReceive: (handler) => link.on(LinMessage.zclDown, handler),
  };
}
