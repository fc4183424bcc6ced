// Render Mermaid texts in Chromium with Mermaid's own bundle (as GitHub does in the browser) and read back
// what shows: node labels and edge labels. argv: texts.json screenshot-prefix. stdout: JSON list.
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { withPage } from "./chromium.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const [textsFile, shotPrefix] = process.argv.slice(2);
const texts = JSON.parse(fs.readFileSync(textsFile, "utf8"));

const out = await withPage(async (page, { requests, errors }) => {
  await page.setContent("<!doctype html><html><body><div id='out'></div></body></html>");
  await page.addScriptTag({ path: path.join(here, "node_modules/mermaid/dist/mermaid.min.js") });
  const results = [];
  for (const [i, text] of texts.entries()) {
    const seen = await page.evaluate(async (source) => {
      // GitHub renders with securityLevel strict; so do we.
      window.mermaid.initialize({ startOnLoad: false, securityLevel: "strict", flowchart: { htmlLabels: true } });
      const holder = document.getElementById("out");
      try {
        const { svg } = await window.mermaid.render("graph" + Math.floor(Math.random() * 1e9), source);
        holder.innerHTML = svg;
      } catch (e) {
        return { ok: false, error: String(e && e.message ? e.message : e) };
      }
      // HTML labels (in foreignObject) keep their line breaks in innerText; SVG text has textContent only.
      const text = (el) => (el.innerText !== undefined ? el.innerText : el.textContent);
      const nodes = [...holder.querySelectorAll("g.node")].map((n) => {
        const label = n.querySelector(".nodeLabel") || n;
        return { id: n.id, text: text(label), classes: n.getAttribute("class"),
                 decoration: getComputedStyle(label).textDecorationLine };
      });
      const edgeLabels = [...holder.querySelectorAll("g.edgeLabel")]
        .map((n) => text(n.querySelector(".edgeLabel") || n)).filter((t) => t.trim());
      const clusters = [...holder.querySelectorAll("g.cluster")].map((n) => text(n.querySelector(".nodeLabel") || n));
      return { ok: true, nodes, edgeLabels, clusters };
    }, text);
    if (seen.ok && shotPrefix) {
      const box = await page.$("#out svg");
      seen.screenshot = `${shotPrefix}-${i}.png`;
      await box.screenshot({ path: seen.screenshot });
    }
    results.push(seen);
  }
  return { results, requests, errors };
});
process.stdout.write(JSON.stringify(out));
