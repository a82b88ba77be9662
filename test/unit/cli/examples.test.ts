/**
 * The examples loader (cli/examples.ts): every document of a multi-document file, empty documents dropped, ids that
 * are valid inside a namespace name, and errors that name the file and the document.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exampleEnvironments, exampleFiles, readManifests } from '../../../cli/examples.js';

const env = (name: string, region: string) => `apiVersion: marketplace.platform.dev/v1alpha1\nkind: MarketplaceEnvironment\nmetadata:\n  name: ${name}\nspec:\n  region: ${region}\n`;

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'mpe-examples-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const write = (file: string, text: string) => {
  writeFileSync(join(dir, file), text);
  return join(dir, file);
};

describe('readManifests', () => {
  it('reads every document in order, dropping empty ones (leading and trailing ---, a comment alone)', () => {
    const path = write('x.yaml', `# header\n---\n${env('a', 'us-east-1')}---\n# nothing\n---\n${env('b', 'us-east-2')}---\n`);
    expect(readManifests(path).map((m) => m.metadata.name)).toEqual(['a', 'b']);
  });

  it('names the file and the document of bad YAML', () => {
    const path = write('bad.yaml', `${env('a', 'us-east-1')}---\nkind: [unclosed\n`);
    expect(() => readManifests(path)).toThrow(`${path}: document 2 of 2: invalid YAML`);
  });

  it('names the file and the document that is not a Kubernetes object', () => {
    const path = write('list.yaml', `${env('a', 'us-east-1')}---\n- just a list\n`);
    expect(() => readManifests(path)).toThrow(`${path}: document 2 of 2: not a Kubernetes object`);
  });
});

describe('exampleEnvironments', () => {
  it('lists *.yaml sorted; ids are the prefix for one environment, prefix-region for several', () => {
    write('010-multi.yaml', `${env('m1', 'us-east-1')}---\n${env('m2', 'eu-west-1')}`);
    write('005-single.yaml', env('s', 'us-east-1'));
    write('notes.txt', 'ignored');
    expect(exampleFiles(dir)).toEqual([join(dir, '005-single.yaml'), join(dir, '010-multi.yaml')]);
    expect(exampleEnvironments(dir).map((e) => [e.id, e.file, e.index, e.count, e.manifest.metadata.name])).toEqual([
      ['005', '005-single.yaml', 0, 1, 's'],
      ['010-us-east-1', '010-multi.yaml', 0, 2, 'm1'],
      ['010-eu-west-1', '010-multi.yaml', 1, 2, 'm2'],
    ]);
  });

  it('rejects two environments of one file in the same region (their ids would collide)', () => {
    const path = write('010-twice.yaml', `${env('m1', 'us-east-1')}---\n${env('m2', 'us-east-1')}`);
    expect(() => exampleEnvironments(dir)).toThrow(`${path}: two environments in the same region (id 010-us-east-1)`);
  });

  it('gives the repository examples ids that fit a namespace name (e2e runs each in e2e-<id>-<suffix>)', () => {
    const ids = exampleEnvironments().map((e) => e.id);
    expect(ids).toEqual(['000', '001', '002', '003-us-east-1', '003-us-east-2', '003-us-west-2', '004']);
    for (const id of ids) expect(`e2e-${id}-abcd`).toMatch(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/);
  });
});
