import { createHash } from 'node:crypto';
import { Role } from '../roles';
import { DerivedUnit } from './derivation-rules';

/**
 * Demo people, generated for every unit by a fixed rule so that every role can be tried:
 * login `<role>.<unit code>@<data set>` (e.g. `staff.21172@quang-ngai-2025`, `head.skhcn@quang-ngai-2025`),
 * one person per role and unit, password DEMO_PASSWORD, e-mail address `<login>.invalid`
 * (`staff.21172@quang-ngai-2025.invalid`: `.invalid` is reserved by RFC 2606 and never resolves, so a
 * demo database pointed at a real mail relay can reach no real mailbox). Names are Vietnamese names picked
 * deterministically from the login, so documents look real and stay the same across imports.
 */
export const DEMO_PASSWORD = 'iso-cycle-demo';

export interface DemoPerson {
  login: string;
  fullName: string;
  email: string;
  unitCode: string;
  role: Role;
  title: string | null;
  /** Symbol of the division a division head leads. */
  divisionSymbol: string | null;
}

const FAMILY = ['Nguyễn', 'Trần', 'Lê', 'Phạm', 'Hoàng', 'Huỳnh', 'Phan', 'Võ', 'Đặng', 'Bùi', 'Đỗ', 'Hồ', 'Ngô', 'Dương', 'Lý'];
const MIDDLE = ['Văn', 'Thị', 'Minh', 'Thanh', 'Quốc', 'Ngọc', 'Hữu', 'Đức', 'Thu', 'Phước', 'Xuân', 'Bích'];
const GIVEN = ['An', 'Bình', 'Cường', 'Dũng', 'Hà', 'Hải', 'Hiền', 'Hoa', 'Hùng', 'Lan', 'Long', 'Mai', 'Nam', 'Phương', 'Quân', 'Sơn', 'Tâm', 'Thảo', 'Trung', 'Vy', 'Khánh', 'Nhung', 'Tuấn', 'Yến'];

export function demoLogin(role: Role, unitCode: string, dataSetId: string): string {
  return `${role}.${unitCode}@${dataSetId}`;
}

/** A demo person's address, under the reserved top-level domain `.invalid` (RFC 2606). */
export function demoEmail(login: string): string {
  return `${login}.invalid`;
}

export function demoName(login: string): string {
  const hash = createHash('sha256').update(login).digest();
  return `${FAMILY[hash[0] % FAMILY.length]} ${MIDDLE[hash[1] % MIDDLE.length]} ${GIVEN[hash[2] % GIVEN.length]}`;
}

/**
 * Roles per unit: staff, division head (of the unit's first division), head, deputy and clerk
 * everywhere; a consolidator where units report to this one (the province receives, it does not
 * consolidate); the administrator at the standing agency.
 */
export function demoPeople(dataSetId: string, units: DerivedUnit[]): DemoPerson[] {
  const consolidating = new Set(units.filter((u) => u.reportsToCode !== null).map((u) => u.reportsToCode));
  const people: DemoPerson[] = [];
  for (const unit of units) {
    const roles: Role[] = [Role.Staff, Role.DivisionHead, Role.Head, Role.Deputy, Role.Clerk];
    if (unit.reportsToCode !== null && consolidating.has(unit.code)) roles.push(Role.Consolidator);
    if (unit.isStandingAgency) roles.push(Role.Administrator);
    for (const role of roles) {
      const login = demoLogin(role, unit.code, dataSetId);
      people.push({
        login,
        fullName: demoName(login),
        email: demoEmail(login),
        unitCode: unit.code,
        role,
        title: role === Role.Head ? unit.headTitle : role === Role.Deputy ? unit.deputyTitle : null,
        divisionSymbol: role === Role.DivisionHead ? unit.divisions[0]?.symbol ?? null : null,
      });
    }
  }
  return people;
}
