/**
 * How an issuing body's name is broken in the header (Decree 30/2020 component 2), as letter
 * 4607/UBND-KGVX does: a People's Committee's name on two lines, "ỦY BAN NHÂN DÂN" over the
 * territorial unit ("TỈNH QUẢNG NGÃI", "XÃ TỊNH KHÊ"); other names as one text the column wraps.
 */
const PEOPLES_COMMITTEE = 'Ủy ban nhân dân ';

export function headerLines(name: string): string[] {
  return name.startsWith(PEOPLES_COMMITTEE) ? [PEOPLES_COMMITTEE.trim(), name.slice(PEOPLES_COMMITTEE.length)] : [name];
}

/** The header's issuer block of a unit: its parent body (where it has one) over its own name. */
export function issuerOf(unit: { parentBody: string | null; officialName: string }): { parent?: string[]; name: string[] } {
  return unit.parentBody ? { parent: headerLines(unit.parentBody), name: headerLines(unit.officialName) } : { name: headerLines(unit.officialName) };
}
