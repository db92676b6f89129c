import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { CONFIG_VARIABLES, loadAppConfig } from '../../src/config/load-app-config';
import { projectRoot } from '../../src/shared/project-root';

// No Docker engine runs here: the compose file is checked by parsing it against the configuration schema.
describe('docker-compose.yml', () => {
  const compose = parse(readFileSync(join(projectRoot(), 'docker-compose.yml'), 'utf8'));
  const app = compose.services.app;

  it('runs the application against MySQL, after MySQL is healthy, with the data on volumes', () => {
    expect(Object.keys(compose.services).sort()).toEqual(['app', 'mysql']);
    expect(app.depends_on.mysql.condition).toBe('service_healthy');
    expect(compose.services.mysql.healthcheck.test).toBeDefined();
    expect(app.healthcheck.test.join(' ')).toContain('/health');
    expect(app.ports).toEqual([`${app.environment.PORT}:${app.environment.PORT}`]);
    for (const mount of [...app.volumes, ...compose.services.mysql.volumes]) expect(Object.keys(compose.volumes)).toContain(mount.split(':')[0]);
  });

  it('sets only variables the application knows, with values its configuration accepts', () => {
    for (const name of Object.keys(app.environment)) expect(CONFIG_VARIABLES).toContain(name);
    const config = loadAppConfig({ ...app.environment, CHROMIUM_PATH: undefined }, '/app');
    expect(config.database.kind).toBe('mysql');
    const mysql = compose.services.mysql.environment;
    expect(config.database).toMatchObject({ host: 'mysql', username: mysql.MYSQL_USER, password: mysql.MYSQL_PASSWORD, database: mysql.MYSQL_DATABASE });
    expect(compose.services.mysql.command).toContain('--character-set-server=utf8mb4');
  });

  it('documents every configuration variable in .env.example', () => {
    const example = readFileSync(join(projectRoot(), '.env.example'), 'utf8');
    for (const name of CONFIG_VARIABLES) expect(example).toMatch(new RegExp(`^# ${name}=`, 'm'));
  });
});
