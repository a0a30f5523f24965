import type { Middleware } from "koa";
import { compileTemplate } from "../../../filters/template/index.js";
import { MatrixError } from "../../matrix-error.js";
import { runHook, type AdminDeps } from "./deps.js";
import { readAdminBody } from "./json-input.js";
import { orThrow } from "./storage-failure.js";

const UTF8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/** `GET /api/v1/keyword_templates/{name}`: `{"name","body"}`, or 404 `M_NOT_FOUND "Template not found"`. */
export function getKeywordTemplate(deps: AdminDeps): Middleware {
  return async (ctx) => {
    const template = orThrow(await deps.repos.keywordTemplates.get(String(ctx.params["name"])));
    if (template === null) throw new MatrixError("M_NOT_FOUND", "Template not found");
    ctx.body = { name: template.name, body: template.body };
  };
}

/**
 * `POST /api/v1/keyword_templates/{name}`: the raw body (any content type, not JSON) becomes the template, created
 * or replaced; an empty body stores `""`, upstream's "deletion". Unlike upstream, the text is parsed first and a
 * broken template is refused with 400 `M_BAD_JSON` naming its line and column, so a typo can no longer make every
 * check of the communities using it fail.
 */
export function putKeywordTemplate(deps: AdminDeps): Middleware {
  return async (ctx) => {
    const name = String(ctx.params["name"]);
    const raw = await readAdminBody(ctx);
    let body: string;
    try {
      body = UTF8.decode(raw);
    } catch {
      throw new MatrixError("M_BAD_JSON", `Template ${JSON.stringify(name)} is not valid UTF-8 text`);
    }
    if (body.includes("\u0000")) {
      throw new MatrixError("M_BAD_JSON", `Template ${JSON.stringify(name)} contains a NUL character, which cannot be stored`);
    }
    const compiled = compileTemplate(name, body);
    if (!compiled.ok) {
      const { line, column, message } = compiled.error;
      throw new MatrixError("M_BAD_JSON", `Template ${JSON.stringify(name)} does not parse at line ${line}, column ${column}: ${message}`, {
        extra: { line, column },
      });
    }
    orThrow(await deps.repos.keywordTemplates.put({ name, body }));
    deps.logger.info({ template: name, bytes: raw.length }, "Stored keyword template");
    runHook(deps.logger, "onTemplatesChanged", () => deps.hooks.onTemplatesChanged());
    ctx.body = { name, body };
  };
}
