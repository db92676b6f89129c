import { AgencyEntry, DataSetFile, DataSetFileError, TerritorialEntry } from './data-set-file';

/**
 * Turns a data file into the units the application stores, deriving what the files lack by the
 * documented rules (docs/organization.md): agency symbols and codes, place names, official names,
 * parent bodies, signer titles, divisions and the reporting relation.
 */
export interface DerivedDivision {
  symbol: string;
  name: string;
}

export interface DerivedUnit {
  code: string;
  level: string;
  type: string;
  name: string;
  nameWithType: string;
  officialName: string;
  parentBody: string | null;
  symbol: string;
  placeName: string;
  headTitle: string;
  deputyTitle: string;
  collectiveBody: string | null;
  isStandingAgency: boolean;
  /** Code of the consolidating unit; null for the province. */
  reportsToCode: string | null;
  parentCode: string | null;
  sortOrder: number;
  divisions: DerivedDivision[];
}

export interface DerivedDataSet {
  id: string;
  title: string;
  source: string;
  units: DerivedUnit[];
}

/** Level keys. They label units; behaviour follows the reporting relation, never these names. */
export const LEVEL = { province: 'province', agency: 'provincial-agency', district: 'district', commune: 'commune' } as const;

const PEOPLES_COMMITTEE = 'Ủy ban nhân dân';
const PC_SYMBOL = 'UBND';
const PC_TITLES = { head: 'CHỦ TỊCH', deputy: 'PHÓ CHỦ TỊCH' };

/** Signer titles of an agency by the first words of its name. */
const AGENCY_TITLES: { prefix: string; head: string; deputy: string }[] = [
  { prefix: 'Sở ', head: 'GIÁM ĐỐC', deputy: 'PHÓ GIÁM ĐỐC' },
  { prefix: 'Thanh tra', head: 'CHÁNH THANH TRA', deputy: 'PHÓ CHÁNH THANH TRA' },
  { prefix: 'Văn phòng', head: 'CHÁNH VĂN PHÒNG', deputy: 'PHÓ CHÁNH VĂN PHÒNG' },
  { prefix: 'Ban ', head: 'TRƯỞNG BAN', deputy: 'PHÓ TRƯỞNG BAN' },
];

/** Divisions every unit gets, so that letters have a drafting division; the standing agency and the province add their own. */
const OFFICE_OF_AGENCY: DerivedDivision = { symbol: 'VP', name: 'Văn phòng' };
const OFFICE_OF_COMMITTEE: DerivedDivision = { symbol: 'VP', name: 'Văn phòng HĐND và UBND' };
const QUALITY_DIVISION: DerivedDivision = { symbol: 'TĐC', name: 'Phòng Tiêu chuẩn Đo lường Chất lượng' };
const PROVINCE_DIVISIONS: DerivedDivision[] = [
  { symbol: 'KGVX', name: 'Phòng Khoa giáo - Văn xã' },
  OFFICE_OF_COMMITTEE,
];

