import { QueryBuilder } from 'typeorm';

/** The most statements kept per driver before the memo starts over (a query with values in its text makes a new one each time). */
const KEPT_PER_DRIVER = 5000;

let installed = false;
let enabled = true;

/** Test-only: with `false`, every query takes TypeORM's own path again (to compare the two). */
export function memoizePropertyNames(on: boolean): void {
  enabled = on;
}

/**
 * TypeORM rewrites every statement it builds from property names to column names at the end
 * (`replacePropertyNamesForTheWholeQuery`): it builds a table of every column, relation and join
 * column of every alias, escapes them into one regular expression, compiles it and runs it over the
 * SQL. On the 110-unit cycle that was ~350 ms of the application's thread, for ~30,000 statements of
 * a few hundred shapes. The result depends only on the statement, the aliases (name and entity),
 * whether names are prefixed with their alias, whether escaping is on, and the driver; so it is kept
 * per driver under exactly those, and each shape is rewritten once.
 */
export function installPropertyNameMemo(): void {
  if (installed) return;
  installed = true;
  const prototype = QueryBuilder.prototype as unknown as { replacePropertyNamesForTheWholeQuery(this: MemoizedBuilder, statement: string): string };
  const rewrite = prototype.replacePropertyNamesForTheWholeQuery;
  const byDriver = new WeakMap<object, Map<string, string>>();
  const entityIds = new WeakMap<object, number>();
  let nextEntityId = 0;
  const entityId = (metadata: object) => {
    let id = entityIds.get(metadata);
    if (id === undefined) entityIds.set(metadata, (id = nextEntityId++));
    return id;
  };

  prototype.replacePropertyNamesForTheWholeQuery = function memoizedPropertyNames(this: MemoizedBuilder, statement: string): string {
    if (!enabled) return rewrite.call(this, statement);
    const { aliases, aliasNamePrefixingEnabled, disableEscaping } = this.expressionMap;
    let key = `${aliasNamePrefixingEnabled ? 1 : 0}${disableEscaping ? 1 : 0}`;
    for (const alias of aliases) if (alias.hasMetadata) key += `\u0000${alias.name}\u0000${entityId(alias.metadata)}`;
    key += `\u0001${statement}`;
    let memo = byDriver.get(this.connection.driver);
    if (!memo) byDriver.set(this.connection.driver, (memo = new Map()));
    let rewritten = memo.get(key);
    if (rewritten === undefined) {
      rewritten = rewrite.call(this, statement);
      if (memo.size >= KEPT_PER_DRIVER) memo.clear();
      memo.set(key, rewritten);
    }
    return rewritten;
  };
}

interface MemoizedBuilder {
  connection: { driver: object };
  expressionMap: {
    aliases: { name: string; hasMetadata: boolean; metadata: object }[];
    aliasNamePrefixingEnabled: boolean;
    disableEscaping: boolean;
  };
}
