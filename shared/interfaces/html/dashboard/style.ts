/** The dashboard's stylesheet: system fonts, WCAG AA contrast (text ≥ 4.5:1), visible focus, status never by colour alone. */
export const DASHBOARD_CSS = `
:root { --fg: #1b1f23; --muted: #4a5561; --bg: #ffffff; --line: #c9d1d9; --accent: #0b5cad; --ok: #1a6b33; --bad: #a4161a; --wait: #7a4d00; --waitbg: #fff4d6; --run: #0b5cad; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg); background: var(--bg); }
a { color: var(--accent); }
:focus-visible { outline: 3px solid #f0a500; outline-offset: 2px; }
.skip { position: absolute; left: -999px; top: 0; background: var(--fg); color: #fff; padding: 6px 10px; }
.skip:focus { left: 8px; }
.visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
header { display: flex; gap: 24px; align-items: center; padding: 10px 20px; border-bottom: 1px solid var(--line); }
.brand { font-weight: 700; font-size: 18px; }
nav a { margin-right: 16px; text-decoration: none; padding: 4px 2px; }
nav a[aria-current="page"] { border-bottom: 3px solid var(--accent); font-weight: 600; }
main { padding: 16px 20px 40px; max-width: 1200px; }
h1 { font-size: 22px; margin: 4px 0 12px; }
h2 { font-size: 17px; margin: 24px 0 8px; }
table { border-collapse: collapse; width: 100%; margin: 8px 0; }
th, td { text-align: left; padding: 6px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { font-weight: 600; color: var(--muted); font-size: 13px; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
tr.awaiting { background: var(--waitbg); }
.status { font-weight: 600; white-space: nowrap; }
.status-SUCCEEDED, .status-NO_CHANGE { color: var(--ok); }
.status-ROLLED_BACK, .status-FAILED, .status-REJECTED, .status-DRIFTED { color: var(--bad); }
.status-AWAITING_APPROVAL { color: var(--wait); }
.status-RUNNING, .status-PENDING { color: var(--run); }
.badge { display: inline-block; margin-left: 6px; padding: 0 6px; border: 1px solid var(--wait); border-radius: 3px; color: var(--wait); font-size: 12px; font-weight: 600; }
form.filters { display: flex; flex-wrap: wrap; gap: 12px; align-items: flex-end; margin: 8px 0 12px; }
form.filters label { display: flex; flex-direction: column; font-size: 13px; color: var(--muted); }
input, select, textarea, button { font: inherit; }
input, select, textarea { padding: 5px 6px; border: 1px solid #6e7781; border-radius: 4px; color: var(--fg); background: #fff; }
button { padding: 6px 12px; border: 1px solid #6e7781; border-radius: 4px; background: #f6f8fa; color: var(--fg); cursor: pointer; }
button.primary { background: var(--accent); border-color: var(--accent); color: #fff; }
button.danger { background: var(--bad); border-color: var(--bad); color: #fff; }
button[disabled] { opacity: 0.6; cursor: not-allowed; }
.controls { display: flex; gap: 10px; margin: 12px 0; flex-wrap: wrap; }
.facts { display: grid; grid-template-columns: max-content 1fr; gap: 4px 16px; margin: 8px 0; }
.facts dt { color: var(--muted); }
.facts dd { margin: 0; overflow-wrap: anywhere; }
.reason { border-left: 4px solid var(--bad); background: #fdecea; padding: 8px 12px; margin: 12px 0; overflow-wrap: anywhere; }
.notice { border-left: 4px solid var(--wait); background: var(--waitbg); padding: 8px 12px; margin: 12px 0; }
.error { border-left: 4px solid var(--bad); background: #fdecea; padding: 8px 12px; margin: 12px 0; }
.muted { color: var(--muted); }
svg.timeline { width: 100%; height: auto; max-width: 1000px; border: 1px solid var(--line); background: #fff; }
svg .axis { stroke: #6e7781; stroke-width: 1; }
svg .grid { stroke: #e1e4e8; stroke-width: 1; }
svg .weight-line { fill: none; stroke: var(--accent); stroke-width: 2.5; }
svg .weight-point { fill: var(--accent); stroke: #fff; stroke-width: 1.5; }
svg .event-mark { stroke-width: 2; }
svg .mark-check-ok { stroke: var(--ok); }
svg .mark-check-bad { stroke: var(--bad); }
svg .mark-approval { stroke: var(--wait); }
svg .mark-end-ok { stroke: var(--ok); stroke-dasharray: 4 3; }
svg .mark-end-bad { stroke: var(--bad); stroke-dasharray: 4 3; }
svg .mark-other { stroke: #6e7781; }
svg text { font: 12px system-ui, sans-serif; fill: var(--muted); }
.legend { font-size: 13px; color: var(--muted); }
.bar { display: inline-block; height: 12px; background: var(--accent); vertical-align: middle; }
dialog { border: 1px solid var(--line); border-radius: 6px; max-width: 520px; }
dialog::backdrop { background: rgba(0,0,0,0.35); }
dialog .actions { display: flex; gap: 10px; justify-content: flex-end; }
`;
