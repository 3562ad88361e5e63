// Samsa console pages: show the offset/time field only when the chosen start needs one.
(function () {
  'use strict';
  function toggle(select, field, needs) {
    if (!select || !field) { return; }
    var label = field.closest('label') || field;
    var update = function () { label.style.display = needs.indexOf(select.value) >= 0 ? '' : 'none'; };
    select.addEventListener('change', update);
    update();
  }
  document.addEventListener('DOMContentLoaded', function () {
    toggle(document.getElementById('start'), document.getElementById('at'), ['offset', 'timestamp']);
    toggle(document.getElementById('strategy'), document.getElementById('value'), ['offset', 'timestamp']);
  });
}());
