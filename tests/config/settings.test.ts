import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/core/errors.js';
import { loadProjectSettings } from '../../src/config/index.js';
import { tree } from './fixture.js';

const PKG = '{"name": "proj", "version": "1.0.0"}\n';

/** A project with one settings file setting every key; relative paths resolve against `root`. */
async function check(file: string, text: string, extra: Record<string, string> = {}) {
  const root = tree({ 'package.json': PKG, [file]: text, ...extra });
  const s = await loadProjectSettings(root);
  expect(s.settingsFile).toBe(join(root, file));
  expect(s.outputsRoot).toBe(join(root, 'out'));
  expect(s.multirunRoot).toBe(join(root, 'sweeps'));
  expect(s.configDirs).toEqual([join(root, 'my_configs')]);
  expect(s.plugins).toEqual([join(root, 'plugins/fusion.ts'), 'affectlab-plugin-x']);
}

const obj = { outputsRoot: 'out', multirunRoot: 'sweeps', configDirs: ['my_configs'], plugins: ['./plugins/fusion.ts', 'affectlab-plugin-x'] };
const json = JSON.stringify(obj);
const yaml = 'outputsRoot: out\nmultirunRoot: ./sweeps\nconfigDirs: [my_configs]\nplugins:\n  - ./plugins/fusion.ts\n  - affectlab-plugin-x\n';

describe('loadProjectSettings: file kinds', () => {
  it('package.json "affectlab" key', async () => {
    const root = tree({ 'package.json': JSON.stringify({ name: 'p', affectlab: obj }) });
    const s = await loadProjectSettings(root);
    expect(s.settingsFile).toBe(join(root, 'package.json'));
    expect(s.outputsRoot).toBe(join(root, 'out'));
    expect(s.plugins).toEqual([join(root, 'plugins/fusion.ts'), 'affectlab-plugin-x']);
  });
  it('.affectlabrc (YAML or JSON content)', async () => {
    await check('.affectlabrc', yaml);
    await check('.affectlabrc', json);
  });
  it('.affectlabrc.json / .yaml / .yml', async () => {
    await check('.affectlabrc.json', json);
    await check('.affectlabrc.yaml', yaml);
    await check('.affectlabrc.yml', yaml);
  });
  it('.affectlabrc.js (CommonJS) and .mjs', async () => {
    await check('.affectlabrc.js', `module.exports = ${json};\n`);
    await check('.affectlabrc.mjs', `export default ${json};\n`);
  });
  it('.affectlabrc.ts via tsx (type annotations are stripped)', async () => {
    await check('.affectlabrc.ts', `interface S { outputsRoot: string }\nconst s: S & Record<string, unknown> = ${json};\nexport default s;\n`);
  });
  it('affectlab.config.{js,mjs,ts,json,yaml,yml}', async () => {
    await check('affectlab.config.js', `module.exports = ${json};\n`);
    await check('affectlab.config.mjs', `export default ${json};\n`);
    await check('affectlab.config.ts', `const dirs: string[] = ['my_configs'];\nexport default { ...${json}, configDirs: dirs };\n`);
    await check('affectlab.config.json', json);
    await check('affectlab.config.yaml', yaml);
    await check('affectlab.config.yml', yaml);
  });
});

describe('loadProjectSettings: search', () => {
  it('defaults when there is no settings file, resolved against cwd', async () => {
    const root = tree({ 'package.json': PKG });
    expect(await loadProjectSettings(root)).toEqual({
      outputsRoot: join(root, 'outputs'),
      multirunRoot: join(root, 'multirun'),
      plugins: [],
      configDirs: [],
    });
  });
  it('searches upwards from a subfolder; paths resolve against the file, not cwd', async () => {
    const root = tree({ 'package.json': PKG, '.affectlabrc.json': '{"outputsRoot": "o"}', 'a/b/.keep': '' });
    const s = await loadProjectSettings(join(root, 'a', 'b'));
    expect(s.settingsFile).toBe(join(root, '.affectlabrc.json'));
    expect(s.outputsRoot).toBe(join(root, 'o'));
    expect(s.multirunRoot).toBe(join(root, 'multirun'));
  });
  it('stops at the nearest project root (package.json)', async () => {
    const root = tree({ '.affectlabrc.json': '{"outputsRoot": "outer"}', 'inner/package.json': PKG });
    const s = await loadProjectSettings(join(root, 'inner'));
    expect(s.settingsFile).toBeUndefined();
    expect(s.outputsRoot).toBe(join(root, 'inner', 'outputs'));
  });
  it('the nearer file wins', async () => {
    const root = tree({ 'package.json': PKG, '.affectlabrc.json': '{"outputsRoot": "outer"}', 'sub/.affectlabrc.yaml': 'outputsRoot: inner\n' });
    mkdirSync(join(root, 'sub', 'x'), { recursive: true });
    expect((await loadProjectSettings(join(root, 'sub', 'x'))).outputsRoot).toBe(join(root, 'sub', 'inner'));
  });
  it('an empty settings file gives the defaults', async () => {
    const root = tree({ 'package.json': PKG, '.affectlabrc.yaml': '' });
    expect((await loadProjectSettings(root)).outputsRoot).toBe(join(root, 'outputs'));
  });
});

describe('loadProjectSettings: errors', () => {
  it('wrong type names the file and the key', async () => {
    const root = tree({ 'package.json': PKG, '.affectlabrc.json': '{"outputsRoot": 5}' });
    await expect(loadProjectSettings(root)).rejects.toThrow(ConfigError);
    await expect(loadProjectSettings(root)).rejects.toThrow(`${join(root, '.affectlabrc.json')}: settings key outputsRoot: expected string, received number (value 5)`);
  });
  it('unknown key suggests the nearest', async () => {
    const root = tree({ 'package.json': PKG, 'affectlab.config.yaml': 'plugin: [a]\n' });
    await expect(loadProjectSettings(root)).rejects.toThrow(/settings key plugin: unknown key; did you mean "plugins"\? allowed keys: outputsRoot, multirunRoot, plugins, configDirs/);
  });
  it('YAML syntax error names the file', async () => {
    const root = tree({ 'package.json': PKG, '.affectlabrc.yaml': 'plugins: [a\n' });
    const e = await loadProjectSettings(root).catch((x: Error) => x);
    expect(e).toBeInstanceOf(ConfigError);
    expect((e as Error).message).toContain(join(root, '.affectlabrc.yaml'));
  });
  it('settings must be an object', async () => {
    const root = tree({ 'package.json': PKG, '.affectlabrc.json': '[1,2]' });
    await expect(loadProjectSettings(root)).rejects.toThrow(/expected the settings to be an object/);
  });
});
