/**
 * Executes a parsed template against data with Go text/template semantics: dot and `$` scoping, variables that live
 * until the enclosing `end`, Go truthiness, struct-vs-map field rules, range over slices, maps (sorted keys) and
 * ints, `break`/`continue`, nested templates without dynamic scoping, and Go's argument checking for functions.
 *
 * A template must not be able to hang or bloat the process, so execution is bounded (see {@link ExecLimits}):
 * every evaluated node costs a step, output and every intermediate string are capped in length, and nested template
 * calls are capped in depth. Exceeding a bound is an execution error like any other.
 */
import { err, ok, type Result } from "../../result.js";
import type { ArgNode, ChainNode, FieldNode, IdentifierNode, ListNode, NumberNode, PipeNode, RangeNode, TreeNode, VariableNode } from "./ast.js";
import { formatV } from "./format.js";
import { FunctionError, type ParamType, type TemplateFunction } from "./functions.js";
import { positionOf, type TreeSet } from "./parser.js";
import { compareGoStrings, fromData, GoFloat, isStringSlice, kindOf, truth, typeName } from "./values.js";

/** Bounds on one execution. The defaults suit keyword templates run against a single Matrix event. */
export interface ExecLimits {
  /** Evaluated nodes (actions, commands, range iterations …) before execution stops. */
  readonly maxSteps: number;
  /** Output length and any intermediate string length, in UTF-16 code units. */
  readonly maxOutput: number;
  /** Nested `{{template}}` calls. */
  readonly maxDepth: number;
}

/**
 * Default bounds: 2,000,000 steps (a 64 KiB message split into ~30k words through a typical template needs well
 * under a million), 1 MiB of output, 100 nested template calls.
 */
export const DEFAULT_LIMITS: ExecLimits = { maxSteps: 2_000_000, maxOutput: 1 << 20, maxDepth: 100 };

/** Everything execution needs besides the data. */
export interface Program {
  readonly name: string;
  readonly text: string;
  readonly trees: TreeSet;
  readonly funcs: ReadonlyMap<string, TemplateFunction>;
  readonly limits: ExecLimits;
}

const MISSING = Symbol("missing");
type Final = unknown;

const enum Signal {
  None,
  Break,
  Continue,
}

class ExecError {
  constructor(
    readonly message: string,
    readonly node: { pos: number; src: string } | undefined,
  ) {}
}

interface Variable {
  readonly name: string;
  value: unknown;
}

/** A param type's zero value, used when Go would hand a function a nil or missing argument. */
function zeroOf(t: ParamType): unknown {
  switch (t) {
    case "[]string":
      return [];
    case "any":
      return null;
    default:
      return undefined;
  }
}

function isExported(name: string): boolean {
  return /^\p{Lu}/u.test(name);
}

class State {
  private out = "";
  private steps = 0;
  private vars: Variable[];
  private depth = 0;
  private current: string;
  private at: { pos: number; src: string } | undefined;

  constructor(
    private readonly p: Program,
    dot: unknown,
  ) {
    this.vars = [{ name: "$", value: dot }];
    this.current = p.name;
  }

  output(): string {
    return this.out;
  }

  fail(message: string): never {
    throw new ExecError(message, this.at);
  }

  /** Formats an error the way Go does: `template: NAME:LINE:COL: executing "NAME" at <…>: message`. */
  describe(e: ExecError): string {
    if (e.node === undefined) return `template: ${this.p.name}: executing "${this.current}": ${e.message}`;
    const { line, column } = positionOf(this.p.text, e.node.pos);
    const ctx = e.node.src.length > 20 ? `${e.node.src.slice(0, 20)}...` : e.node.src;
    return `template: ${this.p.name}:${line}:${column}: executing "${this.current}" at <${ctx}>: ${e.message}`;
  }

  private step(node: { pos: number; src: string }): void {
    this.at = node;
    if (++this.steps > this.p.limits.maxSteps) this.fail(`execution exceeded ${this.p.limits.maxSteps} steps`);
  }

  private write(s: string): void {
    if (this.out.length + s.length > this.p.limits.maxOutput) {
      this.fail(`output exceeded ${this.p.limits.maxOutput} characters`);
    }
    this.out += s;
  }

