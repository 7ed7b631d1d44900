// Small touches on top of the server-rendered pages. Everything works without this file.
(function () {
  'use strict';

  function openMenus() {
    return document.querySelectorAll('.controls-bar details[open]');
  }

  // A controls bar's menus open one at a time, so an open menu never hides another's results.
  document.addEventListener(
    'toggle',
    function (event) {
      var details = event.target;
      if (!(details instanceof HTMLDetailsElement) || !details.open || !details.closest('.controls-bar')) return;
      openMenus().forEach(function (other) {
        if (other !== details) other.open = false;
      });
    },
    true,
  );

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
