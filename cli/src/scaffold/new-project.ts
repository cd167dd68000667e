// `flexchain new`: writes a contract project from a template in templates/.
//
// Templates are ordinary, tested projects. The placeholder TEMPLATE_NAME_TOKEN
// is replaced by the project name in every file; package.json is generated so
// the project links this checkout's SDK and CLI (no published @flexchain/*
// packages are needed) and pins the test tool versions this repository uses.

import { existsSync, mkdirSync, readdirSync, readFileSync, realpathSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { FlexChainError } from '@flexchain/sdk';

export class ProjectNameInvalidError extends FlexChainError {
  override name = 'ProjectNameInvalidError';
}
export class ProjectDirectoryNotEmptyError extends FlexChainError {
  override name = 'ProjectDirectoryNotEmptyError';
}
export class TemplateNotFoundError extends FlexChainError {
  override name = 'TemplateNotFoundError';
}

export const TEMPLATE_NAME_TOKEN = 'flexchain-template-name';
/** Files named without their leading dot in templates, because npm drops .gitignore files from packages. */
const DOTFILES: Record<string, string> = { gitignore: '.gitignore' };
const TEMPLATE_METADATA_FILE = 'template.json';

/** Test tooling of generated projects; a test keeps these equal to this repository's own devDependencies. */
export const PROJECT_DEV_DEPENDENCIES: Readonly<Record<string, string>> = {
  '@types/jest': '^30.0.0',
  '@types/node': '^20.19.0',
  jest: '^30.5.2',
  'ts-jest': '^29.4.15',
  typescript: '~5.9.3',
};

const PROJECT_NAME = /^[a-z][a-z0-9-]{0,62}[a-z0-9]$|^[a-z]$/;

export interface TemplateInfo {
  readonly name: string;
  readonly description: string;
}

export interface NewProjectOptions {
  readonly name: string;
  readonly template: string;
  /** Where to write the project; default ./<name>. */
  readonly directory?: string;
  /** Overrides where templates, the SDK and the CLI are found (tests). */
  readonly paths?: Partial<ScaffoldPaths>;
}

export interface NewProjectResult {
  readonly directory: string;
  readonly template: string;
  readonly files: readonly string[];
}

interface ScaffoldPaths {
  templates: string;
  sdk: string;
  cli: string;
}

function defaultPaths(): ScaffoldPaths {
  const cli = resolve(__dirname, '..', '..');
  return {
    templates: resolve(cli, '..', 'templates'),
    sdk: realpathSync(dirname(require.resolve('@flexchain/sdk/package.json'))),
    cli: realpathSync(cli),
  };
}

export function listTemplates(templatesDir = defaultPaths().templates): TemplateInfo[] {
  return readdirSync(templatesDir)
    .filter((entry) => existsSync(join(templatesDir, entry, TEMPLATE_METADATA_FILE)))
    .sort()
    .map((name) => ({ name, description: (JSON.parse(readFileSync(join(templatesDir, name, TEMPLATE_METADATA_FILE), 'utf8')) as { description: string }).description }));
}

export function createProject(options: NewProjectOptions): NewProjectResult {
  const paths = { ...defaultPaths(), ...options.paths };
  if (!PROJECT_NAME.test(options.name)) {
    throw new ProjectNameInvalidError(`Project name ${JSON.stringify(options.name)} is not valid.`, {
      hint: 'Use lower-case letters, digits and dashes, starting with a letter (at most 64 characters), e.g. "asset-registry".',
    });
  }
  const templates = listTemplates(paths.templates);
  if (!templates.some((t) => t.name === options.template)) {
    throw new TemplateNotFoundError(`There is no template named "${options.template}".`, {
      details: `Templates: ${templates.map((t) => `${t.name} (${t.description})`).join('; ')}.`,
      hint: `Pass --template ${templates.map((t) => t.name).join(' or --template ')}.`,
    });
  }
  const directory = resolve(options.directory ?? options.name);
  if (existsSync(directory) && (!statSync(directory).isDirectory() || readdirSync(directory).length > 0)) {
    throw new ProjectDirectoryNotEmptyError(`${directory} already exists and is not an empty directory; nothing was written.`, {
      hint: 'Choose another name or --directory, or empty that directory first.',
    });
  }

  const templateDir = join(paths.templates, options.template);
  const files: string[] = [];
  const copy = (from: string, to: string) => {
    mkdirSync(to, { recursive: true });
    for (const entry of readdirSync(from, { withFileTypes: true })) {
      if (entry.name === 'node_modules' || entry.name === TEMPLATE_METADATA_FILE || entry.name === 'package-lock.json') continue;
      const source = join(from, entry.name);
      const target = join(to, DOTFILES[entry.name] ?? entry.name);
      if (entry.isDirectory()) copy(source, target);
      else {
        writeFileSync(target, readFileSync(source, 'utf8').replaceAll(TEMPLATE_NAME_TOKEN, options.name));
        files.push(relative(directory, target));
      }
    }
  };
  copy(templateDir, directory);
  writeFileSync(join(directory, 'package.json'), JSON.stringify(projectPackageJson(options.name, paths), null, 2) + '\n');
  files.push('package.json');
  return { directory, template: options.template, files: files.sort() };
}

function projectPackageJson(name: string, paths: ScaffoldPaths) {
  return {
    name,
    version: '0.1.0',
    private: true,
    description: `FlexChain contract ${name}`,
    main: 'src/contract.ts',
    scripts: {
      test: 'jest',
      check: 'flexchain check .',
      typecheck: 'tsc -p .',
    },
    dependencies: { '@flexchain/sdk': `file:${paths.sdk}` },
    devDependencies: { flexchain: `file:${paths.cli}`, ...PROJECT_DEV_DEPENDENCIES },
    // jest's file watcher has an optional native build that unit tests do not need.
    allowScripts: { '@parcel/watcher': false },
  };
}
