"""The HTML report's stylesheet and script, inlined into every report (no network access, no CDN)."""

from __future__ import annotations

CSP = "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:"
"""The report loads nothing: the page's own policy says so to the browser too."""

CSS = """
:root { color-scheme: light; --fg:#24292f; --muted:#57606a; --line:#d0d7de; --bad:#cf222e; --add:#1a7f37;
  --wide:#bc4c00; }
* { box-sizing: border-box; }
body { font: 14px/1.45 -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; color: var(--fg); margin: 0; }
header { padding: 16px 24px 8px; border-bottom: 1px solid var(--line); }
h1 { font-size: 20px; margin: 0 0 4px; } h2 { font-size: 16px; margin: 24px 0 8px; }
.sub { color: var(--muted); } .summary { margin-top: 6px; font-weight: 600; }
.controls { position: sticky; top: 0; z-index: 2; background: #f6f8fa; border-bottom: 1px solid var(--line);
  padding: 8px 24px; display: flex; flex-wrap: wrap; gap: 8px 16px; align-items: center; }
.controls input[type=search] { width: 320px; padding: 4px 8px; }
.controls select { max-width: 220px; }
#match-count { color: var(--muted); }
main { padding: 0 24px 32px; }
.layout { display: flex; gap: 24px; align-items: flex-start; }
#graph { flex: 1 1 auto; overflow: auto; border: 1px solid var(--line); border-radius: 6px; padding: 8px;
  max-height: 80vh; }
#graph svg { max-width: 100%; height: auto; }
#graph.actual svg { max-width: none; }
#graph g.node, #graph g.edge, #graph g.cluster { transition: opacity .15s; }
#graph .dim { opacity: .1; }
#graph g.node { cursor: pointer; }
aside { flex: 0 0 320px; max-height: 80vh; overflow: auto; }
aside ul { padding-left: 18px; margin: 4px 0; } aside li { margin: 4px 0; overflow-wrap: anywhere; }
aside li.hidden, tr.hidden { display: none; }
.cat { font-weight: 600; } .cat-admin, .cat-wildcard, .cat-unpinned, .cat-weak { color: var(--bad); }
.legend span { display: inline-block; margin-right: 14px; }
.swatch { display: inline-block; width: 12px; height: 12px; border: 2px solid; vertical-align: -2px;
  margin-right: 4px; }
table { border-collapse: collapse; width: 100%; margin-top: 8px; font-size: 13px; }
th, td { border: 1px solid var(--line); padding: 4px 6px; text-align: left; vertical-align: top; }
th { background: #f6f8fa; position: sticky; top: 44px; }
td ul { margin: 0; padding-left: 16px; }
code { font: 12px ui-monospace, SFMono-Regular, Menlo, monospace; word-break: break-all; }
.widening { color: var(--wide); font-weight: 600; } .narrowing { color: var(--add); } .neutral { color: var(--muted); }
.weak { color: var(--bad); }
button.link { background: none; border: none; color: #0969da; cursor: pointer; padding: 0; font: inherit;
  text-align: left; }
"""

JS = """
(function () {
  const data = JSON.parse(document.getElementById('graph-data').textContent);
  const $ = (id) => document.getElementById(id);
  const q = $('q'), ns = $('namespace'), cl = $('cluster'), sv = $('service');
  const weak = $('weak-only'), changed = $('changed-only');
  function selected() {
    const text = q.value.trim().toLowerCase();
    const keys = Object.keys(data.services).filter((k) => {
      const s = data.services[k];
      if (text && !s.search.includes(text)) return false;
      if (ns.value && s.namespace !== ns.value) return false;
      if (cl.value && !s.clusters.includes(cl.value)) return false;
      if (sv.value && k !== sv.value) return false;
      if (weak.checked && !s.flagged) return false;
      if (changed && changed.checked && !s.changed) return false;
      return true;
    });
    const active = Boolean(text || ns.value || cl.value || sv.value || weak.checked || (changed && changed.checked));
    return { ok: new Set(keys), active: active };
  }
  function apply() {
    const { ok, active } = selected();
    const visible = new Set();
    for (const [id, n] of Object.entries(data.nodes)) {
      let on = !active || n.kind === 'more' || n.services.some((s) => ok.has(s));
      if (on && active && n.kind === 'cluster' && cl.value && n.cluster && n.cluster !== cl.value) on = false;
      if (on) visible.add(id);
      const el = $(id); if (el) el.classList.toggle('dim', !on);
    }
    for (const [id, e] of Object.entries(data.edges)) {
      const on = visible.has(e.source) && visible.has(e.target) && (!active || e.services.some((s) => ok.has(s)));
      const el = $(id); if (el) el.classList.toggle('dim', !on);
    }
    for (const g of document.querySelectorAll('#graph g.cluster')) {
      const members = data.groups[g.id] || [];
      g.classList.toggle('dim', active && !members.some((m) => visible.has(m)));
    }
    for (const row of document.querySelectorAll('[data-service]')) {
      const keys = row.dataset.service.split(' ');
      row.classList.toggle('hidden', active && !keys.some((k) => ok.has(k)));
    }
    const total = Object.keys(data.services).length;
    $('match-count').textContent = active ? ok.size + ' of ' + total + ' services match' : total + ' services';
    document.body.dataset.matches = String(ok.size);
  }
  for (const el of [q, ns, cl, sv, weak, changed]) if (el) el.addEventListener('input', apply);
  $('reset').addEventListener('click', () => {
    q.value = ''; ns.value = ''; cl.value = ''; sv.value = ''; weak.checked = false;
    if (changed) changed.checked = false;
    apply();
  });
  $('zoom').addEventListener('click', () => $('graph').classList.toggle('actual'));
  for (const [id, n] of Object.entries(data.nodes)) {
    const el = $(id);
    if (el && n.services.length === 1) el.addEventListener('click', () => { sv.value = n.services[0]; apply(); });
  }
  for (const b of document.querySelectorAll('button[data-pick]')) {
    b.addEventListener('click', () => { sv.value = b.dataset.pick; apply(); });
  }
  apply();
})();
"""
