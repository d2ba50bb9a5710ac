/**
 * The page frame: header with the signed-in user and sign-out form, the "as known at" control and
 * banner, and the main content. Eta escapes `<%= %>` by default; `<%~ %>` is used only for the body
 * (itself rendered by escaping templates) and for the CSRF-free static markup.
 */
export const LAYOUT_TEMPLATE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title><%= it.title %> · trial-ledger viewer</title>
<link rel="stylesheet" href="/viewer/assets/viewer.css">
<link rel="icon" href="data:,">
</head>
<body>
<a class="skip-link" href="#main">Skip to main content</a>
<header class="masthead">
  <a class="brand" href="/viewer">trial-ledger viewer</a>
  <% if (it.actor) { %>
  <nav aria-label="Study pages">
    <% if (it.studyId) { %>
    <a href="/viewer/studies/<%= encodeURIComponent(it.studyId) %><%= it.asOfQuery %>">Dashboard</a>
    <a href="/viewer/studies/<%= encodeURIComponent(it.studyId) %>/subjects<%= it.asOfQuery %>">Subjects</a>
    <% if (it.mayReadTrail) { %><a href="/viewer/studies/<%= encodeURIComponent(it.studyId) %>/audit-trail<%= it.asOfQuery %>">Audit trail</a><% } %>
    <% } %>
  </nav>
  <form class="signout" method="post" action="/viewer/logout">
    <span><%= it.h.person(it.actor) %></span>
    <input type="hidden" name="_csrf" value="<%= it.csrf %>">
    <button type="submit">Sign out</button>
  </form>
  <% } %>
</header>
<main id="main" tabindex="-1">
<% if (it.ledgerDamage) { %>
<p class="damage" role="alert"><strong>Ledger damaged:</strong> <%= it.ledgerDamage.position === null ? 'the server found an event' : 'the event at log position ' + it.ledgerDamage.position %> that no longer matches its hash or the signed checkpoints, so what the viewer shows may not be what was recorded (LEDGER.TAMPERED). An administrator runs trial-ledger verify to name the damage.</p>
<% } %>
<% if (it.asKnownAt) { %>
<p class="as-known-at" role="status"><strong>Historical view:</strong> this page shows the ledger as it was known at <%= it.h.utc(it.asKnownAt) %> (log position <%= it.position %>). <a href="<%= it.currentUrl %>">Show the current page</a></p>
<% } %>
<h1><%= it.title %></h1>
<% if (it.studyId && it.printedAt) { %><p class="print-only">Study <%= it.studyId %> · the ledger <%= it.asKnownAt ? 'as known at ' + it.h.utc(it.asKnownAt) + ', ' : '' %>through log position <%= it.position %> · printed from the trial-ledger viewer by <%= it.h.person(it.actor) %> at <%= it.h.utc(it.printedAt) %></p><% } %>
<% if (it.asOfForm) { %>
<form class="as-of" method="get" action="<%= it.asOfForm.action %>">
  <% for (const [name, value] of it.asOfForm.keep) { %><input type="hidden" name="<%= name %>" value="<%= value %>"><% } %>
  <label for="asKnownAt">As known at (ISO instant, e.g. 2026-03-01T12:00:00Z)</label>
  <input id="asKnownAt" name="asKnownAt" type="text" value="<%= it.asKnownAtInput %>" pattern="\\d{4}-\\d{2}-\\d{2}(T.*)?" inputmode="text">
  <button type="submit">Show</button>
</form>
<% } %>
<%~ it.body %>
</main>
<footer><p>Times are UTC (offset +00:00); clinical dates are calendar dates. Read-only view of the ledger.</p></footer>
</body>
</html>
`;

export const LOGIN_TEMPLATE = `<% layout('@layout') %>
<% if (it.notice) { %><p class="notice" role="status"><%= it.notice %></p><% } %>
<% if (it.message) { %><p class="problem" role="alert"><%= it.message %></p><% } %>
<form class="login" method="post" action="/viewer/login">
  <input type="hidden" name="_csrf" value="<%= it.csrf %>">
  <% if (it.next) { %><input type="hidden" name="next" value="<%= it.next %>"><% } %>
  <p><label for="username">Username</label><input id="username" name="username" type="text" autocomplete="username" required maxlength="200" value="<%= it.username %>"></p>
  <p><label for="password">Password</label><input id="password" name="password" type="password" autocomplete="current-password" required maxlength="1024"></p>
  <p><button type="submit">Sign in</button></p>
