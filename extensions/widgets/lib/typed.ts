/**
 * Binary buffers of other element types than float64 (see `buffers.ts`):
 * float32, int32, uint32 and uint8, little-endian on the wire.
 *
 * A buffer may be a DataView at any byte offset (ipywidgets slices one
 * message buffer); a typed array needs an offset that is a multiple of its
 * element size, so the bytes are copied when they are not aligned, and on a
 * big-endian host each value is read through a DataView.
 */

import type { BufferLike } from './buffers';

const LITTLE_ENDIAN_HOST = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

type Typed = Float32Array | Int32Array | Uint32Array | Uint8Array;
type TypedClass<T extends Typed> = {
  new (buffer: ArrayBufferLike, offset?: number, length?: number): T;
  new (length: number): T;
  readonly BYTES_PER_ELEMENT: number;
};

function bytesOf(buffer: BufferLike): Uint8Array {
  return buffer instanceof ArrayBuffer
    ? new Uint8Array(buffer)
    : new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
}

function decode<T extends Typed>(
  buffer: BufferLike,
  Kind: TypedClass<T>,
  read: (view: DataView, at: number) => number,
  littleEndianHost: boolean
): T {
  const bytes = bytesOf(buffer);
  const size = Kind.BYTES_PER_ELEMENT;
  if (bytes.byteLength % size !== 0) {
    throw new Error(
      `Expected a whole number of ${size}-byte values. Received: ${bytes.byteLength} bytes`
    );
  }
  const count = bytes.byteLength / size;
  if (littleEndianHost || size === 1) {
    if (bytes.byteOffset % size === 0) {
      return new Kind(bytes.buffer, bytes.byteOffset, count);
    }
    const copy = new Uint8Array(bytes.byteLength);
    copy.set(bytes);
    return new Kind(copy.buffer, 0, count);
  }
  const out = new Kind(count);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let i = 0; i < count; i++) {
    out[i] = read(view, i * size);
  }
  return out;
}

export function toFloat32(
  buffer: BufferLike,
  littleEndianHost = LITTLE_ENDIAN_HOST
): Float32Array {
  return decode(
    buffer,
    Float32Array,
    (v, at) => v.getFloat32(at, true),
    littleEndianHost
  );
}

export function toInt32(
  buffer: BufferLike,
  littleEndianHost = LITTLE_ENDIAN_HOST
): Int32Array {
  return decode(
    buffer,
    Int32Array,
    (v, at) => v.getInt32(at, true),
    littleEndianHost
  );
}

export function toUint32(
  buffer: BufferLike,
  littleEndianHost = LITTLE_ENDIAN_HOST
): Uint32Array {
  return decode(
    buffer,
    Uint32Array,
    (v, at) => v.getUint32(at, true),
    littleEndianHost
  );
}

export function toUint8(buffer: BufferLike): Uint8Array {
  return decode(buffer, Uint8Array, (v, at) => v.getUint8(at), true);
}
