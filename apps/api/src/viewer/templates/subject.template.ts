/**
 * The subject casebook: every recorded value with its history, queries and SDV state, then the clinical views and signatures.
 * Free text shown inside a sentence (values, reasons, query texts, names) is isolated in `<bdi>`: two right-to-left
 * values around the neutral arrow would otherwise form one right-to-left run and read after → before.
 */
export const SUBJECT_TEMPLATE = `<% layout('@layout') %>
<% const c = it.casebook; const h = it.h; %>
<section aria-labelledby="summary">
<h2 id="summary">Summary</h2>
<dl class="facts">
  <dt>Status</dt><dd><%= c.status %></dd>
  <% if (c.screening) { %><dt>Screening date</dt><dd><%= c.screening.screeningDate %></dd><dt>Informed consent date</dt><dd><%= c.screening.consentDate %></dd><dt>Sex</dt><dd><%= c.screening.sex %></dd><dt>Year of birth</dt><dd><%= c.screening.birthYear %></dd><% } %>
  <% if (c.eligibility) { %><dt>Eligibility</dt><dd><%= c.eligibility.confirmed ? 'confirmed' : 'not eligible' %> on <%= c.eligibility.assessmentDate %><% if (c.eligibility.failedCriteria.length) { %> (failed: <%= c.eligibility.failedCriteria.join(', ') %>)<% } %></dd><% } %>
  <% if (c.enrollment) { %><dt>Enrollment</dt><dd>subject number <%= c.enrollment.subjectNumber %>, enrolled <%= c.enrollment.enrollmentDate %></dd><% } %>
  <% if (c.treatmentDiscontinuation) { %><dt>Treatment discontinued</dt><dd><%= c.treatmentDiscontinuation.discontinuationDate %>: <%= c.treatmentDiscontinuation.reason %></dd><% } %>
  <% if (c.withdrawal) { %><dt>Withdrawn</dt><dd><%= c.withdrawal.withdrawalDate %>: <%= c.withdrawal.reason %></dd><% } %>
  <% if (c.death) { %><dt>Death</dt><dd><%= c.death.deathDate %>: <%= c.death.cause %></dd><% } %>
  <% if (c.nextDose) { %><dt>Next dose due</dt><dd>cycle <%= c.nextDose.cycle %> on <%= c.nextDose.dueOn %> (window <%= c.nextDose.windowFrom %> to <%= c.nextDose.windowTo %>)</dd><% } %>
</dl>
</section>

<section aria-labelledby="records">
<h2 id="records">Recorded values and their history</h2>
<% for (const e of it.entries) { %>
<article class="entry" id="entry-<%= e.eventId %>">
<h3<% if (e.voided) { %> class="voided"<% } %>><%= h.eventLabel(e.type) %></h3>
<p class="muted">Recorded <%= e.recordedAt %> by <bdi><%= e.recordedBy %></bdi> · log position <%= e.position %> · event <%= e.eventId %></p>
<% if (e.voided) { %><p class="problem">Voided <%= e.voided.at %> by <bdi><%= e.voided.by %></bdi>. Reason: <bdi class="reason"><%= e.voided.reason %></bdi></p><% } %>
<table>
<thead><tr><th scope="col">Item</th><th scope="col">Original value</th><th scope="col">Corrections (before → after)</th><th scope="col">Current value</th></tr></thead>
<tbody>
<% for (const f of e.fields) { %><tr>
<th scope="row"><%= f.label %></th><td class="text"><%= f.original %></td>
<td><% if (f.changes.length === 0) { %><span class="muted">none</span><% } else { %><ol class="history"><% for (const ch of f.changes) { %><li class="correction"><bdi class="before"><%= ch.before %></bdi> → <bdi class="after"><%= ch.after %></bdi>, by <bdi><%= ch.by %></bdi> at <%= ch.at %>. Reason: <bdi class="reason"><%= ch.reason %></bdi></li><% } %></ol><% } %></td>
<td class="text<% if (e.voided) { %> voided<% } %>"><%= f.current %></td>
</tr><% } %>
</tbody></table>
<p class="sdv sdv-<%= e.sdv.status %>"><%= e.sdv.text %></p>
<% if (e.queries.length === 0) { %><p class="muted">No monitor query.</p><% } else { %>
<h4>Monitor queries</h4>
<ul class="queries">
<% for (const q of e.queries) { %><li class="query" id="query-<%= q.queryId %>"><span class="query-status"><%= q.status %></span>: <bdi class="query-text"><%= q.text %></bdi> (opened <%= q.openedAt %> by <bdi><%= q.openedBy %></bdi>)
<ol class="thread"><% for (const t of q.thread) { %><li><%= t.kind %> at <%= t.at %> by <bdi><%= t.by %></bdi><% if (t.category) { %> [<%= t.category %>]<% } %><% if (t.text) { %>: <bdi><%= t.text %></bdi><% } %></li><% } %></ol></li><% } %>
</ul><% } %>
</article>
<% } %>
</section>

<section aria-labelledby="doses">
<h2 id="doses">Dosing and protocol windows</h2>
<div class="wide" role="region" aria-label="Table of doses" tabindex="0"><table><thead><tr><th scope="col">Cycle</th><th scope="col">Given on</th><th scope="col">Dose (mg)</th><th scope="col">Window</th><th scope="col">In window</th><th scope="col">Corrected</th></tr></thead><tbody>
<% for (const d of c.doses) { %><tr><td><%= d.cycle %></td><td><%= d.administeredOn %></td><td><%= d.doseMg %></td><td><%= d.window ? d.window.from + ' to ' + d.window.to : '—' %></td><td><%= d.withinWindow === null ? '—' : d.withinWindow ? 'yes' : 'no' %></td><td><%= d.corrected ? 'yes' : 'no' %></td></tr><% } %>
<% for (const m of c.missedDoses) { %><tr><td><%= m.cycle %></td><td>missed (due <%= m.dueOn %>)</td><td>—</td><td>—</td><td>—</td><td class="text"><%= m.reason %></td></tr><% } %>
</tbody></table></div>
<h3>Deviations</h3>
<% if (c.deviations.length === 0) { %><p class="muted">None.</p><% } else { %>
<div class="wide" role="region" aria-label="Table of deviations" tabindex="0"><table><thead><tr><th scope="col">Date</th><th scope="col">Category</th><th scope="col">Severity</th><th scope="col">Source</th><th scope="col">Description</th></tr></thead><tbody>
<% for (const d of c.deviations) { %><tr><td><%= d.deviationDate %></td><td><%= d.category %></td><td><%= d.severity %></td><td><%= d.source %></td><td class="text"><%= d.description %></td></tr><% } %>
</tbody></table></div><% } %>
</section>

<section aria-labelledby="tumour">
<h2 id="tumour">Tumour assessments (RECIST 1.1)</h2>
<div class="wide" role="region" aria-label="Table of tumour assessments" tabindex="0"><table><thead><tr><th scope="col">Date</th><th scope="col">Modality</th><th scope="col">Sum of diameters (mm)</th><th scope="col">From baseline</th><th scope="col">From nadir</th><th scope="col">Target response</th><th scope="col">Overall response</th><th scope="col">Response source</th></tr></thead><tbody>
<% for (const a of c.assessments) { %><tr><td><%= a.assessmentDate %><%= a.baseline ? ' (baseline)' : '' %></td><td><%= a.modality %></td><td><%= h.shown(a.sumOfDiametersMm) %></td><td><%= a.percentFromBaseline === null ? '—' : a.percentFromBaseline + ' %' %></td><td><%= a.percentFromNadir === null ? '—' : a.percentFromNadir + ' %' %></td><td><%= h.shown(a.targetResponse) %></td><td><%= h.shown(a.overallResponse) %></td><td><%= a.responseSource %></td></tr><% } %>
</tbody></table></div>
<% if (it.recistIssue) { %><p class="problem"><%= it.recistIssue %></p><% } %>
</section>

<section aria-labelledby="aes">
<h2 id="aes">Adverse events</h2>
<% if (c.adverseEvents.length === 0) { %><p class="muted">None.</p><% } else { %>
<div class="wide" role="region" aria-label="Table of adverse events" tabindex="0"><table><thead><tr><th scope="col">Term</th><th scope="col">Onset</th><th scope="col">CTCAE grade</th><th scope="col">Serious</th><th scope="col">Relatedness</th><th scope="col">Outcome</th><th scope="col">End date</th></tr></thead><tbody>
<% for (const a of c.adverseEvents) { %><tr><td class="text"><%= a.term %></td><td><%= a.onsetDate %></td><td><%= a.ctcaeGrade %></td><td><%= a.serious ? 'yes' : 'no' %></td><td><%= a.relatedness %></td><td><%= h.aeOutcome(a.outcome) %></td><td><%= h.shown(a.endDate) %></td></tr><% } %>
</tbody></table></div><% } %>
</section>

<section aria-labelledby="signatures">
<h2 id="signatures">Electronic signatures</h2>
<% if (it.signatures.length === 0) { %><p class="muted">No signature.</p><% } else { %>
<div class="wide" role="region" aria-label="Table of signatures" tabindex="0"><table><thead><tr><th scope="col">Signed by</th><th scope="col">At</th><th scope="col">Meaning</th><th scope="col">Scope</th><th scope="col">Status</th><th scope="col">Superseded by</th></tr></thead><tbody>
<% for (const s of it.signatures) { %><tr><td><%= s.signer %></td><td><%= h.utc(s.signedAt) %></td><td><%= s.meaningInWords %></td><td><%= s.scopeInWords %></td><td class="<%= s.status === 'valid' ? 'ok' : 'bad' %>"><%= s.status %></td><td><%= s.supersededBy.length ? s.supersededBy.join('; ') : '—' %></td></tr><% } %>
</tbody></table></div><% } %>
</section>

<section aria-labelledby="pfs">
<h2 id="pfs">PFS derivation</h2>
<% if (it.pfs) { const p = it.pfs; %>
<dl class="facts">
  <dt>Start (enrollment)</dt><dd><%= p.startDate %></dd>
  <dt>Event or censoring date</dt><dd><%= p.adt %></dd>
  <dt>Days (AVAL)</dt><dd><%= p.aval %></dd>
  <dt>Outcome</dt><dd><%= p.cnsr === 0 ? 'event' : 'censored' %> (rule <%= p.rule %>)</dd>
  <dt>Reason</dt><dd><%= p.evntdesc %><%= p.cnsdtdsc ? ' — ' + p.cnsdtdsc : '' %></dd>
  <dt>Source event</dt><dd><a href="#entry-<%= p.source.eventId %>"><%= p.source.eventType %></a> (<%= p.source.domain %>.<%= p.source.variable %>, record <%= p.source.sequence %>)</dd>
  <% if (p.disregardedEvent) { %><dt>Disregarded</dt><dd><a href="#entry-<%= p.disregardedEvent.eventId %>"><%= p.disregardedEvent.date %>: <bdi><%= p.disregardedEvent.description %></bdi></a></dd><% } %>
  <% if (p.censoringFact) { %><dt>Censored because of</dt><dd><a href="#entry-<%= p.censoringFact.eventId %>"><%= p.censoringFact.eventType %></a> on <%= p.censoringFact.date %></dd><% } %>
</dl>
<% } else { %><p class="muted">No PFS derivation: the subject is not enrolled as of this page.</p><% } %>
</section>
`;
