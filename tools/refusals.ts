/** Stable codes of refusals by the tools themselves (exit 1); the device's own are IMG_* and PKI_*. */
export const ToolRefusal = {
  /** `pki init` without --force into a directory that already holds some of its files. */
  outputExists: 'OUT_EXISTS',
  /** `sign`: the manufacturer key is not the key of the first --chain certificate. */
  keyMismatch: 'SIGN_KEY_MISMATCH',
  /** `sign`: --chain holds only self-signed certificates (the anchor is never carried). */
  chainAnchorOnly: 'SIGN_CHAIN_ANCHOR_ONLY',
  /** `simulate`: the emulated update did not complete in its virtual-time bound. */
  updateFailed: 'SIM_UPDATE_FAILED',
  /** `simulate`: the emulated device was left unable to boot (a defect of the agent if it ever shows). */
  bricked: 'SIM_BRICKED',
  /** `demo-flash`: the demo's writer broke a rule of the emulated flash (programming unerased bytes, misalignment). */
  flashMisuse: 'DEMO_FLASH_MISUSE',
} as const;