</form>
<p><a href="/viewer/password">Change your password</a> (a temporary one an administrator set, or one that has expired, too).</p>
`;

/** Changing one's own password, the way out of a temporary or expired one: no session needed, the current password proves who it is. */
export const PASSWORD_TEMPLATE = `<% layout('@layout') %>
<% if (it.message) { %><p class="problem" role="alert"><%= it.message %></p><% } %>
<p>The new password follows the ledger's rules (long enough, not one of your recent passwords, not your name). Changing it signs you out everywhere you are signed in.</p>
<form class="login" method="post" action="/viewer/password">
  <input type="hidden" name="_csrf" value="<%= it.formCsrf %>">
  <p><label for="username">Username</label><input id="username" name="username" type="text" autocomplete="username" required maxlength="200" value="<%= it.username %>"></p>
  <p><label for="currentPassword">Current password</label><input id="currentPassword" name="currentPassword" type="password" autocomplete="current-password" required maxlength="1024"></p>
  <p><label for="newPassword">New password</label><input id="newPassword" name="newPassword" type="password" autocomplete="new-password" required maxlength="1024"></p>
  <p><label for="confirmPassword">New password again</label><input id="confirmPassword" name="confirmPassword" type="password" autocomplete="new-password" required maxlength="1024"></p>
  <p><button type="submit">Change password</button></p>
