/**
 * How an issuing body's name is broken in the header (Decree 30/2020 component 2), as letter
 * 4607/UBND-KGVX does: a People's Committee's name on two lines, "ỦY BAN NHÂN DÂN" over the
 * territorial unit ("TỈNH QUẢNG NGÃI", "XÃ TỊNH KHÊ"); a name too long for one line of the left
 * column breaks before its last "và" ("SỞ KHOA HỌC / VÀ CÔNG NGHỆ"), never inside a word group.
 */
const PEOPLES_COMMITTEE = 'Ủy ban nhân dân ';
/** Characters of an upper-case bold 13 pt name that fit the header's left column. */
const ONE_LINE = 20;

export function headerLines(name: string): string[] {
  if (name.startsWith(PEOPLES_COMMITTEE)) return [PEOPLES_COMMITTEE.trim(), name.slice(PEOPLES_COMMITTEE.length)];
  const and = name.lastIndexOf(' và ');
  return name.length > ONE_LINE && and > 0 ? [name.slice(0, and), name.slice(and + 1)] : [name];
}

/** The header's issuer block of a unit: its parent body (where it has one) over its own name. */
export function issuerOf(unit: { parentBody: string | null; officialName: string }): { parent?: string[]; name: string[] } {
  return unit.parentBody ? { parent: headerLines(unit.parentBody), name: headerLines(unit.officialName) } : { name: headerLines(unit.officialName) };
}
