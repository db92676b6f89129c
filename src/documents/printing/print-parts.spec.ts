import { splitUnitTable } from './print-parts';

type Group = { title: string; units: string[]; numberFrom?: number };
const report = (sizes: number[]) => ({
  subject: 'Báo cáo tổng hợp',
  unitTable: { landscape: false, columns: [], groups: sizes.map((size, g) => ({ title: `Nhóm ${g + 1}`, units: Array.from({ length: size }, (_, i) => `${g + 1}-${i + 1}`) })) },
});
const groupsOf = (parts: unknown[]) => parts.map((part) => (part as ReturnType<typeof report>).unitTable.groups as Group[]);

describe('splitUnitTable: a consolidated report\'s per-unit table cut into parts', () => {
  test('a table of at most the part size is one part, the data itself', () => {
    const data = report([30, 20]);
    expect(splitUnitTable(data, 50)).toEqual([data]);
    expect(splitUnitTable(data, 50)[0]).toBe(data);
  });

  test('cuts between groups once a part is half full, inside a group otherwise, numbering a cut group on', () => {
    const parts = groupsOf(splitUnitTable(report([30, 70, 50]), 40));
    expect(parts.map((groups) => groups.map((g) => [g.title, g.units.length, g.numberFrom ?? 0]))).toEqual([
      [['Nhóm 1', 30, 0]],
      [['Nhóm 2', 40, 0]],
      [['Nhóm 2 (tiếp theo)', 30, 40]],
      [['Nhóm 3', 40, 0]],
      [['Nhóm 3 (tiếp theo)', 10, 40]],
    ]);
    // Less than half full: the next group starts in the same part.
    expect(groupsOf(splitUnitTable(report([10, 50]), 40)).map((groups) => groups.map((g) => [g.title, g.units.length]))).toEqual([
      [['Nhóm 1', 10], ['Nhóm 2', 30]],
      [['Nhóm 2 (tiếp theo)', 20]],
    ]);
  });

  test('every row once, in order, no part over the size, the rest of the data kept (random tables)', () => {
    let seed = 7;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let run = 0; run < 200; run++) {
      const sizes = Array.from({ length: 1 + Math.floor(random() * 8) }, () => Math.floor(random() * 120));
      const size = 1 + Math.floor(random() * 60);
      const data = report(sizes);
      const parts = splitUnitTable(data, size) as Array<ReturnType<typeof report>>;
      expect(parts.flatMap((part) => part.unitTable.groups.filter((g: Group) => !g.title.endsWith('(tiếp theo)')).map((g: Group) => g.title))).toEqual(data.unitTable.groups.map((g) => g.title));
      const rows = parts.flatMap((part) => part.unitTable.groups.flatMap((g: Group) => g.units.map((unit, i) => [unit, (g.numberFrom ?? 0) + i + 1])));
      expect(rows).toEqual(data.unitTable.groups.flatMap((g) => g.units.map((unit, i) => [unit, i + 1])));
      for (const part of parts) {
        expect(part.unitTable.groups.reduce((sum: number, g: Group) => sum + g.units.length, 0)).toBeLessThanOrEqual(size);
        expect({ ...part, unitTable: { ...part.unitTable, groups: [] } }).toEqual({ ...data, unitTable: { ...data.unitTable, groups: [] } });
      }
    }
  });

  test('data without a per-unit table, or with a group the template would refuse, is one part', () => {
    expect(splitUnitTable({ subject: 'x' }, 10)).toEqual([{ subject: 'x' }]);
    const malformed = { unitTable: { groups: [{ title: 'A', units: Array(30).fill('u') }, { title: 'B', units: 'không phải danh sách' }] } };
    expect(splitUnitTable(malformed, 10)).toEqual([malformed]);
  });
});
