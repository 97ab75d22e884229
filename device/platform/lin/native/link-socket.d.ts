// Type of the native lin/link-socket module (link-socket.js, link-socket.c).
declare module 'lin/link-socket' {
  export interface LinkSocketTarget {
    onReceived(bytes: ArrayBuffer): void;
    onClosed(): void;
  }
  export default class LinkSocket {
    /** Connects to 127.0.0.1:`port`; throws when it cannot. */
    constructor(port: number, target: LinkSocketTarget);
    /** Writes every byte or throws. */
    write(bytes: Uint8Array): void;
    close(): void;
  }
}
