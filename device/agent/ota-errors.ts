/**
 * Stable error codes of the OTA client and its driver (docs/OTA-CLIENT.md,
 * docs/HOSTILE-SERVER.md). A refused frame or answer carries one of these (or a `ZCL_*`
 * code from device/zigbee); so does a download that ends without an image.
 */
export const OtaClientError = {
  /** No Query Next Image Response after `maxErrors` tries. */
  queryNoAnswer: 'OTA_QUERY_NO_ANSWER',
  /** An offer for another manufacturer or image type. */
  offerMismatch: 'OTA_OFFER_MISMATCH',
  /** An offer not newer than the running version (or the wildcard version). */
  offerNotNewer: 'OTA_OFFER_NOT_NEWER',
  /** An offer larger than the sink can take. */
  offerTooLarge: 'OTA_OFFER_TOO_LARGE',
  /** An offer too small to hold an OTA header. */
  offerTooSmall: 'OTA_OFFER_TOO_SMALL',
  /** No Image Block Response within the response timeout. */
  blockTimeout: 'OTA_BLOCK_TIMEOUT',
  /** An Image Block Response naming another manufacturer, type or version. */
  blockWrongImage: 'OTA_BLOCK_WRONG_IMAGE',
  /** An Image Block Response at another offset than the one asked. */
  blockWrongOffset: 'OTA_BLOCK_WRONG_OFFSET',
  /** An Image Block Response running past the image's end. */
  blockPastEnd: 'OTA_BLOCK_PAST_END',
  /** An Image Block Response longer than asked. */
  blockTooLong: 'OTA_BLOCK_TOO_LONG',
  /** An Image Block Response with no data. */
  blockEmpty: 'OTA_BLOCK_EMPTY',
  /** More than `maxWaitForData` WAIT_FOR_DATA answers in a row without progress. */
  endlessWait: 'OTA_ENDLESS_WAIT',
  /** An Upgrade End Response naming another image. */
  endWrongImage: 'OTA_END_WRONG_IMAGE',
  /** The server aborted the download (Image Block Response ABORT). */
  serverAbort: 'OTA_SERVER_ABORT',
  /** The server refused a request with an error Default Response. */
  serverRefused: 'OTA_SERVER_REFUSED',
  /** `maxErrors` consecutive errors: the download is given up (Upgrade End ABORT). */
  tooManyErrors: 'OTA_TOO_MANY_ERRORS',
  /** A step of the client threw (a defect): the download fails cleanly. */
  clientInternal: 'CLIENT_INTERNAL',
  /** A client configuration value is out of range (client-config-check.ts). */
  clientConfig: 'CLIENT_CONFIG',
  /** The driver could not be built from the agent's configuration. */
  driverConfig: 'DRIVER_CONFIG',
  /** A step of the driver threw (a defect): caught so that the next event is handled. */
  driverInternal: 'DRIVER_INTERNAL',
} as const;
export type OtaClientErrorCode = (typeof OtaClientError)[keyof typeof OtaClientError];
