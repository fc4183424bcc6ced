// Open an HTML report in Chromium, run steps, and say what a person would see after each.
// argv: report.html steps.json screenshot-prefix. stdout: JSON {requests, errors, observations: [...]}.
// A step: {"fill": "#q", "value": "..."} | {"select": "#namespace", "value": "..."} | {"check": "#weak-only"}
//         | {"click": "#reset"} | {"observe": "name", "screenshot": true}
import { pathToFileURL } from "node:url";
import fs from "node:fs";
import { withPage } from "./chromium.mjs";

const [report, stepsFile, shotPrefix] = process.argv.slice(2);
const steps = JSON.parse(fs.readFileSync(stepsFile, "utf8"));
const url = pathToFileURL(report).href;

const result = await withPage(async (page, { requests, errors }) => {
  await page.goto(url);
  const observations = [];
  for (const step of steps) {
    if (step.fill) await page.fill(step.fill, step.value);
    else if (step.select) await page.selectOption(step.select, step.value);
    else if (step.check) await page.check(step.check);
    else if (step.click) await page.click(step.click);
    else if (step.observe) {
      const seen = await page.evaluate(() => {
        const data = JSON.parse(document.getElementById("graph-data").textContent);
        const shown = (el) => el && !el.classList.contains("dim") && getComputedStyle(el).opacity !== "0";
        const nodes = Object.entries(data.nodes).map(([id, n]) => {
          const el = document.getElementById(id);
          const box = el ? el.getBoundingClientRect() : null;
          return { id, label: n.label, kind: n.kind, status: n.status, flags: n.flags, present: Boolean(el),
                   visible: shown(el), text: el ? el.textContent : "", width: box ? box.width : 0,
                   classes: el ? el.getAttribute("class") : "" };
        });
        const edges = Object.entries(data.edges).map(([id, e]) => {
          const el = document.getElementById(id);
          return { id, source: e.source, target: e.target, kind: e.kind, status: e.status, present: Boolean(el), visible: shown(el) };
        });
        const rows = [...document.querySelectorAll("tbody tr[data-service]")]
          .filter((r) => getComputedStyle(r).display !== "none").map((r) => r.dataset.service);
        const weaknesses = [...document.querySelectorAll("#weaknesses li")]
          .filter((r) => getComputedStyle(r).display !== "none").map((r) => r.textContent);
        return { nodes, edges, rows, weaknesses, count: document.getElementById("match-count").textContent,
                 title: document.title };
      });
      if (step.screenshot) {
        seen.screenshot = `${shotPrefix}-${step.observe}.png`;
        await page.screenshot({ path: seen.screenshot, fullPage: false });
      }
      observations.push({ name: step.observe, ...seen });
    }
  }
  return { requests, errors, observations };
});
process.stdout.write(JSON.stringify(result));
