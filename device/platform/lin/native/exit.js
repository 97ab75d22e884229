/** Ends the process with `code` (native: exit.c). Does not return. */
export default function exit(code) @ "xs_lin_exit";
