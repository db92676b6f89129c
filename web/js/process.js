// Draws the report's BPMN with bpmn-js (the prebuilt viewer from npm, under /vendor/bpmn-js) over the
// server-rendered page, outlining the active steps and marking the finished ones. Without it the page
// still lists the steps and the history.
const diagram = document.getElementById('diagram');

function load(tag, attributes) {
  return new Promise((resolve, reject) => {
    const node = Object.assign(document.createElement(tag), attributes);
    node.addEventListener('load', resolve);
    node.addEventListener('error', reject);
    document.head.append(node);
  });
}

async function draw() {
  const [response] = await Promise.all([
    fetch(`/api/reports/${encodeURIComponent(diagram.dataset.report)}/process`, { credentials: 'same-origin', headers: { accept: 'application/json' } }),
    load('link', { rel: 'stylesheet', href: '/vendor/bpmn-js/assets/diagram-js.css' }),
    load('link', { rel: 'stylesheet', href: '/vendor/bpmn-js/assets/bpmn-js.css' }),
    load('script', { src: '/vendor/bpmn-js/bpmn-navigated-viewer.production.min.js' }),
  ]);
  if (!response.ok) return;
  const view = await response.json();
  diagram.replaceChildren();
  const viewer = new window.BpmnJS({ container: diagram });
  await viewer.importXML(view.xml);
  const canvas = viewer.get('canvas');
  const registry = viewer.get('elementRegistry');
  canvas.zoom('fit-viewport');
  const ids = (name) => (diagram.dataset[name] || '').split(' ').filter((id) => id && registry.get(id));
  for (const id of ids('done')) canvas.addMarker(id, 'done');
  for (const id of ids('active')) canvas.addMarker(id, 'active');
  const current = ids('active').map((id) => registry.get(id).businessObject?.name || id);
  diagram.setAttribute('aria-label', current.length ? `Sơ đồ quy trình; đang ở bước: ${current.join(', ')}` : 'Sơ đồ quy trình; không còn bước nào đang thực hiện');
  diagram.dataset.drawn = 'true';
}

if (diagram) draw().catch(() => {});
