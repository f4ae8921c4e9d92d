/* global document, fetch, Option, setTimeout */
// The clerk's surrender page: choose the councillor from the roster, confirm the term end, start, and
// watch the progress until the certificate can be opened. Plain script, no framework, no innerHTML:
// every text from the server is set as text.
'use strict';
(function () {
  const $ = (id) => document.getElementById(id);
  const STATUS = { pending: 'Not started', running: 'In progress', done: 'Done', failed: 'Stopped', waiting: 'Waiting' };
  const dayFormat = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'Europe/London' });
  const ukDate = (isoDay) => dayFormat.format(new Date(`${isoDay}T12:00:00Z`));
  const todayIso = () => new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/London' }).format(new Date());
  const number = (n) => Number(n).toLocaleString('en-GB');
  let watching;

  async function errorText(res) {
    try {
      const body = await res.json();
      if (body && body.error) return body.error;
    } catch { /* not JSON */ }
    if (res.status === 401) return 'You are not signed in, or your sign-in has expired. Sign in again at /.auth/login/aad and try again.';
    if (res.status === 403) return 'Your account is not allowed to start a surrender. Ask your IT supplier to give you the Offboarding.Request role.';
    return `Something went wrong (${res.status}). Try again, or contact your IT supplier.`;
  }

  function clearErrors() {
    $('error-summary').hidden = true;
    $('error-list').textContent = '';
    for (const el of document.querySelectorAll('.field.invalid')) el.classList.remove('invalid');
    for (const el of document.querySelectorAll('.error-text[id$="-error"]')) { el.hidden = true; el.textContent = ''; }
    for (const id of ['councillor', 'term-end', 'reason', 'confirm']) $(id).removeAttribute('aria-invalid');
  }

  /** errors: [{ field?: 'councillor' | 'term-end' | 'reason' | 'confirm', text }] */
  function showErrors(errors) {
    clearErrors();
    for (const e of errors) {
      const li = document.createElement('li');
      if (e.field) {
        const a = document.createElement('a');
        a.href = `#${e.field}`;
        a.textContent = e.text;
        li.appendChild(a);
        const field = $(`${e.field}-field`);
        field.classList.add('invalid');
        const msg = $(`${e.field}-error`);
        msg.textContent = `Error: ${e.text}`;
        msg.hidden = false;
        $(e.field).setAttribute('aria-invalid', 'true');
        if (e.field === 'reason') $('early').open = true;
      } else {
        li.textContent = e.text;
      }
      $('error-list').appendChild(li);
    }
    $('error-summary').hidden = false;
    $('error-summary').focus();
  }

  function chosen() {
    const value = $('councillor').value;
    return value ? JSON.parse(value) : undefined;
  }

  async function loadRoster() {
    const res = await fetch('/api/offboarding-roster', { credentials: 'same-origin' });
    const select = $('councillor');
    if (!res.ok) {
      select.options[0].textContent = 'The roster could not be loaded';
      return showErrors([{ text: await errorText(res) }]);
    }
    const { councils } = await res.json();
    select.textContent = '';
    select.add(new Option('Choose a councillor', ''));
    for (const c of councils) {
      const group = document.createElement('optgroup');
      group.label = c.name;
      for (const r of c.councillors) {
        const surrender = r.surrender ? ` – surrender: ${STATUS[r.surrender.status] || r.surrender.status}` : '';
        const value = JSON.stringify({ upn: r.userPrincipalName, council: c.tenantId, termEnd: r.termEnd, id: r.surrender && r.surrender.id });
        group.appendChild(new Option(`${r.userPrincipalName} (term ends ${ukDate(r.termEnd)})${surrender}`, value));
      }
      select.appendChild(group);
    }
  }

  function validate() {
    const errors = [];
    const c = chosen();
    const termEnd = $('term-end').value;
    if (!c) errors.push({ field: 'councillor', text: 'Choose the councillor whose account is to be surrendered' });
    if (!/^\d{4}-\d{2}-\d{2}$/.test(termEnd)) errors.push({ field: 'term-end', text: 'Enter the date the term ended' });
    else if (termEnd > todayIso() && $('reason').value.trim().length < 3) errors.push({ field: 'reason', text: `The term ends in the future (${ukDate(termEnd)}); say why the surrender should start now` });
    if (!$('confirm').checked) errors.push({ field: 'confirm', text: 'Confirm that the account should be surrendered' });
    return errors;
  }

  async function start(event) {
    event.preventDefault();
    const errors = validate();
    if (errors.length) return showErrors(errors);
    clearErrors();
    const c = chosen();
    const termEnd = $('term-end').value;
    const body = { userPrincipalName: c.upn, termEnd, council: c.council };
    if (termEnd > todayIso()) body.force = { reason: $('reason').value.trim() };
    $('start').disabled = true;
    try {
      // The app refuses a state-changing request without a JSON body and a same-origin Origin (CSRF):
      // mode 'same-origin' makes the browser send Origin and Sec-Fetch-Site: same-origin, and never cross.
      const res = await fetch('/api/offboarding', { method: 'POST', mode: 'same-origin', credentials: 'same-origin', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
      const reply = await res.clone().json().catch(() => ({}));
      if (res.status === 202 || res.status === 200) return watch(reply.id);
      if (res.status === 409 && reply.id) {
        showErrors([{ text: reply.error }]);
        return watch(reply.id);
      }
      showErrors([{ text: await errorText(res) }]);
    } finally {
      $('start').disabled = false;
    }
  }

  function renderStatus(view) {
    $('progress-bar').value = view.percent;
    $('progress-bar').textContent = `${view.percent}%`;
    const current = view.steps.find((s) => s.name === view.currentStep);
    let summary = `${view.councillor.displayName || view.councillor.userPrincipalName}: ${view.percent}% done.`;
    if (view.status === 'done') summary = `The surrender of ${view.councillor.displayName || view.councillor.userPrincipalName} is complete and the archive has been verified.`;
    else if (view.status === 'failed') summary = `The surrender stopped: ${view.message || 'see the steps below'}`;
    else if (current) {
      summary += ` Now: ${current.title}`;
      if (current.progress && current.progress.total) summary += `, ${number(current.progress.done)} of ${number(current.progress.total)} items`;
      if (view.etaSeconds) summary += `, about ${Math.max(1, Math.round(view.etaSeconds / 60))} minute(s) left`;
      summary += '.';
    }
    if (view.status === 'done' && view.licenceRemovalDue) summary += ` Licences will be removed on or after ${ukDate(view.licenceRemovalDue.slice(0, 10))}.`;
    $('progress-summary').textContent = summary;
    const list = $('steps');
    list.textContent = '';
    for (const s of view.steps) {
      const li = document.createElement('li');
      li.appendChild(document.createTextNode(`${s.title}: `));
      const status = document.createElement('span');
      status.className = `status status-${s.status}`;
      status.textContent = STATUS[s.status] || s.status;
      li.appendChild(status);
      if (s.status === 'running' && s.progress && s.progress.total) li.appendChild(document.createTextNode(` (${number(s.progress.done)} of ${number(s.progress.total)})`));
      if (s.message && s.status !== 'pending') li.appendChild(document.createTextNode(` – ${s.message}`));
      list.appendChild(li);
    }
    const left = view.leftForItSupplier || [];
    $('left').hidden = left.length === 0;
    const leftList = $('left-list');
    leftList.textContent = '';
    for (const l of left) {
      const li = document.createElement('li');
      const what = document.createElement('strong');
      what.textContent = `${LEFT_KIND[l.kind] || l.kind} ${l.name}`;
      li.appendChild(what);
      li.appendChild(document.createTextNode(`: ${l.reason}`));
      leftList.appendChild(li);
    }
    // What could not be copied, and where it still is (textContent only: these strings come from the service).
    const notCopied = view.notCopied || [];
    $('not-copied').hidden = !notCopied.length;
    $('keep-mailbox').hidden = !view.keepMailbox;
    $('keep-mailbox').textContent = view.keepMailbox || '';
    const nc = $('not-copied-list');
    nc.textContent = '';
    for (const x of notCopied) {
      const li = document.createElement('li');
      // The reason is a clause in the service's wording; it starts a sentence here, so it gets a capital.
      const why = x.why ? x.why.charAt(0).toUpperCase() + x.why.slice(1) : '';
      li.textContent = `${x.what}: remains ${x.where}.${why ? ` ${why}.` : ''}`;
      nc.appendChild(li);
    }
    if (view.certificateUrl) {
      $('certificate-link').href = view.certificateUrl;
      $('done').hidden = false;
    }
  }

  const LEFT_KIND = { group: 'Group', licence: 'Licence', device: 'Device', mailbox: 'Mailbox' };

  async function poll(id) {
    if (watching !== id) return;
    const res = await fetch(`/api/offboarding/${encodeURIComponent(id)}`, { credentials: 'same-origin' });
    if (!res.ok) {
      $('progress-summary').textContent = await errorText(res);
      return;
    }
    const view = await res.json();
    renderStatus(view);
    if (view.status === 'running') setTimeout(() => poll(id), 2000);
  }

  function watch(id) {
    watching = id;
    $('progress').hidden = false;
    $('done').hidden = true;
    return poll(id);
  }

  /** The date in words under the field: browsers show date fields in the computer's format, which may not be the UK's. */
  function sayDate() {
    const value = $('term-end').value;
    $('term-end-words').textContent = /^\d{4}-\d{2}-\d{2}$/.test(value) ? `That is ${ukDate(value)}.` : '';
  }

  // "Surrender everyone whose term has ended": list (GET), confirm, start (same-origin JSON POST).
  const CHANGEOVER = { start: 'will be surrendered', continue: 'an earlier surrender will continue', surrendered: 'already surrendered', 'in-progress': 'in progress', failed: 'could not start' };

  function renderChangeover(result) {
    const list = $('changeover-rows');
    list.textContent = '';
    if (!result.rows.length) {
      const li = document.createElement('li');
      li.textContent = 'Nobody: no councillor on the roster has a term that has ended.';
      list.appendChild(li);
    }
    for (const r of result.rows) {
      const li = document.createElement('li');
      li.textContent = `${r.userPrincipalName} (term ended ${ukDate(r.termEnd)}): ${CHANGEOVER[r.outcome] || r.outcome}${r.outcome === 'failed' && r.detail ? ` – ${r.detail}` : ''} `;
      if (r.reference) {
        const follow = document.createElement('button');
        follow.type = 'button';
        follow.textContent = 'Follow';
        follow.addEventListener('click', () => watch(r.reference));
        li.appendChild(follow);
      }
      list.appendChild(li);
    }
  }

  async function listChangeover() {
    $('changeover-result').textContent = '';
    const res = await fetch('/api/offboarding-ended', { credentials: 'same-origin' });
    if (!res.ok) { $('changeover-result').textContent = await errorText(res); return; }
    const result = await res.json();
    renderChangeover(result);
    const toStart = result.rows.some((r) => r.outcome === 'start' || r.outcome === 'continue');
    $('changeover-confirm-field').hidden = !toStart;
    $('changeover-start').hidden = !toStart;
  }

  async function startChangeover() {
    const error = $('changeover-confirm-error');
    if (!$('changeover-confirm').checked) {
      error.textContent = 'Error: Confirm that the accounts listed should be surrendered';
      error.hidden = false;
      $('changeover-confirm-field').classList.add('invalid');
      $('changeover-confirm').focus();
      return;
    }
    error.hidden = true;
    $('changeover-confirm-field').classList.remove('invalid');
    $('changeover-start').disabled = true;
    try {
      const res = await fetch('/api/offboarding-ended', { method: 'POST', mode: 'same-origin', credentials: 'same-origin', headers: { 'Content-Type': 'application/json' }, body: '{}' });
      if (!res.ok) { $('changeover-result').textContent = await errorText(res); return; }
      const result = await res.json();
      renderChangeover(result);
      $('changeover-result').textContent = `${result.started} surrender(s) started. Choose Follow to watch one.`;
      $('changeover-start').hidden = true;
      $('changeover-confirm-field').hidden = true;
    } finally {
      $('changeover-start').disabled = false;
    }
  }

  $('changeover-list').addEventListener('click', listChangeover);
  $('changeover-start').addEventListener('click', startChangeover);
  $('councillor').addEventListener('change', () => {
    const c = chosen();
    if (!c) return;
    $('term-end').value = c.termEnd;
    sayDate();
    if (c.id) watch(c.id);
  });
  $('term-end').addEventListener('input', sayDate);
  $('start-form').addEventListener('submit', start);
  loadRoster();
})();
