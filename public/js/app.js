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

  // A click outside an open menu closes it, as it would for any menu.
  document.addEventListener('click', function (event) {
    openMenus().forEach(function (details) {
      if (!details.contains(event.target)) details.open = false;
    });
  });
})();
