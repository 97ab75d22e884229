/** Fills the ArrayBuffer of a Float64Array(8) with XS's memory accounting (native: meters.c, which lists the fields). */
export default function meters(into) @ "xs_lin_meters";
