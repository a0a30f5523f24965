#!/usr/bin/env node
/** `npm run docs`: regenerates the README's configuration reference from the option table. */
import { readFile, writeFile } from "node:fs/promises";
import { withConfigSection } from "../config/readme-section.js";

const path = process.argv[2] ?? "README.md";
const before = await readFile(path, "utf8");
const after = withConfigSection(before);
if (after !== before) await writeFile(path, after);
process.stdout.write(after === before ? `${path} is up to date\n` : `${path} updated\n`);
