/**
 * Stable error codes of device/agent outside the OTA exchange (docs/REPORTS.md lists them).
 * A port call that throws is turned into one of these where it crosses into the agent and
 * kept in the agent's bounded error ring (`recentErrors`); the lifecycle goes on.
 */
export const AgentError = {
  /** `AgentConfig.retry` is out of range; the defaults stand. */
  config: 'AGENT_CONFIG',
  /** The storage layout does not fit the flash: the agent cannot start. */
  layout: 'AGENT_LAYOUT',
  /** A step of the agent threw (a defect): caught so that the lifecycle goes on. */
  internal: 'AGENT_INTERNAL',
  /** An offer already refused (or given up after a persistent local fault) this boot; not fetched again. */
  offerRefusedBefore: 'AGENT_OFFER_REFUSED_BEFORE',
  /** An offer of an image whose last download failed came before its back-off ended. */
  retryBackoff: 'AGENT_RETRY_BACKOFF',
  /** An agent journal record (HELD_TRAILER, ARMED) does not decode. */
  recordInvalid: 'AGENT_RECORD_INVALID',
  /** The running image failed its power-on check (0x8F1B). */
  bootImageCheck: 'BOOT_IMAGE_CHECK',
  /** The bootloader started the previous image because the confirmed one failed its check (0x8F1B). */
  bootFellBack: 'BOOT_FELL_BACK',
  /** No boot-record copy was valid: the bootloader rebuilt it from the banks' metadata (0x8F1B). */
  bootRecordRebuilt: 'BOOT_RECORD_REBUILT',
  /** The boot record's event could not be cleared after it was reported: it is reported again at the next boot. */
  bootRecordWrite: 'BOOT_RECORD_WRITE',
  /** The boot record could not be armed, or an activation command could not be handled. */
  activationFailed: 'ACTIVATION_FAILED',
  /** The Activation port would not take the command handler. */
  activationPortFailed: 'ACTIVATION_PORT_FAILED',
  /** The boot record could not be written as confirmed: the trial is restarted unconfirmed. */
  confirmFailed: 'CONFIRM_FAILED',
  /** BootControl.restart threw: tried again later (the watchdog is the backstop on a trial). */
  restartFailed: 'RESTART_FAILED',
  /** The Reporter port threw: the report is dropped and counted. */
  reportDropped: 'REPORT_DROPPED',
  /** A Clock call (time, timer) threw. */
  clockFailed: 'CLOCK_FAILED',
  /** A Power call threw: read as a brown-out warning. */
  powerReadFailed: 'POWER_READ_FAILED',
  /** The power policy's levels are not in order (100 ≥ start > resume > pause > activate ≥ 0). */
  powerPolicyOrder: 'POWER_POLICY_ORDER',
  /** The journal could not be read at boot. */
  journalRead: 'JOURNAL_READ',
  /** A journal record (ARMED, the download's progress) could not be written or cleared. */
  journalWrite: 'JOURNAL_WRITE',
  /** Transport.onReceive threw: no frame reaches the agent. */
  transportFailed: 'TRANSPORT_FAILED',
  /** Transport.send threw: the frame is lost (a retry follows). */
  transportSendFailed: 'TRANSPORT_SEND_FAILED',
  /** No TRUST_ANCHORS record: the device was not provisioned. */
  trustStoreMissing: 'TRUST_STORE_MISSING',
  /** The TRUST_ANCHORS record could not be read. */
  trustStoreRead: 'TRUST_STORE_READ',
} as const;
export type AgentErrorCode = (typeof AgentError)[keyof typeof AgentError];

/**
 * Stable codes of the update sink (update-sink.ts): the OTA client used it out of contract
 * (never expected), a sink call failed, or a resumed bank lost bytes.
 */
export const SinkError = {
  /** A write or end before `begin`. */
  notBegun: 'SINK_NOT_BEGUN',
  /** A write at another offset than the next one expected. */
  outOfOrder: 'SINK_OUT_OF_ORDER',
  /** Bytes beyond the offered image size. */
  pastEnd: 'SINK_PAST_END',
  /** `end` before every byte was written. */
  incomplete: 'SINK_INCOMPLETE',
  /** An erase approved, or a verification asked for, before the manifest verified. */
  notVerified: 'SINK_NOT_VERIFIED',
  /** A write after the image was complete. */
  complete: 'SINK_COMPLETE',
  /** A sink call threw something that carries no code of its own. */
  failed: 'SINK_FAILED',
  /** A resumed download missed the manifest's payload digest: the bank's bytes changed under it. */
  resumeCorrupt: 'SINK_RESUME_CORRUPT',
} as const;
export type SinkErrorCode = (typeof SinkError)[keyof typeof SinkError];
