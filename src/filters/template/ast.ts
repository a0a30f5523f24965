/**
 * Parse tree of a template, mirroring Go's text/template/parse node kinds. Every node keeps `pos`, the UTF-16
 * offset of its first character, so execution errors can name a line and column, and `src`, the source text used as
 * the error context (Go's `at <…>`).
 */
import type { NumberConstant } from "./literals.js";

interface At {
  readonly pos: number;
  readonly src: string;
}

export interface ListNode {
  readonly kind: "list";
  readonly nodes: TreeNode[];
}

export interface TextNode {
  readonly kind: "text";
  readonly text: string;
}

export interface ActionNode extends At {
  readonly kind: "action";
  readonly pipe: PipeNode;
}

export interface IfNode extends At {
  readonly kind: "if" | "with";
  readonly pipe: PipeNode;
  readonly list: ListNode;
  readonly elseList: ListNode | undefined;
}

export interface RangeNode extends At {
  readonly kind: "range";
  readonly pipe: PipeNode;
  readonly list: ListNode;
  readonly elseList: ListNode | undefined;
}

export interface TemplateNode extends At {
  readonly kind: "template";
  readonly name: string;
  readonly pipe: PipeNode | undefined;
}

export interface LoopControlNode extends At {
  readonly kind: "break" | "continue";
}

export type TreeNode = ListNode | TextNode | ActionNode | IfNode | RangeNode | TemplateNode | LoopControlNode;

/** A pipeline: optional declarations (`$x :=`, `$i, $v :=`) or assignment (`$x =`), then `|`-separated commands. */
export interface PipeNode extends At {
  readonly kind: "pipe";
  readonly isAssign: boolean;
  readonly decl: string[];
  readonly cmds: CommandNode[];
}

export interface CommandNode extends At {
  readonly kind: "command";
  readonly args: ArgNode[];
}

/** `.A.B`: fields looked up from dot. */
export interface FieldNode extends At {
  readonly kind: "field";
  readonly idents: string[];
}

/** `$x.A.B`: `idents[0]` is the variable name (with `$`), the rest are fields. */
export interface VariableNode extends At {
  readonly kind: "variable";
  readonly idents: string[];
}

/** `(pipeline).A.B`. */
export interface ChainNode extends At {
  readonly kind: "chain";
  readonly node: ArgNode;
  readonly fields: string[];
}

export interface IdentifierNode extends At {
  readonly kind: "identifier";
  readonly name: string;
}

export interface DotNode extends At {
  readonly kind: "dot";
}

export interface NilNode extends At {
  readonly kind: "nil";
}

export interface BoolNode extends At {
  readonly kind: "bool";
  readonly value: boolean;
}

export interface NumberNode extends At {
  readonly kind: "number";
  readonly constant: NumberConstant;
}

export interface StringNode extends At {
  readonly kind: "string";
  readonly text: string;
}

export type ArgNode =
  | FieldNode
  | VariableNode
  | ChainNode
  | IdentifierNode
  | DotNode
  | NilNode
  | BoolNode
  | NumberNode
  | StringNode
  | PipeNode;
