// Static determinism check of contract source (ts-morph).
//
// Every endorser must compute the same rw-set from the same proposal, so a
// contract may not depend on anything that differs between machines or runs:
// random numbers, clocks, timers, garbage collection, shared memory, dynamic
// code, Node built-ins, the network, the locale, or state kept between
// transactions. The sandbox blocks most of these at run time; this check finds
// them before deploy, with the line to fix.
//
// Globals are matched by symbol: a local variable named `Math` or `process`
// shadows the global and is not reported.

import { builtinModules } from 'node:module';
import { Node, Project, SyntaxKind, type CallExpression, type Expression, type Identifier, type SourceFile } from 'ts-morph';
import type { Diagnostic, RuleId, Severity } from './diagnostic';

interface Finding {
  readonly node: Node;
  readonly rule: RuleId;
  readonly severity: Severity;
  readonly message: string;
  readonly hint: string;
}

const HINTS = {
  randomness: 'Derive randomness from ctx.stub.getTxID(), e.g. seed a PRNG with a hash of it; every endorser then draws the same numbers.',
  clock: 'Use ctx.stub.getDateTimestamp() or getTxTimestamp(): the proposal time, identical on every endorser.',
  timers: 'A transaction runs to completion once; remove the timer and do the work directly.',
  weakReferences: 'Garbage collection runs at different times on each node; keep ordinary references.',
  sharedMemory: 'Contracts run single-threaded in a sandbox; use ordinary ArrayBuffers and plain code.',
  dynamicCode: 'Write the code out; the sandbox refuses eval and Function.',
  builtin: 'Contracts run in a sandbox without Node built-ins; use the stub for state and pure npm packages for the rest.',
  nodeGlobal: 'The sandbox has no Node globals; pass values as transaction arguments or read them from state.',
  network: 'Contracts cannot reach the network; pass outside data in as transaction arguments (an oracle).',
  locale: 'Locales differ between machines; use compareUtf8 for ordering and format numbers and dates explicitly.',
  moduleState: 'Module state survives between transactions on one node but not across nodes; keep state in the ledger with putState.',
  instanceState: 'A contract instance serves many transactions; keep per-transaction values in local variables and durable ones in the ledger.',
  float: 'Floating-point results can differ across platforms and languages; store integers (e.g. scale to cents, or Math.round) or strings.',
} as const;

const TIMERS = new Set(['setTimeout', 'setInterval', 'setImmediate', 'clearTimeout', 'clearInterval', 'clearImmediate', 'queueMicrotask', 'requestAnimationFrame']);
const NODE_GLOBALS = new Set(['process', 'Buffer', 'require', '__dirname', '__filename', 'global', 'module']);
const NETWORK_GLOBALS = new Set(['fetch', 'XMLHttpRequest', 'WebSocket', 'EventSource']);
const LOCALE_METHODS = new Set(['toLocaleString', 'toLocaleDateString', 'toLocaleTimeString', 'toLocaleUpperCase', 'toLocaleLowerCase', 'localeCompare']);
const BUILTINS = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));
const FLOAT_MATH = new Set(['sqrt', 'cbrt', 'sin', 'cos', 'tan', 'asin', 'acos', 'atan', 'atan2', 'sinh', 'cosh', 'tanh', 'asinh', 'acosh', 'atanh', 'log', 'log2', 'log10', 'log1p', 'exp', 'expm1', 'pow', 'hypot', 'fround', 'random']);
const INTEGER_MATH = new Set(['round', 'floor', 'ceil', 'trunc', 'sign', 'clz32', 'imul']);
const STATE_WRITERS = new Set(['putState', 'putJSON']);
/** How many identifier hops the float analysis follows back to a declaration. */
const FLOAT_TRACE_DEPTH_MAX = 4;

export function checkSourceFile(sourceFile: SourceFile): Finding[] {
  const findings: Finding[] = [];
  const report = (node: Node, rule: RuleId, message: string, hint: string, severity: Severity = 'error') => findings.push({ node, rule, severity, message, hint });

  sourceFile.forEachDescendant((node) => {
    if (Node.isImportDeclaration(node) || Node.isExportDeclaration(node)) {
      const specifier = node.getModuleSpecifierValue();
      if (specifier !== undefined && BUILTINS.has(specifier)) report(node, 'node-builtin-import', `Import of Node built-in "${specifier}".`, HINTS.builtin);
      return;
    }
    if (Node.isCallExpression(node)) return checkCall(node, report);
    if (Node.isNewExpression(node)) {
      const callee = node.getExpression();
      if (isGlobal(callee, 'Date') && node.getArguments().length === 0) report(node, 'clock', '`new Date()` reads the local clock.', HINTS.clock);
      if (isGlobal(callee, 'Function')) report(node, 'dynamic-code', '`new Function(...)` compiles code at run time.', HINTS.dynamicCode);
      return;
    }
    if (Node.isIdentifier(node)) return checkIdentifier(node, report);
    if (Node.isVariableStatement(node) && Node.isSourceFile(node.getParent())) return checkModuleVariable(node, report);
    if (Node.isBinaryExpression(node) && node.getOperatorToken().getKind() === SyntaxKind.EqualsToken) return checkInstanceWrite(node.getLeft(), report);
    if (Node.isPropertyDeclaration(node)) return checkContractField(node, report);
  });
  return findings;
}

