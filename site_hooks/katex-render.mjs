// Render TeX to HTML with KaTeX, once per build: one JSON request per line on stdin,
// one JSON answer per line on stdout ({"html": ...} or {"error": ...}).
import { createInterface } from "node:readline";
import katex from "katex";

const lines = createInterface({ input: process.stdin });
for await (const line of lines) {
  const { tex, display } = JSON.parse(line);
  let answer;
  try {
    answer = { html: katex.renderToString(tex, { displayMode: display, throwOnError: true, strict: "error", output: "htmlAndMathml" }) };
  } catch (error) {
    answer = { error: String(error.message) };
  }
  process.stdout.write(JSON.stringify(answer) + "\n");
}
