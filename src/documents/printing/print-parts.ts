/**
 * A document whose table grows with the tree is printed in parts. Chromium lays out every page of a
 * document at once and holds it until the PDF is written: the province's consolidated report at
 * 4,046 units (227 pages) took its renderer process to 1.1 GB, about 0.26 MB a row (BENCHMARKS.md,
 * "Large document"). Printed in parts of a few hundred rows, one after another, each part numbering
 * its pages on from the one before, the peak no longer grows with the tree.
 *
 * A part is the kind's data with a slice of the table; the template shows its front matter only in
 * the first part (`@part.first`) and its closing sections only in the last (`@part.last`).
 */
export interface PrintPart {
  first: boolean;
  last: boolean;
  /** Pages printed by the parts before this one: its first page is numbered pageOffset + 1. */
  pageOffset: number;
}

/** The whole document in one part: what every document is unless its table is long. */
export const WHOLE_DOCUMENT: PrintPart = { first: true, last: true, pageOffset: 0 };

/** Splits a kind's data into the data of its parts, in order; one element when it is short enough. */
export type PrintPartition = (data: unknown, rowsPerPart: number) => unknown[];

interface GroupedTable {
  unitTable: { groups: Array<{ title: string; units: unknown[]; numberFrom?: number }> };
}

/**
 * The per-unit table of a consolidated report, cut between groups where the part is at least half
 * full, else inside a group: the group goes on in the next part under its title and "(tiếp theo)",
 * its rows numbered on (`numberFrom`). Each part starts on a new page, so a cut between groups reads
 * as a group starting a page.
 */
export const splitUnitTable: PrintPartition = (data, rowsPerPart) => {
  const table = (data as Partial<GroupedTable>).unitTable;
  // Data the template would refuse is printed whole, for the template to name what is wrong.
  if (!Array.isArray(table?.groups) || !table.groups.every((group) => Array.isArray(group?.units))) return [data];
  const rows = table.groups.reduce((sum, group) => sum + group.units.length, 0);
  if (rows <= rowsPerPart) return [data];

  const parts: GroupedTable['unitTable']['groups'][] = [];
  let current: GroupedTable['unitTable']['groups'] = [];
  let filled = 0;
  const close = () => {
    parts.push(current);
    current = [];
    filled = 0;
  };
  for (const group of table.groups) {
    if (group.units.length === 0) current.push(group); // a title row alone, as printed whole
    const from = group.numberFrom ?? 0;
    let offset = 0;
    while (offset < group.units.length) {
      const remaining = group.units.length - offset;
      if (offset === 0 && filled > 0 && remaining > rowsPerPart - filled && filled >= rowsPerPart / 2) {
        close();
        continue;
      }
      const taken = Math.min(remaining, rowsPerPart - filled);
      current.push({
        ...group,
        title: offset === 0 ? group.title : `${group.title} (tiếp theo)`,
        units: group.units.slice(offset, offset + taken),
        ...(offset + from > 0 ? { numberFrom: offset + from } : {}),
      });
      offset += taken;
      filled += taken;
      if (filled >= rowsPerPart) close();
    }
  }
  if (current.length) close();
  return parts.map((groups) => ({ ...(data as object), unitTable: { ...table, groups } }));
};

/** The kinds with a table that grows with the tree. */
export const LONG_TABLE_KINDS: Readonly<Record<string, PrintPartition>> = {
  'consolidated-report': splitUnitTable,
};
