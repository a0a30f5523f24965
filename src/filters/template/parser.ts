/**
 * Recursive-descent parser for the Go text/template subset, shaped after Go's text/template/parse so that what Go
 * rejects we reject (unknown functions and undefined variables are parse errors, `break` outside `range` too), with
 * the same message wording where Go has one. Errors are values carrying a 1-based line and column, because a broken
 * template is refused at upload and the admin needs to find the spot.
 */
import { err, ok, type Result } from "../../result.js";
import type {
  ArgNode,
  CommandNode,
  ListNode,
  PipeNode,
  TemplateNode,
  TreeNode,
} from "./ast.js";
import { KEYWORD_TYPES, lex, type Token, type TokenType } from "./lexer.js";
import { parseNumberConstant, unquoteString } from "./literals.js";
import { trimGoSpace } from "./text.js";

/** A template that cannot be parsed: what is wrong and where (1-based line and column, columns in code points). */
export interface TemplateError {
  readonly message: string;
  readonly line: number;
  readonly column: number;
}

/** All trees of one template text: the main body under the template's name, plus every `define` and `block`. */
export type TreeSet = ReadonlyMap<string, ListNode>;

/** How deep `if`/`range`/`with`/`block` and parentheses may nest; deeper input is refused rather than risk the stack. */
export const MAX_NESTING = 100;

