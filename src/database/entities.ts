/**
 * Every TypeORM entity of the application. The schema itself comes from `migrations/`;
 * this list only tells TypeORM how rows map to classes.
 */
export const ALL_ENTITIES: Function[] = [];
