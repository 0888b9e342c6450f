// rc.conf files are bytes, not UTF-8 text: an old host's Latin-1 comment, or any byte 0x01-0xFF,
// must come back from an edit unchanged. Inside src/rcconf a file's content and every value is
// a "byte string": a JS string holding one char (U+0000-U+00FF) per byte, which is what Node's
// 'latin1' encoding reads and writes without loss. These helpers convert at the edges.

/** The bytes of `text` as UTF-8, as a byte string (what a UTF-8 terminal typed on the command line). */
export function textToBytes(text: string): string {
  return Buffer.from(text, 'utf8').toString('latin1');
}

/** A byte string as the Buffer it stands for. */
export function bytesBuffer(bytes: string): Buffer {
  return Buffer.from(bytes, 'latin1');
}

/** A Buffer as a byte string. */
export function bufferBytes(buf: Uint8Array): string {
  return Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength).toString('latin1');
}

/** A byte string shown as text (a message, a path for fs calls): decoded as UTF-8. */
export function bytesToText(bytes: string): string {
  return Buffer.from(bytes, 'latin1').toString('utf8');
}
