import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/**
 * An administrative unit that reports (or receives reports) in a data set. Keyed by (data set, code):
 * codes repeat across data sets with other meanings. Behaviour never depends on the level's name,
 * only on the reporting relation (`reportsToId`).
 */
@Entity('units')
@Index(['dataSetId', 'code'], { unique: true })
export class UnitEntity {
  @PrimaryGeneratedColumn()
  id!: number;

  @Column({ name: 'data_set_id', type: 'varchar', length: 64 })
  dataSetId!: string;

  /** Statistics code for territorial units (21172), a derived code for agencies (skhcn). */
  @Column({ type: 'varchar', length: 32 })
  code!: string;

  /** Level key as the data set defines it (province, provincial-agency, district, commune). */
  @Column({ type: 'varchar', length: 32 })
  level!: string;

  /** Type word as the data gives it: tỉnh, sở, huyện, thị xã, xã, phường, đặc khu… */
  @Column({ type: 'varchar', length: 32 })
  type!: string;

  @Column({ type: 'varchar', length: 200 })
  name!: string;

  @Column({ name: 'name_with_type', type: 'varchar', length: 200 })
  nameWithType!: string;

  /** The body that issues documents: "Sở Khoa học và Công nghệ", "Ủy ban nhân dân xã Tịnh Khê". */
  @Column({ name: 'official_name', type: 'varchar', length: 250 })
  officialName!: string;

  /** Header line above the issuing unit, where it has one ("Ủy ban nhân dân tỉnh Quảng Ngãi"). */
  @Column({ name: 'parent_body', type: 'varchar', length: 250, nullable: true })
  parentBody!: string | null;

  /** Abbreviation in document numbers: SKHCN, UBND. */
  @Column({ type: 'varchar', length: 32 })
  symbol!: string;

  /** Place in the date line: "Quảng Ngãi", "Tịnh Khê". */
  @Column({ name: 'place_name', type: 'varchar', length: 200 })
  placeName!: string;

  /** Default titles for signer blocks ("GIÁM ĐỐC" / "PHÓ GIÁM ĐỐC", "CHỦ TỊCH" / "PHÓ CHỦ TỊCH"). */
  @Column({ name: 'head_title', type: 'varchar', length: 100 })
  headTitle!: string;

  @Column({ name: 'deputy_title', type: 'varchar', length: 100 })
  deputyTitle!: string;

  /** A collective body (People's Committee) signs decisions "TM. ỦY BAN NHÂN DÂN". */
  @Column({ name: 'collective_body', type: 'varchar', length: 100, nullable: true })
  collectiveBody!: string | null;

  /** The standing agency (Sở KH&CN): consolidates everything for the province. */
  @Column({ name: 'is_standing_agency', type: 'boolean', default: false })
  isStandingAgency!: boolean;

  /** The unit this one reports to (its consolidating unit); null for the province itself. */
  @Column({ name: 'reports_to_id', type: 'integer', nullable: true })
  reportsToId!: number | null;

  /** The administrative parent (commune → district or province). */
  @Column({ name: 'parent_id', type: 'integer', nullable: true })
  parentId!: number | null;

  /** The unit wants its division head to review its report before the head (set by an administrator). */
  @Column({ name: 'division_review', type: 'boolean', default: false })
  divisionReview!: boolean;

  /** Order of the data file, for stable listings. */
  @Column({ name: 'sort_order', type: 'integer' })
  sortOrder!: number;
}
