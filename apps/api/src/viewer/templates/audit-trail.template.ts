/** The audit trail: filters (a GET form, so a filtered page is a link), rows newest first, downloads. */
export const AUDIT_TRAIL_TEMPLATE = `<% layout('@layout') %>
<% const f = it.filter; const h = it.h; %>
<form class="filters" method="get" action="<%= it.action %>">
  <label>User (id or username)<input name="user" type="text" value="<%= f.user %>" maxlength="200"></label>
  <label>Role<select name="role"><option value="">any</option><% for (const r of it.roles) { %><option value="<%= r %>"<%= r === f.role ? ' selected' : '' %>><%= r %></option><% } %></select></label>
  <label>Subject<input name="subject" type="text" value="<%= f.subject %>" maxlength="200"></label>
  <label>Event type(s)<input name="type" type="text" value="<%= f.type %>" maxlength="200" placeholder="EntryCorrected,EntryVoided"></label>
  <label>Recorded from<input name="from" type="text" value="<%= f.from %>" maxlength="40"></label>
  <label>Recorded to<input name="to" type="text" value="<%= f.to %>" maxlength="40"></label>
  <label><span><input name="changesOnly" type="checkbox" value="1"<%= f.changesOnly ? ' checked' : '' %>> Changes only</span></label>
  <% if (f.asKnownAt) { %><input type="hidden" name="asKnownAt" value="<%= f.asKnownAt %>"><% } %>
  <button type="submit">Filter</button>
</form>
<p class="downloads">Download what this filter shows (all pages, oldest first):
  <a href="<%= it.exportBase %>&amp;format=csv" download>CSV</a> ·
  <a href="<%= it.exportBase %>&amp;format=json" download>JSON</a> ·
  <a href="<%= it.exportBase %>&amp;format=odm" download>ODM (subjects of the filter's study as they stand now)</a>
</p>
<div class="wide" role="region" aria-label="Table of audit trail rows" tabindex="0"><table class="trail">
<caption class="muted"><%= it.h.counted(it.rows.length, 'row') %> on this page, newest first<%= f.before ? ' (before log position ' + f.before + ')' : '' %><%= it.bounds ? '; ' + it.bounds : '' %></caption>
<thead><tr><th scope="col">Position</th><th scope="col">Recorded at (UTC)</th><th scope="col">User</th><th scope="col">Role</th><th scope="col">Action</th><th scope="col">Subject</th><th scope="col">Recorded values or change</th><th scope="col">Reason</th></tr></thead>
<tbody>
<% for (const r of it.rows) { %><tr data-position="<%= r.position %>">
<td><%= r.position %></td><td><%= h.utc(r.recordedAt) %></td><td><%= h.person({ fullName: r.fullName, username: r.username }) %></td><td><%= r.role %></td>
<td><%= r.action %><% if (r.targetType) { %> of <%= h.eventLabel(r.targetType) %><% } %></td><td><%= r.subjectId ?? '—' %></td>
<td><% if (r.exported) { %><span class="exported"><%= r.exported %></span><% } else if (r.before || r.after) { %><% for (const k of r.changeKeys) { %><div><%= h.fieldLabel(k) %>: <bdi class="before"><%= h.shown(r.before ? r.before[k] : null) %></bdi> → <bdi class="after"><%= r.after ? h.shown(r.after[k]) : '(voided)' %></bdi></div><% } %><% } else if (r.recorded.length > 0) { %><% for (const [k, v] of r.recorded) { %><div class="recorded"><%= h.fieldLabel(k) %>: <bdi><%= h.shown(v) %></bdi></div><% } %><% } else { %><span class="muted">—</span><% } %></td>
<td class="text"><%= r.reason ?? '' %></td>
</tr><% } %>
</tbody></table></div>
<p class="pager"><% if (f.before) { %><a href="<%= it.newestHref %>">Newest</a><% } %><% if (it.olderHref) { %> <a href="<%= it.olderHref %>">Older</a><% } %></p>
`;
