// Draws the app icon (a door with a keyhole) as SVG and as PNGs, with no image library:
// shapes are tested per pixel, 4×4 supersampled, and written as PNG with zlib.
// Run: npx tsx apps/web/scripts/make-icons.ts   (the outputs are committed in apps/web/public)
import { writeFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';

const BRAND = [0x0e, 0x54, 0x57];
const WHITE = [0xff, 0xff, 0xff];
const OUT = new URL('../public/', import.meta.url);

/** In 512-unit icon space: 'bg', 'door', 'hole' or null (transparent). */
function shapeAt(
  x: number,
  y: number,
  maskable: boolean,
): 'bg' | 'door' | 'hole' | null {
  const inRounded = (
    x0: number,
    y0: number,
    x1: number,
    y1: number,
    r: number,
  ) => {
    if (x < x0 || x > x1 || y < y0 || y > y1) return false;
    const cx = Math.min(Math.max(x, x0 + r), x1 - r);
    const cy = Math.min(Math.max(y, y0 + r), y1 - r);
    return (x - cx) ** 2 + (y - cy) ** 2 <= r * r;
  };
  // Maskable icons keep their content in the central 80% circle and fill the whole square.
  const s = maskable ? 0.8 : 1;
  const u = (x - 256) / s + 256;
  const v = (y - 256) / s + 256;
  const bg = maskable || inRounded(0, 0, 512, 512, 112);
  if (!bg) return null;
  const inDoor =
    u >= 168 &&
    u <= 344 &&
    v >= 120 &&
    v <= 400 &&
    (v >= 208 || (u - 256) ** 2 + (v - 208) ** 2 <= 88 ** 2);
  if (!inDoor) return 'bg';
  const hole =
    (u - 256) ** 2 + (v - 236) ** 2 <= 32 ** 2 ||
    (u >= 242 && u <= 270 && v >= 236 && v <= 316);
  return hole ? 'hole' : 'door';
}

function png(size: number, maskable: boolean): Buffer {
  const raw = Buffer.alloc((size * 4 + 1) * size);
  const k = 512 / size;
  for (let py = 0; py < size; py++) {
    raw[py * (size * 4 + 1)] = 0; // filter: none
    for (let px = 0; px < size; px++) {
      let r = 0;
      let g = 0;
      let b = 0;
      let a = 0;
      for (let sy = 0; sy < 4; sy++)
        for (let sx = 0; sx < 4; sx++) {
          const s = shapeAt(
            (px + (sx + 0.5) / 4) * k,
            (py + (sy + 0.5) / 4) * k,
            maskable,
          );
          if (!s) continue;
          const c = s === 'door' ? WHITE : BRAND;
          r += c[0]!;
          g += c[1]!;
          b += c[2]!;
          a++;
        }
      const o = py * (size * 4 + 1) + 1 + px * 4;
      raw[o] = a ? Math.round(r / a) : 0;
      raw[o + 1] = a ? Math.round(g / a) : 0;
      raw[o + 2] = a ? Math.round(b / a) : 0;
      raw[o + 3] = Math.round((a / 16) * 255);
    }
  }
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const td = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(td));
    return Buffer.concat([len, td, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr.set([8, 6, 0, 0, 0], 8); // 8-bit RGBA
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

function crc32(buf: Buffer): number {
  let c = ~0;
  for (const byte of buf) {
    c ^= byte;
    for (let i = 0; i < 8; i++) c = (c >>> 1) ^ (0xedb88320 & -(c & 1));
  }
  return ~c >>> 0;
}

const svg = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 512 512" role="img">
<title>Keyway</title>
<rect width="512" height="512" rx="112" fill="#0e5457"/>
<path d="M168 400V208a88 88 0 0 1 176 0v192z" fill="#fff"/>
<circle cx="256" cy="236" r="32" fill="#0e5457"/><rect x="242" y="236" width="28" height="80" fill="#0e5457"/>
</svg>
`;
writeFileSync(new URL('icon.svg', OUT), svg);
writeFileSync(new URL('icon-192.png', OUT), png(192, false));
writeFileSync(new URL('icon-512.png', OUT), png(512, false));
writeFileSync(new URL('icon-maskable-512.png', OUT), png(512, true));
