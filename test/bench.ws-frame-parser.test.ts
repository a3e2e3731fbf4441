// The generator's WebSocket frame parser: chunking, lengths, and what it must refuse.
import { describe, expect, it } from 'vitest';
import { OPCODE, WsFrameParser, maskedFrame } from '../bench/lib/ws-frame-parser.js';

function serverFrame(opcode: number, payload: Buffer, fin = true): Buffer {
  const len = payload.length;
  const head =
    len < 126
      ? Buffer.from([(fin ? 0x80 : 0) | opcode, len])
      : len < 0x10000
        ? Buffer.from([(fin ? 0x80 : 0) | opcode, 126, len >> 8, len & 0xff])
        : Buffer.concat([Buffer.from([(fin ? 0x80 : 0) | opcode, 127, 0, 0, 0, 0]), u32(len)]);
  return Buffer.concat([head, payload]);
}

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n, 0);
  return b;
}

function collect() {
  const messages: string[] = [];
  const errors: number[] = [];
  const parser = new WsFrameParser({
    message: (data) => messages.push(data.toString('utf8')),
    close: () => {},
    ping: () => {},
    protocolError: (code) => errors.push(code),
  });
  return { parser, messages, errors };
}

describe('WsFrameParser', () => {
  it('parses 7-bit, 16-bit and 64-bit lengths fed one byte at a time', () => {
    const { parser, messages } = collect();
    const texts = ['a'.repeat(5), 'b'.repeat(300), 'c'.repeat(70_000)];
    const stream = Buffer.concat(texts.map((t) => serverFrame(OPCODE.text, Buffer.from(t))));
    for (let i = 0; i < stream.length; i += 1) parser.push(stream.subarray(i, i + 1));
    expect(messages).toEqual(texts);
  });

  it('parses several frames in one chunk and keeps a split tail for the next chunk', () => {
    const { parser, messages } = collect();
    const stream = Buffer.concat(['one', 'two', 'three'].map((t) => serverFrame(OPCODE.text, Buffer.from(t))));
    parser.push(stream.subarray(0, 12));
    parser.push(stream.subarray(12));
    expect(messages).toEqual(['one', 'two', 'three']);
  });

  it('does not keep references into a buffer the caller reuses', () => {
    const { parser, messages } = collect();
    const frame = serverFrame(OPCODE.text, Buffer.from('hello world'));
    const shared = Buffer.alloc(64);
    frame.copy(shared, 0, 0, 5);
    parser.push(shared.subarray(0, 5));
    shared.fill(0);
    frame.copy(shared, 0, 5);
    parser.push(shared.subarray(0, frame.length - 5));
    expect(messages).toEqual(['hello world']);
  });

  it('reassembles a fragmented message around a control frame', () => {
    const { parser, messages } = collect();
    parser.push(
      Buffer.concat([
        serverFrame(OPCODE.text, Buffer.from('frag'), false),
        serverFrame(OPCODE.ping, Buffer.alloc(0)),
        serverFrame(OPCODE.continuation, Buffer.from('mented')),
      ]),
    );
    expect(messages).toEqual(['fragmented']);
  });

  it('refuses a masked server frame with 1002', () => {
    const { parser, messages, errors } = collect();
    parser.push(maskedFrame(OPCODE.text, Buffer.from('x'), Buffer.from([1, 2, 3, 4])));
    expect(messages).toEqual([]);
    expect(errors).toEqual([1002]);
  });
});

describe('maskedFrame', () => {
  it('sets the mask bit and XORs the payload with the key', () => {
    const key = Buffer.from([0x37, 0xfa, 0x21, 0x3d]);
    const frame = maskedFrame(OPCODE.text, Buffer.from('Hello'), key);
    // RFC 6455 §5.7: a masked "Hello".
    expect(frame.toString('hex')).toBe('818537fa213d7f9f4d5158');
  });
});
