// Small touches on top of the server-rendered pages. Everything works without this file.
(function () {
  'use strict';

  function openMenus() {
    return document.querySelectorAll('.controls-bar details[open]');
  }

  // A menu closes when the keyboard moves on past it, so an open menu never covers the results.
  document.addEventListener('focusout', function (event) {
    if (!(event.target instanceof Element) || !(event.relatedTarget instanceof Element)) return;
    var details = event.target.closest('.controls-bar details[open]');
    if (details && !details.contains(event.relatedTarget)) details.open = false;
  });

  // Escape closes the menu the focus is in and returns focus to its summary.
  document.addEventListener('keydown', function (event) {
    if (event.key !== 'Escape' || !(event.target instanceof Element)) return;
    var details = event.target.closest('.controls-bar details[open]');
    if (!details) return;
    details.open = false;
    details.querySelector('summary').focus();
  });

  // When a swap removed the control that had focus (the last page has no "Next page"), focus
  // goes to the result count rather than being lost to the top of the page.
  document.addEventListener('htmx:afterSettle', function (event) {
    var target = event.detail && event.detail.target;
    if (!target || target.id !== 'results' || document.activeElement !== document.body) return;
    var count = document.getElementById('result-count');
    if (count) count.focus();
  });

  // A refused form (an expired one, say, or a link removed meanwhile) must not fail silently.
  document.addEventListener('htmx:responseError', function (event) {
    var form = event.detail && event.detail.elt;
    var announcer = document.getElementById('announcer');
    if (!announcer || !(form instanceof Element) || !form.closest('form')) return;
    var what = form.closest('.add-form') ? 'The title could not be added' : 'That was not saved';
    announcer.textContent = what + ' (error ' + event.detail.xhr.status + '). Reload the page and try again.';
  });

  // A form saved on change (a list row, a home tile) sends a plain save then: not the value of a
  // button of the form, which htmx adds when the focus has moved onto it (+1, tabbed to while the
  // save waited its 400 ms) as if it had been pressed.
  document.addEventListener('htmx:configRequest', function (event) {
    var detail = event.detail;
    var form = detail && detail.elt;
    if (!(form instanceof Element) || form.tagName !== 'FORM' || !detail.triggeringEvent) return;
    if (detail.triggeringEvent.type === 'submit') return;
    Array.prototype.forEach.call(form.elements, function (control) {
      if (control.type === 'submit' && control.name) delete detail.parameters[control.name];
    });
  });

  // A save redraws its row (or tile) from the answer. A change made while that save was on its
  // way, or waiting its 400 ms, would go with the old row: htmx drops a request of a form that is
  // no longer in the page, and the new row shows what was stored. So the values sent are noted,
  // any control changed since is given its value again in the new row, and that row saves again.
  var sentValues = new WeakMap();
  var carriedValues = new WeakMap();

  function editableControls(form) {
    return Array.prototype.filter.call(form.elements, function (control) {
      // Controls whose value is what they hold (a checkbox's value never changes: none is saved so).
      return control.id && control.name && !/^(hidden|submit|button|reset|checkbox|radio|file)$/.test(control.type);
    });
  }

  document.addEventListener('htmx:configRequest', function (event) {
    var form = event.detail && event.detail.elt;
    if (!(form instanceof HTMLFormElement)) return;
    var values = {};
    editableControls(form).forEach(function (control) {
      values[control.id] = control.value;
    });
    sentValues.set(form, values);
  });

  document.addEventListener('htmx:beforeSwap', function (event) {
    var detail = event.detail;
    // (The event's own elt is the target it swaps; the form is the request's.)
    var form = detail && detail.requestConfig && detail.requestConfig.elt;
    var sent = form && sentValues.get(form);
    if (!sent || !detail.shouldSwap) return;
    // Only controls the swap replaces: a search box outside the results keeps what is typed in it.
    var changed = editableControls(form).filter(function (control) {
      return control.id in sent && control.value !== sent[control.id] && detail.target.contains(control);
    });
    if (changed.length) {
      carriedValues.set(
        detail.xhr,
        changed.map(function (control) {
          return { id: control.id, value: control.value };
        }),
      );
    }
  });

  document.addEventListener('htmx:afterSettle', function (event) {
    var xhr = event.detail && event.detail.xhr;
    var carried = xhr && carriedValues.get(xhr);
    if (!carried) return;
    carriedValues.delete(xhr);
    var last = null;
    carried.forEach(function (entry) {
      var control = document.getElementById(entry.id);
      if (!control || !('value' in control)) return;
      control.value = entry.value;
      last = control;
    });
    if (last) last.dispatchEvent(new Event('change', { bubbles: true }));
  });

  // A click outside an open menu closes it, as it would for any menu.
  document.addEventListener('click', function (event) {
    openMenus().forEach(function (details) {
      if (!details.contains(event.target)) details.open = false;
    });
  });
})();
