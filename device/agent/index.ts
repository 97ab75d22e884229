/** device/agent's public surface: other folders and tools import from here only. */
export type { AgentErrorCode, SinkErrorCode } from './agent-errors.js';
export { Agent, type AgentConfig, type AgentPhase } from './agent.js';
export { DEFAULT_BUILD, loadTrustStore } from './device-config.js';
export { readArmed } from './held-record.js';
export type { ImageIdentity, ImageSink, SinkEndResult, SinkWriteResult } from './image-sink.js';
export { DEFAULT_CLIENT_TIMING, type OtaClientConfig } from './ota-client-config.js';
export type { DownloadOutcome } from './ota-client-io.js';
export { OtaDriver } from './ota-driver.js';
export type { OtaClientErrorCode } from './ota-errors.js';
export { DEFAULT_POWER_POLICY, FRAME_OVERHEAD_BYTES, type PowerPolicy } from './power-policy.js';
export { runningImageMatches } from './running-image.js';
export type { SelfTestCheck } from './self-test.js';
export { UpdateSink } from './update-sink.js';
export { type DeviceBuild, provisionTrustAnchors } from './device-config.js';