  walk(dot: unknown, node: TreeNode): Signal {
    switch (node.kind) {
      case "list":
        for (const n of node.nodes) {
          const sig = this.walk(dot, n);
          if (sig !== Signal.None) return sig;
        }
        return Signal.None;
      case "text":
        this.write(node.text);
        return Signal.None;
      case "action": {
        this.step(node);
        // Declared variables are not popped: they persist until the enclosing end.
        const v = this.evalPipeline(dot, node.pipe);
        if (node.pipe.decl.length === 0) {
          this.at = node;
          this.write(v === undefined ? "<no value>" : formatV(v));
        }
        return Signal.None;
      }
      case "if":
      case "with": {
        this.step(node);
        const mark = this.vars.length;
        const v = this.evalPipeline(dot, node.pipe);
        let sig = Signal.None;
        if (truth(v)) sig = this.walk(node.kind === "with" ? v : dot, node.list);
        else if (node.elseList !== undefined) sig = this.walk(dot, node.elseList);
        this.vars.length = mark;
        return sig;
      }
      case "range":
        this.walkRange(dot, node);
        return Signal.None;
      case "template":
        this.walkTemplate(dot, node);
        return Signal.None;
      case "break":
        return Signal.Break;
      case "continue":
        return Signal.Continue;
    }
  }

  private walkRange(dot: unknown, r: RangeNode): void {
    this.step(r);
    const outer = this.vars.length;
    const val = this.evalPipeline(dot, r.pipe);
    const mark = this.vars.length;
    const decl = r.pipe.decl;
    const one = (index: unknown, elem: unknown): boolean => {
      this.step(r);
      if (decl.length > 0) {
        if (r.pipe.isAssign) this.setVar(decl[0]!, decl.length > 1 ? index : elem);
        else this.vars[this.vars.length - 1]!.value = elem;
      }
      if (decl.length > 1) {
        if (r.pipe.isAssign) this.setVar(decl[1]!, elem);
        else this.vars[this.vars.length - 2]!.value = index;
      }
      const sig = this.walk(elem, r.list);
      this.vars.length = mark;
      return sig === Signal.Break;
    };
    let ran = false;
    switch (kindOf(val)) {
      case "slice": {
        const xs = val as readonly unknown[];
        for (let i = 0; i < xs.length; i++) {
          ran = true;
          if (one(i, fromData(xs[i]))) break;
        }
        break;
      }
      case "map": {
        const m = val as ReadonlyMap<string, unknown>;
        const keys = [...m.keys()].sort(compareGoStrings);
        for (const k of keys) {
          ran = true;
          if (one(k, fromData(m.get(k)))) break;
        }
        break;
      }
      case "int": {
        if (decl.length > 1) this.fail(`can't use ${formatV(val)} to iterate over more than one variable`);
        const n = val as number;
        for (let i = 0; i < n; i++) {
          ran = true;
          if (one(undefined, i)) break;
        }
        break;
      }
      case "invalid":
      case "nil":
        break;
      default:
        this.at = r;
        this.fail(`range can't iterate over ${formatV(val)}`);
    }
    if (!ran && r.elseList !== undefined) this.walk(dot, r.elseList);
    this.vars.length = outer;
  }

  private walkTemplate(dot: unknown, t: TreeNode & { kind: "template" }): void {
    this.step(t);
    const tree = this.p.trees.get(t.name);
    if (tree === undefined) this.fail(`template ${JSON.stringify(t.name)} not defined`);
    if (this.depth >= this.p.limits.maxDepth) this.fail(`exceeded maximum template depth (${this.p.limits.maxDepth})`);
    // Variables declared by the pipeline persist in the caller's scope.
    const newDot = t.pipe === undefined ? undefined : this.evalPipeline(dot, t.pipe);
    const savedVars = this.vars;
    const savedName = this.current;
    this.vars = [{ name: "$", value: newDot }];
    this.current = t.name;
    this.depth++;
    this.walk(newDot, tree as ListNode);
    this.depth--;
    this.current = savedName;
    this.vars = savedVars;
  }

  private setVar(name: string, value: unknown): void {
    for (let i = this.vars.length - 1; i >= 0; i--) {
      if (this.vars[i]!.name === name) {
        this.vars[i]!.value = value;
        return;
      }
    }
    this.fail(`undefined variable: ${name}`);
  }

  private varValue(name: string): unknown {
    for (let i = this.vars.length - 1; i >= 0; i--) {
      if (this.vars[i]!.name === name) return this.vars[i]!.value;
    }
    this.fail(`undefined variable: ${name}`);
  }

