import { announce, api, ApiError, param } from './app.js';

const form = document.getElementById('login-form');
form.addEventListener('submit', async (event) => {
  event.preventDefault();
  const login = form.elements.login.value.trim();
  const password = form.elements.password.value;
  if (!login || !password) {
    announce('Hãy nhập tên đăng nhập và mật khẩu.', 'error');
    (login ? form.elements.password : form.elements.login).focus();
    return;
  }
  const button = form.querySelector('button[type="submit"]');
  button.disabled = true;
  try {
    await api('POST', '/api/auth/login', { login, password });
    const next = param('next');
    // Only a path of this site: never an open redirect.
    location.assign(next && next.startsWith('/') && !next.startsWith('//') ? next : '/inbox');
  } catch (error) {
    announce(error instanceof ApiError ? error.message : 'Không kết nối được máy chủ.', 'error');
    form.elements.password.value = '';
    form.elements.password.focus();
    button.disabled = false;
  }
});
document.getElementById('login').focus();
