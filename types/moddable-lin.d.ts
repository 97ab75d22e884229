// Host type-checking of device/platform/lin/: the Moddable modules the lin build uses,
// as the SDK's typings declare them (mcconfig checks against the SDK's own typings).
declare module 'mc/config' {
  const Config: Record<string, any>;
  export { Config as default };
}
declare module 'embedded:io/socket/tcp' {
  export default class TCP {
    constructor(options: {
      address: string;
      port: number;
      nodelay?: boolean;
      onReadable?: (this: TCP, bytes: number) => void;
      onWritable?: (this: TCP, bytes: number) => void;
      onError?: (this: TCP) => void;
      format?: 'number' | 'buffer';
    });
    read(byteLength?: number): number | ArrayBuffer;
    write(value: number | ArrayBuffer | ArrayBufferView): void;
    close(): void;
  }
}
declare module 'embedded:storage/files' {
  export class File {
    close(): void;
    read(buffer: ArrayBuffer | ArrayBufferView, position: number): number;
    write(buffer: ArrayBuffer | ArrayBufferView, position: number): void;
    status(): { size: number };
    setSize(length: number): void;
    flush(): void;
  }
  export class Directory {
    openFile(options: { path: string; mode?: 'r' | 'r+' | 'w' | 'w+' }): File;
  }
}