  private evalPipeline(dot: unknown, pipe: PipeNode): unknown {
    let value: unknown = MISSING;
    for (const cmd of pipe.cmds) {
      this.step(cmd);
      value = this.evalCommand(dot, cmd.args, value);
      // Go digs a value out of its interface after each command: a nil interface becomes no value at all.
      if (value === null) value = undefined;
    }
    for (const name of pipe.decl) {
      if (pipe.isAssign) this.setVar(name, value);
      else this.vars.push({ name, value });
    }
    return value;
  }

  private notAFunction(args: readonly ArgNode[], final: Final): void {
    if (args.length > 1 || final !== MISSING) this.fail(`can't give argument to non-function ${args[0]!.src}`);
  }

  private evalCommand(dot: unknown, args: readonly ArgNode[], final: Final): unknown {
    const first = args[0]!;
    switch (first.kind) {
      case "field":
        return this.evalFieldChain(dot, dot, first, first.idents, args, final);
      case "chain":
        return this.evalChain(dot, first, args, final);
      case "identifier":
        return this.evalFunction(dot, first, args, final);
      case "pipe":
        this.notAFunction(args, final);
        return this.evalPipeline(dot, first);
      case "variable":
        return this.evalVariable(dot, first, args, final);
      default:
        break;
    }
    this.at = first;
    this.notAFunction(args, final);
    switch (first.kind) {
      case "bool":
        return first.value;
      case "dot":
        return dot;
      case "nil":
        return this.fail("nil is not a command");
      case "number":
        return this.idealConstant(first);
      case "string":
        return first.text;
    }
  }

  private idealConstant(n: NumberNode): unknown {
    this.at = n;
    const c = n.constant;
    const hexInt = /^[+-]?0[xX]/.test(c.text) && !/[pP]/.test(c.text);
    if (c.float !== undefined && !hexInt && !c.text.startsWith("'") && /[.eEpP]/.test(c.text)) return new GoFloat(c.float);
    if (c.int !== undefined) return c.int;
    return this.fail(`${c.text} overflows int`);
  }

  private evalVariable(dot: unknown, v: VariableNode, args: readonly ArgNode[], final: Final): unknown {
    this.at = v;
    const value = this.varValue(v.idents[0]!);
    if (v.idents.length === 1) {
      this.notAFunction(args, final);
      return value;
    }
    return this.evalFieldChain(dot, value, v, v.idents.slice(1), args, final);
  }

  private evalChain(dot: unknown, c: ChainNode, args: readonly ArgNode[], final: Final): unknown {
    this.at = c;
    if (c.node.kind === "nil") this.fail(`indirection through explicit nil in ${c.src}`);
    const receiver = this.evalArg(dot, undefined, c.node);
    return this.evalFieldChain(dot, receiver, c, c.fields, args, final);
  }

  private evalFieldChain(
    dot: unknown,
    receiver: unknown,
    node: FieldNode | VariableNode | ChainNode,
    idents: readonly string[],
    args: readonly ArgNode[],
    final: Final,
  ): unknown {
    this.at = node;
    let r = receiver;
    const n = idents.length;
    for (let i = 0; i < n - 1; i++) r = this.evalField(idents[i]!, [], MISSING, r);
    return this.evalField(idents[n - 1]!, args, final, r);
  }

  private evalField(name: string, args: readonly ArgNode[], final: Final, receiver: unknown): unknown {
    if (receiver === undefined) return undefined;
    if (receiver === null) this.fail(`nil pointer evaluating interface {}.${name}`);
    const hasArgs = args.length > 1 || final !== MISSING;
    const k = kindOf(receiver);
    if (k === "struct") {
      const o = receiver as Record<string, unknown>;
      if (Object.hasOwn(o, name)) {
        if (!isExported(name)) this.fail(`${name} is an unexported field of struct type ${typeName(receiver)}`);
        if (hasArgs) this.fail(`${name} has arguments but cannot be invoked as function`);
        return fromData(o[name]);
      }
    } else if (k === "map") {
      if (hasArgs) this.fail(`${name} is not a method but has arguments`);
      const m = receiver as ReadonlyMap<string, unknown>;
      // Go's default missingkey option: a missing key is no value, not an error.
      return m.has(name) ? fromData(m.get(name)) : undefined;
    }
    return this.fail(`can't evaluate field ${name} in type ${typeName(receiver)}`);
  }

