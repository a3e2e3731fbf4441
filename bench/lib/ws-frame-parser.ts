// RFC 6455 frame parser for the client side: server frames arrive unmasked. Handles frames
// split across TCP chunks, several frames per chunk, 7/16/64-bit lengths, fragmented messages
// and control frames between fragments. Only as much as the generator needs; not a library.

export const OPCODE = { continuation: 0x0, text: 0x1, binary: 0x2, close: 0x8, ping: 0x9, pong: 0xa } as const;
export const CLOSE_PROTOCOL_ERROR = 1002;
export const CLOSE_TOO_BIG = 1009;
/** Far above any benchmark message; a longer frame means the stream is corrupt. */
export const MAX_FRAME_PAYLOAD = 16 * 1024 * 1024;

export interface FrameHandlers {
  message(data: Buffer, binary: boolean): void;
  close(code: number | undefined, reason: string): void;
  ping(payload: Buffer): void;
  protocolError(closeCode: number, reason: string): void;
}

export class WsFrameParser {
  private chunks: Buffer[] = [];
  private buffered = 0;
  /** Bytes needed before parsing can make progress again. */
  private needed = 2;
  private fragments: Buffer[] = [];
  private fragmentBinary = false;
  private failed = false;

  constructor(private readonly on: FrameHandlers) {}

  /**
   * `chunk` may be a buffer the caller reuses (net's `onread`): payloads handed to the
   * handlers are only valid during the call, and whatever is kept for later is copied.
   */
  push(chunk: Buffer): void {
    if (this.failed) return;
    this.buffered += chunk.length;
    if (this.buffered < this.needed) {
      this.chunks.push(Buffer.from(chunk));
      return;
    }
    const buf = this.chunks.length === 0 ? chunk : Buffer.concat([...this.chunks, chunk], this.buffered);
    const used = this.parse(buf);
    this.chunks = used < buf.length ? [Buffer.from(buf.subarray(used))] : [];
    this.buffered = buf.length - used;
  }

  /** Parses every complete frame in buf; returns the bytes consumed. */
  private parse(buf: Buffer): number {
    let off = 0;
    this.needed = 2;
    while (!this.failed) {
      const avail = buf.length - off;
      if (avail < 2) return off;
      const b0 = buf[off]!;
      const b1 = buf[off + 1]!;
      if (b1 & 0x80) return this.fail(CLOSE_PROTOCOL_ERROR, 'server frame is masked', off);
      if (b0 & 0x70) return this.fail(CLOSE_PROTOCOL_ERROR, 'reserved bits set', off);
      let header = 2;
      let length = b1 & 0x7f;
      if (length === 126) {
        header = 4;
        if (avail < header) return this.wait(off, header);
        length = buf.readUInt16BE(off + 2);
      } else if (length === 127) {
        header = 10;
        if (avail < header) return this.wait(off, header);
        const high = buf.readUInt32BE(off + 2);
        if (high > 0) return this.fail(CLOSE_TOO_BIG, 'frame above 4 GiB', off);
        length = buf.readUInt32BE(off + 6);
      }
      if (length > MAX_FRAME_PAYLOAD) return this.fail(CLOSE_TOO_BIG, 'frame too big', off);
      if (avail < header + length) return this.wait(off, header + length);
      const payload = buf.subarray(off + header, off + header + length);
      off += header + length;
      this.frame((b0 & 0x80) !== 0, b0 & 0x0f, payload);
    }
    return off;
  }

  private wait(off: number, frameBytes: number): number {
    this.needed = frameBytes;
    return off;
  }

  private fail(code: number, reason: string, off: number): number {
    this.failed = true;
    this.on.protocolError(code, reason);
    return off;
  }

  private frame(fin: boolean, opcode: number, payload: Buffer): void {
    switch (opcode) {
      case OPCODE.text:
      case OPCODE.binary:
        if (this.fragments.length > 0) return void this.fail(CLOSE_PROTOCOL_ERROR, 'new message inside a fragmented one', 0);
        if (fin) return this.on.message(payload, opcode === OPCODE.binary);
        this.fragmentBinary = opcode === OPCODE.binary;
        this.fragments.push(Buffer.from(payload));
        return;
      case OPCODE.continuation:
        if (this.fragments.length === 0) return void this.fail(CLOSE_PROTOCOL_ERROR, 'continuation without a start', 0);
        this.fragments.push(Buffer.from(payload));
        if (fin) {
          const whole = Buffer.concat(this.fragments);
          this.fragments = [];
          this.on.message(whole, this.fragmentBinary);
        }
        return;
      case OPCODE.close:
        return this.on.close(payload.length >= 2 ? payload.readUInt16BE(0) : undefined, payload.subarray(2).toString('utf8'));
      case OPCODE.ping:
        return this.on.ping(Buffer.from(payload));
      case OPCODE.pong:
        return;
      default:
        this.fail(CLOSE_PROTOCOL_ERROR, `unknown opcode ${opcode}`, 0);
    }
  }
}

/** A client frame: always masked with a fresh key (RFC 6455 §5.3). */
export function maskedFrame(opcode: number, payload: Buffer, maskKey: Buffer): Buffer {
  const length = payload.length;
  const header = length < 126 ? 2 : length < 0x10000 ? 4 : 10;
  const frame = Buffer.allocUnsafe(header + 4 + length);
  frame[0] = 0x80 | opcode;
  if (header === 2) frame[1] = 0x80 | length;
  else if (header === 4) {
    frame[1] = 0x80 | 126;
    frame.writeUInt16BE(length, 2);
  } else {
    frame[1] = 0x80 | 127;
    frame.writeUInt32BE(0, 2);
    frame.writeUInt32BE(length, 6);
  }
  maskKey.copy(frame, header, 0, 4);
  for (let i = 0; i < length; i++) frame[header + 4 + i] = payload[i]! ^ maskKey[i & 3]!;
  return frame;
}
