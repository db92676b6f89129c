/** What a person may do in a unit. A person can hold several roles, each in one unit. */
export enum Role {
  /** Chuyên viên: the unit's ISO focal point; drafts and fixes the unit's report. */
  Staff = 'staff',
  /** Trưởng phòng: optional review before the head. */
  DivisionHead = 'division-head',
  /** Thủ trưởng (Giám đốc Sở, Chủ tịch UBND): approves and signs for himself. */
  Head = 'head',
  /** Cấp phó: signs on the head's behalf ("KT."). */
  Deputy = 'deputy',
  /** Văn thư: numbers, registers, sends and receives documents. */
  Clerk = 'clerk',
  /** Staff of a unit that has units reporting to it: follows and consolidates them. */
  Consolidator = 'consolidator',
  /** Opens cycles, maintains units and people. */
  Administrator = 'administrator',
}

export const ALL_ROLES: readonly Role[] = Object.values(Role);
