// A report's process drawn by bpmn-js (the prebuilt viewer bundle from npm, served under
// /vendor/bpmn-js): the active elements highlighted, the finished ones marked, the history beside it.
import { api, ApiError, el, formatDateTime, param, runPage, signedIn } from './app.js';

const EVENTS = {
  started: 'bắt đầu',
  completed: 'hoàn thành',
  cancelled: 'hủy',
  assigned: 'giao việc',
  'instance-started': 'bắt đầu quy trình',
  'instance-completed': 'kết thúc quy trình',
  'instance-cancelled': 'hủy quy trình',
  'instance-terminated': 'chấm dứt quy trình',
};
const STATUS = { active: 'đang chạy', completed: 'đã kết thúc', cancelled: 'đã hủy', terminated: 'đã chấm dứt' };

runPage(async () => {
  await signedIn();
  const reportId = param('report');
  if (!/^\d+$/.test(reportId || '')) throw new ApiError(404, { error: { code: 'not-found' } });
  const view = await api('GET', `/api/reports/${reportId}/process`);
  const diagram = el('div', { id: 'diagram', role: 'img', 'aria-label': 'Sơ đồ quy trình; các bước đang thực hiện được tô màu cam' });
  const historyList = el('ol', { id: 'history' });
  document.getElementById('content').replaceChildren(
    el('p', {}, `Quy trình ${view.bpmnProcessId} (phiên bản ${view.version}), ${STATUS[view.status] || view.status}. `, el('a', { href: `/report?id=${reportId}` }, 'Về báo cáo')),
    el('p', { class: 'legend' }, el('span', {}, 'Viền cam: bước đang thực hiện'), el('span', {}, 'Viền xanh: bước đã xong')),
    el('div', { class: 'process' }, diagram, el('section', { 'aria-labelledby': 'history-title' }, el('h2', { id: 'history-title' }, 'Diễn biến'), historyList)),
  );

  const viewer = new window.BpmnJS({ container: diagram });
  await viewer.importXML(view.xml);
  const canvas = viewer.get('canvas');
  const registry = viewer.get('elementRegistry');
  canvas.zoom('fit-viewport');
  const done = new Set(view.history.filter((h) => h.event === 'completed').map((h) => h.elementId));
  for (const id of done) if (registry.get(id) && !view.activeElementIds.includes(id)) canvas.addMarker(id, 'done');
  for (const id of view.activeElementIds) if (registry.get(id)) canvas.addMarker(id, 'active');
  diagram.dataset.active = view.activeElementIds.join(' ');

  const nameOf = (id) => registry.get(id)?.businessObject?.name || id;
  const current = view.activeElementIds.map(nameOf);
  diagram.setAttribute('aria-label', current.length ? `Sơ đồ quy trình; đang ở bước: ${current.join(', ')}` : 'Sơ đồ quy trình; không còn bước nào đang thực hiện');
  historyList.replaceChildren(
    ...view.history
      // The steps people and workers take, and the instance's start and end; gateways and events are on the diagram.
      .filter((h) => h.elementType.endsWith('Task') || h.event.startsWith('instance-'))
      .map((h) => el('li', {}, el('time', { datetime: h.at }, formatDateTime(h.at)), ` – ${nameOf(h.elementId)}: ${EVENTS[h.event] || h.event}`, h.actor ? ` (${h.actor})` : '')),
  );
});
