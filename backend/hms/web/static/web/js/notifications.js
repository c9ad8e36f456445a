/* Live notifications: keeps the header bell's counts, the "needs attention" strip and the
   inbox current without a reload, and pops up critical alerts as they arrive.

   The server pushes JSON over ws(s)://<host>/ws/notifications/ (the session cookie signs the
   connection in): {"event": "hello" | "created" | "acknowledged" | "escalated", "unread": n,
   "attention": m, "notification": {...}}. Parts of the page that list notifications carry
   hx-trigger="hms-notification from:body" and re-read themselves when told. */
(function () {
  "use strict";

  var KEEPALIVE_MS = 25000;
  var MAX_RETRY_MS = 30000;

  function setCounts(message) {
    document.querySelectorAll("[data-notification-count]").forEach(function (badge) {
      badge.textContent = String(message.unread);
      if (badge.classList.contains("hms-bell-count")) {
        badge.classList.toggle("d-none", !message.unread && !message.attention);
        badge.classList.toggle("text-bg-danger", message.attention > 0);
        badge.classList.toggle("text-bg-light", !(message.attention > 0));
      }
    });
    document.querySelectorAll("[data-attention-count]").forEach(function (badge) {
      badge.textContent = String(message.attention);
    });
    var bell = document.querySelector("[data-live-notifications]");
    if (bell) {
      bell.setAttribute(
        "aria-label",
        "Notifications: " + message.unread + " unread, " + message.attention + " need attention"
      );
    }
  }

  // A critical alert pops up in the corner until closed. Built from text nodes only: a
  // notification's title never becomes markup.
  function showToast(notification) {
    var container = document.getElementById("hms-toasts");
    if (!container) return;
    var toast = document.createElement("div");
    toast.className = "toast show border-danger";
    toast.setAttribute("role", "alert");
    toast.dataset.testid = "notification-toast";
    var header = document.createElement("div");
    header.className = "toast-header text-bg-danger";
    var heading = document.createElement("strong");
    heading.className = "me-auto";
    heading.textContent = notification.escalation_of ? "Escalated alert" : "Critical alert";
    var close = document.createElement("button");
    close.type = "button";
    close.className = "btn-close btn-close-white";
    close.setAttribute("aria-label", "Close");
    close.addEventListener("click", function () {
      toast.remove();
    });
    header.appendChild(heading);
    header.appendChild(close);
    var body = document.createElement("div");
    body.className = "toast-body";
    var title = document.createElement("div");
    title.className = "fw-semibold";
    title.textContent = notification.title;
    var open = document.createElement("a");
    open.href = "/notifications/" + encodeURIComponent(notification.id) + "/open/";
    open.textContent = "Open";
    body.appendChild(title);
    body.appendChild(open);
    toast.appendChild(header);
    toast.appendChild(body);
    container.prepend(toast);
  }

  function showWaitingToast(message) {
    var container = document.getElementById("hms-toasts");
    if (!container) return;
    var toast = document.createElement("div");
    toast.className = "toast show";
    toast.setAttribute("role", "status");
    toast.dataset.testid = "waiting-toast";
    var body = document.createElement("div");
    body.className = "toast-body d-flex align-items-center gap-2";
    var text = document.createElement("span");
    text.className = "flex-grow-1";
    text.textContent = (message.patient || "A patient") + " is in the waiting room.";
    var join = document.createElement("a");
    join.className = "btn btn-sm btn-success";
    join.href = "/workspace/consults/" + encodeURIComponent(message.appointment) + "/";
    join.textContent = "Join";
    var close = document.createElement("button");
    close.type = "button";
    close.className = "btn-close";
    close.setAttribute("aria-label", "Close");
    close.addEventListener("click", function () {
      toast.remove();
    });
    body.appendChild(text);
    body.appendChild(join);
    body.appendChild(close);
    toast.appendChild(body);
    container.prepend(toast);
  }

  function connect(bell) {
    var retryMs = 1000;
    var keepalive = null;
    var heardBefore = false;

    function open() {
      var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
      var socket = new WebSocket(scheme + window.location.host + bell.dataset.liveNotifications);
      socket.addEventListener("open", function () {
        retryMs = 1000;
        keepalive = window.setInterval(function () {
          socket.send(JSON.stringify({ action: "ping" }));
        }, KEEPALIVE_MS);
      });
      socket.addEventListener("message", function (event) {
        var message = JSON.parse(event.data);
        if (typeof message.unread === "number") setCounts(message);
        if (message.event === "hello") {
          bell.dataset.liveState = "open";
          // Back after a dropped connection: what was missed meanwhile is re-read.
          if (heardBefore) document.body.dispatchEvent(new CustomEvent("hms-notification"));
          heardBefore = true;
          return;
        }
        if (message.event === "consult_waiting") {
          // A teleconsult patient entered or left the waiting room: the queue page updates
          // its row; elsewhere a pop-up says who is waiting, with the way into the call.
          document.body.dispatchEvent(new CustomEvent("hms-consult-waiting", { detail: message }));
          var row = document.querySelector(
            '[data-appointment="' + CSS.escape(String(message.appointment)) + '"]'
          );
          if (message.waiting && !row && !document.querySelector("[data-consult]")) {
            showWaitingToast(message);
          }
          return;
        }
        if (!message.notification) return;
        var notification = message.notification;
        if (
          (message.event === "created" || message.event === "escalated") &&
          notification.needs_attention
        ) {
          showToast(notification);
        }
        document.body.dispatchEvent(new CustomEvent("hms-notification", { detail: message }));
      });
      socket.addEventListener("close", function (event) {
        bell.dataset.liveState = "closed";
        window.clearInterval(keepalive);
        if (event.code === 4401) return; // signed out: nothing to listen for
        window.setTimeout(open, retryMs);
        retryMs = Math.min(retryMs * 2, MAX_RETRY_MS);
      });
    }

    open();
  }

  document.addEventListener("DOMContentLoaded", function () {
    var bell = document.querySelector("[data-live-notifications]");
    if (bell && "WebSocket" in window) connect(bell);
  });
})();
