import { Controller, Get, Query, Req, Res, UseFilters } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { Actor, CurrentActor } from '../../access/actor';
import { Policy, unitFrom } from '../../access/policy';
import { parseId } from '../../http/ids';
import { Role } from '../../organization/roles';
import { ReportQueries } from '../../reports/report-queries';
import { PageErrorFilter } from '../page-error.filter';
import { PageShells } from '../page-shell';
import { PageRenderer } from '../views/page-renderer';
import { formatDateTime } from '../views/view-formats';
import { QueryReportUnitResolver } from './page-unit-resolvers';

const EVENTS: Record<string, string> = {
  started: 'bắt đầu',
  completed: 'hoàn thành',
  cancelled: 'hủy',
  assigned: 'giao việc',
  'instance-started': 'bắt đầu quy trình',
  'instance-completed': 'kết thúc quy trình',
  'instance-cancelled': 'hủy quy trình',
  'instance-terminated': 'chấm dứt quy trình',
};
const STATUS: Record<string, string> = { active: 'đang chạy', completed: 'đã kết thúc', cancelled: 'đã hủy', terminated: 'đã chấm dứt' };
const XML_ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/** Every named element of a BPMN file: id → name (the names the diagram shows). */
export function bpmnElementNames(xml: string): Map<string, string> {
  const names = new Map<string, string>();
  for (const [, attributes] of xml.matchAll(/<(?:[\w-]+:)?\w+\s([^>]*)>/g)) {
    const id = /\bid="([^"]*)"/.exec(attributes)?.[1];
    const name = /\bname="([^"]*)"/.exec(attributes)?.[1];
    if (id && name) names.set(id, decodeXml(name).replace(/\s+/g, ' ').trim());
  }
  return names;
}

function decodeXml(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|\w+);/gi, (whole, code: string) => {
    if (code.startsWith('#x') || code.startsWith('#X')) return String.fromCodePoint(parseInt(code.slice(2), 16));
    if (code.startsWith('#')) return String.fromCodePoint(Number(code.slice(1)));
    return XML_ENTITIES[code] ?? whole;
  });
}

/**
 * A report's process (`/process?report=N`): the history and the active and finished steps, rendered
 * here; `web/js/process.js` draws the BPMN with bpmn-js over it when scripts run.
 */
@ApiExcludeController()
@Controller()
@UseFilters(PageErrorFilter)
export class ProcessPage {
  constructor(
    private readonly queries: ReportQueries,
    private readonly shells: PageShells,
    private readonly pages: PageRenderer,
  ) {}

  @Get('process')
  @Policy({ roles: [Role.Staff, Role.DivisionHead, Role.Head, Role.Deputy, Role.Clerk, Role.Consolidator], scope: 'consolidated-units', unit: unitFrom.resolver(QueryReportUnitResolver) })
  async process(@Query('report') report: unknown, @CurrentActor() actor: Actor, @Req() request: Request, @Res() response: Response): Promise<void> {
    const reportId = parseId(report, 'report');
    const view = await this.queries.process(reportId);
    const names = bpmnElementNames(view.xml);
    const nameOf = (id: string) => names.get(id) ?? id;
    const active = new Set(view.activeElementIds);
    const finished = [...new Set(view.history.filter((h) => h.event === 'completed' && !active.has(h.elementId)).map((h) => h.elementId))];
    const history = view.history
      // The steps people and workers take, and the instance's start and end; gateways and events are on the diagram.
      .filter((h) => h.elementType.endsWith('Task') || h.event.startsWith('instance-'))
      .map((h) => ({ at: new Date(h.at).toISOString(), when: formatDateTime(h.at), step: nameOf(h.elementId), event: EVENTS[h.event] ?? h.event, actor: h.actor }));
    this.pages.send(response, 'process', this.shells.forActor(request, actor, 'Quy trình xử lý', { script: 'process.js' }), {
      reportId,
      intro: `Quy trình ${view.bpmnProcessId} (phiên bản ${view.version}), ${STATUS[view.status] ?? view.status}.`,
      active: view.activeElementIds.map((id) => ({ id, name: nameOf(id) })),
      finished: finished.map((id) => ({ id, name: nameOf(id) })),
      activeIds: view.activeElementIds.join(' '),
      finishedIds: finished.join(' '),
      history,
    });
  }
}