export function deriveDataSet(file: DataSetFile, agencySymbols: Record<string, string>, fileName?: string): DerivedDataSet {
  const { province } = file;
  const committeeOf = (unit: { nameWithType: string }) => `${PEOPLES_COMMITTEE} ${lowerFirst(unit.nameWithType)}`;
  const provinceBody = committeeOf(province);

  const units: DerivedUnit[] = [];
  let order = 0;
  units.push({
    code: province.code,
    level: LEVEL.province,
    type: firstWordsBefore(province.nameWithType, province.name) || 'tỉnh',
    name: province.name,
    nameWithType: province.nameWithType,
    officialName: provinceBody,
    parentBody: null,
    symbol: PC_SYMBOL,
    placeName: province.name,
    headTitle: PC_TITLES.head,
    deputyTitle: PC_TITLES.deputy,
    collectiveBody: PEOPLES_COMMITTEE.toLocaleUpperCase('vi'),
    isStandingAgency: false,
    reportsToCode: null,
    parentCode: null,
    sortOrder: order++,
    divisions: PROVINCE_DIVISIONS,
  });

  const standingCode = agencyCode(agencySymbol(findAgency(file, file.standingAgency), agencySymbols));
  const usedAgencyCodes = new Map<string, number>();
  file.provincialAgencies.forEach((entry, i) => {
    const name = typeof entry === 'string' ? entry : entry.name;
    const symbol = agencySymbol(entry, agencySymbols);
    const code = typeof entry === 'object' && entry.code ? entry.code : agencyCode(symbol);
    const clash = usedAgencyCodes.get(code);
    if (clash !== undefined) {
      throw new DataSetFileError(`provincialAgencies[${i}]`, `derived code "${code}" (symbol ${symbol}) clashes with provincialAgencies[${clash}]: give it a symbol in data/organizations/agency-symbols.json`, fileName);
    }
    usedAgencyCodes.set(code, i);
    const titles = AGENCY_TITLES.find((t) => name.startsWith(t.prefix));
    if (!titles) throw new DataSetFileError(`provincialAgencies[${i}]`, `no signer-title rule for "${name}" (names start with Sở, Thanh tra, Văn phòng or Ban)`, fileName);
    const isStanding = name === file.standingAgency;
    units.push({
      code,
      level: LEVEL.agency,
      type: 'cơ quan chuyên môn',
      name,
      nameWithType: name,
      officialName: name,
      parentBody: provinceBody,
      symbol,
      placeName: province.name,
      headTitle: titles.head,
      deputyTitle: titles.deputy,
      collectiveBody: null,
      isStandingAgency: isStanding,
      // The standing agency's own report is part of its consolidated report, which goes to the province.
      reportsToCode: isStanding ? province.code : standingCode,
      parentCode: province.code,
      sortOrder: order++,
      divisions: isStanding ? [QUALITY_DIVISION, OFFICE_OF_AGENCY] : [OFFICE_OF_AGENCY],
    });
  });

  const territorial = (unit: TerritorialEntry, level: string, reportsToCode: string, parentCode: string): DerivedUnit => ({
    code: unit.code,
    level,
    type: unit.type,
    name: unit.name,
    nameWithType: unit.nameWithType,
    officialName: committeeOf(unit),
    parentBody: null,
    symbol: PC_SYMBOL,
    placeName: placeNameOf(unit),
    headTitle: PC_TITLES.head,
    deputyTitle: PC_TITLES.deputy,
    collectiveBody: PEOPLES_COMMITTEE.toLocaleUpperCase('vi'),
    isStandingAgency: false,
    reportsToCode,
    parentCode,
    sortOrder: order++,
    divisions: [OFFICE_OF_COMMITTEE],
  });

  for (const commune of file.communes ?? []) units.push(territorial(commune, LEVEL.commune, standingCode, province.code));
  for (const district of file.districts ?? []) {
    units.push(territorial(district, LEVEL.district, standingCode, province.code));
    for (const commune of district.communes) units.push(territorial(commune, LEVEL.commune, district.code, district.code));
  }
  return { id: file.id, title: file.title, source: file.source, units };
}

/** The agency's document symbol: given by the file, by agency-symbols.json, or its initials. */
export function agencySymbol(entry: AgencyEntry, overrides: Record<string, string>): string {
  if (typeof entry === 'object' && entry.symbol) return entry.symbol;
  const name = typeof entry === 'string' ? entry : entry.name;
  return overrides[name] ?? initials(name);
}

/**
 * Initials of the words of a name, upper-cased, skipping "và" and punctuation:
 * "Sở Khoa học và Công nghệ" → SKHCN, "Sở Giáo dục và Đào tạo" → SGDĐT.
 */
export function initials(name: string): string {
  return name
    .split(/[\s,\-–]+/)
    .filter((word) => word !== '' && word.toLocaleLowerCase('vi') !== 'và')
    .map((word) => word[0].toLocaleUpperCase('vi'))
    .join('');
}

/** A stable ASCII code from a symbol: SGDĐT → sgddt, SNgV → sngv. */
export function agencyCode(symbol: string): string {
  return symbol.replace(/Đ/g, 'D').replace(/đ/g, 'd').normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase();
}

/** The place in a date line: the unit's own name (a person's name in full, as the data writes it). */
export function placeNameOf(unit: TerritorialEntry): string {
  // A numbered ward ("Phường 1") is not a place name on its own.
  return /^\d+$/.test(unit.name) ? unit.nameWithType : unit.name;
}

function findAgency(file: DataSetFile, name: string): AgencyEntry {
  return file.provincialAgencies.find((a) => (typeof a === 'string' ? a : a.name) === name)!;
}

function lowerFirst(text: string): string {
  return text.charAt(0).toLocaleLowerCase('vi') + text.slice(1);
}

function firstWordsBefore(withType: string, name: string): string {
  const at = withType.lastIndexOf(name);
  return at > 0 ? withType.slice(0, at).trim().toLocaleLowerCase('vi') : '';
}
