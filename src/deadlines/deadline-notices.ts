import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { AppConfig } from '../config/app-config';
import { CycleEntity } from '../cycles/cycle.entity';
import { Notifier } from '../notifications/notifier';
import { Role } from '../organization/roles';
import { UnitEntity } from '../organization/unit.entity';
import { ReportEntity } from '../reports/report.entity';
import { civilDateOf, officialShortDate } from '../shared/civil-date';
import { DeadlineAlarmKind } from './deadline-alarm.entity';

/**
 * Who hears of a deadline alarm, and what they read: staff are reminded; at the deadline the unit's
 * head and deputies learn the report is late; at the escalation the consolidating unit's consolidators
 * and head are told which unit is late. Returns how many people were notified.
 */
@Injectable()
export class DeadlineNotices {
  constructor(
    private readonly notifier: Notifier,
    private readonly config: AppConfig,
  ) {}

  async notify(manager: EntityManager, report: ReportEntity, kind: DeadlineAlarmKind, dueAt: Date, deadline: Date): Promise<number> {
    const unit = await manager.findOneByOrFail(UnitEntity, { id: report.unitId });
    const cycle = await manager.findOneByOrFail(CycleEntity, { id: report.cycleId });
    const day = officialShortDate(civilDateOf(deadline, this.config.civilTimeZone));
    const common = { cycleId: cycle.id, link: `/reports/${report.id}`, dedupeKey: `deadline.${kind}:report:${report.id}:${dueAt.toISOString()}` };
    switch (kind) {
      case 'reminder':
        return this.notifier.notify(
          {
            ...common,
            kind: 'deadline.reminder',
            unitId: unit.id,
            recipients: { unitRoles: [{ unitId: unit.id, roles: [Role.Staff] }] },
            title: `Nhắc hạn báo cáo ISO năm ${cycle.year}: hạn chót ngày ${day}`,
            body: `Báo cáo kết quả duy trì, cải tiến HTQLCL năm ${cycle.year} của ${unit.officialName} phải được gửi chậm nhất ngày ${day}. Đề nghị hoàn thành và trình lãnh đạo phê duyệt.`,
          },
          manager,
        );
      case 'deadline':
        return this.notifier.notify(
          {
            ...common,
            kind: 'deadline.late',
            unitId: unit.id,
            recipients: { unitRoles: [{ unitId: unit.id, roles: [Role.Head, Role.Deputy, Role.Staff] }] },
            title: `Báo cáo ISO năm ${cycle.year} của ${unit.officialName} đã trễ hạn`,
            body: `Đã hết hạn ngày ${day} nhưng ${unit.officialName} chưa gửi báo cáo kết quả duy trì, cải tiến HTQLCL năm ${cycle.year}. Đề nghị lãnh đạo đơn vị chỉ đạo hoàn thành ngay.`,
          },
          manager,
        );
      case 'escalation':
        if (unit.reportsToId === null) return 0;
        return this.notifier.notify(
          {
            ...common,
            kind: 'deadline.escalation',
            unitId: unit.reportsToId,
            recipients: { unitRoles: [{ unitId: unit.reportsToId, roles: [Role.Consolidator, Role.Head] }] },
            title: `${unit.officialName} chưa gửi báo cáo ISO năm ${cycle.year}`,
            body: `${unit.officialName} chưa gửi báo cáo kết quả duy trì, cải tiến HTQLCL năm ${cycle.year} dù đã quá hạn ngày ${day}. Có thể ban hành công văn đôn đốc từ trang tổng hợp.`,
          },
          manager,
        );
    }
  }
}
