#!/usr/bin/env python3
"""Writes a BPMN file with its diagram (DI) from a compact spec, so processes stay readable in bpmn-js.

Usage: python3 scripts/bpmn/layout.py scripts/bpmn/<name>.json processes/<name>.bpmn
The spec lists the process, its nodes on a grid (col, row) with their inner XML, flows and messages.
A flow back to an earlier column runs under both rows, or over them with "over"; "lane" spaces such flows apart.
"""
import json, sys
from xml.sax.saxutils import escape

SIZES = {'task': (100, 80), 'gateway': (50, 50), 'event': (36, 36)}
KIND = {'startEvent': 'event', 'endEvent': 'event', 'intermediateCatchEvent': 'event', 'boundaryEvent': 'event',
        'userTask': 'task', 'serviceTask': 'task', 'sendTask': 'task', 'receiveTask': 'task',
        'exclusiveGateway': 'gateway', 'parallelGateway': 'gateway', 'eventBasedGateway': 'gateway'}
COL, ROW, X0, Y0 = 150, 130, 160, 100

def box(node):
    w, h = SIZES[KIND[node['type']]]
    cx, cy = X0 + node['col'] * COL, Y0 + node['row'] * ROW
    return cx - w // 2, cy - h // 2, w, h

def main(spec_path, out_path):
    spec = json.load(open(spec_path, encoding='utf-8'))
    nodes = {n['id']: n for n in spec['nodes']}
    incoming = {n: [] for n in nodes}; outgoing = {n: [] for n in nodes}
    for f in spec['flows']:
        outgoing[f['from']].append(f['id']); incoming[f['to']].append(f['id'])
    p = spec['process']
    out = ['<?xml version="1.0" encoding="UTF-8"?>',
           '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" xmlns:dc="http://www.omg.org/spec/DD/20100524/DC" xmlns:di="http://www.omg.org/spec/DD/20100524/DI" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" xmlns:modeler="http://camunda.org/schema/modeler/1.0" id="Definitions_%s" targetNamespace="http://iso-cycle/processes" exporter="iso-cycle scripts/bpmn/layout.py" exporterVersion="1" modeler:executionPlatform="Camunda Cloud" modeler:executionPlatformVersion="8.8.0">' % p['id'],
           '  <bpmn:process id="%s" name="%s" isExecutable="true">' % (p['id'], escape(p['name'])),
           '    <bpmn:documentation>%s</bpmn:documentation>' % escape(p['documentation'])]
    for n in spec['nodes']:
        attrs = ' id="%s"' % n['id']
        if n.get('name'): attrs += ' name="%s"' % escape(n['name'])
        if n.get('default'): attrs += ' default="%s"' % n['default']
        out.append('    <bpmn:%s%s>' % (n['type'], attrs))
        if n.get('documentation'): out.append('      <bpmn:documentation>%s</bpmn:documentation>' % escape(n['documentation']))
        if n.get('extensions'): out.append('      <bpmn:extensionElements>%s</bpmn:extensionElements>' % n['extensions'])
        for f in incoming[n['id']]: out.append('      <bpmn:incoming>%s</bpmn:incoming>' % f)
        for f in outgoing[n['id']]: out.append('      <bpmn:outgoing>%s</bpmn:outgoing>' % f)
        if n.get('inner'): out.append('      %s' % n['inner'])
        out.append('    </bpmn:%s>' % n['type'])
    for f in spec['flows']:
        attrs = ' id="%s"' % f['id']
        if f.get('name'): attrs += ' name="%s"' % escape(f['name'])
        attrs += ' sourceRef="%s" targetRef="%s"' % (f['from'], f['to'])
        if f.get('condition'):
            out.append('    <bpmn:sequenceFlow%s>' % attrs)
            out.append('      <bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">%s</bpmn:conditionExpression>' % escape(f['condition']))
            out.append('    </bpmn:sequenceFlow>')
        else:
            out.append('    <bpmn:sequenceFlow%s />' % attrs)
    out.append('  </bpmn:process>')
    for m in spec.get('messages', []):
        out.append('  <bpmn:message id="%s" name="%s">' % (m['id'], m['name']))
        out.append('    <bpmn:extensionElements><zeebe:subscription correlationKey="%s" /></bpmn:extensionElements>' % escape(m['correlationKey']))
        out.append('  </bpmn:message>')
    out.append('  <bpmndi:BPMNDiagram id="Diagram_%s">' % p['id'])
    out.append('    <bpmndi:BPMNPlane id="Plane_%s" bpmnElement="%s">' % (p['id'], p['id']))
    for n in spec['nodes']:
        x, y, w, h = box(n)
        marker = ' isMarkerVisible="true"' if n['type'] == 'exclusiveGateway' else ''
        out.append('      <bpmndi:BPMNShape id="%s_di" bpmnElement="%s"%s>' % (n['id'], n['id'], marker))
        out.append('        <dc:Bounds x="%d" y="%d" width="%d" height="%d" />' % (x, y, w, h))
        if KIND[n['type']] != 'task' and n.get('name'):
            out.append('        <bpmndi:BPMNLabel><dc:Bounds x="%d" y="%d" width="%d" height="27" /></bpmndi:BPMNLabel>' % (x + w // 2 - 50, y + h + 5, 100))
        out.append('      </bpmndi:BPMNShape>')
    for f in spec['flows']:
        s, t = nodes[f['from']], nodes[f['to']]
        sx, sy, sw, sh = box(s); tx, ty, tw, th = box(t)
        scx, scy, tcx, tcy = sx + sw // 2, sy + sh // 2, tx + tw // 2, ty + th // 2
        if t['col'] > s['col'] and t['row'] == s['row']:
            pts = [(sx + sw, scy), (tx, tcy)]
        elif t['col'] > s['col']:
            # leave from the top or bottom, then run right into the target
            pts = [(scx, sy + sh if tcy > scy else sy), (scx, tcy), (tx, tcy)]
        elif t['col'] == s['col']:
            pts = [(scx, sy + sh if tcy > scy else sy), (tcx, ty if tcy > scy else ty + th)]
        elif f.get('over'):
            # a loop back over the top: up above both rows, left, down into the target
            high = min(sy, ty) - 30 - 10 * f.get('lane', 0)
            pts = [(scx, sy), (scx, high), (tcx, high), (tcx, ty)]
        else:
            # a loop back: down under both rows, left, up into the target
            low = max(sy + sh, ty + th) + 30 + 10 * f.get('lane', 0)
            pts = [(scx, sy + sh), (scx, low), (tcx, low), (tcx, ty + th)]
        out.append('      <bpmndi:BPMNEdge id="%s_di" bpmnElement="%s">' % (f['id'], f['id']))
        for x, y in pts: out.append('        <di:waypoint x="%d" y="%d" />' % (x, y))
        out.append('      </bpmndi:BPMNEdge>')
    out.append('    </bpmndi:BPMNPlane>')
    out.append('  </bpmndi:BPMNDiagram>')
    out.append('</bpmn:definitions>')
    open(out_path, 'w', encoding='utf-8').write('\n'.join(out) + '\n')

if __name__ == '__main__':
    main(sys.argv[1], sys.argv[2])
