// Render TeX to MathML with Temml, once per build: one JSON request per line on stdin,
// one JSON answer per line on stdout ({"mathml": ...} or {"error": ...}).
import { createInterface } from "node:readline";
import temml from "temml";

const lines = createInterface({ input: process.stdin });
for await (const line of lines) {
  const { tex, display } = JSON.parse(line);
  let answer;
  try {
    answer = { mathml: temml.renderToString(tex, { displayMode: display, throwOnError: true, strict: true }) };
  } catch (error) {
    answer = { error: String(error.message) };
  }
  process.stdout.write(JSON.stringify(answer) + "\n");
}
