/**
 * An HTML form's fields, as Express parsed them (urlencoded; a JSON body works the same). Page
 * routes read them by name and hand them to the services, whose rules decide: the API's DTOs are
 * not duplicated here.
 */
export type FormBody = Record<string, unknown>;

/** A text field as typed (trimmed unless asked not to); an absent or non-text field is ''. */
export function formText(body: unknown, name: string, options: { trim?: boolean } = {}): string {
  const value = body && typeof body === 'object' ? (body as FormBody)[name] : undefined;
  if (typeof value !== 'string') return '';
  return options.trim === false ? value : value.trim();
}

/** Every value of a repeated field (checkboxes): a lone value Express parsed as a string counts too. */
export function formList(body: unknown, name: string): string[] {
  const value = body && typeof body === 'object' ? (body as FormBody)[name] : undefined;
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === 'string');
  return typeof value === 'string' ? [value] : [];
}