type Report = (node: Node, rule: RuleId, message: string, hint: string, severity?: Severity) => void;

function checkCall(call: CallExpression, report: Report): void {
  const callee = call.getExpression();
  if (isGlobal(callee, 'eval')) report(call, 'dynamic-code', '`eval` runs code built at run time.', HINTS.dynamicCode);
  if (isGlobal(callee, 'Function')) report(call, 'dynamic-code', '`Function(...)` compiles code at run time.', HINTS.dynamicCode);
  if (isGlobal(callee, 'Date')) report(call, 'clock', '`Date()` returns the local time as a string.', HINTS.clock);
  if (callee.getKind() === SyntaxKind.ImportKeyword || isGlobal(callee, 'require')) {
    const [arg] = call.getArguments();
    const specifier = arg && Node.isStringLiteral(arg) ? arg.getLiteralValue() : undefined;
    if (specifier !== undefined && BUILTINS.has(specifier)) report(call, 'node-builtin-import', `Load of Node built-in "${specifier}".`, HINTS.builtin);
  }
  if (Node.isPropertyAccessExpression(callee)) {
    const method = callee.getName();
    if (LOCALE_METHODS.has(method)) report(callee.getNameNode(), 'locale', `\`${method}\` depends on the machine's locale.`, HINTS.locale);
    if (STATE_WRITERS.has(method) && call.getArguments().length >= 2) checkFloatWrite(call.getArguments()[1] as Expression, report);
  }
  if (Node.isIdentifier(callee) && callee.getText() === 'toCanonicalJson' && call.getArguments().length >= 1) checkFloatWrite(call.getArguments()[0] as Expression, report);
}

function checkIdentifier(id: Identifier, report: Report): void {
  const name = id.getText();
  const parent = id.getParent();
  // Only free references: skip `obj.name`, declarations, property names in literals, etc.
  if (Node.isPropertyAccessExpression(parent) && parent.getNameNode() === id) return;
  if (!isReference(id)) return;
  if (!isGlobal(id, name)) return;
  const member = Node.isPropertyAccessExpression(parent) && parent.getExpression() === id ? parent.getName() : undefined;
  if (name === 'Math' && member === 'random') report(parent, 'randomness', '`Math.random()` differs on every endorser.', HINTS.randomness);
  else if (name === 'crypto' && (member === 'getRandomValues' || member === 'randomUUID')) report(parent, 'randomness', `\`crypto.${member}\` differs on every endorser.`, HINTS.randomness);
  else if (name === 'Date' && member === 'now') report(parent, 'clock', '`Date.now()` reads the local clock.', HINTS.clock);
  else if (name === 'performance') report(id, 'clock', '`performance` reads a high-resolution local clock.', HINTS.clock);
  else if (TIMERS.has(name)) report(id, 'timers', `\`${name}\` schedules work outside the transaction.`, HINTS.timers);
  else if (name === 'WeakRef' || name === 'FinalizationRegistry') report(id, 'weak-references', `\`${name}\` observes garbage collection.`, HINTS.weakReferences);
  else if (name === 'SharedArrayBuffer' || name === 'Atomics') report(id, 'shared-memory', `\`${name}\` is shared-memory concurrency.`, HINTS.sharedMemory);
  else if (name === 'Intl') report(id, 'locale', '`Intl` depends on the machine\'s locale and ICU data.', HINTS.locale);
  else if (NODE_GLOBALS.has(name) && !(name === 'require' && Node.isCallExpression(parent))) report(id, 'node-global', `\`${name}\` is a Node global, absent in the sandbox.`, HINTS.nodeGlobal);
  else if (NETWORK_GLOBALS.has(name)) report(id, 'network', `\`${name}\` reaches the network.`, HINTS.network);
}

