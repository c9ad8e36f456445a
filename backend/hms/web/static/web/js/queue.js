/* The doctor's queue: the "In the waiting room" badge of a teleconsult row follows the
   notification feed (notifications.js turns {"event":"consult_waiting","appointment":id,
   "waiting":bool} into an hms-consult-waiting event) without a reload. */
(function () {
  "use strict";

  document.addEventListener("DOMContentLoaded", function () {
    document.body.addEventListener("hms-consult-waiting", function (event) {
      var message = event.detail || {};
      if (!message.appointment) return;
      var row = document.querySelector('[data-appointment="' + CSS.escape(String(message.appointment)) + '"]');
      if (!row) return;
      var badge = row.querySelector("[data-waiting-badge]");
      if (badge) badge.hidden = !message.waiting;
    });
  });
})();
