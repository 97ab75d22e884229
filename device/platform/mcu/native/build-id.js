/* The version and variant the image was linked with (C in ../c/build-id.c). */
function version() @ "xs_mcu_build_version";
function variant() @ "xs_mcu_build_variant";

export { version, variant };
