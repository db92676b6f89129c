/** A data set file that is not shipped: a small province of two communes, in the shape of data/organizations/*.json. */
export function smallDataSet(id = 'tinh-thu-2026', communes = 2): Record<string, unknown> {
  return {
    id,
    title: 'Tỉnh Thử — bộ dữ liệu thử nghiệm',
    source: 'Tệp do quản trị viên tải lên (thử nghiệm).',
    province: { code: '99', name: 'Thử', nameWithType: 'Tỉnh Thử' },
    provincialAgencies: ['Sở Khoa học và Công nghệ', 'Sở Nội vụ'],
    standingAgency: 'Sở Khoa học và Công nghệ',
    communes: Array.from({ length: communes }, (_, i) => ({ code: `9900${i + 1}`, name: `Số ${i + 1}`, type: 'xã', nameWithType: `Xã Số ${i + 1}` })),
  };
}
