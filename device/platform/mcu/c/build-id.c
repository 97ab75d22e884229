/*
 * The `mcu/build-id` module: the version and variant this image was linked with. The
 * update run links one archive several times with different -DMCU_AGENT_VERSION and
 * -DMCU_AGENT_VARIANT (tools/mcu/agent-variants.ts): a v1, a v2 and broken v2 builds that
 * differ only here, so the supervisor can check that the build it hears from is the one
 * whose bytes the bootloader chose. Bindings in native/build-id.js.
 */
#include "xsAll.h"
#include "xsmc.h"

#ifndef MCU_AGENT_VERSION
#define MCU_AGENT_VERSION 0x01000000
#endif
/* 0 good, 1 selftest-fail (the trial's vendor check fails), 2 exit-at-start (dies before the agent runs). */
#ifndef MCU_AGENT_VARIANT
#define MCU_AGENT_VARIANT 0
#endif

void xs_mcu_build_version(xsMachine *the)
{
  xsmcSetNumber(xsResult, (double)(uint32_t)MCU_AGENT_VERSION);
}

void xs_mcu_build_variant(xsMachine *the)
{
  static const char *const names[] = { "good", "selftest-fail", "exit-at-start" };
  int v = MCU_AGENT_VARIANT;
  xsmcSetString(xsResult, (char *)(v >= 0 && v < 3 ? names[v] : "unknown"));
}
