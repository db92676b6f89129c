import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { CONFIG_VARIABLES, loadAppConfig } from '../../src/config/load-app-config';
import { projectRoot } from '../../src/shared/project-root';

/** Compose's `${NAME:-default}` interpolation, from `env` (the shell's variables at `docker compose up`). */
function interpolate(environment: Record<string, string>, env: Record<string, string>): Record<string, string> {
  const resolved: Record<string, string> = {};
  for (const [name, value] of Object.entries(environment)) {
    resolved[name] = String(value).replace(/\$\{(\w+)(?::-([^}]*))?\}/g, (_, variable: string, fallback = '') => env[variable] ?? fallback);
  }
  return resolved;
}

// No Docker engine runs here: the compose file is checked by parsing it against the configuration schema.
describe('docker-compose.yml', () => {
  const compose = parse(readFileSync(join(projectRoot(), 'docker-compose.yml'), 'utf8'));
  const app = compose.services.app;
  const servicesIn = (profile: string | null) => Object.keys(compose.services).filter((name) => (compose.services[name].profiles ?? [null]).includes(profile)).sort();

  it('runs the application against MySQL, after MySQL is healthy, with the data on volumes', () => {
    expect(servicesIn(null)).toEqual(['app', 'mysql']);
    expect(app.depends_on.mysql.condition).toBe('service_healthy');
    expect(compose.services.mysql.healthcheck.test).toBeDefined();
    expect(app.healthcheck.test.join(' ')).toContain('/health');
    expect(app.ports).toEqual([`${app.environment.PORT}:${app.environment.PORT}`]);
    for (const mount of [...app.volumes, ...compose.services.mysql.volumes]) expect(Object.keys(compose.volumes)).toContain(mount.split(':')[0]);
  });

  it('sets only variables the application knows, with values its configuration accepts', () => {
    for (const name of Object.keys(app.environment)) expect(CONFIG_VARIABLES).toContain(name);
    const config = loadAppConfig({ ...interpolate(app.environment, {}), CHROMIUM_PATH: undefined }, '/app');
    expect(config.database.kind).toBe('mysql');
    expect(config.workflowEngine).toBe('embedded');
    const mysql = compose.services.mysql.environment;
    expect(config.database).toMatchObject({ host: 'mysql', username: mysql.MYSQL_USER, password: mysql.MYSQL_PASSWORD, database: mysql.MYSQL_DATABASE });
    expect(compose.services.mysql.command).toContain('--character-set-server=utf8mb4');
  });

  it('adds Camunda 8 with the zeebe profile: health-checked, on volumes, and the application pointed at its REST port', () => {
    expect(servicesIn('zeebe')).toEqual(['camunda', 'elasticsearch']);
    const camunda = compose.services.camunda;
    expect(camunda.image).toMatch(/^camunda\/camunda:8\.(8|9|\d\d)\./);
    expect(app.depends_on.camunda).toEqual({ condition: 'service_healthy', required: false });
    expect(camunda.depends_on.elasticsearch.condition).toBe('service_healthy');
    for (const service of [camunda, compose.services.elasticsearch]) {
      expect(service.healthcheck.test).toBeDefined();
      for (const mount of service.volumes) expect(Object.keys(compose.volumes)).toContain(mount.split(':')[0]);
    }
    expect(camunda.environment.CAMUNDA_DATA_SECONDARYSTORAGE_ELASTICSEARCH_URL).toBe('http://elasticsearch:9200');

    const config = loadAppConfig({ ...interpolate(app.environment, { WORKFLOW_ENGINE: 'zeebe' }), CHROMIUM_PATH: undefined }, '/app');
    expect(config.workflowEngine).toBe('zeebe');
    const address = new URL(config.zeebe!.restAddress);
    expect(address.hostname).toBe('camunda');
    expect(camunda.ports).toContain(`${address.port}:${address.port}`);
    expect(config.zeebe!.auth).toEqual({ strategy: 'NONE' });
  });

  it('documents every configuration variable in .env.example', () => {
    const example = readFileSync(join(projectRoot(), '.env.example'), 'utf8');
    for (const name of CONFIG_VARIABLES) expect(example).toMatch(new RegExp(`^# ${name}=`, 'm'));
  });
});
