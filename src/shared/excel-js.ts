/**
 * ExcelJS, loaded on first use: requiring it costs ~260 ms, paid otherwise by every process at start
 * (serve, each CLI command, the tests' children) for the few requests that read or write a workbook.
 */
export async function excelJs(): Promise<typeof import('exceljs')> {
  return (await import('exceljs')).default;
}
