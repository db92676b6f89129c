import { crc32, deflateSync } from 'node:zlib';

/** A PNG (RGBA, 8 bits) from a pixel function: what an administrator uploads, made in memory. */
export function png(width: number, height: number, pixel: (x: number, y: number) => [number, number, number, number]): Buffer {
  const raw = Buffer.alloc((width * 4 + 1) * height);
  for (let y = 0; y < height; y++) {
    const row = y * (width * 4 + 1);
    raw[row] = 0; // filter: none
    for (let x = 0; x < width; x++) raw.set(pixel(x, y), row + 1 + x * 4);
  }
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([length, body, crc]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 6, 0, 0, 0], 8); // 8 bits, RGBA
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', header), chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
}

/** A handwritten-looking signature: a blue stroke on a transparent background (300 × 120). */
export function blueSignature(): Buffer {
  return png(300, 120, (x, y) => {
    const curve = 60 + 35 * Math.sin(x / 18) * Math.cos(x / 53);
    return Math.abs(y - curve) < 3 ? [20, 40, 200, 255] : [0, 0, 0, 0];
  });
}

/** A round red seal: two rings and a star on a transparent background (400 × 400). */
export function redSeal(): Buffer {
  return png(400, 400, (x, y) => {
    const r = Math.hypot(x - 200, y - 200);
    const ring = (r > 190 && r < 198) || (r > 150 && r < 155);
    const star = r < 40 && Math.abs(Math.sin(5 * Math.atan2(y - 200, x - 200))) * 40 > r - 10;
    return ring || star ? [220, 20, 30, 255] : [0, 0, 0, 0];
  });
}