</form>
<p><a href="/viewer/login">Back to sign-in</a></p>
`;

export const HOME_TEMPLATE = `<% layout('@layout') %>
<% if (it.studies.length === 0) { %><p>The ledger holds no study yet.</p><% } else { %>
<ul class="studies">
<% for (const study of it.studies) { %><li><% if (it.reader) { %><a href="/viewer/studies/<%= encodeURIComponent(study.studyId) %>"><%= study.studyId %></a><% } else { %><%= study.studyId %><% } %> <%= study.title ?? '' %></li><% } %>
</ul>
<% if (!it.reader) { %><p class="muted">The study pages show subject data: they open for coordinators, investigators, monitors and regulators, not for the <%= it.actor.role %> role.</p><% } %>
<% } %>
`;

export const PROBLEM_TEMPLATE = `<% layout('@layout') %>
<p class="problem" role="alert"><%= it.detail %></p>
<p>Code: <code><%= it.code %></code> · HTTP <%= it.status %></p>
<p><a href="/viewer">Back to the viewer</a></p>
`;

/** Screen and print styles, served from `/viewer/assets/viewer.css` (the CSP allows no inline style). */
export const VIEWER_CSS = `
:root { color-scheme: light; --ink: #1b1f24; --muted: #4a5360; --line: #c9ced6; --accent: #0b5cad; --warn: #8a4b00; --bad: #a4161a; --ok: #1e6b34; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.45 system-ui, sans-serif; color: var(--ink); background: #fff; }
.masthead { display: flex; flex-wrap: wrap; gap: 1rem; align-items: center; padding: .6rem 1rem; background: #0d2b4c; color: #fff; }
.masthead a { color: #fff; }
.masthead nav { display: flex; gap: 1rem; flex: 1; }
.brand { font-weight: 700; text-decoration: none; }
.signout { display: flex; gap: .5rem; align-items: center; }
main { padding: 1rem 1.25rem 2rem; max-width: 80rem; }
h1 { font-size: 1.5rem; margin: .5rem 0 1rem; }
h2 { font-size: 1.2rem; margin: 1.5rem 0 .5rem; border-bottom: 1px solid var(--line); }
h3 { font-size: 1.05rem; margin: 1rem 0 .4rem; }
a { color: var(--accent); }
table { border-collapse: collapse; width: 100%; margin: .5rem 0 1rem; }
th, td { border: 1px solid var(--line); padding: .3rem .45rem; text-align: left; vertical-align: top; }
th { background: #eef1f5; }
/* Recorded text as recorded: line breaks and runs of spaces kept (a correction of one reads as one), and a long word
   (a code pasted without spaces) wrapped inside its cell rather than widening the table beyond the window. */
td, dd, bdi { white-space: pre-wrap; }
bdi, .text, dl.facts dd { overflow-wrap: anywhere; }
.as-known-at { background: #fff4d6; border: 2px solid var(--warn); padding: .6rem .8rem; }
.problem { background: #fde8e8; border: 2px solid var(--bad); padding: .6rem .8rem; }
/* Visually hidden until focused: the first Tab of every page reaches it (WCAG 2.4.1). */
.skip-link { position: absolute; left: -10000px; top: auto; width: 1px; height: 1px; overflow: hidden; }
.skip-link:focus { position: static; display: inline-block; width: auto; height: auto; margin: .4rem 1rem; padding: .4rem .8rem; background: #fff; color: var(--accent); border: 2px solid var(--accent); }
main:focus { outline: none; }
.damage { background: #fde8e8; border: 3px solid var(--bad); padding: .6rem .8rem; }
.notice { background: #e6f4ea; border: 2px solid var(--ok); padding: .6rem .8rem; }
.ok { color: var(--ok); font-weight: 600; }
.bad { color: var(--bad); font-weight: 600; }
.muted { color: var(--muted); }
.voided { text-decoration: line-through; }
form.as-of, form.filters { display: flex; flex-wrap: wrap; gap: .5rem 1rem; align-items: end; margin: 0 0 1rem; padding: .6rem; background: #f5f7fa; border: 1px solid var(--line); }
form.filters label, form.as-of label { display: flex; flex-direction: column; font-size: .9rem; }
form.login label { display: block; }
input, select, button { font: inherit; padding: .25rem .4rem; }
button { cursor: pointer; }
.history { margin: 0; padding-left: 1.1rem; }
.trail .recorded { overflow-wrap: anywhere; }
.km svg { max-width: min(40rem, 100%); height: auto; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: .2rem 1rem; }
dl.facts dt { font-weight: 600; }
footer { padding: 0 1.25rem 1rem; color: var(--muted); font-size: .85rem; }
/* What a page is, said on paper, where the navigation naming the study is not printed. */
.print-only { display: none; }
/* A phone: a wide table (the trail, the subjects, a casebook's doses, assessments, events, signatures) scrolls
   sideways inside its own box, which the keyboard reaches and scrolls too; the rest of the page keeps to the window.
   A recorded value's table (four columns) wraps a long word or instant instead. */
.wide { overflow-x: auto; }
.wide:focus-visible { outline: 2px solid var(--accent); outline-offset: 2px; }
@media screen and (max-width: 48rem) {
  .entry th, .entry td { overflow-wrap: anywhere; }
  main { padding: .75rem .5rem 1.5rem; }
}
@media print {
  .skip-link, .masthead nav, .signout, form.as-of, form.filters, .downloads, .pager { display: none; }
  .print-only { display: block; }
  .masthead { background: none; color: #000; border-bottom: 1px solid #000; }
  .masthead a { color: #000; }
  body { font-size: 11pt; }
  a { color: #000; text-decoration: none; }
  table { page-break-inside: auto; }
  tr { page-break-inside: avoid; }
  /* On paper nothing scrolls: a wide table is printed whole, its cells wrapping where the page is too narrow. */
  .wide { overflow: visible; }
  th, td { overflow-wrap: anywhere; }
  .as-known-at { border: 2px solid #000; background: none; }
}
`;
