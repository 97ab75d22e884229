/**
 * Builds and signs a credential replacement command (device/pki/credential-command.ts is
 * the format): the body the device will decode, signed with the authority's private key.
 * The device's own decoder reads the result back before it is handed out, so a command
 * this function returns is one the device can at least parse.
 */
import type { CredentialCommandBody } from '../../device/pki/index.js';
import { decodeCredentialCommand, encodeCredentialBody, encodeCredentialCommand } from '../../device/pki/index.js';
import type { P256KeyPair } from './keys.js';
import { sha256Digest, signDigestRaw } from './sign.js';

export function signCredentialCommand(
  body: CredentialCommandBody,
  authorityKey: Pick<P256KeyPair, 'privateKey'>,
): Uint8Array {
  const bytes = encodeCredentialBody(body);
  const command = encodeCredentialCommand(bytes, signDigestRaw(authorityKey.privateKey, sha256Digest(bytes)));
  decodeCredentialCommand(command);
  return command;
}