/** Top-level `let`/`var`, or a top-level `const` holding a mutable container. */
function checkModuleVariable(statement: Node, report: Report): void {
  if (!Node.isVariableStatement(statement)) return;
  const kind = statement.getDeclarationKind();
  for (const declaration of statement.getDeclarations()) {
    const name = declaration.getName();
    if (kind !== 'const') {
      report(declaration, 'module-state', `Module-level \`${kind} ${name}\` can carry state from one transaction to the next.`, HINTS.moduleState);
      continue;
    }
    const init = declaration.getInitializer();
    if (init && isMutableContainer(init)) {
      report(declaration, 'module-state', `Module-level \`const ${name}\` holds a mutable ${describeContainer(init)} that transactions could change.`, `${HINTS.moduleState} If it is a constant table, freeze it (Object.freeze) or add \`as const\`.`, 'warning');
    }
  }
}

function isMutableContainer(init: Node): boolean {
  if (Node.isAsExpression(init)) return init.getTypeNode()?.getText() === 'const' ? false : isMutableContainer(init.getExpression());
  if (Node.isArrayLiteralExpression(init) || Node.isObjectLiteralExpression(init)) return true;
  if (Node.isNewExpression(init)) return ['Map', 'Set', 'Array', 'Object', 'WeakMap', 'WeakSet'].includes(init.getExpression().getText()) || /Array$/.test(init.getExpression().getText());
  return false;
}

function describeContainer(init: Node): string {
  if (Node.isAsExpression(init)) return describeContainer(init.getExpression());
  if (Node.isArrayLiteralExpression(init)) return 'array';
  if (Node.isObjectLiteralExpression(init)) return 'object';
  return Node.isNewExpression(init) ? init.getExpression().getText() : 'value';
}

/** `this.x = ...` inside a contract class: the instance is shared by every transaction the node runs. */
function checkInstanceWrite(left: Node, report: Report): void {
  if (!Node.isPropertyAccessExpression(left) || left.getExpression().getKind() !== SyntaxKind.ThisKeyword) return;
  const cls = left.getFirstAncestor((a) => Node.isClassDeclaration(a) || Node.isClassExpression(a));
  if (!cls || !isContractClass(cls)) return;
  const method = left.getFirstAncestor((a) => Node.isConstructorDeclaration(a) || Node.isMethodDeclaration(a));
  if (!method || Node.isConstructorDeclaration(method)) return;
  report(left, 'instance-state', `\`this.${left.getName()}\` is written during a transaction.`, HINTS.instanceState);
}

function checkContractField(field: Node, report: Report): void {
  if (!Node.isPropertyDeclaration(field) || field.isStatic() || field.isReadonly()) return;
  const cls = field.getParent();
  if (!isContractClass(cls)) return;
  report(field, 'instance-state', `Contract field \`${field.getName()}\` is shared by every transaction on a node.`, `${HINTS.instanceState} Mark true constants \`readonly\`.`, 'warning');
}

function isContractClass(cls: Node): boolean {
  if (!Node.isClassDeclaration(cls) && !Node.isClassExpression(cls)) return false;
  const base = cls.getExtends()?.getExpression().getText();
  return base !== undefined && /(^|\.)Contract$/.test(base);
}

/** Warns when a value written to state may hold a non-integer number. */
function checkFloatWrite(value: Expression, report: Report): void {
  const source = floatSource(value, 0);
  if (source) report(source, 'float-to-state', `A floating-point value (\`${truncate(source.getText())}\`) may be written to state.`, HINTS.float, 'warning');
}

