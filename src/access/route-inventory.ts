import { RequestMethod } from '@nestjs/common';
import { PATH_METADATA, METHOD_METADATA } from '@nestjs/common/constants';
import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import { INestApplicationContext } from '@nestjs/common';
import { POLICY_KEY, RoutePolicy } from './policy';

/** One HTTP route of the application with the policy it declares (undefined: none, so refused). */
export interface RouteEntry {
  method: string;
  /** Express-style path: `/api/units/:unitId/audit-events`. */
  path: string;
  controller: string;
  handler: string;
  policy: RoutePolicy | undefined;
}

/**
 * Every route that the controllers of the running application register, found through Nest's
 * DiscoveryService (the application must import DiscoveryModule, as AccessModule does): what the
 * policy tests enumerate, so that they grow with the API.
 */
export function listRoutes(app: INestApplicationContext): RouteEntry[] {
  const discovery = app.get(DiscoveryService);
  const scanner = app.get(MetadataScanner);
  const reflector = app.get(Reflector);
  const routes: RouteEntry[] = [];
  for (const wrapper of discovery.getControllers()) {
    const type = wrapper.metatype as (new (...args: never[]) => object) | null;
    if (!type || !wrapper.instance) continue;
    const prefixes = asArray(Reflect.getMetadata(PATH_METADATA, type) as string | string[] | undefined);
    const prototype = Object.getPrototypeOf(wrapper.instance) as object;
    for (const name of scanner.getAllMethodNames(prototype)) {
      const handler = (prototype as Record<string, Function>)[name];
      const method = Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod | undefined;
      if (method === undefined) continue;
      const paths = asArray(Reflect.getMetadata(PATH_METADATA, handler) as string | string[] | undefined);
      const policy = reflector.getAllAndOverride<RoutePolicy | undefined>(POLICY_KEY, [handler, type]);
      for (const prefix of prefixes) {
        for (const path of paths) {
          routes.push({ method: RequestMethod[method], path: joinPath(prefix, path), controller: type.name, handler: name, policy });
        }
      }
    }
  }
  return routes.sort((a, b) => `${a.path} ${a.method}`.localeCompare(`${b.path} ${b.method}`));
}

function asArray(value: string | string[] | undefined): string[] {
  if (value === undefined) return [''];
  return Array.isArray(value) ? value : [value];
}

function joinPath(prefix: string, path: string): string {
  const joined = [prefix, path].map((p) => p.replace(/^\/+|\/+$/g, '')).filter((p) => p !== '').join('/');
  return `/${joined}`;
}
