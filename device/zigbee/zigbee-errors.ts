/**
 * Stable codes of every malformed ZCL frame (device/zigbee) and of frames the OTA client
 * refuses for their shape. docs/OTA-CLIENT.md and docs/HOSTILE-SERVER.md cite them.
 */
export const ZclError = {
  /** The frame ends before a field it announces. */
  truncated: 'ZCL_TRUNCATED',
  /** Reserved frame type or frame-control bits. */
  badFrameControl: 'ZCL_BAD_FRAME_CONTROL',
  /** A field holds a value the command does not define. */
  badField: 'ZCL_BAD_FIELD',
  /** A value to encode does not fit its field. */
  fieldRange: 'ZCL_FIELD_RANGE',
  /** A command this cluster does not have. */
  unknownCommand: 'ZCL_UNKNOWN_COMMAND',
  /** Bytes after the command's last field. */
  trailingBytes: 'ZCL_TRAILING_BYTES',
  /** A manufacturer-specific command (the OTA client handles none). */
  manufacturerSpecific: 'ZCL_MANUFACTURER_SPECIFIC',
  /** A frame that does not decode and carries no code of its own. */
  malformed: 'ZCL_MALFORMED',
  /** A client-to-server command sent towards the client. */
  wrongDirection: 'ZCL_WRONG_DIRECTION',
} as const;
export type ZclErrorCode = (typeof ZclError)[keyof typeof ZclError];