function floatSource(node: Node, depth: number): Node | undefined {
  if (depth > FLOAT_TRACE_DEPTH_MAX) return undefined;
  const next = (n: Node | undefined) => (n ? floatSource(n, depth) : undefined);
  if (Node.isNumericLiteral(node)) return Number.isInteger(node.getLiteralValue()) ? undefined : node;
  if (Node.isParenthesizedExpression(node) || Node.isAsExpression(node) || Node.isNonNullExpression(node) || Node.isAwaitExpression(node)) return next(node.getExpression());
  if (Node.isPrefixUnaryExpression(node)) return next(node.getOperand());
  if (Node.isConditionalExpression(node)) return next(node.getWhenTrue()) ?? next(node.getWhenFalse());
  if (Node.isArrayLiteralExpression(node)) return firstOf(node.getElements(), next);
  if (Node.isObjectLiteralExpression(node)) {
    return firstOf(node.getProperties(), (p) => (Node.isPropertyAssignment(p) ? next(p.getInitializer()) : Node.isShorthandPropertyAssignment(p) ? floatSource(p.getNameNode(), depth + 1) : undefined));
  }
  if (Node.isBinaryExpression(node)) {
    const op = node.getOperatorToken().getKind();
    if (op === SyntaxKind.SlashToken) return node;
    if ([SyntaxKind.PlusToken, SyntaxKind.MinusToken, SyntaxKind.AsteriskToken, SyntaxKind.AsteriskAsteriskToken, SyntaxKind.BarBarToken, SyntaxKind.QuestionQuestionToken].includes(op)) return next(node.getLeft()) ?? next(node.getRight());
    return undefined;
  }
  if (Node.isCallExpression(node)) {
    const callee = node.getExpression();
    if (Node.isPropertyAccessExpression(callee)) {
      const target = callee.getExpression();
      const method = callee.getName();
      if (isGlobal(target, 'Math')) {
        if (FLOAT_MATH.has(method)) return node;
        return INTEGER_MATH.has(method) ? undefined : firstOf(node.getArguments(), next);
      }
      if (isGlobal(target, 'Number') && method === 'parseFloat') return node;
      if (['map', 'flatMap'].includes(method)) {
        const [callback] = node.getArguments();
        return next(callee.getExpression()) === undefined && callback && (Node.isArrowFunction(callback) || Node.isFunctionExpression(callback)) ? returnedFloat(callback, depth) : undefined;
      }
      return undefined;
    }
    if (isGlobal(callee, 'parseFloat')) return node;
    return undefined;
  }
  if (Node.isIdentifier(node)) {
    const declaration = node.getSymbol()?.getValueDeclaration();
    if (declaration && Node.isVariableDeclaration(declaration) && declaration.getSourceFile() === node.getSourceFile()) {
      const init = declaration.getInitializer();
      return init ? floatSource(init, depth + 1) : undefined;
    }
  }
  return undefined;
}

function returnedFloat(fn: Node, depth: number): Node | undefined {
  if (!Node.isArrowFunction(fn) && !Node.isFunctionExpression(fn)) return undefined;
  const body = fn.getBody();
  if (Node.isExpression(body)) return floatSource(body, depth + 1);
  return firstOf(body.getDescendantsOfKind(SyntaxKind.ReturnStatement), (r) => {
    const e = r.getExpression();
    return e ? floatSource(e, depth + 1) : undefined;
  });
}

function firstOf<T>(items: readonly T[], f: (item: T) => Node | undefined): Node | undefined {
  for (const item of items) {
    const found = f(item);
    if (found) return found;
  }
  return undefined;
}

function isReference(id: Identifier): boolean {
  const parent = id.getParent();
  if (!parent) return false;
  if ((Node.isVariableDeclaration(parent) || Node.isParameterDeclaration(parent) || Node.isFunctionDeclaration(parent) || Node.isClassDeclaration(parent) || Node.isPropertyAssignment(parent) || Node.isMethodDeclaration(parent) || Node.isPropertyDeclaration(parent) || Node.isPropertySignature(parent) || Node.isImportSpecifier(parent) || Node.isBindingElement(parent)) && (parent as { getNameNode?: () => Node }).getNameNode?.() === id) return false;
  if (Node.isQualifiedName(parent) || Node.isTypeReference(parent)) return false;
  return true;
}

/** True when `node` is the identifier `name` and it resolves to the global, not a local of that name. */
function isGlobal(node: Node, name: string): boolean {
  if (!Node.isIdentifier(node) || node.getText() !== name) return false;
  const declarations = node.getSymbol()?.getDeclarations() ?? [];
  return declarations.every((d) => {
    const file = d.getSourceFile();
    return file.isDeclarationFile() || file.isInNodeModules() || file.isFromExternalLibrary();
  });
}

function truncate(text: string): string {
  const oneLine = text.replace(/\s+/g, ' ');
  return oneLine.length > 40 ? `${oneLine.slice(0, 39)}…` : oneLine;
}

export function toDiagnostics(sourceFile: SourceFile, findings: readonly Finding[], relativePath: string): Diagnostic[] {
  return findings.map((f) => {
    const { line, column } = sourceFile.getLineAndColumnAtPos(f.node.getStart());
    return { file: relativePath, line, column, severity: f.severity, rule: f.rule, message: f.message, hint: f.hint };
  });
}

/** A project holding only the given files, with the standard library for symbol resolution and no tsconfig. */
export function createCheckProject(): Project {
  return new Project({
    skipAddingFilesFromTsConfig: true,
    skipFileDependencyResolution: true,
    compilerOptions: { target: 9 /* ES2022 */, allowJs: true, noEmit: true, types: [] },
  });
}
