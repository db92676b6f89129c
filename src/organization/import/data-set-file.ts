/**
 * The shape of an organisation data file (data/organizations/*.json) and its validation.
 * Two shapes exist: two-level (`communes` report straight to the standing agency) and three-level
 * (`districts`, each with its `communes`). Every error names the offending entry.
 */
export interface TerritorialEntry {
  code: string;
  name: string;
  type: string;
  nameWithType: string;
}

export interface DistrictEntry extends TerritorialEntry {
  communes: TerritorialEntry[];
}

/** An agency is a name, or an object that also gives its symbol and code. */
export type AgencyEntry = string | { name: string; symbol?: string; code?: string };

export interface DataSetFile {
  id: string;
  title: string;
  source: string;
  province: { code: string; name: string; nameWithType: string };
  provincialAgencies: AgencyEntry[];
  standingAgency: string;
  communes?: TerritorialEntry[];
  districts?: DistrictEntry[];
}

/** A data file that cannot be imported; `entry` says where (e.g. `districts[3].communes[5] (code "21100")`). */
export class DataSetFileError extends Error {
  constructor(
    readonly entry: string,
    readonly problem: string,
    readonly file?: string,
  ) {
    super(`${file ? `${file}: ` : ''}${entry}: ${problem}`);
    this.name = 'DataSetFileError';
  }
}

const DATA_SET_ID = /^[a-z0-9][a-z0-9-]{1,62}$/;
const UNIT_CODE = /^[0-9A-Za-z]{1,32}$/;

export function parseDataSetFile(text: string, file?: string): DataSetFile {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new DataSetFileError('(file)', `not valid JSON: ${(error as Error).message}`, file);
  }
  const fail = (entry: string, problem: string): never => {
    throw new DataSetFileError(entry, problem, file);
  };
  if (!isObject(raw)) fail('(file)', 'expected a JSON object');
  const data = raw as Record<string, unknown>;

  const id = requireString(data, 'id', '(file)', fail);
  if (!DATA_SET_ID.test(id)) fail('id', `"${id}" is not a data set id (lower-case letters, digits and dashes)`);
  requireString(data, 'title', '(file)', fail);
  requireString(data, 'source', '(file)', fail);

  if (!isObject(data.province)) fail('province', 'missing or not an object');
  const province = data.province as Record<string, unknown>;
  for (const key of ['code', 'name', 'nameWithType']) requireString(province, key, 'province', fail);
  if (!UNIT_CODE.test(province.code as string)) fail('province', `code "${province.code}" is not a unit code`);

  if (!Array.isArray(data.provincialAgencies) || data.provincialAgencies.length === 0) fail('provincialAgencies', 'missing or empty');
  const agencyNames = (data.provincialAgencies as unknown[]).map((agency, i) => {
    const entry = `provincialAgencies[${i}]`;
    if (typeof agency === 'string') {
      if (agency.trim() === '') fail(entry, 'empty name');
      return agency;
    }
    if (!isObject(agency)) fail(entry, 'expected a name or an object with "name"');
    return requireString(agency as Record<string, unknown>, 'name', entry, fail);
  });
  const duplicate = agencyNames.find((name, i) => agencyNames.indexOf(name) !== i);
  if (duplicate) fail(`provincialAgencies[${agencyNames.lastIndexOf(duplicate)}]`, `"${duplicate}" is listed twice`);

  const standing = requireString(data, 'standingAgency', '(file)', fail);
  if (!agencyNames.includes(standing)) fail('standingAgency', `"${standing}" is not one of provincialAgencies`);

  const hasCommunes = data.communes !== undefined;
  const hasDistricts = data.districts !== undefined;
  if (hasCommunes === hasDistricts) fail('(file)', 'expected exactly one of "communes" (two-level) or "districts" (three-level)');

  const seenCodes = new Map<string, string>([[province.code as string, 'province']]);
  const checkTerritorial = (value: unknown, entry: string): TerritorialEntry => {
    if (!isObject(value)) fail(entry, 'expected an object');
    const unit = value as Record<string, unknown>;
    const code = requireString(unit, 'code', entry, fail);
    const named = `${entry} (code "${code}")`;
    if (!UNIT_CODE.test(code)) fail(named, `code "${code}" is not a unit code`);
    for (const key of ['name', 'type', 'nameWithType']) requireString(unit, key, named, fail);
    const previous = seenCodes.get(code);
    if (previous) fail(named, `code "${code}" is already used by ${previous}`);
    seenCodes.set(code, entry);
    return unit as unknown as TerritorialEntry;
  };
  const checkList = (value: unknown, entry: string): TerritorialEntry[] => {
    if (!Array.isArray(value)) fail(entry, 'expected a list');
    return (value as unknown[]).map((item, i) => checkTerritorial(item, `${entry}[${i}]`));
  };

  if (hasCommunes) checkList(data.communes, 'communes');
  if (hasDistricts) {
    if (!Array.isArray(data.districts)) fail('districts', 'expected a list');
    (data.districts as unknown[]).forEach((district, i) => {
      const entry = `districts[${i}]`;
      checkTerritorial(district, entry);
      checkList((district as Record<string, unknown>).communes ?? [], `${entry}.communes`);
    });
  }
  return data as unknown as DataSetFile;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function requireString(obj: Record<string, unknown>, key: string, entry: string, fail: (entry: string, problem: string) => never): string {
  const value = obj[key];
  if (typeof value !== 'string' || value.trim() === '') fail(entry, `"${key}" is missing or empty`);
  return value as string;
}