/** Computes the 1-based line and code-point column of a UTF-16 offset. */
export function positionOf(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  const end = Math.min(offset, text.length);
  for (let i = 0; i < end; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  let column = 1;
  for (let i = lineStart; i < end; i++) {
    const c = text.charCodeAt(i);
    // The low half of a surrogate pair does not start a new code point.
    if (!(c >= 0xdc00 && c < 0xe000 && i > lineStart)) column++;
  }
  return { line, column };
}

class ParseFailure {
  constructor(
    readonly message: string,
    readonly pos: number,
  ) {}
}

type Marker = { readonly kind: "end" | "else"; readonly pos: number; readonly src: string };

function isMarker(n: TreeNode | Marker): n is Marker {
  return n.kind === "end" || n.kind === "else";
}

const OPERAND_START: ReadonlySet<TokenType> = new Set<TokenType>([
  "bool",
  "charConstant",
  "complex",
  "dot",
  "field",
  "identifier",
  "number",
  "nil",
  "rawString",
  "string",
  "variable",
  "leftParen",
]);

/** Go's rendering of a token in "unexpected X in Y" messages. */
function describeToken(t: Token): string {
  if (t.type === "eof") return "EOF";
  if (t.type === "error") return t.val;
  if (KEYWORD_TYPES.has(t.type)) return `<${t.val}>`;
  if (t.val.length > 10) return `${JSON.stringify(t.val.slice(0, 10))}...`;
  return JSON.stringify(t.val);
}

function isEmptyTree(list: ListNode): boolean {
  return list.nodes.every((n) => n.kind === "text" && trimGoSpace(n.text) === "");
}

class Parser {
  private i = 0;
  private vars: string[] = ["$"];
  private rangeDepth = 0;
  private depth = 0;
  readonly trees = new Map<string, ListNode>();

  constructor(
    private readonly input: string,
    private readonly tokens: readonly Token[],
    private readonly funcs: ReadonlySet<string>,
  ) {}

  private fail(message: string, pos: number): never {
    throw new ParseFailure(message, pos);
  }

  private next(): Token {
    const t = this.tokens[this.i] ?? this.tokens[this.tokens.length - 1]!;
    if (t.type === "error") this.fail(t.val, t.pos);
    if (this.i < this.tokens.length - 1) this.i++;
    return t;
  }

  private peek(): Token {
    return this.tokens[this.i] ?? this.tokens[this.tokens.length - 1]!;
  }

  private nextNonSpace(): Token {
    let t = this.next();
    while (t.type === "space") t = this.next();
    return t;
  }

  private peekNonSpace(): Token {
    while (this.peek().type === "space") this.i++;
    return this.peek();
  }

  private backup(): void {
    this.i--;
  }

  /** End offset of the most recently consumed token. */
  private lastEnd(): number {
    const t = this.tokens[this.i - 1];
    return t === undefined ? 0 : t.pos + t.val.length;
  }

  private src(from: number): string {
    return this.input.slice(from, Math.max(from, this.lastEnd()));
  }

  /** Source of an action from `from` up to the right delimiter just consumed. */
  private srcBeforeDelim(from: number): string {
    const delim = this.tokens[this.i - 1];
    return this.input.slice(from, delim === undefined ? from : delim.pos).trim();
  }

  private unexpected(t: Token, context: string): never {
    if (t.type === "error") this.fail(t.val, t.pos);
    this.fail(`unexpected ${describeToken(t)} in ${context}`, t.pos);
  }

  private expect(type: TokenType, context: string): Token {
    const t = this.nextNonSpace();
    if (t.type !== type) this.unexpected(t, context);
    return t;
  }

  private enter(pos: number): void {
    if (++this.depth > MAX_NESTING) this.fail(`nesting deeper than ${MAX_NESTING} levels`, pos);
  }

  private leave(): void {
    this.depth--;
  }

  parse(name: string): void {
    const root: ListNode = { kind: "list", nodes: [] };
    while (this.peek().type !== "eof") {
      if (this.peek().type === "leftDelim") {
        const save = this.i;
        this.next();
        if (this.nextNonSpace().type === "define") {
          this.parseDefinition();
          continue;
        }
        this.i = save;
      }
      const n = this.textOrAction();
      if (isMarker(n)) this.fail(`unexpected {{${n.kind}}}`, n.pos);
      root.nodes.push(n);
    }
    this.add(name, root, 0);
  }

  private add(name: string, root: ListNode, pos: number): void {
    const existing = this.trees.get(name);
    if (existing === undefined || isEmptyTree(existing)) {
      this.trees.set(name, root);
      return;
    }
    if (!isEmptyTree(root)) this.fail(`multiple definition of template ${JSON.stringify(name)}`, pos);
  }

  /** Parses a nested tree (define/block body) with its own variable scope and no enclosing range. */
  private subTree(name: string, pos: number, context: string): void {
    const savedVars = this.vars;
    const savedRange = this.rangeDepth;
    this.vars = ["$"];
    this.rangeDepth = 0;
    const [list, end] = this.itemList();
    if (end.kind !== "end") this.fail(`unexpected {{${end.kind}}} in ${context}`, end.pos);
    this.vars = savedVars;
    this.rangeDepth = savedRange;
    this.add(name, list, pos);
  }

  private parseDefinition(): void {
    const context = "define clause";
    const nameTok = this.nextNonSpace();
    if (nameTok.type !== "string" && nameTok.type !== "rawString") this.unexpected(nameTok, context);
    const name = this.unquote(nameTok);
    this.expect("rightDelim", context);
    this.enter(nameTok.pos);
    this.subTree(name, nameTok.pos, context);
    this.leave();
  }

  private itemList(): [ListNode, Marker] {
    const list: ListNode = { kind: "list", nodes: [] };
    while (this.peekNonSpace().type !== "eof") {
      const n = this.textOrAction();
      if (isMarker(n)) return [list, n];
      list.nodes.push(n);
    }
    this.fail("unexpected EOF", this.peek().pos);
  }

  private textOrAction(): TreeNode | Marker {
    const t = this.nextNonSpace();
    if (t.type === "text") return { kind: "text", text: t.val };
    if (t.type === "leftDelim") return this.action();
    this.unexpected(t, "input");
  }

  private action(): TreeNode | Marker {
    const t = this.nextNonSpace();
    switch (t.type) {
      case "block":
        return this.blockControl(t);
      case "break":
      case "continue":
        return this.loopControl(t);
      case "else":
        return this.elseControl(t);
      case "end":
        this.expect("rightDelim", "end");
        return { kind: "end", pos: t.pos, src: "end" };
      case "if":
      case "range":
      case "with":
        return this.control(t);
      case "template":
        return this.templateControl(t);
      default:
        break;
    }
    this.backup();
    const pipe = this.pipeline("command", "rightDelim");
    return { kind: "action", pos: pipe.pos, src: pipe.src, pipe };
  }

  private loopControl(t: Token): TreeNode {
    const kind = t.type === "break" ? "break" : "continue";
    const close = this.nextNonSpace();
    if (close.type !== "rightDelim") this.unexpected(close, `{{${kind}}}`);
    if (this.rangeDepth === 0) this.fail(`{{${kind}}} outside {{range}}`, t.pos);
    return { kind, pos: t.pos, src: kind };
  }

  private elseControl(t: Token): Marker {
    const p = this.peekNonSpace();
    if (p.type === "if" || p.type === "with") return { kind: "else", pos: p.pos, src: "else" };
    this.expect("rightDelim", "else");
    return { kind: "else", pos: t.pos, src: "else" };
  }

  private control(t: Token): TreeNode {
    const context = t.type as "if" | "range" | "with";
    const varsAtEntry = this.vars.length;
    this.enter(t.pos);
    const pipe = this.pipeline(context, "rightDelim");
    if (context === "range") this.rangeDepth++;
    const [list, next] = this.itemList();
    if (context === "range") this.rangeDepth--;
    let elseList: ListNode | undefined;
    if (next.kind === "else") {
      const p = this.peek();
      if ((context === "if" && p.type === "if") || (context === "with" && p.type === "with")) {
        // `{{else if x}}` is `{{else}}{{if x}}…{{end}}{{end}}` with the inner end shared.
        const inner = this.next();
        elseList = { kind: "list", nodes: [this.control(inner)] };
      } else {
        const [l, end] = this.itemList();
        if (end.kind !== "end") this.fail(`expected end; found {{${end.kind}}}`, end.pos);
        elseList = l;
      }
    }
    this.leave();
    this.vars.length = varsAtEntry;
    const src = `${context} ${pipe.src}`;
    if (context === "range") return { kind: "range", pos: t.pos, src, pipe, list, elseList };
    return { kind: context, pos: t.pos, src, pipe, list, elseList };
  }

  private templateName(t: Token, context: string): string {
    if (t.type !== "string" && t.type !== "rawString") this.unexpected(t, context);
    return this.unquote(t);
  }

  private templateControl(t: Token): TemplateNode {
    const context = "template clause";
    const name = this.templateName(this.nextNonSpace(), context);
    let pipe: PipeNode | undefined;
    if (this.nextNonSpace().type !== "rightDelim") {
      this.backup();
      pipe = this.pipeline(context, "rightDelim");
    }
    return { kind: "template", pos: t.pos, src: this.srcBeforeDelim(t.pos), name, pipe };
  }

  private blockControl(t: Token): TemplateNode {
    const context = "block clause";
    const nameTok = this.nextNonSpace();
    const name = this.templateName(nameTok, context);
    const pipe = this.pipeline(context, "rightDelim");
    const src = this.srcBeforeDelim(t.pos);
    this.enter(t.pos);
    this.subTree(name, nameTok.pos, context);
    this.leave();
    return { kind: "template", pos: t.pos, src, name, pipe };
  }

  private pipeline(context: string, end: TokenType): PipeNode {
    const start = this.peekNonSpace().pos;
    const decl: string[] = [];
    let isAssign = false;
    for (;;) {
      const v = this.peekNonSpace();
      if (v.type !== "variable") break;
      const at = this.i;
      this.next();
      const n = this.peekNonSpace();
      if (n.type === "assign" || n.type === "declare") {
        isAssign = n.type === "assign";
        this.nextNonSpace();
        decl.push(v.val);
        this.vars.push(v.val);
        break;
      }
      if (n.type === "char" && n.val === ",") {
        this.nextNonSpace();
        decl.push(v.val);
        this.vars.push(v.val);
        if (context === "range" && decl.length < 2) {
          const p = this.peekNonSpace();
          if (p.type === "variable" || p.type === "rightDelim" || p.type === "rightParen") continue;
          this.fail("range can only initialize variables", p.pos);
        }
        this.fail(`too many declarations in ${context}`, n.pos);
      }
      this.i = at;
      break;
    }
    const cmds: CommandNode[] = [];
    for (;;) {
      const t = this.nextNonSpace();
      if (t.type === end) {
        const pipe: PipeNode = { kind: "pipe", pos: start, src: this.input.slice(start, t.pos).trim(), isAssign, decl, cmds };
        this.checkPipeline(pipe, context, t);
        return pipe;
      }
      if (!OPERAND_START.has(t.type)) this.unexpected(t, context);
      this.backup();
      cmds.push(this.command());
    }
  }

  private checkPipeline(pipe: PipeNode, context: string, endTok: Token): void {
    if (pipe.cmds.length === 0) this.fail(`missing value for ${context}`, endTok.pos);
    for (let i = 1; i < pipe.cmds.length; i++) {
      const first = pipe.cmds[i]!.args[0]!;
      if (first.kind === "bool" || first.kind === "dot" || first.kind === "nil" || first.kind === "number" || first.kind === "string") {
        this.fail(`non executable command in pipeline stage ${i + 1}`, first.pos);
      }
    }
  }

  private command(): CommandNode {
    const start = this.peekNonSpace().pos;
    const args: ArgNode[] = [];
    for (;;) {
      this.peekNonSpace();
      const operand = this.operand();
      if (operand !== undefined) args.push(operand);
      const t = this.next();
      if (t.type === "space") continue;
      if (t.type === "rightDelim" || t.type === "rightParen") this.backup();
      else if (t.type !== "pipe") this.unexpected(t, "operand");
      break;
    }
    if (args.length === 0) this.fail("empty command", start);
    return { kind: "command", pos: start, src: this.input.slice(start, this.lastEnd()).trim(), args };
  }

  private operand(): ArgNode | undefined {
    const node = this.term();
    if (node === undefined) return undefined;
    if (this.peek().type !== "field") return node;
    const fields: string[] = [];
    while (this.peek().type === "field") fields.push(this.next().val.slice(1));
    const src = this.src(node.pos);
    switch (node.kind) {
      case "field":
        return { kind: "field", pos: node.pos, src, idents: [...node.idents, ...fields] };
      case "variable":
        return { kind: "variable", pos: node.pos, src, idents: [...node.idents, ...fields] };
      case "bool":
      case "string":
      case "number":
      case "nil":
      case "dot":
        this.fail(`unexpected . after term ${JSON.stringify(node.src)}`, node.pos);
      // falls through: fail never returns
      default:
        return { kind: "chain", pos: node.pos, src, node, fields };
    }
  }

  private unquote(t: Token): string {
    const s = unquoteString(t.val);
    if (!s.ok) this.fail(`invalid string literal ${t.val}: ${s.error}`, t.pos);
    return s.value;
  }

  private term(): ArgNode | undefined {
    const t = this.nextNonSpace();
    const base = { pos: t.pos, src: t.val };
    switch (t.type) {
      case "identifier":
        if (!this.funcs.has(t.val)) this.fail(`function ${JSON.stringify(t.val)} not defined`, t.pos);
        return { kind: "identifier", ...base, name: t.val };
      case "dot":
        return { kind: "dot", ...base };
      case "nil":
        return { kind: "nil", ...base };
      case "variable":
        if (!this.vars.includes(t.val)) this.fail(`undefined variable ${JSON.stringify(t.val)}`, t.pos);
        return { kind: "variable", ...base, idents: [t.val] };
      case "field":
        return { kind: "field", ...base, idents: [t.val.slice(1)] };
      case "bool":
        return { kind: "bool", ...base, value: t.val === "true" };
      case "charConstant":
      case "complex":
      case "number": {
        const c = parseNumberConstant(t.val, t.type === "charConstant");
        if (!c.ok) this.fail(c.error, t.pos);
        return { kind: "number", ...base, constant: c.value };
      }
      case "leftParen": {
        this.enter(t.pos);
        const pipe = this.pipeline("parenthesized pipeline", "rightParen");
        this.leave();
        return { ...pipe, pos: t.pos, src: this.src(t.pos) };
      }
      case "string":
      case "rawString":
        return { kind: "string", ...base, text: this.unquote(t) };
      default:
        this.backup();
        return undefined;
    }
  }
}

/**
 * Parses a template text. `funcs` is the set of callable function names (built-ins plus custom functions): calling
 * any other name is a parse error, as in Go. Returns every tree by name; the main body is under `name`.
 */
export function parseTemplate(name: string, text: string, funcs: ReadonlySet<string>): Result<TreeSet, TemplateError> {
  const p = new Parser(text, lex(text), funcs);
  try {
    p.parse(name);
  } catch (e) {
    if (e instanceof ParseFailure) {
      const { line, column } = positionOf(text, e.pos);
      return err({ message: e.message, line, column });
    }
    if (e instanceof RangeError) {
      // Deep nesting is bounded above; this only guards against a stack we did not foresee.
      return err({ message: `template too complex to parse: ${e.message}`, line: 1, column: 1 });
    }
    throw e;
  }
  return ok(p.trees);
}
