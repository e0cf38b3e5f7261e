'use strict';
// Embeddings as openai-node receives them by default: base64 strings of little-endian float32,
// decoded to arrays of numbers. Entries already numeric (a gateway that ignored the ask) stay.

/** One base64 embedding → numbers; its byte length must be a multiple of 4. */
function toFloat32Array(base64) {
  const buf = Buffer.from(base64, 'base64');
  if (buf.length % Float32Array.BYTES_PER_ELEMENT !== 0) {
    throw new RangeError('Invalid base64-encoded float32 array: byte length must be a multiple of 4');
  }
  // Copied to an aligned buffer: a Buffer's byteOffset may not be a multiple of 4.
  const aligned = new Uint8Array(buf.length);
  aligned.set(buf);
  return Array.from(new Float32Array(aligned.buffer));
}

/** A parsed embeddings response whose `data[].embedding` may be base64: decoded in place. */
function decodeEmbeddings(response) {
  const data = response?.data;
  if (data === undefined) return response;
  if (!Array.isArray(data)) throw new TypeError('Expected embeddings response data to be an array');
  for (const entry of data) {
    if (entry && typeof entry.embedding === 'string') entry.embedding = toFloat32Array(entry.embedding);
  }
  return response;
}

module.exports = { decodeEmbeddings, toFloat32Array };
