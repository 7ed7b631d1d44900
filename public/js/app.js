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

  // A click outside an open menu closes it, as it would for any menu.
  document.addEventListener('click', function (event) {
    openMenus().forEach(function (details) {
      if (!details.contains(event.target)) details.open = false;
    });
  });
})();
