import { signerBlockLayout } from './signature-appearance';

describe('the signer block layout (Decree 30/2020 Appendix I)', () => {
  // A signer column's signature area: 233 pt wide, 96 pt high (the template's 34 mm).
  const area: [number, number, number, number] = [300, 80, 533, 176];
  const layout = signerBlockLayout(area, { width: 300, height: 120 }, 36);
  const [sx1, sy1, sx2, sy2] = layout.signature;
  const [kx1, ky1, kx2, ky2] = layout.seal;

  it('fits the signature image in the area, above the information band, centred, keeping its proportions', () => {
    expect(sx1).toBeGreaterThanOrEqual(area[0]);
    expect(sx2).toBeLessThanOrEqual(area[2]);
    expect(sy1).toBeGreaterThanOrEqual(layout.info[3]);
    expect(sy2).toBeLessThanOrEqual(area[3]);
    expect((sx1 + sx2) / 2).toBeCloseTo((area[0] + area[2]) / 2);
    expect((sx2 - sx1) / (sy2 - sy1)).toBeCloseTo(300 / 120);
  });

  it('puts the seal at its real size over the left third of the signature image', () => {
    expect(kx2 - kx1).toBeCloseTo((36 * 72) / 25.4);
    expect(ky2 - ky1).toBeCloseTo((36 * 72) / 25.4);
    expect(kx2).toBeCloseTo(sx1 + (sx2 - sx1) / 3);
    expect((ky1 + ky2) / 2).toBeCloseTo((sy1 + sy2) / 2);
  });

  it('leaves two lines of size 10 under the images for the unit name and the time', () => {
    expect(layout.info[1]).toBe(area[1]);
    expect(layout.info[3] - layout.info[1]).toBeGreaterThanOrEqual(2 * 10);
  });
});