  private evalFunction(dot: unknown, node: IdentifierNode, args: readonly ArgNode[], final: Final): unknown {
    this.at = node;
    const fn = this.p.funcs.get(node.name);
    if (fn === undefined) this.fail(`${JSON.stringify(node.name)} is not a defined function`);
    const name = node.name;
    const argNodes = args.slice(1);
    const numIn = argNodes.length + (final !== MISSING ? 1 : 0);
    const numFixed = fn.params.length;
    if (fn.variadic !== undefined) {
      if (numIn < numFixed) this.fail(`wrong number of args for ${name}: want at least ${numFixed} got ${argNodes.length}`);
    } else if (numIn !== numFixed) {
      this.fail(`wrong number of args for ${name}: want ${numFixed} got ${numIn}`);
    }
    if (name === "and" || name === "or") {
      let v: unknown;
      for (const a of argNodes) {
        v = this.evalArg(dot, "value", a);
        if (truth(v === null ? undefined : v) === (name === "or")) return v;
      }
      if (final !== MISSING) v = this.validate(final, "value");
      return v;
    }
    const argv: unknown[] = [];
    let i = 0;
    for (; i < numFixed && i < argNodes.length; i++) argv.push(this.evalArg(dot, fn.params[i]!, argNodes[i]!));
    if (fn.variadic !== undefined) for (; i < argNodes.length; i++) argv.push(this.evalArg(dot, fn.variadic, argNodes[i]!));
    if (final !== MISSING) {
      let t: ParamType;
      if (fn.variadic !== undefined) t = numIn - 1 < numFixed ? fn.params[numIn - 1]! : fn.variadic;
      else t = fn.params[numFixed - 1]!;
      argv.push(this.validate(final, t));
    }
    this.at = node;
    let result: unknown;
    try {
      result = fn.call(argv);
    } catch (e) {
      if (e instanceof FunctionError) this.fail(`error calling ${name}: ${e.message}`);
      throw e;
    }
    if (typeof result === "string" && result.length > this.p.limits.maxOutput) {
      this.fail(`result of ${name} is longer than ${this.p.limits.maxOutput} characters`);
    }
    return result;
  }

  /** Go's validateType: checks (and for nil, zeroes) a value passed where a function wants type `t`. */
  private validate(value: unknown, t: ParamType | undefined): unknown {
    if (value === undefined) {
      if (t === undefined) return undefined;
      if (t !== "string") return zeroOf(t);
      return this.fail("invalid value; expected string");
    }
    switch (t) {
      case "string":
        if (typeof value !== "string") this.fail(`wrong type for value; expected string; got ${typeName(value)}`);
        return value;
      case "[]string":
        if (!Array.isArray(value) || !isStringSlice(value)) {
          this.fail(`wrong type for value; expected []string; got ${value === null ? "interface {}" : typeName(value)}`);
        }
        return value;
      default:
        return value;
    }
  }

  private evalArg(dot: unknown, t: ParamType | undefined, n: ArgNode): unknown {
    this.at = n;
    switch (n.kind) {
      case "dot":
        return this.validate(dot, t);
      case "nil":
        if (t === undefined || t === "string") this.fail(`cannot assign nil to ${t ?? "untyped value"}`);
        return zeroOf(t);
      case "field":
        return this.validate(this.evalFieldChain(dot, dot, n, n.idents, [n], MISSING), t);
      case "variable":
        return this.validate(this.evalVariable(dot, n, [n], MISSING), t);
      case "pipe":
        return this.validate(this.evalPipeline(dot, n), t);
      case "identifier":
        return this.validate(this.evalFunction(dot, n, [n], MISSING), t);
      case "chain":
        return this.validate(this.evalChain(dot, n, [n], MISSING), t);
      default:
        break;
    }
    if (t === "string") {
      if (n.kind === "string") return n.text;
      return this.fail(`expected string; found ${n.src}`);
    }
    if (t === "[]string") return this.fail(`can't handle ${n.src} for arg of type []string`);
    switch (n.kind) {
      case "bool":
        return n.value;
      case "number":
        return this.idealConstant(n);
      case "string":
        return n.text;
    }
  }
}

/**
 * Runs the main tree of `p` on `data` (see values.ts for how JS data maps to Go values). Returns the output, or the
 * first execution error formatted like Go's (`template: name:line:col: executing "name" at <…>: …`).
 */
export function execute(p: Program, data: unknown): Result<string, string> {
  const root = p.trees.get(p.name);
  if (root === undefined) return err(`template: ${p.name}: no such template`);
  const dot = data === null || data === undefined ? undefined : fromData(data);
  const s = new State(p, dot);
  try {
    s.walk(dot, root);
  } catch (e) {
    if (e instanceof ExecError) return err(s.describe(e));
    if (e instanceof RangeError) return err(`template: ${p.name}: execution too deep: ${e.message}`);
    throw e;
  }
  return ok(s.output());
}
