import { RegisterKind } from './register-closing.entity';

/** "SỔ ĐĂNG KÝ VĂN BẢN ĐI" / "SỔ ĐĂNG KÝ VĂN BẢN ĐẾN". */
export function registerTitle(kind: RegisterKind): string {
  return kind === 'outgoing' ? 'SỔ ĐĂNG KÝ VĂN BẢN ĐI' : 'SỔ ĐĂNG KÝ VĂN BẢN ĐẾN';
}
