/** bpmn-moddle 9 ships no type declarations; the engine only calls `new BpmnModdle(extensions).fromXML(xml)`. */
declare module 'bpmn-moddle';
