/**
 * Binary buffers of widget messages: float64, little-endian.
 *
 * ipywidgets delivers each buffer as a DataView into a larger message buffer
 * (with a byte offset that need not be a multiple of 8); anywidget may hand
 * over ArrayBuffers or typed arrays. All decode to a fresh Float64Array.
 */

export type BufferLike = ArrayBuffer | ArrayBufferView;

const LITTLE_ENDIAN_HOST =
  new Uint8Array(new Float64Array([1]).buffer)[7] === 0x3f;

/** A buffer's float64 values (little-endian on the wire, whatever the host). */
export function toFloat64(buffer: BufferLike): Float64Array {
  return decodeFloat64(buffer, LITTLE_ENDIAN_HOST);
}

/** `toFloat64` with the host's byte order given (exported for tests of both paths). */
export function decodeFloat64(
  buffer: BufferLike,
  littleEndianHost: boolean
): Float64Array {
  const bytes =
    buffer instanceof ArrayBuffer
      ? new Uint8Array(buffer)
      : new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  if (bytes.byteLength % 8 !== 0) {
    throw new Error(
      `Expected a whole number of float64 values (8 bytes each). Received: ${bytes.byteLength} bytes`
    );
  }
  const out = new Float64Array(bytes.byteLength / 8);
  if (littleEndianHost) {
    new Uint8Array(out.buffer).set(bytes); // a copy: aligned, and ours to keep
  } else {
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    for (let i = 0; i < out.length; i++) {
      out[i] = view.getFloat64(i * 8, true);
    }
  }
  return out;
}
