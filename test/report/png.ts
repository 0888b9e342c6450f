// A small PNG reader for the render tests: 8-bit RGB or RGBA, not interlaced (what rsvg-convert
// writes), so a test can look at the pixels rsvg-convert drew. Not a test file itself.
import { readFileSync } from 'node:fs';
import { inflateSync } from 'node:zlib';

export interface Png {
  w: number;
  h: number;
  /** RGBA, 4 bytes a pixel, row after row. */
  rgba: Uint8Array;
}

export function readPng(file: string): Png {
  const b = readFileSync(file);
  if (b.subarray(1, 4).toString() !== 'PNG') throw new Error(`${file} is not a PNG`);
  let off = 8;
  let w = 0;
  let h = 0;
  let channels = 0;
  const idat: Buffer[] = [];
  while (off < b.length) {
    const len = b.readUInt32BE(off);
    const type = b.subarray(off + 4, off + 8).toString();
    const data = b.subarray(off + 8, off + 8 + len);
    if (type === 'IHDR') {
      w = data.readUInt32BE(0);
      h = data.readUInt32BE(4);
      const depth = data[8];
      const colour = data[9];
      if (depth !== 8 || (colour !== 6 && colour !== 2) || data[12] !== 0) throw new Error(`${file}: only 8-bit RGB(A), not interlaced`);
      channels = colour === 6 ? 4 : 3;
    } else if (type === 'IDAT') idat.push(data);
    else if (type === 'IEND') break;
    off += 12 + len;
  }
  const raw = inflateSync(Buffer.concat(idat));
  const stride = w * channels;
  const px = new Uint8Array(h * stride);
  for (let y = 0; y < h; y++) {
    const filter = raw[y * (stride + 1)]!;
    const line = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    for (let i = 0; i < stride; i++) {
      const a = i >= channels ? px[y * stride + i - channels]! : 0;
      const up = y > 0 ? px[(y - 1) * stride + i]! : 0;
      const ul = y > 0 && i >= channels ? px[(y - 1) * stride + i - channels]! : 0;
      const pred = filter === 0 ? 0 : filter === 1 ? a : filter === 2 ? up : filter === 3 ? (a + up) >> 1 : paeth(a, up, ul);
      px[y * stride + i] = (line[i]! + pred) & 0xff;
    }
  }
  if (channels === 4) return { w, h, rgba: px };
  const rgba = new Uint8Array(w * h * 4);
  for (let k = 0; k < w * h; k++) rgba.set([px[k * 3]!, px[k * 3 + 1]!, px[k * 3 + 2]!, 255], k * 4);
  return { w, h, rgba };
}

function paeth(a: number, b: number, c: number): number {
  const p = a + b - c;
  const pa = Math.abs(p - a);
  const pb = Math.abs(p - b);
  const pc = Math.abs(p - c);
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

/** The columns [first, last] holding a dark pixel (text) within rows [y0, y1); undefined when none. */
export function darkColumns(png: Png, y0: number, y1: number): [number, number] | undefined {
  let first = Infinity;
  let last = -1;
  for (let y = Math.max(0, y0); y < Math.min(png.h, y1); y++) {
    for (let x = 0; x < png.w; x++) {
      const k = (y * png.w + x) * 4;
      if (png.rgba[k + 3]! > 128 && png.rgba[k]! < 110 && png.rgba[k + 1]! < 110 && png.rgba[k + 2]! < 110) {
        first = Math.min(first, x);
        last = Math.max(last, x);
      }
    }
  }
  return last < 0 ? undefined : [first, last];
}
