/** The study dashboard: enrollment, statuses, deviations, adverse events, signatures, PFS and verification. */
export const STUDY_TEMPLATE = `<% layout('@layout') %>
<% const o = it.overview; %>
<section aria-labelledby="enrollment">
<h2 id="enrollment">Enrollment</h2>
<dl class="facts">
  <dt>Protocol version</dt><dd><%= o.protocolVersion ?? '—' %></dd>
  <dt>Enrolled</dt><dd><%= o.enrollment.enrolled %> of <%= o.enrollment.target ?? '—' %> (cap)<% if (o.enrollment.percentOfTarget !== null) { %> · <%= o.enrollment.percentOfTarget %> %<% } %></dd>
  <dt>Screened</dt><dd><%= o.screened %></dd>
</dl>
</section>
<section aria-labelledby="statuses">
<h2 id="statuses">Subjects by status</h2>
<table><thead><tr><th scope="col">Status</th><th scope="col">Subjects</th></tr></thead><tbody>
<% for (const [status, count] of it.statusCounts) { %><tr><td><%= status %></td><td><%= count %></td></tr><% } %>
</tbody></table>
</section>
<section aria-labelledby="deviations">
<h2 id="deviations">Protocol deviations</h2>
<p><%= it.h.counted(o.deviations.total, 'live deviation') %> (<%= o.deviations.bySeverity.major %> major, <%= o.deviations.bySeverity.minor %> minor; <%= o.deviations.detected %> detected by the system, <%= o.deviations.recorded %> recorded by site staff).</p>
<% if (o.deviations.byCategory.length > 0) { %>
<table><thead><tr><th scope="col">Category</th><th scope="col">Major</th><th scope="col">Minor</th><th scope="col">Total</th></tr></thead><tbody>
<% for (const d of o.deviations.byCategory) { %><tr><td><%= d.category %></td><td><%= d.major %></td><td><%= d.minor %></td><td><%= d.total %></td></tr><% } %>
</tbody></table>
<% } %>
</section>
<section aria-labelledby="queries">
<h2 id="queries">Queries</h2>
<p class="open-queries"><%= it.h.counted(o.openQueries, 'open query', 'open queries') %> (opened or reopened, not yet closed or cancelled; answered ones included).</p>
</section>
<section aria-labelledby="aes">
<h2 id="aes">Adverse events</h2>
<p><%= it.h.counted(o.adverseEvents.total, 'adverse event') %>, <%= o.adverseEvents.serious %> serious, <%= o.adverseEvents.grade3OrHigher %> of CTCAE grade 3 or higher.</p>
</section>
<section aria-labelledby="signatures">
<h2 id="signatures">Electronic signatures</h2>
<p><%= it.signatures.valid %> valid, <%= it.signatures.superseded %> superseded by a later correction or void; <%= it.h.counted(it.signatures.unsigned, 'enrolled subject') %> without a valid casebook signature.</p>
</section>
<section aria-labelledby="pfs">
<h2 id="pfs">Progression-free survival</h2>
<% if (it.pfs) { %>
<p><%= it.h.counted(it.pfs.summary.n, 'subject') %>, <%= it.h.counted(it.pfs.summary.events, 'event') %>, <%= it.pfs.summary.censored %> censored; median PFS <%= it.pfsFigures.median %>; <%= it.pfsFigures.rates.join('; ') %>.</p>
<figure class="km"><%~ it.kmSvg %><figcaption>Kaplan–Meier estimate of PFS (days from enrollment).</figcaption></figure>
<% } else { %><p class="muted"><%= it.pfsUnavailable %></p><% } %>
</section>
<section aria-labelledby="verification">
<h2 id="verification">Verification</h2>
<% if (it.verification) { const v = it.verification; %>
<dl class="facts">
  <dt>Hash chain</dt><dd class="<%= v.ok ? 'ok' : 'bad' %>"><%= v.ok ? 'intact' : 'BROKEN' %> (<%= it.h.counted(v.eventsChecked, 'event') %> checked to position <%= v.headPosition %>)</dd>
  <% if (v.fault) { %><dt>First fault</dt><dd class="bad"><%= v.fault.damage %> at position <%= v.fault.position %>: <%= v.fault.message %></dd><% } %>
  <dt>Anchored</dt><dd><%= v.checkpoints && v.checkpoints.matched > 0 ? 'yes: ' + v.checkpoints.matched + ' signed checkpoints match the log' : 'not checked here (signed checkpoints are verified offline with trial-ledger verify --checkpoints)' %></dd>
  <% if (v.checkpoints) { %><dt>Last checkpoint</dt><dd><%= v.checkpoints.latestMatched ? 'position ' + v.checkpoints.latestMatched.position + ', signed ' + it.h.utc(v.checkpoints.latestMatched.time) : 'none matched' %></dd><% } %>
</dl>
<% if (it.verificationPending) { %><p class="muted verification-pending"><%= it.verificationPending %></p><% } %>
<% } else { %><p class="muted"><%= it.verificationNote %></p><% } %>
</section>
`;

/** The subjects table, sorted on the server (`?sort=`, `?order=`) and paged (`?page=`, `?pageSize=`). */
export const SUBJECTS_TEMPLATE = `<% layout('@layout') %>
<div class="wide" role="region" aria-label="Table of subjects" tabindex="0"><table>
<caption class="muted"><%= it.h.counted(it.total, 'subject') %>, sorted by <%= it.sortLabel %> (<%= it.order === 'desc' ? 'descending' : 'ascending' %>); page <%= it.page %> of <%= it.pageCount %></caption>
<thead><tr>
<% for (const c of it.columns) { %><th scope="col"<% if (c.key === it.sort) { %> aria-sort="<%= it.order === 'desc' ? 'descending' : 'ascending' %>"<% } %>><a href="<%= c.href %>"><%= c.label %></a></th><% } %>
</tr></thead>
<tbody>
<% for (const s of it.rows) { %><tr>
<td><a href="/viewer/studies/<%= encodeURIComponent(it.studyId) %>/subjects/<%= encodeURIComponent(s.subjectId) %><%= it.asOfQuery %>"><%= s.subjectId %></a></td>
<td><%= s.subjectNumber ?? '—' %></td><td><%= s.status %></td><td><%= s.enrollmentDate ?? '—' %></td>
<td><%= s.dosesAdministered %></td><td><%= s.nextDoseDueOn ?? '—' %></td><td><%= s.deviations %></td><td><%= s.openQueries %></td>
</tr><% } %>
</tbody></table></div>
<% if (it.rows.length === 0 && it.page > 1) { %><p class="muted">No subjects on page <%= it.page %>: the table has <%= it.pageCount %> page(s).</p><% } %>
<% if (it.prevHref || it.nextHref) { %><nav class="pager" aria-label="Subject pages"><% if (it.prevHref) { %><a rel="prev" href="<%= it.prevHref %>">Previous</a><% } %><% if (it.nextHref) { %> <a rel="next" href="<%= it.nextHref %>">Next</a><% } %></nav><% } %>
`;
